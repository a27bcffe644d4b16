"""Plots that show what regularization does.

matplotlib is an optional dependency (``regularized[plot]``): it is imported inside each
function, so importing this module costs nothing without it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["plot_learning_curves"]

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
