"""scikit-learn estimators on the path engine (DESIGN §2: fit = a one-alpha or a CV'd path).

Squared loss: ``Ridge``, ``Lasso``, ``ElasticNet``, ``RidgeCV``, ``LassoCV``, ``ElasticNetCV``.
GLMs: ``LogisticRegression`` (binary and multinomial), ``LogisticRegressionCV``,
``PoissonRegressor``, ``PoissonRegressorCV``.
"""
from .glm import LogisticRegression, LogisticRegressionCV, PoissonRegressor, PoissonRegressorCV
from .linear import ElasticNet, ElasticNetCV, Lasso, LassoCV, Ridge, RidgeCV

__all__ = ["ElasticNet", "ElasticNetCV", "Lasso", "LassoCV", "LogisticRegression",
           "LogisticRegressionCV", "PoissonRegressor", "PoissonRegressorCV", "Ridge", "RidgeCV"]
