"""The one input boundary: every public entry point validates here, once.

Each check raises a ``ValueError`` that names the problem, so the CLI can turn
it into a one-line message.
"""
import numbers

import numpy as np
import scipy.sparse as sp


def check_design(X, *, name="X"):
    """A 2-D float32/float64 array (C or F order kept) or a CSC/CSR matrix."""
    if sp.issparse(X):
        if X.format not in ("csc", "csr"):
            X = X.tocsc()
        if X.dtype not in (np.float32, np.float64):
            if not np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.complexfloating):
                raise ValueError(f"{name} must hold real numbers, got dtype {X.dtype}")
            X = X.astype(np.float64)
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(f"{name} is empty: shape {X.shape}; need at least one "
                             "sample and one feature")
        if not all_finite(X.data):
            raise ValueError(f"{name} contains NaN or infinity")
        return X
    if hasattr(X, "dtypes") and hasattr(X, "columns"):   # a DataFrame
        from pandas.api.types import is_bool_dtype, is_numeric_dtype

        # pandas' own tests: NumPy cannot interpret 'category' or nullable dtypes
        bad = [str(c) for c, t in zip(X.columns, X.dtypes)
               if not (is_numeric_dtype(t) or is_bool_dtype(t))]
        if bad:
            raise ValueError(f"{name} has non-numeric columns: {', '.join(bad[:5])}"
                             " (encode them first)")
        # float64 at once: numbers beside bools would otherwise make an object array;
        # missing values of nullable columns become NaN (refused below)
        X = X.to_numpy(dtype=np.float64, na_value=np.nan)
    X = np.asarray(X)
    if X.dtype == object:
        # numbers held as Python objects are accepted, as scikit-learn does
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be numeric, got dtype object holding "
                             "non-numbers") from None
    if not (np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.bool_)):
        raise ValueError(f"{name} must be numeric, got dtype {X.dtype}")
    if np.issubdtype(X.dtype, np.complexfloating):
        raise ValueError(f"{name} must hold real numbers, got complex dtype {X.dtype}")
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features), got {X.ndim}-D "
                         f"with shape {X.shape}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} is empty: shape {X.shape}; need at least one sample "
                         "and one feature")
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    elif not (X.flags.c_contiguous or X.flags.f_contiguous):
        X = np.ascontiguousarray(X)
    if not all_finite(X):
        raise ValueError(f"{name} contains NaN or infinity")
    return X


def all_finite(a):
    """Whether every entry of the float array ``a`` is finite.

    A NaN or an infinity makes the sum NaN or infinite, so one reduction (no
    boolean temporary of a's size) settles the common case; only a sum that
    overflows on large finite values needs the entry-wise check.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.sum(a, dtype=np.float64)):
            return True
    return bool(np.all(np.isfinite(a)))


def check_target(y, n_samples, *, name="y"):
    """A finite 1-D float64 target of length n_samples."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {y.shape}")
    if not (np.issubdtype(y.dtype, np.number) or np.issubdtype(y.dtype, np.bool_)):
        raise ValueError(f"{name} must be numeric, got dtype {y.dtype}")
    if y.shape[0] != n_samples:
        raise ValueError(f"X and {name} have mismatched lengths: {n_samples} samples in X, "
                         f"{y.shape[0]} in {name}")
    y = y.astype(np.float64)
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{name} contains NaN or infinity")
    return y


def check_sample_weight(sample_weight, n_samples):
    """Weights ≥ 0, not all zero, rescaled to sum to n (DESIGN §1)."""
    if sample_weight is None:
        return np.ones(n_samples)
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.ndim == 0:
        w = np.full(n_samples, float(w))
    if w.ndim != 1 or w.shape[0] != n_samples:
        raise ValueError(f"sample_weight has mismatched length: expected {n_samples} "
                         f"values, got shape {w.shape}")
    if not np.all(np.isfinite(w)):
        raise ValueError("sample_weight contains NaN or infinity")
    if np.any(w < 0):
        raise ValueError("sample_weight contains negative weights")
    total = w.sum()
    if total <= 0:
        raise ValueError("sample_weight is all zero")
    return w * (n_samples / total)


def check_penalty_factor(penalty_factor, n_features):
    """Per-feature penalty factors v_j ≥ 0 (0 leaves a feature unpenalized)."""
    if penalty_factor is None:
        return np.ones(n_features)
    v = np.asarray(penalty_factor, dtype=np.float64)
    if v.ndim == 0:
        v = np.full(n_features, float(v))
    if v.ndim != 1 or v.shape[0] != n_features:
        raise ValueError(f"penalty_factor has mismatched length: expected {n_features} "
                         f"values (one per feature), got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError("penalty_factor contains NaN or infinity")
    if np.any(v < 0):
        raise ValueError("penalty_factor contains negative values")
    return v


def check_l1_ratio(l1_ratio):
    if not isinstance(l1_ratio, numbers.Real) or isinstance(l1_ratio, bool) \
            or not 0.0 <= float(l1_ratio) <= 1.0:
        raise ValueError(f"l1_ratio must be a number in [0, 1], got {l1_ratio!r}")
    return float(l1_ratio)


def check_alphas(alphas):
    """Given alphas: finite, > 0, returned sorted from largest to smallest."""
    a = np.asarray(alphas, dtype=np.float64).ravel()
    if a.size == 0:
        raise ValueError("alphas is empty")
    if not np.all(np.isfinite(a)):
        raise ValueError("alphas contains NaN or infinity")
    if np.any(a <= 0):
        raise ValueError(f"alphas must be > 0, got {float(a[a <= 0][0])!r}; for an "
                         "unpenalized fit use a small alpha, or the plain estimator with "
                         "alpha=0")
    return np.sort(a)[::-1].copy()


def check_positive_int(value, name):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def check_positive_float(value, name):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) \
            or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)
