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
