"""Squared-loss estimators: Ridge, Lasso, ElasticNet and their cross-validated versions.

Each ``fit`` is one call of the path engine: a one-alpha path for the plain estimators, a
cross-validated path (``cv.cv_paths``, Gram-downdate CV when it applies), a leave-one-out
ridge path or an information-criterion path for the CV estimators. The objective
(DESIGN §1), with weights w rescaled to sum to n and penalty factors v::

    (1/n) Σ_i w_i ½ (y_i − b − x_iᵀβ)²  +  α Σ_j v_j (ρ|β_j| + (1−ρ)/2 β_j²)

- ``Lasso(alpha)`` (ρ = 1) and ``ElasticNet(alpha, l1_ratio=ρ)`` use this α directly, as
  scikit-learn does;
- ``Ridge(alpha=a)`` keeps scikit-learn's sum scale ``Σ w (y − b − xᵀβ)² + a‖β‖²`` (raw
  weights), so the path's α is ``a / Σw`` (``a / n`` without weights).

Besides scikit-learn's attributes every estimator has ``n_iter_`` (coordinate-descent epochs
at the chosen alpha, at least 1: the pass over all features that certifies the solution counts;
1 for closed-form ridge), ``dual_gap_`` (the certified relative duality
gap ``(P − D)/P`` of the returned coefficients), ``path_`` (the full-data ``Path``) and, for
pandas input, ``feature_names_in_``. ``tol`` bounds that relative gap (it is not
scikit-learn's tolerance on the coefficient updates), ``max_iter`` the epochs per alpha.
"""
import numbers

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin

from .. import _validation as V
from ..cv import (cv_paths, ic_path, relax_path, ridge_loo_path, warn_grid_edge, _check_gamma,
                  _check_gammas)
from ..path import DEFAULT_MAX_ITER, DEFAULT_TOL, path
from ._base import (SparseInputMixin, alpha_and_factors, check_nonnegative, choose, cv_default_grid, cv_results,
                    cv_selection, linear_predictor, sample_weight_or_none, stacked,
                    validate_fit_data, validate_predict_data, weight_total)


POSITIVE_RIDGE_L1_RATIO = 1e-300


class _LinearRegressor(SparseInputMixin, RegressorMixin, BaseEstimator):
    """``predict = X coef_ + intercept_``."""

    def predict(self, X):
        """Predictions ``b + Xβ``, shape (n_samples,)."""
        X = validate_predict_data(self, X)
        return linear_predictor(X, self.coef_, self.intercept_)

    @property
    def sparse_coef_(self):
        """``coef_`` as a (1, n_features) CSR matrix (scikit-learn's ``sparse_coef_``)."""
        return sp.csr_matrix(self.coef_[None, :])

    def _set_fit(self, fitted_path, index, coef=None, intercept=None):
        """coef_, intercept_, n_iter_, dual_gap_ from point ``index`` of a path."""
        self.path_ = fitted_path
        self.coef_ = (fitted_path.coef[index] if coef is None else coef).copy()
        self.intercept_ = float(fitted_path.intercept[index] if intercept is None
                                else intercept)
        self.n_iter_ = max(1, int(fitted_path.n_iter[index]))
        self.dual_gap_ = float(fitted_path.gap[index])


def _check_criterion(criterion):
    if criterion not in (None, "aic", "bic"):
        raise ValueError(f"criterion must be None, 'aic' or 'bic', got {criterion!r}")
    return criterion


# ---------------------------------------------------------------------------------------
# one-alpha estimators
# ---------------------------------------------------------------------------------------
class ElasticNet(_LinearRegressor):
    """Elastic net: ``(1/2n) Σ w (y − b − Xβ)² + α Σ v_j (ρ|β_j| + (1−ρ)/2 β_j²)``.

    A drop-in for ``sklearn.linear_model.ElasticNet`` (same ``alpha`` and ``l1_ratio``
    scale, glmnet's ``lambda`` and ``alpha``), fitted as a one-alpha path.

    Parameters
    ----------
    alpha : float ≥ 0 (0: least squares, no penalty, as scikit-learn fits it).
    l1_ratio : float in [0, 1].
    fit_intercept : bool.
    penalty_factor : (n_features,) v_j ≥ 0, or None (all 1); 0 leaves a feature unpenalized.
    positive : constrain β ≥ 0.
    standardize : penalize the columns scaled to unit (weighted) standard deviation;
        coefficients are reported on the original scale (glmnet's default is True).
    tol : bound on the relative duality gap of the solution.
    max_iter : coordinate-descent epochs allowed.
    relax : refit by least squares on the selected support (relaxed lasso) and return
        ``gamma·penalized + (1 − gamma)·refit``.
    gamma : float in [0, 1], the mixing of the relaxed fit (0: the pure refit).
    precompute, copy_X, warm_start, random_state, selection ("cyclic" or "random") :
        scikit-learn's, accepted and checked; they do not change the fit
        (``_base.check_compat_params``). A precomputed Gram array is refused.
    Attributes
    ----------
    coef_ : (n_features,).  intercept_ : float.  n_iter_ : int.  dual_gap_ : float.
    path_ : the one-alpha ``Path``.  n_features_in_, feature_names_in_.
    """

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, precompute=False,
                 max_iter=DEFAULT_MAX_ITER, copy_X=True, tol=DEFAULT_TOL, warm_start=False,
                 positive=False, random_state=None, selection="cyclic", penalty_factor=None,
                 standardize=False, relax=False, gamma=0.0):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.copy_X = copy_X
        self.warm_start = warm_start
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.standardize = standardize
        self.tol = tol
        self.max_iter = max_iter
        self.relax = relax
        self.gamma = gamma

    def _l1_ratio(self):
        return self.l1_ratio

    def fit(self, X, y, sample_weight=None):
        """Fit on (X, y) with optional ``sample_weight`` (n_samples,)."""
        X, y = validate_fit_data(self, X, y, y_numeric=True)
        # alpha = 0 (scikit-learn fits it): least squares, every penalty factor 0
        alphas, factors = alpha_and_factors(check_nonnegative(self.alpha, "alpha"),
                                            self.penalty_factor, X.shape[1])
        sw = sample_weight_or_none(sample_weight)
        fitted = path(X, y, l1_ratio=self._l1_ratio(), alphas=alphas,
                      fit_intercept=self.fit_intercept, sample_weight=sw,
                      penalty_factor=factors, positive=self.positive,
                      standardize=self.standardize, tol=self.tol, max_iter=self.max_iter)
        if self.relax:
            gamma = _check_gamma(self.gamma)
            relaxed = relax_path(fitted, X, y, sample_weight=sw, standardize=self.standardize)
            self._set_fit(fitted, 0, relaxed.coef(gamma)[0], relaxed.intercept(gamma)[0])
        else:
            self._set_fit(fitted, 0)
        return self


class Lasso(ElasticNet):
    """Lasso: ``(1/2n) Σ w (y − b − Xβ)² + α Σ v_j |β_j|``.

    A drop-in for ``sklearn.linear_model.Lasso``; see ``ElasticNet`` for the parameters
    (``l1_ratio`` is 1).
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, precompute=False, copy_X=True,
                 max_iter=DEFAULT_MAX_ITER, tol=DEFAULT_TOL, warm_start=False, positive=False,
                 random_state=None, selection="cyclic", penalty_factor=None, standardize=False,
                 relax=False, gamma=0.0):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.copy_X = copy_X
        self.warm_start = warm_start
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.standardize = standardize
        self.tol = tol
        self.max_iter = max_iter
        self.relax = relax
        self.gamma = gamma

    def _l1_ratio(self):
        return 1.0


class Ridge(_LinearRegressor):
    """Ridge regression on scikit-learn's scale: ``Σ w (y − b − Xβ)² + a Σ v_j β_j²``.

    A drop-in for ``sklearn.linear_model.Ridge`` (single target). The path's alpha is
    ``a / Σw`` (DESIGN §1); with every ``penalty_factor`` > 0 and ``positive=False`` the
    solution is closed form (one eigendecomposition), else coordinate descent.

    Parameters
    ----------
    alpha : float ≥ 0 (scikit-learn's ``alpha``; 0: least squares).
    fit_intercept, penalty_factor, positive, standardize, tol : as ``ElasticNet``.
    max_iter : as ``ElasticNet``; None (scikit-learn's default) is the engine's default.
    copy_X, solver, random_state : scikit-learn's, accepted and checked; they do not change
        the fit (``_base.check_compat_params``).
    Attributes
    ----------
    coef_ : (n_features,).  intercept_ : float.  n_iter_ : int.  dual_gap_ : float.
    path_ : the one-alpha ``Path``.  n_features_in_, feature_names_in_.
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, copy_X=True, max_iter=None,
                 tol=DEFAULT_TOL, solver="auto", positive=False, random_state=None,
                 penalty_factor=None, standardize=False):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.solver = solver
        self.random_state = random_state
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.standardize = standardize
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, X, y, sample_weight=None):
        """Fit on (X, y) with optional ``sample_weight`` (n_samples,)."""
        X, y = validate_fit_data(self, X, y, y_numeric=True)
        a = check_nonnegative(self.alpha, "alpha")       # 0: least squares
        total = weight_total(sample_weight, X.shape[0])
        alphas, factors = alpha_and_factors(a / total, self.penalty_factor, X.shape[1])
        # path(l1_ratio=0) takes the closed form, which ignores positive=True (reported to the
        # engine's owner); a vanishing L1 part (1e-300·α, far below rounding) sends a
        # positive ridge through coordinate descent, which honours the constraint.
        l1_ratio = POSITIVE_RIDGE_L1_RATIO if self.positive else 0.0
        fitted = path(X, y, l1_ratio=l1_ratio, alphas=alphas,
                      fit_intercept=self.fit_intercept,
                      sample_weight=sample_weight_or_none(sample_weight),
                      penalty_factor=factors, positive=self.positive,
                      standardize=self.standardize, tol=self.tol,
                      max_iter=DEFAULT_MAX_ITER if self.max_iter is None else self.max_iter)
        self._set_fit(fitted, 0)
        return self


# ---------------------------------------------------------------------------------------
# cross-validated estimators
# ---------------------------------------------------------------------------------------
def _check_cv_param(cv):
    return 5 if cv is None else cv


def cv_alpha_min_ratio(n_samples, n_features):
    """The default grid depth of LassoCV and ElasticNetCV: scikit-learn's ``eps=1e-3``
    when n ≥ p, glmnet's 1e-2 when n < p (the shallower of the two).

    glmnet's 1e-4 for n ≥ p runs the fold paths a decade further into near-saturated
    fits, where coordinate descent is slowest: on a 4000 × 3000 TF-IDF matrix that decade
    took 89% of LassoCV's time, for a minimum at 4e-3 alpha_max. A minimum at the
    grid's small end still extends it (``cv_default_grid``).
    """
    return 1e-3 if n_samples >= n_features else 1e-2


def _alpha_grid_params(alphas, eps):
    """``alphas`` (int: that many on the default grid; array: the grid) and ``eps``."""
    if isinstance(alphas, numbers.Integral) and not isinstance(alphas, bool):
        n_alphas = V.check_positive_int(alphas, "alphas")
        if eps is not None:
            eps = V.check_positive_float(eps, "eps")
        return None, n_alphas, eps
    return V.check_alphas(alphas), 100, None


class _EnetCVBase(_LinearRegressor):
    """Shared fit of LassoCV and ElasticNetCV (each defines ``_l1_ratios``)."""

    def _fit_ic(self, X, y, sw, ratios, alphas, n_alphas, eps):
        if cv_selection(self.selection) != "min":
            raise ValueError("selection='1se' needs cross-validation (criterion=None)")
        if self.relax:
            raise ValueError("relax=True with an information criterion is not supported; "
                             "use cross-validation (criterion=None)")
        fits = [ic_path(X, y, criterion=self.criterion, l1_ratio=r, alphas=alphas,
                        n_alphas=n_alphas, alpha_min_ratio=eps,
                        fit_intercept=self.fit_intercept, sample_weight=sw,
                        penalty_factor=self.penalty_factor, positive=self.positive,
                        standardize=self.standardize, tol=self.tol, max_iter=self.max_iter,
                        noise_variance=self.noise_variance) for r in ratios]
        best = int(np.argmin([f.criterion[f.index_min] for f in fits]))
        fit = fits[best]
        idx = fit.index_min
        self.ic_path_ = fit
        self.criterion_ = fit.criterion
        self.noise_variance_ = fit.noise_variance
        self.alpha_ = self.alpha_min_ = fit.alpha_min
        self.alphas_ = fit.alphas if len(fits) == 1 else np.array([f.alphas for f in fits])
        self.l1_ratio_ = float(fit.path.l1_ratio)
        self._set_fit(fit.path, idx)

    def fit(self, X, y, sample_weight=None, groups=None):
        """Fit on (X, y) with optional ``sample_weight``; ``groups`` go to the splitter."""
        X, y = validate_fit_data(self, X, y, y_numeric=True)
        sw = sample_weight_or_none(sample_weight)
        ratios = self._l1_ratios()
        alphas, n_alphas, eps = _alpha_grid_params(self.alphas, self.eps)
        # The grid depth when none is given; a CV grid may extend past it (below).
        depth = cv_alpha_min_ratio(*X.shape) if eps is None else eps
        if _check_criterion(self.criterion) is not None:
            self._fit_ic(X, y, sw, ratios, alphas, n_alphas, depth)
            return self
        selection = cv_selection(self.selection)

        def run(n_alphas, alpha_min_ratio):
            return cv_paths(X, y, l1_ratios=ratios, alphas=alphas, n_alphas=n_alphas,
                            alpha_min_ratio=alpha_min_ratio, cv=_check_cv_param(self.cv),
                            scoring=self.scoring, n_jobs=self.n_jobs,
                            fit_intercept=self.fit_intercept, sample_weight=sw,
                            penalty_factor=self.penalty_factor, positive=self.positive,
                            standardize=self.standardize, tol=self.tol,
                            max_iter=self.max_iter, random_state=self.random_state,
                            groups=groups, relax=self.relax, gammas=self.gammas)
        if alphas is not None or self.relax:
            paths = run(n_alphas, depth)
        else:
            paths = cv_default_grid(run, X, n_alphas, eps, selection, cv_alpha_min_ratio)
        best, idx = choose(paths, selection)
        chosen = paths[best]
        if not self.relax:
            warn_grid_edge(chosen, type(self).__name__, knobs="alphas, or eps")
        self.cv_path_ = chosen
        self.cv_results_ = cv_results(paths)
        self.l1_ratio_ = float(chosen.l1_ratio)
        multi = len(paths) > 1
        self.alphas_ = stacked([c.alphas for c in paths]) if multi else chosen.alphas
        if chosen.scoring in ("mse", "deviance"):
            fs = [np.moveaxis(c.fold_scores, 0, -1) for c in paths]
            self.mse_path_ = stacked(fs) if multi else fs[0]
        if self.relax:
            g_min, a_min = chosen.index_min
            g_sel, a_sel = idx
            self.alpha_min_, self.alpha_1se_ = chosen.alpha_min, chosen.alpha_1se
            self.gamma_min_, self.gamma_1se_ = chosen.gamma_min, chosen.gamma_1se
            self.alpha_ = float(chosen.alphas[a_sel])
            self.gamma_ = float(chosen.gammas[g_sel])
            rel = chosen.relaxed
            self._set_fit(chosen.path, a_sel, rel.coef(self.gamma_)[a_sel],
                          rel.intercept(self.gamma_)[a_sel])
        else:
            self.alpha_min_, self.alpha_1se_ = chosen.alpha_min, chosen.alpha_1se
            self.alpha_ = float(chosen.alphas[idx])
            self._set_fit(chosen.path, idx)
        return self


_CV_DOC = """
    Cross-validation (glmnet's ``cv.glmnet``): the alpha grid comes from the full data and
    every fold's path uses it; with the squared loss, dense X, n ≥ p and p ≤ 5000 each
    training fold's Gram is the full Gram minus the held-out block's, so K-fold CV costs
    about one path. ``alpha_min_`` minimises the mean CV score; ``alpha_1se_`` is the
    largest alpha within one standard error (``std(ddof=1)/sqrt(K)`` over folds) of it;
    ``alpha_`` is the one ``selection`` picks, and ``coef_`` the full-data path there.

    With ``criterion="aic"``/``"bic"`` alpha is chosen without CV, on the full-data path,
    by ``n log(2πσ²) + RSS/σ² + K·df`` (scikit-learn's ``LassoLarsIC``): df is the number
    of non-zero coefficients for the lasso, the trace of the hat matrix on the active set
    for the elastic net (see ``cv.ICPath``); σ² is ``noise_variance`` or the least-squares
    estimate (n > p needed).

    Parameters
    ----------
    eps : alpha_min / alpha_max of the default grid (None: 1e-3 if n ≥ p, scikit-learn's
        default, else 1e-2, glmnet's; a default grid whose CV minimum is at its small end
        is extended two decades at a time, at most twice: ``_base.cv_default_grid``).
    alphas : int (that many alphas on the default grid) or an array of alphas.
    fit_intercept, penalty_factor, positive, standardize, tol, max_iter : as ``ElasticNet``.
    cv : None (5-fold), an int K (K-fold in row order, shuffled when ``random_state`` is
        set), a scikit-learn splitter or an iterable of (train, test) index pairs.
    scoring : "mse" (default) or "mae" on the held-out rows (weighted by sample_weight).
    selection : "min" or "1se" (scikit-learn's values, the CD order "cyclic" or "random",
        mean "min": coordinate descent here is cyclic on working sets).
    n_jobs : folds in this many parallel threads (1: one after the other). None: numba's
        threads (``NUMBA_NUM_THREADS``), BLAS held to one thread meanwhile (Gram-downdate
        CV, dense X with n ≥ p, runs its full-data path with them too).
    random_state : seed shuffling the folds of an integer ``cv``.
    relax : cross-validate the relaxed lasso too, over (gamma, alpha) (glmnet's
        ``relax=TRUE``); ``gammas`` its grid (default 0, .25, .5, .75, 1).
    criterion : None (cross-validation), "aic" or "bic".  noise_variance : σ² for it.
    precompute, copy_X, verbose : scikit-learn's, accepted and checked; they do not change
        the fit (``_base.check_compat_params``).

    Attributes
    ----------
    alpha_, alpha_min_, alpha_1se_ : floats.  alphas_ : the grid ((n_l1_ratio, n_alphas)
    for several l1_ratios).  mse_path_ : (n_alphas, n_folds) held-out MSE per fold
    ((n_l1_ratio, n_alphas, n_folds) for several l1_ratios; with ``relax`` a gamma axis
    before the alphas; scoring "mse" only).
    cv_results_ : dict, one entry per (l1_ratio, [gamma,] alpha): ``mean_score``,
    ``se_score``, ``split{k}_score``, ``rank_score``, ``n_nonzero``.  cv_path_ : the
    ``CVPath`` (``RelaxedCVPath``) of the chosen l1_ratio.  path_ : its full-data ``Path``.
    gamma_, gamma_min_, gamma_1se_ : with ``relax``.  criterion_, noise_variance_,
    ic_path_ : with ``criterion``.  coef_, intercept_, n_iter_, dual_gap_, l1_ratio_.
"""


class LassoCV(_EnetCVBase):
    __doc__ = "Lasso with alpha chosen by cross-validation or an information criterion.\n" \
        + _CV_DOC

    def __init__(self, *, eps=None, alphas=100, fit_intercept=True, precompute="auto",
                 max_iter=DEFAULT_MAX_ITER, tol=DEFAULT_TOL, copy_X=True, cv=None,
                 verbose=False, n_jobs=None, positive=False, random_state=None,
                 selection="min", scoring=None, penalty_factor=None, standardize=False,
                 relax=False, gammas=None, criterion=None, noise_variance=None):
        self.precompute = precompute
        self.copy_X = copy_X
        self.verbose = verbose
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.scoring = scoring
        self.selection = selection
        self.n_jobs = n_jobs
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.standardize = standardize
        self.tol = tol
        self.max_iter = max_iter
        self.random_state = random_state
        self.relax = relax
        self.gammas = gammas
        self.criterion = criterion
        self.noise_variance = noise_variance

    def _l1_ratios(self):
        return [1.0]


class ElasticNetCV(_EnetCVBase):
    __doc__ = ("Elastic net with alpha (and l1_ratio, when several are given) chosen by "
               "cross-validation or an information criterion.\n\n    l1_ratio : float or "
               "list of floats; with several, (l1_ratio, alpha) minimises the mean CV\n"
               "    score over the grid, and the 1se rule runs along alpha within the best "
               "l1_ratio.\n" + _CV_DOC)

    def __init__(self, *, l1_ratio=0.5, eps=None, alphas=100, fit_intercept=True,
                 precompute="auto", max_iter=DEFAULT_MAX_ITER, tol=DEFAULT_TOL, cv=None,
                 copy_X=True, verbose=0, n_jobs=None, positive=False, random_state=None,
                 selection="min", scoring=None, penalty_factor=None, standardize=False,
                 relax=False, gammas=None, criterion=None, noise_variance=None):
        self.precompute = precompute
        self.copy_X = copy_X
        self.verbose = verbose
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.scoring = scoring
        self.selection = selection
        self.n_jobs = n_jobs
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.standardize = standardize
        self.tol = tol
        self.max_iter = max_iter
        self.random_state = random_state
        self.relax = relax
        self.gammas = gammas
        self.criterion = criterion
        self.noise_variance = noise_variance

    def _l1_ratios(self):
        ratios = np.atleast_1d(np.asarray(self.l1_ratio, dtype=object)).ravel()
        return [V.check_l1_ratio(r) for r in ratios]


class RidgeCV(_LinearRegressor):
    """Ridge with alpha chosen by leave-one-out, generalized or K-fold CV, or by AIC/BIC.

    A drop-in for ``sklearn.linear_model.RidgeCV`` (single target): ``alphas`` are on
    scikit-learn's sum scale ``Σ w (y − b − Xβ)² + a Σ v_j β_j²``.

    - ``cv=None`` or ``"loo"``: exact leave-one-out from one eigendecomposition
      (``cv.ridge_loo_path``), scikit-learn's default; ``cv="gcv"``: generalized CV.
    - ``cv=K``, a splitter or (train, test) pairs: K-fold CV where fold k fits
      ``Ridge(alpha=a)`` on its training rows (the sum scale, as scikit-learn's
      ``RidgeCV(cv=K)``); each training Gram is the full Gram minus the held-out block's and
      gives every alpha from one eigendecomposition.
    - ``criterion="aic"``/``"bic"``: no CV; df is the trace of the hat matrix
      ``Σ λ_k / (λ_k + a)`` (see ``cv.ICPath``).

    Parameters
    ----------
    alphas : array of a > 0 (default scikit-learn's (0.1, 1, 10)).
    fit_intercept, penalty_factor, standardize, tol : as ``Ridge`` (LOO/GCV need every
        penalty_factor > 0).
    scoring : None, "mse", or for K-fold "mae" or "r2". None is scikit-learn's choice: the
        mean squared error for LOO/GCV, R² for K-fold (stored as 1 − R², lower is better).
    cv, selection ("min"/"1se"), n_jobs, random_state,
    criterion, noise_variance : as ``LassoCV``.
    gcv_mode, store_cv_results, alpha_per_target : scikit-learn's, accepted and checked
        (the fit is exact either way; ``cv_results_`` is always stored).

    Attributes
    ----------
    alpha_, alpha_min_, alpha_1se_ : on the sum scale.  alphas_ : the grid (sum scale,
    decreasing).  cv_results_ : as ``LassoCV`` (no per-split columns for LOO/GCV: the
    per-sample squared LOO errors are ``cv_path_.fold_scores``).  cv_path_, path_ (path-scale
    alphas ``a / Σw``), coef_, intercept_, n_iter_, dual_gap_; criterion_, noise_variance_,
    ic_path_ with ``criterion``.
    """

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True, scoring=None, cv=None,
                 gcv_mode=None, store_cv_results=False, alpha_per_target=False,
                 selection="min", n_jobs=None, penalty_factor=None, standardize=False,
                 tol=DEFAULT_TOL, random_state=None, criterion=None, noise_variance=None):
        self.gcv_mode = gcv_mode
        self.store_cv_results = store_cv_results
        self.alpha_per_target = alpha_per_target
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.selection = selection
        self.n_jobs = n_jobs
        self.penalty_factor = penalty_factor
        self.standardize = standardize
        self.tol = tol
        self.random_state = random_state
        self.criterion = criterion
        self.noise_variance = noise_variance

    def fit(self, X, y, sample_weight=None, groups=None):
        """Fit on (X, y) with optional ``sample_weight``; ``groups`` go to the splitter."""
        X, y = validate_fit_data(self, X, y, y_numeric=True)
        sw = sample_weight_or_none(sample_weight)
        total = weight_total(sample_weight, X.shape[0])
        grid = V.check_alphas(self.alphas)                 # sum scale, decreasing
        path_alphas = grid / total
        self.alphas_ = grid
        common = dict(fit_intercept=self.fit_intercept, sample_weight=sw,
                      penalty_factor=self.penalty_factor, standardize=self.standardize,
                      tol=self.tol)
        if _check_criterion(self.criterion) is not None:
            if cv_selection(self.selection) != "min":
                raise ValueError("selection='1se' needs cross-validation (criterion=None)")
            fit = ic_path(X, y, criterion=self.criterion, l1_ratio=0.0, alphas=path_alphas,
                          noise_variance=self.noise_variance, **common)
            self.ic_path_ = fit
            self.criterion_ = fit.criterion
            self.noise_variance_ = fit.noise_variance
            self.alpha_ = self.alpha_min_ = float(grid[fit.index_min])
            self._set_fit(fit.path, fit.index_min)
            return self
        selection = cv_selection(self.selection)
        cv = "loo" if self.cv is None else self.cv
        if isinstance(cv, str):
            if cv not in ("loo", "gcv"):
                raise ValueError(f"cv must be None, 'loo', 'gcv', an int, a splitter or "
                                 f"(train, test) pairs; got {cv!r}")
            if self.scoring not in (None, "mse"):
                raise ValueError("leave-one-out and GCV score the mean squared error only "
                                 f"(scoring=None or 'mse'), got {self.scoring!r}")
            result = ridge_loo_path(X, y, alphas=path_alphas, mode=cv, **common)
        else:
            result = cv_paths(X, y, l1_ratios=[0.0], alphas=path_alphas, cv=cv,
                              scoring="r2" if self.scoring is None else self.scoring, n_jobs=self.n_jobs,
                              random_state=self.random_state, groups=groups,
                              alpha_scale="sum", **common)[0]
        idx = result.index(selection)
        self.cv_path_ = result
        self.cv_results_ = cv_results([result], alpha_factor=total)
        del self.cv_results_["l1_ratio"]
        self.alpha_min_ = float(grid[result.index_min])
        self.alpha_1se_ = float(grid[result.index_1se])
        self.alpha_ = float(grid[idx])
        self._set_fit(result.path, idx)
        return self
