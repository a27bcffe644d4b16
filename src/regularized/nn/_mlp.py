"""Multilayer perceptrons with the linear models' penalties, trained with AdamW in PyTorch."""

from __future__ import annotations

import math
import numbers
import time
from dataclasses import dataclass

import numpy as np
import torch
from scipy.special import expit, log_expit, log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data
from torch import nn
from torch.nn import functional as F

from ._early_stopping import EarlyStopping
from ._penalty import check_alpha_l1_ratio, penalty, proximal_l1_step

__all__ = ["MLPClassifier", "MLPRegressor"]

# name -> (module class, scikit-learn's Glorot factor). Every Linear layer, the output layer
# included, starts as scikit-learn's MLP does: weights and biases uniform in ±sqrt(factor /
# (fan_in + fan_out)), factor 2 for the logistic activation and 6 otherwise. He (Kaiming)
# initialisation, used before, draws the first layer's weights sqrt((fan_in + fan_out)/fan_in)
# times wider (2.4x for 20 inputs and 100 units) and starts the network as a random function
# whose outputs spread as much as standardised targets (logits of std ~1.4 instead of ~0.5).
# Adam moves every weight by about learning_rate per step whatever its scale, so the default
# 200 epochs ended on a 1.5-3x higher training loss than scikit-learn's (friedman1: 0.022 vs
# 0.007, now 0.009; 5-class make_classification: 0.20 vs 0.13, now 0.14; means of 3 seeds).
# gelu, which scikit-learn lacks, takes 6.
_ACTIVATIONS = {
    "relu": (nn.ReLU, 6.0),
    "gelu": (nn.GELU, 6.0),
    "tanh": (nn.Tanh, 6.0),
    "logistic": (nn.Sigmoid, 2.0),
    "identity": (nn.Identity, 6.0),
}

# Rows per forward pass at prediction and validation time: bounds the activations' memory.
_EVAL_CHUNK = 16384


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _resolve_device(device) -> torch.device:
    if isinstance(device, torch.device):
        resolved = device
    elif device == "auto":
        resolved = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    elif isinstance(device, str):
        try:
            resolved = torch.device(device)
        except RuntimeError as error:
            raise ValueError(f"device must be 'auto' or a torch device, got {device!r}") from error
    else:
        raise ValueError(f"device must be 'auto' or a torch device, got {device!r}")
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} asks for CUDA, but torch.cuda.is_available() is False")
    return resolved


@dataclass(frozen=True)
class _Config:
    """Validated hyperparameters of one fit (the estimator's own attributes stay untouched)."""

    hidden_layer_sizes: tuple[int, ...]
    activation: str
    alpha: float
    l1_ratio: float
    weight_decay: float
    dropout: tuple[float, ...]
    early_stopping: bool
    validation_fraction: float
    patience: int
    min_delta: float
    max_epochs: int
    batch_size: int | None  # None: "auto"
    learning_rate: float
    device: torch.device
    verbose: int


class _BaseMLP(BaseEstimator):
    """Shared fitting and prediction; subclasses define the output layer's loss."""

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="relu",
        alpha=1e-4,
        l1_ratio=0.0,
        weight_decay=0.0,
        dropout=0.0,
        early_stopping=False,
        validation_fraction=None,
        patience=10,
        min_delta=0.0,
        max_epochs=200,
        batch_size="auto",
        learning_rate=1e-3,
        random_state=None,
        device="auto",
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.min_delta = min_delta
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    # ------------------------------------------------------------------ validation

    def _validated_config(self) -> _Config:
        sizes = self.hidden_layer_sizes
        if _is_int(sizes):
            sizes = (sizes,)
        try:
            sizes = tuple(sizes)
        except TypeError:
            raise ValueError(
                f"hidden_layer_sizes must be a sequence of positive integers, got {sizes!r}"
            ) from None
        if not all(_is_int(size) and size >= 1 for size in sizes):
            raise ValueError(
                f"hidden_layer_sizes must be a sequence of positive integers, got "
                f"{self.hidden_layer_sizes!r}"
            )
        if self.activation not in _ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(_ACTIVATIONS)}, got {self.activation!r}"
            )
        alpha, l1_ratio = check_alpha_l1_ratio(self.alpha, self.l1_ratio)
        if not _is_real(self.weight_decay) or not math.isfinite(self.weight_decay) \
                or self.weight_decay < 0:
            raise ValueError(
                f"weight_decay must be a finite number >= 0, got {self.weight_decay!r}")
        dropout = self.dropout
        if _is_real(dropout):
            dropout = (float(dropout),) * len(sizes)
        else:
            try:
                # A string is iterable, but its characters are not rates: "0.1" would be
                # reported as 3 rates for the wrong number of layers.
                if isinstance(dropout, (str, bytes)):
                    raise TypeError
                dropout = tuple(dropout)
            except TypeError:
                raise ValueError(
                    f"dropout must be a rate in [0, 1) or one rate per hidden layer, got "
                    f"{self.dropout!r}"
                ) from None
            if len(dropout) != len(sizes):
                raise ValueError(
                    f"dropout has {len(dropout)} rates but there are {len(sizes)} hidden layers"
                )
        if not all(_is_real(rate) and 0.0 <= rate < 1.0 for rate in dropout):
            raise ValueError(f"dropout rates must lie in [0, 1), got {self.dropout!r}")
        dropout = tuple(float(rate) for rate in dropout)
        if not isinstance(self.early_stopping, (bool, np.bool_)):
            raise ValueError(f"early_stopping must be True or False, got {self.early_stopping!r}")
        fraction = self.validation_fraction
        if fraction is None:
            fraction = 0.1 if self.early_stopping else 0.0
        elif not _is_real(fraction) or not 0.0 <= fraction < 1.0:
            raise ValueError(f"validation_fraction must be None or in [0, 1), got {fraction!r}")
        if self.early_stopping and fraction == 0.0:
            raise ValueError("early_stopping=True needs validation_fraction > 0")
        if not _is_int(self.patience) or self.patience < 1:
            raise ValueError(f"patience must be an integer >= 1, got {self.patience!r}")
        if not _is_real(self.min_delta) or not math.isfinite(self.min_delta) or self.min_delta < 0:
            raise ValueError(f"min_delta must be a finite number >= 0, got {self.min_delta!r}")
        if not _is_int(self.max_epochs) or self.max_epochs < 1:
            raise ValueError(f"max_epochs must be an integer >= 1, got {self.max_epochs!r}")
        batch_size = self.batch_size
        if isinstance(batch_size, str) and batch_size == "auto":
            batch_size = None
        elif not _is_int(batch_size) or batch_size < 1:
            raise ValueError(f"batch_size must be 'auto' or an integer >= 1, got {batch_size!r}")
        if not _is_real(self.learning_rate) or not math.isfinite(self.learning_rate) \
                or self.learning_rate <= 0:
            raise ValueError(
                f"learning_rate must be a finite number > 0, got {self.learning_rate!r}")
        if not (_is_int(self.verbose) or isinstance(self.verbose, bool)) or self.verbose < 0:
            raise ValueError(f"verbose must be an integer >= 0, got {self.verbose!r}")
        return _Config(
            hidden_layer_sizes=sizes,
            activation=self.activation,
            alpha=alpha,
            l1_ratio=l1_ratio,
            weight_decay=float(self.weight_decay),
            dropout=dropout,
            early_stopping=bool(self.early_stopping),
            validation_fraction=float(fraction),
            patience=int(self.patience),
            min_delta=float(self.min_delta),
            max_epochs=int(self.max_epochs),
            batch_size=None if batch_size is None else int(batch_size),
            learning_rate=float(self.learning_rate),
            device=_resolve_device(self.device),
            verbose=int(self.verbose),
        )

    # ------------------------------------------------------------------ subclass hooks

    def _loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    # ------------------------------------------------------------------ fitting

    def _forget_fit(self) -> None:
        """Drop a previous fit's network before a new fit validates anything.

        Validation overwrites ``n_features_in_`` (and the classifier ``classes_``) as it goes;
        a refit that then failed would leave them describing the new data beside the old
        network, and predict would fail inside PyTorch or NumPy. Without ``module_`` it
        raises NotFittedError instead.
        """
        self.__dict__.pop("module_", None)

    def _fit(self, X: np.ndarray, targets: np.ndarray, n_outputs: int, stratify) -> None:
        """Train on validated ``X`` (n, p) float32 and ``targets`` (n, n_outputs) float32 or
        (n,) int64 class codes. Sets every fitted attribute."""
        config = self._validated_config()
        rng = check_random_state(self.random_state)
        # Two independent seeds: one for a private generator (initialisation and shuffling),
        # one for PyTorch's global generator, which nn.Dropout draws from.
        init_seed, dropout_seed = (int(seed) for seed in rng.randint(2**31 - 1, size=2))
        train_rows, validation_rows = _split_rows(len(X), config.validation_fraction, rng,
                                                  stratify)

        device = config.device
        X_all = _to_tensor(X, device)
        targets_all = _to_tensor(targets, device)
        if validation_rows is None:
            X_train, targets_train = X_all, targets_all
            X_validation = targets_validation = None
        else:
            train_index = torch.as_tensor(train_rows, device=device)
            validation_index = torch.as_tensor(validation_rows, device=device)
            X_train, targets_train = X_all[train_index], targets_all[train_index]
            X_validation = X_all[validation_index]
            targets_validation = targets_all[validation_index]
        n_train = X_train.shape[0]
        batch_size = min(config.batch_size or 200, n_train)

        generator = torch.Generator().manual_seed(init_seed)
        # fork_rng restores the caller's global RNG state afterwards: fitting neither depends
        # on nor disturbs it, so two fits with one random_state are identical.
        fork_devices = []
        if device.type == "cuda":
            fork_devices = [torch.cuda.current_device() if device.index is None else device.index]
        with torch.random.fork_rng(devices=fork_devices):
            torch.random.default_generator.manual_seed(dropout_seed)
            if device.type == "cuda":
                with torch.cuda.device(device):
                    torch.cuda.manual_seed(dropout_seed)
            module = _build_mlp(X.shape[1], config.hidden_layer_sizes, n_outputs,
                                config.activation, config.dropout, generator).to(device)
            stopper = EarlyStopping(config.patience, config.min_delta) \
                if config.early_stopping else None
            history = _train(
                module, self._loss, X_train, targets_train, X_validation, targets_validation,
                config=config, batch_size=batch_size, generator=generator, stopper=stopper,
            )
        module.eval()

        self.module_ = module
        self.device_ = device
        self.history_ = history
        self.n_iter_ = len(history["train_loss"])
        self.best_epoch_ = None if stopper is None else stopper.best_epoch
        self.best_validation_loss_ = None if stopper is None else stopper.best_value
        weights = _weights(module)
        self.n_weights_ = int(sum(weight.numel() for weight in weights))
        self.n_zero_weights_ = int(sum(int((weight == 0).sum()) for weight in weights))
        self.sparsity_ = self.n_zero_weights_ / self.n_weights_

    # ------------------------------------------------------------------ prediction

    def _forward(self, X) -> np.ndarray:
        """The fitted network's outputs η (n, n_outputs), as float64.

        Computed in float64 from the (float32) fitted weights: in float32 the matrix products
        of a one-row batch and of a large batch round differently (~1e-7 relative), so a
        row's prediction would depend on which other rows it was predicted with.
        """
        check_is_fitted(self, "module_")
        X = validate_data(self, X, reset=False, dtype=np.float64, order="C")
        inputs = _to_tensor(X, self.device_)
        self.module_.eval()
        parameters_and_buffers = {
            name: tensor.detach().double() if tensor.is_floating_point() else tensor
            for name, tensor in [*self.module_.named_parameters(), *self.module_.named_buffers()]
        }
        with torch.no_grad():
            chunks = [torch.func.functional_call(self.module_, parameters_and_buffers, (chunk,))
                      for chunk in inputs.split(_EVAL_CHUNK)]
        return torch.cat(chunks).cpu().numpy()


# ---------------------------------------------------------------------- helpers


def _to_tensor(array: np.ndarray, device: torch.device) -> torch.Tensor:
    # from_numpy shares memory; a read-only array (e.g. a memmap) is copied instead, because
    # PyTorch warns on non-writable buffers.
    if not array.flags.writeable:
        array = np.array(array)
    return torch.from_numpy(np.ascontiguousarray(array)).to(device)


def _split_rows(n_samples: int, fraction: float, rng, stratify):
    """Row indices (train, validation); validation is None when fraction is 0."""
    if fraction == 0.0:
        return np.arange(n_samples), None
    n_validation = int(math.ceil(fraction * n_samples))
    if n_validation >= n_samples:
        raise ValueError(
            f"validation_fraction={fraction} of {n_samples} samples leaves no training samples"
        )
    rows = np.arange(n_samples)
    if stratify is not None:
        # Stratify when every class can be split; otherwise fall back to a random split.
        _, counts = np.unique(stratify, return_counts=True)
        n_classes = len(counts)
        if counts.min() >= 2 and n_classes <= n_validation <= n_samples - n_classes:
            return train_test_split(rows, test_size=n_validation, stratify=stratify,
                                    random_state=rng)
    permuted = rng.permutation(n_samples)
    return np.sort(permuted[n_validation:]), np.sort(permuted[:n_validation])


def _build_mlp(n_inputs: int, hidden_layer_sizes, n_outputs: int, activation: str,
               dropout_rates, generator: torch.Generator) -> nn.Sequential:
    """Linear → activation → Dropout (when its rate > 0), per hidden layer; then a Linear
    output layer giving η."""
    activation_class, factor = _ACTIVATIONS[activation]
    layers: list[nn.Module] = []
    width = n_inputs
    for size, rate in zip(hidden_layer_sizes, dropout_rates):
        # skip_init: allocate without nn.Linear's own initialisation, replaced just below.
        linear = nn.utils.skip_init(nn.Linear, width, size)
        _glorot_uniform(linear, factor, generator)
        layers += [linear, activation_class()]
        if rate > 0:
            layers.append(nn.Dropout(rate))
        width = size
    output = nn.utils.skip_init(nn.Linear, width, n_outputs)
    _glorot_uniform(output, factor, generator)
    layers.append(output)
    return nn.Sequential(*layers)


def _glorot_uniform(linear: nn.Linear, factor: float, generator: torch.Generator) -> None:
    """scikit-learn's MLP initialisation (``_init_coef``): weights, then biases, uniform in
    ``±sqrt(factor / (fan_in + fan_out))``."""
    fan_out, fan_in = linear.weight.shape
    bound = math.sqrt(factor / (fan_in + fan_out))
    with torch.no_grad():
        linear.weight.uniform_(-bound, bound, generator=generator)
        linear.bias.uniform_(-bound, bound, generator=generator)


def _weights(module: nn.Module) -> list[torch.Tensor]:
    """The penalized tensors of an MLP: the Linear layers' weight matrices."""
    return [layer.weight for layer in module.modules() if isinstance(layer, nn.Linear)]


def _mean_loss(module, loss, inputs, targets) -> float:
    """Mean data loss over all rows, in eval mode (no dropout), in chunks."""
    module.eval()
    total = 0.0
    with torch.no_grad():
        for input_chunk, target_chunk in zip(inputs.split(_EVAL_CHUNK),
                                             targets.split(_EVAL_CHUNK)):
            total += float(loss(module(input_chunk), target_chunk)) * len(input_chunk)
    return total / len(inputs)


def _train(module, loss, X, targets, X_validation, targets_validation, *, config: _Config,
           batch_size: int, generator: torch.Generator, stopper: EarlyStopping | None) -> dict:
    """Mini-batch AdamW on ``loss + penalty``; returns the history. The loop is what one
    would write by hand: the data stay one tensor, mini-batches are gathered through a fresh
    permutation each epoch, and nothing per sample runs in Python."""
    weights = _weights(module)
    weight_ids = {id(weight) for weight in weights}
    others = [parameter for parameter in module.parameters() if id(parameter) not in weight_ids]
    # Decoupled weight decay shrinks the same tensors the penalty does, never the biases.
    optimizer = torch.optim.AdamW(
        [{"params": weights, "weight_decay": config.weight_decay},
         {"params": others, "weight_decay": 0.0}],
        lr=config.learning_rate,
        # One fused kernel per step instead of a chain of small ops per tensor: the same
        # update, several times less per-step overhead for small networks.
        fused=X.device.type in ("cpu", "cuda"),
    )
    # ∇ of alpha·(1−l1_ratio)/2·‖W‖² is alpha·(1−l1_ratio)·W, added straight to the gradient:
    # the same as back-propagating that term, without building it into the graph.
    l2_strength = config.alpha * (1.0 - config.l1_ratio)
    # Proximal L1 step after each AdamW step; the threshold lr·alpha·l1_ratio is divided by
    # Adam's sqrt(v_hat) + eps per coordinate (see proximal_l1_step).
    l1_threshold = config.learning_rate * config.alpha * config.l1_ratio

    n = X.shape[0]
    device = X.device
    batch_starts = range(0, n, batch_size)
    rows_per_batch = torch.tensor([min(batch_size, n - start) for start in batch_starts],
                                  dtype=torch.float32, device=device)
    history: dict[str, list[float]] = {
        "train_loss": [], "validation_loss": [], "penalty": [], "epoch_time": []}

    for epoch in range(1, config.max_epochs + 1):
        started = time.perf_counter()
        module.train()
        permutation = torch.randperm(n, generator=generator).to(device)
        batch_losses = []
        for start in batch_starts:
            rows = permutation[start:start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            batch_loss = loss(module(X[rows]), targets[rows])
            batch_loss.backward()
            if l2_strength:
                for weight in weights:
                    weight.grad.add_(weight, alpha=l2_strength)
            optimizer.step()
            if l1_threshold:
                proximal_l1_step(weights, l1_threshold, optimizer=optimizer)
            batch_losses.append(batch_loss.detach())
        # Keeping the batch losses as tensors and reducing once avoids a host sync per batch.
        train_loss = float(torch.stack(batch_losses) @ rows_per_batch) / n
        if not math.isfinite(train_loss):
            raise FloatingPointError(
                f"training diverged: the training loss is {train_loss} at epoch {epoch}; "
                "lower learning_rate or scale the data"
            )
        history["train_loss"].append(train_loss)
        with torch.no_grad():
            history["penalty"].append(float(penalty(weights, config.alpha, config.l1_ratio)))
        stop = False
        if X_validation is not None:
            validation_loss = _mean_loss(module, loss, X_validation, targets_validation)
            history["validation_loss"].append(validation_loss)
            if stopper is not None:
                stop = stopper.step(validation_loss, module)
        history["epoch_time"].append(time.perf_counter() - started)
        if config.verbose and (epoch % config.verbose == 0 or stop or epoch == config.max_epochs):
            message = f"epoch {epoch:>4}/{config.max_epochs}  train_loss={train_loss:.6g}"
            if X_validation is not None:
                message += f"  validation_loss={history['validation_loss'][-1]:.6g}"
            print(message + f"  ({history['epoch_time'][-1]:.3f} s)", flush=True)
        if stop:
            break
    if stopper is not None and stopper.best_state is not None:
        stopper.restore(module)
        if config.verbose:
            print(f"early stopping: restored epoch {stopper.best_epoch} "
                  f"(validation_loss={stopper.best_value:.6g})", flush=True)
    return history


# ---------------------------------------------------------------------- public estimators

_COMMON_PARAMETERS = """
    hidden_layer_sizes : sequence of int, default (100,)
        Width of each hidden layer; ``()`` gives a linear model.
    activation : {"relu", "gelu", "tanh", "logistic", "identity"}, default "relu"
        Hidden-layer activation. Every layer starts as in scikit-learn's MLP: weights and
        biases uniform in ``±sqrt(6 / (fan_in + fan_out))`` (``2`` in place of ``6`` for
        "logistic").
    alpha : float >= 0, default 1e-4
        Penalty strength. The penalty is ``alpha · Σ_W (l1_ratio·‖W‖₁ + (1−l1_ratio)/2·‖W‖²)``
        over the weight matrices of every layer, never the biases: the linear models'
        convention, added to the *mean* loss. (scikit-learn's ``MLPRegressor.alpha`` is
        divided by the batch size; this one is not.)
    l1_ratio : float in [0, 1], default 0.0
        Mix of L1 (1) and L2 (0). The L2 part enters the gradient; the L1 part is applied by
        a proximal (soft-threshold) step after every optimizer step, so weights become exactly
        zero (see ``sparsity_``). Its threshold is ``learning_rate·alpha·l1_ratio`` divided per
        coordinate by Adam's ``sqrt(v_hat) + eps``: the prox in the metric of Adam's own step,
        whose fixed points at zero are exactly the L1 optimality condition
        ``|mean gradient| ≤ alpha·l1_ratio`` (see :func:`regularized.nn.proximal_l1_step`).
    weight_decay : float >= 0, default 0.0
        Decoupled weight decay (AdamW): each step multiplies the weight matrices (not the
        biases) by ``1 − learning_rate·weight_decay``, outside Adam's scaling. Unlike
        ``alpha``, not part of the objective.
    dropout : float in [0, 1) or sequence of them, default 0.0
        Dropout rate after each hidden layer's activation: one rate for all, or one per
        hidden layer. Active in training only.
    early_stopping : bool, default False
        Hold out ``validation_fraction`` of the data, stop once the validation loss has not
        improved by more than ``min_delta`` for ``patience`` epochs, and restore the weights
        of the best epoch.
    validation_fraction : float in [0, 1) or None, default None
        Fraction of the samples held out for validation (stratified for classifiers when
        possible). None means 0.1 with early stopping and none without; a positive value
        without early stopping only records ``history_["validation_loss"]``.
    patience : int >= 1, default 10
    min_delta : float >= 0, default 0.0
        Smallest decrease of the validation loss that counts as an improvement.
    max_epochs : int >= 1, default 200
    batch_size : int or "auto", default "auto"
        Rows per mini-batch; "auto" is ``min(200, n_train)``. Larger values are clipped to
        the number of training rows. The last batch of an epoch may be smaller.
    learning_rate : float > 0, default 1e-3
        AdamW's step size (betas (0.9, 0.999), eps 1e-8).
    random_state : int, RandomState or None, default None
        Seeds the initialisation, the shuffling, the validation split and the dropout masks.
        With a fixed value two fits on CPU are identical bit for bit (same thread count).
        The caller's global PyTorch RNG state is left as it was.
    device : "auto", str or torch.device, default "auto"
        Where to train and predict; "auto" is CUDA when available, else the CPU.
    verbose : int >= 0, default 0
        Print a line every ``verbose`` epochs (0: silent).
"""

_COMMON_ATTRIBUTES = """
    module_ : torch.nn.Sequential
        The fitted network, in eval mode, on ``device_``. ``module_(x)`` gives η.
    device_ : torch.device
    history_ : dict of lists, one entry per epoch
        ``"train_loss"``: mean data loss over the epoch's mini-batches (as they were
        trained, dropout active); ``"validation_loss"``: mean data loss on the held-out
        rows in eval mode (empty without a validation set); ``"penalty"``: the penalty at
        the epoch's end; ``"epoch_time"``: seconds.
    n_iter_ : int
        Epochs run.
    best_epoch_ : int or None
        With early stopping, the 1-based epoch whose weights were restored.
    best_validation_loss_ : float or None
    sparsity_ : float
        Fraction of the weight-matrix entries that are exactly zero.
    n_zero_weights_, n_weights_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names (e.g. a pandas DataFrame).
"""


class MLPRegressor(RegressorMixin, _BaseMLP):
    """Multilayer perceptron regressor with elastic-net penalty, weight decay, dropout and
    early stopping.

    Minimises, over the network's weights W and biases b, with AdamW on mini-batches,

        (1/n) Σ_i ½‖y_i − f(x_i)‖²  +  alpha · Σ_W ( l1_ratio·‖W‖₁ + (1−l1_ratio)/2·‖W‖² )

    where ``f`` is the network (η, one output per target) and the first term is half the
    mean squared error summed over targets (the linear models' ``½(y−η)²``). Targets are not
    rescaled: standardise them (e.g. with ``TransformedTargetRegressor``) when their scale is
    far from 1.

    Parameters
    ----------""" + _COMMON_PARAMETERS + """
    Attributes
    ----------""" + _COMMON_ATTRIBUTES + """
    n_outputs_ : int

    Examples
    --------
    >>> from regularized.nn import MLPRegressor
    >>> model = MLPRegressor((64, 64), alpha=1e-3, dropout=0.1, early_stopping=True,
    ...                      random_state=0).fit(X, y)          # doctest: +SKIP
    >>> model.history_["validation_loss"][model.best_epoch_ - 1]  # doctest: +SKIP
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _loss(self, outputs, targets):
        # ½ · mean over rows of the squared error summed over targets.
        return F.mse_loss(outputs, targets, reduction="sum") * (0.5 / outputs.shape[0])

    def fit(self, X, y):
        """Fit the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)

        Returns
        -------
        self
        """
        self._forget_fit()
        X, y = validate_data(self, X, y, dtype=np.float32, order="C", multi_output=True,
                             y_numeric=True)
        # validate_data checks y for NaN and inf in its own dtype; the network trains in
        # float32, where |y| > 3.4e38 becomes inf and would surface as a diverged first epoch.
        with np.errstate(over="ignore"):
            y = np.asarray(y, dtype=np.float32)
        if not np.isfinite(y).all():
            raise ValueError(
                f"y has values beyond float32's range (|y| > {np.finfo(np.float32).max:.3g}), "
                "the precision the network trains in; rescale the targets (e.g. with "
                "TransformedTargetRegressor)"
            )
        self._y_ndim = y.ndim
        targets = y.reshape(len(y), -1)
        self.n_outputs_ = targets.shape[1]
        self._fit(X, targets, self.n_outputs_, stratify=None)
        return self

    def predict(self, X) -> np.ndarray:
        """Predictions, shape (n_samples,) or (n_samples, n_targets) as ``y`` was; float64."""
        outputs = self._forward(X)
        return outputs.ravel() if self._y_ndim == 1 else outputs


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """Multilayer perceptron classifier with elastic-net penalty, weight decay, dropout and
    early stopping.

    Minimises, with AdamW on mini-batches, the mean cross-entropy plus the penalty:

        (1/n) Σ_i ℓ(y_i, f(x_i))  +  alpha · Σ_W ( l1_ratio·‖W‖₁ + (1−l1_ratio)/2·‖W‖² )

    Two classes: one output η and the logistic loss ``log(1 + e^η) − yη`` (y ∈ {0, 1},
    class 1 is ``classes_[1]``). K > 2 classes: K outputs and the multinomial loss
    ``logsumexp(η) − η_y``. These are the linear models' losses (DESIGN.md §1). Early
    stopping monitors the validation cross-entropy.

    Parameters
    ----------""" + _COMMON_PARAMETERS + """
    Attributes
    ----------""" + _COMMON_ATTRIBUTES + """
    classes_ : ndarray of shape (n_classes,)
    """

    def _loss(self, outputs, targets):
        if outputs.shape[1] == 1:
            return F.binary_cross_entropy_with_logits(outputs[:, 0], targets)
        return F.cross_entropy(outputs, targets)

    def fit(self, X, y):
        """Fit the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels; at least two classes. (Multilabel indicator matrices are not
            supported.)

        Returns
        -------
        self
        """
        self._forget_fit()
        X, y = validate_data(self, X, y, dtype=np.float32, order="C")
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)  # binary or multiclass labels, not real numbers
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                f"MLPClassifier needs at least 2 classes in y; got one class: "
                f"{self.classes_[:1].tolist()[0]!r}"
            )
        codes = encoder.transform(y)
        if len(self.classes_) == 2:
            targets, n_outputs = codes.astype(np.float32), 1
        else:
            targets, n_outputs = codes.astype(np.int64), len(self.classes_)
        self._fit(X, targets, n_outputs, stratify=codes)
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order."""
        outputs = self._forward(X)
        if outputs.shape[1] == 1:
            positive = expit(outputs[:, 0])
            return np.column_stack([1.0 - positive, positive])
        return softmax(outputs, axis=1)

    def predict_log_proba(self, X) -> np.ndarray:
        """Log of :meth:`predict_proba`, computed stably."""
        outputs = self._forward(X)
        if outputs.shape[1] == 1:
            return np.column_stack([log_expit(-outputs[:, 0]), log_expit(outputs[:, 0])])
        return log_softmax(outputs, axis=1)

    def predict(self, X) -> np.ndarray:
        """The most probable class of each row."""
        probabilities = self.predict_proba(X)  # first: raises NotFittedError before fit
        return self.classes_[np.argmax(probabilities, axis=1)]
