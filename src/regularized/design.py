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

from .kernels.dense import centred_gram, mirror_upper, weighted_col_moments, xt_dot_c, xt_dot_f


# Rows per block of the weighted/float32 Gram: about this many elements (32 MiB in float64).
GRAM_BLOCK_ELEMENTS = 1 << 22


def raw_gram(X, w):
    """``XᵀWX`` (p, p) of the raw X: one symmetric rank-k update, no copy of X."""
    n = X.shape[0]
    p = X.shape[1]
    unit = bool(np.all(w == 1.0))
    if X.dtype == np.float64 and unit:
        # NumPy hands Xᵀ X to BLAS syrk (half the flops of a product) and mirrors the
        # triangle; a row block of an F-ordered X (a K-fold's held-out rows) is read in
        # place through its leading dimension, where scipy's dsyrk wrapper would copy it.
        return X.T @ X
    from scipy.linalg.blas import dsyrk

    # Row blocks in float64 (weights folded in), accumulated: no full copy.
    G = np.zeros((p, p), order="F")
    sw = np.sqrt(w)
    step = max(1, GRAM_BLOCK_ELEMENTS // max(p, 1))
    for start in range(0, n, step):
        blk = np.asarray(X[start:start + step], dtype=np.float64)
        blk = blk * sw[start:start + step, None]
        # beta=1 accumulates into G (dsyrk's default beta=0 would overwrite it)
        G = dsyrk(1.0, blk, beta=1.0, c=G, trans=1, lower=0, overwrite_c=1)
    # dsyrk filled the upper triangle (of an F-ordered G) and left the lower one at zero.
    mirror_upper(G)
    # Symmetric: its transpose is the same matrix, C-ordered, at no cost.
    return G.T


def matvec_t(X, v):
    """``Xᵀv`` for a dense X, float64 result; a float32 X is read as it is."""
    if X.dtype == np.float64:
        return X.T @ v
    out = np.empty(X.shape[1])
    if X.flags.f_contiguous:
        xt_dot_f(X, v, out)
    else:
        xt_dot_c(np.ascontiguousarray(X), v, out)
    return out


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
        s1, s2 = self._weighted_moments(need_sum=fit_intercept)
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

    has_samples = True

    def gram_problem(self, y_c):
        """``(G, c, yy)``: X̃ᵀWX̃, X̃ᵀWy_c and ‖y_c‖²_w, all centred and scaled."""
        return self.gram(), self.xt_weighted(y_c), float(self.w @ (y_c * y_c))


class DenseDesign(Design):
    """A dense X (float32 or float64, C or F order), read in place.

    With ``keep_gram=True`` the raw Gram XᵀWX is formed once at construction and
    the column moments are read off it (its diagonal is Σ w x²), which saves
    two passes over X when the solver needs the Gram anyway.
    """

    def __init__(self, X, w, fit_intercept, standardize, keep_gram=False):
        self._raw_gram = raw_gram(X, w) if keep_gram else None
        super().__init__(X, w, fit_intercept, standardize)

    def _weighted_moments(self, need_sum=True):
        X, w = self.X, self.w
        if self._raw_gram is not None:
            # Σ w x only matters for centring; Σ w x² is the Gram's diagonal.
            s1 = self.matvec_t(w) if need_sum else None
            return s1, np.diag(self._raw_gram).copy()
        if X.dtype == np.float64:
            return X.T @ w, np.einsum("i,ij,ij->j", w, X, X)  # (w ⊙ X²) summed, no temp
        return weighted_col_moments(X, w)

    def matvec_t(self, v):
        """``Xᵀv`` (raw X), float64 result."""
        return matvec_t(self.X, v)

    def xt_weighted(self, r):
        """``g_j = ⟨x̃_j, r⟩_w`` for all j; r (n,) must satisfy Σ w r = 0 if centring.

        The last result is kept: the path asks for X̃ᵀWy_c twice (the Gram
        problem and the null gradient) and each costs a pass over X.
        """
        cached = getattr(self, "_xt_cache", None)
        if cached is not None and cached[0] is r:
            return cached[1].copy()
        wr = self.w * r
        out = (self.matvec_t(wr) - self.mean * wr.sum()) / self.scale
        self._xt_cache = (r, out)
        return out.copy()

    def gather(self, cols):
        """``√w ⊙ x̃_j`` for j in cols, as an (n, len(cols)) float64 F-ordered block."""
        block = np.asarray(self.X[:, cols], dtype=np.float64, order="F")
        block -= self.mean[cols]
        block /= self.scale[cols]
        block *= np.sqrt(self.w)[:, None]
        return block

    def raw_gram(self):
        """``XᵀWX`` (p, p) of the raw X (a fresh array: callers may modify it)."""
        if self._raw_gram is not None:
            G, self._raw_gram = self._raw_gram, None     # handed over, not kept twice
            return G
        return raw_gram(self.X, self.w)

    def gram(self):
        """Full ``X̃ᵀWX̃`` (p, p), centred and scaled."""
        G = self.raw_gram()
        m = self.mean
        if np.any(m):
            G -= self.n_samples * np.outer(m, m)   # Σ w (x−m)(x−m)ᵀ = XᵀWX − n m mᵀ
        if self.standardize:
            G /= self.scale[:, None]
            G /= self.scale[None, :]
        return G

    def outer_gram(self, col_weights):
        """``K = Ã Ãᵀ`` (n, n) with ``Ã = √W X̃ diag(col_weights)``."""
        A = (np.asarray(self.X, dtype=np.float64) - self.mean) * (col_weights / self.scale)
        A *= np.sqrt(self.w)[:, None]
        return A @ A.T

    def xt_weighted_matrix(self, R):
        """``X̃ᵀ W R`` (p, k) for an (n, k) R: one pass over X for all k columns."""
        WR = self.w[:, None] * R
        if self.X.dtype == np.float64:
            out = self.X.T @ WR
        else:
            # A float32 X is never upcast whole: one float64-accumulated pass per column.
            out = np.column_stack([self.matvec_t(np.ascontiguousarray(WR[:, a]))
                                   for a in range(WR.shape[1])])
        out -= np.outer(self.mean, WR.sum(axis=0))
        return out / self.scale[:, None]


def kernel_index_arrays(indices, indptr):
    """CSC ``(indices, indptr)`` as unsigned integers for the numba kernels.

    numba tests every signed index for a negative value (Python's wrap-around);
    in the sparse inner loops, where each non-zero costs a gather, that test
    doubles the time. Unsigned indices skip it. ``indices`` is viewed (no copy)
    when it is int32; ``indptr`` (p + 1 entries) is widened to 64 bits.
    """
    if indices.dtype == np.int32:
        idx = indices.view(np.uint32)
    else:
        idx = indices.astype(np.int64, copy=False).view(np.uint64)
    ptr = indptr.astype(np.int64, copy=False).view(np.uint64)
    return idx, ptr


class SparseDesign(Design):
    """A scipy sparse X held as CSC (float32 or float64), never densified."""

    def __init__(self, X, w, fit_intercept, standardize):
        X = X.tocsc() if X.format != "csc" else X
        if not X.has_sorted_indices:
            X = X.sorted_indices()
        super().__init__(X, w, fit_intercept, standardize)
        # scipy's own index arrays (int32 unless huge), viewed unsigned: no copy.
        self.indices, self.indptr = kernel_index_arrays(X.indices, X.indptr)
        self.data = X.data

    def _weighted_moments(self, need_sum=True):
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


# Full Gram up front when it is cheap against the path: n ≥ p and p²·8 bytes
# of memory is modest (glmnet uses covariance mode for p < 500; one Gram of
# p = 5000 is 200 MB).
FULL_GRAM_MAX_FEATURES = 5000


def wants_full_gram(n_samples, n_features):
    return n_samples >= n_features and n_features <= FULL_GRAM_MAX_FEATURES


def make_design(X, w, fit_intercept, standardize, *, keep_gram=None):
    """The design view for a validated X.

    ``keep_gram``: form the raw Gram at once (default: when a squared-loss
    solver would use the full Gram, ``wants_full_gram``).
    """
    if sp.issparse(X):
        return SparseDesign(X, w, fit_intercept, standardize)
    if keep_gram is None:
        keep_gram = wants_full_gram(*X.shape)
    return DenseDesign(X, w, fit_intercept, standardize, keep_gram=keep_gram)


class GramStats:
    """Sufficient statistics of a weighted least-squares problem (raw, uncentred).

    ``xtx = XᵀWX`` (p, p), ``xty = XᵀWy`` (p,), ``x_sum = Xᵀw`` (p,),
    ``y_sum = wᵀy``, ``yy = Σ w y²``, ``w_sum = Σ w``, ``n_rows`` rows. They
    add and subtract by rows, so a cross-validation fold's statistics are the
    full data's minus the held-out block's (DESIGN §3: CV at the cost of one fit).
    """

    def __init__(self, xtx, xty, x_sum, y_sum, yy, w_sum, n_rows):
        self.xtx, self.xty, self.x_sum = xtx, xty, x_sum
        self.y_sum, self.yy, self.w_sum, self.n_rows = y_sum, yy, w_sum, n_rows

    @classmethod
    def from_data(cls, X, y, w):
        """Statistics of (X, y, w); X dense (read in place) or sparse."""
        if sp.issparse(X):
            Xw = X.multiply(w[:, None]).tocsc() if not np.all(w == 1.0) else X
            xtx = np.asarray((X.T @ Xw).toarray(), dtype=np.float64)
            x_sum = np.asarray(X.T @ w, dtype=np.float64).ravel()
            xty = np.asarray(X.T @ (w * y), dtype=np.float64).ravel()
        else:
            xtx = raw_gram(X, w)
            x_sum = matvec_t(X, w)
            xty = matvec_t(X, w * y)
        return cls(xtx, xty, x_sum, float(w @ y), float(w @ (y * y)), float(w.sum()),
                   X.shape[0])

    def __sub__(self, other):
        return GramStats(self.xtx - other.xtx, self.xty - other.xty,
                         self.x_sum - other.x_sum, self.y_sum - other.y_sum,
                         self.yy - other.yy, self.w_sum - other.w_sum,
                         self.n_rows - other.n_rows)


class GramDesign:
    """A design known only through its ``GramStats`` (no X): Gram-mode solvers only.

    Weights are renormalised to sum to ``n_rows`` as everywhere else.
    """

    has_samples = False

    def __init__(self, stats, fit_intercept, standardize):
        n = stats.n_rows
        f = n / stats.w_sum
        self.n_samples, self.n_features = n, stats.xtx.shape[0]
        self.standardize = standardize
        x_sum, xty = f * stats.x_sum, f * stats.xty
        y_sum, yy = f * stats.y_sum, f * stats.yy
        if fit_intercept:
            self.mean = x_sum / n
            self.y_mean = y_sum / n
        else:
            self.mean = np.zeros(self.n_features)
            self.y_mean = 0.0
        m, ym = self.mean, self.y_mean
        diag_xtx = f * np.diag(stats.xtx)
        ss = np.maximum(diag_xtx - n * m * m, 0.0)
        tiny = ss <= 1e-13 * np.maximum(diag_xtx, 1e-300)
        ss[tiny] = 0.0
        scale = np.sqrt(ss / n) if standardize else np.ones(self.n_features)
        scale[tiny] = 1.0
        self.scale = scale
        self.hess = ss / (scale * scale)
        self._stats, self._f = stats, f
        self._G = None                 # formed on first use: a grid needs c only
        self._c = (xty - n * m * ym) / scale
        self._yy = max(yy - n * ym * ym, 0.0)

    def target_problem(self):
        """``(c, yy)``: X̃ᵀWy_c and ‖y_c‖²_w, without forming the (p, p) Gram."""
        return self._c, self._yy

    def gram_problem(self, y_c=None):
        """``(G, c, yy)``: X̃ᵀWX̃, X̃ᵀWy_c and ‖y_c‖²_w, all centred and scaled."""
        return self.gram(), self._c, self._yy

    def gram(self):
        if self._G is None:
            self._G = centred_gram(self._stats.xtx, self._f, float(self.n_samples),
                                   self.mean, self.scale)
            self._stats = None         # the raw statistics are not needed again
        return self._G
