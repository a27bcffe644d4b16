"""Embedded example datasets (nothing is downloaded) and synthetic generators.

:func:`load_dataset` returns a :class:`Dataset`: a pandas table with its target column, the
family that suits it and a one-line description. The names:

- ``"diabetes"``: scikit-learn's bundled diabetes data (442 patients, 10 baseline variables on
  their original scale, disease progression after a year) — gaussian.
- ``"breast_cancer"``: scikit-learn's bundled Wisconsin breast cancer data (569 tumours, 30
  features, ``diagnosis`` "malignant"/"benign") — binomial.
- ``"iris"``: scikit-learn's bundled iris data (150 flowers, 4 features, 3 species) —
  multinomial.
- ``"wine"``: scikit-learn's bundled wine data (178 wines, 13 features, 3 cultivars) —
  multinomial.
- ``"sparse_regression"``: synthetic, 200 rows, 40 features of which 5 matter, gaussian noise
  σ = 1 (:func:`make_sparse_regression` with ``random_state=0``) — gaussian.
- ``"counts"``: synthetic, 300 rows, 8 features, a categorical ``region`` column, Poisson
  counts — poisson.

pandas is imported when a dataset is loaded (``regularized[io]``); the generators need only
numpy.
"""
from dataclasses import dataclass

import numpy as np

__all__ = ["Dataset", "list_datasets", "load_dataset", "make_sparse_regression"]


@dataclass
class Dataset:
    """An example table: ``frame`` (pandas DataFrame, features and target), ``target`` (the
    target column's name), ``family`` (the suitable family) and ``description``."""

    name: str
    frame: object
    target: str
    family: str
    description: str

    @property
    def X(self):
        """The feature columns (a DataFrame)."""
        return self.frame.drop(columns=[self.target])

    @property
    def y(self):
        """The target column (a Series)."""
        return self.frame[self.target]


def make_sparse_regression(n_samples=200, n_features=40, *, n_informative=5, noise=1.0,
                           correlation=0.0, random_state=None):
    """A linear model with a few non-zero coefficients and gaussian noise.

    ``X`` has standard normal columns with AR(1) correlation ``correlation`` between
    neighbours; ``coef`` has ``n_informative`` non-zero entries (±1 to ±3, on evenly spread
    features); ``y = 1 + X coef + noise·ε``, ε standard normal.

    Returns
    -------
    X : (n_samples, n_features).  y : (n_samples,).  coef : (n_features,) the true
    coefficients (the intercept is 1).  The noise variance is ``noise**2``.
    """
    if n_samples < 1 or n_features < 1:
        raise ValueError("n_samples and n_features must be at least 1")
    if not 0 <= n_informative <= n_features:
        raise ValueError(f"n_informative must be in [0, {n_features}], got {n_informative}")
    if not -1.0 < correlation < 1.0:
        raise ValueError(f"correlation must be in (-1, 1), got {correlation}")
    rng = np.random.default_rng(random_state)
    Z = rng.standard_normal((n_samples, n_features))
    if correlation:
        X = np.empty_like(Z)
        X[:, 0] = Z[:, 0]
        scale = np.sqrt(1.0 - correlation ** 2)
        for j in range(1, n_features):
            X[:, j] = correlation * X[:, j - 1] + scale * Z[:, j]
    else:
        X = Z
    coef = np.zeros(n_features)
    if n_informative:
        support = np.linspace(0, n_features - 1, n_informative).round().astype(int)
        coef[support] = rng.choice([-1.0, 1.0], n_informative) * rng.uniform(1.0, 3.0,
                                                                              n_informative)
    y = 1.0 + X @ coef + noise * rng.standard_normal(n_samples)
    return X, y, coef


def _sklearn_frame(loader, target, labels=None, **kw):
    data = loader(as_frame=True, **kw)
    frame = data.frame.rename(columns={"target": target})
    if labels is not None:
        frame[target] = np.asarray(labels, dtype=object)[frame[target].to_numpy()]
    return frame


def _diabetes():
    from sklearn.datasets import load_diabetes

    return _sklearn_frame(load_diabetes, "progression", scaled=False)


def _breast_cancer():
    from sklearn.datasets import load_breast_cancer

    return _sklearn_frame(load_breast_cancer, "diagnosis", labels=["malignant", "benign"])


def _iris():
    from sklearn.datasets import load_iris

    return _sklearn_frame(load_iris, "species", labels=["setosa", "versicolor", "virginica"])


def _wine():
    from sklearn.datasets import load_wine

    return _sklearn_frame(load_wine, "cultivar", labels=["class_0", "class_1", "class_2"])


def _sparse_regression():
    import pandas as pd

    X, y, _ = make_sparse_regression(200, 40, n_informative=5, noise=1.0, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    frame["y"] = y
    return frame


def _counts():
    import pandas as pd

    rng = np.random.default_rng(0)
    n, p = 300, 8
    X = rng.standard_normal((n, p))
    regions = np.array(["north", "south", "east", "west"])
    region = regions[rng.integers(0, 4, n)]
    effect = {"north": 0.3, "south": -0.2, "east": 0.0, "west": 0.1}
    eta = 0.5 + 0.4 * X[:, 0] - 0.3 * X[:, 1] + 0.2 * X[:, 2] \
        + np.array([effect[r] for r in region])
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(p)])
    frame["region"] = region
    frame["count"] = rng.poisson(np.exp(eta))
    return frame


_DATASETS = {
    "diabetes": (_diabetes, "progression", "gaussian",
                 "scikit-learn's diabetes data: disease progression of 442 patients from 10 "
                 "baseline variables (original scale)"),
    "breast_cancer": (_breast_cancer, "diagnosis", "binomial",
                      "scikit-learn's Wisconsin breast cancer data: 569 tumours, 30 features, "
                      "malignant or benign"),
    "iris": (_iris, "species", "multinomial",
             "scikit-learn's iris data: 150 flowers, 4 measurements, 3 species"),
    "wine": (_wine, "cultivar", "multinomial",
             "scikit-learn's wine data: 178 wines, 13 chemical measurements, 3 cultivars"),
    "sparse_regression": (_sparse_regression, "y", "gaussian",
                          "synthetic: 200 rows, 40 gaussian features of which 5 matter, "
                          "noise σ = 1"),
    "counts": (_counts, "count", "poisson",
               "synthetic: 300 Poisson counts from 8 gaussian features (3 matter) and a "
               "categorical region"),
}


def list_datasets():
    """The names :func:`load_dataset` knows, with their descriptions."""
    return {name: spec[3] for name, spec in _DATASETS.items()}


def load_dataset(name):
    """The embedded dataset ``name`` as a :class:`Dataset` (see the module docstring)."""
    if name not in _DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of: "
                         + ", ".join(_DATASETS))
    make, target, family, description = _DATASETS[name]
    return Dataset(name=name, frame=make(), target=target, family=family,
                   description=description)
