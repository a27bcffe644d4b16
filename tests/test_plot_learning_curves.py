"""regularized.plot.plot_learning_curves: one panel per network, drawn from its history."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from regularized.plot import plot_learning_curves  # noqa: E402

HISTORY_A = {"train_loss": [3.0, 2.0, 1.5, 1.2], "validation_loss": [3.2, 2.5, 2.4, 2.6],
             "best_epoch": 3}
HISTORY_B = {"train_loss": [4.0, 3.0, 2.5], "validation_loss": []}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def lines_by_label(axes):
    return {line.get_label(): line for line in axes.get_lines()}


def test_one_history_gives_one_axes_with_its_curves():
    axes = plot_learning_curves(HISTORY_A, labels=["A"])
    assert isinstance(axes, matplotlib.axes.Axes)
    lines = lines_by_label(axes)
    np.testing.assert_array_equal(lines["train"].get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(lines["train"].get_ydata(), HISTORY_A["train_loss"])
    np.testing.assert_array_equal(lines["validation"].get_ydata(), HISTORY_A["validation_loss"])
    np.testing.assert_array_equal(lines["best epoch (3)"].get_xdata(), [3, 3])
    assert axes.get_title() == "A"
    assert axes.get_xlabel() == "epoch" and axes.get_ylabel() == "loss"


def test_several_side_by_side_with_shared_loss_axis():
    axes = plot_learning_curves({"first": HISTORY_A, "second": HISTORY_B})
    assert isinstance(axes, np.ndarray) and axes.shape == (2,)
    assert [panel.get_title() for panel in axes] == ["first", "second"]
    # No validation curve or best-epoch line where the history has none.
    assert set(lines_by_label(axes[1])) == {"train"}
    assert axes[0].get_figure() is axes[1].get_figure()
    assert axes[0].get_ylim() == axes[1].get_ylim()  # sharey
    # Side by side: same row, left to right.
    first, second = (panel.get_position() for panel in axes)
    assert first.y0 == pytest.approx(second.y0) and first.x1 < second.x0


def test_given_axes_are_used_and_returned():
    figure, given = plt.subplots(1, 2)
    axes = plot_learning_curves([HISTORY_A, HISTORY_B], ax=given, logy=True, show_best=False)
    assert list(axes) == list(given)
    assert axes[0].get_yscale() == "log"
    assert not any(label.startswith("best") for label in lines_by_label(axes[0]))
    single_figure, single_ax = plt.subplots()
    assert plot_learning_curves(HISTORY_B, ax=single_ax) is single_ax


def test_mismatched_counts_and_bad_inputs_raise():
    figure, given = plt.subplots(1, 3)
    with pytest.raises(ValueError, match="3 Axes for 2 models"):
        plot_learning_curves([HISTORY_A, HISTORY_B], ax=given)
    with pytest.raises(ValueError, match="1 labels for 2 models"):
        plot_learning_curves([HISTORY_A, HISTORY_B], labels=["only one"])
    with pytest.raises(ValueError, match="at least one"):
        plot_learning_curves([])
    with pytest.raises(ValueError, match="history_"):
        plot_learning_curves([object()])
    with pytest.raises(ValueError, match="train_loss"):
        plot_learning_curves([{"validation_loss": [1.0]}])


def test_fitted_networks_are_labelled_by_their_regularization():
    pytest.importorskip("torch")
    from regularized.nn import MLPRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=60)
    settings = dict(hidden_layer_sizes=(8,), max_epochs=6, random_state=0)
    plain = MLPRegressor(alpha=0.0, **settings).fit(X, y)
    penalized = MLPRegressor(alpha=0.01, l1_ratio=0.5, dropout=0.2, **settings).fit(X, y)
    stopped = MLPRegressor(alpha=0.0, early_stopping=True, patience=2, **settings).fit(X, y)
    axes = plot_learning_curves([plain, penalized, stopped])
    assert [panel.get_title() for panel in axes] == [
        "no regularization", "alpha=0.01, l1_ratio=0.5, dropout=0.2", "early stopping"]
    np.testing.assert_array_equal(lines_by_label(axes[1])["train"].get_ydata(),
                                  penalized.history_["train_loss"])
    stopped_lines = lines_by_label(axes[2])
    np.testing.assert_array_equal(stopped_lines["validation"].get_ydata(),
                                  stopped.history_["validation_loss"])
    assert f"best epoch ({stopped.best_epoch_})" in stopped_lines
    with pytest.raises(ValueError, match="history_"):
        plot_learning_curves(MLPRegressor())
