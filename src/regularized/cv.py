"""Model selection: cross-validated paths, leave-one-out ridge, information criteria, relaxed fits.

Cross-validation follows glmnet (DESIGN §3):

- the alpha grid comes from the full data, and every fold's path is fitted on that same grid;
- ``fold_scores[k, i]`` is the score of fold k's path at ``alphas[i]`` on fold k's held-out
  rows, a sample-weighted mean over those rows (held-out weights); lower is better;
- ``cvm[i]`` is the plain mean of ``fold_scores[:, i]`` over folds (scikit-learn's
  ``mse_path_.mean(axis=1)``), and ``cvsd[i]`` its standard error,
  ``std(fold_scores[:, i], ddof=1) / sqrt(n_folds)``. glmnet instead weights folds by their
  total sample weight; with folds of equal weight the two agree. (Leave-one-out paths, where
  every sample is a fold, weight the samples by their sample weights; see ``CVPath``.)
- ``index_min`` minimises ``cvm`` (the largest alpha on ties) and ``index_1se`` is the largest
  alpha with ``cvm ≤ cvm[index_min] + cvsd[index_min]``: the rule of one standard error.
- ``CVPath.edge`` says when that minimum sits at an end of the grid, where the grid may be
  too short (``warn_grid_edge`` turns it into a note for an estimator's user).

CV at the cost of one fit (squared loss, dense X, n ≥ p, p ≤ 5000): the sufficient statistics
(``design.GramStats``: XᵀWX, XᵀWy, …) of the training rows of fold k are those of all rows minus
those of the held-out rows, so each fold's path runs from a p×p Gram obtained by one
subtraction (``path.path_from_gram``) instead of a pass over its training rows. When the
held-out sets partition the rows (K-fold), the full statistics are the sum of the held-out
blocks', so the whole computation reads X about once for the Grams and once for the held-out
predictions ``X_h βᵀ`` (one matrix product per fold, every alpha at once). For ridge the
fold paths are each one eigendecomposition (``solvers.ridge``) for every alpha.

Scorings (all "lower is better"; ``scoring=None`` picks the first of each list):

- squared loss: ``"mse"`` (weighted mean squared error; ``"deviance"`` is the same number,
  glmnet's Gaussian deviance), ``"mae"`` (weighted mean absolute error), ``"r2"`` (stored
  as ``1 − R²`` = held-out weighted squared error over the held-out weighted variance of y,
  scikit-learn's default score for ``RidgeCV(cv=K)``);
- logistic: ``"deviance"`` (mean binomial deviance ``2·Σ w ℓ / Σ w``),
  ``"misclassification"`` (weighted error rate at probability 1/2), ``"auc"`` (stored as
  ``1 − AUC``, the weighted area under the ROC curve), ``"mse"``/``"mae"`` on the probability;
- Poisson: ``"deviance"`` (mean Poisson deviance), ``"mse"``/``"mae"`` on the mean ``e^η``;
- multinomial (when ``path`` provides it): ``"deviance"``, ``"misclassification"``.

Layering: this module uses ``path``, ``design``, ``losses`` and ``_validation``, the solvers'
ridge eigendecomposition and glmnet's early-stop rule (and scikit-learn's splitters and
joblib, imported when used).
"""
import numbers
import warnings

import numpy as np
import scipy.sparse as sp

from . import _validation as V
from .design import GramDesign, GramStats, make_design
from .losses import get_loss, label_text
from .path import DEFAULT_MAX_ITER, DEFAULT_TOL, alphas_from_gram, path, path_from_gram
from .solvers.newton import early_stop
from .solvers.ridge import symmetric_eigh

# Gram-downdate CV stores every held-out block's p×p statistics when they fit this budget
# (bytes); beyond it the full statistics are computed on their own and blocks one by one.
GRAM_BLOCKS_MAX_BYTES = 512 * 2 ** 20
# Same bound on p as the engine's full-Gram mode (a p = 5000 Gram is 200 MB).
GRAM_MAX_FEATURES = 5000
# A fit explaining less than this share of the null deviance counts as the null fit: a CV
# minimum there, at the largest alpha of the grid, is no sign of a grid too short (ridge's
# default grid starts at such a fit, not at all-zero coefficients).
EDGE_NULL_FIT = 0.01
# Relative floor on an estimated noise variance (information criteria).
NOISE_VARIANCE_FLOOR = 1e-12

SCORINGS = {
    "squared": ("mse", "deviance", "mae", "r2"),
    "logistic": ("deviance", "misclassification", "auc", "mse", "mae"),
    "poisson": ("deviance", "mse", "mae"),
    "multinomial": ("deviance", "misclassification"),
}
DEFAULT_GAMMAS = (0.0, 0.25, 0.5, 0.75, 1.0)


# ---------------------------------------------------------------------------------------
# result objects
# ---------------------------------------------------------------------------------------
class CVPath:
    """A cross-validated regularization path (glmnet's ``cv.glmnet`` object).

    Attributes
    ----------
    alphas : (n_alphas,) the decreasing grid, shared by the full-data path and every fold.
    fold_scores : (n_folds, n_alphas) held-out score of each fold's path (lower is better).
    cvm : (n_alphas,) mean score over folds (weighted by ``fold_weights`` when given).
    cvsd : (n_alphas,) standard error of ``cvm``: ``std(ddof=1)/sqrt(n_folds)`` over folds;
        with fold weights ``f`` (leave-one-out), glmnet's
        ``sqrt(Σ f (s − cvm)² / Σ f / (n_folds − 1))``.
    index_min, alpha_min : the alpha of lowest ``cvm`` (the largest one on ties).
    index_1se, alpha_1se : the largest alpha with ``cvm ≤ cvm[index_min] + cvsd[index_min]``.
    edge : "smallest" when the minimum is at the smallest alpha of the grid (less penalty
        may score better), "largest" when it is at the largest one and the full-data fit
        there is not the null fit (it explains ``EDGE_NULL_FIT`` of the deviance or more:
        more penalty may score better), else None.
    path : the full-data ``Path`` on the same grid.
    n_folds : int.  scoring : str.  loss : str.  l1_ratio : float.
    folds : list of the held-out row indices of each fold (None for leave-one-out).
    fold_weights : (n_folds,) or None.
    """

    def __init__(self, *, alphas, fold_scores, path, scoring, loss="squared", l1_ratio=None,
                 folds=None, fold_weights=None):
        fold_scores = np.asarray(fold_scores, dtype=np.float64)
        self.alphas = np.asarray(alphas, dtype=np.float64)
        self.fold_scores = fold_scores
        self.path = path
        self.scoring = scoring
        self.loss = loss
        self.l1_ratio = path.l1_ratio if l1_ratio is None and path is not None else l1_ratio
        self.folds = folds
        self.fold_weights = fold_weights
        self.n_folds = fold_scores.shape[0]
        self.cvm, self.cvsd = _mean_and_se(fold_scores, fold_weights)
        self.index_min, self.index_1se = select_indices(self.cvm, self.cvsd)
        self.alpha_min = float(self.alphas[self.index_min])
        self.alpha_1se = float(self.alphas[self.index_1se])

    def index(self, selection="min"):
        """Index of the selected alpha: ``"min"`` or ``"1se"``."""
        return self.index_min if _check_selection(selection) == "min" else self.index_1se

    @property
    def edge(self):
        last = len(self.alphas) - 1
        if last == 0:
            return None
        if self.index_min == last:
            return "smallest"
        # At alpha_max (and above) the fit is the null fit: then that is the answer.
        if self.index_min == 0 and (self.path is None or (
                self.path.n_nonzero[0] > 0 and self.path.deviance_ratio[0] >= EDGE_NULL_FIT)):
            return "largest"
        return None

    def __repr__(self):
        return (f"CVPath(n_alphas={len(self.alphas)}, n_folds={self.n_folds}, "
                f"scoring={self.scoring!r}, alpha_min={self.alpha_min:.4g}, "
                f"alpha_1se={self.alpha_1se:.4g})")


class RelaxedPath:
    """The relaxed lasso of a path (glmnet's ``relax=TRUE``).

    At each alpha, ``coef_relaxed`` is the unpenalized least-squares fit (with intercept and
    sample weights) restricted to the support of ``path.coef`` at that alpha (the minimum-norm
    solution when that support has more features than the data can determine). The fit at
    mixing ``gamma`` is ``gamma·lasso + (1 − gamma)·relaxed``: gamma = 1 is the path itself,
    gamma = 0 the pure refit.

    Attributes
    ----------
    alphas : (n_alphas,).  coef_relaxed : (n_alphas, n_features).
    intercept_relaxed : (n_alphas,).  path : the penalized ``Path``.
    """

    def __init__(self, path, coef_relaxed, intercept_relaxed):
        self.path = path
        self.alphas = path.alphas
        self.coef_relaxed = coef_relaxed
        self.intercept_relaxed = intercept_relaxed

    def coef(self, gamma):
        """(n_alphas, n_features) coefficients at mixing ``gamma`` ∈ [0, 1]."""
        gamma = _check_gamma(gamma)
        return gamma * self.path.coef + (1.0 - gamma) * self.coef_relaxed

    def intercept(self, gamma):
        gamma = _check_gamma(gamma)
        return gamma * self.path.intercept + (1.0 - gamma) * self.intercept_relaxed

    def predict(self, X, gamma, alpha=None):
        """``b + Xβ`` at mixing ``gamma``: (n,) at the grid point nearest ``alpha`` in
        log scale, or (n, n_alphas) for every alpha when ``alpha`` is None."""
        X = V.check_design(X)
        coef, intercept = self.coef(gamma), self.intercept(gamma)
        if alpha is None:
            return np.asarray(X @ coef.T, dtype=np.float64) + intercept
        i = int(np.argmin(np.abs(np.log(self.alphas) - np.log(
            V.check_positive_float(alpha, "alpha")))))
        return np.asarray(X @ coef[i], dtype=np.float64).ravel() + intercept[i]


class RelaxedCVPath:
    """Cross-validation of a relaxed path over (gamma, alpha) (glmnet's ``cv.relaxed``).

    Attributes
    ----------
    alphas : (n_alphas,).  gammas : (n_gammas,) increasing, in [0, 1].
    fold_scores : (n_folds, n_gammas, n_alphas).  cvm, cvsd : (n_gammas, n_alphas).
    index_min : (gamma index, alpha index) of the lowest ``cvm`` (on ties: the largest
        alpha, then the largest gamma).
    index_1se : among the pairs with ``cvm ≤ cvm[index_min] + cvsd[index_min]``, the one
        of largest alpha, and for that alpha the largest gamma (the most regularized fit:
        gamma = 1 is the lasso itself).
    alpha_min, gamma_min, alpha_1se, gamma_1se : floats.
    path : the full-data ``Path``.  relaxed : its ``RelaxedPath``.
    n_folds, scoring, l1_ratio, folds : as ``CVPath``.
    """

    def __init__(self, *, alphas, gammas, fold_scores, path, relaxed, scoring, folds):
        self.alphas = alphas
        self.gammas = gammas
        self.fold_scores = fold_scores
        self.path = path
        self.relaxed = relaxed
        self.scoring = scoring
        self.loss = "squared"
        self.l1_ratio = path.l1_ratio
        self.folds = folds
        self.n_folds = fold_scores.shape[0]
        n_g, n_a = fold_scores.shape[1:]
        cvm, cvsd = _mean_and_se(fold_scores.reshape(self.n_folds, -1), None)
        self.cvm = cvm.reshape(n_g, n_a)
        self.cvsd = cvsd.reshape(n_g, n_a)
        # Order the pairs from most to least regularized: alpha decreasing, then gamma
        # decreasing, so the first minimiser / first pair under the threshold is the most
        # regularized one.
        order = [(g, a) for a in range(n_a) for g in range(n_g - 1, -1, -1)]
        flat_m = np.array([self.cvm[g, a] for g, a in order])
        flat_s = np.array([self.cvsd[g, a] for g, a in order])
        i_min, i_1se = select_indices(flat_m, flat_s)
        self.index_min, self.index_1se = order[i_min], order[i_1se]
        self.gamma_min = float(gammas[self.index_min[0]])
        self.alpha_min = float(alphas[self.index_min[1]])
        self.gamma_1se = float(gammas[self.index_1se[0]])
        self.alpha_1se = float(alphas[self.index_1se[1]])

    def index(self, selection="min"):
        """(gamma index, alpha index) of the selection ``"min"`` or ``"1se"``."""
        return self.index_min if _check_selection(selection) == "min" else self.index_1se

    def cv_for_gamma(self, gamma):
        """The ``CVPath`` of one gamma of the grid (e.g. to plot its curve)."""
        g = int(np.flatnonzero(np.isclose(self.gammas, gamma))[0]) \
            if np.any(np.isclose(self.gammas, gamma)) else None
        if g is None:
            raise ValueError(f"gamma={gamma!r} is not in the grid {list(self.gammas)}")
        return CVPath(alphas=self.alphas, fold_scores=self.fold_scores[:, g, :],
                      path=self.path, scoring=self.scoring, folds=self.folds)

    def __repr__(self):
        return (f"RelaxedCVPath(n_alphas={len(self.alphas)}, n_gammas={len(self.gammas)}, "
                f"n_folds={self.n_folds}, alpha_min={self.alpha_min:.4g}, "
                f"gamma_min={self.gamma_min:g})")


class ICPath:
    """Selection of alpha by an information criterion on the full-data path.

    ``criterion[i] = n·log(2π σ²) + RSS_i / σ² + K·df_i`` (scikit-learn's ``LassoLarsIC``),
    K = 2 for AIC and log(n) for BIC, with ``RSS_i = Σ w (y − b − Xβ_i)²`` and σ² the noise
    variance. Sample weights act as frequency weights here (a weight of 2 is a duplicated row):
    n is Σw and w is used as given. σ² is given, or estimated from the unpenalized least-squares
    fit on all features, ``RSS_ols / (n − p − fit_intercept)`` (needs n > p + fit_intercept;
    floored at 1e-12 × the weighted variance of y, for a y that least squares fits exactly).

    Degrees of freedom ``df_i`` (the intercept not counted, as scikit-learn): for the lasso
    (l1_ratio = 1) the number of non-zero coefficients (Zou, Hastie & Tibshirani 2007); for
    the elastic net and ridge the trace of the hat matrix on the active set A,
    ``tr(X̃_A (X̃_AᵀWX̃_A + nα(1−ρ)·diag(v_A))⁻¹ X̃_AᵀW)`` (Zou & Hastie 2005), with X̃ the
    centred (and standardized, if asked) columns.

    Attributes
    ----------
    alphas, criterion, df, rss : (n_alphas,).  noise_variance : float.
    index_min, alpha_min : the alpha of lowest criterion.  path : the ``Path``.
    criterion_name : "aic" or "bic".
    """

    def __init__(self, *, path, criterion, df, rss, noise_variance, criterion_name):
        self.path = path
        self.alphas = path.alphas
        self.criterion = criterion
        self.df = df
        self.rss = rss
        self.noise_variance = noise_variance
        self.criterion_name = criterion_name
        self.index_min = int(np.argmin(criterion))
        self.alpha_min = float(self.alphas[self.index_min])

    def __repr__(self):
        return (f"ICPath(criterion={self.criterion_name!r}, n_alphas={len(self.alphas)}, "
                f"alpha_min={self.alpha_min:.4g})")


def _mean_and_se(scores, weights):
    """Mean and standard error over axis 0 (rows are folds)."""
    k = scores.shape[0]
    if weights is None:
        cvm = scores.mean(axis=0)
        cvsd = scores.std(axis=0, ddof=1) / np.sqrt(k) if k > 1 else np.zeros_like(cvm)
        return cvm, cvsd
    f = np.asarray(weights, dtype=np.float64)
    cvm = (f @ scores) / f.sum()
    if k < 2:
        return cvm, np.zeros_like(cvm)
    var = (f @ (scores - cvm) ** 2) / f.sum()
    return cvm, np.sqrt(var / (k - 1))


def select_indices(cvm, cvsd):
    """``(index_min, index_1se)`` for ``cvm``/``cvsd`` ordered from most to least
    regularized (alphas decreasing).

    index_min is the first minimiser of cvm; index_1se the first index whose cvm is at most
    ``cvm[index_min] + cvsd[index_min]`` (glmnet's ``lambda.1se``). NaN scores (e.g. an AUC
    on a fold with one class) are never selected.
    """
    cvm = np.asarray(cvm, dtype=np.float64)
    if not np.any(np.isfinite(cvm)):
        raise ValueError("every cross-validation score is NaN or infinite")
    i_min = int(np.nanargmin(np.where(np.isfinite(cvm), cvm, np.nan)))
    threshold = cvm[i_min] + cvsd[i_min]
    i_1se = int(np.flatnonzero(cvm <= threshold)[0])
    return i_min, i_1se


def _stop_reason(cv_path):
    """Why a GLM path cannot go below its last alpha (glmnet's rule fires there), or None."""
    fitted = cv_path.path
    if cv_path.loss == "squared" or fitted is None:
        return None
    reason, _ = early_stop(cv_path.loss, fitted.deviance[-1], fitted.null_deviance,
                           np.zeros(1), float(cv_path.alphas[-1]))
    return reason


def extends_below(cv_path):
    """Whether less penalty than the grid's smallest alpha may score better, by enough to
    be worth a longer grid, and the path can go there: the minimum is at that alpha, the
    mean score fell by more than its standard error there over the grid's last decade
    (``still_falling``), and no early-stop rule ends the path."""
    return (cv_path.edge == "smallest" and still_falling(cv_path)
            and _stop_reason(cv_path) is None)


def still_falling(cv_path):
    """Whether ``cvm`` at the smallest alpha is below its value a decade of alpha earlier
    by more than one standard error (``cvsd``) there, i.e. the curve is still falling
    beyond its noise (a grid shorter than a decade: compared with its first alpha).

    A flat end is not worth extending: ElasticNetCV(l1_ratio=0.1) on a 300 × 3000
    regression fell 3% (less than its standard error) from 1e-2 to 1e-3·alpha_max, and
    two extensions to 1e-6 took 315 s (scikit-learn's whole fit: 13 s).
    """
    a = cv_path.alphas
    last = len(a) - 1
    up = int(np.flatnonzero(a >= 10.0 * a[last])[-1]) if a[0] >= 10.0 * a[last] else 0
    cvm, cvsd = cv_path.cvm, cv_path.cvsd
    return bool(cvm[up] - cvm[last] > cvsd[last])


def warn_grid_edge(cv_path, owner, *, also=None, knobs="alphas, or alpha_min_ratio"):
    """A ``UserWarning`` when the cross-validated minimum of ``cv_path`` sits at an end of
    its grid (``CVPath.edge``), naming the alpha and what to extend. ``owner``: who
    speaks (an estimator's name); ``also(alpha)``: the same alpha on the owner's scale
    (e.g. "C=…"), shown beside it; ``knobs``: the owner's parameters that set the grid."""
    edge = cv_path.edge
    if edge is None:
        return
    alpha = float(cv_path.alphas[cv_path.index_min])
    where = f"alpha={alpha:.4g}" + (f", {also(alpha)}" if also is not None else "")
    if edge == "largest":
        advice = f"more penalty may score better: extend the grid past it ({knobs})"
    else:
        advice = f"less penalty may score better: extend the grid past it ({knobs})"
        reason = _stop_reason(cv_path)
        if reason is not None:
            advice = f"less penalty may score better, but the path stops there: {reason}"
    warnings.warn(f"{owner}: the cross-validated minimum of the {cv_path.scoring} is at the "
                  f"{edge} alpha of the grid ({where}): {advice}", UserWarning, stacklevel=4)


def _check_selection(selection):
    if selection not in ("min", "1se"):
        raise ValueError(f"selection must be 'min' or '1se', got {selection!r}")
    return selection


def _check_gamma(gamma):
    if not isinstance(gamma, numbers.Real) or isinstance(gamma, bool) \
            or not 0.0 <= float(gamma) <= 1.0:
        raise ValueError(f"gamma must be a number in [0, 1], got {gamma!r}")
    return float(gamma)


def _check_gammas(gammas):
    g = np.asarray(DEFAULT_GAMMAS if gammas is None else gammas, dtype=np.float64).ravel()
    if g.size == 0:
        raise ValueError("gammas is empty")
    for x in g:
        _check_gamma(float(x))
    return np.unique(g)


# ---------------------------------------------------------------------------------------
# scoring
# ---------------------------------------------------------------------------------------
def _check_scoring(scoring, loss):
    allowed = SCORINGS[loss]
    if scoring is None:
        return allowed[0]
    if scoring == "class":           # glmnet's name
        scoring = "misclassification"
    if scoring not in allowed:
        raise ValueError(f"scoring for the {loss} loss must be one of "
                         f"{', '.join(map(repr, allowed))}; got {scoring!r}")
    return scoring


def _weighted_auc(score, y01, w):
    """Weighted AUC of one column of scores: P(score_pos > score_neg) + ½ P(tie)."""
    order = np.argsort(score, kind="mergesort")
    s, yy, ww = score[order], y01[order], w[order]
    w_neg = ww * (1.0 - yy)
    w_pos = ww * yy
    tot_pos, tot_neg = w_pos.sum(), w_neg.sum()
    if tot_pos <= 0 or tot_neg <= 0:
        return np.nan
    # ties: group equal scores
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    neg_grp = np.add.reduceat(w_neg, starts)
    pos_grp = np.add.reduceat(w_pos, starts)
    neg_below = np.cumsum(neg_grp) - neg_grp
    return float(pos_grp @ (neg_below + 0.5 * neg_grp)) / (tot_pos * tot_neg)


def fold_score(eta, y, w, *, loss, scoring):
    """Held-out score of each column of linear predictors ``eta`` (n_h, n_alphas).

    ``y`` is the target as the loss sees it (0/1 for logistic, class index for
    multinomial); ``w`` the held-out sample weights. Returns (n_alphas,), lower is better.
    """
    wsum = float(w.sum())
    if not wsum > 0:
        raise ValueError("a held-out fold has zero total sample weight")
    if loss == "multinomial":
        # eta: (n_h, n_alphas, n_classes)
        idx = y.astype(np.int64)
        if scoring == "misclassification":
            wrong = np.argmax(eta, axis=2) != idx[:, None]
            return (w @ wrong) / wsum
        lse = np.logaddexp.reduce(eta, axis=2)
        picked = np.take_along_axis(eta, idx[:, None, None], axis=2)[:, :, 0]
        return 2.0 * (w @ (lse - picked)) / wsum
    if loss == "squared":
        r = y[:, None] - eta
        if scoring == "mae":
            return (w @ np.abs(r)) / wsum
        sse = w @ (r * r)
        if scoring == "r2":
            yc = y - float(w @ y) / wsum
            sst = float(w @ (yc * yc))
            # scikit-learn's r2_score(force_finite=True): a constant held-out y scores
            # R² = 1 when predicted exactly, else 0.
            return sse / sst if sst > 0 else np.where(sse > 0, 1.0, 0.0)
        return sse / wsum
    loss_obj = get_loss(loss)
    if scoring == "deviance":
        if loss == "logistic":
            val = np.logaddexp(0.0, eta) - y[:, None] * eta
        else:
            val = np.exp(np.minimum(eta, 500.0)) - y[:, None] * eta
        sat = loss_obj.saturated(y)
        return 2.0 * (w @ (val - sat[:, None])) / wsum
    if scoring == "misclassification":
        wrong = (eta > 0.0) != (y[:, None] > 0.5)
        return (w @ wrong) / wsum
    if scoring == "auc":
        return np.array([1.0 - _weighted_auc(eta[:, i], y, w) for i in range(eta.shape[1])])
    mu = loss_obj.mean(eta)
    r = y[:, None] - mu
    if scoring == "mae":
        return (w @ np.abs(r)) / wsum
    return (w @ (r * r)) / wsum


# ---------------------------------------------------------------------------------------
# folds
# ---------------------------------------------------------------------------------------
def make_splits(cv, n_samples, *, y=None, groups=None, classifier=False, random_state=None):
    """The folds as a list of ``(train, test)`` index arrays.

    ``cv``: an int K ≥ 2 (K-fold in row order, as scikit-learn; shuffled when
    ``random_state`` is given; stratified on y for classifiers), a scikit-learn splitter, or
    an iterable of (train, test) index pairs.
    """
    from sklearn.model_selection import KFold, StratifiedKFold, check_cv

    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if cv < 2:
            raise ValueError(f"cv must be at least 2 folds, got {cv}")
        shuffle = random_state is not None
        kind = StratifiedKFold if classifier else KFold
        splitter = kind(n_splits=int(cv), shuffle=shuffle,
                        random_state=random_state if shuffle else None)
    else:
        splitter = check_cv(cv, y, classifier=classifier)
    dummy = np.zeros((n_samples, 1))
    splits = []
    for train, test in splitter.split(dummy, y, groups):
        train = np.asarray(train, dtype=np.int64)
        test = np.asarray(test, dtype=np.int64)
        if train.size == 0 or test.size == 0:
            raise ValueError("a cross-validation fold has an empty training or test set")
        splits.append((train, test))
    if len(splits) < 2:
        raise ValueError(f"cross-validation needs at least 2 folds, got {len(splits)}")
    return splits


def _complements(splits, n):
    """True when every training set is exactly the complement of its test set."""
    for train, test in splits:
        if train.size + test.size != n:
            return False
        mask = np.zeros(n, dtype=bool)
        mask[train] = True
        mask[test] = True
        if not mask.all():
            return False
    return True


def _partition(splits, n):
    """True when the test sets are disjoint and cover every row."""
    count = np.zeros(n, dtype=np.int64)
    for _, test in splits:
        np.add.at(count, test, 1)
    return bool(np.all(count == 1))


def _sum_stats(blocks):
    first = blocks[0]
    xtx = first.xtx.copy()
    xty = first.xty.copy()
    x_sum = first.x_sum.copy()
    y_sum, yy, w_sum, n_rows = first.y_sum, first.yy, first.w_sum, first.n_rows
    for b in blocks[1:]:
        xtx += b.xtx
        xty += b.xty
        x_sum += b.x_sum
        y_sum += b.y_sum
        yy += b.yy
        w_sum += b.w_sum
        n_rows += b.n_rows
    return GramStats(xtx, xty, x_sum, y_sum, yy, w_sum, n_rows, first.x_shift, first.y_shift)


def _rows(X, idx):
    """Rows ``idx`` of a validated X: a view when they are one increasing run (K-fold in
    row order), else a copy (sparse: CSR rows)."""
    if idx.size and idx[-1] - idx[0] + 1 == idx.size and np.all(np.diff(idx) == 1):
        return X[int(idx[0]):int(idx[-1]) + 1]
    return X[idx]


def _run(n_jobs, tasks):
    """Run zero-argument callables, in threads when ``n_jobs`` asks for it.

    While they run side by side, BLAS is held to one thread each: two paths that each
    start a 2-thread OpenBLAS call on 2 cores slow down by several times, not by two.
    """
    if n_jobs is None or n_jobs == 1 or len(tasks) == 1:
        return [t() for t in tasks]
    from concurrent.futures import ThreadPoolExecutor

    from joblib import effective_n_jobs
    from threadpoolctl import threadpool_limits

    workers = min(effective_n_jobs(n_jobs), len(tasks))
    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
        return [f.result() for f in [pool.submit(t) for t in tasks]]


def _fold_workers(n_jobs):
    """Threads for the fold paths (and, for Gram-downdate CV, the full-data path).

    The paths are numba kernels that release the GIL (a Gram in memory, or the fold's
    rows), so by default they use the threads numba may use (``NUMBA_NUM_THREADS``,
    ``numba.set_num_threads``), as a BLAS call uses its own; ``n_jobs`` overrides (1:
    one after the other). Sparse LassoCV on a 4000 × 3000 TF-IDF matrix: 4.7 s one
    fold after the other, 3.2 s on 2 threads.
    """
    if n_jobs is not None:
        return n_jobs
    import numba

    return numba.get_num_threads()


# ---------------------------------------------------------------------------------------
# relaxed fits
# ---------------------------------------------------------------------------------------
class _Normal:
    """Centred, scaled normal equations ``G = X̃ᵀWX̃``, ``c = X̃ᵀWy_c`` of some rows,
    available by blocks, with the centring/scaling that maps back to raw coefficients."""

    def __init__(self, G_of, c_of, mean, scale, y_mean):
        self.G_of, self.c_of = G_of, c_of
        self.mean, self.scale, self.y_mean = mean, scale, y_mean

    @classmethod
    def from_stats(cls, stats, fit_intercept, standardize):
        d = GramDesign(stats, bool(fit_intercept), bool(standardize))
        G, c, _ = d.gram_problem()
        return cls(lambda idx: G[np.ix_(idx, idx)], lambda idx: c[idx], d.mean, d.scale,
                   d.y_mean)

    @classmethod
    def from_data(cls, X, y, w, fit_intercept, standardize, columns):
        """From samples; only the ``columns`` (an index array) are ever gathered."""
        n = X.shape[0]
        w = V.check_sample_weight(w, n)
        design = make_design(X, w, bool(fit_intercept), bool(standardize))
        y_mean = float(w @ y) / n if fit_intercept else 0.0
        y_c = y - y_mean
        pos = np.full(X.shape[1], -1, dtype=np.int64)
        pos[columns] = np.arange(columns.size)
        if columns.size:
            B = design.gather(columns)                     # √w ⊙ x̃_j, (n, |E|)
            G_E = B.T @ B
            c_E = B.T @ (np.sqrt(w) * y_c)
        else:
            G_E = np.zeros((0, 0))
            c_E = np.zeros(0)
        return cls(lambda idx: G_E[np.ix_(pos[idx], pos[idx])], lambda idx: c_E[pos[idx]],
                   design.mean, design.scale, y_mean)


def _relaxed_coefs(normal, coef_path, fit_intercept):
    """Least-squares refits on each support of ``coef_path`` (k, p) → (coef, intercept)."""
    from scipy.linalg import LinAlgError, cho_factor, cho_solve

    k, p = coef_path.shape
    out = np.zeros((k, p))
    cache = {}
    for i in range(k):
        support = np.flatnonzero(coef_path[i])
        key = support.tobytes()
        if key not in cache:
            beta = np.zeros(support.size)
            if support.size:
                G = normal.G_of(support)
                c = normal.c_of(support)
                try:
                    beta = cho_solve(cho_factor(G, lower=True, check_finite=False), c,
                                     check_finite=False)
                    # A nearly singular block: prefer the minimum-norm least-squares answer.
                    if not np.all(np.isfinite(beta)) or \
                            np.linalg.norm(G @ beta - c) > 1e-8 * max(np.linalg.norm(c), 1e-300):
                        raise LinAlgError
                except LinAlgError:
                    beta = np.linalg.lstsq(G, c, rcond=None)[0]
            cache[key] = (support, beta / normal.scale[support])
        support, b = cache[key]
        out[i, support] = b
    intercept = (normal.y_mean - out @ normal.mean) if fit_intercept else np.zeros(k)
    return out, intercept


def relax_path(fitted_path, X, y, *, sample_weight=None, standardize=False):
    """The relaxed lasso (``RelaxedPath``) of a squared-loss path fitted on (X, y).

    ``fitted_path`` must come from ``path(X, y, sample_weight=...)`` on the same data; the
    refits use its ``fit_intercept``. ``standardize`` only matters for nearly singular
    supports (it sets the norm of the minimum-norm solution).
    """
    if getattr(fitted_path, "loss", "squared") != "squared":
        raise ValueError("relaxed fits are implemented for the squared loss only")
    X = V.check_design(X)
    n, p = X.shape
    y = V.check_target(y, n)
    if fitted_path.coef.shape[1] != p:
        raise ValueError(f"X has {p} features, the path was fitted with "
                         f"{fitted_path.coef.shape[1]}")
    ever = np.flatnonzero(np.any(fitted_path.coef != 0, axis=0))
    normal = _Normal.from_data(X, y, sample_weight, fitted_path.fit_intercept, standardize,
                               ever)
    coef, intercept = _relaxed_coefs(normal, fitted_path.coef, fitted_path.fit_intercept)
    return RelaxedPath(fitted_path, coef, intercept)


# ---------------------------------------------------------------------------------------
# cross-validated paths
# ---------------------------------------------------------------------------------------
class _Problem:
    """Validated data of one cross-validation: X, target, weights, folds."""

    def __init__(self, X, y, sample_weight, loss, cv, groups, random_state):
        self.X = V.check_design(X)
        n, p = self.X.shape
        self.n, self.p = n, p
        self.loss = loss
        self.w = V.check_sample_weight(sample_weight, n)
        if loss == "squared":
            self.y = V.check_target(y, n)
            self.y_fit = self.y
            self.classes = None
            strat = None
        else:
            self.y_fit, self.classes = _encode_glm_target(y, n, loss)
            self.y = self.y_fit if loss != "multinomial" else _class_index(y, self.classes)
            strat = self.y if loss in ("logistic", "multinomial") else None
        self.X_rows = self.X.tocsr() if sp.issparse(self.X) else self.X
        self.splits = make_splits(cv, n, y=strat, groups=groups,
                                  classifier=loss in ("logistic", "multinomial"),
                                  random_state=random_state)


def _check_fold_targets(problem):
    """Every training fold must give the loss a finite intercept: a classifier's must hold
    every class (glmnet refuses the same data), a Poisson fold some positive count."""
    if problem.loss == "poisson":
        for k, (train, _) in enumerate(problem.splits):
            if not problem.w[train] @ problem.y_fit[train] > 0:
                positive = int(np.count_nonzero(problem.y_fit > 0))
                raise ValueError(
                    f"the training rows of fold {k} have no positive count (y has "
                    f"{positive} positive count{'s' if positive != 1 else ''} in all), so "
                    "the Poisson intercept is −∞ there; use fewer folds (cv) or more data")
        return
    if problem.loss not in ("logistic", "multinomial"):
        return
    labels = problem.y                      # 0/1, or class indices for multinomial
    values, counts = np.unique(labels, return_counts=True)
    names = problem.classes if problem.classes is not None else values
    n_folds = len(problem.splits)
    for k, (train, _) in enumerate(problem.splits):
        lacking = np.setdiff1d(values, labels[train])
        if not lacking.size:
            continue
        pos = np.searchsorted(values, lacking)
        described = ", ".join(f"{label_text(names[i])} ({counts[i]} sample"
                              f"{'s' if counts[i] != 1 else ''})" for i in pos[:5])
        if counts[pos].min() < n_folds:
            raise ValueError(
                f"class {described} has fewer samples than the {n_folds} folds, so the "
                f"training rows of fold {k} lack it; drop or merge the rare class, or use "
                "fewer folds (cv)")
        raise ValueError(f"the training rows of fold {k} lack class {described}; use "
                         "stratified folds (StratifiedKFold)")


def _encode_glm_target(y, n, loss):
    if loss == "multinomial":
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1 or y.shape[0] != n:
            raise ValueError(f"y must be 1-D with {n} labels, got shape {y.shape}")
        classes = np.unique(y)
        return y, classes
    y_enc, classes = get_loss(loss).check_target(y)
    if y_enc.shape[0] != n:
        raise ValueError(f"X and y have mismatched lengths: {n} samples in X, "
                         f"{y_enc.shape[0]} in y")
    return y_enc, classes


def _class_index(y, classes):
    y = np.asarray(y)
    if y.ndim == 2:
        y = y[:, 0]
    return np.searchsorted(classes, y).astype(np.float64)


def _use_gram(problem, method):
    if method not in ("auto", "gram", "refit"):
        raise ValueError(f"method must be 'auto', 'gram' or 'refit', got {method!r}")
    if method == "refit":
        return False
    if problem.loss != "squared":
        if method == "gram":
            raise ValueError("method='gram' (Gram-downdate CV) needs the squared loss")
        return False
    if method == "gram":
        return True
    return (not sp.issparse(problem.X) and problem.n >= problem.p
            and problem.p <= GRAM_MAX_FEATURES)


def _eta(X_h, fold_path):
    """Linear predictors of the held-out rows at every alpha of a fold path."""
    coef, b = fold_path.coef, fold_path.intercept
    if coef.ndim == 3:
        # multinomial: coef (k, K, p), intercept (k, K) -> eta (n_h, k, K)
        k, n_classes, p = coef.shape
        eta = np.asarray(X_h @ coef.reshape(k * n_classes, p).T, dtype=np.float64)
        return eta.reshape(-1, k, n_classes) + b[None, :, :]
    # NumPy: one gemm (n_h, p) @ (p, k) for every alpha at once.
    return np.asarray(X_h @ coef.T, dtype=np.float64) + b


def _pad(fold_path, n_alphas):
    """A GLM fold path may stop early (saturated fit): repeat its last fit (glmnet does)."""
    k = len(fold_path.alphas)
    if k >= n_alphas:
        return fold_path
    reps = np.r_[np.arange(k), np.full(n_alphas - k, k - 1)]
    fold_path.coef = fold_path.coef[reps]
    fold_path.intercept = fold_path.intercept[reps]
    return fold_path


def _path_kwargs(l1_ratio, fit_intercept, penalty_factor, positive, standardize, tol,
                 max_iter):
    return dict(l1_ratio=l1_ratio, fit_intercept=fit_intercept, penalty_factor=penalty_factor,
                positive=positive, standardize=standardize, tol=tol, max_iter=max_iter)


def _cv_core(problem, *, l1_ratios, alphas, n_alphas, alpha_min_ratio, scoring, n_jobs,
             fit_intercept, penalty_factor, positive, standardize, tol, max_iter, method,
             relax=False, gammas=None, alpha_scale="mean"):
    """Cross-validate one path per l1_ratio on shared folds (and Gram statistics).

    ``alpha_scale="sum"`` (ridge's scikit-learn scale) keeps ``alpha·Σw`` fixed across
    fits: a fold trained on rows of total weight W_k runs at ``alpha·n/W_k`` (weights
    normalised to sum to n), as ``Ridge(alpha=a)`` fitted on that fold would.
    Returns a list of CVPath (or RelaxedCVPath) in the order of ``l1_ratios``.
    """
    X, y, w, n, p = problem.X, problem.y_fit, problem.w, problem.n, problem.p
    loss = problem.loss
    splits = problem.splits
    scoring = _check_scoring(scoring, loss)
    use_gram = _use_gram(problem, method)
    if relax and loss != "squared":
        raise ValueError("relax=True is implemented for the squared loss only")
    gammas = _check_gammas(gammas) if relax else None
    extra = {} if loss == "squared" else {"loss": loss}

    _check_fold_targets(problem)
    complements = _complements(splits, n)
    full_stats = None
    held = None
    if use_gram:
        blocks_fit = len(splits) * p * p * 8 <= GRAM_BLOCKS_MAX_BYTES
        if complements and _partition(splits, n) and blocks_fit:
            held = [GramStats.from_data(_rows(X, te), y[te], w[te]) for _, te in splits]
            full_stats = _sum_stats(held)
            shifts = full_stats.shifts_for(X) if fit_intercept else None
            if shifts is not None:
                # Raw sums would lose the spread of X or y: all blocks about the means.
                held = [GramStats.from_data(_rows(X, te), y[te], w[te], *shifts)
                        for _, te in splits]
                full_stats = _sum_stats(held)
        else:
            full_stats = GramStats.keeping_spread(X, y, w, fit_intercept)

    def train_stats(k):
        train, test = splits[k]
        rows = test if complements else train
        stats = held[k] if held is not None else GramStats.from_data(
            _rows(X, rows), y[rows], w[rows], full_stats.x_shift, full_stats.y_shift)
        return full_stats - stats if complements else stats

    results = []
    for l1_ratio in l1_ratios:
        kw = _path_kwargs(l1_ratio, fit_intercept, penalty_factor, positive, standardize,
                          tol, max_iter)
        if use_gram:
            # The grid first, so the full-data path runs beside the fold paths.
            grid = V.check_alphas(alphas) if alphas is not None else alphas_from_gram(
                full_stats, l1_ratio=l1_ratio, n_alphas=n_alphas,
                alpha_min_ratio=alpha_min_ratio, fit_intercept=fit_intercept,
                penalty_factor=penalty_factor, positive=positive, standardize=standardize)
            full_task = [lambda kw=kw, grid=grid: path_from_gram(full_stats, alphas=grid,
                                                                 **kw)]
        else:
            full = path(X, y, alphas=alphas, n_alphas=n_alphas, alpha_min_ratio=alpha_min_ratio,
                        sample_weight=w, **kw, **extra)
            grid = full.alphas
            full_task = []

        def fold_task(k, kw=kw, grid=grid):
            train, test = splits[k]
            fold_grid = grid
            if alpha_scale == "sum":
                fold_grid = grid * (n / w[train].sum())
            if use_gram:
                stats = train_stats(k)
                fp = path_from_gram(stats, alphas=fold_grid, **kw)
            else:
                stats = None
                fp = path(_rows(X, train), y[train], alphas=fold_grid, sample_weight=w[train],
                          **kw, **extra)
            fp = _pad(fp, len(grid))
            X_h = _rows(problem.X_rows, test)
            eta = _eta(X_h, fp)
            y_h, w_h = problem.y[test], w[test]
            if not relax:
                return fold_score(eta, y_h, w_h, loss=loss, scoring=scoring)
            if stats is not None:
                normal = _Normal.from_stats(stats, fit_intercept, standardize)
            else:
                ever = np.flatnonzero(np.any(fp.coef != 0, axis=0))
                normal = _Normal.from_data(_rows(X, train), y[train], w[train], fit_intercept,
                                           standardize, ever)
            coef_r, b_r = _relaxed_coefs(normal, fp.coef, fit_intercept)
            eta_r = np.asarray(X_h @ coef_r.T, dtype=np.float64) + b_r
            return np.stack([fold_score(g * eta + (1.0 - g) * eta_r, y_h, w_h, loss=loss,
                                        scoring=scoring) for g in gammas])

        jobs = _fold_workers(n_jobs)
        out = _run(jobs, full_task + [lambda k=k: fold_task(k) for k in range(len(splits))])
        if use_gram:
            full = out.pop(0)
        scores = np.array(out)
        folds = [te for _, te in splits]
        if relax:
            if full_stats is not None:
                normal = _Normal.from_stats(full_stats, fit_intercept, standardize)
            else:
                ever = np.flatnonzero(np.any(full.coef != 0, axis=0))
                normal = _Normal.from_data(X, y, w, fit_intercept, standardize, ever)
            coef_r, b_r = _relaxed_coefs(normal, full.coef, fit_intercept)
            results.append(RelaxedCVPath(alphas=grid, gammas=gammas, fold_scores=scores,
                                         path=full, relaxed=RelaxedPath(full, coef_r, b_r),
                                         scoring=scoring, folds=folds))
        else:
            results.append(CVPath(alphas=grid, fold_scores=scores, path=full, scoring=scoring,
                                  loss=loss, l1_ratio=full.l1_ratio, folds=folds))
    return results


def cv_path(X, y, *, l1_ratio=1.0, alphas=None, n_alphas=100, alpha_min_ratio=None, cv=5,
            scoring=None, n_jobs=None, loss="squared", fit_intercept=True, sample_weight=None,
            penalty_factor=None, positive=False, standardize=False, tol=DEFAULT_TOL,
            max_iter=DEFAULT_MAX_ITER, random_state=None, groups=None, method="auto",
            relax=False, gammas=None):
    """K-fold cross-validation of a regularization path (glmnet's ``cv.glmnet``).

    The full-data path is fitted first (its grid is the default of ``path``, or ``alphas``);
    each fold's path is then fitted on the training rows on that same grid, and scored on its
    held-out rows (see the module docstring for the scores, ``cvm``, ``cvsd`` and the rule of
    one standard error).

    Parameters
    ----------
    X : (n, p) dense array or scipy sparse matrix.  y : (n,) target.
    l1_ratio, alphas, n_alphas, alpha_min_ratio, fit_intercept, penalty_factor, positive,
    standardize, tol, max_iter, loss : as ``path``.
    cv : int K ≥ 2 (K-fold in row order; shuffled when ``random_state`` is given; stratified
        for classification losses), a scikit-learn splitter, or an iterable of
        (train, test) index pairs.
    scoring : see the module docstring; None: mse for squared loss, deviance otherwise.
    n_jobs : folds run in this many threads (joblib; 1: sequentially). None: numba's
        threads (``NUMBA_NUM_THREADS``; the fold paths are GIL-free numba kernels), BLAS
        held to one thread meanwhile; Gram-downdate CV runs its full-data path with them.
    sample_weight : (n,) weights; fold paths use the training rows' weights and the
        held-out scores the held-out rows' weights.
    random_state : seed for shuffling the K folds of an integer ``cv``.
    groups : group labels for group-aware splitters.
    method : "auto" (Gram downdate when the loss is squared, X dense, n ≥ p and p ≤ 5000),
        "gram" (force it, e.g. for sparse X with few columns) or "refit" (``path`` on
        each training fold).
    relax, gammas : cross-validate the relaxed lasso over (gamma, alpha) too (squared loss);
        returns a ``RelaxedCVPath``. ``gammas`` defaults to (0, 0.25, 0.5, 0.75, 1).

    Returns
    -------
    CVPath (or RelaxedCVPath when ``relax``)
    """
    return cv_paths(X, y, l1_ratios=[l1_ratio], alphas=alphas, n_alphas=n_alphas,
                    alpha_min_ratio=alpha_min_ratio, cv=cv, scoring=scoring, n_jobs=n_jobs,
                    loss=loss, fit_intercept=fit_intercept, sample_weight=sample_weight,
                    penalty_factor=penalty_factor, positive=positive, standardize=standardize,
                    tol=tol, max_iter=max_iter, random_state=random_state, groups=groups,
                    method=method, relax=relax, gammas=gammas)[0]


def cv_paths(X, y, *, l1_ratios=(1.0,), alphas=None, n_alphas=100, alpha_min_ratio=None,
             cv=5, scoring=None, n_jobs=None, loss="squared", fit_intercept=True,
             sample_weight=None, penalty_factor=None, positive=False, standardize=False,
             tol=DEFAULT_TOL, max_iter=DEFAULT_MAX_ITER, random_state=None, groups=None,
             method="auto", relax=False, gammas=None, alpha_scale="mean"):
    """:func:`cv_path` for several l1_ratios on the same folds: a list of CVPath.

    The folds, and for Gram-downdate CV the Gram statistics, are shared by every
    l1_ratio. ``alpha_scale="sum"`` keeps ``alpha·Σw_train`` fixed across folds instead of
    alpha (scikit-learn's ``Ridge`` scale: ``RidgeCV`` with K folds); alphas and the
    returned grids stay on the full data's path scale.
    """
    if alpha_scale not in ("mean", "sum"):
        raise ValueError(f"alpha_scale must be 'mean' or 'sum', got {alpha_scale!r}")
    ratios = np.atleast_1d(np.asarray(l1_ratios, dtype=object)).ravel()
    if ratios.size == 0:
        raise ValueError("l1_ratios is empty")
    ratios = [V.check_l1_ratio(r) for r in ratios]
    problem = _Problem(X, y, sample_weight, loss, cv, groups, random_state)
    return _cv_core(problem, l1_ratios=ratios, alphas=alphas, n_alphas=n_alphas,
                    alpha_min_ratio=alpha_min_ratio, scoring=scoring, n_jobs=n_jobs,
                    fit_intercept=fit_intercept, penalty_factor=penalty_factor,
                    positive=positive, standardize=standardize, tol=tol, max_iter=max_iter,
                    method=method, relax=relax, gammas=gammas, alpha_scale=alpha_scale)


# ---------------------------------------------------------------------------------------
# ridge: leave-one-out and generalized cross-validation from one eigendecomposition
# ---------------------------------------------------------------------------------------
def _kernel_eigenbasis(K, sw=None):
    """``(Q, μ)``: eigenvectors (n, m) and eigenvalues (≥ 0) of the symmetric (n, n) K.

    With ``sw`` (√w, for a fitted intercept, which K maps to 0): only the orthogonal
    complement of u = sw/‖sw‖ (m = n − 1), split off exactly by the Householder
    reflection P (P u = ±e₁): K's block of P K P off its first row and column is
    decomposed, and Q = P[:, 1:] U. Otherwise all of K (m = n).
    """
    if sw is None:
        mu, Q = symmetric_eigh(K)
        return Q, np.maximum(mu, 0.0)
    u = sw / np.linalg.norm(sw)
    v = u.copy()
    v[0] += 1.0 if u[0] >= 0 else -1.0
    v /= np.linalg.norm(v)
    Kv = K @ v
    vKv = float(v @ Kv)
    # P K P = K − 2 v (Kv)ᵀ − 2 (Kv) vᵀ + 4 (vᵀKv) v vᵀ, rows and columns 1: only
    M = (K[1:, 1:] - 2.0 * np.outer(v[1:], Kv[1:]) - 2.0 * np.outer(Kv[1:], v[1:])
         + 4.0 * vKv * np.outer(v[1:], v[1:]))
    mu, U = symmetric_eigh(0.5 * (M + M.T))
    # P[:, 1:] U = E[:, 1:] U − 2 v (v[1:]ᵀ U)
    Q = np.vstack([np.zeros((1, U.shape[1])), U]) - 2.0 * np.outer(v, v[1:] @ U)
    return Q, np.maximum(mu, 0.0)


def ridge_loo_path(X, y, *, alphas, mode="loo", fit_intercept=True, sample_weight=None,
                   penalty_factor=None, standardize=False, tol=DEFAULT_TOL):
    """Exact leave-one-out (or generalized) cross-validation of the ridge path.

    The ridge fit at alpha is a linear smoother: with weights w (summing to n), centred
    (and scaled) columns X̃, ``Ã = √W X̃ diag(1/√v)`` and shift ``s = nα``, its hat matrix is
    ``H = √w√wᵀ/n·[fit_intercept] + Ã (ÃᵀÃ + sI)⁻¹ Ãᵀ``, and the leave-one-out residual of
    row i is ``r_i / (1 − H_ii)`` exactly (Sherman–Morrison), where removing row i keeps the
    sum-scale penalty ``α·Σw`` (scikit-learn's ``RidgeCV(cv=None)``). One eigendecomposition
    (of ÃᵀÃ when n ≥ p, of ÃÃᵀ otherwise) gives ``H_ii`` and ``r_i`` at every alpha.
    Generalized CV (``mode="gcv"``) replaces ``1 − H_ii`` by ``1 − tr(H)/n``.

    The centring and the standardization scale come from the full data (for
    ``standardize=True`` the held-out row's scale contribution is not removed; the
    intercept is handled exactly). Rows of zero weight take no part.

    Every sample is a "fold": ``fold_scores`` is (n_positive_weight, n_alphas) of squared
    leave-one-out residuals, ``fold_weights`` the sample weights, so ``cvm`` is the
    weighted mean squared LOO error and ``cvsd`` its standard error.

    Parameters
    ----------
    alphas : path-scale alphas (α = a/Σw for scikit-learn's ``Ridge(alpha=a)``).
    mode : "loo" or "gcv".
    penalty_factor : (p,) all > 0.

    Returns
    -------
    CVPath with ``path`` the full-data ridge path on the grid.
    """
    if mode not in ("loo", "gcv"):
        raise ValueError(f"mode must be 'loo' or 'gcv', got {mode!r}")
    X = V.check_design(X)
    n, p = X.shape
    y = V.check_target(y, n)
    w = V.check_sample_weight(sample_weight, n)
    v = V.check_penalty_factor(penalty_factor, p)
    if np.any(v == 0):
        raise ValueError("leave-one-out ridge needs every penalty_factor > 0; use K-fold "
                         "cross-validation (cv=K) for unpenalized features")
    alphas = V.check_alphas(alphas)
    d = 1.0 / np.sqrt(v)
    shifts = n * alphas
    keep = w > 0
    if keep.sum() < 2:
        raise ValueError(f"leave-one-out needs at least 2 samples of positive weight, got "
                         f"n_samples={int(keep.sum())}")
    sw = np.sqrt(w)
    common = dict(l1_ratio=0.0, alphas=alphas, fit_intercept=fit_intercept, penalty_factor=v,
                  standardize=standardize, tol=tol)
    if p <= n:
        # One Gram for both the full-data path and the leave-one-out errors.
        stats = GramStats.keeping_spread(X, y, w, fit_intercept)
        full = path_from_gram(stats, **common)
        design = GramDesign(stats, bool(fit_intercept), bool(standardize))
        G, c, _ = design.gram_problem()                # X̃ᵀWX̃ (p, p), X̃ᵀWy_c
        y_c = y - design.y_mean
        lam, V_ = symmetric_eigh(G * d[:, None] * d[None, :])
        lam = np.maximum(lam, 0.0)
        T = V_ * (d / design.scale)[:, None]           # X̃ D V = X T − 1 (mᵀT)
        Z = np.asarray(X @ T, dtype=np.float64) - design.mean @ T   # (n, p), unweighted
        b = V_.T @ (d * c)                             # Ãᵀỹ in the eigenbasis
        inv = 1.0 / (lam[:, None] + shifts[None, :])   # (p, k)
        fitted = Z @ (b[:, None] * inv)                # X̃β per alpha, (n, k)
        r = y_c[:, None] - fitted
        intercept_h = w / n if fit_intercept else np.zeros(n)   # the intercept's leverage
        one_minus_h = 1.0 - (w[:, None] * ((Z * Z) @ inv) + intercept_h[:, None])
        trace = (lam[:, None] * inv).sum(axis=0) + (1.0 if fit_intercept else 0.0)
    else:
        full = path(X, y, sample_weight=w, **common)
        design = make_design(X, w, bool(fit_intercept), bool(standardize))
        y_c = y - (float(w @ y) / n if fit_intercept else 0.0)
        K = design.outer_gram(d)                       # Ã Ãᵀ (n, n)
        # Near interpolation (p > n, small alpha) both r_i and 1 − H_ii are tiny: taken
        # as differences (y − Hy, 1 − H_ii) they lose digits (1e-5 of the LOO error at
        # a = 0.01 on 80 × 4000, enough to move alpha_ along a flat curve). In the
        # eigenbasis they are sums of positive terms: r = Q (s/(μ + s) ⊙ Qᵀỹ) and
        # 1 − H_ii = Σ_k Q_ik² s/(μ_k + s), the intercept's direction √w/‖√w‖ (fitted
        # exactly, K maps it to 0) split off first by a Householder reflection.
        Q, mu = _kernel_eigenbasis(K, sw if fit_intercept else None)
        a = Q.T @ (sw * y_c)
        rest = shifts[None, :] / (mu[:, None] + shifts[None, :])      # (m, k): 1 − μ/(μ+s)
        safe = np.where(keep, sw, 1.0)
        r = (Q @ (a[:, None] * rest)) / safe[:, None]
        one_minus_h = (Q * Q) @ rest
        trace = (1.0 - rest).sum(axis=0) + (1.0 if fit_intercept else 0.0)
    if mode == "loo":
        e = r / one_minus_h
    else:
        n_pos = int(keep.sum())
        e = r / (1.0 - trace / n_pos)[None, :]
    scores = (e * e)[keep]
    return CVPath(alphas=alphas, fold_scores=scores, path=full, scoring="mse",
                  fold_weights=w[keep])


# ---------------------------------------------------------------------------------------
# information criteria
# ---------------------------------------------------------------------------------------
def _degrees_of_freedom(design, fitted_path, v):
    """df at each alpha (see ``ICPath``)."""
    n = design.n_samples
    k = len(fitted_path.alphas)
    rho = fitted_path.l1_ratio
    coef = fitted_path.coef
    df = np.zeros(k)
    if rho == 1.0:
        return np.count_nonzero(coef, axis=1).astype(np.float64)
    cache = {}
    for i in range(k):
        A = np.flatnonzero(coef[i])
        if A.size == 0:
            continue
        key = A.tobytes()
        if key not in cache:
            cache[key] = (A, design.gather(A))           # √w ⊙ x̃_A, (n, |A|)
        A, B = cache[key]
        shift = n * fitted_path.alphas[i] * (1.0 - rho)
        vA = v[A]
        if np.all(vA > 0):
            Bd = B / np.sqrt(vA)
            M = Bd.T @ Bd if A.size <= n else Bd @ Bd.T
            mu = np.maximum(np.linalg.eigvalsh(M), 0.0)
            df[i] = float(np.sum(mu / (mu + shift)))
        else:
            G = B.T @ B
            S = G + shift * np.diag(vA)
            df[i] = float(np.trace(np.linalg.lstsq(S, G, rcond=None)[0]))
    return df


def ic_path(X, y, *, criterion="bic", l1_ratio=1.0, alphas=None, n_alphas=100,
            alpha_min_ratio=None, fit_intercept=True, sample_weight=None, penalty_factor=None,
            positive=False, standardize=False, tol=DEFAULT_TOL, max_iter=DEFAULT_MAX_ITER,
            noise_variance=None):
    """Choose alpha on the full-data path by AIC or BIC (no cross-validation); see ``ICPath``.

    Parameters are those of ``path``, plus ``criterion`` ("aic" or "bic") and
    ``noise_variance`` (σ²; estimated from the least-squares fit when None).

    Returns
    -------
    ICPath
    """
    if criterion not in ("aic", "bic"):
        raise ValueError(f"criterion must be 'aic' or 'bic', got {criterion!r}")
    X = V.check_design(X)
    n, p = X.shape
    y = V.check_target(y, n)
    w = V.check_sample_weight(sample_weight, n)
    v = V.check_penalty_factor(penalty_factor, p)
    # Frequency weights: the sample size is Σw and sums of squares use w as given.
    n_eff = float(n) if sample_weight is None else float(
        np.sum(np.broadcast_to(np.asarray(sample_weight, dtype=np.float64), (n,))))
    to_raw = n_eff / n                                 # w (summing to n) → raw weights
    fitted = path(X, y, l1_ratio=l1_ratio, alphas=alphas, n_alphas=n_alphas,
                  alpha_min_ratio=alpha_min_ratio, fit_intercept=fit_intercept,
                  sample_weight=w, penalty_factor=v, positive=positive,
                  standardize=standardize, tol=tol, max_iter=max_iter)
    design = make_design(X, w, bool(fit_intercept), bool(standardize))
    resid = y[:, None] - fitted.predict(X)
    rss = to_raw * (w @ (resid * resid))
    if noise_variance is None:
        dof = n_eff - p - int(bool(fit_intercept))
        if dof <= 0:
            raise ValueError(f"the noise variance cannot be estimated with n={n_eff:g} samples "
                             f"and p={p} features (needs n > p + fit_intercept); pass "
                             "noise_variance")
        y_mean = float(w @ y) / n if fit_intercept else 0.0
        G, c, yy = design.gram_problem(y - y_mean)     # X̃ᵀWX̃, X̃ᵀWy_c, ‖y_c‖²_w
        coef, *_ = np.linalg.lstsq(G, c, rcond=None)
        rss_ols = to_raw * max(yy - float(c @ coef), 0.0)
        # A y that least squares fits exactly would give σ² = 0: floor it at a rounding
        # level of y's spread so every criterion stays finite (the least penalty then wins).
        noise_variance = max(rss_ols / dof, NOISE_VARIANCE_FLOOR * max(yy, 1e-300) / n)
    else:
        noise_variance = V.check_positive_float(noise_variance, "noise_variance")
    df = _degrees_of_freedom(design, fitted, v)
    factor = 2.0 if criterion == "aic" else np.log(n_eff)
    crit = n_eff * np.log(2.0 * np.pi * noise_variance) + rss / noise_variance + factor * df
    return ICPath(path=fitted, criterion=crit, df=df, rss=rss, noise_variance=noise_variance,
                  criterion_name=criterion)
