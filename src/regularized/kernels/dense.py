"""Dense kernels for float32 designs: products accumulated in float64.

For float64 X the BLAS is used directly (see ``design.py``); these exist so a
float32 X is read as it is, without a float64 copy, yet summed in float64.
"""
import numpy as np
from numba import njit, prange


@njit(cache=True, nogil=True, parallel=True)
def xt_dot_f(X, v, out):
    """``out = Xᵀv`` for an F-ordered X (columns contiguous)."""
    n, p = X.shape
    for j in prange(p):
        acc = 0.0
        for i in range(n):
            acc += X[i, j] * v[i]
        out[j] = acc


@njit(cache=True, nogil=True)
def xt_dot_c(X, v, out):
    """``out = Xᵀv`` for a C-ordered X (rows contiguous): row-wise axpy."""
    n, p = X.shape
    out[:] = 0.0
    for i in range(n):
        vi = v[i]
        if vi != 0.0:
            for j in range(p):
                out[j] += X[i, j] * vi


@njit(cache=True, nogil=True)
def weighted_col_moments(X, w):
    """Return (Σ_i w_i x_ij, Σ_i w_i x_ij²) per column, in float64."""
    n, p = X.shape
    s1 = np.zeros(p)
    s2 = np.zeros(p)
    for i in range(n):
        wi = w[i]
        for j in range(p):
            x = X[i, j]
            s1[j] += wi * x
            s2[j] += wi * x * x
    return s1, s2


@njit(cache=True, nogil=True)
def mirror_upper(G):
    """Copy the upper triangle of a square F-ordered G onto its lower one, in place.

    Tiles of 64×64 keep both the read (a column of the upper part) and the
    write (a row of the lower part) in cache: ``G += triu(G, 1).T`` would
    allocate and stream two extra (p, p) arrays.
    """
    p = G.shape[0]
    tile = 64
    for j0 in range(0, p, tile):
        j1 = min(j0 + tile, p)
        for i0 in range(0, j1, tile):
            i1 = min(i0 + tile, p)
            for j in range(j0, j1):
                for i in range(i0, min(i1, j)):
                    G[j, i] = G[i, j]


@njit(cache=True, nogil=True)
def centred_gram(xtx, f, n, mean, scale):
    """``(f·XᵀWX − n·m mᵀ) / (s sᵀ)`` as a new (p, p) array, in one pass.

    The centred, scaled Gram of a design known by its statistics: NumPy would
    stream three (p, p) temporaries (the product, the outer product and the
    quotient) for the same result.
    """
    p = xtx.shape[0]
    G = np.empty((p, p))
    for i in range(p):
        a = n * mean[i]
        si = scale[i]
        for j in range(p):
            G[i, j] = (f * xtx[i, j] - a * mean[j]) / (si * scale[j])
    return G


# Rows per block of ``gather_columns``: the block's slices of the k output columns
# (64·8 bytes each) stay in cache while the rows of X are read.
GATHER_ROWS = 64


@njit(cache=True, nogil=True)
def gather_columns(X, cols, out):
    """``out[:, a] = X[:, cols[a]]`` as float64, for an F-ordered ``out`` (n, k).

    One pass over the rows of X in blocks (``X[:, cols]`` on a C-ordered X
    gathers row by row into a C-ordered copy that then has to be transposed
    into ``out``: two passes).
    """
    n = X.shape[0]
    k = cols.shape[0]
    for blk in range((n + GATHER_ROWS - 1) // GATHER_ROWS):
        lo = blk * GATHER_ROWS
        hi = min(n, lo + GATHER_ROWS)
        for i in range(lo, hi):
            for a in range(k):
                out[i, a] = X[i, cols[a]]
