"""Regularized neural networks in PyTorch (the optional ``regularized[nn]`` extra).

The linear models' vocabulary for networks: the elastic-net penalty
``alpha · (l1_ratio·‖W‖₁ + (1 − l1_ratio)/2·‖W‖²)`` on weight matrices (never biases), with a
proximal L1 step that gives exact zeros; decoupled weight decay; dropout; early stopping.

Estimators (scikit-learn compatible)
    :class:`MLPRegressor`, :class:`MLPClassifier`
For your own PyTorch code
    :func:`penalty` (the penalty as a differentiable tensor), :func:`proximal_l1_step`
    (soft-thresholding after an optimizer step), :class:`EarlyStopping`,
    :func:`penalized_weights` and :func:`sparsity`.
"""

try:
    import torch  # noqa: F401
except ImportError as error:  # pragma: no cover - exercised only without torch
    raise ImportError(
        "regularized.nn needs PyTorch, an optional dependency: pip install 'regularized[nn]'"
    ) from error

from ._early_stopping import EarlyStopping
from ._mlp import MLPClassifier, MLPRegressor
from ._penalty import (
    DEFAULT_EXCLUDE,
    NORMALIZATION_LAYERS,
    penalized_weights,
    penalty,
    proximal_l1_step,
    sparsity,
)

__all__ = [
    "DEFAULT_EXCLUDE",
    "NORMALIZATION_LAYERS",
    "EarlyStopping",
    "MLPClassifier",
    "MLPRegressor",
    "penalized_weights",
    "penalty",
    "proximal_l1_step",
    "sparsity",
]
