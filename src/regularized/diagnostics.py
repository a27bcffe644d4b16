"""Diagnostics of regularization: the bias-variance decomposition by resampling.

:func:`bias_variance` estimates, at each alpha, the expected squared error on new data of a
model trained on ``m`` rows, and splits it into bias², variance and noise. The numbers come
from refitting on many resampled training sets and predicting rows that no fit ever saw;
training residuals play no part.

The decomposition (squared error of the mean response μ̂ — the prediction for gaussian, the
probability for binomial (the Brier score), the vector of class probabilities against the
one-hot class for multinomial (summed over classes), the expected count for Poisson)::

    E (y − μ̂_D(x))²  =  (E_D μ̂_D(x) − μ(x))²  +  Var_D μ̂_D(x)  +  Var(y | x)
       error              bias²                   variance          noise

averaged over test points x, where D is a training set of m rows from the population and
μ(x) = E(y | x).
"""
import numbers
import warnings

import numpy as np

__all__ = ["BiasVariance", "bias_variance"]

DEFAULT_N_ALPHAS = 30
# The OLS noise estimate needs this many residual degrees of freedom at least.
MIN_NOISE_DOF = 5
# A sparse X is densified for the least-squares noise estimate up to this many entries.
NOISE_DENSE_MAX_ENTRIES = 20_000_000


class BiasVariance:
    """The result of :func:`bias_variance` (per alpha unless said otherwise).

    Attributes
    ----------
    alphas : (n_alphas,) decreasing.
    error : expected test error of a model trained on ``n_train`` rows: mean over rounds and
        left-out rows of the squared error; ``error_se`` its standard error over rows.
    variance : variance of the prediction over training sets (finite-population corrected,
        see :func:`bias_variance`).
    noise : float, the noise variance ``Var(y | x)`` averaged over the scored rows
        (given, or estimated: see ``noise_method``; NaN when not separated).
    bias2 : ``error − variance − noise`` (NaN when the noise is unknown).
    bias2_plus_noise : ``error − variance``, always available.
    noise_method : how the noise was obtained.
    n_rounds, n_train, n_samples : resampling rounds, rows per training set, rows in all.
    n_points : rows scored (those left out of at least two rounds).
    response : what the squared error is measured on ("prediction", "probability",
        "class probabilities", "expected count").
    alpha_best : the alpha of lowest ``error``.
    """

    def __init__(self, **kw):
        self.__dict__.update(kw)

    @property
    def alpha_best(self):
        return float(self.alphas[int(np.argmin(self.error))])

    def as_dict(self):
        """Plain Python values (lists and floats), e.g. for JSON."""
        out = {}
        for key, value in self.__dict__.items():
            out[key] = value.tolist() if isinstance(value, np.ndarray) else value
        return out

    def __repr__(self):
        return (f"BiasVariance(n_alphas={len(self.alphas)}, n_rounds={self.n_rounds}, "
                f"n_train={self.n_train}, n_points={self.n_points}, noise={self.noise:.4g} "
                f"({self.noise_method}), alpha_best={self.alpha_best:.4g})")


def _model_spec(estimator, y):
    """(loss, path keyword arguments) for an estimator of regularized.estimators, or None."""
    from . import estimators as E

    def first(value):
        return float(np.atleast_1d(np.asarray(value, dtype=np.float64))[0])

    name = type(estimator).__name__
    if getattr(E, name, None) is not type(estimator):
        return None
    params = estimator.get_params(deep=False)
    if name in ("Lasso", "LassoCV"):
        ratio = 1.0
    elif name in ("Ridge", "RidgeCV"):
        ratio = 0.0
    elif name in ("LogisticRegressionCV",):
        ratio = getattr(estimator, "l1_ratio_", None)
        ratio = first(params["l1_ratios"]) if ratio is None else float(ratio)
    else:                                      # ElasticNet(CV), LogisticRegression, Poisson*
        ratio = getattr(estimator, "l1_ratio_", None)
        ratio = first(params["l1_ratio"]) if ratio is None else float(ratio)
    if name.startswith("Logistic"):
        loss = "logistic" if np.unique(y).size == 2 else "multinomial"
    elif name.startswith("Poisson"):
        loss = "poisson"
    else:
        loss = "squared"
    kw = {"l1_ratio": ratio, "fit_intercept": params.get("fit_intercept", True),
          "standardize": params.get("standardize", False),
          "penalty_factor": params.get("penalty_factor"),
          "positive": params.get("positive", False)}
    return loss, kw


def _count(size, n, name):
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        k = int(size)
    elif isinstance(size, numbers.Real) and 0.0 < size < 1.0:
        k = int(round(size * n))
    else:
        raise ValueError(f"{name} must be a fraction in (0, 1) or a row count, got {size!r}")
    if not 1 <= k < n:
        raise ValueError(f"{name}={size!r} leaves {k} of {n} rows; it must leave at least one "
                         "on each side")
    return k


def _subsample(pool, m, stratify, rng):
    if stratify is None:
        return np.sort(rng.choice(pool, m, replace=False))
    labels = stratify[pool]
    chosen = []
    classes = np.unique(labels)
    for cls in classes:
        rows = pool[labels == cls]
        k = max(1, int(round(m * len(rows) / len(pool))))
        chosen.append(rng.choice(rows, min(k, len(rows)), replace=False))
    return np.sort(np.concatenate(chosen))


def _encode_response(y, loss, classes):
    """y as the squared error sees it: as is, 0/1, or one-hot (n, K)."""
    if loss == "logistic":
        return (y == classes[1]).astype(np.float64)
    if loss == "multinomial":
        return (y[:, None] == classes[None, :]).astype(np.float64)
    if loss == "classifier":
        return (y[:, None] == classes[None, :]).astype(np.float64)
    return np.asarray(y, dtype=np.float64)


def _path_predictions(X_train, y_train, X_test, alphas, loss, kw, tol):
    """Mean responses (n_test, n_alphas[, K]) of a path fitted at ``alphas``."""
    from .path import path

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = path(X_train, y_train, loss=loss, alphas=alphas, tol=tol, **kw)
    pred = fit.predict(X_test, kind="response")
    if loss == "multinomial":                                   # (n, K, k) -> (n, k, K)
        pred = np.moveaxis(pred, 1, 2)
    k = pred.shape[1]
    if k < len(alphas):
        # A classification path stops early on separable data: the smaller alphas keep
        # its last fit (the coefficients would only grow toward infinity).
        pad = np.repeat(pred[:, -1:], len(alphas) - k, axis=1)
        pred = np.concatenate([pred, pad], axis=1)
    return pred


def _generic_predictions(estimator, X_train, y_train, X_test, alphas, classifier):
    from sklearn.base import clone

    out = []
    for a in alphas:
        est = clone(estimator).set_params(alpha=a)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X_train, y_train)
        out.append(est.predict_proba(X_test) if classifier else est.predict(X_test))
    return np.stack(out, axis=1)


def _noise_auto(loss, X_pool, y_pool, X_test, alphas, kw, tol, spec_known):
    """(noise, method): the OLS residual variance (squared loss) or the mean ``Var(y|x)``
    at the rows ``X_test`` under the least-penalized fit on all rows (GLMs)."""
    if loss == "squared":
        N = X_pool.shape[0]
        if hasattr(X_pool, "toarray"):                  # scipy sparse
            if N * (X_pool.shape[1] + 1) > NOISE_DENSE_MAX_ENTRIES:
                return np.nan, ("not separated: X is too large for the least-squares noise "
                                "estimate; give noise_variance")
            X_pool = X_pool.toarray()
        A = np.column_stack([np.ones(N), X_pool])
        coef, _, rank, _ = np.linalg.lstsq(A, y_pool, rcond=None)
        dof = N - rank
        if dof < MIN_NOISE_DOF:
            return np.nan, ("not separated: too few rows for the least-squares noise "
                            f"estimate ({N} rows, {rank} parameters)")
        rss = float(np.sum((y_pool - A @ coef) ** 2))
        return rss / dof, (f"estimated: residual variance of least squares on all "
                           f"{N} rows, RSS/(n − {rank})")
    if not spec_known:
        return np.nan, "not separated: give noise_variance to split bias² from noise"
    mu = _path_predictions(X_pool, y_pool, X_test, alphas[-1:], loss, kw, tol)[:, 0]
    if loss == "logistic":
        noise = float(np.mean(mu * (1.0 - mu)))
    elif loss == "multinomial":
        noise = float(np.mean(np.sum(mu * (1.0 - mu), axis=1)))
    else:                                                       # poisson: Var = mean
        noise = float(np.mean(mu))
    return noise, (f"estimated: mean Var(y|x) under the fit at the "
                   f"smallest alpha ({alphas[-1]:.3g}) on all rows")


def bias_variance(estimator, X, y, alphas=None, *, n_rounds=50, train_size=0.5,
                  noise_variance="auto", random_state=None, tol=1e-5, progress=None):
    """Expected test error split into bias², variance and noise, against alpha.

    Procedure (honest: every prediction scored is of a row the fit did not see):

    1. Each of ``n_rounds`` rounds draws a training set of ``m = train_size·n`` rows without
       replacement (stratified by class for classifiers), fits the model at every alpha
       (one path fit for the estimators of :mod:`regularized.estimators`; a refit per alpha
       of ``estimator.set_params(alpha=a)`` for any other estimator) and predicts the
       ``n − m`` rows it left out.
    2. Each row i is thus predicted by the rounds that left it out (about
       ``(1 − train_size)·n_rounds`` of them; rows left out fewer than twice are skipped):
       training sets that are random samples of m of the other rows. ``error`` is the
       squared error of those predictions averaged over rounds and rows: an unbiased
       estimate of the expected test error of the model trained on m rows.
    3. ``variance`` is the variance of a row's predictions over its rounds (ddof=1),
       averaged over rows, divided by the finite-population correction
       ``1 − m/(n − 1)``: training sets drawn from one data set overlap, and their spread
       understates the spread over independent training sets by that factor (exact for
       estimators that are averages over rows, first-order accurate for smooth ones).
    4. ``noise`` is ``Var(y|x)``: ``noise_variance`` when known (synthetic data); with
       ``"auto"`` it is estimated — for squared loss by the residual variance of the
       unpenalized least-squares fit on all rows, ``RSS/(n − rank)`` (unbiased when the
       linear model holds; when the true mean is not linear in these features it also
       absorbs the linear model's approximation error, so bias² is then understated); for
       the GLMs by ``μ(1 − μ)`` (binomial; summed over classes for multinomial) or ``μ``
       (Poisson) under the least-penalized fit on all rows, capped at the smallest
       ``error − variance`` over the alphas (that reference is still penalized, which pulls
       its probabilities toward the mean and overstates the noise; bias² ≥ 0 bounds it);
       for other estimators it is left unknown. ``None`` never separates it.
    5. ``bias2 = error − variance − noise``: the rest, so the three parts add up to the error
       exactly. Its sampling error is that of the error and noise estimates (they share the
       rows, so much of it cancels); it can come out slightly negative where the model is
       nearly unbiased. With unknown noise it is NaN and ``bias2_plus_noise`` holds
       ``error − variance``.

    Parameters
    ----------
    estimator : an estimator of :mod:`regularized.estimators` (its loss, l1_ratio, intercept,
        standardization and penalty factors are used; CV estimators use their chosen
        l1_ratio) or any scikit-learn estimator with an ``alpha`` parameter.
    X : (n, p) array (or DataFrame of numbers).  y : (n,) target.
    alphas : penalty strengths on the path scale of DESIGN §1 (the ``alpha`` of ``Lasso``,
        ``ElasticNet``, ``PoissonRegressor`` and of ``regularized.path``; ``Ridge``'s alpha
        is ``α·n``; ``LogisticRegression``'s ``C`` is ``1/(α·n)``), or for other estimators
        their ``alpha``. None: the fitted CV estimator's grid (every third point), or 30
        alphas of the default grid on all the data.
    n_rounds : resampled training sets (≥ 2).
    train_size : fraction (or count) of the rows in each training set.
    noise_variance : float (known), "auto" or None (see above).
    random_state : seed of the draws.
    tol : duality-gap tolerance of the path fits.
    progress : optional callable ``progress(done, total)`` called after each round.

    Returns
    -------
    BiasVariance
    """
    X = np.asarray(X, dtype=np.float64) if not hasattr(X, "tocsc") else X
    y = np.asarray(y)
    n = X.shape[0]
    if y.shape[0] != n:
        raise ValueError(f"X has {n} rows but y has {y.shape[0]}")
    n_rounds = int(n_rounds)
    if n_rounds < 2:
        raise ValueError(f"n_rounds must be at least 2, got {n_rounds}")
    rng = np.random.default_rng(random_state)
    spec = _model_spec(estimator, y)
    classifier = spec[0] in ("logistic", "multinomial") if spec else \
        hasattr(estimator, "predict_proba")
    loss, kw = spec if spec else ("classifier" if classifier else "regressor", None)
    classes = np.unique(y) if classifier else None

    if alphas is None:
        alphas = _default_alphas(estimator, X, y, spec)
    alphas = np.sort(np.asarray(alphas, dtype=np.float64).ravel())[::-1]
    if alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas <= 0):
        raise ValueError("alphas must be finite and positive")
    m = _count(train_size, n, "train_size")
    if m < 2:
        raise ValueError("each training set needs at least 2 rows")
    Y = _encode_response(y, loss, classes)
    everyone = np.arange(n)
    stratify = y if classifier else None

    # Running mean and sum of squared deviations of each row's held-out predictions.
    count = np.zeros(n)
    mean = sumsq = None
    m_sum = 0
    for r in range(n_rounds):
        rows = _subsample(everyone, m, stratify, rng)
        m_sum += rows.size
        out = np.setdiff1d(everyone, rows, assume_unique=True)
        if spec:
            pred = _path_predictions(X[rows], y[rows], X[out], alphas, loss, kw, tol)
        else:
            pred = _generic_predictions(estimator, X[rows], y[rows], X[out], alphas,
                                        classifier)
        if mean is None:
            mean = np.zeros((n,) + pred.shape[1:])
            sumsq = np.zeros_like(mean)
        count[out] += 1
        c = count[out].reshape((-1,) + (1,) * (pred.ndim - 1))
        delta = pred - mean[out]
        mean[out] += delta / c
        sumsq[out] += delta * (pred - mean[out])
        if progress is not None:
            progress(r + 1, n_rounds)
    used = count >= 2
    if used.sum() < 2:
        raise ValueError("too few rows were left out twice; raise n_rounds or lower "
                         "train_size")
    c = count[used].reshape((-1,) + (1,) * (mean.ndim - 1))
    Yb = Y[used][:, None] if Y.ndim == 1 else Y[used][:, None, :]
    per_point = (mean[used] - Yb) ** 2 + sumsq[used] / c       # mean squared error per row
    spread = sumsq[used] / (c - 1)
    if per_point.ndim == 3:
        per_point = per_point.sum(axis=2)
        spread = spread.sum(axis=2)
    n_points = int(used.sum())
    error = per_point.mean(axis=0)
    error_se = per_point.std(axis=0, ddof=1) / np.sqrt(n_points)
    m_eff = m_sum / n_rounds              # stratified draws may round m by a row or two
    fpc = 1.0 - m_eff / (n - 1)
    variance = spread.mean(axis=0) / fpc

    if noise_variance is None:
        noise, method = np.nan, "not separated (noise_variance=None)"
    elif isinstance(noise_variance, str):
        if noise_variance != "auto":
            raise ValueError(f"noise_variance must be a number, 'auto' or None, got "
                             f"{noise_variance!r}")
        if spec is None and not classifier:
            noise, method = _noise_auto("squared", X, y.astype(np.float64), X[used],
                                        alphas, kw, tol, False)
        else:
            noise, method = _noise_auto(loss if spec else "classifier", X, y, X[used],
                                        alphas, kw, tol, spec is not None)
    else:
        noise = float(noise_variance)
        if not np.isfinite(noise) or noise < 0:
            raise ValueError(f"noise_variance must be ≥ 0, got {noise_variance!r}")
        method = "given"
    bias2_plus_noise = error - variance
    if method.startswith("estimated: mean Var(y|x)") and noise > bias2_plus_noise.min():
        # The reference is penalized: its probabilities are pulled toward the mean, which
        # overstates Var(y|x). bias² ≥ 0 bounds the noise by error − variance at every alpha.
        noise = float(bias2_plus_noise.min())
        method += "; capped at the smallest error − variance over the alphas (bias² ≥ 0)"
    bias2 = bias2_plus_noise - noise
    response = {"squared": "prediction", "regressor": "prediction",
                "logistic": "probability", "multinomial": "class probabilities",
                "classifier": "class probabilities", "poisson": "expected count"}[loss]
    return BiasVariance(alphas=alphas, error=error, error_se=error_se, variance=variance,
                        noise=float(noise), bias2=bias2, bias2_plus_noise=bias2_plus_noise,
                        noise_method=method, n_rounds=n_rounds, n_train=int(round(m_eff)),
                        n_samples=int(n), n_points=n_points, response=response, loss=loss)


def _default_alphas(estimator, X, y, spec):
    cvp = getattr(estimator, "cv_path_", None)
    if cvp is not None:
        return np.asarray(cvp.alphas)[::3]
    if spec is None:
        raise ValueError("give alphas for an estimator outside regularized.estimators")
    from .path import path

    loss, kw = spec
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = path(X, y, loss=loss, n_alphas=DEFAULT_N_ALPHAS, tol=1e-4, **kw)
    return fit.alphas
