"""scikit-learn's ``check_estimator`` battery on every estimator, with no check skipped.

The CV estimators use short grids (10 alphas, 3 folds) so the battery stays fast; the checks
themselves are scikit-learn's, unchanged. ``LogisticRegressionCV`` is given a C grid: the
battery's class-weight check (weights 1000 : 1e-4 on a noisy 3-class problem) makes the
default data-driven grid reach nearly unpenalized, nearly separable fits that take long
(as does C = 10 on the battery's well-separated blobs).
"""

import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from regularized.estimators import (ElasticNet, ElasticNetCV, Lasso, LassoCV,
                                    LogisticRegression, LogisticRegressionCV, PoissonRegressor,
                                    PoissonRegressorCV, Ridge, RidgeCV)

ESTIMATORS = [
    Ridge(),
    Ridge(positive=True, penalty_factor=None, standardize=True),
    Lasso(),
    ElasticNet(),
    Lasso(relax=True, gamma=0.5),
    RidgeCV(),
    RidgeCV(cv=3, alphas=(0.1, 1.0, 10.0, 100.0)),
    LassoCV(alphas=10, cv=3),
    LassoCV(alphas=10, cv=3, relax=True, gammas=(0.0, 1.0), selection="1se"),
    LassoCV(alphas=10, criterion="bic", tol=1e-12),
    ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=10, cv=3),
    LogisticRegression(),
    LogisticRegression(l1_ratio=1.0),
    LogisticRegressionCV(Cs=[0.01, 0.1, 1.0], cv=3),
    PoissonRegressor(),
    PoissonRegressorCV(alphas=10, cv=3),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        # tiny or degenerate check data can leave a far end of a CV grid short of tol
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)
