"""Ridge (l1_ratio = 0) for every alpha from one eigendecomposition.

With ``Ã = √W X̃ diag(1/√v)`` and ``ỹ = √W y_c`` the solution at α is
``β' = (ÃᵀÃ + nα I)⁻¹ Ãᵀỹ`` and ``β = β' / √v``:

- n ≥ p: ``ÃᵀÃ = V Λ Vᵀ`` gives ``β' = V (Λ + nα)⁻¹ Vᵀ Ãᵀỹ``;
- p > n: ``ÃÃᵀ = U Λ Uᵀ`` gives ``β' = Ãᵀ U (Λ + nα)⁻¹ Uᵀ ỹ`` (X never
  densified when sparse: only the n×n kernel is formed).

Every alpha then costs a product with the eigenvectors. The duality gap at
each alpha is computed from the returned β against X itself, not in the
eigenbasis (where it is zero by construction), so it certifies the
decomposition's accuracy too.
"""
import numpy as np

from ..kernels.gap import enet_primal_dual


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
        lam, V = symmetric_eigh(G * col_w[:, None] * col_w[None, :])
        lam = np.maximum(lam, 0.0)
        b = V.T @ (col_w * c)
        # NumPy: β'_k = V @ (b / (λ + nα_k)) for all k at once
        coef = (V @ (b[:, None] / (lam[:, None] + shifts[None, :]))).T * col_w
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
        lam, U = symmetric_eigh(K)
        lam = np.maximum(lam, 0.0)
        a = U.T @ y_t
        Z = U @ (a[:, None] / (lam[:, None] + shifts[None, :]))   # (n, k)
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
