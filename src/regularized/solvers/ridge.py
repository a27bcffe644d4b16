"""Ridge (l1_ratio = 0) for every alpha from one eigendecomposition.

With ``Ã = √W X̃ diag(1/√v)`` and ``ỹ = √W y_c`` the solution at α is
``β' = (ÃᵀÃ + nα I)⁻¹ Ãᵀỹ`` and ``β = β' / √v``:

- n ≥ p: ``ÃᵀÃ = V Λ Vᵀ`` gives ``β' = V (Λ + nα)⁻¹ Vᵀ Ãᵀỹ``;
- p > n: ``ÃÃᵀ = U Λ Uᵀ`` gives ``β' = Ãᵀ U (Λ + nα)⁻¹ Uᵀ ỹ`` (X never
  densified when sparse: only the n×n kernel is formed).

Every alpha then costs a product with the eigenvectors. A few alphas (at most
CHOLESKY_MAX_ALPHAS: an estimator's one-alpha fit) are solved by one Cholesky
factorization each instead, about a tenth of the eigendecomposition's work
(Ridge on a 3000 × 3000 design took 16 s by ``eigh``, scikit-learn 1.8 s). The duality gap at
each alpha is computed from the returned β against X itself, not in the
eigenbasis (where it is zero by construction), so it certifies the
decomposition's accuracy too.
"""
import numpy as np
import scipy.linalg

from ..kernels.gap import enet_primal_dual

# Up to this many alphas, one Cholesky factorization per alpha (p³/3 flops each) beats
# one eigendecomposition (about 4p³ with the eigenvectors).
CHOLESKY_MAX_ALPHAS = 3


def shifted_solve(A, shifts, b):
    """``(A + s_k I)⁻¹ b`` for each shift s_k: A symmetric positive semi-definite (m, m),
    b (m,); returns (m, k).

    Few shifts: a Cholesky factorization each; more, or a factorization that fails
    (A + s I singular to rounding): one eigendecomposition for all.
    """
    if shifts.shape[0] <= CHOLESKY_MAX_ALPHAS:
        out = np.empty((b.shape[0], shifts.shape[0]))
        try:
            for k, s in enumerate(shifts):
                shifted = A + s * np.eye(A.shape[0])
                out[:, k] = scipy.linalg.cho_solve(
                    scipy.linalg.cho_factor(shifted, lower=True, overwrite_a=True,
                                            check_finite=False), b, check_finite=False)
            return out
        except np.linalg.LinAlgError:
            pass
    lam, V = symmetric_eigh(A)
    lam = np.maximum(lam, 0.0)
    return V @ ((V.T @ b)[:, None] / (lam[:, None] + shifts[None, :]))


def symmetric_eigh(A):
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix (LAPACK syevd).

    The one place ridge paths and ridge CV decompose: single-threaded, syevd took
    0.20 s on a 1000×1000 Gram here against 0.25 s for the MRRR driver (syevr).
    """
    return np.linalg.eigh(A)


def ridge_path(design, y_c, alphas, penalty_factor, usable):
    """All alphas of the ridge path; every penalty factor must be > 0.

    Columns that are not ``usable`` (constant after centring) are left out
    exactly (coefficient 0), whatever rounding left in them.

    Returns the same dict as ``enet_path_cd``.
    """
    n, p = design.n_samples, design.n_features
    v = penalty_factor
    col_w = np.where(usable, 1.0 / np.sqrt(v), 0.0)
    shifts = n * alphas                          # (k,)
    if p <= n or not design.has_samples:
        G, c, yy = design.gram_problem(y_c)      # X̃ᵀWX̃, X̃ᵀWy_c, ‖y_c‖²_w
        coef = shifted_solve(G * col_w[:, None] * col_w[None, :], shifts, col_w * c).T * col_w
        Gb = coef @ G                            # (k, p): (Gβ)ᵀ per alpha
        grads = c[None, :] - Gb
        bc = coef @ c
        rr = yy - 2.0 * bc + np.einsum("kp,kp->k", coef, Gb)
        ry = yy - bc
    else:
        sw = np.sqrt(design.w)
        y_t = sw * y_c
        yy = float(y_t @ y_t)
        K = design.outer_gram(col_w)
        Z = shifted_solve(K, shifts, y_t)
        safe_sw = np.where(sw > 0, sw, 1.0)
        # β = diag(col_w) β' and β' = Ãᵀ Z = diag(col_w) X̃ᵀ √W Z
        coef = (design.xt_weighted_matrix(Z / safe_sw[:, None]) * (col_w ** 2)[:, None]).T
        R_t = y_t[:, None] - K @ Z               # √W r per alpha, (n, k)
        grads = design.xt_weighted_matrix(R_t / safe_sw[:, None]).T
        rr = np.einsum("nk,nk->k", R_t, R_t)
        ry = R_t.T @ y_t
    k = alphas.shape[0]
    gaps = np.zeros(k)
    primals = np.zeros(k)
    zeros = np.zeros(p)
    for i in range(k):
        l2 = shifts[i] * v
        primal, dual = enet_primal_dual(grads[i], coef[i], zeros, l2, False,
                                        float(rr[i]), float(ry[i]))
        primals[i] = primal
        gaps[i] = max(primal - dual, 0.0) / primal if primal > 0 else 0.0
    return {"coef": coef, "gap": gaps, "n_iter": np.ones(k, dtype=np.int64),
            "primal": primals}
