"""Kernels of the multinomial solver: coordinate descent on its Newton model.

``csc_multi_newton_cd`` minimises the exact second-order model of the
multinomial loss (class coupling included) plus, per feature, either a
separable elastic net on every entry or, when ``grouped``,
``pen_j(b) = l1_j‖b‖₂ + ½ l2_j‖b‖²`` (a feature is in or out for all classes;
the block step uses a bound on the block's curvature, so it still decreases
the model). ``class_shifts`` moves each feature's row of coefficients along
the direction the loss cannot see. The rest are the products the solver
needs (gradients, curvature moments, couplings) and the group dual pieces.
"""
import numpy as np
from numba import njit

from .prox import enet_coordinate_min


@njit(cache=True, nogil=True)
def csc_multi_newton_cd(data, indices, indptr, dense, scale, WG, WP, P, S1, C, hess, B, D, s,
                        off, ws, l1, l2, positive, grouped, n_epochs):
    """Epochs of coordinate descent on the exact multinomial Newton model.

    Minimises over the coefficients ``B`` (p, K) of the columns ``ws`` and the
    intercepts the second-order model of the loss at the current P::

        Σ_i [ g_iᵀΔη_i + ½ Δη_iᵀ W_i Δη_i ] + Σ_j pen_j(B_j·),
        g_i = w_i(p_i − y_i),  W_i = w_i(diag p_i − p_i p_iᵀ),
        Δη_i = Δb + x̃_iᵀ ΔB  (x̃ = raw column / scale),

    keeping the class coupling ``−p_i p_iᵀ`` that a per-class diagonal model
    drops. Coordinate (j, k) moves along ``x̃_j e_k − c_jk`` with the constant
    ``c_jk = A⁺ S1_j e_k / s_j`` (``A = Σ_i W_i``, ``S1_j = Σ_i x_ij W_i``):
    centred in the model's metric, so the intercepts stay at their optimum
    (the intercept gradient is zero on entry and stays zero) and the
    coordinate's curvature ``hess[j, k]`` is that of the centred direction.
    With no intercept, ``C`` is zero. ``dense``: the CSC arrays hold whole
    columns (row ids 0..n−1), so the row loops run without the index array.

    State, all updated: ``D`` (K, n) and ``s`` (n) hold the column part of
    Δηᵀ and ``Σ_k p_ik D_ki``; ``off`` (K) is the intercept step (the true
    Δη_ik is ``D_ki + off_k``). ``WG`` = gᵀ, ``WP`` = (w p)ᵀ, ``P`` = pᵀ, all
    (K, n). ``S1``, ``C`` (len(ws), K, K): per working-set column, ``C[a]``
    holding the ``c_jk`` as columns. ``grouped``: ``hess`` holds majorizers of
    the block curvature and the block step uses their maximum.

    Returns the largest ``curvature·Δ²`` of the last epoch.
    """
    K = WG.shape[0]
    g = np.empty(K)
    biggest = 0.0
    for _ in range(n_epochs):
        biggest = 0.0
        for a in range(ws.shape[0]):
            j = ws[a]
            sj = scale[j]
            lo = indptr[j]
            hi = indptr[j + 1]
            if grouped:
                L = 0.0
                for k in range(K):
                    if hess[j, k] > L:
                        L = hess[j, k]
                if L + l2[j] <= 0.0:
                    continue
                norm = 0.0
                for k in range(K):
                    acc = _coupled_dot(data, indices, lo, hi, dense, k, WG, WP, D, s)
                    for l in range(K):
                        acc += S1[a, k, l] * off[l]
                    u = B[j, k] - acc / (sj * L) if L > 0.0 else 0.0
                    if positive and u < 0.0:
                        u = 0.0
                    g[k] = u
                    norm += u * u
                norm = np.sqrt(norm)
                # prox of (l1‖·‖ + ½ l2‖·‖² [+ the indicator of b ≥ 0])/L at u: the
                # projection on b ≥ 0 (above), then group soft-threshold and shrink
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
                        _move(data, indices, lo, hi, dense, delta / sj, k, P, D, s)
                        for l in range(K):
                            off[l] -= delta * C[a, l, k]
            else:
                for k in range(K):
                    h = hess[j, k]
                    acc = _coupled_dot(data, indices, lo, hi, dense, k, WG, WP, D, s)
                    for l in range(K):
                        acc += S1[a, k, l] * off[l]
                    old = B[j, k]
                    new = enet_coordinate_min(h * old - acc / sj, h, l1[j], l2[j], positive)
                    if new != old:
                        delta = new - old
                        if h * delta * delta > biggest:
                            biggest = h * delta * delta
                        B[j, k] = new
                        _move(data, indices, lo, hi, dense, delta / sj, k, P, D, s)
                        for l in range(K):
                            off[l] -= delta * C[a, l, k]
    return biggest


@njit(cache=True, nogil=True, inline="always")
def _coupled_dot(data, indices, lo, hi, dense, k, WG, WP, D, s):
    """``Σ_i x_i (WG_ki + WP_ki (D_ki − s_i))``: the model's gradient along column x."""
    acc = 0.0
    if dense:
        for i in range(hi - lo):
            acc += data[lo + i] * (WG[k, i] + WP[k, i] * (D[k, i] - s[i]))
    else:
        for q in range(lo, hi):
            i = indices[q]
            acc += data[q] * (WG[k, i] + WP[k, i] * (D[k, i] - s[i]))
    return acc


@njit(cache=True, nogil=True, inline="always")
def _move(data, indices, lo, hi, dense, f, k, P, D, s):
    """Column part of a coordinate step: ``D_k += f·x``, ``s += f·p_k⊙x``."""
    if dense:
        for i in range(hi - lo):
            dx = f * data[lo + i]
            D[k, i] += dx
            s[i] += P[k, i] * dx
    else:
        for q in range(lo, hi):
            i = indices[q]
            dx = f * data[q]
            D[k, i] += dx
            s[i] += P[k, i] * dx


@njit(cache=True, nogil=True)
def csc_multi_coupling(data, indices, indptr, cols, WP, P):
    """``T_j = Σ_i x_ij w_i p_i p_iᵀ`` and ``d_j = Σ_i x_ij w_i p_i`` for the
    columns ``cols``: (len(cols), K, K) and (len(cols), K)."""
    K = WP.shape[0]
    T = np.zeros((cols.shape[0], K, K))
    d = np.zeros((cols.shape[0], K))
    for a in range(cols.shape[0]):
        j = cols[a]
        for q in range(indptr[j], indptr[j + 1]):
            i = indices[q]
            x = data[q]
            for k in range(K):
                xw = x * WP[k, i]
                d[a, k] += xw
                for l in range(k, K):
                    T[a, k, l] += xw * P[l, i]
        for k in range(K):
            for l in range(k):
                T[a, k, l] = T[a, l, k]
    return T, d


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


@njit(cache=True, nogil=True)
def class_shifts(B, l1, l2, positive, grouped, rows, shift):
    """Per-row shift ``c_j`` minimising the penalty of ``B_j· + c_j·1``.

    Adding the same ``c_j`` to every class's coefficient of feature j leaves
    the softmax, hence the multinomial loss, unchanged; only the penalty
    decides where the row sits (glmnet centres the same way). Minimises
    ``Σ_k l1|b_k + c| + ½ l2 (b_k + c)²`` (a weighted median when l2 = 0),
    ``l1‖b + c1‖ + ½ l2‖b + c1‖²`` (the mean) when ``grouped``, subject to
    ``b + c1 ≥ 0`` when ``positive``. Rows without penalty get ``c = 0``.
    Writes ``shift[a]`` for ``rows[a]``.
    """
    K = B.shape[1]
    v = np.empty(K)
    for a in range(rows.shape[0]):
        j = rows[a]
        c = 0.0
        if l1[j] > 0.0 or l2[j] > 0.0:
            s = 0.0
            lowest = np.inf
            for k in range(K):
                v[k] = -B[j, k]
                s += B[j, k]
                if B[j, k] < lowest:
                    lowest = B[j, k]
            if grouped:
                c = -s / K
            else:
                v.sort()
                # the derivative in c is l1·(#{b_k + c > 0} − #{b_k + c < 0}) + l2·(s + Kc),
                # piecewise linear and increasing with kinks at the sorted −b_k
                for m in range(K + 1):
                    base = l1[j] * (2 * m - K) + l2[j] * s
                    lo = v[m - 1] if m > 0 else -np.inf
                    hi = v[m] if m < K else np.inf
                    if l2[j] > 0.0:
                        root = -base / (l2[j] * K)
                        if lo <= root <= hi:
                            c = root
                            break
                    if m < K:
                        left = base + l2[j] * K * hi
                        if left <= 0.0 <= left + 2.0 * l1[j]:
                            c = hi
                            break
            if positive and c < -lowest:
                c = -lowest
        shift[a] = c


@njit(cache=True, nogil=True)
def multi_newton_state(data, indices, indptr, dense, scale, P, C, B, B0, ws, off0, D, s, off):
    """Rebuild the state of ``csc_multi_newton_cd`` for coefficients ``B`` from
    scratch: the model's predictor change for the step ``B − B0`` along the
    centred directions (``D``, ``s`` and ``off``, as there), e.g. after an
    extrapolation of the iterates."""
    K = D.shape[0]
    D[:, :] = 0.0
    s[:] = 0.0
    off[:] = off0
    for a in range(ws.shape[0]):
        j = ws[a]
        for k in range(K):
            delta = B[j, k] - B0[j, k]
            if delta != 0.0:
                _move(data, indices, indptr[j], indptr[j + 1], dense, delta / scale[j], k, P,
                      D, s)
                for l in range(K):
                    off[l] -= delta * C[a, l, k]
