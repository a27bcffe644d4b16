"""Plots that show what regularization does.

- :func:`plot_path`: coefficients against alpha (or the L1 norm, or the deviance explained),
  the largest labelled by name, non-zero counts on the top axis (glmnet's ``plot``).
- :func:`plot_cv`: the mean CV error ± one standard error per alpha, ``alpha_min`` and
  ``alpha_1se`` marked (glmnet's ``plot.cv.glmnet``).
- :func:`plot_bias_variance`: the expected test error split into bias², variance and noise
  (from :func:`regularized.diagnostics.bias_variance`).
- :func:`plot_sparsity`: non-zero coefficients against alpha for L1, elastic net and L2.
- :func:`plot_coefficients`: a fitted model's coefficients, sorted, with names.
- :func:`plot_learning_curves`: training and validation loss of networks per epoch.

Each takes ``ax=`` (a matplotlib Axes to draw into; a new figure otherwise) and returns the
Axes it drew on. Alpha axes are logarithmic and run from strong penalty (left) to weak
(right), as the path is computed.

matplotlib is an optional dependency (``regularized[plot]``): it is imported inside each
function, so importing this module costs nothing without it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["plot_bias_variance", "plot_coefficients", "plot_cv", "plot_learning_curves",
           "plot_path", "plot_sparsity"]

# Parameters worth naming in a default panel title, with the values that mean "off".
_REGULARIZATION_PARAMETERS = (
    ("alpha", 0.0), ("l1_ratio", None), ("weight_decay", 0.0), ("dropout", 0.0),
    ("early_stopping", False),
)


def _history_of(model) -> Mapping:
    """The per-epoch history of a fitted network, or the mapping itself."""
    if isinstance(model, Mapping):
        history = model
    else:
        history = getattr(model, "history_", None)
        if history is None:
            raise ValueError(
                f"{type(model).__name__} has no history_: pass fitted networks (e.g. "
                "regularized.nn.MLPRegressor after fit) or mappings with a 'train_loss' list"
            )
    if "train_loss" not in history:
        raise ValueError("a history needs a 'train_loss' entry (one value per epoch)")
    return history


def _best_epoch_of(model, history: Mapping):
    if isinstance(model, Mapping):
        return history.get("best_epoch")
    return getattr(model, "best_epoch_", None)


def _default_label(model, index: int) -> str:
    """Name a network by its regularization settings, e.g. "alpha=0.01, dropout=0.5"."""
    get_params = getattr(model, "get_params", None)
    if get_params is None:
        return f"model {index + 1}"
    parameters = get_params()
    parts = []
    for name, off in _REGULARIZATION_PARAMETERS:
        if name not in parameters:
            continue
        value = parameters[name]
        if name == "l1_ratio":  # only meaningful when there is a penalty
            if parameters.get("alpha", 0) and value:
                parts.append(f"l1_ratio={value:g}")
        elif name == "early_stopping":
            if value:
                parts.append("early stopping")
        elif isinstance(value, (int, float)) and value != off:
            parts.append(f"{name}={value:g}")
        elif not isinstance(value, (int, float)) and any(rate != off for rate in value):
            parts.append(f"{name}={tuple(value)}")
    return ", ".join(parts) if parts else "no regularization"


def plot_learning_curves(models, *, labels=None, ax=None, logy: bool = False,
                         sharey: bool = True, show_best: bool = True):
    """Training and validation loss per epoch of several fitted networks, side by side.

    One panel per network: its ``history_["train_loss"]`` (mean loss over each epoch's
    mini-batches, dropout active) and, when it held out a validation set,
    ``history_["validation_loss"]`` (eval mode), against the epoch number (1, 2, …). With
    early stopping, a dotted vertical line marks the restored epoch (``best_epoch_``).

    Parameters
    ----------
    models : fitted network, mapping, or a sequence or mapping of them
        Networks with a ``history_`` (``regularized.nn.MLPRegressor``/``MLPClassifier``),
        or history mappings such as ``{"train_loss": [...], "validation_loss": [...],
        "best_epoch": 12}`` from your own loop. A mapping *of* models (``{"L2": model,
        ...}``) takes its keys as labels; a history mapping is recognised by its
        ``"train_loss"`` key.
    labels : sequence of str, optional
        Panel titles. By default a network is named by its regularization settings
        ("alpha=0.01, dropout=0.5", "no regularization").
    ax : matplotlib Axes or sequence of Axes, optional
        One Axes per model. By default a new figure with one row of panels is made.
    logy : bool, default False
        Logarithmic loss axis.
    sharey : bool, default True
        When making the figure, share the loss axis so the panels compare directly.
    show_best : bool, default True
        Mark the restored epoch of early-stopped networks.

    Returns
    -------
    matplotlib Axes when one model was given on its own, else an ndarray of Axes (one per
    model, in order).
    """
    single = not isinstance(models, (Sequence, Mapping, np.ndarray)) or (
        isinstance(models, Mapping) and "train_loss" in models)
    if single:
        models = [models]
    elif isinstance(models, Mapping):
        if labels is None:
            labels = [str(key) for key in models]
        models = list(models.values())
    else:
        models = list(models)
    if not models:
        raise ValueError("plot_learning_curves needs at least one model")
    histories = [_history_of(model) for model in models]
    if labels is None:
        labels = [_default_label(model, index) for index, model in enumerate(models)]
    labels = list(labels)
    if len(labels) != len(models):
        raise ValueError(f"got {len(labels)} labels for {len(models)} models")

    import matplotlib.pyplot as plt

    if ax is None:
        figure, axes = plt.subplots(1, len(models), figsize=(4.0 * len(models), 3.2),
                                    sharey=sharey, squeeze=False, layout="constrained")
        axes = axes[0]
    else:
        axes = np.atleast_1d(np.asarray(ax, dtype=object)).ravel()
        if len(axes) != len(models):
            raise ValueError(f"got {len(axes)} Axes for {len(models)} models")

    for panel, model, history, label in zip(axes, models, histories, labels):
        train = np.asarray(history["train_loss"], dtype=float)
        panel.plot(np.arange(1, len(train) + 1), train, label="train", color="C0")
        validation = np.asarray(history.get("validation_loss") or [], dtype=float)
        if len(validation):
            panel.plot(np.arange(1, len(validation) + 1), validation, label="validation",
                       color="C1")
        best_epoch = _best_epoch_of(model, history)
        if show_best and best_epoch is not None:
            panel.axvline(best_epoch, color="0.4", linestyle=":", linewidth=1,
                          label=f"best epoch ({best_epoch})")
        if logy:
            panel.set_yscale("log")
        panel.set_title(label, fontsize="medium")
        panel.set_xlabel("epoch")
        panel.legend(fontsize="small")
    axes[0].set_ylabel("loss")
    return axes[0] if single else np.asarray(axes, dtype=object)


# ---------------------------------------------------------------------------------------
# linear models: paths, cross-validation, bias-variance, sparsity, coefficients
# ---------------------------------------------------------------------------------------
_FAMILY_OF_LOSS = {"squared": "gaussian", "logistic": "binomial",
                   "multinomial": "multinomial", "poisson": "poisson"}
_ALPHA_LABEL = "alpha (log scale; weaker penalty →)"


def _new_axes(ax, figsize=(6.4, 4.2)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _is_path(obj):
    return all(hasattr(obj, a) for a in ("alphas", "coef", "n_nonzero", "deviance_ratio"))


def _is_cv(obj):
    return hasattr(obj, "cvm") and hasattr(obj, "cvsd") and hasattr(obj, "path")


def _unwrap(obj):
    """(path, cv or None, feature names or None) from a Path, a CVPath, a fitted CV
    estimator or a regularized.io.Model."""
    names = None
    if hasattr(obj, "estimator") and hasattr(obj, "preprocessor"):       # io.Model
        names = list(obj.feature_names)
        obj = obj.estimator
    if hasattr(obj, "feature_names_in_"):
        names = [str(n) for n in obj.feature_names_in_]
    if _is_cv(obj):
        return obj.path, obj, names
    if _is_path(obj):
        return obj, None, names
    cv = getattr(obj, "cv_path_", None)
    if cv is not None and _is_cv(cv):
        return cv.path, cv, names
    fitted = getattr(obj, "path_", None)
    if fitted is not None and _is_path(fitted):
        if len(fitted.alphas) < 2:
            raise ValueError(f"this {type(obj).__name__} was fitted at one alpha; plot the "
                             "path of regularized.path(X, y, ...) or of a CV estimator")
        return fitted, None, names
    raise ValueError(f"cannot plot a {type(obj).__name__}: pass a regularized Path, a "
                     "CVPath, a fitted CV estimator or a regularized.io.Model")


def _check_names(names, p):
    if names is None:
        return [f"x{j}" for j in range(p)]
    names = [str(n) for n in names]
    if len(names) != p:
        raise ValueError(f"got {len(names)} feature names for {p} features")
    return names


def _count_axis(ax, x, counts, n_ticks=7, log=False):
    """Non-zero counts at a few points of ``x`` on a top axis sharing the bottom one; the
    points are picked evenly along the axis (in log scale when ``log``)."""
    x = np.asarray(x, dtype=float)
    counts = np.asarray(counts)
    where = np.log(x) if log else x
    targets = np.linspace(where.min(), where.max(), n_ticks)
    pick = np.unique([int(np.argmin(np.abs(where - t))) for t in targets])
    from matplotlib.ticker import NullLocator

    top = ax.secondary_xaxis("top")
    top.set_xticks(x[pick], labels=[str(int(c)) for c in counts[pick]])
    top.xaxis.set_minor_locator(NullLocator())
    top.tick_params(labelsize="small")
    top.set_xlabel("non-zero coefficients", fontsize="small")
    return top


def _spread(values, gap):
    """Label positions near ``values`` at least ``gap`` apart (same order)."""
    order = np.argsort(values)
    placed = np.asarray(values, dtype=float)[order].copy()
    for i in range(1, len(placed)):
        placed[i] = max(placed[i], placed[i - 1] + gap)
    shift = (placed - np.asarray(values)[order]).mean()
    placed -= max(shift, 0.0) / 2
    out = np.empty_like(placed)
    out[order] = placed
    return out


def plot_path(fit, *, xvar="alpha", feature_names=None, top_k=8, class_index=None,
              standardized=False, scale=None, mark_selected=True, ax=None, title=None):
    """Coefficients along the regularization path (glmnet's ``plot(fit)``).

    Parameters
    ----------
    fit : a ``regularized.Path``, a ``CVPath``, a fitted CV estimator (its ``cv_path_``) or a
        ``regularized.io.Model``.
    xvar : "alpha" (log scale, strong penalty on the left), "l1_norm" (the coefficients'
        L1 norm) or "deviance" (fraction of deviance explained).
    feature_names : names of the features (default: the estimator's or model's, else x0, …).
    top_k : label this many features, the largest in absolute value at the weakest penalty.
    class_index : multinomial paths: the class to draw; None draws each feature's L2 norm
        over the classes.
    standardized : draw coefficient × feature standard deviation (``scale``, or a Model's
        ``feature_scale``), so features on different scales compare.
    mark_selected : draw ``alpha_min`` and ``alpha_1se`` when cross-validation is known.

    Returns
    -------
    matplotlib Axes. The top axis (``ax.child_axes[0]``) shows the non-zero counts.
    """
    path, cv, names = _unwrap(fit)
    coef = np.asarray(path.coef, dtype=float)
    p = coef.shape[-1]
    names = _check_names(feature_names if feature_names is not None else names, p)
    ylabel = "coefficient"
    if standardized:
        if scale is None:
            scale = getattr(fit, "feature_scale", None)
        if scale is None:
            raise ValueError("standardized=True needs the features' scale (scale=...)")
        scale = np.asarray(scale, dtype=float)
        if scale.shape != (p,):
            raise ValueError(f"scale must have {p} entries")
        coef = coef * scale
        ylabel = "coefficient × feature s.d."
    if coef.ndim == 3:
        classes = list(path.classes) if getattr(path, "classes", None) is not None else \
            list(range(coef.shape[1]))
        if class_index is None:
            coef = np.sqrt((coef ** 2).sum(axis=1))
            ylabel += " (norm over classes)"
        else:
            coef = coef[:, class_index, :]
            ylabel += f" (class {classes[class_index]})"
    alphas = np.asarray(path.alphas, dtype=float)
    counts = np.asarray(path.n_nonzero)
    if xvar == "alpha" and np.any(alphas <= 0.0):
        # An unpenalized end point (alpha 0) has no place on the log axis.
        keep = alphas > 0.0
        alphas, coef, counts = alphas[keep], coef[keep], counts[keep]
    if xvar == "alpha":
        x, xlabel = alphas, _ALPHA_LABEL
    elif xvar == "l1_norm":
        x, xlabel = np.abs(coef).sum(axis=1), "L1 norm of the coefficients"
    elif xvar == "deviance":
        x, xlabel = np.asarray(path.deviance_ratio, dtype=float), "fraction of deviance explained"
    else:
        raise ValueError(f"xvar must be 'alpha', 'l1_norm' or 'deviance', got {xvar!r}")

    ax = _new_axes(ax)
    active = np.flatnonzero(np.any(coef != 0, axis=0))
    if len(active) <= 10:
        colors = [f"C{k}" for k in range(len(active))]
    else:                                  # 20 distinct colours before any repeats
        import matplotlib

        palette = matplotlib.colormaps["tab20"].colors
        colors = [palette[(2 * k) % 20 + (2 * k) // 20 % 2] for k in range(len(active))]
    for color, j in zip(colors, active):
        ax.plot(x, coef[:, j], color=color, linewidth=1.2)
    ax.axhline(0.0, color="0.6", linewidth=0.8, zorder=0)
    if xvar == "alpha":
        ax.set_xscale("log")
        ax.set_xlim(alphas.max(), alphas.min())
    if top_k and active.size:
        from matplotlib.transforms import blended_transform_factory

        end = coef[-1, active]
        ranked = np.argsort(-np.abs(end))[:top_k]
        ylo, yhi = ax.get_ylim()
        ys = _spread(end[ranked], 0.05 * (yhi - ylo))
        at_right = blended_transform_factory(ax.transAxes, ax.transData)
        for y_text, r in zip(ys, ranked):
            ax.text(1.01, y_text, names[active[r]], transform=at_right, fontsize="x-small",
                    va="center", ha="left", color=colors[r], clip_on=False)
    if mark_selected and cv is not None:
        for index, style, name in ((cv.index_min, "--", "alpha_min"),
                                   (cv.index_1se, ":", "alpha_1se")):
            if np.ndim(index):                 # relaxed CV: (gamma, alpha)
                index = index[-1]
            if index >= len(x):                # a path that stopped early
                continue
            ax.axvline(x[index], color="0.3", linestyle=style, linewidth=1,
                       label=f"{name} = {alphas[index]:.3g}")
        ax.legend(fontsize="x-small", loc="upper left")
    _count_axis(ax, x, counts, log=xvar == "alpha")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize="medium")
    return ax


def plot_cv(cv, *, ax=None, title=None, show_counts=True):
    """Mean cross-validated error ± one standard error against alpha (glmnet's
    ``plot.cv.glmnet``), with ``alpha_min`` (lowest mean) and ``alpha_1se`` (largest alpha
    within one standard error of it) marked.

    Parameters
    ----------
    cv : a ``CVPath`` (``regularized.cv.cv_path``), a fitted CV estimator or a
        ``regularized.io.Model`` of one. For a relaxed CV the curve of ``gamma_min`` is drawn.

    Returns
    -------
    matplotlib Axes (the top axis shows the non-zero counts of the full-data path).
    """
    from .io import score_name

    _, cv, _ = _unwrap(cv)
    if cv is None:
        raise ValueError("plot_cv needs cross-validation results: a CVPath or a fitted CV "
                         "estimator")
    if hasattr(cv, "gammas"):
        cv = cv.cv_for_gamma(cv.gamma_min)
    alphas = np.asarray(cv.alphas, dtype=float)
    cvm = np.asarray(cv.cvm, dtype=float)
    cvsd = np.asarray(cv.cvsd, dtype=float)
    ax = _new_axes(ax)
    # An unpenalized point (alpha 0: C = inf in LogisticRegressionCV) has no place on the
    # log axis: its score is drawn as a level instead.
    free = alphas <= 0.0
    if np.any(free):
        i = int(np.flatnonzero(free)[0])
        ax.axhline(cvm[i], color="C0", linestyle="-.", linewidth=1,
                   label=f"unpenalized fit: {cvm[i]:.4g} ± {cvsd[i]:.2g}")
        alphas, cvm, cvsd = alphas[~free], cvm[~free], cvsd[~free]
    ax.errorbar(alphas, cvm, yerr=cvsd, fmt="o", color="C3", markersize=3, ecolor="0.6",
                elinewidth=0.8, capsize=1.5, label="mean ± 1 s.e. over folds")
    ax.axvline(cv.alpha_min, color="0.2", linestyle="--", linewidth=1,
               label=f"alpha_min = {cv.alpha_min:.3g}")
    ax.axvline(cv.alpha_1se, color="0.2", linestyle=":", linewidth=1,
               label=f"alpha_1se = {cv.alpha_1se:.3g}")
    ax.axhline(np.asarray(cv.cvm)[cv.index_min] + np.asarray(cv.cvsd)[cv.index_min],
               color="0.75", linewidth=0.8, zorder=0)
    ax.set_xscale("log")
    ax.set_xlim(alphas.max() * 1.15, alphas.min() / 1.15)
    if show_counts:
        k = min(len(alphas), len(cv.path.n_nonzero))       # a path may stop early
        if k:
            _count_axis(ax, alphas[:k], cv.path.n_nonzero[:k], log=True)
    family = _FAMILY_OF_LOSS.get(getattr(cv, "loss", "squared"))
    ax.set_ylabel(f"CV {score_name(cv.scoring, family)} ({cv.n_folds} folds)")
    ax.set_xlabel(_ALPHA_LABEL)
    ax.legend(fontsize="x-small")
    if title:
        ax.set_title(title, fontsize="medium")
    return ax


def plot_bias_variance(result, *, ax=None, title=None, show_se=True):
    """The expected test error and its parts — bias², variance, noise — against alpha.

    Parameters
    ----------
    result : a ``BiasVariance`` from :func:`regularized.diagnostics.bias_variance`. When
        its noise is unknown, "bias² + noise" is drawn instead of bias².
    show_se : shade ± one standard error of the test error.

    Returns
    -------
    matplotlib Axes.
    """
    if not all(hasattr(result, a) for a in ("alphas", "error", "variance", "bias2")):
        raise ValueError("plot_bias_variance needs the result of "
                         "regularized.diagnostics.bias_variance")
    a = np.asarray(result.alphas, dtype=float)
    ax = _new_axes(ax)
    error = np.asarray(result.error, dtype=float)
    ax.plot(a, error, color="k", linewidth=2, label="expected test error")
    if show_se and getattr(result, "error_se", None) is not None:
        se = np.asarray(result.error_se, dtype=float)
        ax.fill_between(a, error - se, error + se, color="k", alpha=0.12, linewidth=0)
    if np.isfinite(result.noise):
        ax.plot(a, result.bias2, color="C0", linewidth=1.6, label="bias²")
        ax.axhline(result.noise, color="C2", linestyle="--", linewidth=1.2,
                   label=f"noise ({result.noise:.3g})")
    else:
        ax.plot(a, result.bias2_plus_noise, color="C0", linewidth=1.6, label="bias² + noise")
    ax.plot(a, result.variance, color="C1", linewidth=1.6, label="variance")
    best = int(np.argmin(error))
    ax.axvline(a[best], color="0.3", linestyle=":", linewidth=1,
               label=f"lowest error at alpha = {a[best]:.3g}")
    ax.set_xscale("log")
    ax.set_xlim(a.max(), a.min())
    ax.set_xlabel(_ALPHA_LABEL)
    response = getattr(result, "response", "prediction")
    ax.set_ylabel(f"squared error of the {response}")
    ax.legend(fontsize="x-small")
    if title:
        ax.set_title(title, fontsize="medium")
    return ax


def _sparsity_label(l1_ratio):
    if l1_ratio == 1.0:
        return "L1 (lasso)"
    if l1_ratio == 0.0:
        return "L2 (ridge)"
    return f"elastic net (l1_ratio={l1_ratio:g})"


def plot_sparsity(paths, y=None, *, l1_ratios=(1.0, 0.5, 0.0), loss="squared",
                  standardize=True, n_alphas=60, ax=None, title=None):
    """Non-zero coefficients against alpha for L1, elastic net and L2, side by side.

    Parameters
    ----------
    paths : a mapping ``{label: Path or CVPath or fitted CV estimator}``, or the design X
        (then ``y`` is needed and one path per ``l1_ratios`` is fitted with ``loss`` and
        ``standardize``; the ridge grid spans the same small alphas as the lasso's).

    Returns
    -------
    matplotlib Axes.
    """
    from collections.abc import Mapping as _Mapping

    if isinstance(paths, _Mapping):
        fits = {str(label): _unwrap(obj)[0] for label, obj in paths.items()}
    else:
        if y is None:
            raise ValueError("plot_sparsity needs y with a design matrix, or a mapping of "
                             "fitted paths")
        import warnings

        from .path import path

        fits = {}
        for ratio in l1_ratios:
            ratio = float(ratio)
            amr = None if ratio > 0 else (1e-7 if np.shape(paths)[0] >= np.shape(paths)[1]
                                          else 1e-5)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fits[_sparsity_label(ratio)] = path(paths, y, loss=loss, l1_ratio=ratio,
                                                    n_alphas=n_alphas, alpha_min_ratio=amr,
                                                    standardize=standardize, tol=1e-5)
    if not fits:
        raise ValueError("plot_sparsity needs at least one path")
    ax = _new_axes(ax)
    n_features = 0
    styles = ["-", "--", "-.", ":"]
    for k, (label, fit) in enumerate(fits.items()):
        ax.step(fit.alphas, fit.n_nonzero, where="mid", color=f"C{k}",
                linestyle=styles[k % len(styles)], linewidth=1.8, label=label)
        n_features = max(n_features, np.asarray(fit.coef).shape[-1])
    ax.axhline(n_features, color="0.7", linewidth=0.8, zorder=0)
    ax.set_xscale("log")
    lo = min(float(np.min(f.alphas)) for f in fits.values())
    hi = max(float(np.max(f.alphas)) for f in fits.values())
    ax.set_xlim(hi, lo)
    ax.set_ylim(-0.5, n_features * 1.08 + 0.5)
    ax.set_xlabel(_ALPHA_LABEL)
    ax.set_ylabel(f"non-zero coefficients (of {n_features})")
    ax.legend(fontsize="x-small", loc="upper left")
    if title:
        ax.set_title(title, fontsize="medium")
    return ax


def plot_coefficients(model, *, feature_names=None, standardized=False, scale=None,
                      top_k=30, class_index=None, ax=None, title=None):
    """The coefficients of a fitted model, sorted, with names; zero ones are left out and
    counted in the title.

    Parameters
    ----------
    model : a fitted estimator (``coef_``), a ``regularized.io.Model`` or an array of
        coefficients ((p,) or (n_classes, p)).
    feature_names : names (default: the model's, else x0, …).
    standardized : multiply by each feature's standard deviation (``scale``, or a Model's
        ``feature_scale``), so bars compare the effect of one standard deviation.
    top_k : draw at most this many (largest in absolute value).
    class_index : multinomial: draw this class only; None draws every class as grouped bars.

    Returns
    -------
    matplotlib Axes.
    """
    names = None
    classes = None
    if hasattr(model, "estimator") and hasattr(model, "preprocessor"):        # io.Model
        names = list(model.feature_names)
        if scale is None:
            scale = model.feature_scale
        classes = model.classes_
        coef = model.coef_matrix
    elif hasattr(model, "coef_"):
        coef = np.atleast_2d(np.asarray(model.coef_, dtype=float))
        classes = getattr(model, "classes_", None)
        if hasattr(model, "feature_names_in_"):
            names = [str(n) for n in model.feature_names_in_]
    else:
        coef = np.atleast_2d(np.asarray(model, dtype=float))
    if coef.ndim != 2:
        raise ValueError("coefficients must be (n_features,) or (n_classes, n_features)")
    p = coef.shape[1]
    names = _check_names(feature_names if feature_names is not None else names, p)
    xlabel = "coefficient"
    if standardized:
        if scale is None:
            raise ValueError("standardized=True needs the features' scale (scale=...)")
        scale = np.asarray(scale, dtype=float)
        if scale.shape != (p,):
            raise ValueError(f"scale must have {p} entries")
        coef = coef * scale
        xlabel = "coefficient × feature standard deviation"
    if coef.shape[0] > 1 and class_index is not None:
        coef = coef[[class_index]]
        classes = None if classes is None else [list(classes)[class_index]]
    nonzero = np.any(coef != 0, axis=0)
    idx = np.flatnonzero(nonzero)
    if coef.shape[0] == 1:
        idx = idx[np.argsort(-np.abs(coef[0, idx]), kind="stable")][:top_k]
        idx = idx[np.argsort(coef[0, idx], kind="stable")]
    else:
        strength = np.abs(coef[:, idx]).max(axis=0)
        idx = idx[np.argsort(-strength, kind="stable")][:top_k][::-1]
    ax = _new_axes(ax, figsize=(6.4, max(2.5, 0.22 * max(len(idx), 1) * max(1, coef.shape[0])
                                         ** 0.5 + 1.2)))
    positions = np.arange(len(idx))
    if coef.shape[0] == 1:
        values = coef[0, idx]
        ax.barh(positions, values, color=np.where(values >= 0, "C0", "C3"), height=0.7)
    else:
        k = coef.shape[0]
        height = 0.8 / k
        labels = list(classes) if classes is not None else list(range(k))
        for c in range(k):
            ax.barh(positions - 0.4 + height * (c + 0.5), coef[c, idx], height=height,
                    color=f"C{c}", label=f"class {labels[c]}")
        ax.legend(fontsize="x-small")
    ax.set_yticks(positions, labels=[names[j] for j in idx], fontsize="small")
    ax.axvline(0.0, color="0.4", linewidth=0.8)
    ax.set_xlabel(xlabel)
    n_zero = int(p - nonzero.sum())
    shown = f"{len(idx)} of {int(nonzero.sum())} non-zero" if len(idx) < nonzero.sum() \
        else f"{int(nonzero.sum())} non-zero"
    default_title = f"{shown}; {n_zero} of {p} coefficients are zero"
    ax.set_title(title or default_title, fontsize="medium")
    if len(idx) == 0:
        ax.text(0.5, 0.5, "every coefficient is zero", transform=ax.transAxes,
                ha="center", va="center")
    return ax
