"""Every estimator inside scikit-learn's Pipeline, GridSearchCV and cross_val_score."""

import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from regularized.estimators import (ElasticNet, ElasticNetCV, Lasso, LassoCV,
                                    LogisticRegression, LogisticRegressionCV, PoissonRegressor,
                                    PoissonRegressorCV, Ridge, RidgeCV)

# (estimator, a hyper-parameter grid for GridSearchCV)
CASES = [
    (Ridge(), {"alpha": [0.1, 10.0]}),
    (Lasso(), {"alpha": [0.01, 0.1]}),
    (ElasticNet(), {"l1_ratio": [0.2, 0.8]}),
    (RidgeCV(), {"fit_intercept": [True, False]}),
    (LassoCV(alphas=8, cv=3), {"selection": ["min", "1se"]}),
    (ElasticNetCV(alphas=8, cv=3), {"l1_ratio": [0.5, 1.0]}),
    (LogisticRegression(), {"C": [0.1, 1.0]}),
    (LogisticRegressionCV(Cs=[0.1, 1.0, 10.0], cv=3), {"scoring": ["deviance", "auc"]}),
    (PoissonRegressor(), {"alpha": [0.01, 1.0]}),
    (PoissonRegressorCV(alphas=6, cv=3), {"l1_ratio": [0.0, 1.0]}),
]


def _data(est, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((90, 5)) * [1.0, 2.0, 0.5, 1.0, 3.0] + 1.0
    eta = X @ np.array([0.5, -0.3, 0.8, 0.0, 0.1])
    if is_classifier(est):
        return X, np.where(eta > np.median(eta) + rng.normal(0, 0.5, 90), "a", "b")
    if isinstance(est, (PoissonRegressor, PoissonRegressorCV)):
        return X, rng.poisson(np.exp(0.3 * (eta - eta.mean())))
    return X, eta + rng.normal(0, 0.5, 90)


@pytest.mark.parametrize("est,grid", CASES, ids=lambda c: type(c).__name__
                         if not isinstance(c, dict) else "")
def test_pipeline_gridsearch_cross_val_score(est, grid):
    X, y = _data(est)
    pipe = make_pipeline(StandardScaler(), clone(est)).fit(X, y)
    direct = clone(est).fit(StandardScaler().fit_transform(X), y)
    np.testing.assert_allclose(pipe[-1].coef_, direct.coef_)
    np.testing.assert_array_equal(pipe.predict(X), direct.predict(StandardScaler().fit_transform(X)))

    search = GridSearchCV(clone(est), grid, cv=3).fit(X, y)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    # the refit best estimator is a plain fit with the best parameters (set_params/clone work)
    refit = clone(est).set_params(**search.best_params_).fit(X, y)
    np.testing.assert_allclose(search.best_estimator_.coef_, refit.coef_)

    scores = cross_val_score(clone(est), X, y, cv=3)
    assert scores.shape == (3,) and np.all(np.isfinite(scores))
    # cross_val_score is the estimator's own score on held-out folds
    from sklearn.model_selection import KFold, StratifiedKFold

    splitter = StratifiedKFold(3) if is_classifier(est) else KFold(3)
    train, test = next(iter(splitter.split(X, y)))
    manual = clone(est).fit(X[train], y[train]).score(X[test], y[test])
    assert scores[0] == pytest.approx(manual)


# ---------------------------------------------------------------------------------------
# scikit-learn's parameters (drop-in code passes them routinely)
# ---------------------------------------------------------------------------------------
# Values a scikit-learn user passes that choose *how* to solve, per estimator: each must be
# accepted and leave the certified fit unchanged.
COMPAT_VALUES = {
    Ridge: dict(copy_X=False, max_iter=None, solver="svd", random_state=0),
    Lasso: dict(precompute=True, copy_X=False, warm_start=True, random_state=3,
                selection="random"),
    ElasticNet: dict(precompute="auto", copy_X=False, warm_start=True,
                     random_state=np.random.RandomState(1), selection="cyclic"),
    LogisticRegression: dict(dual=False, intercept_scaling=100.0, random_state=0,
                             solver="liblinear", verbose=0, warm_start=True, n_jobs=-1),
    PoissonRegressor: dict(solver="newton-cholesky", warm_start=True, verbose=1),
    RidgeCV: dict(gcv_mode="svd", store_cv_results=True, alpha_per_target=False),
    LassoCV: dict(precompute=False, copy_X=False, verbose=True, selection="random"),
    ElasticNetCV: dict(precompute=True, copy_X=True, verbose=0, selection="cyclic"),
    LogisticRegressionCV: dict(dual=False, solver="saga", verbose=0, refit=True,
                               intercept_scaling=5.0, use_legacy_attributes=False),
}


@pytest.mark.parametrize("est,grid", [c for c in CASES if type(c[0]) in COMPAT_VALUES],
                         ids=lambda c: type(c).__name__ if not isinstance(c, dict) else "")
def test_scikit_learn_parameter_names_are_accepted(est, grid):
    """(PoissonRegressorCV has no scikit-learn twin.)"""
    import inspect

    import sklearn.linear_model as sk

    ours = set(inspect.signature(type(est)).parameters)
    twin = getattr(sk, type(est).__name__)
    theirs = set(inspect.signature(twin).parameters)
    assert theirs <= ours, f"missing scikit-learn parameters: {sorted(theirs - ours)}"
    X, y = _data(est)
    plain = clone(est).fit(X, y)
    with_compat = clone(est).set_params(**COMPAT_VALUES[type(est)]).fit(X, y)
    np.testing.assert_array_equal(with_compat.coef_, plain.coef_)
    np.testing.assert_array_equal(with_compat.intercept_, plain.intercept_)


@pytest.mark.parametrize("cls,params,message", [
    (LogisticRegression, dict(solver="newton"), "solver must be one of"),
    (Ridge, dict(solver="qr"), "solver must be one of"),
    (PoissonRegressor, dict(solver="saga"), "solver must be one of"),
    (Lasso, dict(precompute=np.eye(5)), "precomputed Gram array is not accepted"),
    (Lasso, dict(selection="min"), "selection must be 'cyclic' or 'random'"),
    (LassoCV, dict(selection="best"), "selection must be 'min' or '1se'"),
    (ElasticNet, dict(warm_start="yes"), "warm_start must be True or False"),
    (LogisticRegression, dict(random_state="seed"), "cannot be used to seed"),
    (LogisticRegression, dict(intercept_scaling=0.0), "intercept_scaling must be"),
    (LogisticRegression, dict(n_jobs=0), "n_jobs must be"),
    (LogisticRegressionCV, dict(refit=False), "refit=False"),
    (LogisticRegressionCV, dict(use_legacy_attributes="yes"), "use_legacy_attributes"),
    (RidgeCV, dict(gcv_mode="qr"), "gcv_mode must be"),
    (PoissonRegressor, dict(verbose=-1), "verbose must be"),
])
def test_bad_scikit_learn_parameters_are_named(cls, params, message):
    est = cls(**params)
    X, y = _data(est)
    with pytest.raises(ValueError, match=message):
        est.fit(X, y)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_logistic_cv_legacy_attributes_repeat_per_class(n_classes):
    rng = np.random.default_rng(2)
    X = rng.standard_normal((120, 4))
    y = np.argmax(X[:, :n_classes] + rng.normal(0, 0.5, (120, n_classes)), axis=1)
    new = LogisticRegressionCV(Cs=[0.1, 1.0, 10.0], cv=3).fit(X, y)
    old = LogisticRegressionCV(Cs=[0.1, 1.0, 10.0], cv=3, use_legacy_attributes=True).fit(X, y)
    size = 1 if n_classes == 2 else n_classes
    assert isinstance(new.C_, float) and isinstance(new.l1_ratio_, float)
    np.testing.assert_array_equal(old.C_, np.full(size, new.C_))
    np.testing.assert_array_equal(old.l1_ratio_, np.full(size, new.l1_ratio_))
