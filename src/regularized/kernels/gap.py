"""Duality gap of the elastic-net least-squares problem.

The problem, in "sum" scale after the weights are folded into the data
(``ỹ = √w ⊙ y``, ``x̃_j = √w ⊙ x_j``)::

    P(β) = ½‖ỹ − X̃β‖² + Σ_j ( l1_j |β_j| + ½ l2_j β_j² )

with ``l1_j = n·α·ρ·v_j`` and ``l2_j = n·α·(1−ρ)·v_j`` (this is n times the
objective of DESIGN §1). Its Fenchel dual, for θ ∈ ℝⁿ, is::

    D(θ) = θᵀỹ − ½‖θ‖² − Σ_j g*_j(x̃_jᵀθ)
    g*_j(s) = (|s| − l1_j)₊² / (2·l2_j)        if l2_j > 0
            = 0 if |s| ≤ l1_j, +∞ otherwise     if l2_j = 0

(``|s|`` becomes ``s`` under ``positive``). The dual point is the residual
scaled by t ∈ (0, 1], ``θ = t·r``, so with ``g = X̃ᵀr``, ``rr = ‖r‖²`` and
``ry = rᵀỹ`` every quantity is a scalar function of t. Unpenalized features
(``l1_j = l2_j = 0``) carry the constraint ``x̃_jᵀθ = 0``, which coordinate
descent satisfies at each of its points up to rounding; it is not enforced.
"""
import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def penalty_conjugate(t, g, l1, l2, positive):
    """``Σ_j g*_j(t·g_j)`` over the features with a ridge part (the others are
    kept feasible by the choice of t and contribute 0)."""
    d = 0.0
    for j in range(g.shape[0]):
        if positive and l1[j] == 0.0 and l2[j] == 0.0 and t * g[j] > 0.0:
            # β_j ≥ 0 unpenalized: the dual needs x̃_jᵀθ ≤ 0
            return np.inf
        if l2[j] > 0.0:
            s = t * g[j]
            a = s if positive else abs(s)
            excess = a - l1[j]
            if excess > 0.0:
                d += excess * excess / (2.0 * l2[j])
    return d


@njit(cache=True, nogil=True)
def dual_scalings(g, l1, l2, positive):
    """Two feasible scalings of the dual point ``θ = t·r``.

    ``t_feasible``: the largest t ≤ 1 keeping the pure-L1 constraints
    ``|t·g_j| ≤ l1_j`` (l2_j = 0); ``t_all``: the same ratio over every
    L1-penalized feature (scikit-learn's scaling), often better when the L2
    part is small.
    """
    t_feasible = 1.0
    t_all = 1.0
    for j in range(g.shape[0]):
        if l1[j] > 0.0:
            a = g[j] if positive else abs(g[j])
            if a * t_all > l1[j]:
                t_all = l1[j] / a
            if l2[j] == 0.0 and a * t_feasible > l1[j]:
                t_feasible = l1[j] / a
    return t_feasible, t_all


@njit(cache=True, nogil=True)
def penalty_value(beta, l1, l2):
    pen = 0.0
    for j in range(beta.shape[0]):
        b = beta[j]
        pen += l1[j] * abs(b) + 0.5 * l2[j] * b * b
    return pen


@njit(cache=True, nogil=True)
def _dual_value(t, g, l1, l2, positive, rr, ry):
    return t * ry - 0.5 * t * t * rr - penalty_conjugate(t, g, l1, l2, positive)


@njit(cache=True, nogil=True)
def enet_primal_dual(g, beta, l1, l2, positive, rr, ry):
    """Return ``(P(β), D(θ))`` for the best of two scalings of the residual.

    Parameters
    ----------
    g : (m,) ``X̃ᵀr`` on the m features considered (all, or a working set).
    beta : (m,) coefficients on the same features.
    l1, l2 : (m,) per-feature penalty weights (sum scale).
    rr, ry : ``‖r‖²`` and ``rᵀỹ``.
    """
    primal = 0.5 * rr + penalty_value(beta, l1, l2)
    t_feasible, t_all = dual_scalings(g, l1, l2, positive)
    d1 = _dual_value(t_feasible, g, l1, l2, positive, rr, ry)
    d2 = _dual_value(t_all, g, l1, l2, positive, rr, ry)
    return primal, max(d1, d2)

