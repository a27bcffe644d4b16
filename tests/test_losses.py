"""The losses' values and dual values against plain NumPy formulas, extremes included."""
import numpy as np
import pytest
from scipy.special import xlogy

from regularized.losses import LogisticLoss, PoissonLoss


def _eta(rng, n):
    eta = rng.normal(size=n) * 5.0
    eta[:6] = [700.0, -700.0, 0.0, 36.0, -36.0, 1e-12]
    return eta


def test_logistic_value_is_the_stable_softplus_sum():
    rng = np.random.default_rng(0)
    y = (rng.random(500) < 0.4).astype(float)
    eta = _eta(rng, 500)
    w = rng.uniform(0.5, 2.0, 500)
    ref = float(w @ (np.logaddexp(0.0, eta) - y * eta))
    assert LogisticLoss().value(y, eta, w) == pytest.approx(ref, rel=1e-13)


@pytest.mark.parametrize("t", [0.0, 1e-9, 0.37, 1.0])
def test_logistic_dual_loss_is_minus_the_weighted_entropy(t):
    rng = np.random.default_rng(1)
    y = (rng.random(400) < 0.5).astype(float)
    mu = 1.0 / (1.0 + np.exp(-_eta(rng, 400)))
    w = rng.uniform(0.5, 2.0, 400)
    m = (1.0 - t) * y + t * mu
    ref = -float(w @ (xlogy(m, m) + xlogy(1.0 - m, 1.0 - m)))
    assert LogisticLoss().dual_loss(y, mu - y, t, w) == pytest.approx(ref, rel=1e-12,
                                                                      abs=1e-12)


def test_poisson_value_matches_numpy():
    rng = np.random.default_rng(2)
    y = rng.poisson(3.0, 300).astype(float)
    eta = rng.normal(size=300)
    w = rng.uniform(0.5, 2.0, 300)
    assert PoissonLoss().value(y, eta, w) == pytest.approx(float(w @ (np.exp(eta) - y * eta)),
                                                           rel=1e-13)
