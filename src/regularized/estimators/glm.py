"""GLM estimators: LogisticRegression (binary and multinomial), PoissonRegressor, and CV.

Each ``fit`` is one call of the path engine with ``loss="logistic"``, ``"multinomial"`` or
``"poisson"`` (proximal Newton, certified by a duality gap). The objective (DESIGN §1), with
weights w rescaled to sum to n::

    (1/n) Σ_i w_i ℓ(y_i, b + x_iᵀβ)  +  α Σ_j v_j (ρ|β_j| + (1−ρ)/2 β_j²)

- ``LogisticRegression(C)`` keeps scikit-learn's scale ``C Σ w ℓ + ρ‖β‖₁ + (1−ρ)/2 ‖β‖²``
  (raw weights, class weights folded in), so the path's α is ``1 / (C·Σw)`` (``1/(C·n)``
  without weights); ``l1_ratio`` is ρ (scikit-learn 1.8+'s elastic-net parametrisation).
  Two classes use the logistic loss (one coefficient vector, ``coef_`` of shape
  (1, n_features)); more use the multinomial loss (``coef_`` (n_classes, n_features),
  the penalty on every class's coefficients, as scikit-learn's multinomial fit).
- ``PoissonRegressor(alpha)`` shares our scale: scikit-learn's
  ``1/(2Σw) Σ w·deviance + α/2 ‖β‖²`` is ``(1/n) Σ w ℓ + α/2 ‖β‖²`` up to a constant.

Every estimator also has ``n_iter_``, ``dual_gap_`` (the certified relative duality gap),
``path_`` and, for pandas input, ``feature_names_in_``.

Unpenalized fits (``LogisticRegression(C=np.inf)``, ``PoissonRegressor(alpha=0)``, as
scikit-learn) are the path with every penalty factor 0 (its alpha, 1, then multiplies
nothing): the intercept and all coefficients are fitted by exact Newton steps, and
``n_iter_`` counts those steps. The dual point then meets every feature's constraint
``x_jᵀθ = 0`` to rounding, so ``dual_gap_`` is a duality gap as for a penalized fit; where
the Newton steps cannot bring the gradient to rounding (separable classes: no finite
optimum) no gap is certified (``dual_gap_`` is inf) and a ``ConvergenceWarning`` names
the problem. ``LogisticRegressionCV(Cs=[..., np.inf])`` cross-validates that fit as one
more grid point (alpha 0) on the same folds.
"""
import numbers
import warnings

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets

from .. import _validation as V
from ..cv import CVPath, cv_paths, make_splits, warn_grid_edge
from ..losses import label_text
from ..path import DEFAULT_MAX_ITER, DEFAULT_TOL, Path, path
from ._base import (SparseInputMixin, alpha_and_factors, check_nonnegative, choose, cv_default_grid, cv_results, cv_selection,
                    stacked, linear_predictor, sample_weight_or_none, validate_fit_data,
                    validate_predict_data)


# scikit-learn 1.8 deprecated the penalty= of LogisticRegression and LogisticRegressionCV
# (removal in 1.10) for C/Cs and l1_ratio/l1_ratios: "l2" is l1_ratio=0, "l1" l1_ratio=1,
# "elasticnet" l1_ratio as given, None C=∞ (Cs=(np.inf,)).
PENALTY_L1_RATIOS = {"l2": 0.0, "l1": 1.0}


def _deprecated_penalty(penalty, l1_ratio, *, C_set, cv=False):
    """``(l1_ratio, unpenalized)`` from the deprecated ``penalty`` of a LogisticRegression
    (``cv=False``: ``C``, ``l1_ratio``) or LogisticRegressionCV (``cv=True``: ``Cs``,
    ``l1_ratios``), mapped as scikit-learn 1.9 does, with its FutureWarning; ``penalty=None``
    (unpenalized: C = ∞) says so when ``C_set`` (C or Cs not left at its default), as
    scikit-learn does, since it ignores them. Called from ``fit`` through one helper
    (``_C_and_l1_ratio``, ``_Cs_and_l1_ratios``): warnings point at the user's ``fit``."""
    if isinstance(penalty, str) and penalty == "deprecated":
        return l1_ratio, False
    C, ratio = ("Cs", "l1_ratios") if cv else ("C", "l1_ratio")
    if not (penalty is None or (isinstance(penalty, str)
                                and penalty in ("l1", "l2", "elasticnet"))):
        raise ValueError(f"penalty must be 'l1', 'l2', 'elasticnet' or None (deprecated: use "
                         f"{ratio} and {C}), got {penalty!r}")
    value = (lambda v: f"({v},)") if cv else str
    warnings.warn(f"'penalty' was deprecated in scikit-learn 1.8 and will be removed in 1.10. "
                  f"To avoid this warning, leave 'penalty' set to its default value and use "
                  f"'{ratio}' or '{C}' instead. Use {ratio}={value(0)} instead of "
                  f"penalty='l2', {ratio}={value(1)} instead of penalty='l1', {ratio} set to "
                  f"{'floats' if cv else 'a float'} between 0 and 1 instead of "
                  f"penalty='elasticnet', and {C}={value('np.inf')} instead of penalty=None.",
                  FutureWarning, stacklevel=4)
    if penalty is None:
        if C_set:
            warnings.warn(f"Setting penalty=None will ignore the {C} and {ratio} parameters",
                          UserWarning, stacklevel=4)
        return l1_ratio, True
    if penalty in PENALTY_L1_RATIOS:
        target = PENALTY_L1_RATIOS[penalty]
        if not all(r == target for r in np.ravel(np.asarray(l1_ratio, dtype=object))):
            warnings.warn(f"Inconsistent values: penalty={penalty} with {ratio}={l1_ratio}. "
                          f"penalty is deprecated: {ratio}={value(target)} is used. Please "
                          f"use {ratio} only.", UserWarning, stacklevel=4)
        return target, False
    return l1_ratio, False


def _C_and_l1_ratio(estimator):
    """``(C, l1_ratio)`` of a LogisticRegression, its deprecated ``penalty`` mapped as
    scikit-learn 1.9 does (``_deprecated_penalty``)."""
    C = check_nonnegative(estimator.C, "C", allow_inf=True)
    if C == 0:
        raise ValueError("C must be a number in (0, inf], got 0")
    l1_ratio, unpenalized = _deprecated_penalty(estimator.penalty, estimator.l1_ratio,
                                                C_set=C != 1.0)
    return (np.inf if unpenalized else C), l1_ratio


def _classification_weights(estimator, y, sample_weight):
    """(classes, sample weights × class weights)."""
    check_classification_targets(y)
    classes = np.unique(y)
    if classes.size < 2:
        raise ValueError(f"{type(estimator).__name__} needs samples of at least 2 classes in "
                         f"the data, but the data contains only one class: {classes[0]!r}")
    n = y.shape[0]
    V.check_sample_weight(sample_weight, n)               # shape, sign, finiteness
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    w = np.full(n, float(w)) if w.ndim == 0 else w.copy()    # raw scale: C is on Σw
    if estimator.class_weight is not None:
        # "balanced" counts each class by its summed sample weight (scikit-learn ≥ 1.6)
        cw = compute_class_weight(estimator.class_weight, classes=classes, y=y,
                                  sample_weight=None if sample_weight is None else w)
        w = w * cw[np.searchsorted(classes, y)]
    if not w.sum() > 0:
        raise ValueError("sample_weight (with class_weight) is all zero")
    weight_per_class = np.bincount(np.searchsorted(classes, y), weights=w,
                                   minlength=classes.size)
    empty = classes[weight_per_class <= 0]
    if empty.size:
        raise ValueError(f"{type(estimator).__name__} needs a positive total sample weight "
                         f"in every class; class {label_text(empty[0])} has none (with "
                         f"{classes.size - empty.size} class(es) left)")
    return classes, w


class _LinearClassifier(SparseInputMixin, ClassifierMixin, BaseEstimator):
    """Predictions of a fitted (binary or multinomial) logistic model."""

    def decision_function(self, X):
        """The linear predictor: (n_samples,) for two classes, else (n_samples, n_classes)."""
        X = validate_predict_data(self, X)
        eta = linear_predictor(X, self.coef_, self.intercept_)
        return eta[:, 0] if self.coef_.shape[0] == 1 else eta

    def predict_proba(self, X):
        """Class probabilities, (n_samples, n_classes), columns in ``classes_`` order."""
        eta = self.decision_function(X)
        if eta.ndim == 1:
            # expit: no overflow warning for a large negative η (1/(1+e^−η) had one)
            return np.column_stack([expit(-eta), expit(eta)])
        z = eta - eta.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X):
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable class."""
        eta = self.decision_function(X)
        if eta.ndim == 1:
            return self.classes_[(eta > 0).astype(np.int64)]
        return self.classes_[np.argmax(eta, axis=1)]

    def _set_fit(self, fitted_path, index):
        self.path_ = fitted_path
        coef = np.asarray(fitted_path.coef[index])
        b = np.asarray(fitted_path.intercept[index], dtype=np.float64)
        if coef.ndim == 1:
            self.coef_ = coef[None, :].copy()
            self.intercept_ = np.atleast_1d(b).copy()
        else:
            self.coef_ = coef.copy()
            # The softmax is unchanged by a common shift of the intercepts: report them
            # centred (as scikit-learn's multinomial fit).
            self.intercept_ = b - b.mean()
        self.n_iter_ = np.array([max(1, int(fitted_path.n_iter[index]))])
        self.dual_gap_ = float(fitted_path.gap[index])


class LogisticRegression(_LinearClassifier):
    """Penalized logistic regression (binary, or multinomial for more classes).

    A drop-in for ``sklearn.linear_model.LogisticRegression`` (scikit-learn 1.9's
    parametrisation): ``C Σ w ℓ(y, b + Xβ) + ρ Σ v_j|β_j| + (1−ρ)/2 Σ v_j β_j²`` with
    ρ = ``l1_ratio``, fitted as a one-alpha path at α = 1/(C·Σw).

    Parameters
    ----------
    C : float in (0, inf], inverse penalty strength; ``np.inf`` fits without a penalty.
    l1_ratio : float in [0, 1] (0: L2, 1: L1).
    tol : bound on the relative duality gap.  max_iter : coordinate-descent epochs allowed.
    fit_intercept : bool.
    class_weight : dict, "balanced" or None; multiplies the sample weights per class.
    penalty_factor : (n_features,) v_j ≥ 0 or None.  positive : constrain β ≥ 0.
    standardize : penalize standardized columns (coefficients on the original scale).
    penalty : deprecated (scikit-learn 1.8–1.9): "l2", "l1", "elasticnet" or None, mapped
        to l1_ratio = 0, 1, ``l1_ratio``, or C = inf, with scikit-learn's FutureWarning.
    dual, intercept_scaling, random_state, solver, verbose, warm_start, n_jobs :
        scikit-learn's, accepted and checked; they do not change the fit (any solver name
        gives the same certified solution; the intercept is never penalized, so
        liblinear's ``intercept_scaling`` has nothing to scale; see
        ``_base.check_compat_params``).

    Attributes
    ----------
    classes_ : (n_classes,).  coef_ : (1, n_features) for two classes, else
    (n_classes, n_features).  intercept_ : (1,) or (n_classes,) (centred for multinomial).
    n_iter_ : (1,) int.  dual_gap_ : float.  path_ : the one-alpha ``Path``.
    n_features_in_, feature_names_in_.

    On (nearly) separable classes the coefficients grow without bound as C → ∞ (glmnet's
    path stops there). With C = inf (no finite optimum) or a C too large for the
    coefficients to be reached (a few hundred Newton steps), the fit stops with a
    ``ConvergenceWarning`` that says so; ``dual_gap_`` is the gap at the C asked for.
    """

    def __init__(self, C=1.0, *, l1_ratio=0.0, dual=False, tol=DEFAULT_TOL,
                 fit_intercept=True, intercept_scaling=1, class_weight=None, random_state=None,
                 solver="lbfgs", max_iter=DEFAULT_MAX_ITER, verbose=0, warm_start=False,
                 n_jobs=None, penalty_factor=None, positive=False, standardize=False,
                 penalty="deprecated"):
        self.dual = dual
        self.intercept_scaling = intercept_scaling
        self.random_state = random_state
        self.solver = solver
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.standardize = standardize

    def fit(self, X, y, sample_weight=None):
        """Fit on (X, y) with optional ``sample_weight`` (n_samples,)."""
        X, y = validate_fit_data(self, X, y)
        C, l1_ratio = _C_and_l1_ratio(self)
        self.classes_, w = _classification_weights(self, y, sample_weight)
        loss = "logistic" if self.classes_.size == 2 else "multinomial"
        alphas, factors = alpha_and_factors(1.0 / (C * w.sum()), self.penalty_factor,
                                             X.shape[1])
        fitted = path(X, y, loss=loss, l1_ratio=l1_ratio, alphas=alphas,
                      fit_intercept=self.fit_intercept, sample_weight=w,
                      penalty_factor=factors, positive=self.positive,
                      standardize=self.standardize, tol=self.tol, max_iter=self.max_iter)
        self._set_fit(fitted, 0)
        return self


class _PoissonMixin:
    """``predict`` = e^(b + Xβ); ``score`` = D² (fraction of Poisson deviance explained)."""

    def predict(self, X):
        """The predicted mean ``exp(b + Xβ)``, (n_samples,)."""
        X = validate_predict_data(self, X)
        return np.exp(np.minimum(linear_predictor(X, self.coef_, self.intercept_), 500.0))

    def score(self, X, y, sample_weight=None):
        """D² = 1 − deviance / null deviance (scikit-learn's ``PoissonRegressor.score``)."""
        from sklearn.metrics import d2_tweedie_score

        return d2_tweedie_score(y, self.predict(X), sample_weight=sample_weight, power=1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = True
        return tags

    def _set_fit(self, fitted_path, index):
        self.path_ = fitted_path
        self.coef_ = fitted_path.coef[index].copy()
        self.intercept_ = float(fitted_path.intercept[index])
        self.n_iter_ = max(1, int(fitted_path.n_iter[index]))
        self.dual_gap_ = float(fitted_path.gap[index])


class PoissonRegressor(_PoissonMixin, SparseInputMixin, RegressorMixin, BaseEstimator):
    """Penalized Poisson regression (log link): ``(1/n) Σ w (e^η − yη) + α Σ v_j (ρ|β_j| +
    (1−ρ)/2 β_j²)``, η = b + Xβ.

    A drop-in for ``sklearn.linear_model.PoissonRegressor`` (same ``alpha``; ``l1_ratio``
    adds an L1 part, 0 by default as scikit-learn's L2 penalty).

    Parameters
    ----------
    alpha : float ≥ 0 (0: no penalty).  l1_ratio : float in [0, 1].  fit_intercept : bool.
    tol, max_iter, penalty_factor, positive, standardize : as ``LogisticRegression``.
    solver, warm_start, verbose : scikit-learn's, accepted and checked; they do not change
        the fit (``_base.check_compat_params``).

    Attributes
    ----------
    coef_ : (n_features,).  intercept_ : float.  n_iter_ : int.  dual_gap_ : float.
    path_ : the one-alpha ``Path``.  n_features_in_, feature_names_in_.
    """

    def __init__(self, *, alpha=1.0, fit_intercept=True, solver="lbfgs",
                 max_iter=DEFAULT_MAX_ITER, tol=DEFAULT_TOL, warm_start=False, verbose=0,
                 l1_ratio=0.0, penalty_factor=None, positive=False, standardize=False):
        self.solver = solver
        self.warm_start = warm_start
        self.verbose = verbose
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.standardize = standardize

    def fit(self, X, y, sample_weight=None):
        """Fit on (X, y) (counts ≥ 0) with optional ``sample_weight``."""
        X, y = validate_fit_data(self, X, y, y_numeric=True)
        alphas, factors = alpha_and_factors(check_nonnegative(self.alpha, "alpha"),
                                             self.penalty_factor, X.shape[1])
        fitted = path(X, y, loss="poisson", l1_ratio=self.l1_ratio, alphas=alphas,
                      fit_intercept=self.fit_intercept,
                      sample_weight=sample_weight_or_none(sample_weight),
                      penalty_factor=factors, positive=self.positive,
                      standardize=self.standardize, tol=self.tol, max_iter=self.max_iter)
        self._set_fit(fitted, 0)
        return self


# ---------------------------------------------------------------------------------------
# cross-validated GLM estimators
# ---------------------------------------------------------------------------------------
def _record_cv(est, paths, selection, alpha_factor=1.0, **edge):
    """Attributes shared by the GLM CV estimators, and a note when the minimum sits at an
    end of the grid (``cv.warn_grid_edge``, ``edge`` its keywords); returns (chosen
    CVPath, index)."""
    best, idx = choose(paths, selection)
    chosen = paths[best]
    warn_grid_edge(chosen, type(est).__name__, **edge)
    est.cv_path_ = chosen
    est.cv_results_ = cv_results(paths, alpha_factor=alpha_factor)
    est.l1_ratio_ = float(chosen.l1_ratio)
    est.alpha_min_ = float(chosen.alpha_min)
    est.alpha_1se_ = float(chosen.alpha_1se)
    est.alpha_ = float(chosen.alphas[idx])
    est.alphas_ = chosen.alphas if len(paths) == 1 else stacked([c.alphas for c in paths])
    return chosen, idx


DEFAULT_CS = 100


def _Cs_and_l1_ratios(estimator):
    """``(Cs, n_Cs, l1_ratios)`` of a LogisticRegressionCV: ``Cs`` the C values given
    (increasing, in (0, inf]; None for the default grid of ``n_Cs`` values), its deprecated
    ``penalty`` mapped as scikit-learn 1.9 does (``_deprecated_penalty``; None: Cs=(inf,))."""
    Cs = estimator.Cs
    grid = isinstance(Cs, numbers.Integral) and not isinstance(Cs, bool)
    l1_ratios, unpenalized = _deprecated_penalty(
        estimator.penalty, estimator.l1_ratios, cv=True,
        C_set=not (grid and Cs == DEFAULT_CS))
    l1_ratios = np.atleast_1d(l1_ratios)
    if unpenalized:
        return np.array([np.inf]), None, l1_ratios
    if grid:
        return None, V.check_positive_int(Cs, "Cs"), l1_ratios
    try:
        values = np.asarray(Cs, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"Cs must be a positive int or an array of C values in (0, inf], "
                         f"got {Cs!r}") from None
    if values.size == 0:
        raise ValueError("Cs is empty: give a positive int or C values in (0, inf]")
    bad = values[~(values > 0)]                  # ≤ 0 or NaN
    if bad.size:
        raise ValueError(f"Cs must hold C values in (0, inf] (np.inf: no penalty), got "
                         f"{float(bad[0])!r}")
    return np.sort(values), None, l1_ratios


class _UnpenalizedEndCVPath(CVPath):
    """A CVPath whose last grid point is the unpenalized fit (C = inf, alpha 0): there is
    no less penalty below it, so a minimum there is no edge of the grid."""

    @property
    def edge(self):
        return None if self.index_min == len(self.alphas) - 1 else super().edge


PATH_ARRAYS = ("coef", "intercept", "gap", "n_iter", "deviance_ratio", "objective",
               "deviance")


def _append_unpenalized(penalized, free):
    """``penalized`` (a CVPath, or None for no finite C) followed by the one-point CVPath
    ``free`` of the unpenalized fit (run at a nominal alpha with every penalty factor 0,
    on the same folds), that point at alpha 0."""
    parts = [free] if penalized is None else [penalized, free]
    alphas = np.r_[[] if penalized is None else penalized.alphas, 0.0]
    first = parts[0].path
    path_ = Path(alphas=alphas, **{key: np.concatenate([getattr(c.path, key) for c in parts])
                                   for key in PATH_ARRAYS},
                 l1_ratio=first.l1_ratio, fit_intercept=first.fit_intercept, loss=first.loss,
                 null_deviance=first.null_deviance, classes=first.classes)
    return _UnpenalizedEndCVPath(alphas=alphas,
                                 fold_scores=np.hstack([c.fold_scores for c in parts]),
                                 path=path_, scoring=free.scoring, loss=free.loss,
                                 l1_ratio=first.l1_ratio, folds=free.folds)


class LogisticRegressionCV(_LinearClassifier):
    """Logistic regression with C (and l1_ratio) chosen by cross-validation.

    Each fold fits ``LogisticRegression(C)`` on its training rows (scikit-learn's
    convention: the penalty stays ``1/C`` against the fold's summed loss, i.e. the path's
    α is ``1/(C·Σw_train)``), on one grid shared by every fold; folds are stratified.

    Parameters
    ----------
    Cs : int (that many values on the default path grid, from the C that zeroes every
        coefficient up, glmnet's grid; scikit-learn's int means ``logspace(-4, 4, Cs)``)
        or an array of C values in (0, inf]; ``np.inf`` adds the unpenalized fit
        (``LogisticRegression(C=np.inf)``) as one grid point, at alpha 0, cross-validated
        on the same folds (a minimum there is no edge of the grid).
    l1_ratios : float or sequence in [0, 1] (default 0: L2).
    eps : smallest/largest alpha of the default grid (None: glmnet's 1e-4 / 1e-2, extended
        past a CV minimum at its small end as ``LassoCV``'s).
    scoring : "deviance" (default, glmnet's), "misclassification", "auc" (stored as
        1 − AUC), "mse" or "mae" on the probabilities; lower is better.
    selection : "min" or "1se" (the largest penalty within one standard error). A minimum
        at an end of the grid (``cv_path_.edge``) is noted by a ``UserWarning``
        (``cv.warn_grid_edge``): the grid may be too short there.
    cv, n_jobs, random_state : as ``LassoCV`` (stratified K-fold for an int).
    fit_intercept, class_weight, tol, max_iter, penalty_factor, positive, standardize :
        as ``LogisticRegression``.
    penalty : deprecated (scikit-learn 1.8–1.9): "l2", "l1", "elasticnet" or None, mapped
        to l1_ratios = (0,), (1,), ``l1_ratios``, or Cs = (inf,), with scikit-learn's
        FutureWarning (as ``LogisticRegression``'s; scikit-learn's LogisticRegressionCV
        refuses None).
    use_legacy_attributes : False (default; scikit-learn 1.10's): ``C_`` and ``l1_ratio_``
        are floats. True or "warn" (scikit-learn 1.9's default): both are arrays repeating
        the value, shape (1,) for two classes, else (n_classes,).
    dual, solver, verbose, intercept_scaling : scikit-learn's, accepted and checked; they
        do not change the fit. refit : True only (the model is refitted on all rows at the
        chosen C; scikit-learn's fold-averaged ``refit=False`` is refused).

    Attributes
    ----------
    C_, C_min_, C_1se_ : the chosen C and those of ``alpha_min_``/``alpha_1se_`` (inf:
    the unpenalized fit, alpha 0).
    Cs_ : the C grid (increasing).  alpha_, alpha_min_, alpha_1se_, alphas_ : the same on
    the path's alpha scale (full data).  l1_ratio_.  cv_results_, cv_path_, path_,
    classes_, coef_, intercept_, n_iter_, dual_gap_ (as ``LogisticRegression``). The
    per-fold scores are in ``cv_results_`` (scikit-learn's ``scores_`` and
    ``coefs_paths_`` are not kept).
    """

    def __init__(self, *, Cs=DEFAULT_CS, l1_ratios=0.0, fit_intercept=True, cv=None,
                 dual=False, penalty="deprecated", scoring=None, solver="lbfgs",
                 tol=DEFAULT_TOL, max_iter=DEFAULT_MAX_ITER, class_weight=None, n_jobs=None,
                 verbose=0, refit=True, intercept_scaling=1.0, random_state=None,
                 use_legacy_attributes=False, eps=None, selection="min", penalty_factor=None,
                 positive=False, standardize=False):
        self.dual = dual
        self.solver = solver
        self.verbose = verbose
        self.refit = refit
        self.intercept_scaling = intercept_scaling
        self.use_legacy_attributes = use_legacy_attributes
        self.penalty = penalty
        self.Cs = Cs
        self.l1_ratios = l1_ratios
        self.eps = eps
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.scoring = scoring
        self.selection = selection
        self.n_jobs = n_jobs
        self.class_weight = class_weight
        self.tol = tol
        self.max_iter = max_iter
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.standardize = standardize
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None, groups=None):
        """Fit on (X, y) with optional ``sample_weight``; ``groups`` go to the splitter."""
        X, y = validate_fit_data(self, X, y)
        selection = cv_selection(self.selection)
        Cs, n_alphas, l1_ratios = _Cs_and_l1_ratios(self)
        self.classes_, w = _classification_weights(self, y, sample_weight)
        total = float(w.sum())
        loss = "logistic" if self.classes_.size == 2 else "multinomial"
        eps = None if self.eps is None else V.check_positive_float(self.eps, "eps")
        cv = 5 if self.cv is None else self.cv
        unpenalized = Cs is not None and np.isinf(Cs[-1])
        if unpenalized:
            # the penalized grid and the unpenalized fit are two runs: on the same folds
            cv = make_splits(cv, len(y), y=np.searchsorted(self.classes_, y), groups=groups,
                             classifier=True, random_state=self.random_state)

        def run(n_alphas, alpha_min_ratio, *, alphas=None, l1_ratios=l1_ratios,
                penalty_factor=self.penalty_factor):
            return cv_paths(X, y, l1_ratios=l1_ratios, alphas=alphas, n_alphas=n_alphas,
                            alpha_min_ratio=alpha_min_ratio, cv=cv, scoring=self.scoring,
                            n_jobs=self.n_jobs, loss=loss, fit_intercept=self.fit_intercept,
                            sample_weight=w, penalty_factor=penalty_factor,
                            positive=self.positive, standardize=self.standardize,
                            tol=self.tol, max_iter=self.max_iter,
                            random_state=self.random_state, groups=groups,
                            alpha_scale="sum")
        if Cs is None:
            paths = cv_default_grid(run, X, n_alphas, eps, selection)
        else:
            finite = Cs[np.isfinite(Cs)]
            paths = run(100, eps, alphas=1.0 / (finite * total)) if finite.size else [None]
        if unpenalized:
            alphas, factors = alpha_and_factors(0.0, self.penalty_factor, X.shape[1])
            free = run(1, None, alphas=alphas, l1_ratios=l1_ratios[:1],
                       penalty_factor=factors)[0]
            paths = [_append_unpenalized(c, free) for c in paths]

        def C_of(alpha):                                   # alpha 0: C = inf
            with np.errstate(divide="ignore"):
                return np.divide(1.0, np.multiply(alpha, total))
        chosen, idx = _record_cv(self, paths, selection, knobs="Cs, or eps",
                                 also=lambda alpha: f"C={C_of(alpha):.4g}")
        self.Cs_ = C_of(chosen.alphas)                     # increasing: alphas decrease
        if Cs is not None and Cs.size == chosen.alphas.size:
            self.Cs_ = Cs.copy()        # the user's values, not their round trip via alpha
        self.C_ = float(self.Cs_[idx])
        self.C_min_ = float(self.Cs_[chosen.index_min])
        self.C_1se_ = float(self.Cs_[chosen.index_1se])
        self._set_fit(chosen.path, idx)
        if self.use_legacy_attributes in (True, "warn"):
            # scikit-learn 1.9's shapes: the value repeated per class ((1,) for binary)
            size = 1 if self.classes_.size == 2 else self.classes_.size
            self.C_ = np.full(size, self.C_)
            self.l1_ratio_ = np.full(size, self.l1_ratio_)
        return self


class PoissonRegressorCV(_PoissonMixin, SparseInputMixin, RegressorMixin, BaseEstimator):
    """Poisson regression with alpha (and l1_ratio) chosen by cross-validation.

    glmnet's ``cv.glmnet(family="poisson")``: the grid comes from the full data and every
    fold's path is fitted on it (alpha on the mean scale, as ``PoissonRegressor``).

    Parameters
    ----------
    l1_ratio : float or sequence in [0, 1] (default 0, scikit-learn's L2 penalty).
    eps, alphas : as ``LassoCV`` (alphas: int or array).
    scoring : "deviance" (default), "mse" or "mae" on the mean.
    selection (a minimum at an end of the grid noted as ``LogisticRegressionCV``'s), cv,
    n_jobs, random_state, fit_intercept, tol, max_iter, penalty_factor,
    positive, standardize : as ``LassoCV``.

    Attributes
    ----------
    alpha_, alpha_min_, alpha_1se_, alphas_, l1_ratio_, cv_results_, cv_path_, path_,
    coef_, intercept_, n_iter_, dual_gap_.
    """

    def __init__(self, *, l1_ratio=0.0, eps=None, alphas=100, fit_intercept=True, cv=None,
                 scoring=None, selection="min", n_jobs=None, tol=DEFAULT_TOL,
                 max_iter=DEFAULT_MAX_ITER, penalty_factor=None, positive=False,
                 standardize=False, random_state=None):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.scoring = scoring
        self.selection = selection
        self.n_jobs = n_jobs
        self.tol = tol
        self.max_iter = max_iter
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.standardize = standardize
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None, groups=None):
        """Fit on (X, y) (counts ≥ 0) with optional ``sample_weight``."""
        X, y = validate_fit_data(self, X, y, y_numeric=True)
        selection = cv_selection(self.selection)
        if isinstance(self.alphas, numbers.Integral) and not isinstance(self.alphas, bool):
            alphas, n_alphas = None, V.check_positive_int(self.alphas, "alphas")
        else:
            alphas, n_alphas = V.check_alphas(self.alphas), 100
        eps = None if self.eps is None else V.check_positive_float(self.eps, "eps")

        def run(n_alphas, alpha_min_ratio):
            return cv_paths(X, y, l1_ratios=np.atleast_1d(self.l1_ratio), alphas=alphas,
                            n_alphas=n_alphas, alpha_min_ratio=alpha_min_ratio,
                            cv=5 if self.cv is None else self.cv, scoring=self.scoring,
                            n_jobs=self.n_jobs, loss="poisson",
                            fit_intercept=self.fit_intercept,
                            sample_weight=sample_weight_or_none(sample_weight),
                            penalty_factor=self.penalty_factor, positive=self.positive,
                            standardize=self.standardize, tol=self.tol,
                            max_iter=self.max_iter, random_state=self.random_state,
                            groups=groups)
        paths = run(n_alphas, eps) if alphas is not None else cv_default_grid(
            run, X, n_alphas, eps, selection)
        chosen, idx = _record_cv(self, paths, selection, knobs="alphas, or eps")
        self._set_fit(chosen.path, idx)
        return self
