"""penalty, penalized_weights, proximal_l1_step and sparsity, checked against hand computations."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402

from regularized.nn import (  # noqa: E402
    DEFAULT_EXCLUDE,
    penalized_weights,
    penalty,
    proximal_l1_step,
    sparsity,
)


def make_mixed_module():
    """Linear, convolution, embedding and three kinds of normalization layer."""
    torch.manual_seed(0)
    module = nn.Sequential(
        nn.Conv1d(2, 3, kernel_size=3),
        nn.BatchNorm1d(3),
        nn.Flatten(),
        nn.Linear(12, 5),
        nn.LayerNorm(5),
        nn.Linear(5, 4, bias=False),
        nn.GroupNorm(2, 4),
    )
    module.add_module("embedding", nn.Embedding(6, 4))
    with torch.no_grad():  # norm layers start at weight 1, bias 0: make them count if included
        for layer in (module[1], module[4], module[6]):
            layer.weight.uniform_(-2, 2)
            layer.bias.uniform_(-2, 2)
    return module


def hand_penalty(arrays, alpha, l1_ratio):
    l1 = sum(np.abs(a).sum() for a in arrays)
    l2 = sum((a ** 2).sum() for a in arrays)
    return alpha * (l1_ratio * l1 + (1 - l1_ratio) / 2 * l2)


def as_numpy(module, names):
    parameters = dict(module.named_parameters())
    return [parameters[name].detach().double().numpy() for name in names]


DEFAULT_PENALIZED = ["0.weight", "3.weight", "5.weight", "embedding.weight"]


def test_default_excludes_biases_and_normalization_layers():
    names = [name for name, _ in penalized_weights(make_mixed_module())]
    assert names == DEFAULT_PENALIZED


@pytest.mark.parametrize("alpha, l1_ratio", [(0.3, 0.0), (0.3, 1.0), (0.05, 0.25), (2.0, 0.5)])
def test_penalty_equals_hand_computation(alpha, l1_ratio):
    module = make_mixed_module()
    value = penalty(module, alpha, l1_ratio)
    expected = hand_penalty(as_numpy(module, DEFAULT_PENALIZED), alpha, l1_ratio)
    assert value.ndim == 0
    assert value.item() == pytest.approx(expected, rel=1e-6)


def test_penalty_with_nothing_excluded_counts_every_parameter():
    module = make_mixed_module()
    every_name = [name for name, _ in module.named_parameters()]
    value = penalty(module, 0.7, 0.4, exclude=())
    expected = hand_penalty(as_numpy(module, every_name), 0.7, 0.4)
    assert value.item() == pytest.approx(expected, rel=1e-6)
    # ...which is more than the default selection
    assert value.item() > penalty(module, 0.7, 0.4).item()


@pytest.mark.parametrize(
    "exclude, expected_names",
    [
        (("bias", nn.Embedding, *DEFAULT_EXCLUDE[1:]), ["0.weight", "3.weight", "5.weight"]),
        ((*DEFAULT_EXCLUDE, "embedding.*"), ["0.weight", "3.weight", "5.weight"]),
        ("*weight", ["0.bias", "1.bias", "3.bias", "4.bias", "6.bias"]),
        (lambda name, parameter: parameter.ndim < 2, ["0.weight", "3.weight", "5.weight",
                                                      "embedding.weight"]),
        (nn.Linear, ["0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias",
                     "6.weight", "6.bias", "embedding.weight"]),
    ],
    ids=["types", "glob-on-qualified-name", "single-pattern", "callable", "single-type"],
)
def test_exclude_rules(exclude, expected_names):
    names = [name for name, _ in penalized_weights(make_mixed_module(), exclude=exclude)]
    assert names == expected_names


def test_tied_weights_count_once_and_frozen_weights_are_skipped():
    first, second, frozen = nn.Linear(3, 3), nn.Linear(3, 3), nn.Linear(3, 2)
    second.weight = first.weight  # tied
    frozen.weight.requires_grad_(False)
    module = nn.Sequential(first, second, frozen)
    assert [name for name, _ in penalized_weights(module)] == ["0.weight"]
    expected = hand_penalty([first.weight.detach().numpy()], 1.0, 0.5)
    assert penalty(module, 1.0, 0.5).item() == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
def test_penalty_gradient_is_alpha_times_elastic_net_subgradient(l1_ratio):
    module = nn.Linear(4, 3)
    alpha = 0.2
    penalty(module, alpha, l1_ratio).backward()
    weight = module.weight.detach()
    expected = alpha * (l1_ratio * weight.sign() + (1 - l1_ratio) * weight)
    torch.testing.assert_close(module.weight.grad, expected)
    assert module.bias.grad is None  # never part of the penalty


def test_penalty_is_zero_for_alpha_zero_and_for_no_weights():
    assert penalty(nn.Linear(3, 2), 0.0, 0.5).item() == 0.0
    assert penalty(nn.LayerNorm(3), 1.0, 0.5).item() == 0.0  # nothing penalized


def test_penalty_accepts_tensors():
    weights = [torch.tensor([[1.0, -2.0]]), torch.tensor([3.0])]
    # 0.5 * (0.5 * 6 + 0.25 * 14)
    assert penalty(weights, 0.5, 0.5).item() == pytest.approx(0.5 * (0.5 * 6 + 0.25 * 14))


@pytest.mark.parametrize(
    "alpha, l1_ratio",
    [(-0.1, 0.5), (float("nan"), 0.5), (float("inf"), 0.5), (0.1, -0.01), (0.1, 1.5), ("1", 0.5)],
)
def test_penalty_rejects_bad_numbers(alpha, l1_ratio):
    with pytest.raises(ValueError):
        penalty(nn.Linear(2, 2), alpha, l1_ratio)


def test_bad_exclude_rules_are_rejected():
    with pytest.raises(TypeError):
        penalty(nn.Linear(2, 2), 1.0, 0.5, exclude=None)
    with pytest.raises(TypeError):
        penalty(nn.Linear(2, 2), 1.0, 0.5, exclude=(3,))


def test_proximal_step_is_soft_thresholding():
    layer = nn.Linear(50, 40)
    before_weight = layer.weight.detach().clone().numpy()
    before_bias = layer.bias.detach().clone()
    threshold = 0.05
    proximal_l1_step(layer, threshold)
    expected = np.sign(before_weight) * np.maximum(np.abs(before_weight) - threshold, 0.0)
    np.testing.assert_allclose(layer.weight.detach().numpy(), expected, rtol=0, atol=1e-7)
    # Exact zeros exactly where |w| <= threshold, and biases untouched.
    np.testing.assert_array_equal(layer.weight.detach().numpy() == 0,
                                  np.abs(before_weight) <= threshold)
    assert (np.abs(before_weight) <= threshold).any()
    assert torch.equal(layer.bias, before_bias)
    assert sparsity(layer) == pytest.approx((np.abs(before_weight) <= threshold).mean())


def test_proximal_step_with_zero_threshold_changes_nothing_and_rejects_negative():
    layer = nn.Linear(5, 5)
    before = layer.weight.detach().clone()
    proximal_l1_step(layer, 0.0)
    assert torch.equal(layer.weight, before)
    with pytest.raises(ValueError):
        proximal_l1_step(layer, -1e-3)


@pytest.mark.parametrize("optimizer_class, options", [
    (torch.optim.Adam, {}),
    (torch.optim.AdamW, {"weight_decay": 0.01}),
    (torch.optim.Adam, {"amsgrad": True}),
])
def test_proximal_step_uses_adams_metric(optimizer_class, options):
    """After an Adam step, coordinate i is thresholded at τ / (sqrt(v_i / (1 − β2^t)) + eps)."""
    torch.manual_seed(1)
    layer = nn.Linear(20, 10)
    optimizer = optimizer_class(layer.parameters(), lr=1e-2, **options)
    inputs, targets = torch.randn(64, 20), torch.randn(64, 10)
    for _ in range(3):
        optimizer.zero_grad()
        nn.functional.mse_loss(layer(inputs), targets).backward()
        optimizer.step()
    state = optimizer.state[layer.weight]
    second_moment = state["max_exp_avg_sq"] if options.get("amsgrad") else state["exp_avg_sq"]
    step = float(state["step"])
    divisor = (second_moment / (1 - 0.999 ** step)).sqrt() + 1e-8
    threshold = 1e-4
    coordinate_threshold = (threshold / divisor).numpy()
    before = layer.weight.detach().clone().numpy()
    # The per-coordinate thresholds must differ from the uniform one, or this test is moot.
    assert np.mean(np.abs(before) <= coordinate_threshold) > 0.05
    assert np.mean(np.abs(before) <= threshold) < 0.01
    proximal_l1_step(layer, threshold, optimizer=optimizer)
    expected = np.sign(before) * np.maximum(np.abs(before) - coordinate_threshold, 0.0)
    np.testing.assert_allclose(layer.weight.detach().numpy(), expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(layer.weight.detach().numpy() == 0,
                                  np.abs(before) <= coordinate_threshold)


def lasso_problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 10))
    coef = np.array([3.0, -2.0, 1.5, 0, 0, 0, 0, 0, 0, 0])
    y = X @ coef + rng.normal(size=100) + 1.0
    return X, y


def test_hand_loop_with_adam_and_proximal_step_reaches_the_lasso():
    """A linear layer trained full-batch with Adam + proximal_l1_step(optimizer=...) ends at
    scikit-learn's Lasso, zeros included: the prox in Adam's metric has the Lasso's KKT
    points as fixed points, and the penalty has the linear models' scale."""
    from sklearn.linear_model import Lasso

    X, y = lasso_problem()
    alpha = 0.3
    reference = Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(X, y)
    torch.manual_seed(0)
    layer = nn.Linear(10, 1)
    optimizer = torch.optim.Adam(layer.parameters(), lr=3e-2)
    inputs = torch.tensor(X, dtype=torch.float32)
    targets = torch.tensor(y, dtype=torch.float32)[:, None]
    for _ in range(600):
        optimizer.zero_grad()
        (nn.functional.mse_loss(layer(inputs), targets) / 2).backward()
        optimizer.step()
        proximal_l1_step(layer, 3e-2 * alpha, optimizer=optimizer)
    coef = layer.weight.detach().double().numpy().ravel()
    np.testing.assert_array_equal(coef == 0, reference.coef_ == 0)
    assert (reference.coef_ == 0).sum() >= 5
    np.testing.assert_allclose(coef, reference.coef_, atol=1e-4)
    assert layer.bias.item() == pytest.approx(reference.intercept_, abs=1e-4)


def test_subgradient_l1_gives_no_exact_zeros_but_the_proximal_step_does():
    """Back-propagating |W| (penalty with l1_ratio=1) oscillates around zero; the proximal
    step lands on it."""
    X, y = lasso_problem()
    inputs = torch.tensor(X, dtype=torch.float32)
    targets = torch.tensor(y, dtype=torch.float32)[:, None]
    alpha = 0.3
    zeros = {}
    for method in ("subgradient", "proximal"):
        torch.manual_seed(0)
        layer = nn.Linear(10, 1)
        optimizer = torch.optim.SGD(layer.parameters(), lr=0.05)
        for _ in range(500):
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(layer(inputs), targets) / 2
            if method == "subgradient":
                loss = loss + penalty(layer, alpha, 1.0)
            loss.backward()
            optimizer.step()
            if method == "proximal":
                proximal_l1_step(layer, 0.05 * alpha)
        zeros[method] = int((layer.weight == 0).sum())
    assert zeros["subgradient"] == 0
    assert zeros["proximal"] >= 5
