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

A training loop of your own with the elastic net done right (L2 in the gradient, L1 as a
proximal step, so weights reach exact zeros) and early stopping::

    from regularized.nn import EarlyStopping, penalty, proximal_l1_step

    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    stopper = EarlyStopping(patience=10)
    for epoch in range(max_epochs):
        model.train()
        for x, y in batches:
            optimizer.zero_grad()
            loss = F.mse_loss(model(x), y) / 2 + penalty(model, alpha * (1 - l1_ratio), 0.0)
            loss.backward()
            optimizer.step()
            proximal_l1_step(model, lr * alpha * l1_ratio, optimizer=optimizer)
        if stopper.step(validation_loss(model), model):
            break
    stopper.restore(model)
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
