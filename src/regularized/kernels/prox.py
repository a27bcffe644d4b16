"""One-dimensional proximal pieces of the elastic-net penalty."""
from numba import njit

# |z| within this factor of l1 is a tie at rounding level (z is a sum of n products):
# the coordinate stays 0, as the working-set loops' KKT test (|g| > l1·(1 + 1e-12))
# already reads it. Exactly collinear columns (both levels of a dummy beside an
# intercept) otherwise keep 1e-15 coefficients decided by rounding.
TIE = 1.0 + 1e-12


@njit(cache=True, nogil=True, inline="always")
def enet_coordinate_min(z, h, l1, l2, positive):
    """Minimiser over b of ``½·h·b² − z·b + l1·|b| + ½·l2·b²`` (b ≥ 0 if positive).

    This is the exact coordinate update of coordinate descent: z is
    ``h·β_j − ∂_j f`` at the current point, h the coordinate curvature.
    Returns 0 when ``h + l2 == 0`` (an all-zero column with no ridge part), and when
    ``|z|`` exceeds l1 by a rounding-level factor only (``TIE``).
    """
    denom = h + l2
    if denom <= 0.0:
        return 0.0
    edge = l1 * TIE
    if z > edge:
        return (z - l1) / denom
    if z < -edge and not positive:
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
