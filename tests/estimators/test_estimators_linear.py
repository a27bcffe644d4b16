"""Squared-loss estimators against scikit-learn's own, at tight tolerance.

scikit-learn runs at tol=1e-12 (or exact solvers); ours at a relative duality gap of 1e-12
(coefficients agree to about the square root of the gap times the conditioning, so the
comparisons use rtol 1e-5 / atol 1e-6 for coordinate-descent fits, 1e-9 for closed forms).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sk
from sklearn.model_selection import KFold

import regularized
from regularized.estimators import ElasticNet, ElasticNetCV, Lasso, LassoCV, Ridge, RidgeCV

TOL = 1e-12
CD = dict(rtol=1e-5, atol=1e-6)
EXACT = dict(rtol=1e-9, atol=1e-10)


def _problem(n=60, p=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + rng.uniform(-1, 1, p)       # non-centred columns
    beta = np.zeros(p)
    beta[:4] = [2.0, -1.5, 1.0, 0.5]
    y = X @ beta + 1.0 + 0.8 * rng.standard_normal(n)
    w = rng.uniform(0.2, 2.0, n)
    return X, y, w


def _assert_same_fit(ours, theirs, tol):
    np.testing.assert_allclose(ours.coef_, theirs.coef_, **tol)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, **tol)


@pytest.mark.parametrize("design", ["dense", "csr", "csc"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_lasso_and_enet_match_sklearn(design, weighted, fit_intercept):
    X, y, w = _problem(seed=1)
    w = w if weighted else None
    Xd = X if design == "dense" else sp.csr_matrix(X).asformat(design)
    for ours, theirs in [
        (Lasso(0.05, fit_intercept=fit_intercept, tol=TOL),
         sk.Lasso(0.05, fit_intercept=fit_intercept, tol=1e-14, max_iter=100_000)),
        (ElasticNet(0.1, l1_ratio=0.3, fit_intercept=fit_intercept, tol=TOL),
         sk.ElasticNet(0.1, l1_ratio=0.3, fit_intercept=fit_intercept, tol=1e-14,
                       max_iter=100_000)),
        (Lasso(0.05, positive=True, fit_intercept=fit_intercept, tol=TOL),
         sk.Lasso(0.05, positive=True, fit_intercept=fit_intercept, tol=1e-14,
                  max_iter=100_000)),
    ]:
        ours.fit(Xd, y, sample_weight=w)
        theirs.fit(X, y, sample_weight=w)
        _assert_same_fit(ours, theirs, CD)
        assert ours.dual_gap_ <= TOL and ours.n_iter_ >= 1
        assert ours.path_.alphas[0] == ours.alpha
        np.testing.assert_allclose(ours.predict(Xd), theirs.predict(X), **CD)
        assert ours.sparse_coef_.shape == (1, X.shape[1])


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("shape", [(60, 10), (15, 30)], ids=["tall", "wide"])
def test_ridge_matches_sklearn_sum_scale(weighted, fit_intercept, shape):
    X, y, w = _problem(*shape, seed=2)
    w = w if weighted else None
    ours = Ridge(3.0, fit_intercept=fit_intercept).fit(X, y, sample_weight=w)
    theirs = sk.Ridge(3.0, fit_intercept=fit_intercept, solver="cholesky").fit(
        X, y, sample_weight=w)
    _assert_same_fit(ours, theirs, EXACT)
    total = X.shape[0] if w is None else w.sum()
    assert ours.path_.alphas[0] == pytest.approx(3.0 / total)
    # sparse X gives the same fit
    s = Ridge(3.0, fit_intercept=fit_intercept).fit(sp.csr_matrix(X), y, sample_weight=w)
    _assert_same_fit(s, theirs, EXACT)


def test_positive_ridge_matches_sklearn():
    X, y, _ = _problem(seed=3)
    y = y - 3 * X[:, 1]                                    # some coefficients want to be < 0
    ours = Ridge(5.0, positive=True, tol=TOL).fit(X, y)
    theirs = sk.Ridge(5.0, positive=True, solver="lbfgs", tol=1e-14).fit(X, y)
    assert np.all(ours.coef_ >= 0) and np.any(ours.coef_ == 0)
    _assert_same_fit(ours, theirs, dict(rtol=1e-5, atol=1e-6))


def test_relaxed_lasso_is_mix_with_least_squares_on_support():
    X, y, w = _problem(seed=4)
    lasso = Lasso(0.2, tol=TOL).fit(X, y, sample_weight=w)
    support = np.flatnonzero(lasso.coef_)
    ols = sk.LinearRegression().fit(X[:, support], y, sample_weight=w)
    for gamma in (0.0, 0.3, 1.0):
        rel = Lasso(0.2, tol=TOL, relax=True, gamma=gamma).fit(X, y, sample_weight=w)
        expect = gamma * lasso.coef_
        expect[support] += (1 - gamma) * ols.coef_
        np.testing.assert_allclose(rel.coef_, expect, **CD)
        np.testing.assert_allclose(rel.intercept_,
                                   gamma * lasso.intercept_ + (1 - gamma) * ols.intercept_, **CD)
    with pytest.raises(ValueError, match="gamma"):
        Lasso(0.2, relax=True, gamma=2.0).fit(X, y)


def test_penalty_factor_standardize_pass_through():
    X, y, w = _problem(seed=5)
    v = np.r_[0.0, 2.0, np.ones(8)]
    kw = dict(penalty_factor=v, standardize=True, tol=TOL)
    ours = ElasticNet(0.1, l1_ratio=0.6, **kw).fit(X, y, sample_weight=w)
    ref = regularized.path(X, y, l1_ratio=0.6, alphas=[0.1], sample_weight=w, **kw)
    np.testing.assert_allclose(ours.coef_, ref.coef[0], **EXACT)
    assert ours.coef_[0] != 0.0                             # unpenalized feature stays in


@pytest.mark.parametrize("make", [lambda: Lasso(alpha=0.0), lambda: ElasticNet(alpha=0),
                                  lambda: Ridge(alpha=0.0)], ids=["lasso", "enet", "ridge"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_alpha_zero_is_least_squares(make, weighted):
    """scikit-learn fits alpha=0 (with a warning for the lasso): the unpenalized fit."""
    from sklearn.linear_model import LinearRegression

    X, y, w = _problem(n=70, p=6, seed=9)
    w = w if weighted else None
    ours = make().fit(X, y, sample_weight=w)
    theirs = LinearRegression().fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-9, atol=1e-10)
    assert ours.dual_gap_ <= 1e-12


def test_invalid_parameters_raise():
    X, y, _ = _problem()
    with pytest.raises(ValueError, match="alpha"):
        Lasso(alpha=-0.1).fit(X, y)
    with pytest.raises(ValueError, match="alpha"):
        Ridge(alpha=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="l1_ratio"):
        ElasticNet(l1_ratio=1.5).fit(X, y)
    with pytest.raises(ValueError, match="selection"):
        LassoCV(selection="best").fit(X, y)
    with pytest.raises(ValueError, match="criterion"):
        LassoCV(criterion="cp").fit(X, y)
    with pytest.raises(ValueError, match="cv"):
        RidgeCV(cv="kfold").fit(X, y)
    with pytest.raises(ValueError, match="1se"):
        LassoCV(criterion="bic", selection="1se").fit(X, y)


# ------------------------------------------------------------------------------------------
# CV estimators against scikit-learn's
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_lassocv_matches_sklearn(weighted):
    X, y, w = _problem(n=80, p=12, seed=6)
    w = w if weighted else None
    ours = LassoCV(cv=KFold(5), tol=TOL, alphas=40).fit(X, y, sample_weight=w)
    theirs = sk.LassoCV(alphas=ours.alphas_, cv=KFold(5), tol=1e-14, max_iter=100_000).fit(
        X, y, sample_weight=w)
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-6)
    assert ours.alpha_ == ours.alpha_min_ == theirs.alpha_
    _assert_same_fit(ours, theirs, CD)
    assert ours.mse_path_.shape == (40, 5)


def test_lassocv_default_grid_is_sklearn_with_eps():
    X, y, _ = _problem(n=50, p=8, seed=7)
    ours = LassoCV(eps=1e-3, alphas=20, cv=KFold(4), tol=1e-10).fit(X, y)
    theirs = sk.LassoCV(eps=1e-3, alphas=20, cv=KFold(4), tol=1e-12).fit(X, y)
    np.testing.assert_allclose(ours.alphas_, theirs.alphas_, rtol=1e-10)


def test_elasticnetcv_grid_over_l1_ratio_matches_sklearn():
    X, y, w = _problem(n=70, p=10, seed=8)
    ratios = [0.2, 0.7, 1.0]
    ours = ElasticNetCV(l1_ratio=ratios, cv=KFold(4), tol=TOL, alphas=25).fit(
        X, y, sample_weight=w)
    # n ≥ p: the default grids agree (eps = 1e-3, scikit-learn's)
    theirs = sk.ElasticNetCV(l1_ratio=ratios, alphas=25, cv=KFold(4), tol=1e-14,
                             max_iter=100_000).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.alphas_, theirs.alphas_, rtol=1e-10)
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-6)
    assert ours.l1_ratio_ == theirs.l1_ratio_ and ours.alpha_ == pytest.approx(theirs.alpha_)
    _assert_same_fit(ours, theirs, CD)
    res = ours.cv_results_
    assert res["mean_score"].shape == (75,) and set(res["l1_ratio"]) == set(ratios)
    best = int(np.argmin(res["mean_score"]))
    assert res["rank_score"][best] == 1
    assert (res["l1_ratio"][best], res["alpha"][best]) == (ours.l1_ratio_, ours.alpha_)


def test_cv_results_are_the_cv_path():
    X, y, _ = _problem(n=60, p=8, seed=9)
    est = LassoCV(cv=3, alphas=15, tol=1e-10, selection="1se").fit(X, y)
    c = est.cv_path_
    np.testing.assert_array_equal(est.cv_results_["mean_score"], c.cvm)
    np.testing.assert_array_equal(est.cv_results_["se_score"], c.cvsd)
    for k in range(3):
        np.testing.assert_array_equal(est.cv_results_[f"split{k}_score"], c.fold_scores[k])
    assert est.alpha_ == est.alpha_1se_ == c.alpha_1se and est.alpha_min_ == c.alpha_min
    np.testing.assert_array_equal(est.coef_, est.path_.coef[c.index_1se])
    assert est.path_ is c.path


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("shape", [(50, 8), (20, 40)], ids=["tall", "wide"])
def test_ridgecv_loo_matches_sklearn(weighted, shape):
    X, y, w = _problem(*shape, seed=10)
    w = w if weighted else None
    alphas = np.logspace(-2, 3, 25)
    ours = RidgeCV(alphas).fit(X, y, sample_weight=w)
    theirs = sk.RidgeCV(alphas).fit(X, y, sample_weight=w)
    assert ours.alpha_ == theirs.alpha_
    _assert_same_fit(ours, theirs, EXACT)
    # scikit-learn's per-alpha LOO errors (store_cv_results) are proportional to ours
    theirs = sk.RidgeCV(alphas, store_cv_results=True).fit(X, y, sample_weight=w)
    sk_mean = theirs.cv_results_.mean(axis=0)[::-1]                # our grid decreases
    ratio = ours.cv_path_.cvm / sk_mean
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-8)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_ridgecv_kfold_matches_sklearn(weighted):
    X, y, w = _problem(n=60, p=8, seed=11)
    w = w if weighted else None
    alphas = np.logspace(-2, 3, 20)
    ours = RidgeCV(alphas, cv=KFold(5)).fit(X, y, sample_weight=w)
    theirs = sk.RidgeCV(alphas, cv=KFold(5)).fit(X, y, sample_weight=w)
    assert ours.alpha_ == theirs.alpha_
    _assert_same_fit(ours, theirs, EXACT)
    if w is None:                                  # R² per fold, as GridSearchCV scores it
        from sklearn.model_selection import GridSearchCV

        gs = GridSearchCV(sk.Ridge(), {"alpha": alphas}, cv=KFold(5)).fit(X, y)
        np.testing.assert_allclose(1 - ours.cv_path_.cvm,
                                   gs.cv_results_["mean_test_score"][::-1], rtol=1e-9)


def test_ridgecv_gcv_and_selection():
    X, y, _ = _problem(n=40, p=6, seed=12)
    alphas = np.logspace(-2, 3, 30)
    gcv = RidgeCV(alphas, cv="gcv").fit(X, y)
    one = RidgeCV(alphas, selection="1se").fit(X, y)
    assert one.alpha_ == one.alpha_1se_ >= one.alpha_min_
    assert gcv.cv_path_.n_folds == 40
    assert "split0_score" not in one.cv_results_
    with pytest.raises(ValueError, match="scoring"):
        RidgeCV(alphas, scoring="mae").fit(X, y)


@pytest.mark.parametrize("criterion", ["aic", "bic"])
def test_information_criteria_select_alpha(criterion):
    X, y, _ = _problem(n=80, p=10, seed=13)
    est = LassoCV(criterion=criterion, alphas=30, tol=1e-10).fit(X, y)
    assert est.alpha_ == est.alphas_[int(np.argmin(est.criterion_))]
    np.testing.assert_array_equal(est.coef_, est.path_.coef[int(np.argmin(est.criterion_))])
    assert est.noise_variance_ > 0
    ridge = RidgeCV(np.logspace(-2, 3, 20), criterion=criterion).fit(X, y)
    assert ridge.alpha_ == ridge.alphas_[int(np.argmin(ridge.criterion_))]
    # the lasso's df is its number of non-zeros
    np.testing.assert_array_equal(est.ic_path_.df, est.path_.n_nonzero)
    # and scikit-learn's LassoLarsIC, on its own (LARS) grid, picks a similar support size
    lars = sk.LassoLarsIC(criterion=criterion).fit(X, y)
    assert abs(np.count_nonzero(lars.coef_) - np.count_nonzero(est.coef_)) <= 2


def test_relaxed_lassocv():
    X, y, _ = _problem(n=80, p=15, seed=14)
    est = LassoCV(relax=True, cv=4, alphas=20, tol=1e-10).fit(X, y)
    c = est.cv_path_
    assert c.cvm.shape == (5, 20) and est.cv_results_["mean_score"].shape == (100,)
    g, a = c.index_min
    assert est.gamma_ == c.gammas[g] and est.alpha_ == c.alphas[a]
    np.testing.assert_allclose(est.coef_, c.relaxed.coef(est.gamma_)[a])
    np.testing.assert_allclose(est.predict(X), X @ est.coef_ + est.intercept_)
    with pytest.raises(ValueError, match="relax"):
        LassoCV(relax=True, criterion="bic").fit(X, y)


def test_pandas_feature_names():
    pd = pytest.importorskip("pandas")
    X, y, _ = _problem(n=40, p=4, seed=15)
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    for est in (Lasso(0.1), Ridge(), ElasticNetCV(cv=3, alphas=5), RidgeCV()):
        est.fit(df, pd.Series(y))
        assert list(est.feature_names_in_) == ["a", "b", "c", "d"]
        assert est.n_features_in_ == 4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est.predict(df)


def test_lasso_cv_default_grid_extends_past_a_minimum_at_its_small_end():
    # Wide data (80 x 5000, correlated blocks, gene-expression-like scales): glmnet's default grid for n < p stops at
    # 1e-2 alpha_max, at the CV minimum, so alpha_ was the grid's last alpha (CV error
    # still falling); the default grid is extended there. A grid set by eps is only noted.
    import warnings

    from sklearn.model_selection import KFold

    from regularized.estimators import LassoCV

    rng = np.random.default_rng(0)
    n, p = 80, 5000
    F = rng.normal(size=(n, 50))
    X = np.sqrt(0.8) * np.repeat(F, 100, axis=1) + np.sqrt(0.2) * rng.normal(size=(n, p))
    X = X * rng.uniform(0.5, 3, p) + rng.uniform(2, 10, p)
    beta = np.zeros(p)
    beta[[3, 250, 1234, 2222, 4321]] = [1.5, -1.0, 0.8, 1.2, -0.7]
    y = X @ beta + rng.normal(size=n)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = LassoCV(cv=KFold(5, shuffle=True, random_state=1)).fit(X, y)
    notes = [str(w.message) for w in caught if "cross-validated minimum" in str(w.message)]
    assert not notes and est.cv_path_.edge is None
    assert est.alphas_.max() / est.alphas_.min() > 1e3          # past glmnet's 1e-2
    with pytest.warns(UserWarning, match="minimum of the mse is at the smallest alpha"):
        short = LassoCV(cv=KFold(5, shuffle=True, random_state=1), eps=1e-2).fit(X, y)
    assert short.alpha_ == short.alphas_.min()


def test_cv_default_grid_depth_is_scikit_learns_for_n_at_least_p_and_glmnets_below():
    """LassoCV's default grid ends at 1e-3·alpha_max when n ≥ p (scikit-learn's eps; glmnet's
    1e-4 ran the folds a decade further into near-saturated fits), 1e-2 when n < p."""
    X, y, _ = _problem(n=80, p=10, seed=12)
    est = LassoCV(cv=KFold(4), tol=1e-10).fit(X, y)
    assert est.alphas_[-1] / est.alphas_[0] == pytest.approx(1e-3, rel=1e-12)
    theirs = sk.LassoCV(cv=KFold(4), tol=1e-14, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(est.alphas_, theirs.alphas_, rtol=1e-10)
    assert est.alpha_ == pytest.approx(theirs.alpha_)
    rng = np.random.default_rng(13)
    Xw = rng.standard_normal((30, 60))
    yw = Xw[:, :3] @ np.array([3.0, -2.0, 1.0]) + 2.0 * rng.standard_normal(30)
    wide = LassoCV(cv=KFold(3), tol=1e-8).fit(Xw, yw)
    assert wide.alphas_[-1] / wide.alphas_[0] == pytest.approx(1e-2, rel=1e-12)


def test_sparse_cv_folds_in_threads_by_default_equal_one_after_the_other():
    """n_jobs=None runs the fold paths on numba's threads: the same numbers as n_jobs=1."""
    rng = np.random.default_rng(14)
    X = sp.random(300, 80, density=0.1, random_state=14, format="csc")
    beta = np.zeros(80)
    beta[:5] = rng.normal(0.0, 3.0, 5)
    y = np.asarray(X @ beta).ravel() + 0.5 * rng.standard_normal(300)
    kw = dict(cv=KFold(5), tol=1e-9, fit_intercept=False)
    threaded = LassoCV(**kw).fit(X, y)
    serial = LassoCV(n_jobs=1, **kw).fit(X, y)
    np.testing.assert_array_equal(threaded.mse_path_, serial.mse_path_)
    np.testing.assert_array_equal(threaded.coef_, serial.coef_)


def test_ridge_columns_on_wildly_different_scales_match_sklearn():
    """One column ×1e6, one ×1e-6: the one-alpha fit solves the shifted system directly
    (an eigendecomposition of that Gram lost 7e-4 on an ordinary coefficient)."""
    from sklearn.linear_model import Ridge as SkRidge

    rng = np.random.default_rng(1)
    n, p = 20000, 50
    X = rng.standard_normal((n, p)) @ np.linalg.cholesky(0.5 * np.eye(p) + 0.5).T
    y = X[:, :5] @ [3.0, -2.0, 1.5, 1.0, -1.0] + 2.0 * rng.standard_normal(n) + 10.0
    X[:, 0] *= 1e6
    X[:, 1] *= 1e-6
    ours = Ridge(alpha=10.0).fit(X, y)
    theirs = SkRidge(alpha=10.0).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-7, atol=1e-9)
    assert ours.dual_gap_ <= 1e-7
