"""scikit-learn estimators on the path engine (DESIGN §2: fit = a one-alpha or a CV'd path).

Squared loss: ``Ridge``, ``Lasso``, ``ElasticNet``, ``RidgeCV``, ``LassoCV``, ``ElasticNetCV``.
"""
from .linear import ElasticNet, ElasticNetCV, Lasso, LassoCV, Ridge, RidgeCV

__all__ = ["ElasticNet", "ElasticNetCV", "Lasso", "LassoCV", "Ridge", "RidgeCV"]
