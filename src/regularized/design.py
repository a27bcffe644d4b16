"""Design matrices: dense and sparse CSC views of the centred, scaled, weighted X.

The solvers see the columns ``x̃_j = (x_j − m_j) / s_j`` and weighted inner
products ``⟨a, b⟩_w = Σ_i w_i a_i b_i`` (weights summing to n), where m_j is the
weighted column mean when an intercept is fitted (else 0) and s_j the weighted
population standard deviation when standardizing (else 1). None of this is
materialised for X itself: centring and scaling are applied implicitly, a
sparse X is never densified and a dense X is never copied (only the columns of
a working set are gathered).
"""
import numpy as np
import scipy.sparse as sp

from .kernels.dense import weighted_col_moments, xt_dot_c, xt_dot_f


class Design:
    """Common data of both designs.

    Attributes
    ----------
    n_samples, n_features : int
    w : (n,) float64 weights summing to n.
    mean : (p,) centring m_j.  scale : (p,) scaling s_j (1 where s_j would be 0).
    hess : (p,) ``‖x̃_j‖²_w`` — 0 marks a column that is constant after centring.
    """

    def __init__(self, X, w, fit_intercept, standardize):
        self.X = X
        self.n_samples, self.n_features = X.shape
        self.w = w
        n = self.n_samples
        s1, s2 = self._weighted_moments()
        self.mean = s1 / n if fit_intercept else np.zeros(self.n_features)
        # Σ w (x − m)² = Σ w x² − n m²  (Σ w = n); clipped against rounding.
        ss = np.maximum(s2 - n * self.mean * self.mean, 0.0)
        # A column is constant when its spread is rounding-level relative to its size.
        tiny = ss <= (1e-13 * np.maximum(s2, 1e-300))
        ss[tiny] = 0.0
        if standardize:
            scale = np.sqrt(ss / n)
            scale[tiny] = 1.0
        else:
            scale = np.ones(self.n_features)
        self.scale = scale
        self.hess = ss / (scale * scale)
        self.standardize = standardize


class DenseDesign(Design):
    """A dense X (float32 or float64, C or F order), read in place."""

    def _weighted_moments(self):
        X, w = self.X, self.w
        if X.dtype == np.float64:
            return X.T @ w, np.einsum("i,ij,ij->j", w, X, X)  # (w ⊙ X²) summed, no temp
        return weighted_col_moments(X, w)

    def matvec_t(self, v):
        """``Xᵀv`` (raw X), float64 result."""
        X = self.X
        if X.dtype == np.float64:
            return X.T @ v
        out = np.empty(self.n_features)
        if X.flags.f_contiguous:
            xt_dot_f(X, v, out)
        else:
            xt_dot_c(np.ascontiguousarray(X), v, out)
        return out

    def xt_weighted(self, r):
        """``g_j = ⟨x̃_j, r⟩_w`` for all j; r (n,) must satisfy Σ w r = 0 if centring."""
        wr = self.w * r
        return (self.matvec_t(wr) - self.mean * wr.sum()) / self.scale

    def gather(self, cols):
        """``√w ⊙ x̃_j`` for j in cols, as an (n, len(cols)) float64 F-ordered block."""
        block = np.asarray(self.X[:, cols], dtype=np.float64, order="F")
        block -= self.mean[cols]
        block /= self.scale[cols]
        block *= np.sqrt(self.w)[:, None]
        return block

    def gram(self):
        """Full ``X̃ᵀWX̃`` (p, p): one symmetric rank-k update of the raw X."""
        from scipy.linalg.blas import dsyrk

        X, w, n = self.X, self.w, self.n_samples
        unit_w = bool(np.all(w == 1.0))
        if X.dtype == np.float64 and unit_w:
            # dsyrk on Xᵀ seen as a Fortran (p, n) array: no copy for C-ordered X.
            # NumPy equivalent: G = X.T @ X (dsyrk does half the flops).
            if X.flags.c_contiguous:
                G = dsyrk(1.0, X.T, trans=0, lower=0)
            else:
                G = dsyrk(1.0, X, trans=1, lower=0)
        else:
            # Row blocks in float64 (weights folded in), accumulated: no full copy.
            G = np.zeros((self.n_features, self.n_features))
            sw = np.sqrt(w)
            step = max(1, (1 << 22) // max(self.n_features, 1))
            for start in range(0, n, step):
                blk = np.asarray(X[start:start + step], dtype=np.float64)
                blk = blk * sw[start:start + step, None]
                G = dsyrk(1.0, blk, trans=1, lower=0, c=G, overwrite_c=1)
        iu = np.triu_indices(self.n_features, 1)
        G[(iu[1], iu[0])] = G[iu]
        m = self.mean
        if np.any(m):
            G -= n * np.outer(m, m)   # centring: Σ w (x−m)(x−m)ᵀ = XᵀWX − n m mᵀ
        s = self.scale
        if self.standardize:
            G /= s[:, None]
            G /= s[None, :]
        return G

    def outer_gram(self, col_weights):
        """``K = Ã Ãᵀ`` (n, n) with ``Ã = √W X̃ diag(col_weights)``."""
        A = (np.asarray(self.X, dtype=np.float64) - self.mean) * (col_weights / self.scale)
        A *= np.sqrt(self.w)[:, None]
        return A @ A.T

    def xt_weighted_matrix(self, R):
        """``X̃ᵀ W R`` for an (n, k) R whose weighted columns sum to zero if centring."""
        WR = self.w[:, None] * R
        out = np.asarray(self.X.T @ WR, dtype=np.float64)
        out -= np.outer(self.mean, WR.sum(axis=0))
        return out / self.scale[:, None]


class SparseDesign(Design):
    """A scipy sparse X held as CSC (float32 or float64), never densified."""

    def __init__(self, X, w, fit_intercept, standardize):
        X = X.tocsc() if X.format != "csc" else X
        if not X.has_sorted_indices:
            X = X.sorted_indices()
        super().__init__(X, w, fit_intercept, standardize)
        self.indptr = X.indptr.astype(np.int64, copy=False)
        self.indices = X.indices.astype(np.int64, copy=False)
        self.data = X.data

    def _weighted_moments(self):
        X, w = self.X, self.w
        s1 = np.asarray(X.T @ w, dtype=np.float64).ravel()
        sq = X.copy()
        sq.data = np.asarray(sq.data, dtype=np.float64) ** 2
        s2 = np.asarray(sq.T @ w, dtype=np.float64).ravel()
        return s1, s2

    def xt_weighted(self, r):
        from .kernels.cd_sparse import csc_xt_weighted

        out = np.empty(self.n_features)
        csc_xt_weighted(self.data, self.indices, self.indptr, self.w, r, 0.0,
                        self.scale, out)
        return out

    def gram(self):
        X, w, n = self.X, self.w, self.n_samples
        Xw = X.multiply(w[:, None]).tocsc() if not np.all(w == 1.0) else X
        G = np.asarray((X.T @ Xw).toarray(), dtype=np.float64)
        m = self.mean
        if np.any(m):
            G -= n * np.outer(m, m)
        if self.standardize:
            G /= self.scale[:, None]
            G /= self.scale[None, :]
        return G

    def outer_gram(self, col_weights):
        d = col_weights / self.scale
        As = (self.X @ sp.diags(d)).tocsr()
        mp = self.mean * d
        K = np.asarray((As @ As.T).toarray(), dtype=np.float64)
        u = np.asarray(As @ mp, dtype=np.float64).ravel()
        K -= u[:, None]
        K -= u[None, :]
        K += mp @ mp
        sw = np.sqrt(self.w)
        return K * sw[:, None] * sw[None, :]

    def xt_weighted_matrix(self, R):
        WR = self.w[:, None] * R
        out = np.asarray(self.X.T @ WR, dtype=np.float64)
        out -= np.outer(self.mean, WR.sum(axis=0))
        return out / self.scale[:, None]

    def gather(self, cols):
        block = np.asarray(self.X[:, cols].toarray(), dtype=np.float64, order="F")
        block -= self.mean[cols]
        block /= self.scale[cols]
        block *= np.sqrt(self.w)[:, None]
        return block


def make_design(X, w, fit_intercept, standardize):
    """The design view for a validated X."""
    if sp.issparse(X):
        return SparseDesign(X, w, fit_intercept, standardize)
    return DenseDesign(X, w, fit_intercept, standardize)
