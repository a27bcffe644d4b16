"""Design matrices: dense and sparse CSC views of the centred, scaled, weighted X.

The solvers see the columns ``x̃_j = (x_j − m_j) / s_j`` and weighted inner
products ``⟨a, b⟩_w = Σ_i w_i a_i b_i`` (weights summing to n), where m_j is the
weighted column mean when an intercept is fitted (else 0) and s_j the weighted
population standard deviation when standardizing (else 1). None of this is
materialised for X itself: centring and scaling are applied implicitly, a
sparse X is never densified and a dense X is never copied (only the columns of
a working set are gathered).
"""
import warnings

import numpy as np
import scipy.sparse as sp

from .kernels.dense import centred_gram, mirror_upper, weighted_col_moments, xt_dot_c, xt_dot_f


# Rows per block of the weighted/float32 Gram: about this many elements (32 MiB in float64).
GRAM_BLOCK_ELEMENTS = 1 << 22


# Form Gram statistics about a shift (the column means) when the raw sums would lose
# more than this factor to cancellation: Σ w x_j² / Σ w (x_j − m_j)² above it (a column
# or target whose mean is large next to its spread: years, coordinates, prices)
# leaves the centred Gram with relative errors of ε·ratio, which a certificate
# computed from that same Gram cannot see.
GRAM_CANCELLATION_LIMIT = 1e4
# A sparse X is centred implicitly; past this ratio (a mean 10⁵ times the spread) that
# costs digits a tight certificate needs, and the fit says so.
SPARSE_CENTRING_WARN_RATIO = 1e10
# A spread below this fraction of Σ w v² (about 1e-13 of |v|) is the rounding of v itself:
# the column or target is constant.
CONSTANT_SPREAD = 1e-26


def row_blocks(n, p):
    """Slices of about ``GRAM_BLOCK_ELEMENTS`` entries of an (n, p) array, by rows."""
    step = max(1, GRAM_BLOCK_ELEMENTS // max(p, 1))
    return [slice(start, start + step) for start in range(0, n, step)]


def raw_gram(X, w, shift=None):
    """``XᵀWX`` (p, p) of the raw X: one symmetric rank-k update, no copy of X.

    With ``shift`` (p,): ``Σ w (x − shift)(x − shift)ᵀ``, row block by row block.
    """
    n = X.shape[0]
    p = X.shape[1]
    unit = bool(np.all(w == 1.0))
    if X.dtype == np.float64 and unit and shift is None:
        # NumPy hands Xᵀ X to BLAS syrk (half the flops of a product) and mirrors the
        # triangle; a row block of an F-ordered X (a K-fold's held-out rows) is read in
        # place through its leading dimension, where scipy's dsyrk wrapper would copy it.
        return X.T @ X
    from scipy.linalg.blas import dsyrk

    # Row blocks in float64 (shift subtracted, weights folded in), accumulated: no
    # full copy.
    G = np.zeros((p, p), order="F")
    sw = None if unit else np.sqrt(w)
    for rows in row_blocks(n, p):
        blk = np.array(X[rows], dtype=np.float64, order="F")
        if shift is not None:
            blk -= shift
        if sw is not None:
            blk *= sw[rows, None]
        # beta=1 accumulates into G (dsyrk's default beta=0 would overwrite it)
        G = dsyrk(1.0, blk, beta=1.0, c=G, trans=1, lower=0, overwrite_c=1)
    # dsyrk filled the upper triangle (of an F-ordered G) and left the lower one at zero.
    mirror_upper(G)
    # Symmetric: its transpose is the same matrix, C-ordered, at no cost.
    return G.T


def shifted_matvec_t(X, v, shift):
    """``(X − 1 shiftᵀ)ᵀ v`` (p,) for a dense X, by row blocks (no full copy)."""
    out = np.zeros(X.shape[1])
    for rows in row_blocks(*X.shape):
        blk = np.array(X[rows], dtype=np.float64)
        blk -= shift
        out += blk.T @ v[rows]
    return out


def cancellation_ratio(sum_sq, total, w_sum):
    """``Σ w v² / Σ w (v − v̄)²`` from the raw sums (elementwise; inf when the centred
    sum is lost to rounding): the factor by which centring the raw sums amplifies
    their rounding errors."""
    sum_sq = np.asarray(sum_sq, dtype=np.float64)
    centred = sum_sq - np.asarray(total, dtype=np.float64) ** 2 / w_sum
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(centred > 0.0, sum_sq / np.where(centred > 0.0, centred, 1.0),
                         np.where(sum_sq > 0.0, np.inf, 1.0))
    return ratio


def spread_is_lost(X, sum_sq, col_sum, w_sum):
    """True when centring raw sums would cost more than ``GRAM_CANCELLATION_LIMIT``
    for some column of a dense X that is not exactly constant (a constant column is
    recognised as such either way)."""
    over = np.flatnonzero(cancellation_ratio(sum_sq, col_sum, w_sum) > GRAM_CANCELLATION_LIMIT)
    if not over.size:
        return False
    first = np.asarray(X[0, over])
    # (by row blocks: those columns may be all of X)
    return any(bool(np.any(X[rows][:, over] != first)) for rows in row_blocks(*X.shape))


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
    certificate_floor : the relative error implicit centring leaves in a certificate
        (0 but for a sparse X whose column means dwarf their spread): no gap below it.
    """

    certificate_floor = 0.0

    def __init__(self, X, w, fit_intercept, standardize):
        self.X = X
        self.n_samples, self.n_features = X.shape
        self.w = w
        n = self.n_samples
        s1, s2 = self._weighted_moments(need_sum=fit_intercept)
        self.mean = s1 / n if fit_intercept else np.zeros(self.n_features)
        # Σ w (x − m)² = Σ w x² − n m²  (Σ w = n); clipped against rounding.
        ss = np.maximum(s2 - n * self.mean * self.mean, 0.0)
        # A column is constant when its spread is rounding-level relative to its size:
        # that of the raw sums (ε·Σ w x²), or of x itself where the sum is recomputed
        # about the mean (columns whose spread the raw sums would lose).
        floor = np.full(self.n_features, 1e-13)
        if fit_intercept:
            ratio = cancellation_ratio(s2, s1, n)
            lost = np.flatnonzero(ratio > GRAM_CANCELLATION_LIMIT)
            if lost.size and self.centres_exactly:
                ss[lost] = self._centred_sum_sq(lost)
                floor[lost] = CONSTANT_SPREAD
            elif lost.size:
                # Sparse kernels centre implicitly, to about ε·mean/spread at best.
                bad = [j for j in lost[ratio[lost] > SPARSE_CENTRING_WARN_RATIO]
                       if not self._is_constant(j)]
                if bad:
                    # ε·Σwx²/Σw(x−m)²: the order of the error of the sums CD and its
                    # gap read; a reported gap below it would certify nothing.
                    bad = np.asarray(bad)
                    self.certificate_floor = float(np.finfo(np.float64).eps * np.max(
                        s2[bad] / np.maximum(self._centred_sum_sq(bad), 1e-300)))
                    j = int(bad[0])
                    factor = f"{np.sqrt(ratio[j]):.1e}" if np.isfinite(ratio[j]) else \
                        "over 1e8"
                    warnings.warn(
                        f"column {j} of the sparse X has a mean {factor} times its spread: "
                        "implicit centring of a sparse X loses that many digits; centre "
                        "that column or pass the columns dense", UserWarning, stacklevel=4)
        tiny = ss <= (floor * np.maximum(s2, 1e-300))
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
    # Whether sums of squares about the mean can be recomputed exactly (dense X); a
    # sparse X is centred implicitly.
    centres_exactly = False

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
        # Σ w (x − s)(x − s)ᵀ is what _raw_gram holds; s = 0 unless the raw sums would
        # lose the columns' spread to cancellation (then s = the column means).
        self._gram_shift = None
        super().__init__(X, w, fit_intercept, standardize)

    def _weighted_moments(self, need_sum=True):
        X, w = self.X, self.w
        if self._raw_gram is not None:
            # Σ w x only matters for centring; Σ w x² is the Gram's diagonal.
            s1 = self.matvec_t(w) if need_sum else None
            s2 = np.diag(self._raw_gram).copy()
            if need_sum and spread_is_lost(X, s2, s1, self.n_samples):
                self._gram_shift = s1 / self.n_samples
                self._raw_gram = raw_gram(X, w, shift=self._gram_shift)
            return s1, s2
        if X.dtype == np.float64:
            return X.T @ w, np.einsum("i,ij,ij->j", w, X, X)  # (w ⊙ X²) summed, no temp
        return weighted_col_moments(X, w)

    centres_exactly = True

    def _centred_sum_sq(self, cols):
        """``Σ w (x_j − m_j)²`` for j in cols: the diagonal of the Gram about the means
        when it is formed, else a second pass over those columns by row blocks."""
        if self._gram_shift is not None:
            d = self.mean[cols] - self._gram_shift[cols]
            return np.diag(self._raw_gram)[cols] - self.n_samples * d * d
        out = np.zeros(len(cols))
        for rows in row_blocks(*self.X.shape):
            B = np.asarray(self.X[rows][:, cols], dtype=np.float64) - self.mean[cols]
            out += self.w[rows] @ (B * B)
        return out

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
        if self._gram_shift is None:
            out = (self.matvec_t(wr) - self.mean * wr.sum()) / self.scale
        else:
            # X's spread is small next to its mean: products with the rows less the
            # shift keep the digits a product with the raw X would lose (ε·mean/spread).
            out = (shifted_matvec_t(self.X, wr, self._gram_shift)
                   - (self.mean - self._gram_shift) * wr.sum()) / self.scale
        self._xt_cache = (r, out)
        return out.copy()

    def gather(self, cols):
        """``√w ⊙ x̃_j`` for j in cols, as an (n, len(cols)) float64 F-ordered block."""
        block = np.asarray(self.X[:, cols], dtype=np.float64, order="F")
        block -= self.mean[cols]
        block /= self.scale[cols]
        block *= np.sqrt(self.w)[:, None]
        return block

    def _shifted_gram(self):
        """``(Σ w (x − s)(x − s)ᵀ, s)``, a fresh array (callers may modify it); s is
        None for the raw ``XᵀWX``."""
        if self._raw_gram is not None:
            G, self._raw_gram = self._raw_gram, None     # handed over, not kept twice
            return G, self._gram_shift
        if self._gram_shift is None and np.any(self.mean):
            G = raw_gram(self.X, self.w)
            if not spread_is_lost(self.X, np.diag(G), self.mean * self.n_samples,
                                  self.n_samples):
                return G, None
            self._gram_shift = self.mean.copy()
        return raw_gram(self.X, self.w, shift=self._gram_shift), self._gram_shift

    def gram(self):
        """Full ``X̃ᵀWX̃`` (p, p), centred and scaled."""
        G, shift = self._shifted_gram()
        m = self.mean if shift is None else self.mean - shift
        if np.any(m):
            G -= self.n_samples * np.outer(m, m)   # Σ w (x−m)(x−m)ᵀ = Σ w (x−s)(x−s)ᵀ − n d dᵀ
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

    def _centred_sum_sq(self, cols):
        """``Σ w (x_j − m_j)²`` for j in cols, summed about the mean (the stored rows and
        the zeros), as ``DenseDesign._centred_sum_sq``."""
        X = self.X
        w_sum = float(self.w.sum())
        out = np.empty(len(cols))
        for a, j in enumerate(cols):
            lo, hi = X.indptr[j], X.indptr[j + 1]
            w_nz = self.w[X.indices[lo:hi]]
            m = self.mean[j]
            out[a] = w_nz @ (X.data[lo:hi] - m) ** 2 + (w_sum - w_nz.sum()) * m * m
        return out

    def _is_constant(self, j):
        X = self.X
        vals = X.data[X.indptr[j]:X.indptr[j + 1]]
        if vals.size < X.shape[0]:
            vals = np.append(vals, 0.0)        # the rows not stored are 0
        return bool(vals.max() == vals.min())

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
    """Sufficient statistics of a weighted least-squares problem, about a fixed shift.

    ``xtx = Σ w (x − s)(x − s)ᵀ`` (p, p), ``xty = Σ w (x − s)(y − t)`` (p,),
    ``x_sum = Σ w (x − s)`` (p,), ``y_sum = Σ w (y − t)``, ``yy = Σ w (y − t)²``,
    ``w_sum = Σ w``, ``n_rows`` rows, with ``x_shift`` s (None: 0) and ``y_shift`` t.
    They add and subtract by rows (for the same shift), so a cross-validation fold's
    statistics are the full data's minus the held-out block's (DESIGN §3: CV at the
    cost of one fit). The shift is 0 unless the raw sums would lose the data's spread
    to cancellation (``shifts_for``); then it is the full data's means.
    """

    def __init__(self, xtx, xty, x_sum, y_sum, yy, w_sum, n_rows, x_shift=None,
                 y_shift=0.0):
        self.xtx, self.xty, self.x_sum = xtx, xty, x_sum
        self.y_sum, self.yy, self.w_sum, self.n_rows = y_sum, yy, w_sum, n_rows
        self.x_shift, self.y_shift = x_shift, float(y_shift)

    @classmethod
    def from_data(cls, X, y, w, x_shift=None, y_shift=0.0):
        """Statistics of (X, y, w); X dense (read in place) or sparse (no x_shift)."""
        y_s = y - y_shift if y_shift else y
        if sp.issparse(X):
            if x_shift is not None:
                raise ValueError("a sparse X takes no x_shift")
            Xw = X.multiply(w[:, None]).tocsc() if not np.all(w == 1.0) else X
            xtx = np.asarray((X.T @ Xw).toarray(), dtype=np.float64)
            x_sum = np.asarray(X.T @ w, dtype=np.float64).ravel()
            xty = np.asarray(X.T @ (w * y_s), dtype=np.float64).ravel()
        else:
            xtx = raw_gram(X, w, shift=x_shift)
            if x_shift is None:
                x_sum, xty = matvec_t(X, w), matvec_t(X, w * y_s)
            else:
                x_sum = shifted_matvec_t(X, w, x_shift)
                xty = shifted_matvec_t(X, w * y_s, x_shift)
        return cls(xtx, xty, x_sum, float(w @ y_s), float(w @ (y_s * y_s)), float(w.sum()),
                   X.shape[0], x_shift, y_shift)

    @classmethod
    def keeping_spread(cls, X, y, w, fit_intercept):
        """``from_data``, about the means when the raw sums would lose the spread of X
        or y (which matters only for centring, so with ``fit_intercept``)."""
        stats = cls.from_data(X, y, w)
        shifts = stats.shifts_for(X) if fit_intercept else None
        return stats if shifts is None else cls.from_data(X, y, w, *shifts)

    def shifts_for(self, X):
        """``(x_shift, y_shift)`` about which statistics of these rows keep their spread,
        or None when the unshifted ones (these) already do."""
        if self.x_shift is not None or self.y_shift:
            return None
        x_lost = not sp.issparse(X) and spread_is_lost(X, np.diag(self.xtx), self.x_sum,
                                                        self.w_sum)
        y_lost = cancellation_ratio(self.yy, self.y_sum, self.w_sum) > GRAM_CANCELLATION_LIMIT
        if not (x_lost or y_lost):
            return None
        return (self.x_sum / self.w_sum if x_lost else None,
                self.y_sum / self.w_sum if y_lost else 0.0)

    def __sub__(self, other):
        same_x = (self.x_shift is None) == (other.x_shift is None) and (
            self.x_shift is None or np.array_equal(self.x_shift, other.x_shift))
        if not same_x or self.y_shift != other.y_shift:
            raise ValueError("GramStats about different shifts do not subtract")
        return GramStats(self.xtx - other.xtx, self.xty - other.xty,
                         self.x_sum - other.x_sum, self.y_sum - other.y_sum,
                         self.yy - other.yy, self.w_sum - other.w_sum,
                         self.n_rows - other.n_rows, self.x_shift, self.y_shift)


class GramDesign:
    """A design known only through its ``GramStats`` (no X): Gram-mode solvers only.

    Weights are renormalised to sum to ``n_rows`` as everywhere else.
    """

    has_samples = False
    certificate_floor = 0.0          # centred exactly about the stats' shift

    def __init__(self, stats, fit_intercept, standardize):
        n = stats.n_rows
        f = n / stats.w_sum
        p = stats.xtx.shape[0]
        self.n_samples, self.n_features = n, p
        self.standardize = standardize
        x_shift = np.zeros(p) if stats.x_shift is None else stats.x_shift
        x_sum, xty = f * stats.x_sum, f * stats.xty
        y_sum, yy = f * stats.y_sum, f * stats.yy
        if fit_intercept:
            # d, e: the means less the statistics' shifts (small when shifted).
            d, e = x_sum / n, y_sum / n
            self.mean, self.y_mean = d + x_shift, e + stats.y_shift
        else:
            if stats.x_shift is not None or stats.y_shift:
                raise ValueError("statistics about a shift need fit_intercept=True")
            d, e = np.zeros(p), 0.0
            self.mean, self.y_mean = d, 0.0
        diag_xtx = f * np.diag(stats.xtx)
        ss = np.maximum(diag_xtx - n * d * d, 0.0)
        # Constant: a spread at rounding level next to the column's size Σ w x², that of
        # the raw sums or, about the means, that of x itself (as in Design).
        floor = 1e-13 if stats.x_shift is None else CONSTANT_SPREAD
        tiny = ss <= floor * np.maximum(ss + n * self.mean * self.mean, 1e-300)
        ss[tiny] = 0.0
        scale = np.sqrt(ss / n) if standardize else np.ones(p)
        scale[tiny] = 1.0
        self.scale = scale
        self.hess = ss / (scale * scale)
        self._stats, self._f, self._d = stats, f, d
        self._G = None                 # formed on first use: a grid needs c only
        self._c = (xty - n * d * e) / scale
        self._yy = max(yy - n * e * e, 0.0)
        y_floor = CONSTANT_SPREAD if stats.y_shift else 1e-13
        if fit_intercept and self._yy <= y_floor * (self._yy + n * self.y_mean ** 2):
            # A constant y (what is left after centring is rounding): as in path.
            self._c = np.zeros(p)
            self._yy = 0.0

    def target_problem(self):
        """``(c, yy)``: X̃ᵀWy_c and ‖y_c‖²_w, without forming the (p, p) Gram."""
        return self._c, self._yy

    def gram_problem(self, y_c=None):
        """``(G, c, yy)``: X̃ᵀWX̃, X̃ᵀWy_c and ‖y_c‖²_w, all centred and scaled."""
        return self.gram(), self._c, self._yy

    def gram(self):
        if self._G is None:
            self._G = centred_gram(self._stats.xtx, self._f, float(self.n_samples),
                                   self._d, self.scale)
            self._stats = None         # the raw statistics are not needed again
        return self._G
