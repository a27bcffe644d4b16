"""Early stopping for any training loop."""

from __future__ import annotations

import math
import numbers

import torch
from torch import nn

__all__ = ["EarlyStopping"]


class EarlyStopping:
    """Stop when a monitored value has not improved for ``patience`` epochs; keep the best
    weights.

    A value *improves* on the best so far when it is lower by more than ``min_delta``
    (``mode="min"``, for a loss) or higher by more than ``min_delta`` (``mode="max"``, for a
    score). NaN never improves. Training should stop once ``patience`` consecutive values
    have failed to improve.

    Usage in a hand-written loop::

        stopper = EarlyStopping(patience=10)
        for epoch in range(max_epochs):
            train_one_epoch(model)
            if stopper.step(validation_loss(model), model):
                break
        stopper.restore(model)          # the weights of the best epoch

    Parameters
    ----------
    patience : int >= 1, default 10
        Epochs without improvement before :meth:`step` returns True.
    min_delta : float >= 0, default 0.0
        Smallest change, in the monitored value's units, that counts as an improvement.
    mode : {"min", "max"}, default "min"
    restore_best : bool, default True
        Keep a copy of the module's ``state_dict`` at each improvement (on the module's own
        device), for :meth:`restore`. Set False to save that memory.

    Attributes
    ----------
    best_value : float
        Best value so far (``inf`` / ``-inf`` before any improvement).
    best_epoch : int or None
        1-based number of the :meth:`step` call that gave ``best_value``.
    epochs_without_improvement : int
    n_steps : int
        Number of :meth:`step` calls so far.
    history : list of float
        Every value passed to :meth:`step`.
    should_stop : bool
    best_state : dict or None
        The copied ``state_dict`` of the best epoch.
    """

    def __init__(self, patience: int = 10, min_delta: float = 0.0, *, mode: str = "min",
                 restore_best: bool = True):
        if isinstance(patience, bool) or not isinstance(patience, numbers.Integral) \
                or patience < 1:
            raise ValueError(f"patience must be an integer >= 1, got {patience!r}")
        if isinstance(min_delta, bool) or not isinstance(min_delta, numbers.Real) \
                or not math.isfinite(min_delta) or min_delta < 0:
            raise ValueError(f"min_delta must be a finite number >= 0, got {min_delta!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        self.patience = int(patience)
        self.min_delta = float(min_delta)
        self.mode = mode
        self.restore_best = bool(restore_best)
        self.reset()

    def reset(self) -> None:
        """Forget everything seen so far."""
        self.best_value = math.inf if self.mode == "min" else -math.inf
        self.best_epoch: int | None = None
        self.best_state: dict | None = None
        self.epochs_without_improvement = 0
        self.n_steps = 0
        self.history: list[float] = []

    def _improves(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best_value - self.min_delta
        return value > self.best_value + self.min_delta

    def step(self, value, module: nn.Module | None = None) -> bool:
        """Record this epoch's value; return True when training should stop.

        Parameters
        ----------
        value : float or 0-d tensor
        module : torch.nn.Module, optional
            Its ``state_dict`` is copied when ``value`` improves (if ``restore_best``).
        """
        if isinstance(value, torch.Tensor):
            # A validation loss computed outside torch.no_grad() still requires grad, and
            # float() of such a tensor warns; only its value is recorded.
            value = value.detach()
        value = float(value)
        self.n_steps += 1
        self.history.append(value)
        if self._improves(value):
            self.best_value = value
            self.best_epoch = self.n_steps
            self.epochs_without_improvement = 0
            if module is not None and self.restore_best:
                self.best_state = {name: tensor.detach().clone()
                                   for name, tensor in module.state_dict().items()}
        else:
            self.epochs_without_improvement += 1
        return self.should_stop

    @property
    def should_stop(self) -> bool:
        return self.epochs_without_improvement >= self.patience

    def restore(self, module: nn.Module) -> nn.Module:
        """Load the best epoch's weights into ``module`` (in place) and return it.

        Raises
        ------
        RuntimeError
            If no weights were kept: no value improved, no module was passed to
            :meth:`step`, or ``restore_best=False``.
        """
        if self.best_state is None:
            raise RuntimeError(
                "EarlyStopping has no best weights to restore: no step improved on the "
                "starting value with a module passed, or restore_best=False"
            )
        with torch.no_grad():
            module.load_state_dict(self.best_state)
        return module

    def __repr__(self) -> str:
        return (f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta}, "
                f"mode={self.mode!r}, best_value={self.best_value}, best_epoch={self.best_epoch})")
