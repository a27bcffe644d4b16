"""One-dimensional proximal pieces of the elastic-net penalty."""
from numba import njit


@njit(cache=True, nogil=True, inline="always")
def enet_coordinate_min(z, h, l1, l2, positive):
    """Minimiser over b of ``½·h·b² − z·b + l1·|b| + ½·l2·b²`` (b ≥ 0 if positive).

    This is the exact coordinate update of coordinate descent: z is
    ``h·β_j − ∂_j f`` at the current point, h the coordinate curvature.
    Returns 0 when ``h + l2 == 0`` (an all-zero column with no ridge part).
    """
    denom = h + l2
    if denom <= 0.0:
        return 0.0
    if z > l1:
        return (z - l1) / denom
    if z < -l1 and not positive:
        return (z + l1) / denom
    return 0.0


@njit(cache=True, nogil=True, inline="always")
def soft_threshold(x, t):
    """``sign(x)·max(|x| − t, 0)``: the proximal operator of ``t·|·|``."""
    if x > t:
        return x - t
    if x < -t:
        return x + t
    return 0.0
