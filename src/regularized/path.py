"""The regularization path: the single computational entry point for squared loss.

Every estimator's ``fit`` is a one-alpha call of :func:`path`.
"""
import warnings

import numpy as np
import scipy.sparse as sp

from . import _validation as V
from .design import CONSTANT_SPREAD, GramDesign, SparseDesign, make_design
from .losses import get_loss
from .solvers.multinomial import EXPLICIT_MAX_DIM, multinomial_path
from .solvers.newton import glm_path, warmup_alphas
from .solvers.ridge import ridge_path
from .solvers.working_set import enet_path_cd

# glmnet's convention for ridge: the grid starts where an l1_ratio of 1e-3
# would zero every coefficient.
RIDGE_L1_RATIO_FOR_GRID = 1e-3
DEFAULT_TOL = 1e-7
# A dense design with at least this many entries, fewer than this share of them non-zero,
# is mostly zeros: the GLM paths solve it as CSC (coordinate descent then reads a
# column's non-zeros only: on 1000×1522 word counts at 0.9% density, a logistic path
# takes 1.1 s instead of 4.2 s), and the table front end (io) hands it to every estimator
# as CSC.
SPARSE_MIN_ENTRIES = 100_000
SPARSE_MAX_DENSITY = 0.1
DEFAULT_MAX_ITER = 100_000


class Path:
    """A fitted regularization path.

    Attributes
    ----------
    alphas : (n_alphas,) decreasing penalty strengths.
    coef : (n_alphas, n_features) coefficients on the original scale of X.
    intercept : (n_alphas,) intercepts (0 when not fitted).
    gap : (n_alphas,) relative duality gap ``(P(β) − D(θ)) / P(β)`` reached at
        each alpha; it bounds the relative suboptimality ``(P − P*) / P*``
        up to a factor ``P / P* ≤ 1 / (1 − gap)``. For the Poisson loss, whose
        objective can be ≤ 0, P is measured above its saturated floor
        ``Σ w ℓ(y, log y)/n`` (half the deviance plus the penalty).
    n_iter : (n_alphas,) coordinate-descent epochs at each alpha (GLM losses: the first
        alpha also counts the exact Newton steps fitting the unpenalized features; a
        Newton model formed explicitly, on ill-conditioned fits, counts one epoch for
        its Hessian and its CD epochs at their cost, ``|ws|/n`` of an epoch each; a wide
        ridge model solved through its (n, n) kernel counts its flops in epochs).
    n_nonzero : (n_alphas,) non-zero coefficients.
    deviance_ratio : (n_alphas,) fraction of the null deviance explained,
        ``1 − RSS_w(β) / RSS_w(null)``.
    objective : (n_alphas,) the objective of DESIGN §1 at each solution.
    deviance : (n_alphas,) ``2·Σ w (ℓ(y, η) − ℓ(y, η_saturated))`` at each fit.
    null_deviance : float, the deviance of the null (intercept-only) fit.
    loss : str.  classes : the class labels (logistic, multinomial) or None.
    l1_ratio : float.  fit_intercept : bool.
    has_offset : bool, whether the fit used an ``offset`` (then ``predict`` needs one).
    offset_per_class : bool, whether that offset was a multinomial (n, K) one (then
        ``predict`` needs one of that shape).
    """

    def __init__(self, *, alphas, coef, intercept, gap, n_iter, deviance_ratio,
                 objective, l1_ratio, fit_intercept, loss="squared", deviance=None,
                 null_deviance=None, classes=None, has_offset=False,
                 offset_per_class=False):
        self.alphas = alphas
        self.coef = coef
        self.intercept = intercept
        self.gap = gap
        self.n_iter = n_iter
        # a feature counts once, whatever the number of classes it is active in
        self.n_nonzero = (np.count_nonzero(coef, axis=1) if coef.ndim == 2
                          else np.count_nonzero(np.any(coef != 0, axis=1), axis=1))
        self.deviance_ratio = deviance_ratio
        self.objective = objective
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.loss = loss
        self.deviance = deviance
        self.null_deviance = null_deviance
        self.classes = classes
        self.has_offset = bool(has_offset)
        self.offset_per_class = bool(offset_per_class)

    @property
    def n_features(self):
        return self.coef.shape[-1]

    def _weights_at(self, alpha, warn=True):
        """Indices and weights interpolating in log(alpha) between grid points."""
        alpha = V.check_positive_float(alpha, "alpha")
        with np.errstate(divide="ignore"):        # an unpenalized end point: log 0 = −inf
            log_a = np.log(self.alphas)
        x = np.log(alpha)
        if x >= log_a[0]:
            return 0, 0, 1.0
        if x <= log_a[-1]:
            if warn and x < log_a[-1]:
                # Below the grid the solution keeps moving: clamping is a stand-in.
                _warn_outside(alpha, self.alphas[-1])
            last = len(log_a) - 1
            return last, last, 1.0
        # alphas decrease: find i with log_a[i] ≥ x > log_a[i+1]
        i = int(np.searchsorted(-log_a, -x, side="right")) - 1
        if log_a[i] == x:
            return i, i, 1.0
        if np.isneginf(log_a[i + 1]):
            # Towards an unpenalized end point (alpha 0) log-alpha is unbounded: linear
            # in alpha instead.
            t = (self.alphas[i] - alpha) / self.alphas[i]
        else:
            t = (log_a[i] - x) / (log_a[i] - log_a[i + 1])
        return i, i + 1, 1.0 - t

    def coef_at(self, alpha):
        """Coefficients at ``alpha`` (glmnet's ``coef(s=)``), shape (n_features,).

        Linear interpolation in log(alpha) between the two nearest path points;
        exact at grid points; clamped to the ends outside the grid (glmnet's
        behaviour), with a ``UserWarning`` below the smallest alpha, where the clamped
        coefficients are not the solution.
        """
        i, j, wi = self._weights_at(alpha)
        return wi * self.coef[i] + (1.0 - wi) * self.coef[j]

    def intercept_at(self, alpha):
        i, j, wi = self._weights_at(alpha, warn=False)      # coef_at warns
        return wi * self.intercept[i] + (1.0 - wi) * self.intercept[j]

    def predict(self, X, alpha=None, *, kind="link", offset=None):
        """Predictions: the linear predictor ``offset + b + Xβ`` or the mean response.

        Parameters
        ----------
        X : (n, p) array or sparse matrix.
        alpha : one alpha (interpolated as ``coef_at``) or None for every path point.
        kind : "link" (η) or "response" (μ: η itself for squared loss, the
            probability for logistic, e^η for Poisson).
        offset : (n,) fixed part of the linear predictor (e.g. log exposure), or a
            number for every row; required when the fit used one (``has_offset``), as
            glmnet's ``newoffset``, and (n, K) when that one was (``offset_per_class``).

        Returns
        -------
        (n,) at one alpha, or (n, n_alphas) when ``alpha`` is None; for the
        multinomial loss (n, K) and (n, K, n_alphas) (glmnet's layout).
        """
        if kind not in ("link", "response"):
            raise ValueError(f"kind must be 'link' or 'response', got {kind!r}")
        X = V.check_design(X)
        if X.shape[1] != self.n_features:
            raise ValueError(f"X has {X.shape[1]} features, the path was fitted with "
                             f"{self.n_features}")
        if self.coef.ndim == 3:                    # multinomial: (n, K[, n_alphas])
            if alpha is None:
                eta = np.stack([np.asarray(X @ c.T, dtype=np.float64) + b
                                for c, b in zip(self.coef, self.intercept)], axis=2)
            else:
                eta = np.asarray(X @ self.coef_at(alpha).T, dtype=np.float64) \
                    + self.intercept_at(alpha)
        elif alpha is None:
            eta = np.asarray(X @ self.coef.T, dtype=np.float64) + self.intercept
        else:
            eta = np.asarray(X @ self.coef_at(alpha), dtype=np.float64).ravel() \
                + self.intercept_at(alpha)
        K = self.coef.shape[1] if self.coef.ndim == 3 else None
        if offset is not None:
            number = np.ndim(offset) == 0
            offset = _check_offset(offset, X.shape[0], n_classes=K)
            if self.offset_per_class and offset.ndim == 1 and not number:
                raise ValueError(f"this path was fitted with an (n, {K}) offset, one column "
                                 f"per class: pass offset= of shape ({X.shape[0]}, {K})")
            eta = eta + offset.reshape(offset.shape + (1,) * (eta.ndim - offset.ndim))
        elif self.has_offset:
            rows = (f"of shape ({X.shape[0]}, {K}) for the rows of X" if self.offset_per_class
                    else "for the rows of X (e.g. their log exposure)")
            raise ValueError(f"this path was fitted with an offset: pass offset= {rows}, or "
                             "offset=0 for none")
        if kind == "link":
            return eta
        return get_loss(self.loss).mean(eta)

    def __repr__(self):
        return (f"Path(n_alphas={len(self.alphas)}, n_features={self.n_features}, "
                f"l1_ratio={self.l1_ratio}, max_gap={self.gap.max():.2e})")


def _check_offset(offset, n_samples, *, n_classes=None):
    """An offset as float64: (n,) (a number: that value on every row) or, where
    ``n_classes`` is given (the multinomial loss; 0 when its classes are not known yet),
    (n, K) with one column per class."""
    a = np.asarray(offset)
    if a.ndim == 0:
        a = np.full(n_samples, a, dtype=a.dtype)
    if a.ndim == 2 and a.shape[1] > 1:
        if n_classes is None:
            raise ValueError(f"offset must be 1-D (one value per row), got shape {a.shape}; "
                             "an (n, K) offset is for loss='multinomial'")
        if n_classes and a.shape[1] != n_classes:
            raise ValueError(f"offset has {a.shape[1]} columns for {n_classes} classes: "
                             "pass one column per class, in the sorted order of the labels")
        return np.column_stack([V.check_target(a[:, k], n_samples, name="offset")
                                for k in range(a.shape[1])])
    return V.check_target(a, n_samples, name="offset")


def default_alpha_min_ratio(n_samples, n_features):
    """glmnet's ``lambda.min.ratio``: the default grid's last alpha over its first."""
    return 1e-4 if n_samples >= n_features else 1e-2


def alpha_grid(alpha_max, n_samples, n_features, n_alphas, alpha_min_ratio):
    """glmnet's default grid: log-spaced from alpha_max to alpha_max·ratio."""
    if alpha_min_ratio is None:
        alpha_min_ratio = default_alpha_min_ratio(n_samples, n_features)
    if not 0.0 < alpha_min_ratio < 1.0 and not (alpha_min_ratio == 1.0 and n_alphas == 1):
        raise ValueError(f"alpha_min_ratio must be in (0, 1), got {alpha_min_ratio!r}")
    return alpha_max * np.logspace(0.0, np.log10(alpha_min_ratio), n_alphas)


def path(X, y, *, loss="squared", l1_ratio=1.0, alphas=None, n_alphas=100,
         alpha_min_ratio=None, fit_intercept=True, sample_weight=None, offset=None,
         penalty_factor=None, positive=False, standardize=False, grouped=False,
         tol=DEFAULT_TOL, max_iter=DEFAULT_MAX_ITER):
    """Elastic-net regularization path, certified by its duality gap.

    Minimises, at each alpha (DESIGN §1; scikit-learn's ElasticNet and
    glmnet's scale, with glmnet's ``lambda`` = ``alpha`` and its ``alpha`` =
    ``l1_ratio``)::

        (1/n) Σ_i w_i ½ (y_i − b − x_iᵀβ)²  +  α Σ_j v_j (ρ|β_j| + (1−ρ)/2 β_j²)

    with weights w rescaled to sum to n, penalty factors v = ``penalty_factor``
    (used as given) and ρ = ``l1_ratio``. Other losses replace ½(y − η)² by
    ℓ(y, η) on the linear predictor η = offset + b + xᵀβ (DESIGN §1):
    "logistic" ``log(1 + e^η) − yη`` (two classes of any type),
    "poisson" ``e^η − yη`` (counts ≥ 0), "multinomial" ``logsumexp(η) − η_y``.

    Parameters
    ----------
    X : (n, p) array (float32/float64, C or F order, read in place) or scipy
        sparse CSC/CSR (never densified; centring is implicit).
    y : (n,) target.
    loss : "squared", "logistic", "poisson" or "multinomial".
    l1_ratio : float in [0, 1]; 1 is the lasso, 0 ridge (closed form).
    alphas : decreasing penalty strengths; sorted if needed. Default: a
        log-spaced grid of ``n_alphas`` from alpha_max (the smallest alpha with
        β = 0) down to ``alpha_max · alpha_min_ratio`` (1e-4 if n ≥ p else 1e-2).
    fit_intercept : fit an unpenalized intercept b.
    sample_weight : (n,) non-negative weights.
    offset : (n,) fixed part of the linear predictor (e.g. log exposure for
        Poisson); for squared loss it is subtracted from y. Multinomial: (n, K), one
        column per class (glmnet's offset matrix), added to each class's predictor (an
        (n,) offset shifts every class alike, which the softmax ignores).
    penalty_factor : (p,) v_j ≥ 0; 0 leaves feature j unpenalized (all 0: the
        unpenalized fit, whatever the alpha; on separable classes it has no finite
        optimum and a ConvergenceWarning says so).
    positive : constrain β ≥ 0.
    grouped : multinomial only: penalize each feature's coefficients across
        classes as one group, ``ρ‖β_j‖₂ + (1−ρ)/2‖β_j‖²`` (glmnet's
        ``type.multinomial="grouped"``), so a feature is in or out for all classes.
    standardize : penalize the columns scaled to unit weighted (population)
        standard deviation; coefficients are returned on the original scale.
    tol : target relative duality gap ``(P − D)/P`` at every alpha (Poisson: P above
        its saturated floor, see ``Path.gap``).
    max_iter : maximum coordinate-descent epochs per alpha.

    Returns
    -------
    Path
    """
    X = V.check_design(X)
    n, p = X.shape
    loss_obj = get_loss(loss)
    w = V.check_sample_weight(sample_weight, n)
    if offset is not None:
        offset = _check_offset(offset, n, n_classes=0 if loss == "multinomial" else None)
    if grouped and loss != "multinomial":
        raise ValueError(f"grouped=True applies to loss='multinomial' only, got loss={loss!r}")
    if loss != "squared":
        return _glm_path(X, y, loss, w, offset, l1_ratio=l1_ratio, alphas=alphas,
                         n_alphas=n_alphas, alpha_min_ratio=alpha_min_ratio,
                         fit_intercept=fit_intercept, penalty_factor=penalty_factor,
                         positive=positive, standardize=standardize, grouped=grouped,
                         tol=tol, max_iter=max_iter)
    y = V.check_target(y, n)
    if offset is not None:
        y = y - offset
    design = make_design(X, w, bool(fit_intercept), bool(standardize))
    y_mean = float(w @ y) / n if fit_intercept else 0.0
    y_c = y - y_mean
    weighted = w > 0
    if fit_intercept and weighted.any() and np.max(np.abs(y_c[weighted])) <= \
            np.sqrt(CONSTANT_SPREAD) * np.max(np.abs(y[weighted])):
        # A constant y (its centred values are the rounding of its mean): the intercept
        # fits it, every alpha gives β = 0, and the grid is the one for y_c = 0.
        y_c = np.zeros(n)
    fitted = _path_on_design(design, y_c, y_mean, l1_ratio=l1_ratio, alphas=alphas,
                             n_alphas=n_alphas, alpha_min_ratio=alpha_min_ratio,
                             fit_intercept=fit_intercept, penalty_factor=penalty_factor,
                             positive=positive, tol=tol, max_iter=max_iter)
    fitted.has_offset = offset is not None
    return fitted


# _ridge_row_space: sample and basis limits (the basis is a dense (p, n) array; a sparse X
# is densified for it).
ROW_SPACE_MAX_ROWS = 2000
ROW_SPACE_MAX_ELEMENTS = 1 << 25


# Warm-up steps of a one-alpha squared-loss fit: glmnet's path density rather than the
# GLMs' coarser WARMUP_RATIO (0.6), since a squared-loss alpha costs a few epochs. The
# Lasso above: 1.99 s at 0.6, 1.00 s at 0.8, 0.74 s at 0.9, 0.72 s at 0.95.
SQUARED_WARMUP_RATIO = 0.9


def _alpha_max(g_null, v, usable, positive, l1_ratio, n):
    """The smallest alpha at which every penalized coefficient is 0 (0: none is penalized
    or y is fitted by the null model); ridge's is that of l1_ratio RIDGE_L1_RATIO_FOR_GRID."""
    rho = max(l1_ratio, RIDGE_L1_RATIO_FOR_GRID)
    pen = (v > 0) & usable
    score = g_null if positive else np.abs(g_null)
    return float(np.max(score[pen] / v[pen])) / (n * rho) if pen.any() else 0.0


def _default_alphas(g_null, v, usable, positive, l1_ratio, n, p, n_alphas, alpha_min_ratio):
    """The default grid from the gradient at the null fit (DESIGN §1)."""
    alpha_max = _alpha_max(g_null, v, usable, positive, l1_ratio, n)
    if not alpha_max > 0.0:
        # y is fitted exactly by the null model: every alpha gives β = 0 on
        # penalized features; any positive grid is as good as another.
        alpha_max = 1.0
    return alpha_grid(alpha_max, n, p, n_alphas, alpha_min_ratio)


def _warn_outside(alpha, smallest):
    warnings.warn(f"alpha={alpha:.6g} is below the smallest alpha of the path "
                  f"({smallest:.6g}): the coefficients there are used; fit a path that reaches "
                  "this alpha for its own solution", UserWarning, stacklevel=4)


def _warn_unconverged(alphas, gaps, n_iter, tol, max_iter):
    for alpha, gap, it in zip(alphas, gaps, n_iter):
        if gap > tol:
            # Imported here: scikit-learn's import costs more than a small fit.
            from sklearn.exceptions import ConvergenceWarning

            if it >= max_iter:
                advice = f"(max_iter={max_iter}); increase max_iter or tol"
            else:
                # The solver stopped short of max_iter: no step it could take lowered the
                # gap further (rounding level for this data), so more epochs cannot help.
                advice = (f"(max_iter={max_iter} not reached: the solver stalled at the "
                          "rounding level of this data, and more epochs cannot help); "
                          "raise tol")
            warnings.warn(
                f"path did not converge at alpha={alpha:.6g}: relative duality gap "
                f"{gap:.3e} > tol={tol:.1e} after {it} epochs {advice}", ConvergenceWarning,
                stacklevel=4)


def _warn_separable(alpha, gap, n_iter, reason, *, penalized):
    """The last fit of a GLM path met glmnet's rule with diverging coefficients
    (``newton.run_path``): name the problem and what was returned."""
    from sklearn.exceptions import ConvergenceWarning

    if penalized:
        what = (f"the path did not converge at alpha={alpha:.6g} (relative duality gap "
                f"{gap:.3e} after {n_iter} epochs): the coefficients grow without bound as "
                "alpha → 0 (C → ∞) and are too large to reach there; the last iterate is "
                "returned. Use a larger alpha (smaller C)")
    else:
        what = ("the unpenalized fit may have no finite optimum: its coefficients grow "
                "without bound when the classes are separable, and those returned are "
                f"where it stopped (relative duality gap {gap:.3e}, {n_iter} Newton steps). "
                "A penalty (alpha > 0, finite C) gives finite, stable coefficients")
    warnings.warn(f"(nearly) separable data: {what}. {reason[0].upper()}{reason[1:]}.",
                  ConvergenceWarning, stacklevel=4)


def sparse_if_mostly_zero(X):
    """``X`` as a CSC matrix when it is dense, has at least ``SPARSE_MIN_ENTRIES``
    entries and fewer than ``SPARSE_MAX_DENSITY`` of them are non-zero; else X itself."""
    if sp.issparse(X) or X.size < SPARSE_MIN_ENTRIES:
        return X
    if np.count_nonzero(X) < SPARSE_MAX_DENSITY * X.size:
        return sp.csc_matrix(X)
    return X


def _ridge_row_space(design, v, usable, l1_ratio, positive, n_classes):
    """A ridge problem on more penalized features than samples, in the row space of its
    design: ``(Z, lift_coef, lift_gradient)`` or None where that does not apply.

    With ``X̃ = X/(s·√v)`` (scaled columns, penalty factors folded in) the ridge penalty is
    ``½·l2·‖β̃‖²`` and the loss sees ``X̃β̃`` only, so the optimum lies in X̃'s row space:
    with ``X̃ᵀ = QR`` (Q: p × r orthonormal, r ≤ n), ``β̃ = Qγ`` gives the same problem on
    the (n, r) design ``Z = Rᵀ`` with the ridge ``½·l2·‖γ‖²``. Its objective, its dual (the
    penalty's conjugate sees ``‖X̃ᵀθ‖ = ‖Zᵀθ‖``) and so its certificate are those of the
    original problem at ``β = lift_coef(γ)``; ``lift_gradient`` maps Z's gradients to
    the features' (the default grid is the original problem's).

    Used for the multinomial loss (a (K·p)-dimensional model; the binomial and Poisson
    solvers have kernel Newton models instead): LogisticRegression() on a 150 × 8000
    gene-expression-like matrix with 3 classes took 20 s (scikit-learn 3.8 s).
    Applies with l1_ratio = 0, no ``positive``, every usable feature penalized, at most
    ROW_SPACE_MAX_ROWS samples, a (p, n) basis of at most ROW_SPACE_MAX_ELEMENTS, and a
    model too large for the solver's explicit Hessian (K·p > EXPLICIT_MAX_DIM; below, the
    solver's own exact models serve, on the features themselves).
    """
    n = design.n_samples
    cols = np.flatnonzero(usable)
    if (l1_ratio != 0.0 or positive or cols.size <= n or n > ROW_SPACE_MAX_ROWS
            or n_classes * cols.size <= EXPLICIT_MAX_DIM
            or cols.size * n > ROW_SPACE_MAX_ELEMENTS or not np.all(v[cols] > 0)):
        return None
    root = np.sqrt(v[cols])
    col_scale = design.scale[cols] * root
    Xt = design.X[:, cols]
    Xt = (Xt @ sp.diags(1.0 / col_scale)).T.toarray() if sp.issparse(Xt) else \
        (Xt / col_scale).T
    # X̃ᵀ = Q R (Q orthonormal to rounding, unlike eigenvectors of X̃X̃ᵀ for its small
    # eigenvalues): X̃ = RᵀQᵀ, β̃ = Qγ, X̃β̃ = Rᵀγ, ‖β̃‖ = ‖γ‖.
    Vb, R = np.linalg.qr(Xt)
    Z = np.ascontiguousarray(R.T)
    p = v.shape[0]

    def lift_coef(a):
        """Coefficients (…, r) of Z → (…, p) of the solver's scaled features."""
        out = np.zeros(a.shape[:-1] + (p,))
        out[..., cols] = (a @ Vb.T) / root
        return out

    def lift_gradient(G):
        """Gradients (r, K) of Z → (p, K) of the solver's scaled features."""
        out = np.zeros((p,) + G.shape[1:])
        out[cols] = (Vb @ G) * root[:, None]
        return out

    return Z, lift_coef, lift_gradient


def _glm_path(X, y, loss, w, offset, *, l1_ratio, alphas, n_alphas, alpha_min_ratio,
              fit_intercept, penalty_factor, positive, standardize, grouped, tol, max_iter):
    n, p = X.shape
    X = sparse_if_mostly_zero(X)
    loss_obj = get_loss(loss)
    y_enc, classes = loss_obj.check_target(y)
    if y_enc.shape[0] != n:
        raise ValueError(f"X and y have mismatched lengths: {n} samples in X, "
                         f"{y_enc.shape[0]} in y")
    loss_obj.check_weights(y_enc, w, classes)
    l1_ratio = V.check_l1_ratio(l1_ratio)
    v = V.check_penalty_factor(penalty_factor, p)
    tol = V.check_positive_float(tol, "tol")
    max_iter = V.check_positive_int(max_iter, "max_iter")
    n_alphas = V.check_positive_int(n_alphas, "n_alphas")
    if alphas is not None:
        alphas = V.check_alphas(alphas)
    design = make_design(X, w, bool(fit_intercept), bool(standardize), keep_gram=False)
    usable = design.hess > 0
    has_offset = offset is not None
    offset = np.zeros(n) if offset is None else offset

    def grid(g_null):
        return _default_alphas(g_null, v, usable, bool(positive), l1_ratio, n, p, n_alphas,
                               alpha_min_ratio)

    if loss == "multinomial":
        if offset.ndim == 1:
            offset = offset[:, None]     # a common shift of all classes
        else:
            offset = _check_offset(offset, n, n_classes=classes.size)
        basis = _ridge_row_space(design, v, usable, l1_ratio, positive, classes.size)
        if basis is None:
            out = multinomial_path(design.X, y_enc, w, offset, alphas, l1_ratio, v,
                                   bool(positive), bool(fit_intercept), design.scale, usable,
                                   tol, max_iter, grid, bool(grouped))
        else:
            Z, lift_coef, lift_gradient = basis
            r = Z.shape[1]
            out = multinomial_path(Z, y_enc, w, offset, alphas, 0.0, np.ones(r), False,
                                   bool(fit_intercept), np.ones(r), np.ones(r, dtype=bool),
                                   tol, max_iter, grid, bool(grouped), lift_gradient)
            out["coef"] = lift_coef(out["coef"])
    else:
        out = glm_path(design.X, y_enc, w, offset, loss_obj, alphas, l1_ratio, v,
                       bool(positive), bool(fit_intercept), design.scale, usable, tol,
                       max_iter, grid)
    alphas = out["alphas"]
    if out["stopped"] is not None:
        warnings.warn(f"path stopped early after {len(alphas)} alphas: {out['stopped']}",
                      UserWarning, stacklevel=3)
    gap = out["gap"]
    if out["separable"] is not None:
        _warn_separable(alphas[-1], gap[-1], out["n_iter"][-1], out["separable"],
                        penalized=out["penalized"])
        gap = gap[:-1]
    _warn_unconverged(alphas, gap, out["n_iter"], tol, max_iter)
    coef = out["coef"] / design.scale          # (k, p) or (k, K, p)
    null_dev = out["null_deviance"]
    dev = out["deviance"]
    dev_ratio = 1.0 - dev / null_dev if null_dev > 0 else np.zeros(len(alphas))
    return Path(alphas=alphas, coef=coef, intercept=out["intercept"], gap=out["gap"],
                n_iter=out["n_iter"], deviance_ratio=dev_ratio, objective=out["primal"] / n,
                l1_ratio=l1_ratio, fit_intercept=bool(fit_intercept), loss=loss,
                deviance=dev, null_deviance=null_dev, classes=classes, has_offset=has_offset,
                offset_per_class=has_offset and offset.shape[1:] not in ((), (1,)))


def path_from_gram(stats, *, l1_ratio=1.0, alphas=None, n_alphas=100,
                   alpha_min_ratio=None, fit_intercept=True, penalty_factor=None,
                   positive=False, standardize=False, tol=DEFAULT_TOL,
                   max_iter=DEFAULT_MAX_ITER):
    """:func:`path` from sufficient statistics (``design.GramStats``) instead of (X, y).

    The same problem and certificates as ``path(X, y, sample_weight=w)`` on the
    rows the statistics came from; used by cross-validation, where a training
    fold's statistics are the full data's minus the held-out block's.
    """
    design = GramDesign(stats, bool(fit_intercept), bool(standardize))
    return _path_on_design(design, None, design.y_mean, l1_ratio=l1_ratio, alphas=alphas,
                           n_alphas=n_alphas, alpha_min_ratio=alpha_min_ratio,
                           fit_intercept=fit_intercept, penalty_factor=penalty_factor,
                           positive=positive, tol=tol, max_iter=max_iter)


def alphas_from_gram(stats, *, l1_ratio=1.0, n_alphas=100, alpha_min_ratio=None,
                     fit_intercept=True, penalty_factor=None, positive=False, standardize=False):
    """The grid ``path_from_gram`` picks by default on these statistics, without the path.

    Cross-validation needs it before the full-data path, so that path and the fold
    paths can run side by side.
    """
    design = GramDesign(stats, bool(fit_intercept), bool(standardize))
    v = V.check_penalty_factor(penalty_factor, design.n_features)
    n_alphas = V.check_positive_int(n_alphas, "n_alphas")
    *_, alphas = _null_fit_and_grid(design, None, V.check_l1_ratio(l1_ratio), v,
                                    bool(positive), None, n_alphas, alpha_min_ratio)
    return alphas


def _null_fit_and_grid(design, y_c, l1_ratio, v, positive, alphas, n_alphas, alpha_min_ratio):
    """``(usable, g_null, null_rss, alphas)``: the usable columns, the gradient and RSS at
    the null fit, and ``alphas`` checked or (None) the default grid."""
    usable = design.hess > 0
    unpen = np.flatnonzero((v == 0) & usable)
    g_null, null_rss = _null_gradient(design, y_c, unpen)
    if alphas is None:
        alphas = _default_alphas(g_null, v, usable, positive, l1_ratio, design.n_samples,
                                 design.n_features, n_alphas, alpha_min_ratio)
    else:
        alphas = V.check_alphas(alphas)
    return usable, g_null, null_rss, alphas


def _null_gradient(design, y_c, unpen):
    """``X̃ᵀW r`` at the null fit, where the unpenalized features ``unpen`` are fitted."""
    if design.has_samples:
        r_null = y_c
        if unpen.size:
            Z = design.gather(unpen)
            sw = np.sqrt(design.w)
            coef_z, *_ = np.linalg.lstsq(Z, sw * y_c, rcond=None)
            r_null = y_c - (Z @ coef_z) / np.where(sw > 0, sw, 1.0)
        return design.xt_weighted(r_null), float(design.w @ (y_c * y_c))
    c, yy = design.target_problem()
    if not unpen.size:
        return c.copy(), yy
    G = design.gram()
    coef_z, *_ = np.linalg.lstsq(G[np.ix_(unpen, unpen)], c[unpen], rcond=None)
    return c - G[:, unpen] @ coef_z, yy


def _path_on_design(design, y_c, y_mean, *, l1_ratio, alphas, n_alphas, alpha_min_ratio,
                    fit_intercept, penalty_factor, positive, tol, max_iter):
    n, p = design.n_samples, design.n_features
    l1_ratio = V.check_l1_ratio(l1_ratio)
    v = V.check_penalty_factor(penalty_factor, p)
    tol = V.check_positive_float(tol, "tol")
    max_iter = V.check_positive_int(max_iter, "max_iter")
    n_alphas = V.check_positive_int(n_alphas, "n_alphas")
    positive = bool(positive)

    usable, g_null, null_rss, alphas = _null_fit_and_grid(
        design, y_c, l1_ratio, v, positive, alphas, n_alphas, alpha_min_ratio)

    if l1_ratio == 0.0 and not positive and np.all(v[usable] > 0):
        out = ridge_path(design, y_c, alphas, np.where(v > 0, v, 1.0), usable)
    else:
        # One alpha far below alpha_max (an estimator's fit) is reached along a short
        # unreported path, as the GLMs' (newton.warmup_alphas): from zero, the strong rule
        # admits nearly every feature at once and CD starts far from the solution (Lasso
        # on 200 × 10000 correlated columns at 0.01·alpha_max: 8.9 s cold, against 0.63 s
        # for the whole 100-alpha path).
        # Sparse X is left out: there each warm-up alpha costs a certifying pass over X,
        # which a cold start saves (Lasso without intercept on a 5000 × 20000 CSC matrix
        # at 0.01·alpha_max: 0.85 s cold, 1.69 s warmed up).
        warmups = np.empty(0)
        if alphas.shape[0] == 1 and not isinstance(design, SparseDesign):
            warmups = warmup_alphas(_alpha_max(g_null, v, usable, positive, l1_ratio, n),
                                    alphas[0], SQUARED_WARMUP_RATIO)
        out = enet_path_cd(design, y_c, np.concatenate([warmups, alphas]), l1_ratio, v,
                           positive, tol, max_iter, g_null)
        if warmups.size:
            # the reported point's epochs include the warm-up's (the work it took)
            epochs = int(out["n_iter"].sum())
            out = {key: val[warmups.size:] for key, val in out.items()}
            out["n_iter"] = np.array([epochs], dtype=out["n_iter"].dtype)
    # A sparse X whose implicit centring loses digits (design.certificate_floor) cannot
    # be certified below that loss, whatever the computed gap.
    out["gap"] = np.maximum(out["gap"], design.certificate_floor)
    _warn_unconverged(alphas, out["gap"], out["n_iter"], tol, max_iter)

    # (n_alphas, p) can be large and mostly zero (wide or sparse X): the
    # arithmetic below runs on the columns ever non-zero, in place elsewhere.
    coef = out["coef"]
    support = np.flatnonzero(coef.any(axis=0))
    B = coef[:, support]
    # rss = 2·(P − penalty) in sum scale
    pen_val = (alphas * n) * ((l1_ratio * np.abs(B) + 0.5 * (1.0 - l1_ratio) * B * B)
                              @ v[support])
    coef[:, support] = B / design.scale[support]       # back to the original scale
    intercept = (y_mean - coef @ design.mean) if fit_intercept else np.zeros(len(alphas))
    primal = out["primal"]
    rss = 2.0 * (primal - pen_val)
    dev_ratio = 1.0 - rss / null_rss if null_rss > 0 else np.zeros(len(alphas))
    return Path(alphas=alphas, coef=coef, intercept=intercept, gap=out["gap"],
                n_iter=out["n_iter"], deviance_ratio=dev_ratio, objective=primal / n,
                l1_ratio=l1_ratio, fit_intercept=bool(fit_intercept), deviance=rss,
                null_deviance=null_rss)
