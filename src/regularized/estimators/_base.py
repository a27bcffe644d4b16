"""Shared pieces of the scikit-learn estimators: input checks, predictions, CV summaries."""
import numbers

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import _validation as V
from ..cv import extends_below
from ..path import default_alpha_min_ratio

ACCEPT_SPARSE = ("csc", "csr")
DTYPES = [np.float64, np.float32]


class SparseInputMixin:
    """Tags: sparse X is accepted (and never densified by the engine)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def validate_fit_data(estimator, X, y, **kw):
    """X (float64/float32, dense or CSC/CSR) and y, recording n_features_in_ and
    feature_names_in_ (pandas input); the scikit-learn compatibility parameters are
    checked first (``check_compat_params``)."""
    check_compat_params(estimator)
    return validate_data(estimator, X, y, accept_sparse=ACCEPT_SPARSE, dtype=DTYPES, **kw)


def validate_predict_data(estimator, X):
    check_is_fitted(estimator)
    return validate_data(estimator, X, accept_sparse=ACCEPT_SPARSE, dtype=DTYPES, reset=False)


def check_nonnegative(value, name, *, allow_inf=False):
    """A real ``value`` ≥ 0 (> 0 unless 0 is the unpenalized fit), inf only if allowed."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or np.isnan(value) \
            or value < 0 or (np.isinf(value) and not allow_inf):
        bound = "a number in (0, inf]" if allow_inf else "a finite number ≥ 0"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return float(value)


def alpha_and_factors(alpha, penalty_factor, n_features):
    """``(alphas, penalty_factor)`` for ``path``: alpha = 0 (C = ∞) is the unpenalized
    fit, the path with every penalty factor 0 at a nominal alpha of 1."""
    if alpha > 0:
        return [alpha], penalty_factor
    V.check_penalty_factor(penalty_factor, n_features)      # still checked
    return [1.0], np.zeros(n_features)


def linear_predictor(X, coef, intercept):
    """``X coef + intercept``: (n,) for a (p,) coef, (n, m) for (m, p)."""
    if coef.ndim == 1:
        return np.asarray(X @ coef, dtype=np.float64).ravel() + intercept
    return np.asarray(X @ coef.T, dtype=np.float64) + intercept


def weight_total(sample_weight, n):
    """Raw ``Σ w`` (validated): the scale on which scikit-learn's Ridge and
    LogisticRegression put their penalties."""
    V.check_sample_weight(sample_weight, n)       # raises on bad weights
    if sample_weight is None:
        return float(n)
    w = np.asarray(sample_weight, dtype=np.float64)
    return float(w.sum()) if w.ndim else float(w) * n


def sample_weight_or_none(sample_weight):
    return None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)


def cv_results(cv_paths, *, l1_ratios=None, alpha_factor=1.0):
    """The ``cv_results_`` dict of a CV estimator: one row per (l1_ratio, [gamma,] alpha).

    Keys: ``l1_ratio``, ``alpha`` (on the estimator's scale: path alpha × alpha_factor),
    ``gamma`` (relaxed fits), ``mean_score``, ``se_score`` (cvm, cvsd), ``rank_score``
    (1 = lowest mean score), ``n_nonzero`` (of the full-data fit) and, for K-fold,
    ``split{k}_score`` per fold.
    """
    cols = {"l1_ratio": [], "alpha": [], "mean_score": [], "se_score": [], "n_nonzero": []}
    relaxed = hasattr(cv_paths[0], "gammas")
    if relaxed:
        cols["gamma"] = []
    n_folds = cv_paths[0].n_folds
    per_fold = getattr(cv_paths[0], "fold_weights", None) is None
    splits = [[] for _ in range(n_folds)] if per_fold else []
    for c in cv_paths:
        k = len(c.alphas)
        nnz = c.path.n_nonzero
        if relaxed:
            for g, gamma in enumerate(c.gammas):
                cols["l1_ratio"].append(np.full(k, c.l1_ratio))
                cols["gamma"].append(np.full(k, gamma))
                cols["alpha"].append(c.alphas * alpha_factor)
                cols["mean_score"].append(c.cvm[g])
                cols["se_score"].append(c.cvsd[g])
                cols["n_nonzero"].append(nnz)
                for f in range(n_folds):
                    splits[f].append(c.fold_scores[f, g])
        else:
            cols["l1_ratio"].append(np.full(k, c.l1_ratio))
            cols["alpha"].append(c.alphas * alpha_factor)
            cols["mean_score"].append(c.cvm)
            cols["se_score"].append(c.cvsd)
            cols["n_nonzero"].append(nnz)
            if per_fold:
                for f in range(n_folds):
                    splits[f].append(c.fold_scores[f])
    out = {key: np.concatenate(val) for key, val in cols.items()}
    for f, s in enumerate(splits):
        out[f"split{f}_score"] = np.concatenate(s)
    order = np.argsort(out["mean_score"], kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(1, order.size + 1)
    out["rank_score"] = rank
    return out


def stacked(arrays):
    """Arrays of shape (k_i, ...) stacked into (len(arrays), max k_i, ...), NaN-padded: the
    paths of several l1_ratios may stop early (glmnet's rule) at different lengths."""
    arrays = [np.asarray(a, dtype=float) for a in arrays]
    k = max(a.shape[0] for a in arrays)
    out = np.full((len(arrays), k) + arrays[0].shape[1:], np.nan)
    for i, a in enumerate(arrays):
        out[i, :a.shape[0]] = a
    return out


def choose(cv_paths, selection):
    """(position in cv_paths, index) of the selection across several l1_ratios.

    "min": the lowest ``cvm`` over every (l1_ratio, alpha) (the first l1_ratio on ties);
    "1se": the rule of one standard error along alpha, within the l1_ratio of the minimum.
    """
    best = int(np.argmin([np.asarray(c.cvm)[c.index_min] for c in cv_paths]))
    return best, cv_paths[best].index(selection)


# glmnet's default grid can end before the cross-validated minimum (ridge's above all:
# its first alpha is that of l1_ratio 1e-3, so four decades reach only C ≈ 0.05 on
# standardized breast-cancer data, whose best C is about 0.4). When the minimum is at
# the grid's smallest alpha and the path can go on, the default grid is extended by
# GRID_EXTENSION at a time, at most MAX_GRID_EXTENSIONS times, at the same density.
GRID_EXTENSION = 1e-2
MAX_GRID_EXTENSIONS = 2


def cv_default_grid(run, X, n_alphas, alpha_min_ratio, selection, default_ratio=None):
    """``run(n_alphas, alpha_min_ratio) -> CVPaths``, extended past a minimum at the
    default grid's small end (see GRID_EXTENSION); ``alpha_min_ratio`` None: the default
    grid's, ``default_ratio(n, p)`` (None: glmnet's, ``path.default_alpha_min_ratio``)."""
    if alpha_min_ratio is not None:
        return run(n_alphas, alpha_min_ratio)   # the user's grid: noted, not changed
    ratio = (default_ratio or default_alpha_min_ratio)(*X.shape)
    paths = run(n_alphas, ratio)
    density = n_alphas / -np.log10(ratio)
    for _ in range(MAX_GRID_EXTENSIONS):
        if not extends_below(paths[choose(paths, selection)[0]]):
            break
        ratio *= GRID_EXTENSION
        paths = run(max(n_alphas, int(round(density * -np.log10(ratio)))), ratio)
    return paths


# ---------------------------------------------------------------------------------------
# scikit-learn parameters kept for drop-in compatibility
# ---------------------------------------------------------------------------------------
# scikit-learn's estimators take parameters that choose *how* to solve: the solver, the
# coordinate order and its seed, a precomputed Gram, a warm start, copying X, threads,
# verbosity. Code written for them passes these routinely (``solver="liblinear"``,
# ``random_state=0``), so every estimator accepts its scikit-learn counterpart's names and
# checks their values. None of them changes the fitted model: the engine chooses its own
# solver (coordinate descent on working sets, proximal Newton; a Gram when n ≫ p), never
# writes to X, is deterministic, and certifies every fit to ``tol`` from whatever start.
COMPAT_SOLVERS = {
    "Ridge": ("auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs"),
    "LogisticRegression": ("lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag",
                           "saga"),
    "LogisticRegressionCV": ("lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag",
                             "saga"),
    "PoissonRegressor": ("lbfgs", "newton-cholesky"),
}
COMPAT_BOOLS = ("copy_X", "warm_start", "dual", "store_cv_results", "alpha_per_target",
                "refit")


# scikit-learn's ``selection`` is the coordinate order of its CD; the CV estimators here
# use the name for the choice of alpha ("min" or "1se") and read these two as "min".
SKLEARN_SELECTIONS = ("cyclic", "random")


def cv_selection(selection):
    """The CV choice of alpha: "min" or "1se" ("cyclic"/"random", scikit-learn's CD order
    given to a CV estimator, mean "min")."""
    if selection in SKLEARN_SELECTIONS:
        return "min"
    if selection not in ("min", "1se"):
        raise ValueError(f"selection must be 'min' or '1se' (or scikit-learn's 'cyclic' / "
                         f"'random', read as 'min'), got {selection!r}")
    return selection


def _check_compat_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")


def check_compat_params(estimator):
    """Check the scikit-learn compatibility parameters of ``estimator`` (those it has).

    Raises ValueError naming the parameter for a value scikit-learn would refuse too, and
    for the two requests this engine does not serve: a precomputed Gram array
    (``precompute``) and fold-averaged coefficients (``refit=False``).
    """
    from sklearn.utils import check_random_state

    params = estimator.get_params(deep=False)
    for name in COMPAT_BOOLS:
        if name in params:
            _check_compat_bool(params[name], name)
    if "solver" in params:
        allowed = COMPAT_SOLVERS[type(estimator).__name__]
        if params["solver"] not in allowed:
            raise ValueError(f"solver must be one of {', '.join(map(repr, allowed))}, got "
                             f"{params['solver']!r} (any of them gives the same certified "
                             f"fit here)")
    if "precompute" in params:
        value = params["precompute"]
        if not (isinstance(value, (bool, np.bool_)) or (isinstance(value, str)
                                                         and value == "auto")):
            raise ValueError("precompute must be True, False or 'auto' (a precomputed Gram "
                             "array is not accepted: pass X, the Gram is formed when it "
                             f"pays), got {type(value).__name__}")
    if params.get("refit", True) is False:
        raise ValueError("refit=False (coefficients averaged over the folds) is not "
                         "supported: the model is refitted on all rows at the chosen C")
    if "random_state" in params:
        check_random_state(params["random_state"])          # ValueError when invalid
    if "intercept_scaling" in params:
        V.check_positive_float(params["intercept_scaling"], "intercept_scaling")
    if "verbose" in params:
        value = params["verbose"]
        if not isinstance(value, (numbers.Integral, np.bool_)) or value < 0:
            raise ValueError(f"verbose must be an int ≥ 0 or a bool, got {value!r}")
    if "n_jobs" in params and params["n_jobs"] is not None:
        value = params["n_jobs"]
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value == 0:
            raise ValueError(f"n_jobs must be None or a non-zero int, got {value!r}")
    if params.get("use_legacy_attributes", False) not in (True, False, "warn"):
        raise ValueError(f"use_legacy_attributes must be True, False or 'warn', got "
                         f"{params['use_legacy_attributes']!r}")
    if "selection" in params and "cv" not in params \
            and params["selection"] not in SKLEARN_SELECTIONS:
        raise ValueError(f"selection must be 'cyclic' or 'random', got "
                         f"{params['selection']!r}")
    if "gcv_mode" in params and params["gcv_mode"] not in (None, "auto", "svd", "eigen"):
        raise ValueError(f"gcv_mode must be None, 'auto', 'svd' or 'eigen', got "
                         f"{params['gcv_mode']!r}")
