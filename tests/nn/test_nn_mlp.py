"""MLPRegressor and MLPClassifier: conventions, L1 sparsity, weight decay, dropout,
reproducibility, input validation and the fitted attributes."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from scipy.special import expit, softmax  # noqa: E402
from torch import nn  # noqa: E402

from regularized.nn import MLPClassifier, MLPRegressor, penalty, sparsity  # noqa: E402


def regression_data(n=200, p=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    y = X[:, 0] - X[:, 1] ** 2 + 0.3 * rng.normal(size=n)
    return X, y


def classification_data(n=150, p=4, n_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    centers = 3.0 * rng.normal(size=(n_classes, p))
    labels = rng.integers(n_classes, size=n)
    return centers[labels] + rng.normal(size=(n, p)), labels


def state_dicts_equal(first, second):
    first, second = first.state_dict(), second.state_dict()
    return first.keys() == second.keys() and all(torch.equal(first[k], second[k]) for k in first)


def histories_equal(first, second):
    return all(first[key] == second[key] for key in ("train_loss", "validation_loss", "penalty"))


SMALL = dict(hidden_layer_sizes=(32, 32), max_epochs=20, batch_size=50, learning_rate=3e-3)

# ------------------------------------------------------------------ the linear models' convention


@pytest.mark.parametrize("alpha, l1_ratio", [(0.3, 1.0), (0.3, 0.5), (0.5, 0.0)])
def test_no_hidden_layer_is_the_elastic_net(alpha, l1_ratio):
    """With hidden_layer_sizes=() the network is the linear model; full-batch training ends at
    scikit-learn's ElasticNet, which has the same scale (½·MSE + alpha·(l1_ratio·|w|₁ +
    (1−l1_ratio)/2·|w|²), intercept free) -- exact zeros included."""
    from sklearn.linear_model import ElasticNet

    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 10))
    y = X @ np.array([3.0, -2.0, 1.5, 0, 0, 0, 0, 0, 0, 0]) + rng.normal(size=100) + 1.0
    reference = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-12, max_iter=100_000).fit(X, y)
    model = MLPRegressor((), alpha=alpha, l1_ratio=l1_ratio, batch_size=100, learning_rate=3e-2,
                         max_epochs=600, random_state=0).fit(X, y)
    coef = model.module_[0].weight.detach().double().numpy().ravel()
    np.testing.assert_allclose(coef, reference.coef_, atol=1e-4)
    assert model.module_[0].bias.item() == pytest.approx(reference.intercept_, abs=1e-4)
    np.testing.assert_array_equal(coef == 0, reference.coef_ == 0)
    assert model.sparsity_ == pytest.approx(np.mean(reference.coef_ == 0))
    if l1_ratio > 0:
        assert model.n_zero_weights_ >= 5


@pytest.mark.parametrize("n_classes", [2, 3])
def test_no_hidden_layer_classifier_satisfies_the_elastic_net_kkt_conditions(n_classes):
    """Logistic (2 classes) and multinomial (3) losses on η with the penalty on the weights
    only: at the fit, the gradient of the mean loss g satisfies g_j = −alpha·(l1_ratio·sign(w_j)
    + (1−l1_ratio)·w_j) where w_j ≠ 0, |g_j| ≤ alpha·l1_ratio where w_j = 0, and is 0 for the
    intercepts."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(120, 8))
    scores = X[:, :2] @ rng.normal(size=(2, n_classes)) + rng.gumbel(size=(120, n_classes))
    labels = scores.argmax(axis=1)  # a multinomial logit model in the first two features
    alpha, l1_ratio = 0.02, 0.7
    model = MLPClassifier((), alpha=alpha, l1_ratio=l1_ratio, batch_size=120, learning_rate=3e-2,
                          max_epochs=600, random_state=0).fit(X, labels)
    weight = model.module_[0].weight.detach().double().numpy()  # (n_outputs, p)
    bias = model.module_[0].bias.detach().double().numpy()
    eta = X @ weight.T + bias
    if n_classes == 2:
        residual = expit(eta) - labels[:, None]
    else:
        residual = softmax(eta, axis=1) - np.eye(n_classes)[labels]
    gradient = residual.T @ X / len(X)
    nonzero = weight != 0
    assert 0 < nonzero.sum() < weight.size, "the test needs both zero and non-zero weights"
    stationarity = gradient + alpha * (l1_ratio * np.sign(weight) + (1 - l1_ratio) * weight)
    assert np.abs(stationarity[nonzero]).max() < 1e-4
    assert np.abs(gradient[~nonzero]).max() <= alpha * l1_ratio + 1e-4
    assert np.abs(residual.mean(axis=0)).max() < 1e-4


# ------------------------------------------------------------------ L1: exact zeros


def test_l1_gives_exact_zeros_growing_with_alpha():
    X, y = regression_data()
    sparsities = []
    for alpha in (0.001, 0.01, 0.1):
        model = MLPRegressor(alpha=alpha, l1_ratio=1.0, random_state=0, **SMALL).fit(X, y)
        weights = [layer.weight for layer in model.module_ if isinstance(layer, nn.Linear)]
        zeros = sum(int((w == 0).sum()) for w in weights)
        assert model.n_zero_weights_ == zeros
        assert model.n_weights_ == sum(w.numel() for w in weights) == 8 * 32 + 32 * 32 + 32
        assert model.sparsity_ == zeros / model.n_weights_ == sparsity(model.module_)
        sparsities.append(model.sparsity_)
    assert 0 < sparsities[0] < sparsities[1] < sparsities[2]
    assert sparsities[2] > 0.5


def test_pure_l2_gives_no_zeros():
    X, y = regression_data()
    model = MLPRegressor(alpha=0.1, l1_ratio=0.0, random_state=0, **SMALL).fit(X, y)
    assert model.sparsity_ == 0.0 and model.n_zero_weights_ == 0


@pytest.mark.parametrize("settings", [
    dict(alpha=10.0, l1_ratio=1.0),  # the penalty zeroes every weight...
    dict(alpha=0.0, weight_decay=10.0),  # ...as does strong decay
], ids=["l1", "weight_decay"])
def test_biases_are_never_penalized(settings):
    """With the weights driven to zero the network is its output bias, which is free to
    reach the mean of y (here about 5); were it penalized it would stay near 0."""
    X, y = regression_data()
    y = 5.0 + 0.1 * X[:, 0]
    model = MLPRegressor((16,), learning_rate=0.05, max_epochs=50, batch_size=50,
                         random_state=0, **settings).fit(X, y)
    predictions = model.predict(X)
    assert predictions.mean() > 4.5
    assert predictions.std() < 0.05
    if settings["alpha"]:
        assert model.sparsity_ == 1.0


# ------------------------------------------------------------------ initialisation

def untrained(activation="relu", sizes=(100,), n_features=20, seed=0):
    """A classifier whose one Adam step of 1e-10 leaves every parameter where it started."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(200, n_features))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    model = MLPClassifier(sizes, activation=activation, max_epochs=1, learning_rate=1e-10,
                          random_state=seed).fit(X, y)
    return model, X


@pytest.mark.parametrize("activation, factor",
                         [("relu", 6.0), ("gelu", 6.0), ("tanh", 6.0), ("logistic", 2.0)])
def test_initialisation_is_scikit_learns(activation, factor):
    """Every layer, the output layer included, starts as scikit-learn's MLP does (its
    ``_init_coef``): weights and biases uniform in ±sqrt(factor / (fan_in + fan_out)), factor 2
    for the logistic activation and 6 otherwise. (He-uniform hidden weights and zero biases,
    used before, gave the default network a 2.4x wider first layer on 20 features.)"""
    model, _ = untrained(activation, sizes=(100, 50))
    linears = [layer for layer in model.module_ if isinstance(layer, nn.Linear)]
    assert len(linears) == 3
    for layer in linears:
        fan_out, fan_in = layer.weight.shape
        bound = np.sqrt(factor / (fan_in + fan_out))
        for values in (layer.weight.detach().numpy().ravel(), layer.bias.detach().numpy()):
            assert np.abs(values).max() <= bound * (1 + 1e-6), (activation, layer)
            if values.size >= 50:  # uniform draws reach near the bound (0.8**50 ≈ 1e-5)
                assert np.abs(values).max() > 0.8 * bound, (activation, layer)
            if values.size >= 1000:
                assert values.var() == pytest.approx(bound**2 / 3, rel=0.1)


def test_default_network_starts_with_small_logits():
    """On 20 standard normal features the default network's first logits have a standard
    deviation of 0.38-0.51 on seeds 0-5 (scikit-learn's scale). With He-uniform hidden
    weights it was 0.92-1.35: training began from a random function as large as the signal,
    and default fits lagged scikit-learn's (0.37 accuracy after 30 epochs on a separable
    200-row problem)."""
    for seed in range(3):
        model, X = untrained(seed=seed)
        log_proba = model.predict_log_proba(X)
        logits = log_proba[:, 1] - log_proba[:, 0]
        assert logits.std() < 0.75, (seed, logits.std())


def test_weight_decay_is_decoupled():
    """With X = 0 the first layer's weights get exactly zero gradients, so Adam's update of them
    vanishes and only the decoupled decay acts: each step multiplies them by
    (1 − lr·weight_decay). (Coupled L2 would go through Adam's normalisation and move every
    weight by about lr per step.) Without a hidden layer η = b whatever W, so the bias
    follows the same path with and without decay unless the decay reached it."""
    X = np.zeros((32, 3))
    y = np.zeros(32)
    n_steps = 5 * 4
    for sizes in ((8,), ()):
        settings = dict(hidden_layer_sizes=sizes, alpha=0.0, batch_size=8, max_epochs=5,
                        learning_rate=0.01, random_state=0)
        initial = MLPRegressor(**settings).fit(X, y).module_
        decayed = MLPRegressor(weight_decay=2.0, **settings).fit(X, y).module_
        expected = initial[0].weight.detach() * (1 - 0.01 * 2.0) ** n_steps
        torch.testing.assert_close(decayed[0].weight.detach(), expected, rtol=1e-5, atol=0)
        if not sizes:
            assert torch.equal(decayed[0].bias, initial[0].bias)


def test_penalty_history_matches_the_final_weights():
    X, y = regression_data()
    model = MLPRegressor(alpha=0.02, l1_ratio=0.5, random_state=0, **SMALL).fit(X, y)
    expected = penalty(model.module_, 0.02, 0.5).item()
    assert model.history_["penalty"][-1] == pytest.approx(expected, rel=1e-5)


# ------------------------------------------------------------------ dropout and architecture


def test_dropout_layers_follow_the_rates():
    X, y = regression_data(n=40)
    model = MLPRegressor((8, 8, 8), dropout=(0.5, 0.0, 0.2), max_epochs=2,
                         random_state=0).fit(X, y)
    kinds = [type(layer).__name__ for layer in model.module_]
    assert kinds == ["Linear", "ReLU", "Dropout", "Linear", "ReLU", "Linear", "ReLU", "Dropout",
                     "Linear"]
    assert [layer.p for layer in model.module_ if isinstance(layer, nn.Dropout)] == [0.5, 0.2]
    same_rate = MLPRegressor((8, 8), dropout=0.3, max_epochs=2, random_state=0).fit(X, y)
    assert [layer.p for layer in same_rate.module_ if isinstance(layer, nn.Dropout)] == [0.3, 0.3]
    assert not model.module_.training  # fitted module is left in eval mode


def test_dropout_is_active_in_training_only():
    X, y = regression_data()
    settings = dict(SMALL, alpha=0.0, random_state=0)
    without = MLPRegressor(**settings).fit(X, y)
    with_dropout = MLPRegressor(dropout=0.5, **settings).fit(X, y)
    # Same seed, same init and shuffling: the trajectories differ only by the masks...
    assert not histories_equal(without.history_, with_dropout.history_)
    # ...and predictions are deterministic.
    np.testing.assert_array_equal(with_dropout.predict(X), with_dropout.predict(X))


@pytest.mark.parametrize("activation", ["relu", "gelu", "tanh", "logistic", "identity"])
def test_activations(activation):
    X, y = regression_data()
    model = MLPRegressor(activation=activation, random_state=0, **SMALL).fit(X, y)
    assert model.history_["train_loss"][-1] < model.history_["train_loss"][0]


# ------------------------------------------------------------------ reproducibility


@pytest.mark.parametrize("estimator_class", [MLPRegressor, MLPClassifier])
def test_same_seed_gives_identical_fits(estimator_class):
    """Every random choice at once: init, shuffling, validation split, dropout masks, with L1."""
    if estimator_class is MLPRegressor:
        X, y = regression_data()
    else:
        X, y = classification_data()
    settings = dict(SMALL, dropout=0.3, alpha=0.01, l1_ratio=0.5, early_stopping=True,
                    validation_fraction=0.2, patience=3)
    first = estimator_class(random_state=7, **settings).fit(X, y)
    torch.manual_seed(12345)  # the caller's global RNG state must not matter...
    np.random.seed(54321)
    second = estimator_class(random_state=7, **settings).fit(X, y)
    assert state_dicts_equal(first.module_, second.module_)
    assert histories_equal(first.history_, second.history_)
    np.testing.assert_array_equal(first.predict(X), second.predict(X))
    other = estimator_class(random_state=8, **settings).fit(X, y)
    assert not state_dicts_equal(first.module_, other.module_)


def test_fit_leaves_the_global_rng_alone():
    X, y = regression_data(n=60)
    torch.manual_seed(0)
    before = torch.get_rng_state()
    MLPRegressor(dropout=0.5, max_epochs=3, random_state=0).fit(X, y)
    assert torch.equal(torch.get_rng_state(), before)


def test_random_state_accepts_a_generator_and_none():
    X, y = regression_data(n=60)
    settings = dict(max_epochs=2, hidden_layer_sizes=(8,))
    first = MLPRegressor(random_state=np.random.RandomState(3), **settings).fit(X, y)
    second = MLPRegressor(random_state=np.random.RandomState(3), **settings).fit(X, y)
    assert state_dicts_equal(first.module_, second.module_)
    unseeded = [MLPRegressor(random_state=None, **settings).fit(X, y) for _ in range(2)]
    assert not state_dicts_equal(unseeded[0].module_, unseeded[1].module_)


# ------------------------------------------------------------------ predictions and attributes


def test_classifier_probabilities_and_labels():
    X, labels = classification_data()
    names = np.array(["cat", "dog", "emu"])
    model = MLPClassifier(random_state=0, **SMALL).fit(X, names[labels])
    np.testing.assert_array_equal(model.classes_, names)
    probabilities = model.predict_proba(X)
    assert probabilities.shape == (150, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    np.testing.assert_allclose(model.predict_log_proba(X), np.log(probabilities), atol=1e-10)
    np.testing.assert_array_equal(model.predict(X), names[probabilities.argmax(axis=1)])
    assert model.score(X, names[labels]) > 0.9
    assert model.module_[-1].out_features == 3


def test_binary_classifier_has_one_output():
    X, labels = classification_data(n_classes=2)
    model = MLPClassifier(random_state=0, **SMALL).fit(X, labels == 1)
    assert model.module_[-1].out_features == 1
    np.testing.assert_array_equal(model.classes_, [False, True])
    eta = model.module_(torch.tensor(X, dtype=torch.float32)).detach().numpy()[:, 0]
    np.testing.assert_allclose(model.predict_proba(X)[:, 1], expit(eta), rtol=1e-5)
    np.testing.assert_allclose(model.predict_log_proba(X), np.log(model.predict_proba(X)),
                               atol=1e-10)
    assert model.score(X, labels == 1) > 0.9


@pytest.mark.parametrize("y_shape", [(200,), (200, 1), (200, 3)])
def test_regressor_output_shapes(y_shape):
    X, y = regression_data()
    target = np.broadcast_to(y[:, None], (200, y_shape[1])) if len(y_shape) == 2 else y
    model = MLPRegressor(max_epochs=2, hidden_layer_sizes=(8,), random_state=0).fit(X, target)
    prediction = model.predict(X)
    assert prediction.shape == y_shape
    assert prediction.dtype == np.float64
    assert model.n_outputs_ == (y_shape[1] if len(y_shape) == 2 else 1)


def test_predictions_match_the_module():
    X, y = regression_data()
    model = MLPRegressor(random_state=0, **SMALL).fit(X, y)
    assert isinstance(model.module_, nn.Module)
    with torch.no_grad():
        direct = model.module_(torch.tensor(X, dtype=torch.float32)).numpy().ravel()
    np.testing.assert_allclose(model.predict(X), direct, rtol=1e-5, atol=1e-6)


def test_history_and_fit_attributes():
    X, y = regression_data()
    model = MLPRegressor(random_state=0, **SMALL).fit(X, y)
    assert set(model.history_) == {"train_loss", "validation_loss", "penalty", "epoch_time"}
    assert model.n_iter_ == 20
    assert all(len(model.history_[key]) == 20 for key in ("train_loss", "penalty", "epoch_time"))
    assert model.history_["train_loss"][-1] < 0.5 * model.history_["train_loss"][0]
    assert model.device_ == torch.device("cpu")
    assert model.n_features_in_ == 8
    assert not hasattr(model, "feature_names_in_")


def test_feature_names_from_pandas():
    pandas = pytest.importorskip("pandas")
    X, y = regression_data()
    frame = pandas.DataFrame(X, columns=[f"x{i}" for i in range(8)])
    model = MLPRegressor(max_epochs=2, random_state=0).fit(frame, y)
    np.testing.assert_array_equal(model.feature_names_in_, frame.columns)
    with pytest.warns(UserWarning, match="feature names"):
        from_array = model.predict(X)
    np.testing.assert_array_equal(model.predict(frame), from_array)


def test_verbose_prints_progress(capsys):
    X, y = regression_data(n=60)
    MLPRegressor(max_epochs=4, verbose=2, early_stopping=True, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("epoch    2/4") and "validation_loss=" in lines[0]
    assert lines[1].startswith("epoch    4/4")
    assert lines[2].startswith("early stopping: restored epoch")
    MLPRegressor(max_epochs=2, random_state=0).fit(X, y)
    assert capsys.readouterr().out == ""


def test_device_resolution():
    X, y = regression_data(n=40)
    for device in ("auto", "cpu", torch.device("cpu")):
        model = MLPRegressor(max_epochs=1, device=device, random_state=0).fit(X, y)
        expected = "cuda" if device == "auto" and torch.cuda.is_available() else "cpu"
        assert model.device_.type == expected
        assert next(model.module_.parameters()).device.type == expected
    with pytest.raises(ValueError, match="device"):
        MLPRegressor(device="gpu-please").fit(X, y)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA"):
            MLPRegressor(device="cuda").fit(X, y)


# ------------------------------------------------------------------ input validation

X_GOOD, Y_GOOD = regression_data(n=30)


def with_value(array, index, value):
    array = array.copy()
    array[index] = value
    return array


@pytest.mark.parametrize("X, y, match", [
    (with_value(X_GOOD, (3, 2), np.nan), Y_GOOD, "NaN"),
    (with_value(X_GOOD, (0, 0), np.inf), Y_GOOD, "infinity"),
    (X_GOOD, with_value(Y_GOOD, 5, np.nan), "NaN"),
    (X_GOOD[:-1], Y_GOOD, "inconsistent numbers of samples"),
    (np.zeros((0, 8)), np.zeros(0), "0 sample"),
    (X_GOOD[:, 0], Y_GOOD, "2D array"),
], ids=["nan-X", "inf-X", "nan-y", "length-mismatch", "empty", "1d-X"])
def test_bad_data_raises_value_error(X, y, match):
    with pytest.raises(ValueError, match=match):
        MLPRegressor(max_epochs=1).fit(X, y)


def test_classifier_target_errors():
    with pytest.raises(ValueError, match="class"):
        MLPClassifier(max_epochs=1).fit(X_GOOD, np.ones(30))
    with pytest.raises(ValueError, match="Unknown label type"):
        MLPClassifier(max_epochs=1).fit(X_GOOD, Y_GOOD)
    with pytest.raises(ValueError, match="1d array"):  # multilabel indicators: unsupported
        MLPClassifier(max_epochs=1).fit(X_GOOD, np.eye(3)[np.arange(30) % 3])


def test_predict_checks_features():
    model = MLPRegressor(max_epochs=1, random_state=0).fit(X_GOOD, Y_GOOD)
    with pytest.raises(ValueError, match="features"):
        model.predict(X_GOOD[:, :5])
    with pytest.raises(ValueError, match="NaN"):
        model.predict(with_value(X_GOOD, (0, 0), np.nan))


@pytest.mark.parametrize("parameters", [
    {"hidden_layer_sizes": (10, 0)}, {"hidden_layer_sizes": (10, 2.5)},
    {"hidden_layer_sizes": "wide"}, {"activation": "swish"},
    {"alpha": -1e-3}, {"alpha": float("nan")}, {"l1_ratio": 1.2}, {"l1_ratio": -0.1},
    {"weight_decay": -1.0}, {"dropout": 1.0}, {"dropout": -0.1}, {"dropout": (0.1, 0.2)},
    {"dropout": "half"}, {"early_stopping": "yes"}, {"validation_fraction": 1.0},
    {"validation_fraction": -0.1}, {"early_stopping": True, "validation_fraction": 0.0},
    {"patience": 0}, {"min_delta": -1.0}, {"max_epochs": 0}, {"max_epochs": 2.5},
    {"batch_size": 0}, {"batch_size": "big"}, {"learning_rate": 0.0},
    {"learning_rate": float("inf")}, {"verbose": -1},
], ids=repr)
def test_bad_hyperparameters_raise_value_error(parameters):
    model = MLPRegressor(**parameters)  # nothing is checked at construction...
    for name, value in parameters.items():
        assert model.get_params()[name] is value
    with pytest.raises(ValueError):  # ...but fit refuses
        model.fit(X_GOOD, Y_GOOD)


def test_dropout_given_as_a_string_is_refused_as_such():
    """A string is iterable; its characters were taken as rates ("dropout has 3 rates but
    there are 1 hidden layers" for "0.1")."""
    for sizes in [(8,), (8, 8, 8)]:
        with pytest.raises(ValueError, match="dropout must be a rate in .* got '0.1'"):
            MLPRegressor(sizes, dropout="0.1", max_epochs=1).fit(X_GOOD, Y_GOOD)


def test_targets_beyond_float32_range_are_refused():
    """y is finite in float64 but overflows the float32 the network trains in; that was
    reported as a training loss of inf at epoch 1."""
    with pytest.raises(ValueError, match="float32"):
        MLPRegressor(max_epochs=1).fit(X_GOOD, 1e39 * Y_GOOD)


def test_single_class_is_named_plainly():
    with pytest.raises(ValueError, match="one class: 'spam'$"):
        MLPClassifier(max_epochs=1).fit(X_GOOD, np.array(["spam"] * 30))


def test_a_failed_refit_leaves_the_estimator_unfitted():
    """Validation sets n_features_in_ and classes_ for the new data before training can fail;
    the old network must not stay behind to be called with them."""
    from sklearn.exceptions import NotFittedError

    regressor = MLPRegressor((8,), max_epochs=1, random_state=0).fit(X_GOOD, Y_GOOD)
    with pytest.raises(FloatingPointError):
        regressor.set_params(learning_rate=1e30).fit(X_GOOD[:, :3], 1e30 * Y_GOOD)
    with pytest.raises(NotFittedError):
        regressor.predict(X_GOOD[:, :3])

    labels = (X_GOOD[:, 0] > 0).astype(int)
    classifier = MLPClassifier((8,), max_epochs=1, random_state=0).fit(X_GOOD, labels)
    with pytest.raises(ValueError, match="2 classes"):
        classifier.fit(X_GOOD, np.zeros(30))
    with pytest.raises(NotFittedError):
        classifier.predict(X_GOOD)
    classifier.fit(X_GOOD, labels)  # and a later fit works as usual
    assert classifier.predict(X_GOOD).shape == (30,)


def test_validation_split_must_leave_training_rows():
    with pytest.raises(ValueError, match="no training samples"):
        MLPRegressor(validation_fraction=0.9, max_epochs=1).fit(X_GOOD[:2], Y_GOOD[:2])


def test_divergence_is_reported():
    X, y = regression_data(n=40)
    with pytest.raises(FloatingPointError, match="diverged"):
        MLPRegressor(learning_rate=1e30, max_epochs=5, random_state=0).fit(X, 1e30 * y)
