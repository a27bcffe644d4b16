"""Coordinate descent for multi-response weighted least squares (multinomial inner solver).

Minimises over B (p, K), for the columns ``ws``::

    ½ Σ_k Σ_i h_ik (z_ik − x̃_iᵀ B_·k)²  +  Σ_j pen_j(B_j·)

with the columns centred per class (``x̃_ijk = (x_ij − m_jk)/s_j``, implicit,
as in ``cd_sparse``) and either a separable elastic net per entry or, when
``grouped``, ``pen_j(b) = l1_j‖b‖₂ + ½ l2_j‖b‖²`` (a feature is in or out for
all classes). For a group the coordinate curvatures differ by class; the
update uses their maximum, a majorizer, so every step still decreases the
objective.
"""
import numpy as np
from numba import njit

from .prox import enet_coordinate_min


@njit(cache=True, nogil=True)
def csc_multi_residual(data, indices, indptr, Z_c, mean, scale, B, ws, R_raw, off):
    """``R = Z_c − X̃B`` over ws, stored as ``R_raw + off`` (off per class)."""
    K = Z_c.shape[1]
    R_raw[:, :] = Z_c
    off[:] = 0.0
    for a in range(ws.shape[0]):
        j = ws[a]
        for k in range(K):
            f = B[j, k] / scale[j]
            if f != 0.0:
                for q in range(indptr[j], indptr[j + 1]):
                    R_raw[indices[q], k] -= f * data[q]
                off[k] += f * mean[j, k]


@njit(cache=True, nogil=True)
def csc_multi_cd(data, indices, indptr, H, mean, scale, hess, B, R_raw, off, ws, l1, l2,
                 positive, grouped, n_epochs):
    """Run ``n_epochs`` epochs of (block) coordinate descent over ``ws``.

    Parameters
    ----------
    H : (n, K) weights.  mean : (p, K) per-class centring.  hess : (p, K)
    curvatures ``Σ_i h_ik x̃_ijk²``.  B : (p, K) coefficients, updated.
    R_raw, off : residual storage (``R[:, k] = R_raw[:, k] + off[k]``), updated.

    Returns the largest ``curvature·Δ²`` of the last epoch (a decrease scale).
    """
    K = H.shape[1]
    g = np.empty(K)
    biggest = 0.0
    for _ in range(n_epochs):
        biggest = 0.0
        for a in range(ws.shape[0]):
            j = ws[a]
            sj = scale[j]
            for k in range(K):
                acc = 0.0
                ok = off[k]
                for q in range(indptr[j], indptr[j + 1]):
                    i = indices[q]
                    acc += H[i, k] * data[q] * (R_raw[i, k] + ok)
                g[k] = acc / sj
            if grouped:
                L = 0.0
                for k in range(K):
                    if hess[j, k] > L:
                        L = hess[j, k]
                if L + l2[j] <= 0.0:
                    continue
                norm = 0.0
                for k in range(K):
                    u = B[j, k] + g[k] / L if L > 0.0 else 0.0
                    g[k] = u
                    norm += u * u
                norm = np.sqrt(norm)
                # prox of (l1‖·‖ + ½ l2‖·‖²)/L at u: group soft-threshold, shrink
                shrink = 0.0
                if norm * L > l1[j]:
                    shrink = (1.0 - l1[j] / (L * norm)) * L / (L + l2[j])
                for k in range(K):
                    new = g[k] * shrink
                    delta = new - B[j, k]
                    if delta != 0.0:
                        if L * delta * delta > biggest:
                            biggest = L * delta * delta
                        B[j, k] = new
                        f = delta / sj
                        for q in range(indptr[j], indptr[j + 1]):
                            R_raw[indices[q], k] -= f * data[q]
                        off[k] += f * mean[j, k]
            else:
                for k in range(K):
                    h = hess[j, k]
                    old = B[j, k]
                    new = enet_coordinate_min(h * old + g[k], h, l1[j], l2[j], positive)
                    if new != old:
                        if h * (new - old) ** 2 > biggest:
                            biggest = h * (new - old) ** 2
                        B[j, k] = new
                        f = (new - old) / sj
                        for q in range(indptr[j], indptr[j + 1]):
                            R_raw[indices[q], k] -= f * data[q]
                        off[k] += f * mean[j, k]
    return biggest


@njit(cache=True, nogil=True)
def csc_multi_moments(data, indices, indptr, cols, H):
    """``(Σ_i h_ik x_ij, Σ_i h_ik x_ij²)`` per column in ``cols`` and class: (k, K) each."""
    K = H.shape[1]
    s1 = np.zeros((cols.shape[0], K))
    s2 = np.zeros((cols.shape[0], K))
    for a in range(cols.shape[0]):
        j = cols[a]
        for q in range(indptr[j], indptr[j + 1]):
            i = indices[q]
            x = data[q]
            for k in range(K):
                hx = H[i, k] * x
                s1[a, k] += hx
                s2[a, k] += hx * x
    return s1, s2


@njit(cache=True, nogil=True)
def csc_multi_xt(data, indices, indptr, V, scale, cols):
    """``(X̃ᵀV)[cols]`` (k, K) for raw columns / scale."""
    K = V.shape[1]
    out = np.zeros((cols.shape[0], K))
    for a in range(cols.shape[0]):
        j = cols[a]
        for q in range(indptr[j], indptr[j + 1]):
            i = indices[q]
            x = data[q]
            for k in range(K):
                out[a, k] += x * V[i, k]
        for k in range(K):
            out[a, k] /= scale[j]
    return out


@njit(cache=True, nogil=True)
def group_conjugate(t, G, l1, l2):
    """``Σ_j g*_j(t·G_j·)`` for the group penalty (features with a ridge part)."""
    d = 0.0
    for j in range(G.shape[0]):
        if l2[j] > 0.0:
            norm = 0.0
            for k in range(G.shape[1]):
                norm += G[j, k] * G[j, k]
            excess = t * np.sqrt(norm) - l1[j]
            if excess > 0.0:
                d += excess * excess / (2.0 * l2[j])
    return d


@njit(cache=True, nogil=True)
def group_scalings(G, l1, l2):
    """(t_feasible, t_all) for the group penalty, as ``gap.dual_scalings``."""
    t_feasible = 1.0
    t_all = 1.0
    for j in range(G.shape[0]):
        if l1[j] > 0.0:
            norm = 0.0
            for k in range(G.shape[1]):
                norm += G[j, k] * G[j, k]
            a = np.sqrt(norm)
            if a * t_all > l1[j]:
                t_all = l1[j] / a
            if l2[j] == 0.0 and a * t_feasible > l1[j]:
                t_feasible = l1[j] / a
    return t_feasible, t_all
