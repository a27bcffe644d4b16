"""Input validation and edge cases of regularized.path: bad input gives a ValueError that names
the problem; odd-but-legal input (unsorted alphas, constant columns) is handled."""

import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

import regularized
from _reference import assert_certified, make_problem, to_design


@pytest.fixture(scope="module")
def data():
    X, y, w = make_problem(30, 6, seed=2)
    return X, y, w


def _raises(match_all, *args, **kwargs):
    """path(*args, **kwargs) raises ValueError whose message matches every regex given."""
    with pytest.raises(ValueError) as excinfo:
        regularized.path(*args, **kwargs)
    msg = str(excinfo.value)
    for pattern in match_all:
        assert re.search(pattern, msg, flags=re.IGNORECASE), (
            f"message {msg!r} does not name the problem (expected /{pattern}/)")


# --------------------------------------------------------------------------------------------
# non-finite values
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("design", ["dense", "csc", "csr"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
def test_non_finite_X(bad, design, data):
    X, y, _ = data
    X = X.copy()
    X[3, 2] = bad
    word = r"nan|finite" if np.isnan(bad) else r"inf"
    _raises([word], to_design(X, design), y)


@pytest.mark.parametrize("bad", [np.nan, np.inf], ids=["nan", "inf"])
def test_non_finite_y(bad, data):
    X, y, _ = data
    y = y.copy()
    y[5] = bad
    word = r"nan|finite" if np.isnan(bad) else r"inf"
    _raises([word], X, y)


# --------------------------------------------------------------------------------------------
# shapes
# --------------------------------------------------------------------------------------------
def test_mismatched_lengths(data):
    X, y, _ = data
    _raises([r"sample|length|shape|inconsistent|match|rows"], X, y[:-1])
    _raises([r"sample|length|shape|inconsistent|match|rows"], X[:-2], y)


def test_mismatched_sample_weight_length(data):
    X, y, w = data
    _raises([r"weight"], X, y, sample_weight=w[:-1])


def test_mismatched_penalty_factor_length(data):
    X, y, _ = data
    _raises([r"penalty"], X, y, penalty_factor=np.ones(X.shape[1] + 1))


@pytest.mark.parametrize("design", ["dense", "csc"])
def test_empty_X_no_samples(design):
    X = np.zeros((0, 3))
    y = np.zeros(0)
    Xd = sp.csc_matrix(X) if design == "csc" else X
    _raises([r"empty|sample|0"], Xd, y)


def test_empty_X_no_features():
    _raises([r"empty|feature|0"], np.zeros((5, 0)), np.arange(5.0))


# --------------------------------------------------------------------------------------------
# weights, penalty factors, alphas, l1_ratio
# --------------------------------------------------------------------------------------------
def test_negative_sample_weight(data):
    X, y, w = data
    w = w.copy()
    w[1] = -0.5
    _raises([r"weight", r"negativ|non-?negative|>= ?0|positive"], X, y, sample_weight=w)


def test_all_zero_sample_weight(data):
    X, y, _ = data
    _raises([r"weight", r"zero|sum|positive|all"], X, y, sample_weight=np.zeros(X.shape[0]))


def test_negative_penalty_factor(data):
    X, y, _ = data
    v = np.ones(X.shape[1])
    v[2] = -1.0
    _raises([r"penalty", r"negativ|non-?negative|>= ?0|positive"], X, y, penalty_factor=v)


@pytest.mark.parametrize("alphas", [[1.0, 0.0], [1.0, -0.1], [-1.0], [0.0]])
def test_non_positive_alphas(alphas, data):
    X, y, _ = data
    _raises([r"alpha", r"positive|> ?0|negative|zero|non-?positive"], X, y, alphas=alphas)


@pytest.mark.parametrize("l1_ratio", [-0.1, 1.5, np.nan])
def test_l1_ratio_outside_unit_interval(l1_ratio, data):
    X, y, _ = data
    _raises([r"l1_ratio"], X, y, l1_ratio=l1_ratio)


# --------------------------------------------------------------------------------------------
# odd but legal input
# --------------------------------------------------------------------------------------------
def test_unsorted_alphas_are_sorted_descending(data):
    X, y, w = data
    given = [0.05, 1.0, 0.2, 0.01]
    res = regularized.path(X, y, alphas=given, sample_weight=w, tol=1e-10)
    np.testing.assert_array_equal(np.asarray(res.alphas), np.sort(given)[::-1])
    ref = regularized.path(X, y, alphas=np.sort(given)[::-1], sample_weight=w, tol=1e-10)
    np.testing.assert_allclose(res.coef, ref.coef, rtol=1e-12, atol=1e-14)
    assert_certified(res, X, y, 1.0, 1e-10, sample_weight=w)


@pytest.mark.parametrize("standardize", [False, True], ids=["raw", "standardized"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("design", ["dense", "csc", "csr"])
def test_constant_column_gets_zero_coefficient(design, l1_ratio, standardize, data):
    X, y, w = data
    X = X.copy()
    X[:, 1] = 3.5  # constant
    X[:, 4] = 0.0  # all zero
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no 0/0 on the way
        res = regularized.path(to_design(X, design), y, l1_ratio=l1_ratio, n_alphas=8,
                               standardize=standardize, sample_weight=w, tol=1e-10)
    coef = np.asarray(res.coef)
    assert np.all(np.isfinite(coef)) and np.all(np.isfinite(res.intercept))
    assert np.all(coef[:, [1, 4]] == 0.0)
    assert np.any(coef[-1] != 0.0)
    if not standardize:
        assert_certified(res, X, y, l1_ratio, 1e-10, sample_weight=w)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.0])
def test_zero_column_without_intercept(l1_ratio, data):
    X, y, _ = data
    X = X.copy()
    X[:, 0] = 0.0
    res = regularized.path(sp.csc_matrix(X), y, l1_ratio=l1_ratio, fit_intercept=False,
                           n_alphas=6, tol=1e-10)
    assert np.all(np.asarray(res.coef)[:, 0] == 0.0)
    assert_certified(res, X, y, l1_ratio, 1e-10, fit_intercept=False)


def test_convergence_warning_names_alpha_and_gap():
    X, y, _ = make_problem(60, 30, seed=4)
    rng = np.random.default_rng(4)
    X = X + 3.0 * rng.standard_normal(60)[:, None]  # strongly correlated columns: slow CD
    with pytest.warns(ConvergenceWarning) as record:
        res = regularized.path(X, y, n_alphas=10, tol=1e-12, max_iter=1)
    msgs = [str(r.message) for r in record if issubclass(r.category, ConvergenceWarning)]
    assert any(re.search(r"alpha", m, re.I) and re.search(r"gap", m, re.I) for m in msgs), msgs
    # the warning contains the numbers: some alpha of the path and a gap above tol
    numbers = [float(t) for m in msgs for t in re.findall(r"[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?", m)]
    assert any(np.isclose(num, a, rtol=1e-2) for num in numbers for a in res.alphas), msgs
    assert np.any(np.asarray(res.gap) > 1e-12)


def test_no_convergence_warning_by_default(data):
    X, y, w = data
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        regularized.path(X, y, sample_weight=w)
        regularized.path(X, y, l1_ratio=0.5, positive=True)
        regularized.path(sp.csc_matrix(X), y, l1_ratio=0.0)


def test_inputs_are_not_modified(data):
    X, y, w = data
    Xc, yc, wc = X.copy(), y.copy(), w.copy()
    v = np.ones(X.shape[1])
    vc = v.copy()
    Xf = np.asfortranarray(X)
    Xs = sp.csc_matrix(X)
    Xs_data = Xs.data.copy()
    regularized.path(Xf, y, sample_weight=w, penalty_factor=v, standardize=True, n_alphas=5)
    regularized.path(Xs, y, sample_weight=w, standardize=True, n_alphas=5)
    np.testing.assert_array_equal(X, Xc)
    np.testing.assert_array_equal(Xf, Xc)
    np.testing.assert_array_equal(y, yc)
    np.testing.assert_array_equal(w, wc)
    np.testing.assert_array_equal(v, vc)
    np.testing.assert_array_equal(Xs.data, Xs_data)


def test_finite_check_is_exact_when_the_sum_overflows():
    # The fast check sums the entries; a sum that overflows on large finite values
    # must not be read as an infinity.
    from regularized._validation import all_finite, check_design

    big = np.full((3, 2), 1e308)
    assert all_finite(big) and check_design(big) is not None
    for bad in (np.inf, -np.inf, np.nan):
        X = big.copy()
        X[1, 1] = bad
        assert not all_finite(X)
        with pytest.raises(ValueError, match="NaN or infinity"):
            check_design(X)
    plus_minus = np.array([[np.inf, 1.0], [-np.inf, 2.0]])      # sums to NaN
    assert not all_finite(plus_minus)


def test_dataframe_of_numbers_and_bools_and_object_numbers_are_accepted():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(5)
    X = rng.standard_normal((30, 2))
    y = X[:, 0] + 0.1 * rng.standard_normal(30)
    frame = pd.DataFrame({"a": X[:, 0], "flag": X[:, 1] > 0})
    as_array = np.c_[X[:, 0], (X[:, 1] > 0).astype(float)]
    # (the frame's array may come in the other memory order: rounding-level differences)
    np.testing.assert_allclose(regularized.path(frame, y, n_alphas=4).coef,
                               regularized.path(as_array, y, n_alphas=4).coef,
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(regularized.path(X.astype(object), y, n_alphas=4).coef,
                               regularized.path(X, y, n_alphas=4).coef, rtol=1e-10, atol=1e-12)
    frame["kind"] = pd.Categorical(["u", "v"] * 15)
    with pytest.raises(ValueError, match="non-numeric columns: kind"):
        regularized.path(frame, y)
    with pytest.raises(ValueError, match="object holding non-numbers"):
        regularized.path(np.array([["a", 1.0]] * 30, dtype=object), y)
    nullable = pd.DataFrame({"n": pd.array([1, None] * 15, dtype="Int64"), "x": X[:, 1]})
    with pytest.raises(ValueError, match="NaN or infinity"):
        regularized.path(nullable, y)
