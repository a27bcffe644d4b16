"""Objectives and duality gaps, computed here and independently of every package measured.

Squared loss, our scaling (DESIGN.md section 1), no intercept:

    P(b) = 1/(2n) ||y - X b||^2 + alpha * (rho ||b||_1 + (1 - rho)/2 ||b||^2)

Fenchel dual with u in R^n (lam1 = alpha*rho, lam2 = alpha*(1-rho)):

    D(u) = u^T y - n/2 ||u||^2 - sum_j h(x_j^T u),
    h(s) = (|s| - lam1)_+^2 / (2 lam2)          if lam2 > 0,
    h(s) = 0 if |s| <= lam1 else +inf           if lam2 = 0 (Lasso).

We take u = r / n (r = y - X b), the dual point every solver tends to; for the Lasso it is
shrunk onto the feasible set, u = r / max(n, ||X^T r||_inf / lam1). P(b) - D(u) >= P(b) - P*.
"""

from __future__ import annotations

import numpy as np


def _residuals(X, y, coefs):
    """R[k] = y - X coefs[k] for coefs of shape (n_alphas, p); returns (n_alphas, n)."""
    return y[None, :] - np.asarray(X @ coefs.T).T


def primal(X, y, coefs, alphas, l1_ratio):
    """P(b_k) at each alpha_k, shape (n_alphas,)."""
    n = X.shape[0]
    R = _residuals(X, y, coefs)
    loss = 0.5 * np.einsum("ij,ij->i", R, R) / n
    l1 = np.abs(coefs).sum(axis=1)
    l2 = np.einsum("ij,ij->i", coefs, coefs)
    return loss + alphas * (l1_ratio * l1 + 0.5 * (1.0 - l1_ratio) * l2)


def dual(X, y, coefs, alphas, l1_ratio):
    """D(u_k) at the residual-based dual point of each b_k, shape (n_alphas,)."""
    n = X.shape[0]
    R = _residuals(X, y, coefs)
    G = np.asarray(X.T @ R.T).T  # (n_alphas, p): X^T r_k
    lam1 = alphas * l1_ratio
    lam2 = alphas * (1.0 - l1_ratio)
    if l1_ratio >= 1.0:
        scale = np.maximum(n, np.abs(G).max(axis=1) / lam1)
        U = R / scale[:, None]
        return U @ y - 0.5 * n * np.einsum("ij,ij->i", U, U)
    U = R / n
    S = G / n
    excess = np.maximum(np.abs(S) - lam1[:, None], 0.0)
    h = 0.5 * np.einsum("ij,ij->i", excess, excess) / lam2
    return U @ y - 0.5 * n * np.einsum("ij,ij->i", U, U) - h


def primal_dual(X, y, coefs, alphas, l1_ratio, chunk=20):
    """(P, D) in chunks of alphas, so (chunk, n) residual blocks stay small."""
    P = np.empty(len(alphas))
    D = np.empty(len(alphas))
    for s in range(0, len(alphas), chunk):
        sl = slice(s, s + chunk)
        P[sl] = primal(X, y, coefs[sl], alphas[sl], l1_ratio)
        D[sl] = dual(X, y, coefs[sl], alphas[sl], l1_ratio)
    return P, D


# --------------------------------------------------------------------------- GLM tasks
# Intercept fitted, never penalized; L1 (rho = 1) only. Our scaling (DESIGN.md section 1):
#
#   logistic     P(b, b0) = 1/n sum_i [log(1 + e^eta_i) - y_i eta_i] + alpha ||b||_1,
#                eta = X b + b0, y in {0, 1}  (= 1/n sum log(1 + exp(-y~_i eta_i)), y~ = 2y - 1)
#   multinomial  P(B, b0) = 1/n sum_i [logsumexp(eta_i) - eta_{i, y_i}] + alpha sum_jk |B_kj|,
#                eta_i = B x_i + b0 in R^K (one coefficient vector per class, ungrouped L1)
#
# Fenchel dual (U in R^{n x K}, K = 1 for logistic; l* the conjugate of the loss):
#
#   D(U) = -1/n sum_i l*(-n U_i)  s.t.  max|X^T U| <= alpha,  1^T U_k = 0 (intercepts),
#
# and l*(-n U_i) = sum_k T_ik log T_ik with T_i = Y_i - n U_i in the simplex (logistic:
# t log t + (1 - t) log(1 - t)). The dual point is built from the solution's residual after the
# intercepts are re-fitted exactly for its b (so 1^T R = 0 and the constraint holds), then
# shrunk: U = c R / n, c = min(1, n alpha / max|X^T R|), i.e. T = (1 - c) Y + c mu, which stays
# in the simplex. Any b gives a valid lower bound D <= P*, so P(b_ref) - D bounds P(b_ref) - P*.

from scipy.special import logsumexp, xlogy  # noqa: E402


def _eta(X, coef, intercept):
    """Linear predictors for a chunk: coef (k, p) -> (n, k); coef (k, K, p) -> (n, k, K)."""
    k = coef.shape[0]
    if coef.ndim == 2:
        return np.asarray(X @ coef.T) + intercept[None, :]
    K = coef.shape[1]
    E = np.asarray(X @ coef.reshape(k * K, -1).T).reshape(-1, k, K)
    return E + intercept[None, :, :]


def glm_primal(task, X, y, coef, intercept, alphas, chunk=20):
    """P at each alpha for (coef, intercept) of a logistic or multinomial path."""
    n = X.shape[0]
    P = np.empty(len(alphas))
    if task == "multinomial_path":
        codes = np.unique(y, return_inverse=True)[1]
    for s in range(0, len(alphas), chunk):
        sl = slice(s, s + chunk)
        E = _eta(X, coef[sl], intercept[sl])
        if task == "logistic_path":
            loss = (np.logaddexp(0.0, E) - y[:, None] * E).mean(axis=0)
        else:
            loss = (logsumexp(E, axis=2) - E[np.arange(n), :, codes]).mean(axis=0)
        l1 = np.abs(coef[sl]).reshape(E.shape[1], -1).sum(axis=1)
        P[sl] = loss + alphas[sl] * l1
    return P


def _refit_logistic_intercept(E0, y, b0, iters=100):
    """Exact intercepts for fixed b: Newton on each column of E0 (n, k) from b0 (k,)."""
    b = np.array(b0, dtype=float)
    for _ in range(iters):
        mu = 1.0 / (1.0 + np.exp(-(E0 + b)))
        g = (mu - y[:, None]).mean(axis=0)
        if np.max(np.abs(g)) < 1e-15:
            break
        h = np.maximum((mu * (1.0 - mu)).mean(axis=0), 1e-12)
        b -= np.clip(g / h, -5.0, 5.0)
    return b, 1.0 / (1.0 + np.exp(-(E0 + b)))


def _softmax(E):
    Z = E - E.max(axis=-1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=-1, keepdims=True)
    return Z


def _refit_multinomial_intercept(E0, Y, b0, iters=100):
    """Exact intercepts for fixed B (one alpha): damped Newton on b in R^K, E0 (n, K)."""
    n, K = E0.shape
    b = np.array(b0, dtype=float)

    def f(b):
        E = E0 + b
        return float((logsumexp(E, axis=1) - (E * Y).sum(axis=1)).mean())

    fb = f(b)
    for _ in range(iters):
        M = _softmax(E0 + b)
        g = (M - Y).mean(axis=0)
        if np.max(np.abs(g)) < 1e-15:
            break
        H = (np.diag(M.sum(axis=0)) - M.T @ M) / n
        # H 1 = 0 (a common shift changes nothing) and g is orthogonal to 1: adding 1 1^T
        # makes H invertible without changing the Newton step within 1's complement.
        d = np.linalg.solve(H + np.ones((K, K)), g)
        t = 1.0
        while t > 1e-10:
            fn = f(b - t * d)
            if fn <= fb:
                break
            t *= 0.5
        b, fb = b - t * d, fn
    return b, _softmax(E0 + b)


def glm_dual(task, X, y, coef, intercept, alphas, chunk=10):
    """D at the dual point built from each solution (intercepts re-fitted), shape (n_alphas,)."""
    n = X.shape[0]
    D = np.empty(len(alphas))
    Y = one_hot_labels(y) if task == "multinomial_path" else None
    for s in range(0, len(alphas), chunk):
        sl = slice(s, s + chunk)
        zero = np.zeros_like(intercept[sl])
        E0 = _eta(X, coef[sl], zero)
        for i, a in enumerate(alphas[sl]):
            if task == "logistic_path":
                _, mu = _refit_logistic_intercept(E0[:, i:i + 1], y, intercept[s + i:s + i + 1])
                mu = mu[:, 0]
                R = y - mu
                c = min(1.0, n * a / np.max(np.abs(X.T @ R)))
                T = (1.0 - c) * y + c * mu
                D[s + i] = -np.mean(xlogy(T, T) + xlogy(1.0 - T, 1.0 - T))
            else:
                _, M = _refit_multinomial_intercept(E0[:, i, :], Y, intercept[s + i])
                R = Y - M
                c = min(1.0, n * a / np.max(np.abs(np.asarray(X.T @ R))))
                T = (1.0 - c) * Y + c * M
                D[s + i] = -xlogy(T, T).sum() / n
    return D


def one_hot_labels(y):
    classes, codes = np.unique(y, return_inverse=True)
    Y = np.zeros((y.shape[0], classes.size))
    Y[np.arange(y.shape[0]), codes] = 1.0
    return Y


def objective(task, X, y, fit, alphas, l1_ratio):
    """P at each alpha for a runner's coefs() output: an array (lasso) or (coef, intercept)."""
    if task == "lasso_path":
        return primal_dual(X, y, fit, alphas, l1_ratio)[0]
    return glm_primal(task, X, y, fit[0], fit[1], alphas)


def objective_and_dual(task, X, y, fit, alphas, l1_ratio):
    if task == "lasso_path":
        return primal_dual(X, y, fit, alphas, l1_ratio)
    return (glm_primal(task, X, y, fit[0], fit[1], alphas),
            glm_dual(task, X, y, fit[0], fit[1], alphas))


# --------------------------------------------------------------------------- polish
# The dual gap of a solution is first order in its coefficient error (its suboptimality is second
# order), so a few 1e-6-accurate solves certify P* only to ~1e-6 or worse. The reference therefore
# also "polishes" the best solution found at each alpha, with a method of the harness's own:
# L-BFGS-B on the closed orthant face of its sign pattern (zeros fixed at 0, signs kept by bounds),
# where P is smooth: P = loss + alpha * sum_j s_j b_j. Any point gives a valid dual bound, so this
# can only tighten the certificate; it is never timed.

def _polish_one(task, X, y_or_Y, coef, b0, alpha, maxiter):
    from scipy.optimize import minimize
    C = np.atleast_2d(coef)  # (K', p): K' = 1 for logistic
    K = C.shape[0]
    J = np.flatnonzero(C.any(axis=0))
    XJ = X[:, J]
    if hasattr(XJ, "tocsc"):
        XJ = XJ.tocsc()
    CJ = C[:, J]
    act = np.flatnonzero(CJ.ravel() != 0)
    s = np.sign(CJ.ravel()[act])
    n = X.shape[0]
    b0 = np.atleast_1d(np.asarray(b0, dtype=float))
    z0 = np.concatenate([CJ.ravel()[act], b0])

    def eta(z):
        B = np.zeros(K * J.size)
        B[act] = z[:act.size]
        B = B.reshape(K, J.size)
        return np.asarray(XJ @ B.T) + z[act.size:], B

    E0 = eta(z0)[0]
    # The objective is evaluated as P(z) - P(z0), each sample's loss difference computed from
    # the change of its linear predictor (log1p / expm1), so the line search still resolves
    # decreases far below P's own round-off and the iterates converge in the coefficients.
    if task == "logistic_path":
        e0 = E0[:, 0]
        mu0 = 1.0 / (1.0 + np.exp(-e0))
    else:
        M0 = _softmax(E0.copy())

    def fg(z):
        E = eta(z)[0]
        dE = E - E0
        if task == "logistic_path":
            d = dE[:, 0]
            e = E[:, 0]
            f = float(np.mean(np.log1p(mu0 * np.expm1(d)) - y_or_Y * d))
            GE = ((1.0 / (1.0 + np.exp(-e)) - y_or_Y) / n)[:, None]
        else:
            f = float(np.mean(np.log1p((M0 * np.expm1(dE)).sum(axis=1)) - (dE * y_or_Y).sum(axis=1)))
            GE = (_softmax(E) - y_or_Y) / n
        GB = np.asarray(XJ.T @ GE).T.ravel()  # (K' * |J|,)
        f += alpha * float(s @ (z[:act.size] - z0[:act.size]))
        g = np.concatenate([GB[act] + alpha * s, GE.sum(axis=0)])
        return f, g

    bounds = [(0.0, None) if si > 0 else (None, 0.0) for si in s] + [(None, None)] * b0.size
    res = minimize(fg, z0, jac=True, method="L-BFGS-B", bounds=bounds,
                   options=dict(maxiter=maxiter, maxcor=30, ftol=1e-30, gtol=1e-15))
    z = res.x if res.fun <= 0.0 else z0
    z = _newton_on_face(task, XJ, y_or_Y, K, J.size, act, s, z, alpha)
    B = eta(z)[1]
    out = np.zeros_like(C)
    out[:, J] = B
    c0 = z[act.size:]
    return (out[0] if np.ndim(coef) == 1 else out), (c0[0] if np.ndim(coef) == 1 else c0)


def _newton_on_face(task, XJ, y_or_Y, K, nJ, act, s, z, alpha, iters=20, cg_iters=300):
    """Newton-CG steps on the smooth face problem, accepted on the gradient norm (not on P,
    whose round-off ends any line search near 1e-16 relative, i.e. coefficients near 1e-8):
    the dual gap is first order in the gradient, so this is what tightens the certificate.
    A coefficient that would change sign is set to 0 and left there."""
    n = XJ.shape[0]
    m = act.size
    z = z.copy()
    free = np.ones(z.size, dtype=bool)

    def parts(z):
        B = np.zeros(K * nJ)
        B[act] = z[:m]
        E = np.asarray(XJ @ B.reshape(K, nJ).T) + z[m:]
        if task == "logistic_path":
            M = 1.0 / (1.0 + np.exp(-E))
            GE = (M - y_or_Y[:, None]) / n
        else:
            M = _softmax(E)
            GE = (M - y_or_Y) / n
        g = np.concatenate([np.asarray(XJ.T @ GE).T.ravel()[act] + alpha * s, GE.sum(axis=0)])
        return g, M

    def hess_vec(M, v):
        V = np.zeros(K * nJ)
        V[act] = v[:m]
        U = np.asarray(XJ @ V.reshape(K, nJ).T) + v[m:]
        if task == "logistic_path":
            R = M * (1.0 - M) * U
        else:
            R = M * U - M * (M * U).sum(axis=1, keepdims=True)
        R /= n
        return np.concatenate([np.asarray(XJ.T @ R).T.ravel()[act], R.sum(axis=0)])

    def kkt(g):
        return max(np.max(np.abs(g[:m][free[:m]]), initial=0.0) / alpha,
                   np.max(np.abs(g[m:]), initial=0.0))

    g, M = parts(z)
    err = kkt(g)
    for _ in range(iters):
        if err < 1e-13:
            break
        # CG on (H + damping) d = g over the free coordinates
        gf = np.where(free, g, 0.0)
        lam = 1e-12
        d = np.zeros_like(z)
        r = gf.copy()
        p = r.copy()
        rr = r @ r
        for _ in range(cg_iters):
            Hp = np.where(free, hess_vec(M, p), 0.0) + lam * p
            pHp = p @ Hp
            if pHp <= 0:
                break
            step = rr / pHp
            d += step * p
            r -= step * Hp
            rr_new = r @ r
            if rr_new <= (1e-10 * np.sqrt(gf @ gf)) ** 2:
                break
            p = r + (rr_new / rr) * p
            rr = rr_new
        t = 1.0
        for _ in range(20):
            zn = z - t * d
            crossed = np.zeros(z.size, dtype=bool)
            crossed[:m] = free[:m] & (zn[:m] * s < 0)
            zn[:m][crossed[:m]] = 0.0
            gn, Mn = parts(zn)
            fr = free & ~crossed
            en = max(np.max(np.abs(gn[:m][fr[:m]]), initial=0.0) / alpha,
                     np.max(np.abs(gn[m:]), initial=0.0))
            if en < err:
                break
            t *= 0.5
        else:
            break
        z, g, M, err = zn, gn, Mn, en
        free &= ~crossed
    return z


def polish(task, X, y, coef, intercept, alphas, maxiter=2000, progress=None):
    """Polished copies of (coef, intercept), one alpha at a time."""
    Y = one_hot_labels(y) if task == "multinomial_path" else y
    C = np.array(coef, dtype=float, copy=True)
    B0 = np.array(intercept, dtype=float, copy=True)
    for i, a in enumerate(alphas):
        if progress is not None:
            progress(i)
        c, b = coef[i], intercept[i]
        for _ in range(5):  # active-set rounds: a zero whose |gradient| exceeds alpha joins
            c, b = _polish_one(task, X, Y, c, b, a, maxiter)
            C2 = np.atleast_2d(c)
            E = np.asarray(X @ C2.T) + b
            if task == "logistic_path":
                R = 1.0 / (1.0 + np.exp(-E)) - Y[:, None]
            else:
                R = _softmax(E) - Y
            G = np.asarray(X.T @ R).T / X.shape[0]
            add = (C2 == 0) & (np.abs(G) > a * (1.0 + 1e-12))
            if not add.any():
                break
            C2 = C2.copy()
            C2[add] = -np.sign(G[add]) * 1e-300  # enters the face with the sign its gradient asks
            c = C2[0] if np.ndim(c) == 1 else C2
        C[i], B0[i] = c, b
    return C, B0
