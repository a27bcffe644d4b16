"""EarlyStopping on its own, and early stopping inside the estimators."""

import math
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402

from regularized.nn import EarlyStopping, MLPClassifier, MLPRegressor  # noqa: E402


def run(stopper, values):
    """Feed values until step() says stop; return how many were consumed."""
    for count, value in enumerate(values, start=1):
        if stopper.step(value):
            return count
    return None


def test_stops_after_patience_epochs_without_improvement():
    stopper = EarlyStopping(patience=3)
    assert run(stopper, [5.0, 4.0, 3.0, 3.5, 3.2, 3.1, 1.0]) == 6
    assert stopper.best_value == 3.0
    assert stopper.best_epoch == 3
    assert stopper.n_steps == 6
    assert stopper.history == [5.0, 4.0, 3.0, 3.5, 3.2, 3.1]
    assert stopper.should_stop


def test_improvement_resets_the_count():
    stopper = EarlyStopping(patience=2)
    assert run(stopper, [3.0, 3.1, 2.0, 2.1, 1.5, 1.6, 1.7, 0.0]) == 7
    assert stopper.best_epoch == 5


def test_min_delta_requires_a_large_enough_improvement():
    stopper = EarlyStopping(patience=2, min_delta=0.5)
    # 9.7 and 9.6 improve on 10 by less than 0.5: not improvements.
    assert run(stopper, [10.0, 9.7, 9.6, 9.0]) == 3
    assert stopper.best_epoch == 1
    relaxed = EarlyStopping(patience=2, min_delta=0.0)
    assert run(relaxed, [10.0, 9.7, 9.6, 9.0]) is None
    assert relaxed.best_epoch == 4


def test_mode_max_monitors_a_score():
    stopper = EarlyStopping(patience=2, mode="max")
    assert run(stopper, [0.5, 0.8, 0.7, 0.79, 0.9]) == 4
    assert stopper.best_value == 0.8 and stopper.best_epoch == 2


def test_nan_never_improves():
    stopper = EarlyStopping(patience=2)
    assert run(stopper, [1.0, math.nan, math.nan, 0.1]) == 3
    assert stopper.best_value == 1.0


def test_accepts_tensor_values():
    stopper = EarlyStopping(patience=1)
    stopper.step(torch.tensor(2.0))
    assert stopper.best_value == 2.0


def test_a_loss_that_requires_grad_is_recorded_without_a_warning():
    """A validation loss computed outside torch.no_grad() still requires grad; float() of it
    warns in PyTorch, so step() detaches it first."""
    weight = torch.tensor(2.0, requires_grad=True)
    stopper = EarlyStopping()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stopper.step(weight * 1.5)
    assert stopper.best_value == 3.0


def test_restore_loads_the_best_weights_and_the_copy_is_independent():
    module = nn.Linear(3, 2)
    stopper = EarlyStopping(patience=5)
    snapshots = []
    for value in [3.0, 1.0, 2.0]:
        snapshots.append({k: v.clone() for k, v in module.state_dict().items()})
        stopper.step(value, module)
        with torch.no_grad():  # "train": change the weights in place after each epoch
            module.weight.add_(1.0)
            module.bias.mul_(-2.0)
    stopper.restore(module)
    for name, tensor in module.state_dict().items():
        assert torch.equal(tensor, snapshots[1][name])
    assert not torch.equal(module.weight, snapshots[2]["weight"])


def test_restore_without_weights_raises():
    stopper = EarlyStopping()
    stopper.step(1.0)  # no module given
    with pytest.raises(RuntimeError):
        stopper.restore(nn.Linear(2, 2))
    no_copy = EarlyStopping(restore_best=False)
    no_copy.step(1.0, nn.Linear(2, 2))
    assert no_copy.best_state is None


def test_reset_forgets():
    stopper = EarlyStopping(patience=1)
    run(stopper, [1.0, 2.0])
    stopper.reset()
    assert stopper.n_steps == 0 and stopper.best_epoch is None and not stopper.should_stop


@pytest.mark.parametrize("kwargs", [
    {"patience": 0}, {"patience": 2.5}, {"patience": True}, {"min_delta": -1.0},
    {"min_delta": math.inf}, {"mode": "maximum"},
])
def test_bad_arguments_raise(kwargs):
    with pytest.raises(ValueError):
        EarlyStopping(**kwargs)


# -------------------------------------------------------------------- inside the estimators


def noisy_regression(n=120, p=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    y = X @ rng.normal(size=p) + 1.5 * rng.normal(size=n)
    return X, y


SETTINGS = dict(hidden_layer_sizes=(64, 64), batch_size=32, learning_rate=3e-3, max_epochs=150,
                random_state=3)


def state_dicts_equal(first, second):
    first, second = first.state_dict(), second.state_dict()
    return first.keys() == second.keys() and all(torch.equal(first[k], second[k]) for k in first)


def test_estimator_stops_early_and_restores_the_best_epoch():
    X, y = noisy_regression()
    patience = 8
    model = MLPRegressor(early_stopping=True, patience=patience, **SETTINGS).fit(X, y)
    validation = np.array(model.history_["validation_loss"])
    assert model.n_iter_ < SETTINGS["max_epochs"], "the task should overfit and stop early"
    assert len(validation) == len(model.history_["train_loss"]) == model.n_iter_
    assert model.best_epoch_ == int(np.argmin(validation)) + 1
    assert model.best_validation_loss_ == validation.min()
    assert model.n_iter_ == model.best_epoch_ + patience
    assert 1 < model.best_epoch_ < model.n_iter_

    # Training is deterministic, so a fit without early stopping (same validation split, so
    # same training rows) that runs exactly best_epoch_ epochs ends on the weights early
    # stopping restored -- bit for bit -- and one that runs all n_iter_ epochs does not.
    shorter = MLPRegressor(validation_fraction=0.1,
                           **{**SETTINGS, "max_epochs": model.best_epoch_}).fit(X, y)
    assert state_dicts_equal(model.module_, shorter.module_)
    np.testing.assert_array_equal(model.predict(X), shorter.predict(X))
    np.testing.assert_array_equal(shorter.history_["validation_loss"],
                                  validation[:model.best_epoch_])
    longer = MLPRegressor(validation_fraction=0.1,
                          **{**SETTINGS, "max_epochs": model.n_iter_}).fit(X, y)
    assert not state_dicts_equal(model.module_, longer.module_)


def test_min_delta_in_the_estimator():
    X, y = noisy_regression()
    model = MLPRegressor(early_stopping=True, patience=5, min_delta=0.05, **SETTINGS).fit(X, y)
    validation = np.array(model.history_["validation_loss"])
    # No later epoch beat the restored one by more than min_delta...
    assert (validation[model.best_epoch_:] > model.best_validation_loss_ - 0.05).all()
    assert model.n_iter_ == model.best_epoch_ + 5
    # ...and with an unreachable min_delta the first epoch stays the best.
    hopeless = MLPRegressor(early_stopping=True, patience=3, min_delta=1e9, **SETTINGS).fit(X, y)
    assert hopeless.best_epoch_ == 1 and hopeless.n_iter_ == 4


def test_classifier_early_stopping_monitors_cross_entropy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 4))
    y = np.where(X[:, 0] + rng.normal(scale=1.5, size=150) > 0, "yes", "no")
    model = MLPClassifier(early_stopping=True, validation_fraction=0.2, patience=5,
                          **SETTINGS).fit(X, y)
    validation = np.array(model.history_["validation_loss"])
    assert model.best_epoch_ == int(np.argmin(validation)) + 1
    assert model.n_iter_ == model.best_epoch_ + 5


def test_validation_without_early_stopping_only_records():
    X, y = noisy_regression()
    model = MLPRegressor(validation_fraction=0.2, **{**SETTINGS, "max_epochs": 20}).fit(X, y)
    assert model.n_iter_ == 20
    assert len(model.history_["validation_loss"]) == 20
    assert model.best_epoch_ is None and model.best_validation_loss_ is None
    no_validation = MLPRegressor(**{**SETTINGS, "max_epochs": 5}).fit(X, y)
    assert no_validation.history_["validation_loss"] == []
