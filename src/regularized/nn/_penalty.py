"""Penalties for PyTorch modules, in the linear models' convention.

The penalty on a network's weight tensors ``W_1, …, W_L`` is

    alpha · Σ_l ( l1_ratio · ‖W_l‖₁ + (1 − l1_ratio)/2 · ‖W_l‖²_F )

exactly the elastic net of the linear models (DESIGN.md §1) summed over the weight tensors:
``alpha`` is the strength, ``l1_ratio`` mixes L1 (1) and L2 (0). Biases and the parameters of
normalization layers are not penalized by default, just as the intercept never is.

The L1 part is not differentiable at zero. Adding it to the loss and back-propagating gives a
subgradient method, whose iterates oscillate around zero and essentially never land on it. The
proximal step (soft-thresholding after each optimizer step, :func:`proximal_l1_step`) is the
exact minimiser of the L1 term plus a quadratic around the current point, and so produces exact
zeros.
"""

from __future__ import annotations

import fnmatch
import math
import numbers

import torch
from torch import nn

__all__ = [
    "DEFAULT_EXCLUDE",
    "NORMALIZATION_LAYERS",
    "penalized_weights",
    "penalty",
    "proximal_l1_step",
    "sparsity",
]

#: Module types whose parameters are scales and shifts of a normalization, not weights.
#: ``_NormBase`` covers BatchNorm*, SyncBatchNorm, InstanceNorm* and their lazy forms.
NORMALIZATION_LAYERS: tuple[type[nn.Module], ...] = (
    nn.modules.batchnorm._NormBase,
    nn.LayerNorm,
    nn.GroupNorm,
    nn.RMSNorm,
)

#: What :func:`penalty` and :func:`proximal_l1_step` leave alone unless told otherwise: every
#: parameter named ``bias`` and every parameter of a normalization layer.
DEFAULT_EXCLUDE: tuple = ("bias", *NORMALIZATION_LAYERS)

def _as_rules(exclude) -> tuple:
    if exclude is None:
        raise TypeError(
            "exclude must be an iterable of rules (use () to penalize every parameter), got None"
        )
    if isinstance(exclude, (str, type)) or callable(exclude):
        exclude = (exclude,)
    rules = tuple(exclude)
    for rule in rules:
        if not (isinstance(rule, str) or (isinstance(rule, type) and issubclass(rule, nn.Module))
                or callable(rule)):
            raise TypeError(
                "each exclude rule must be a glob pattern (str), an nn.Module subclass or a "
                f"callable (name, parameter) -> bool; got {rule!r}"
            )
    return rules


def _is_excluded(rules: tuple, qualified_name: str, parameter: torch.Tensor,
                 owner: nn.Module) -> bool:
    leaf_name = qualified_name.rsplit(".", 1)[-1]
    for rule in rules:
        if isinstance(rule, str):
            if fnmatch.fnmatchcase(qualified_name, rule) or fnmatch.fnmatchcase(leaf_name, rule):
                return True
        elif isinstance(rule, type):
            if isinstance(owner, rule):
                return True
        elif rule(qualified_name, parameter):
            return True
    return False


def penalized_weights(module: nn.Module, *,
                      exclude=DEFAULT_EXCLUDE) -> list[tuple[str, nn.Parameter]]:
    """The ``(qualified_name, parameter)`` pairs that :func:`penalty` penalizes.

    Parameters
    ----------
    module : torch.nn.Module
    exclude : iterable of rules, default :data:`DEFAULT_EXCLUDE`
        A parameter is left out when any rule matches it. A rule is

        - a ``str``: a glob pattern (:func:`fnmatch.fnmatchcase`) matched against the
          parameter's qualified name (``"0.weight"``) and its own name (``"weight"``), so
          ``"bias"`` matches every bias and ``"encoder.*"`` a whole sub-module;
        - an ``nn.Module`` subclass: every parameter owned directly by a module of that type;
        - a callable ``rule(qualified_name, parameter) -> bool``.

        Pass ``()`` to penalize every parameter, or extend the default:
        ``exclude=(*DEFAULT_EXCLUDE, nn.Embedding)``.

    Parameters with ``requires_grad=False`` are skipped: they are not trained, so their penalty
    is a constant and the proximal step must not move them. Shared (tied) parameters are
    counted once.
    """
    rules = _as_rules(exclude)
    seen: set[int] = set()
    selected = []
    for module_name, owner in module.named_modules():
        for parameter_name, parameter in owner.named_parameters(recurse=False):
            if id(parameter) in seen:
                continue
            seen.add(id(parameter))
            if not parameter.requires_grad:
                continue
            qualified_name = f"{module_name}.{parameter_name}" if module_name else parameter_name
            if not _is_excluded(rules, qualified_name, parameter, owner):
                selected.append((qualified_name, parameter))
    return selected


def _weight_list(weights, exclude) -> list[torch.Tensor]:
    """A module's penalized weights, or the given tensors as they are."""
    if isinstance(weights, nn.Module):
        return [parameter for _, parameter in penalized_weights(weights, exclude=exclude)]
    if isinstance(weights, torch.Tensor):
        return [weights]
    return list(weights)


def check_alpha_l1_ratio(alpha, l1_ratio) -> tuple[float, float]:
    """Validate the penalty's two numbers; return them as floats."""
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not math.isfinite(alpha) \
            or alpha < 0:
        raise ValueError(f"alpha must be a finite number >= 0, got {alpha!r}")
    if isinstance(l1_ratio, bool) or not isinstance(l1_ratio, numbers.Real) \
            or not 0.0 <= l1_ratio <= 1.0:
        raise ValueError(f"l1_ratio must be a number in [0, 1], got {l1_ratio!r}")
    return float(alpha), float(l1_ratio)


def penalty(module, alpha: float, l1_ratio: float, *, exclude=DEFAULT_EXCLUDE) -> torch.Tensor:
    """The elastic-net penalty of a module's weights, as a differentiable scalar tensor.

        alpha · Σ_W ( l1_ratio · Σ|W| + (1 − l1_ratio)/2 · Σ W² )

    summed over the tensors of :func:`penalized_weights` (biases and normalization layers
    excluded by default). Add it to a mean loss so the scales match the linear models::

        loss = F.mse_loss(model(x), y) / 2 + penalty(model, alpha=1e-3, l1_ratio=0.5)

    Back-propagating the L1 part gives a subgradient, which never produces exact zeros. For
    sparsity, put only the L2 part in the loss and apply the L1 part as a proximal step::

        loss = data_loss + penalty(model, alpha * (1 - l1_ratio), 0.0)
        loss.backward()
        optimizer.step()
        proximal_l1_step(model, lr * alpha * l1_ratio, optimizer=optimizer)

    Parameters
    ----------
    module : torch.nn.Module or iterable of tensors
        A module (its penalized weights are selected with ``exclude``) or the tensors to
        penalize, taken as they are.
    alpha : float >= 0
    l1_ratio : float in [0, 1]
    exclude : see :func:`penalized_weights`

    Returns
    -------
    torch.Tensor
        A 0-dimensional tensor on the weights' device, in their dtype; ``0.`` when nothing
        is penalized.
    """
    alpha, l1_ratio = check_alpha_l1_ratio(alpha, l1_ratio)
    weights = _weight_list(module, exclude)
    if not weights:
        return torch.zeros(())
    total = torch.zeros((), device=weights[0].device, dtype=weights[0].dtype)
    if alpha == 0.0:
        return total
    # Terms with a zero coefficient are skipped rather than multiplied by zero, so a pure ridge
    # penalty does not route a subgradient of |W| through autograd.
    if l1_ratio > 0.0:
        total = total + (alpha * l1_ratio) * sum(weight.abs().sum() for weight in weights)
    if l1_ratio < 1.0:
        total = total + (alpha * (1.0 - l1_ratio) / 2.0) * sum(
            weight.pow(2).sum() for weight in weights)
    return total


def _adam_denominator(optimizer: torch.optim.Optimizer, group: dict,
                      parameter: torch.Tensor) -> torch.Tensor | None:
    """Adam's per-coordinate divisor ``sqrt(v_hat) + eps`` for ``parameter``, or None before
    its first step. Mirrors torch.optim.Adam/AdamW's update ``p -= lr * m_hat / (sqrt(v_hat) +
    eps)``, with ``v_hat = v / (1 - beta2**t)``."""
    state = optimizer.state.get(parameter)
    if not state or "exp_avg_sq" not in state:
        return None
    beta2 = group["betas"][1]
    step = state["step"]
    if isinstance(step, torch.Tensor) and step.device.type != "cpu":
        # Fused and capturable Adam keep the step count on the accelerator: stay there, as
        # reading it back would wait for the device at every step.
        bias_correction2_sqrt = (1.0 - beta2 ** step).sqrt()
    else:
        bias_correction2_sqrt = math.sqrt(1.0 - beta2 ** float(step))
    second_moment = state["max_exp_avg_sq"] if group.get("amsgrad") else state["exp_avg_sq"]
    return (second_moment.sqrt() / bias_correction2_sqrt).add_(group["eps"])


def proximal_l1_step(module, threshold: float, *, optimizer: torch.optim.Optimizer | None = None,
                     exclude=DEFAULT_EXCLUDE) -> None:
    """Soft-threshold weights in place: ``W ← sign(W) · max(|W| − τ, 0)``.

    This is the proximal operator of ``τ·‖W‖₁``. Called right after ``optimizer.step()``
    (which took a gradient step on the loss and any L2 part), it completes a proximal
    gradient step on ``loss + alpha·l1_ratio·‖W‖₁``: every weight whose step landed within
    ``τ`` of zero becomes exactly zero.

    Parameters
    ----------
    module : torch.nn.Module or iterable of tensors
        A module (its weights are chosen with ``exclude``, as for :func:`penalty`) or the
        tensors to threshold, taken as they are.
    threshold : float >= 0
        ``τ = lr · alpha · l1_ratio``: the L1 strength times the step size. With plain SGD
        this is the exact proximal gradient step.
    optimizer : torch.optim.Optimizer, optional
        When it is an ``Adam`` or ``AdamW`` (``amsgrad`` included), the threshold of each
        coordinate is divided by Adam's divisor ``sqrt(v_hat) + eps``: the prox is taken in the
        same diagonal metric as Adam's step, ``τ_i = lr·alpha·l1_ratio / (sqrt(v_hat_i) +
        eps)``. Then a weight at zero stays at zero exactly when the bias-corrected mean
        gradient satisfies ``|m_hat_i| ≤ alpha·l1_ratio``, the L1 optimality condition,
        whatever the gradient's scale. With the uniform threshold Adam's normalised steps
        (about ``lr`` each) would knock weights off zero unless ``alpha·l1_ratio`` were of
        order one. Other optimizers, and parameters the optimizer has not stepped yet, get
        the uniform threshold.
    exclude : see :func:`penalized_weights`; ignored when tensors are given.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) \
            or not math.isfinite(threshold) or threshold < 0:
        raise ValueError(f"threshold must be a finite number >= 0, got {threshold!r}")
    if threshold == 0:
        return
    weights = _weight_list(module, exclude)
    group_of: dict[int, dict] = {}
    if isinstance(optimizer, torch.optim.Adam):  # AdamW subclasses Adam
        group_of = {id(p): group for group in optimizer.param_groups for p in group["params"]}
    with torch.no_grad():
        for weight in weights:
            group = group_of.get(id(weight))
            divisor = None if group is None else _adam_denominator(optimizer, group, weight)
            if divisor is None:
                # softshrink(x, τ) = x − clip(x, −τ, τ): the soft-threshold, in one kernel.
                weight.copy_(torch.nn.functional.softshrink(weight, float(threshold)))
            else:
                coordinate_threshold = divisor.reciprocal_().mul_(threshold)
                # w − clip(w, −τ, τ) is exactly 0.0 where |w| ≤ τ (x − x == 0 for finite x).
                weight.sub_(torch.clamp(weight, min=-coordinate_threshold,
                                        max=coordinate_threshold))


def sparsity(module, *, exclude=DEFAULT_EXCLUDE) -> float:
    """Fraction of the penalized weights (see :func:`penalized_weights`) that are exactly 0."""
    weights = _weight_list(module, exclude)
    total = sum(weight.numel() for weight in weights)
    if total == 0:
        return 0.0
    zeros = sum(int((weight == 0).sum()) for weight in weights)
    return zeros / total
