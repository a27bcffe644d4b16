"""regularized: certified, fast regularization paths and regularized models.

The path engine (``path``, ``Path``) is imported at once; the estimators,
cross-validation, model files and plots are loaded on first use (PEP 562), so
``import regularized`` stays light (scikit-learn, pandas and matplotlib are
only imported when a part that needs them is used). ``regularized.nn`` holds
the PyTorch networks (optional extra).
"""
from importlib import import_module

from .path import Path, path

__version__ = "0.1.0"

# name -> module that defines it
_LAZY = {
    "path_from_gram": ".path",
    "cv_path": ".cv",
    "CVPath": ".cv",
    "Ridge": ".estimators",
    "Lasso": ".estimators",
    "ElasticNet": ".estimators",
    "RidgeCV": ".estimators",
    "LassoCV": ".estimators",
    "ElasticNetCV": ".estimators",
    "LogisticRegression": ".estimators",
    "LogisticRegressionCV": ".estimators",
    "PoissonRegressor": ".estimators",
    "PoissonRegressorCV": ".estimators",
    "save": ".io",
    "load": ".io",
}

__all__ = ["Path", "path", "__version__"] + sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'regularized' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
