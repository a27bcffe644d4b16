"""regularized.diagnostics.bias_variance: honest, by resampling, and checked against truth."""
import numpy as np
import pytest

from regularized import path
from regularized.datasets import make_sparse_regression
from regularized.diagnostics import bias_variance
from regularized.estimators import Lasso, LassoCV, LogisticRegression, PoissonRegressor, Ridge

P, SIGMA = 12, 1.0
ALPHAS = np.logspace(0.5, -3, 8)


def population(n, rng, coef):
    X = rng.standard_normal((n, P))
    return X, 1.0 + X @ coef + SIGMA * rng.standard_normal(n)


@pytest.fixture(scope="module")
def synthetic():
    X, y, coef = make_sparse_regression(500, P, n_informative=4, noise=SIGMA, random_state=3)
    return X, y, coef


@pytest.fixture(scope="module")
def truth(synthetic):
    """Monte Carlo truth for training sets of 250 fresh rows: bias², variance, error."""
    _, _, coef = synthetic
    rng = np.random.default_rng(11)
    X_test = rng.standard_normal((1500, P))
    f_test = 1.0 + X_test @ coef
    out = {}
    for name, ratio in (("lasso", 1.0), ("ridge", 0.0)):
        preds = []
        for _ in range(150):
            Xr, yr = population(250, rng, coef)
            preds.append(path(Xr, yr, l1_ratio=ratio, alphas=ALPHAS, tol=1e-6).predict(X_test))
        preds = np.stack(preds)
        bias2 = ((preds.mean(axis=0) - f_test[:, None]) ** 2).mean(axis=0)
        variance = preds.var(axis=0, ddof=1).mean(axis=0)
        out[name] = {"bias2": bias2, "variance": variance, "error": bias2 + variance + SIGMA ** 2}
    return out


@pytest.mark.parametrize("name, estimator", [("lasso", Lasso()), ("ridge", Ridge())])
def test_decomposition_matches_the_truth_on_synthetic_data(synthetic, truth, name, estimator):
    X, y, _ = synthetic
    known = bias_variance(estimator, X, y, ALPHAS, n_rounds=40, train_size=0.5,
                          noise_variance=SIGMA ** 2, random_state=0)
    auto = bias_variance(estimator, X, y, ALPHAS, n_rounds=40, train_size=0.5,
                         random_state=0)
    t = truth[name]
    assert known.n_train == 250 and known.n_points == 500
    # the parts add up to the measured error exactly
    np.testing.assert_allclose(known.bias2 + known.variance + known.noise, known.error)
    np.testing.assert_allclose(auto.bias2 + auto.variance + auto.noise, auto.error)
    # expected test error: within three standard errors of the truth
    assert np.all(np.abs(known.error - t["error"]) <= 3 * known.error_se + 0.02 * t["error"])
    # variance: the finite-population correction makes it match independent training sets
    np.testing.assert_allclose(known.variance, t["variance"], rtol=0.3, atol=0.01)
    # bias²: with the noise estimated on the same rows, their sampling errors cancel
    assert abs(auto.noise - SIGMA ** 2) < 0.15
    assert "least squares" in auto.noise_method
    # (where bias dominates, it depends on which x the data happen to hold: allow for the
    # error's standard error over rows)
    assert np.all(np.abs(auto.bias2 - t["bias2"]) <= 3 * auto.error_se + 0.04)
    # and the true parts add up to the estimated error: bias² + variance + noise
    assert np.all(np.abs(auto.error - t["error"]) <= 3 * auto.error_se + 0.02 * t["error"])
    # strong penalties: bias dominates; weak ones: bias vanishes
    assert known.bias2[0] > 10 * known.variance[0]
    assert t["bias2"][-1] < 0.02 and abs(auto.bias2[-1]) < 0.04


def test_without_a_noise_estimate_bias_and_noise_are_reported_together(synthetic):
    X, y, _ = synthetic
    res = bias_variance(Lasso(), X[:60], y[:60], ALPHAS, n_rounds=5, noise_variance=None,
                        random_state=0)
    assert np.isnan(res.noise) and np.all(np.isnan(res.bias2))
    np.testing.assert_allclose(res.bias2_plus_noise + res.variance, res.error)
    assert res.as_dict()["n_rounds"] == 5


def test_glms_use_the_mean_response_and_a_model_based_noise():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((160, 3))
    y = (X[:, 0] + 0.5 * rng.standard_normal(160) > 0).astype(int)
    res = bias_variance(LogisticRegression(l1_ratio=1.0), X, y, np.logspace(-0.5, -2.5, 5),
                        n_rounds=6, random_state=0)
    assert res.response == "probability" and 0 < res.noise < 0.25
    assert np.all((res.error >= 0) & (res.error <= 1))
    assert res.error[0] > res.error[-1]
    counts = rng.poisson(np.exp(0.5 * X[:, 1]))
    res = bias_variance(PoissonRegressor(l1_ratio=0.5), X, counts, np.logspace(-0.5, -2, 4),
                        n_rounds=4, random_state=0)
    assert res.response == "expected count" and res.noise > 0


def test_cv_estimator_grid_and_generic_estimators(synthetic):
    X, y, _ = synthetic
    X, y = X[:120], y[:120]
    cv = LassoCV(alphas=12, cv=3).fit(X, y)
    res = bias_variance(cv, X, y, n_rounds=4, random_state=0)
    np.testing.assert_array_equal(res.alphas, cv.cv_path_.alphas[::3])
    from sklearn.linear_model import Lasso as SkLasso

    sk = bias_variance(SkLasso(), X, y, [0.5, 0.05], n_rounds=4, random_state=0)
    ours = bias_variance(Lasso(), X, y, [0.5, 0.05], n_rounds=4, random_state=0)
    np.testing.assert_allclose(sk.error, ours.error, rtol=1e-3)


def test_bad_arguments():
    X = np.zeros((10, 2))
    y = np.arange(10.0)
    with pytest.raises(ValueError, match="n_rounds"):
        bias_variance(Lasso(), X, y, [1.0], n_rounds=1)
    with pytest.raises(ValueError, match="positive"):
        bias_variance(Lasso(), X, y, [-1.0])
    with pytest.raises(ValueError, match="train_size"):
        bias_variance(Lasso(), X, y, [1.0], train_size=1.5)
    with pytest.raises(ValueError, match="rows"):
        bias_variance(Lasso(), X, y[:5], [1.0])


def test_sparse_design_gives_the_dense_decomposition():
    import scipy.sparse as sp

    rng = np.random.default_rng(3)
    X = sp.random(300, 30, density=0.15, random_state=3, format="csr")
    y = X @ rng.standard_normal(30) + rng.standard_normal(300)
    sparse = bias_variance(Lasso(alpha=0.01), X, y, n_rounds=4, random_state=0, tol=1e-11)
    dense = bias_variance(Lasso(alpha=0.01), X.toarray(), y, n_rounds=4, random_state=0,
                          tol=1e-11)
    assert np.isfinite(sparse.noise)
    np.testing.assert_allclose(sparse.noise, dense.noise, rtol=1e-10)
    np.testing.assert_allclose(sparse.error, dense.error, rtol=1e-6)
    np.testing.assert_allclose(sparse.bias2, dense.bias2, rtol=1e-6)
