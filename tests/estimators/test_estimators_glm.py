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


def test_balanced_class_weight_counts_classes_by_sample_weight():
    """scikit-learn ≥ 1.6: "balanced" weighs a class by its summed sample weight."""
    rng = np.random.default_rng(5)
    X = rng.standard_normal((300, 4))
    y = (X[:, 0] + rng.standard_normal(300) > 1.0).astype(int)
    sw = np.where(y == 1, 5.0, 1.0) * rng.uniform(0.5, 1.5, 300)
    ours = LogisticRegression(C=1.0, class_weight="balanced", tol=TOL).fit(
        X, y, sample_weight=sw)
    theirs = sk.LogisticRegression(C=1.0, class_weight="balanced", tol=1e-12,
                                   max_iter=10_000).fit(X, y, sample_weight=sw)
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


@pytest.mark.parametrize("alpha", [0.1, 0.0], ids=["penalized", "unpenalized"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_poisson_matches_sklearn(weighted, alpha):
    """alpha=0 (as scikit-learn) is the unpenalized fit: its n_iter_ counts Newton steps."""
    rng = np.random.default_rng(5)
    X = rng.standard_normal((100, 5))
    y = rng.poisson(np.exp(0.4 * X[:, 0] - 0.3 * X[:, 1] + 0.5))
    w = rng.uniform(0.3, 2.0, 100) if weighted else None
    ours = PoissonRegressor(alpha=alpha, tol=TOL).fit(X, y, sample_weight=w)
    theirs = sk.PoissonRegressor(alpha=alpha, tol=1e-12, max_iter=10_000).fit(
        X, y, sample_weight=w)
    assert ours.dual_gap_ <= TOL and ours.n_iter_ >= 1
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
# unpenalized fits, the deprecated penalty=, separable classes
# ------------------------------------------------------------------------------------------
def _blobs(n=200, p=5, seed=0):
    """Two well-separated Gaussian blobs: linearly separable classes."""
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(-3, 1, (n // 2, p)), rng.normal(3, 1, (n // 2, p))])
    return X, np.r_[np.zeros(n // 2), np.ones(n // 2)]


@pytest.mark.parametrize("design", ["dense", "csr"])
def test_logistic_c_inf_is_the_unpenalized_fit_of_sklearn(design):
    """C=np.inf (scikit-learn 1.8+'s spelling of penalty=None): binary and multinomial,
    weighted, equal to scikit-learn's unpenalized lbfgs fit, certified."""
    X, y, w = _binary(n=200, seed=6)
    Xd = X if design == "dense" else sp.csr_matrix(X)
    ours = LogisticRegression(C=np.inf, tol=TOL).fit(Xd, y, sample_weight=w)
    theirs = sk.LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(
        X, y, sample_weight=w)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, **CLOSE)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, **CLOSE)
    assert ours.dual_gap_ <= TOL and ours.n_iter_[0] >= 2      # Newton steps
    assert np.all(ours.path_.gap <= TOL)
    X3, y3 = _multiclass(n=300, seed=7)
    ours = LogisticRegression(C=np.inf, tol=TOL).fit(X3, y3)
    theirs = sk.LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X3, y3)
    # the loss ignores a shift of a feature's row: both report the centred rows
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours.predict_proba(X3), theirs.predict_proba(X3), rtol=1e-5,
                               atol=1e-7)
    assert ours.dual_gap_ <= TOL


def test_bad_c_and_alpha_are_refused():
    X, y, _ = _binary()
    for C in (0.0, -1.0, np.nan, "1"):
        with pytest.raises(ValueError, match=r"C must be a number in \(0, inf\]"):
            LogisticRegression(C=C).fit(X, y)
    for alpha in (-0.1, np.inf, np.nan):
        with pytest.raises(ValueError, match="alpha must be a finite number ≥ 0"):
            PoissonRegressor(alpha=alpha).fit(X, np.ones(len(y)))


def test_deprecated_penalty_maps_onto_c_and_l1_ratio_as_sklearn_1_9():
    """scikit-learn 1.9 still takes penalty= with a FutureWarning: None is C=inf, "l2"
    l1_ratio=0, "l1" l1_ratio=1 (and says when l1_ratio disagrees), "elasticnet" l1_ratio."""
    X, y, _ = _binary(n=150, p=6, seed=9)

    def fit(**kw):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = LogisticRegression(tol=TOL, **kw).fit(X, y)
        return model, [(w.category, str(w.message)) for w in caught]

    for penalty, same in ((None, dict(C=np.inf)), ("l2", dict(C=0.5)),
                          ("l1", dict(C=0.5, l1_ratio=1.0)),
                          ("elasticnet", dict(C=0.5, l1_ratio=0.3))):
        kw = dict(same, penalty=penalty) if penalty is not None else dict(penalty=None)
        model, caught = fit(**kw)
        assert caught[0][0] is FutureWarning and "'penalty' was deprecated" in caught[0][1]
        reference, none = fit(**same)
        assert not none
        np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-12, atol=1e-14)
    model, caught = fit(penalty="l1", C=0.5)                 # l1_ratio left at 0
    assert any("Inconsistent values: penalty=l1 with l1_ratio=0.0" in m for _, m in caught)
    np.testing.assert_allclose(model.coef_, fit(C=0.5, l1_ratio=1.0)[0].coef_, rtol=1e-12)
    _, caught = fit(penalty=None, C=2.0)
    assert any("penalty=None will ignore the C" in m for _, m in caught)
    with pytest.raises(ValueError, match="penalty must be 'l1', 'l2', 'elasticnet' or None"):
        LogisticRegression(penalty="l3").fit(X, y)


def test_unpenalized_logistic_on_separable_classes_warns_at_once():
    """No finite optimum: a ConvergenceWarning names separable classes after the Newton
    steps (it was a silent fit with dual_gap_ 0), with finite coefficients that separate."""
    X, y = _blobs()
    with pytest.warns(ConvergenceWarning, match=r"separable data.*no finite optimum"):
        model = LogisticRegression(C=np.inf).fit(X, y)
    assert np.all(np.isfinite(model.coef_)) and model.n_iter_[0] <= 50
    assert not model.dual_gap_ <= model.tol                    # nothing certified
    np.testing.assert_array_equal(model.predict(X), y)
    y3 = np.r_[np.zeros(70), np.ones(70), np.full(60, 2.0)]
    X3 = np.random.default_rng(1).normal(size=(200, 2)) * 0.5 + 5 * np.array(
        [[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])[y3.astype(int)]
    with pytest.warns(ConvergenceWarning, match=r"separable data.*no finite optimum"):
        model = LogisticRegression(C=np.inf).fit(X3, y3)
    np.testing.assert_array_equal(model.predict(X3), y3)


@pytest.mark.parametrize("multiclass", [False, True])
def test_huge_c_on_separable_classes_stops_with_a_separable_warning(multiclass):
    """LogisticRegression(C=1e8) on separable blobs ran 1e5 epochs (~20 s) to a relative gap
    of ~10 with only a generic ConvergenceWarning: glmnet's rule (99.9% of the deviance
    explained) never fired for one alpha. Now its warm-up path meets the rule, C gets a
    bounded number of epochs, and the warning says why the fit stops."""
    from regularized.solvers.newton import SEPARABLE_MAX_EPOCHS

    X, y = _blobs()
    if multiclass:
        y = np.r_[np.zeros(70), np.ones(70), np.full(60, 2.0)]
        X = np.random.default_rng(1).normal(size=(200, 2)) * 0.5 + 5 * np.array(
            [[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])[y.astype(int)]
        C = 1e14                     # the explicit-Hessian multinomial reaches C = 1e8
    else:
        C = 1e20                     # explicit Newton models reach C = 1e10 (below)
    with pytest.warns(ConvergenceWarning, match=r"separable data: the path did not converge"
                                                r".*grow without bound as alpha → 0 \(C → ∞\)"):
        model = LogisticRegression(C=C).fit(X, y)
    assert model.n_iter_[0] <= SEPARABLE_MAX_EPOCHS + 50
    assert model.dual_gap_ > model.tol                       # the gap at the C asked for
    assert model.path_.alphas[0] == pytest.approx(1.0 / (C * len(y)))
    np.testing.assert_array_equal(model.predict(X), y)
    # a C whose solution is within reach stays certified, without a warning
    for C in (100.0,) if multiclass else (100.0, 1e8):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model = LogisticRegression(C=C).fit(X, y)
        assert model.dual_gap_ <= model.tol


# ------------------------------------------------------------------------------------------
# CV estimators
# ------------------------------------------------------------------------------------------
def test_logistic_regression_cv_by_hand():
    """Each fold fits LogisticRegression(C) on its rows: alpha = 1/(C·n_train)."""
    X, y, _ = _binary(n=120, seed=6)
    Cs = np.array([0.01, 0.1, 1.0, 10.0])
    # A relative gap g leaves the coefficients O(√g) from the optimum, so fits compared
    # to 1e-6 run at 1e-13.
    est = LogisticRegressionCV(Cs=Cs, cv=4, tol=1e-13).fit(X, y)
    np.testing.assert_allclose(est.Cs_, Cs)
    y01 = (y == "yes").astype(float)
    for k, (train, test) in enumerate(StratifiedKFold(4).split(X, y)):
        # the grid runs from the largest alpha, the smallest C
        fold = [LogisticRegression(C=C, tol=1e-13).fit(X[train], y[train]) for C in Cs]
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


def _edge_notes(fit):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = fit()
    return est, [str(w.message) for w in caught if "cross-validated minimum" in str(w.message)]


def test_logistic_regression_cv_notes_a_minimum_at_an_end_of_the_grid():
    """A CV minimum at an end of the grid says the grid may be too short (cv.warn_grid_edge,
    CVPath.edge): at its smallest alpha (largest C), at its largest alpha (smallest C) unless
    the fit there is the null fit, and where the path stops early (glmnet's rule) it says
    the grid cannot go further. An interior minimum says nothing."""
    X, y, _ = _binary(n=200, p=5, seed=2)
    est, notes = _edge_notes(lambda: LogisticRegressionCV(Cs=[1e-4, 1e-3, 1e-2],
                                                          random_state=0).fit(X, y))
    assert est.cv_path_.edge == "smallest" and len(notes) == 1
    assert notes[0].startswith("LogisticRegressionCV: the cross-validated minimum of the "
                               "deviance is at the smallest alpha of the grid (alpha=0.5, "
                               "C=0.01): less penalty may score better")
    assert "(Cs, or eps)" in notes[0]
    noise = np.random.default_rng(0)
    Xn, yn = noise.normal(size=(200, 10)), noise.integers(0, 2, 200)
    est, notes = _edge_notes(lambda: LogisticRegressionCV(Cs=[10, 100, 1000],
                                                          random_state=0).fit(Xn, yn))
    assert est.cv_path_.edge == "largest" and len(notes) == 1
    assert "largest alpha of the grid (alpha=0.0005, C=10): more penalty" in notes[0]
    est, notes = _edge_notes(lambda: LogisticRegressionCV(l1_ratios=1.0,
                                                          random_state=0).fit(X, y))
    assert est.cv_path_.edge is None and not notes
    assert 0 < est.cv_path_.index_min < len(est.Cs_) - 1
    # separable classes: the default L1 path stops early, at its minimum
    Xs, ys = _blobs()
    est, notes = _edge_notes(lambda: LogisticRegressionCV(l1_ratios=1.0,
                                                          random_state=0).fit(Xs, ys))
    assert est.cv_path_.edge == "smallest" and len(est.Cs_) < 100
    assert "the path stops there: deviance explained exceeds 0.999" in notes[0]
    assert "the classes are (nearly) separable" in notes[0]


def test_poisson_regressor_cv_notes_a_minimum_at_an_end_of_the_grid():
    rng = np.random.default_rng(10)
    X = rng.normal(size=(200, 5))
    y = rng.poisson(np.exp(0.5 + 0.3 * X[:, 0]))
    est, notes = _edge_notes(lambda: PoissonRegressorCV(random_state=0).fit(X, y))
    assert est.cv_path_.edge is None and not notes
    est, notes = _edge_notes(lambda: PoissonRegressorCV(alphas=[0.05, 0.1, 0.2],
                                                        random_state=0).fit(X, y))
    assert est.cv_path_.edge == "largest" and len(notes) == 1
    assert notes[0].startswith("PoissonRegressorCV: the cross-validated minimum of the "
                               "deviance is at the largest alpha of the grid (alpha=0.2): "
                               "more penalty may score better: extend the grid past it "
                               "(alphas, or eps)")
    est, notes = _edge_notes(lambda: PoissonRegressorCV(alphas=[10, 30, 100],
                                                        random_state=0).fit(X, y))
    assert est.cv_path_.edge == "smallest" and "smallest alpha" in notes[0]


def test_cv_path_edge_is_shared_by_every_loss():
    """CVPath.edge is computed by cv for every CV path (squared loss too); a minimum at the
    largest alpha where the fit is the null fit (alpha_max: all coefficients 0) is no edge."""
    rng = np.random.default_rng(11)
    X = rng.normal(size=(150, 6))
    y = X[:, 0] + 0.5 * rng.normal(size=150)
    assert regularized.cv_path(X, y, alphas=[1.0, 0.5, 0.3]).edge == "smallest"
    noise = rng.normal(size=150)
    cv = regularized.cv_path(X, noise, n_alphas=20)
    assert cv.index_min == 0 and cv.path.n_nonzero[0] == 0 and cv.edge is None


def test_default_grid_extends_past_a_minimum_at_its_small_end():
    """glmnet's default ridge grid ends at C ≈ 0.05 on standardized breast-cancer data,
    whose cross-validated best C is about 0.4 (scikit-learn's LogisticRegressionCV picks
    0.36): the default grid is extended below its smallest alpha (two decades at a time,
    at the same density) until the minimum is interior; a grid the user set (eps, Cs) is
    only noted."""
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    est, notes = _edge_notes(lambda: LogisticRegressionCV(random_state=0).fit(X, y))
    assert not notes and est.cv_path_.edge is None
    assert 0.1 < est.C_ < 5.0
    assert est.Cs_.max() / est.Cs_.min() > 1e5          # beyond glmnet's four decades
    steps = np.diff(np.log10(est.Cs_))
    np.testing.assert_allclose(steps, steps[0], rtol=1e-8)   # one log-spaced grid
    assert est.score(X, y) >= 0.985
    short, notes = _edge_notes(lambda: LogisticRegressionCV(eps=1e-4, random_state=0)
                               .fit(X, y))
    assert short.cv_path_.edge == "smallest" and len(notes) == 1
    assert short.Cs_.max() / short.Cs_.min() == pytest.approx(1e4)


# ------------------------------------------------------------------------------------------
# LogisticRegressionCV: np.inf in Cs, the deprecated penalty=
# ------------------------------------------------------------------------------------------
def test_logistic_regression_cv_takes_inf_in_cs_as_the_unpenalized_fit():
    """np.inf in Cs (as scikit-learn's LogisticRegressionCV, and LogisticRegression(C=np.inf))
    is the unpenalized fit as one grid point, at alpha 0, on the same folds as the rest of
    the grid; when it scores best it is the model, and no note says the grid is short."""
    X, y, _ = _binary(n=300, p=4, seed=12)
    est = LogisticRegressionCV(Cs=[np.inf, 0.01, 0.1], cv=4, tol=1e-10).fit(X, y)
    np.testing.assert_array_equal(est.Cs_, [0.01, 0.1, np.inf])
    assert est.alphas_[-1] == 0.0 and est.cv_results_["alpha"][-1] == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)         # its minimum is at C = 0.1
        finite = LogisticRegressionCV(Cs=[0.01, 0.1], cv=4, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(est.cv_path_.fold_scores[:, :2], finite.cv_path_.fold_scores,
                               rtol=1e-12)
    y01 = (y == "yes").astype(float)
    for k, (train, test) in enumerate(StratifiedKFold(4).split(X, y)):
        fold = LogisticRegression(C=np.inf, tol=1e-10).fit(X[train], y[train])
        ref = fold_score(fold.decision_function(X[test])[:, None], y01[test],
                         np.ones(len(test)), loss="logistic", scoring="deviance")
        np.testing.assert_allclose(est.cv_path_.fold_scores[k, -1], ref, rtol=1e-6)
    # plenty of rows for 4 features: no penalty scores best
    X, y, _ = _binary(n=2000, p=4, seed=13)
    est, notes = _edge_notes(lambda: LogisticRegressionCV(Cs=[1e-3, 1e-2, np.inf],
                                                          random_state=0).fit(X, y))
    assert est.C_ == np.inf and est.alpha_ == 0.0 and est.cv_path_.index_min == 2
    assert est.cv_path_.edge is None and not notes
    ref = LogisticRegression(C=np.inf, tol=est.tol).fit(X, y)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-8)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=1e-8)
    assert est.dual_gap_ <= est.tol
    only = LogisticRegressionCV(Cs=[np.inf], l1_ratios=[0.0, 1.0], cv=3).fit(X, y)
    assert only.C_ == np.inf and list(only.Cs_) == [np.inf]
    np.testing.assert_allclose(only.coef_, ref.coef_, rtol=1e-8)


def test_logistic_regression_cv_refuses_bad_cs_by_name():
    X, y, _ = _binary()
    for Cs, match in (([0.1, 0.0], r"Cs must hold C values in \(0, inf\].*got 0.0"),
                      ([-1.0], "got -1.0"), ([np.nan, 1.0], "got nan"),
                      ([], "Cs is empty"), ("many", "Cs must be a positive int or an array"),
                      (0, "Cs must be a positive integer")):
        with pytest.raises(ValueError, match=match):
            LogisticRegressionCV(Cs=Cs).fit(X, y)


def test_logistic_regression_cv_takes_the_deprecated_penalty_as_logistic_regression():
    """penalty= maps onto l1_ratios and Cs as LogisticRegression's (one mapping,
    scikit-learn 1.9's FutureWarning naming l1_ratios and Cs): "l2" l1_ratios=(0,), "l1"
    (1,) (and says when l1_ratios disagrees), "elasticnet" l1_ratios as given, None
    Cs=(np.inf,) (scikit-learn's LogisticRegressionCV refuses None; its warning advises it)."""
    from sklearn.base import clone

    X, y, _ = _binary(n=150, p=6, seed=9)

    def fit(**kw):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = LogisticRegressionCV(cv=3, tol=1e-10, **kw).fit(X, y)
        return model, [(w.category, str(w.message)) for w in caught]

    Cs = [0.05, 0.5, 5.0]
    for penalty, same in (("l2", dict(Cs=Cs)), ("l1", dict(Cs=Cs, l1_ratios=1.0)),
                          ("elasticnet", dict(Cs=Cs, l1_ratios=[0.3, 0.7]))):
        model, caught = fit(penalty=penalty, **same)
        assert caught[0][0] is FutureWarning and "'penalty' was deprecated" in caught[0][1]
        assert "Cs=(np.inf,) instead of penalty=None" in caught[0][1]
        reference, plain = fit(**same)
        assert not [m for c, m in plain if c is FutureWarning]
        assert model.l1_ratio_ == reference.l1_ratio_ and model.C_ == reference.C_
        np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-12, atol=1e-14)
    model, caught = fit(penalty="l1", Cs=Cs)                   # l1_ratios left at 0
    assert any("Inconsistent values: penalty=l1 with l1_ratios=0.0. penalty is deprecated: "
               "l1_ratios=(1.0,) is used" in m for _, m in caught)
    assert model.l1_ratio_ == 1.0
    model, caught = fit(penalty=None)
    assert caught[0][0] is FutureWarning and len(caught) == 1
    assert model.C_ == np.inf and list(model.Cs_) == [np.inf]
    np.testing.assert_allclose(model.coef_, LogisticRegression(C=np.inf, tol=1e-10)
                               .fit(X, y).coef_, rtol=1e-10)
    _, caught = fit(penalty=None, Cs=Cs)
    assert any("penalty=None will ignore the Cs and l1_ratios" in m for _, m in caught)
    with pytest.raises(ValueError, match="penalty must be 'l1', 'l2', 'elasticnet' or None"):
        LogisticRegressionCV(penalty="l3").fit(X, y)
    est = LogisticRegressionCV()
    assert est.get_params()["penalty"] == "deprecated"
    assert clone(est.set_params(penalty="l1")).get_params()["penalty"] == "l1"


def test_logistic_regression_cv_with_paths_stopping_at_different_lengths():
    """glmnet's rule may end the path of each l1_ratio at a different alpha; alphas_ is then
    NaN-padded instead of a ragged-array crash."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    m = (y == 3) | (y == 8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = LogisticRegressionCV(l1_ratios=[1.0, 0.5], cv=3, standardize=True).fit(
            X[m], (y[m] == 8).astype(int))
    assert est.alphas_.ndim == 2 and est.alphas_.shape[0] == 2
    for row, c in zip(est.alphas_, (1.0, 0.5)):
        k = np.count_nonzero(~np.isnan(row))
        assert k >= 1 and np.all(np.isnan(row[k:]))
    assert est.alpha_ in est.alphas_


def test_logistic_cv_reports_the_given_Cs_exactly():
    """C_ and Cs_ are the user's values, not their round trip through alpha = 1/(C·Σw)."""
    X, y, _ = _binary(n=120, p=5, seed=8)
    Cs = np.logspace(-3, 3, 7)
    est = LogisticRegressionCV(Cs=Cs, cv=3).fit(X, y)
    np.testing.assert_array_equal(est.Cs_, Cs)
    assert est.C_ in Cs and est.C_min_ in Cs and est.C_1se_ in Cs
    with_inf = LogisticRegressionCV(Cs=[1.0, 0.01, np.inf], cv=3).fit(X, y)
    np.testing.assert_array_equal(with_inf.Cs_, [0.01, 1.0, np.inf])


def test_unpenalized_separable_multinomial_certifies_nothing():
    """No finite optimum: as the binary fit, dual_gap_ is inf (an absolute gradient scale
    had read the saturated fit's tiny, uncancelled gradient as met: gap 0)."""
    from sklearn.exceptions import ConvergenceWarning

    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 5))
    y = np.digitize(X[:, 0], [-0.5, 0.5])              # three classes, separable on x0
    with pytest.warns(ConvergenceWarning, match="no finite optimum"):
        est = LogisticRegression(C=np.inf).fit(X, y)
    assert est.dual_gap_ == np.inf
