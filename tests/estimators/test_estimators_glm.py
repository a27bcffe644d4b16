"""GLM estimators against scikit-learn's LogisticRegression / PoissonRegressor.

scikit-learn runs at tol=1e-12 with lbfgs (L2) or saga (L1); ours at a relative duality gap of
1e-12. Coefficients agree to about the square root of the gap times the conditioning; the
multinomial loss is flat along a common shift of the class coefficients (only the penalty
pins it), so the multinomial comparison is on probabilities.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold

import regularized
from regularized.cv import fold_score
from regularized.estimators import (LogisticRegression, LogisticRegressionCV, PoissonRegressor,
                                    PoissonRegressorCV)

TOL = 1e-12
CLOSE = dict(rtol=1e-5, atol=1e-6)


def _binary(n=120, p=5, seed=0, labels=("no", "yes")):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    eta = X @ np.r_[1.5, -1.0, 0.5, np.zeros(p - 3)] + 0.3
    y = np.where(rng.random(n) < 1 / (1 + np.exp(-eta)), labels[1], labels[0])
    w = rng.uniform(0.3, 2.0, n)
    return X, y, w


def _multiclass(n=150, p=4, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    B = rng.standard_normal((3, p))
    eta = X @ B.T
    P = np.exp(eta - eta.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    y = np.array([rng.choice(3, p=row) for row in P])
    return X, y


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("design", ["dense", "csr"])
def test_binary_l2_matches_sklearn(weighted, design):
    X, y, w = _binary(seed=2)
    w = w if weighted else None
    Xd = X if design == "dense" else sp.csr_matrix(X)
    ours = LogisticRegression(C=0.5, tol=TOL).fit(Xd, y, sample_weight=w)
    theirs = sk.LogisticRegression(C=0.5, tol=1e-12, max_iter=10_000).fit(X, y, sample_weight=w)
    assert list(ours.classes_) == ["no", "yes"]
    assert ours.coef_.shape == (1, 5) and ours.intercept_.shape == (1,)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, **CLOSE)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, **CLOSE)
    np.testing.assert_allclose(ours.predict_proba(Xd), theirs.predict_proba(X), **CLOSE)
    np.testing.assert_array_equal(ours.predict(Xd), theirs.predict(X))
    total = len(y) if w is None else w.sum()
    assert ours.path_.alphas[0] == pytest.approx(1.0 / (0.5 * total))
    assert ours.dual_gap_ <= TOL and ours.n_iter_.shape == (1,)


def test_binary_l1_and_class_weight_match_sklearn():
    X, y, _ = _binary(n=150, p=8, seed=3)
    ours = LogisticRegression(C=0.2, l1_ratio=1.0, tol=TOL).fit(X, y)
    theirs = sk.LogisticRegression(C=0.2, l1_ratio=1.0, solver="saga", tol=1e-12,
                                   max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-4, atol=1e-5)
    assert np.array_equal(ours.coef_ == 0, theirs.coef_ == 0)
    ours = LogisticRegression(C=0.3, class_weight="balanced", tol=TOL).fit(X, y)
    theirs = sk.LogisticRegression(C=0.3, class_weight="balanced", tol=1e-12,
                                   max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, **CLOSE)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, **CLOSE)


def test_multinomial_matches_sklearn():
    X, y = _multiclass(seed=4)
    ours = LogisticRegression(C=0.5, tol=TOL).fit(X, y)
    theirs = sk.LogisticRegression(C=0.5, tol=1e-12, max_iter=10_000).fit(X, y)
    assert ours.coef_.shape == (3, 4) and ours.intercept_.shape == (3,)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-4,
                               atol=1e-6)
    np.testing.assert_allclose(ours.intercept_.sum(), 0.0, atol=1e-12)
    np.testing.assert_allclose(ours.decision_function(X) - ours.intercept_,
                               X @ ours.coef_.T)
    np.testing.assert_array_equal(ours.predict(X), ours.classes_[np.argmax(
        ours.predict_proba(X), axis=1)])


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_poisson_matches_sklearn(weighted):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((100, 5))
    y = rng.poisson(np.exp(0.4 * X[:, 0] - 0.3 * X[:, 1] + 0.5))
    w = rng.uniform(0.3, 2.0, 100) if weighted else None
    ours = PoissonRegressor(alpha=0.1, tol=TOL).fit(X, y, sample_weight=w)
    theirs = sk.PoissonRegressor(alpha=0.1, tol=1e-12, max_iter=10_000).fit(
        X, y, sample_weight=w)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, **CLOSE)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, **CLOSE)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), **CLOSE)
    assert ours.score(X, y, sample_weight=w) == pytest.approx(
        theirs.score(X, y, sample_weight=w), rel=1e-6)


def test_one_class_raises_with_class_in_message():
    X, y, _ = _binary()
    with pytest.raises(ValueError, match="class"):
        LogisticRegression().fit(X, np.full(len(y), "yes"))
    w = (y == "yes").astype(float)
    with pytest.raises(ValueError, match="class"):
        LogisticRegression().fit(X, y, sample_weight=w)
    with pytest.raises(ValueError, match="C"):
        LogisticRegression(C=0.0).fit(X, y)


# ------------------------------------------------------------------------------------------
# CV estimators
# ------------------------------------------------------------------------------------------
def test_logistic_regression_cv_by_hand():
    """Each fold fits LogisticRegression(C) on its rows: alpha = 1/(C·n_train)."""
    X, y, _ = _binary(n=120, seed=6)
    Cs = np.array([0.01, 0.1, 1.0, 10.0])
    est = LogisticRegressionCV(Cs=Cs, cv=4, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(est.Cs_, Cs)
    y01 = (y == "yes").astype(float)
    for k, (train, test) in enumerate(StratifiedKFold(4).split(X, y)):
        # the grid runs from the largest alpha, the smallest C
        fold = [LogisticRegression(C=C, tol=1e-10).fit(X[train], y[train]) for C in Cs]
        eta = np.column_stack([f.decision_function(X[test]) for f in fold])
        ref = fold_score(eta, y01[test], np.ones(len(test)), loss="logistic",
                         scoring="deviance")
        np.testing.assert_allclose(est.cv_path_.fold_scores[k], ref, rtol=1e-6)
    best = Cs[est.cv_path_.index_min]
    assert est.C_ == pytest.approx(best)
    ref = LogisticRegression(C=best, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(est.coef_, ref.coef_, **CLOSE)


@pytest.mark.parametrize("scoring", ["misclassification", "auc"])
def test_logistic_regression_cv_scorings_and_1se(scoring):
    X, y, _ = _binary(n=150, p=10, seed=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        est = LogisticRegressionCV(Cs=20, cv=3, scoring=scoring, selection="1se",
                                   l1_ratios=1.0, tol=1e-8).fit(X, y)
    c = est.cv_path_
    assert c.scoring == scoring
    assert est.alpha_ == est.alpha_1se_ >= est.alpha_min_
    assert est.C_ == pytest.approx(1.0 / (est.alpha_ * len(y)))
    assert c.cvm[c.index_1se] <= c.cvm[c.index_min] + c.cvsd[c.index_min]


def test_multinomial_cv_runs_and_matches_fold_scores():
    X, y = _multiclass(n=120, seed=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = LogisticRegressionCV(Cs=[0.05, 0.5, 5.0], cv=3, tol=1e-9).fit(X, y)
        fold = StratifiedKFold(3)
        train, test = next(iter(fold.split(X, y)))
        # the grid runs from the largest alpha (smallest C) down
        fits = [LogisticRegression(C=C, tol=1e-9).fit(X[train], y[train])
                for C in (0.05, 0.5, 5.0)]
    # fold 0 by hand: mean multinomial deviance 2·(logsumexp η − η_y)
    dev = []
    for f in fits:
        p = f.predict_proba(X[test])
        dev.append(-2 * np.mean(np.log(p[np.arange(len(test)), y[test]])))
    np.testing.assert_allclose(est.cv_path_.fold_scores[0], dev, rtol=1e-6)
    assert est.coef_.shape == (3, 4)


def test_poisson_regressor_cv_by_hand():
    rng = np.random.default_rng(9)
    X = rng.standard_normal((90, 6))
    y = rng.poisson(np.exp(0.5 * X[:, 0] + 0.2))
    est = PoissonRegressorCV(l1_ratio=1.0, alphas=12, cv=3, tol=1e-8).fit(X, y)
    full = regularized.path(X, y, loss="poisson", l1_ratio=1.0, n_alphas=12, tol=1e-8)
    np.testing.assert_allclose(est.alphas_, full.alphas, rtol=1e-10)
    i = est.cv_path_.index_min
    assert est.alpha_ == full.alphas[i]
    np.testing.assert_allclose(est.coef_, full.coef[i], rtol=1e-6, atol=1e-8)
    assert est.cv_results_["mean_score"].shape == (12,)


def test_zero_weight_class_message_shows_the_label_as_written():
    from regularized import LogisticRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(np.int64)
    with pytest.raises(ValueError, match=r"class 1 has none"):
        LogisticRegression().fit(X, y, sample_weight=np.where(y == 1, 0, 1))
