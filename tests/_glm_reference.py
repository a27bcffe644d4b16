"""Independent reference computations for the GLM path tests (logistic, Poisson, multinomial).

Everything here is written from first principles in NumPy/SciPy (DESIGN.md §1) and never imports
``regularized``, so a bug in the library cannot hide itself in its own checks.

Problem (weights ``w`` normalised to sum to ``n``, penalty factors ``v``, ρ = l1_ratio, columns
``x̃_j = x_j / s_j`` with s_j the weighted population standard deviation under ``standardize``
(uncentred when there is no intercept, glmnet's convention) and s_j = 1 otherwise, β̃ = s ⊙ β)::

    P(b, β) = (1/n) Σ_i w_i ℓ(y_i, η_i) + α Σ_j v_j (ρ|β̃_j| + (1−ρ)/2 β̃_j²),
    η = offset + b + Xβ = offset + b + X̃β̃

    logistic     ℓ = log(1 + e^η) − yη          (y ∈ {0, 1}: the second sorted label is 1)
    poisson      ℓ = e^η − yη
    multinomial  ℓ = logsumexp(η) − η_y          (β is (K, p); grouped: ρ‖β̃_j·‖₂ + (1−ρ)/2‖β̃_j·‖²)

Dual (Fenchel; loss part u ↦ Σ w ℓ(y, o + u), penalty part on β̃, intercept ⇒ Σθ = 0): for the
point θ = t·w⊙(y − μ) with m = (1−t)y + tμ ∈ dom φ (t ∈ [0, 1])::

    n·D(t) = −Σ_i w_i φ(m_i) − t Σ_i w_i (y_i − μ_i) o_i − n Σ_j h_j*(t·G_j),   G = X̃ᵀ(w⊙(y − μ))/n

    φ(m) = m log m + (1−m) log(1−m)  (logistic),  m log m − m  (Poisson),  Σ_k m_k log m_k  (mult.)
    h_j(b) = α v_j (ρ|b| + (1−ρ)/2 b²):  h_j*(s) = (|s| − α v_j ρ)₊² / (2 α v_j (1−ρ))  (ρ < 1),
             the indicator of |s| ≤ α v_j ρ when ρ = 1, of s = 0 when v_j = 0 (|s| → s under
             positive; ‖s‖₂ for a grouped row, ‖s₊‖₂ under positive).

μ is taken after re-fitting the intercept and the unpenalized coefficients exactly (Newton), so
that their dual constraints hold to rounding; t is then optimised over the feasible interval.
Any feasible θ gives D ≤ P*, so ``P(point) − D`` bounds the suboptimality of the point, whatever
produced it; and the re-fitted point is itself a primal candidate (an upper bound on P*).
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize, minimize_scalar
from scipy.special import expit, logsumexp, xlogy

__all__ = [
    "as_dense",
    "normalized_weights",
    "penalty_factors",
    "encode_target",
    "column_scale",
    "linear_predictor",
    "mean_response",
    "objective",
    "gradients",
    "null_fit",
    "alpha_max",
    "deviance",
    "dual_certificate",
    "kkt_report",
    "smooth_minimize",
    "sklearn_logistic",
    "sklearn_poisson",
    "make_glm_problem",
    "to_design",
    "xlogy",
]

LOSSES = ("logistic", "poisson", "multinomial")


# --------------------------------------------------------------------------------------------
# small pieces
# --------------------------------------------------------------------------------------------
def as_dense(X) -> np.ndarray:
    if sp.issparse(X):
        X = X.toarray()
    return np.array(X, dtype=np.float64, order="C", copy=True)


def normalized_weights(sample_weight, n: int) -> np.ndarray:
    if sample_weight is None:
        return np.ones(n)
    w = np.asarray(sample_weight, dtype=np.float64)
    return w * (n / w.sum())


def penalty_factors(penalty_factor, p: int) -> np.ndarray:
    if penalty_factor is None:
        return np.ones(p)
    return np.asarray(penalty_factor, dtype=np.float64).copy()


def encode_target(loss, y):
    """(encoded y, classes): 0/1 for logistic, one-hot (n, K) for multinomial, floats for
    Poisson (classes None)."""
    y = np.asarray(y)
    if loss == "poisson":
        return y.astype(np.float64), None
    classes = np.unique(y)
    if loss == "logistic":
        assert classes.size == 2
        return (y == classes[1]).astype(np.float64), classes
    Y = (y[:, None] == classes[None, :]).astype(np.float64)
    return Y, classes


def column_scale(X, sample_weight=None, *, fit_intercept=True, standardize=False):
    """s_j: weighted population std (about the weighted mean with an intercept, about 0
    without) under ``standardize``, else 1; constant columns get 1."""
    Xd = as_dense(X)
    n, p = Xd.shape
    if not standardize:
        return np.ones(p)
    w = normalized_weights(sample_weight, n)
    m = w @ Xd / n if fit_intercept else np.zeros(p)
    s = np.sqrt(w @ (Xd - m) ** 2 / n)
    s[s <= 1e-12 * (1.0 + np.abs(m))] = 1.0
    return s


def _offset_array(offset, n):
    return np.zeros(n) if offset is None else np.asarray(offset, dtype=np.float64)


def linear_predictor(X, coef, intercept, offset=None):
    """η = offset + b + Xβ: (n,) for a coefficient vector, (n, K) for a (K, p) matrix."""
    Xd = as_dense(X)
    coef = np.asarray(coef, dtype=np.float64)
    o = _offset_array(offset, Xd.shape[0])
    if coef.ndim == 2:
        eta = Xd @ coef.T + np.asarray(intercept, dtype=np.float64)
        return eta + (o if o.ndim == 2 else o[:, None])
    return Xd @ coef + float(intercept) + o


def mean_response(loss, eta):
    if loss == "logistic":
        return expit(eta)
    if loss == "poisson":
        return np.exp(eta)
    return np.exp(eta - logsumexp(eta, axis=1, keepdims=True))


def _loss_terms(loss, yenc, eta):
    if loss == "logistic":
        # softplus(η) − yη without its cancellation where a sample is fitted far below
        # η's rounding (separable classes): softplus(η) − η = softplus(−η)
        return (1.0 - yenc) * np.logaddexp(0.0, eta) + yenc * np.logaddexp(0.0, -eta)
    if loss == "poisson":
        return np.exp(eta) - yenc * eta
    return logsumexp(eta, axis=1) - np.sum(yenc * eta, axis=1)


def _phi(loss, m):
    """Σ-able per-sample conjugate term φ(m) (see the module docstring)."""
    if loss == "logistic":
        return xlogy(m, m) + xlogy(1.0 - m, 1.0 - m)
    if loss == "poisson":
        return xlogy(m, m) - m
    return np.sum(xlogy(m, m), axis=1)


def _penalty(coef_t, alpha, l1_ratio, v, grouped):
    """α Σ_j v_j(...) on scaled coefficients (p,) or (K, p)."""
    if coef_t.ndim == 1:
        return alpha * np.sum(v * (l1_ratio * np.abs(coef_t) + 0.5 * (1 - l1_ratio) * coef_t**2))
    sq = np.sum(coef_t**2, axis=0)
    l1 = np.sqrt(sq) if grouped else np.sum(np.abs(coef_t), axis=0)
    return alpha * np.sum(v * (l1_ratio * l1 + 0.5 * (1 - l1_ratio) * sq))


def objective(loss, X, yenc, coef, intercept, alpha, l1_ratio, *, sample_weight=None,
              penalty_factor=None, offset=None, scale=None, grouped=False):
    """P(b, β) of DESIGN §1 (mean scale) at the given point, on the original scale of X."""
    Xd = as_dense(X)
    n, p = Xd.shape
    w = normalized_weights(sample_weight, n)
    v = penalty_factors(penalty_factor, p)
    s = np.ones(p) if scale is None else np.asarray(scale, dtype=np.float64)
    coef = np.asarray(coef, dtype=np.float64)
    eta = linear_predictor(Xd, coef, intercept, offset)
    return float(w @ _loss_terms(loss, yenc, eta)) / n + _penalty(coef * s, alpha, l1_ratio,
                                                                    v, grouped)


def gradients(loss, X, yenc, coef, intercept, *, sample_weight=None, offset=None):
    """(G, g0): G = Xᵀ(w⊙(y − μ))/n on the raw columns ((p,) or (p, K)) — minus the gradient
    of the loss part in β — and g0 = Σ w(y − μ)/n (minus its gradient in the intercept)."""
    Xd = as_dense(X)
    n = Xd.shape[0]
    w = normalized_weights(sample_weight, n)
    mu = mean_response(loss, linear_predictor(Xd, coef, intercept, offset))
    r = (yenc - mu) * (w if mu.ndim == 1 else w[:, None])
    return Xd.T @ r / n, r.sum(axis=0) / n


# --------------------------------------------------------------------------------------------
# null fit, alpha_max, deviance
# --------------------------------------------------------------------------------------------
def null_fit(loss, yenc, sample_weight=None):
    """Closed-form intercept of the intercept-only fit (no offset)."""
    n = yenc.shape[0]
    w = normalized_weights(sample_weight, n)
    if loss == "logistic":
        ybar = w @ yenc / n
        return float(np.log(ybar / (1 - ybar)))
    if loss == "poisson":
        return float(np.log(w @ yenc / n))
    freq = w @ yenc / n
    return np.log(freq) - np.log(freq).mean()


def alpha_max(loss, X, yenc, l1_ratio, *, sample_weight=None, penalty_factor=None,
              fit_intercept=True, standardize=False, positive=False, grouped=False):
    """max_j |G̃_j| / (ρ v_j) at the intercept-only fit (no unpenalized features, no offset)."""
    Xd = as_dense(X)
    n, p = Xd.shape
    v = penalty_factors(penalty_factor, p)
    s = column_scale(Xd, sample_weight, fit_intercept=fit_intercept, standardize=standardize)
    K = yenc.shape[1] if yenc.ndim == 2 else None
    if fit_intercept:
        b = null_fit(loss, yenc, sample_weight)
    else:
        b = np.zeros(K) if K else 0.0
    coef = np.zeros((K, p)) if K else np.zeros(p)
    G, _ = gradients(loss, Xd, yenc, coef, b, sample_weight=sample_weight)
    G = G / (s if G.ndim == 1 else s[:, None])
    if G.ndim == 1:
        score = G if positive else np.abs(G)
    elif grouped:
        score = np.linalg.norm(np.maximum(G, 0.0) if positive else G, axis=1)
    else:
        score = (G if positive else np.abs(G)).max(axis=1)
    pen = v > 0
    return float(np.max(score[pen] / v[pen])) / l1_ratio


def deviance(loss, yenc, eta, sample_weight=None):
    """2 Σ w (ℓ(y, η) − ℓ(y, η_saturated))."""
    n = yenc.shape[0]
    w = normalized_weights(sample_weight, n)
    if loss == "poisson":
        sat = yenc - xlogy(yenc, yenc)
    else:
        sat = np.zeros(n)
    return 2.0 * float(w @ (_loss_terms(loss, yenc, eta) - sat))


# --------------------------------------------------------------------------------------------
# re-fit of the unconstrained coordinates (intercept, unpenalized features), by Newton
# --------------------------------------------------------------------------------------------
def _refit(loss, Xs, yenc, w, offset, coef_t, b, cols, fit_intercept):
    """Exact minimiser over the intercept and coefficients ``cols`` of the smooth loss with every
    other coefficient held.  Returns (coef_t, b) re-fitted; starts at the given point."""
    n = Xs.shape[0]
    coef_t = np.array(coef_t, dtype=np.float64, copy=True)
    multi = coef_t.ndim == 2
    K = coef_t.shape[0] if multi else 1
    Z = Xs[:, cols]
    if fit_intercept:
        Z = np.column_stack([np.ones(n), Z])
    if Z.shape[1] == 0:
        return coef_t, b
    b = np.array(b, dtype=np.float64, copy=True) if multi else float(b)
    o = _offset_array(offset, n)

    def unpack(theta):
        th = theta.reshape(Z.shape[1], K)
        c = coef_t.copy()
        bb = b
        k0 = 0
        if fit_intercept:
            bb = th[0].copy() if multi else float(th[0, 0])
            k0 = 1
        if multi:
            c[:, cols] = th[k0:].T
        else:
            c[cols] = th[k0:, 0]
        return c, bb

    def pack(c, bb):
        rows = []
        if fit_intercept:
            rows.append(np.atleast_1d(bb))
        for j in cols:
            rows.append(c[:, j] if multi else np.atleast_1d(c[j]))
        return np.concatenate(rows)

    def eta_of(c, bb):
        if multi:
            return Xs @ c.T + bb + (o if o.ndim == 2 else o[:, None])
        return Xs @ c + bb + o

    def f(theta):
        c, bb = unpack(theta)
        return float(w @ _loss_terms(loss, yenc, eta_of(c, bb)))

    theta = pack(coef_t, b)
    for _ in range(100):
        c, bb = unpack(theta)
        eta = eta_of(c, bb)
        mu = mean_response(loss, eta)
        if multi:
            R = w[:, None] * (mu - yenc)                       # (n, K)
            grad = (Z.T @ R).ravel()                           # (m, K) row-major
            H = np.zeros((Z.shape[1] * K, Z.shape[1] * K))
            for i in range(n):
                A = np.diag(mu[i]) - np.outer(mu[i], mu[i])
                H += w[i] * np.kron(np.outer(Z[i], Z[i]), A)
        else:
            grad = Z.T @ (w * (mu - yenc))
            d2 = mu * (1 - mu) if loss == "logistic" else mu
            H = (Z.T * (w * d2)) @ Z
        if np.max(np.abs(grad)) <= 1e-15 * n:
            break
        step = np.linalg.lstsq(H, grad, rcond=1e-13)[0]
        f0 = f(theta)
        t = 1.0
        while f(theta - t * step) > f0 + 1e-14 * abs(f0) and t > 1e-12:
            t *= 0.5
        theta = theta - t * step
        if t * np.max(np.abs(step)) <= 1e-15 * (1 + np.max(np.abs(theta))):
            break
    return unpack(theta)


# --------------------------------------------------------------------------------------------
# duality gap
# --------------------------------------------------------------------------------------------
def _conjugates(t, G, alpha, l1_ratio, v, positive, grouped):
    """Σ_j h_j*(t G_j) over penalized features (+inf if infeasible)."""
    pen = v > 0
    if not pen.any():
        return 0.0
    S = t * G[pen]
    vp = v[pen]
    if S.ndim == 1:
        a = S if positive else np.abs(S)
        vv = vp
    elif grouped:
        # b ≥ 0: the sup over the row sees only the positive part of S
        a = np.linalg.norm(np.maximum(S, 0.0) if positive else S, axis=1)
        vv = vp
    else:
        a = (S if positive else np.abs(S)).ravel()
        vv = np.repeat(vp, S.shape[1])
    excess = a - alpha * vv * l1_ratio
    if l1_ratio >= 1.0:
        return 0.0 if np.all(excess <= 1e-12 * alpha * vv) else np.inf
    excess = np.maximum(excess, 0.0)
    return float(np.sum(excess**2 / (2 * alpha * vv * (1 - l1_ratio))))


def dual_certificate(loss, X, yenc, coef, intercept, alpha, l1_ratio, *, sample_weight=None,
                     penalty_factor=None, offset=None, standardize=False, positive=False,
                     grouped=False, fit_intercept=True):
    """Objective at the given point and a valid lower bound on P* (module docstring).

    Returns a dict: ``P`` at the point, ``D`` ≤ P*, ``rel_gap`` = (P − D)/(P − P_sat) with
    P_sat the saturated floor, 0 for classes (≥ the true suboptimality relative to P − P_sat,
    the engine's scale), ``P_refit`` (objective at the re-fitted point, ≥ P*), ``t`` (dual scaling).
    """
    Xd = as_dense(X)
    n, p = Xd.shape
    w = normalized_weights(sample_weight, n)
    v = penalty_factors(penalty_factor, p)
    s = column_scale(Xd, sample_weight, fit_intercept=fit_intercept, standardize=standardize)
    Xs = Xd / s
    coef = np.asarray(coef, dtype=np.float64)
    coef_t = coef * s
    o = _offset_array(offset, n)
    kw = dict(sample_weight=sample_weight, penalty_factor=penalty_factor, offset=offset,
              scale=s, grouped=grouped)
    P = objective(loss, Xd, yenc, coef, intercept, alpha, l1_ratio, **kw)
    multi = coef.ndim == 2
    # unpenalized features: re-fitted (under positive only those away from the bound)
    unpen = v == 0
    if positive:
        free = unpen & (np.any(coef_t > 0, axis=0) if multi else coef_t > 0)
    else:
        free = unpen
    cols = np.flatnonzero(free)
    c_ref, b_ref = _refit(loss, Xs, yenc, w, o, coef_t, intercept, cols, fit_intercept)
    P_refit = objective(loss, Xs, yenc, c_ref, b_ref, alpha, l1_ratio, sample_weight=w,
                        penalty_factor=v, offset=offset, grouped=grouped)
    eta = linear_predictor(Xs, c_ref, b_ref, offset)
    mu = mean_response(loss, eta)
    R = (yenc - mu) * (w if not multi else w[:, None])          # θ / t
    G = Xs.T @ R / n
    # unpenalized constraints: = 0 (re-fitted), ≤ 0 for positive ones held at 0
    scaleG = 1.0 + np.max(np.abs(G))
    for j in np.flatnonzero(unpen):
        gj = G[j]
        ok = np.all(gj <= 1e-10 * scaleG) if (positive and j not in cols) else \
            np.all(np.abs(gj) <= 1e-10 * scaleG)
        if not ok:
            raise AssertionError(f"reference re-fit left unpenalized feature {j} infeasible")
    if fit_intercept:
        assert np.all(np.abs(R.sum(axis=0)) <= 1e-10 * n), "reference intercept re-fit failed"
    off_term = float(np.sum(R * (o if (not multi or o.ndim == 2) else o[:, None]))) / n

    def D(t):
        m = (1 - t) * yenc + t * mu
        return -float(w @ _phi(loss, m)) / n - t * off_term - _conjugates(
            t, G, alpha, l1_ratio, v, positive, grouped)

    # the largest feasible t for pure-L1 constraints (ρ = 1); t ≤ 1 keeps m in dom φ
    t_hi = 1.0
    if l1_ratio >= 1.0:
        pen = v > 0
        if pen.any():
            Gp = G[pen]
            if Gp.ndim == 1:
                a = Gp if positive else np.abs(Gp)
            elif grouped:
                a = np.linalg.norm(np.maximum(Gp, 0.0) if positive else Gp, axis=1)
            else:
                a = (Gp if positive else np.abs(Gp)).max(axis=1)
            lim = alpha * v[pen]
            with np.errstate(divide="ignore"):
                t_hi = min(1.0, float(np.min(np.where(a > 0, lim / a, np.inf))))
    best_t, best = t_hi, D(t_hi)
    if t_hi > 0:
        res = minimize_scalar(lambda t: -D(t), bounds=(0.0, t_hi), method="bounded",
                              options={"xatol": 1e-14 * max(t_hi, 1e-300)})
        if -res.fun > best:
            best_t, best = float(res.x), -float(res.fun)
    # The engine's scale: the objective above its saturated floor Σ w ℓ(y, η_sat)/n
    # = −Σ w φ(y)/n (0 for classes; for Poisson P itself may be ≤ 0).
    floor = -float(np.sum(w @ _phi(loss, yenc))) / n
    return {"P": P, "D": best, "rel_gap": (P - best) / (P - floor), "P_refit": P_refit,
            "t": best_t}


# --------------------------------------------------------------------------------------------
# KKT conditions
# --------------------------------------------------------------------------------------------
def kkt_report(loss, X, yenc, coef, intercept, alpha, l1_ratio, *, delta, sample_weight=None,
               penalty_factor=None, offset=None, standardize=False, positive=False,
               grouped=False, fit_intercept=True):
    """KKT violations computed from G̃ = X̃ᵀ(w⊙(y − μ))/n, and what a suboptimality δ allows.

    Per penalized coordinate (entry (k, j) of a multinomial; row j when grouped), with
    c = α v_j (1−ρ) and a = α v_j ρ:
        β̃ = 0:   max(0, |G̃| − a)       (positive: max(0, G̃ − a); grouped: ‖G̃_j‖ − a)
        β̃ ≠ 0:   |G̃ − a sign β̃ − c β̃|  (grouped: ‖G̃_j − a β̃_j/‖β̃_j‖ − c β̃_j‖)
    unpenalized: |G̃| (positive at 0: max(0, G̃)); intercept: |Σ w(y − μ)|/n.

    ``allowed`` is rigorous for logistic and multinomial (local for Poisson, whose curvature is
    taken at μ with a factor e): a violation d at a coordinate with curvature bound q lets one
    coordinate move decrease P by at least min(d²/(2(q + c)), d|β̃|/2), which cannot exceed
    δ ≥ P − P*. (Grouped rows: q + c + 2a/‖β̃_j‖ on a move of at most ‖β̃_j‖/2.)
    Returns dict(viol, allowed (same shapes), intercept, intercept_allowed, negative).
    """
    Xd = as_dense(X)
    n, p = Xd.shape
    w = normalized_weights(sample_weight, n)
    v = penalty_factors(penalty_factor, p)
    s = column_scale(Xd, sample_weight, fit_intercept=fit_intercept, standardize=standardize)
    Xs = Xd / s
    coef = np.asarray(coef, dtype=np.float64)
    bt = coef * s                                        # β̃: (p,) or (K, p)
    eta = linear_predictor(Xd, coef, intercept, offset)
    mu = mean_response(loss, eta)
    multi = coef.ndim == 2
    R = (yenc - mu) * (w[:, None] if multi else w)
    G = (Xs.T @ R / n)                                   # (p,) or (p, K)
    if multi:
        G = G.T                                          # (K, p) like coef
        curv = 0.5 if grouped else 0.25
        q = curv * (w @ Xs**2) / n                       # (p,)
        q0 = curv
    elif loss == "logistic":
        q = 0.25 * (w @ Xs**2) / n
        q0 = 0.25
    else:
        q = np.e * ((w * mu) @ Xs**2) / n
        q0 = np.e * float(w @ mu) / n
    a = alpha * v * l1_ratio
    c = alpha * v * (1 - l1_ratio)
    delta = max(float(delta), 0.0)
    if multi and grouped:
        norm_b = np.linalg.norm(bt, axis=0)
        viol = np.zeros(p)
        allowed = np.sqrt(2 * (q + c) * delta)
        for j in range(p):
            if v[j] == 0:
                viol[j] = np.linalg.norm(G[:, j])
            elif norm_b[j] == 0:
                g_j = np.maximum(G[:, j], 0.0) if positive else G[:, j]
                viol[j] = max(np.linalg.norm(g_j) - a[j], 0.0)
            else:
                u = bt[:, j] / norm_b[j]
                r = G[:, j] - a[j] * u - c[j] * bt[:, j]
                if positive:
                    # entries held at 0 by b ≥ 0 only need a non-positive gradient part
                    at_zero = bt[:, j] == 0
                    r[at_zero] = np.maximum(G[at_zero, j], 0.0)
                viol[j] = np.linalg.norm(r)
                Q = q[j] + c[j] + 2 * a[j] / norm_b[j]
                allowed[j] = max(np.sqrt(2 * Q * delta), 4 * delta / norm_b[j])
    else:
        shape = bt.shape
        A = np.broadcast_to(a, shape)
        C = np.broadcast_to(c, shape)
        Qb = np.broadcast_to(q, shape)
        V = np.broadcast_to(v, shape)
        zero = bt == 0
        if positive:
            v_zero = np.maximum(G - A, 0.0)
        else:
            v_zero = np.maximum(np.abs(G) - A, 0.0)
        v_nz = np.abs(G - A * np.sign(bt) - C * bt)
        viol = np.where(zero, v_zero, v_nz)
        unpen = V == 0
        viol = np.where(unpen, np.where(zero & positive, np.maximum(G, 0.0), np.abs(G)), viol)
        allowed = np.sqrt(2 * (Qb + C) * delta)
        with np.errstate(divide="ignore"):
            alt = np.where(zero, 0.0, 2 * delta / np.where(zero, 1.0, np.abs(bt)))
        allowed = np.maximum(allowed, alt)
    g0 = R.sum(axis=0) / n
    return {"viol": viol, "allowed": allowed,
            "intercept": float(np.max(np.abs(g0))) if fit_intercept else 0.0,
            "intercept_allowed": float(np.sqrt(2 * q0 * delta)),
            "negative": float(max(-np.min(coef), 0.0)) if positive else 0.0}


# --------------------------------------------------------------------------------------------
# references
# --------------------------------------------------------------------------------------------
def smooth_minimize(loss, X, yenc, alpha, *, sample_weight=None, penalty_factor=None,
                    offset=None, fit_intercept=True):
    """Minimiser of the ρ = 0 objective (smooth, strongly convex in β) by scipy's trust-region
    Newton with the exact gradient and Hessian. Logistic or Poisson; returns (coef, b)."""
    Xd = as_dense(X)
    n, p = Xd.shape
    w = normalized_weights(sample_weight, n)
    v = penalty_factors(penalty_factor, p)
    o = _offset_array(offset, n)
    Z = np.column_stack([np.ones(n), Xd]) if fit_intercept else Xd
    ridge = np.concatenate([[0.0], alpha * v]) if fit_intercept else alpha * v

    def fgh(th):
        eta = Z @ th + o
        mu = mean_response(loss, eta)
        f = float(w @ _loss_terms(loss, yenc, eta)) / n + 0.5 * float(ridge @ th**2)
        g = Z.T @ (w * (mu - yenc)) / n + ridge * th
        d2 = mu * (1 - mu) if loss == "logistic" else mu
        H = (Z.T * (w * d2)) @ Z / n + np.diag(ridge)
        return f, g, H

    th0 = np.zeros(Z.shape[1])
    if fit_intercept:
        th0[0] = null_fit(loss, yenc, w)
    res = minimize(lambda t: fgh(t)[0], th0, jac=lambda t: fgh(t)[1],
                   hess=lambda t: fgh(t)[2], method="trust-exact",
                   options={"gtol": 1e-13, "maxiter": 500})
    th = res.x
    # a few plain Newton polishing steps (quadratic convergence from here)
    for _ in range(5):
        _, g, H = fgh(th)
        th = th - np.linalg.solve(H, g)
    if fit_intercept:
        return th[1:], float(th[0])
    return th, 0.0


def sklearn_logistic(X, y, alpha, l1_ratio, *, sample_weight=None, fit_intercept=True,
                     l2_solver="lbfgs"):
    """scikit-learn's LogisticRegression at α = 1/(C·n) (same objective, DESIGN §1).

    L2 (ρ = 0) by ``l2_solver`` (lbfgs, or newton-cholesky where lbfgs stalls: weak
    penalties), otherwise saga, both at tight tolerances. Returns (coef, intercept) with
    coef (p,) for two classes and (K, p) for more, as in ``regularized.path``."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    n = X.shape[0]
    w = normalized_weights(sample_weight, n)
    C = 1.0 / (alpha * n)
    if l1_ratio == 0.0:
        clf = LogisticRegression(C=C, l1_ratio=0.0, solver=l2_solver, tol=1e-13,
                                 max_iter=100_000, fit_intercept=fit_intercept)
    else:
        clf = LogisticRegression(C=C, l1_ratio=l1_ratio, solver="saga", tol=1e-13,
                                 max_iter=200_000, fit_intercept=fit_intercept)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", FutureWarning)
        clf.fit(X, y, sample_weight=w)
    if clf.coef_.shape[0] == 1:
        return clf.coef_[0].copy(), float(np.atleast_1d(clf.intercept_)[0])
    return clf.coef_.copy(), np.asarray(clf.intercept_, dtype=np.float64).copy()


def sklearn_poisson(X, y, alpha, *, sample_weight=None, fit_intercept=True):
    """scikit-learn's PoissonRegressor: (1/2n)·deviance + α/2‖β‖² = our ρ = 0 objective + const."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import PoissonRegressor

    n = X.shape[0]
    w = normalized_weights(sample_weight, n)
    reg = PoissonRegressor(alpha=alpha, fit_intercept=fit_intercept, tol=1e-14, max_iter=100_000,
                           solver="newton-cholesky")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, y, sample_weight=w)
    return reg.coef_.copy(), float(reg.intercept_)


# --------------------------------------------------------------------------------------------
# problems
# --------------------------------------------------------------------------------------------
def make_glm_problem(loss, n, p, seed, *, sparse=False, n_classes=3, density=0.4, signal=1.0):
    """(X, y, w): uneven column scales and non-zero means (dense) or non-negative sparse-like
    columns (``sparse``); y drawn from the model with a few true non-zeros; positive weights."""
    rng = np.random.default_rng(seed)
    if sparse:
        mask = rng.random((n, p)) < density
        X = np.where(mask, np.abs(rng.standard_normal((n, p))) + 0.5, 0.0)
        for j in range(p):                      # no constant column
            i = rng.choice(n, size=2, replace=False)
            X[i[0], j] = 1.0 + rng.random()
            X[i[1], j] = 0.0
    else:
        X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, p) + rng.normal(0.0, 0.5, p)
    Xs = (X - X.mean(0)) / X.std(0)
    k = min(p, 4)
    idx = rng.choice(p, size=k, replace=False)
    w = rng.uniform(0.3, 3.0, n)
    if loss == "multinomial":
        B = np.zeros((p, n_classes))
        B[idx] = rng.normal(0.0, signal, (k, n_classes))
        eta = Xs @ B
        y = np.argmax(eta + rng.gumbel(size=eta.shape), axis=1)
        return X, y, w
    beta = np.zeros(p)
    beta[idx] = rng.choice([-1.0, 1.0], k) * rng.uniform(0.5, 1.0, k) * signal
    eta = Xs @ beta
    if loss == "logistic":
        y = (rng.random(n) < expit(eta)).astype(np.float64)
    else:
        # small counts (mean ≈ 1): the objective e^η − yη stays positive, so relative gaps are
        # meaningful (ℓ < 0 once y > e)
        y = rng.poisson(np.exp(0.5 * eta - 0.2)).astype(np.float64)
    return X, y, w


def to_design(X, kind):
    if kind == "dense":
        return np.ascontiguousarray(X, dtype=np.float64)
    if kind == "dense_f":
        return np.asfortranarray(X, dtype=np.float64)
    if kind == "csc":
        return sp.csc_matrix(X)
    if kind == "csr":
        return sp.csr_matrix(X)
    raise ValueError(kind)
