"""regularized.plot: path, CV, bias-variance, sparsity and coefficient plots (Agg backend)."""
import numpy as np
import pytest

pytest.importorskip("matplotlib")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from regularized import path  # noqa: E402
from regularized.cv import cv_path  # noqa: E402
from regularized.datasets import make_sparse_regression  # noqa: E402
from regularized.diagnostics import bias_variance  # noqa: E402
from regularized.estimators import Lasso, LassoCV, LogisticRegression  # noqa: E402
from regularized.plot import (plot_bias_variance, plot_coefficients, plot_cv,  # noqa: E402
                              plot_path, plot_sparsity)

NAMES = [f"gene_{j}" for j in range(10)]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    X, y, coef = make_sparse_regression(80, 10, n_informative=3, noise=0.5, random_state=0)
    return X, y, coef


@pytest.fixture(scope="module")
def cv(data):
    X, y, _ = data
    return cv_path(X, y, n_alphas=30, cv=4, random_state=0)


def rendered(ax):
    """Draw the figure to pixels (Agg) and return them."""
    fig = ax.get_figure()
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())


def texts(ax):
    return [t.get_text() for t in ax.texts]


def top_labels(ax):
    (top,) = ax.child_axes
    return [t.get_text() for t in top.get_xticklabels()]


def test_plot_path_labels_top_features_and_counts_nonzeros(data, cv):
    _, _, coef = data
    ax = plot_path(cv, feature_names=NAMES, top_k=3)
    assert isinstance(ax, matplotlib.axes.Axes)
    assert ax.get_xscale() == "log"
    lo, hi = ax.get_xlim()
    assert lo > hi                                      # strong penalty on the left
    # the three true features are the three labelled (largest at the weakest penalty)
    assert set(texts(ax)) == {NAMES[j] for j in np.flatnonzero(coef)}
    counts = [int(c) for c in top_labels(ax)]
    assert counts[0] == 0 and counts == sorted(counts)
    # alpha_min and alpha_1se are marked
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(f"alpha_min = {cv.alpha_min:.3g}" == t for t in legend)
    assert any(f"alpha_1se = {cv.alpha_1se:.3g}" == t for t in legend)
    assert rendered(ax).std() > 0


@pytest.mark.parametrize("xvar, label", [("l1_norm", "L1 norm"), ("deviance", "deviance")])
def test_plot_path_other_x_axes(data, xvar, label):
    X, y, _ = data
    fit = path(X, y, n_alphas=20)
    fig, given = plt.subplots()
    ax = plot_path(fit, xvar=xvar, ax=given, standardized=True, scale=X.std(axis=0))
    assert ax is given and label in ax.get_xlabel() and "s.d." in ax.get_ylabel()
    lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 20]
    assert len(lines) == np.count_nonzero(np.any(fit.coef != 0, axis=0))
    rendered(ax)
    with pytest.raises(ValueError, match="xvar"):
        plot_path(fit, xvar="lambda")


def test_plot_path_accepts_estimators_and_refuses_one_alpha_fits(data):
    X, y, _ = data
    import pandas as pd

    frame = pd.DataFrame(X, columns=NAMES)
    est = LassoCV(alphas=15, cv=3).fit(frame, y)
    ax = plot_path(est, top_k=2)
    assert set(texts(ax)) <= set(NAMES) and len(texts(ax)) == 2
    with pytest.raises(ValueError, match="one alpha"):
        plot_path(Lasso(alpha=0.1).fit(X, y))
    with pytest.raises(ValueError, match="feature names"):
        plot_path(est, feature_names=["a"])


def test_plot_path_multinomial_draws_norms_or_one_class():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    y = np.digitize(X[:, 0], [-0.4, 0.4])
    fit = path(X, y, loss="multinomial", n_alphas=5, alpha_min_ratio=0.05)
    ax = plot_path(fit)
    assert "norm over classes" in ax.get_ylabel()
    ax = plot_path(fit, class_index=2)
    assert "class 2" in ax.get_ylabel()
    rendered(ax)


def test_plot_cv_marks_alpha_min_and_1se(cv):
    ax = plot_cv(cv)
    (errorbar,) = ax.containers
    np.testing.assert_allclose(errorbar.lines[0].get_ydata(), cv.cvm)
    vlines = [ln for ln in ax.get_lines() if ln.get_linestyle() in ("--", ":")]
    xs = sorted(float(ln.get_xdata()[0]) for ln in vlines)
    assert xs == sorted([cv.alpha_min, cv.alpha_1se])
    assert cv.alpha_1se >= cv.alpha_min
    assert "mean squared error" in ax.get_ylabel() and "4 folds" in ax.get_ylabel()
    assert top_labels(ax)
    rendered(ax)
    with pytest.raises(ValueError, match="cross-validation"):
        plot_cv(cv.path)


def test_plot_bias_variance(data):
    X, y, _ = data
    res = bias_variance(Lasso(), X, y, np.logspace(0, -2.5, 6), n_rounds=5, random_state=0)
    ax = plot_bias_variance(res)
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert {"expected test error", "bias²", "variance"} <= set(labels)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), res.error)
    assert any(label.startswith("noise") for label in labels)
    rendered(ax)
    res_unknown = bias_variance(Lasso(), X, y, [1.0, 0.1], n_rounds=3, noise_variance=None)
    ax = plot_bias_variance(res_unknown)
    assert "bias² + noise" in [ln.get_label() for ln in ax.get_lines()]
    with pytest.raises(ValueError, match="bias_variance"):
        plot_bias_variance(object())


def test_plot_sparsity_compares_the_three_penalties(data):
    X, y, _ = data
    ax = plot_sparsity(X, y, n_alphas=15)
    labels = [ln.get_label() for ln in ax.get_lines() if not ln.get_label().startswith("_")]
    assert labels == ["L1 (lasso)", "elastic net (l1_ratio=0.5)", "L2 (ridge)"]
    lasso, enet, ridge = (ax.get_lines()[k].get_ydata() for k in range(3))
    assert lasso[0] == 0 and np.all(ridge == X.shape[1])
    fits = {"lasso": path(X, y, n_alphas=10), "ridge": path(X, y, l1_ratio=0, n_alphas=10)}
    ax = plot_sparsity(fits)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["lasso", "ridge"]
    rendered(ax)
    with pytest.raises(ValueError, match="needs y"):
        plot_sparsity(X)


def test_plot_coefficients_sorted_with_names(data):
    X, y, coef = data
    est = Lasso(alpha=0.05).fit(X, y)
    ax = plot_coefficients(est, feature_names=NAMES)
    names = [t.get_text() for t in ax.get_yticklabels()]
    values = [bar.get_width() for bar in ax.patches]
    assert values == sorted(values) and len(values) == np.count_nonzero(est.coef_)
    assert names == [NAMES[j] for j in np.flatnonzero(est.coef_)[np.argsort(
        est.coef_[est.coef_ != 0])]]
    assert f"{X.shape[1] - np.count_nonzero(est.coef_)} of 10 coefficients are zero" in \
        ax.get_title()
    ax = plot_coefficients(est.coef_, standardized=True, scale=X.std(axis=0), top_k=2)
    assert len(ax.patches) == 2 and "standard deviation" in ax.get_xlabel()
    rendered(ax)


def test_plot_coefficients_multiclass_grouped_bars():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((90, 3))
    y = np.digitize(X[:, 0] + 0.3 * X[:, 1], [-0.5, 0.5])
    est = LogisticRegression(C=1.0, l1_ratio=1.0).fit(X, y)
    ax = plot_coefficients(est, feature_names=["a", "b", "c"])
    assert len(ax.patches) == 3 * len(ax.get_yticklabels())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1",
                                                                    "class 2"]
    ax = plot_coefficients(est, class_index=1)
    assert ax.get_legend() is None
    rendered(ax)


def test_an_unpenalized_cv_point_is_drawn_as_a_level_without_warnings():
    """LogisticRegressionCV with C = inf in Cs: its alpha-0 point has no place on the log
    axis; plot_cv draws its score as a level and plot_path leaves it out, with no
    divide-by-zero or log-axis warnings; coef_at between the last alpha and 0 is linear
    in alpha."""
    import warnings

    from sklearn.datasets import make_classification

    X, y = make_classification(300, 6, random_state=0)
    from regularized.estimators import LogisticRegressionCV

    est = LogisticRegressionCV(Cs=[0.01, 0.1, 1.0, np.inf], cv=3).fit(X, y)
    assert est.cv_path_.alphas[-1] == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = plot_cv(est)
        plot_path(est)
        half = est.path_.coef_at(est.path_.alphas[-2] / 2)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(label.startswith("unpenalized fit") for label in labels)
    np.testing.assert_allclose(half, 0.5 * (est.path_.coef[-2] + est.path_.coef[-1]))
