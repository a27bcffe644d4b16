"""Independent reference computations for the squared-loss path tests.

Everything here is written from first principles in NumPy/SciPy (DESIGN.md §1) and never
imports ``regularized`` internals, so a bug in the library cannot hide itself in its own checks.

Problem (weights ``w`` normalised to sum to ``n``, penalty factors ``v``, intercept unpenalized)::

    P(b, β) = (1/n) Σ_i w_i ½ (y_i − b − x_iᵀβ)²  +  α Σ_j v_j (ρ|β_j| + (1−ρ)/2 β_j²)

Dual (Fenchel, loss part F(z) = (1/2n) Σ w_i (y_i − z_i)², penalty part G(β))::

    D(θ) = −Σ_i (θ_i y_i + n θ_i² / (2 w_i)) − Σ_j g_j*(−x_jᵀθ),      1ᵀθ = 0 with an intercept

with dual points built from residuals: θ = −s (w/n) r̃, where r̃ is the residual after re-fitting
the unpenalized coordinates (intercept, v_j = 0) by weighted least squares, so that their dual
constraints hold exactly, and s ≥ 0 is the best feasible step along that ray.  Two splittings of
the ridge part (in G, or in the loss through an augmented design) give two valid lower bounds.
Residuals are taken at the point under test and at its "polished" version (the exact solution on
the same support and signs), which makes the bound nearly tight (D ≈ P*).  Any feasible θ gives
``P − D(θ) ≥ P − P*``, so these gaps are certificates whatever point produced θ; and any primal
point gives ``P* ≤ P(point)``, which exposes an engine that reports a gap too small.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar

__all__ = [
    "as_dense",
    "normalized_weights",
    "penalty_factors",
    "weighted_center",
    "objective",
    "null_objective",
    "dual_certificate",
    "polish",
    "kkt_report",
    "strong_convexity",
    "solution_radius",
    "interp_log_alpha",
    "sklearn_enet_path",
    "sklearn_ridge_path",
    "ridge_closed_form",
    "make_problem",
    "to_design",
    "assert_certified",
    "assert_same_solutions",
    "default_alpha_max",
]


# --------------------------------------------------------------------------------------------
# small pieces
# --------------------------------------------------------------------------------------------
def as_dense(X) -> np.ndarray:
    """float64 dense copy of X (dense or scipy sparse)."""
    if sp.issparse(X):
        X = X.toarray()
    return np.array(X, dtype=np.float64, order="C", copy=True)


def normalized_weights(sample_weight, n: int) -> np.ndarray:
    """Weights normalised to sum to n (unit weights when None)."""
    if sample_weight is None:
        return np.ones(n)
    w = np.asarray(sample_weight, dtype=np.float64)
    return w * (n / w.sum())


def penalty_factors(penalty_factor, p: int) -> np.ndarray:
    if penalty_factor is None:
        return np.ones(p)
    return np.asarray(penalty_factor, dtype=np.float64).copy()


def weighted_center(X, y, w, fit_intercept: bool):
    """Weighted means (zero without intercept) and the centred dense X, y."""
    Xd = as_dense(X)
    y = np.asarray(y, dtype=np.float64)
    n = Xd.shape[0]
    if fit_intercept:
        xm = w @ Xd / n
        ym = w @ y / n
    else:
        xm = np.zeros(Xd.shape[1])
        ym = 0.0
    return Xd - xm, y - ym, xm, ym


def _penalty_value(coef, alpha, l1_ratio, v):
    return alpha * np.sum(v * (l1_ratio * np.abs(coef) + 0.5 * (1.0 - l1_ratio) * coef**2))


def objective(X, y, coef, intercept, alpha, l1_ratio, sample_weight=None, penalty_factor=None):
    """P(b, β) exactly as in DESIGN §1, evaluated at the given point (no re-fitting)."""
    Xd = as_dense(X)
    y = np.asarray(y, dtype=np.float64)
    n, p = Xd.shape
    w = normalized_weights(sample_weight, n)
    v = penalty_factors(penalty_factor, p)
    coef = np.asarray(coef, dtype=np.float64)
    r = y - float(intercept) - Xd @ coef
    return 0.5 * (w @ r**2) / n + _penalty_value(coef, alpha, l1_ratio, v)


def null_objective(X, y, sample_weight=None, fit_intercept=True):
    """P at β = 0 (with the best intercept when there is one)."""
    y = np.asarray(y, dtype=np.float64)
    n = y.shape[0]
    w = normalized_weights(sample_weight, n)
    c = (w @ y / n) if fit_intercept else 0.0
    return 0.5 * (w @ (y - c) ** 2) / n


# --------------------------------------------------------------------------------------------
# duality gap
# --------------------------------------------------------------------------------------------
def _refit_unpenalized(Xd, y, coef, w, Z):
    """Residual y − Xβ after re-fitting the coordinates spanned by Z (weighted least squares)."""
    r = y - Xd @ coef
    if Z.shape[1] == 0:
        return r
    sw = np.sqrt(w)
    c, *_ = np.linalg.lstsq(Z * sw[:, None], r * sw, rcond=None)
    return r - Z @ c


def _conj_sum(u, alpha, l1_ratio, v, positive):
    """Σ_j g_j*(u_j) over penalized j, for g_j(t) = α v_j (ρ|t| + (1−ρ)/2 t²) (+ t ≥ 0)."""
    a = alpha * v * l1_ratio
    c = alpha * v * (1.0 - l1_ratio)
    excess = (u - a) if positive else (np.abs(u) - a)
    excess = np.maximum(excess, 0.0)
    if l1_ratio >= 1.0:
        # feasibility up to rounding of s·u against α v ρ
        return 0.0 if np.all(excess <= 1e-12 * a) else np.inf
    return float(np.sum(excess**2 / (2.0 * c)))


def polish(X, y, coef, alpha, l1_ratio, *, sample_weight=None, penalty_factor=None,
           positive=False, fit_intercept=True):
    """Exact solution on the support and signs of ``coef`` (the "equicorrelation" system).

    Solves (X_Sᵀ W X_S / n + α(1−ρ) V_S) β_S = X_Sᵀ W y / n − α ρ V_S sign(β_S) on centred data.
    Returns (β, b) or None when the signs do not reproduce.  Only used to build a better
    primal upper bound and dual point; the bounds stay valid whatever it returns."""
    Xd = as_dense(X)
    y = np.asarray(y, dtype=np.float64)
    coef = np.asarray(coef, dtype=np.float64)
    n, p = Xd.shape
    w = normalized_weights(sample_weight, n)
    v = penalty_factors(penalty_factor, p)
    Xc, yc, xm, ym = weighted_center(Xd, y, w, fit_intercept)
    if l1_ratio == 0.0 and not positive:
        S = np.ones(p, dtype=bool)
    else:
        S = coef != 0
        if not positive:
            S |= v == 0
    sgn = np.sign(coef[S])
    sgn[v[S] == 0] = 0.0
    XS = Xc[:, S]
    A = (XS.T * w) @ XS / n + np.diag(alpha * (1.0 - l1_ratio) * v[S])
    rhs = XS.T @ (w * yc) / n - alpha * l1_ratio * v[S] * sgn
    beta = np.zeros(p)
    if S.any():
        try:
            bS = np.linalg.lstsq(A, rhs, rcond=None)[0]
        except np.linalg.LinAlgError:
            return None
        if l1_ratio > 0:
            pen = v[S] > 0
            if np.any(np.sign(bS[pen]) != sgn[pen]):
                return None
        if positive and np.any(bS < 0):
            return None
        beta[S] = bS
    b = float(ym - xm @ beta) if fit_intercept else 0.0
    return beta, b


def _dual_value(Xd, y, w, v, src, alpha, l1_ratio, positive, fit_intercept):
    """Best dual value along the ray of the (re-fitted) residual of the point β = ``src``."""
    n, p = Xd.shape
    unpen = v == 0
    pen = v > 0
    # unpenalized coordinates need u_j = 0 (signed) or u_j <= 0 (positive): re-fit them out of
    # the residual; a positive one held at 0 is re-fitted only if its u_j would be infeasible
    refit = unpen & (src > 0) if positive else unpen.copy()
    while True:
        cols = [np.ones(n)] if fit_intercept else []
        cols += [Xd[:, j] for j in np.flatnonzero(refit)]
        Z = np.column_stack(cols) if cols else np.zeros((n, 0))
        r = _refit_unpenalized(Xd, y, src, w, Z)
        u = Xd.T @ (w * r) / n  # = −X^T θ for s = 1
        held_bad = unpen & ~refit & (u > 0)
        if not held_bad.any():
            break
        refit |= held_bad
    u[unpen & refit] = 0.0  # zero up to rounding of the least-squares re-fit

    lin = (w * r) @ y / n  # −θᵀy / s
    quad = (w @ r**2) / (2.0 * n)  # Σ n θ²/(2w) / s²
    candidates = [-np.inf]

    def ray_max(u_l1, a, lin_, quad_):
        """max over feasible s of s·lin − s²·quad with |s u| ≤ a (u ≤ a if positive)."""
        uu = u_l1 if positive else np.abs(u_l1)
        with np.errstate(divide="ignore", invalid="ignore"):
            smax = np.min(np.where(uu > 0, a / np.where(uu > 0, uu, 1.0), np.inf),
                          initial=np.inf)
        s_hi = min(smax, 1e6)
        s_opt = lin_ / (2.0 * quad_) if quad_ > 0 else s_hi
        return [s * lin_ - s * s * quad_ for s in {min(1.0, s_hi), float(np.clip(s_opt, 0, s_hi))}]

    # splitting 1: ridge inside G (conjugates finite for ρ < 1)
    if l1_ratio >= 1.0:
        candidates += ray_max(u[pen], alpha * v[pen], lin, quad)
    else:
        def D1(s):
            return s * lin - s * s * quad - _conj_sum(s * u[pen], alpha, l1_ratio, v[pen],
                                                      positive)
        candidates.append(D1(1.0))
        res = minimize_scalar(lambda s: -D1(s), bounds=(0.0, 2.0), method="bounded",
                              options={"xatol": 1e-12})
        candidates.append(D1(res.x))

    # splitting 2 (0 < ρ < 1): ridge in the loss through an augmented design
    if 0.0 < l1_ratio < 1.0:
        ridge = alpha * (1.0 - l1_ratio) * v
        u2 = u - ridge * src  # X̃ᵀ r̃_aug / n; unpenalized entries stay 0
        quad2 = quad + 0.5 * np.sum(ridge * src**2)
        candidates += ray_max(u2[pen], alpha * l1_ratio * v[pen], lin, quad2)
    return max(candidates)


def dual_certificate(
    X,
    y,
    coef,
    intercept,
    alpha,
    l1_ratio,
    *,
    sample_weight=None,
    penalty_factor=None,
    positive=False,
    fit_intercept=True,
):
    """Primal value at the given point, best dual value found, and the gap.

    Dual points come from the residual of the given point and of its polished version
    (``polish``).  Returns a dict with ``P`` (at the given point), ``D`` (≤ P*), ``gap`` = P − D
    (absolute, ≥ P − P*), ``rel_gap`` = (P − D)/P, ``P_upper`` (≥ P*, the best primal value
    seen) and ``excess`` = (P − P_upper)/P, a lower bound on the true relative suboptimality.
    """
    Xd = as_dense(X)
    y = np.asarray(y, dtype=np.float64)
    coef = np.asarray(coef, dtype=np.float64)
    n, p = Xd.shape
    w = normalized_weights(sample_weight, n)
    v = penalty_factors(penalty_factor, p)
    kw = dict(sample_weight=sample_weight, penalty_factor=penalty_factor)
    P = objective(Xd, y, coef, intercept, alpha, l1_ratio, **kw)
    if positive and np.any(coef < 0):  # outside the feasible set: P = +inf
        return {"P": np.inf, "D": -np.inf, "gap": np.inf, "rel_gap": np.inf,
                "P_upper": np.inf, "excess": 0.0, "infeasible": True}
    D = _dual_value(Xd, y, w, v, coef, alpha, l1_ratio, positive, fit_intercept)
    P_upper = P
    pol = polish(Xd, y, coef, alpha, l1_ratio, positive=positive, fit_intercept=fit_intercept,
                 **kw)
    if pol is None and np.any(coef != 0):  # retry without negligible coefficients
        trimmed = np.where(np.abs(coef) > 1e-9 * np.max(np.abs(coef)), coef, 0.0)
        pol = polish(Xd, y, trimmed, alpha, l1_ratio, positive=positive,
                     fit_intercept=fit_intercept, **kw)
    if pol is not None:
        D = max(D, _dual_value(Xd, y, w, v, pol[0], alpha, l1_ratio, positive, fit_intercept))
        P_upper = min(P, objective(Xd, y, pol[0], pol[1], alpha, l1_ratio, **kw))
    gap = P - D
    return {"P": P, "D": D, "gap": gap, "rel_gap": gap / P if P > 0 else np.inf,
            "P_upper": P_upper, "excess": (P - P_upper) / P if P > 0 else 0.0,
            "infeasible": False}


# --------------------------------------------------------------------------------------------
# KKT conditions
# --------------------------------------------------------------------------------------------
def kkt_report(
    X,
    y,
    coef,
    intercept,
    alpha,
    l1_ratio,
    *,
    sample_weight=None,
    penalty_factor=None,
    positive=False,
    fit_intercept=True,
):
    """Per-coordinate KKT violations and the largest violation a suboptimality δ allows.

    g = −(1/n) X_cᵀ W r with r the residual at the best intercept for β.  Violation:
      penalized, β_j = 0: max(0, |g_j| − α v_j ρ)          (positive: max(0, −g_j − α v_j ρ))
      penalized, β_j ≠ 0: |g_j + α v_j ((1−ρ) β_j + ρ sign β_j)|
      unpenalized:       |g_j|                              (positive at 0: max(0, −g_j))
    Returned ``allowed(delta)`` is a rigorous bound: a violation d_j with one-coordinate
    curvature q_j (the intercept moving with the coordinate) lets a single coordinate move
    decrease P by at least min(d²/(2q), d|β_j|/2), which cannot exceed δ ≥ P − P*.
    """
    Xd = as_dense(X)
    y = np.asarray(y, dtype=np.float64)
    coef = np.asarray(coef, dtype=np.float64)
    n, p = Xd.shape
    w = normalized_weights(sample_weight, n)
    v = penalty_factors(penalty_factor, p)
    Xc, yc, xm, ym = weighted_center(Xd, y, w, fit_intercept)
    r_ret = y - float(intercept) - Xd @ coef
    r = yc - Xc @ coef  # residual at the best intercept for this β
    g = -(Xc.T @ (w * r)) / n
    a = alpha * v * l1_ratio
    c = alpha * v * (1.0 - l1_ratio)

    viol = np.zeros(p)
    zero = coef == 0
    pen = v > 0
    s = np.sign(coef)
    nz_val = np.abs(g + c * coef + a * s)
    if positive:
        z_val = np.maximum(0.0, -g - a)
    else:
        z_val = np.maximum(0.0, np.abs(g) - a)
    viol = np.where(zero, z_val, nz_val)
    # unpenalized: a = c = 0, formulas above reduce to |g| or max(0, −g)
    del pen

    q = (w @ Xc**2) / n + c
    scale = np.sqrt((w @ Xc**2) / n) * np.sqrt((w @ yc**2) / n)  # Cauchy–Schwarz size of g_j
    floor = 1e-9 * (scale + a) + 1e-300

    def allowed(delta):
        delta = max(float(delta), 0.0)
        base = np.sqrt(2.0 * q * delta)
        with np.errstate(divide="ignore"):
            nz = np.where(zero, 0.0, 2.0 * delta / np.where(zero, 1.0, np.abs(coef)))
        return np.maximum(base, nz) * 1.001 + floor

    intercept_viol = abs(w @ r_ret) / n if fit_intercept else 0.0
    return {
        "grad": g,
        "violation": viol,
        "allowed": allowed,
        "intercept_violation": intercept_viol,
        "intercept_allowed": (lambda delta: np.sqrt(2.0 * max(delta, 0.0)) * 1.001
                              + 1e-9 * np.sqrt((w @ yc**2) / n) + 1e-300),
        "negative": bool(positive and np.any(coef < 0)),
    }


# --------------------------------------------------------------------------------------------
# uniqueness radius
# --------------------------------------------------------------------------------------------
def strong_convexity(X, alpha, l1_ratio, sample_weight=None, penalty_factor=None,
                     fit_intercept=True):
    """Smallest eigenvalue μ of the Hessian of the smooth part in β (intercept profiled out)."""
    Xd = as_dense(X)
    n, p = Xd.shape
    w = normalized_weights(sample_weight, n)
    v = penalty_factors(penalty_factor, p)
    Xc, _, _, _ = weighted_center(Xd, np.zeros(n), w, fit_intercept)
    H = (Xc.T * w) @ Xc / n + np.diag(alpha * (1.0 - l1_ratio) * v)
    return float(np.linalg.eigvalsh(H)[0])


def solution_radius(delta, mu, fit_intercept, xm_norm, P_scale):
    """Bounds (on ‖β − β*‖, |b − b*|) for a point that is δ-suboptimal, μ-strong convexity.

    The floor accounts for rounding in P − D (about 1e-13 relative)."""
    delta = max(float(delta), 0.0) + 1e-13 * P_scale
    if mu <= 0:
        return np.inf, np.inf
    rb = np.sqrt(2.0 * delta / mu)
    ri = (np.sqrt(2.0 * delta) + xm_norm * rb) if fit_intercept else 0.0
    return rb, ri


# --------------------------------------------------------------------------------------------
# interpolation (glmnet's s=)
# --------------------------------------------------------------------------------------------
def interp_log_alpha(alphas, values, alpha):
    """Linear interpolation in log(alpha) of per-alpha rows ``values`` (alphas decreasing)."""
    alphas = np.asarray(alphas, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    la = np.log(alphas)
    x = np.log(alpha)
    k = np.searchsorted(-la, -x)  # first index with la[k] <= x
    if k < len(la) and la[k] == x:
        return values[k].copy()
    if k == 0 or k == len(la):
        raise ValueError("alpha outside the path")
    t = (la[k - 1] - x) / (la[k - 1] - la[k])
    return (1.0 - t) * values[k - 1] + t * values[k]


# --------------------------------------------------------------------------------------------
# alpha_max from first principles
# --------------------------------------------------------------------------------------------
def default_alpha_max(X, y, l1_ratio, sample_weight=None, penalty_factor=None,
                      fit_intercept=True, positive=False):
    """max_j |∇_j| / (ρ v_j) at the intercept-only fit, ρ taken as 1e-3 for ridge.

    With ``positive`` the smallest alpha with β = 0 only involves the features that
    correlate positively with the residual: max_j max(−∇_j, 0) / (ρ v_j)."""
    Xd = as_dense(X)
    n, p = Xd.shape
    w = normalized_weights(sample_weight, n)
    v = penalty_factors(penalty_factor, p)
    y = np.asarray(y, dtype=np.float64)
    b0 = (w @ y / n) if fit_intercept else 0.0
    grad = Xd.T @ (w * (y - b0)) / n
    rho = max(l1_ratio, 1e-3)
    pen = v > 0
    score = np.maximum(grad, 0.0) if positive else np.abs(grad)
    return float(np.max(score[pen] / (rho * v[pen])))


# --------------------------------------------------------------------------------------------
# scikit-learn references
# --------------------------------------------------------------------------------------------
def sklearn_enet_path(X, y, alphas, l1_ratio, *, sample_weight=None, positive=False,
                      fit_intercept=True, tol=1e-13, max_iter=1_000_000):
    """Tightly converged scikit-learn ElasticNet along ``alphas`` (warm started)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import ElasticNet

    est = ElasticNet(alpha=1.0, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=tol,
                     max_iter=max_iter, positive=positive, warm_start=True, selection="cyclic")
    coefs, intercepts = [], []
    for a in alphas:
        est.set_params(alpha=float(a))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y, sample_weight=sample_weight)
        coefs.append(np.array(est.coef_, dtype=np.float64))
        intercepts.append(float(est.intercept_))
    return np.array(coefs), np.array(intercepts)


def sklearn_ridge_path(X, y, alphas, *, sample_weight=None, fit_intercept=True):
    """scikit-learn Ridge at a = α·Σ(normalised weights) = α·n (our α = a/n)."""
    from sklearn.linear_model import Ridge

    n = X.shape[0]
    coefs, intercepts = [], []
    for a in alphas:
        est = Ridge(alpha=float(a) * n, fit_intercept=fit_intercept, solver="svd"
                    if not sp.issparse(X) else "auto", tol=1e-12)
        sw = None if sample_weight is None else normalized_weights(sample_weight, n)
        est.fit(X, y, sample_weight=sw)
        coefs.append(np.array(est.coef_, dtype=np.float64))
        intercepts.append(float(est.intercept_))
    return np.array(coefs), np.array(intercepts)


def ridge_closed_form(X, y, alphas, *, sample_weight=None, penalty_factor=None,
                      fit_intercept=True):
    """Ridge (ρ = 0) by solving the normal equations in NumPy at each alpha."""
    Xd = as_dense(X)
    n, p = Xd.shape
    w = normalized_weights(sample_weight, n)
    v = penalty_factors(penalty_factor, p)
    Xc, yc, xm, ym = weighted_center(Xd, y, w, fit_intercept)
    G = (Xc.T * w) @ Xc / n
    c = Xc.T @ (w * yc) / n
    coefs = np.array([np.linalg.solve(G + a * np.diag(v), c) for a in alphas])
    intercepts = ym - coefs @ xm if fit_intercept else np.zeros(len(alphas))
    return coefs, np.asarray(intercepts, dtype=np.float64)


# --------------------------------------------------------------------------------------------
# test problems (fixed seeds; no downloads)
# --------------------------------------------------------------------------------------------
def make_problem(n, p, seed, *, sparse=False, density=0.3, noise=0.5, offset=2.0):
    """Regression data with uneven column scales and non-zero column means.

    Returns dense float64 X (zeros where ``sparse``), y, and positive weights (one of them 0)."""
    rng = np.random.default_rng(seed)
    if sparse:
        mask = rng.random((n, p)) < density
        X = np.where(mask, np.abs(rng.standard_normal((n, p))) + 0.5, 0.0)
        # every column: at least two distinct values so none is constant
        for j in range(p):
            i = rng.choice(n, size=2, replace=False)
            X[i[0], j] = 1.0 + rng.random()
            X[i[1], j] = 0.0
    else:
        X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3.0, p) + rng.normal(0.0, 1.0, p)
    k = min(p, 5)
    beta = np.zeros(p)
    beta[rng.choice(p, size=k, replace=False)] = rng.choice([-1.0, 1.0], k) * rng.uniform(1, 3, k)
    y = X @ beta + offset + noise * np.std(X @ beta + 1e-3) * rng.standard_normal(n)
    w = rng.uniform(0.2, 3.0, n)
    w[rng.integers(n)] = 0.0
    return X, y, w


def to_design(X, kind):
    """X in the requested layout: dense (C), dense_f (Fortran), csc, csr, float32."""
    if kind == "dense":
        return np.ascontiguousarray(X, dtype=np.float64)
    if kind == "dense_f":
        return np.asfortranarray(X, dtype=np.float64)
    if kind == "csc":
        return sp.csc_matrix(X)
    if kind == "csr":
        return sp.csr_matrix(X)
    if kind == "float32":
        return np.ascontiguousarray(X, dtype=np.float32)
    raise ValueError(kind)


# --------------------------------------------------------------------------------------------
# assertions shared by the test files
# --------------------------------------------------------------------------------------------
def assert_certified(result, X, y, l1_ratio, tol, *, sample_weight=None, penalty_factor=None,
                     positive=False, fit_intercept=True, check_own_gap=True):
    """Reported gap ≤ tol, our independent gap ≤ tol, and KKT at every alpha."""
    alphas = np.asarray(result.alphas, dtype=np.float64)
    coef = np.asarray(result.coef, dtype=np.float64)
    intercept = np.asarray(result.intercept, dtype=np.float64)
    gap = np.asarray(result.gap, dtype=np.float64)
    n_a = alphas.shape[0]
    assert coef.shape == (n_a, X.shape[1])
    assert intercept.shape == (n_a,) and gap.shape == (n_a,)
    assert np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))
    if not fit_intercept:
        assert np.all(intercept == 0.0), "fit_intercept=False must give a zero intercept"
    assert np.all(gap <= tol), f"reported gap above tol={tol}: max {gap.max():.3g}"
    assert np.all(gap >= -1e-12), f"negative reported gap {gap.min():.3g}"
    kw = dict(sample_weight=sample_weight, penalty_factor=penalty_factor, positive=positive,
              fit_intercept=fit_intercept)
    P0 = null_objective(X, y, sample_weight, fit_intercept)
    if positive:
        neg = np.flatnonzero(np.any(coef < 0, axis=1))
        assert neg.size == 0, (
            f"positive=True but negative coefficients at alphas {alphas[neg][:5]}: "
            f"min {coef.min():.3g}")
    for k, a in enumerate(alphas):
        cert = dual_certificate(X, y, coef[k], intercept[k], a, l1_ratio, **kw)
        # rounding in P − D: about 1e-13 of the null objective
        eps = 1e-13 * P0 / cert["P"]
        if check_own_gap:
            assert cert["rel_gap"] <= tol + eps, (
                f"alpha[{k}]={a:.6g}: the point is not {tol}-optimal: independent relative gap "
                f"{cert['rel_gap']:.3g} (engine reports {gap[k]:.3g})")
        # the reported gap certifies: it is never below a suboptimality we can exhibit
        assert gap[k] >= cert["excess"] - eps, (
            f"alpha[{k}]={a:.6g}: reported gap {gap[k]:.3g} below the exhibited suboptimality "
            f"{cert['excess']:.3g}")
        kkt = kkt_report(X, y, coef[k], intercept[k], a, l1_ratio, **kw)
        assert not kkt["negative"], f"alpha[{k}]={a:.6g}: negative coefficient with positive=True"
        # δ ≥ P − P*, floored at the rounding level of P itself (KKT violations whose
        # first-order gain is below the objective's rounding cannot be seen, nor matter)
        delta = max(cert["gap"], 0.0) + 1e-13 * P0
        allowed = kkt["allowed"](delta)
        bad = kkt["violation"] > allowed
        assert not np.any(bad), (
            f"alpha[{k}]={a:.6g}: KKT violated at features {np.flatnonzero(bad)[:10]}: "
            f"violation {kkt['violation'][bad][:5]} > allowed {allowed[bad][:5]} "
            f"(coef {coef[k][bad][:5]}, grad {kkt['grad'][bad][:5]})")
        assert kkt["intercept_violation"] <= kkt["intercept_allowed"](delta), (
            f"alpha[{k}]={a:.6g}: intercept not optimal: weighted mean residual "
            f"{kkt['intercept_violation']:.3g}")


def assert_same_solutions(res_a, res_b, X, y, l1_ratio, tol, *, sample_weight=None,
                          penalty_factor=None, positive=False, fit_intercept=True,
                          coef_map=None, intercept_map=None):
    """Two path results solve the same problems on (X, y): equal alphas; each point certified
    to relative gap ≤ ``tol`` by our own dual; objectives within the certificates; coefficients
    and intercepts within the strong-convexity radius when μ > 0.

    ``coef_map``/``intercept_map`` bring res_b's numbers onto (X, y)'s scale/order."""
    a_alphas = np.asarray(res_a.alphas, dtype=np.float64)
    b_alphas = np.asarray(res_b.alphas, dtype=np.float64)
    assert a_alphas.shape == b_alphas.shape
    np.testing.assert_allclose(a_alphas, b_alphas, rtol=1e-9, err_msg="alpha grids differ")
    kw = dict(sample_weight=sample_weight, penalty_factor=penalty_factor, positive=positive,
              fit_intercept=fit_intercept)
    n = X.shape[0]
    w = normalized_weights(sample_weight, n)
    xm = (w @ as_dense(X) / n) if fit_intercept else np.zeros(X.shape[1])
    P0 = null_objective(X, y, sample_weight, fit_intercept)
    hess_scale = float(np.max(w @ (as_dense(X) - xm) ** 2 / n))
    for k, a in enumerate(a_alphas):
        ca, ia = np.asarray(res_a.coef[k], float), float(res_a.intercept[k])
        cb, ib = np.asarray(res_b.coef[k], float), float(res_b.intercept[k])
        if coef_map is not None:
            cb = coef_map(cb)
        if intercept_map is not None:
            ib = intercept_map(ib)
        da = dual_certificate(X, y, ca, ia, a, l1_ratio, **kw)
        db = dual_certificate(X, y, cb, ib, a, l1_ratio, **kw)
        for name, d, c in (("first", da, ca), ("second", db, cb)):
            assert not d["infeasible"], (
                f"alpha[{k}]={a:.6g}: {name} result has negative coefficients with "
                f"positive=True: {c[c < 0][:5]}")
            assert d["rel_gap"] <= tol, (
                f"alpha[{k}]={a:.6g}: {name} result has relative gap {d['rel_gap']:.3g} > {tol}")
        slack = 1e-12 * P0
        assert abs(da["P"] - db["P"]) <= max(da["gap"], db["gap"]) * 1.001 + slack, (
            f"alpha[{k}]={a:.6g}: objectives differ: {da['P']:.15g} vs {db['P']:.15g} "
            f"(certificates {da['gap']:.3g}, {db['gap']:.3g})")
        mu = strong_convexity(X, a, l1_ratio, sample_weight, penalty_factor, fit_intercept)
        if mu > 1e-8 * hess_scale:
            ra, rai = solution_radius(da["gap"], mu, fit_intercept, np.linalg.norm(xm), P0)
            rb, rbi = solution_radius(db["gap"], mu, fit_intercept, np.linalg.norm(xm), P0)
            dist = np.linalg.norm(ca - cb)
            assert dist <= (ra + rb) * 1.001, (
                f"alpha[{k}]={a:.6g}: coefficients differ by {dist:.3g} > {ra + rb:.3g}"
                f" (mu={mu:.3g})\n{ca}\n{cb}")
            assert abs(ia - ib) <= (rai + rbi) * 1.001, (
                f"alpha[{k}]={a:.6g}: intercepts differ {ia!r} vs {ib!r}")
