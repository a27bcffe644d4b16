"""Property tests (hypothesis) for regularized.path: invariances that must hold exactly in
exact arithmetic, checked through our own duality certificates (tests/_reference.py).

Sizes are small and the profile (tests/conftest.py) keeps max_examples modest and derandomized;
REGULARIZED_HYPOTHESIS_PROFILE=thorough runs many more examples.
"""

import types

import numpy as np
import scipy.sparse as sp
from hypothesis import assume, given
from hypothesis import strategies as st

import regularized
from _reference import (
    assert_same_solutions,
    default_alpha_max,
    make_problem,
    normalized_weights,
    to_design,
)

TOL = 1e-10
N_ALPHAS = 6


@st.composite
def problems(draw, min_n=4, max_n=24, max_p=9, sparse=None):
    n = draw(st.integers(min_n, max_n))
    p = draw(st.integers(1, max_p))
    seed = draw(st.integers(0, 2**31 - 1))
    is_sparse = draw(st.booleans()) if sparse is None else sparse
    X, y, w = make_problem(n, p, seed, sparse=is_sparse)
    return X, y, w


options = st.fixed_dictionaries(
    {
        "l1_ratio": st.sampled_from([1.0, 0.6, 0.2, 0.0]),
        "fit_intercept": st.booleans(),
        "weighted": st.booleans(),
        "positive": st.booleans(),
    }
)


def _kw(opts, w):
    return dict(
        l1_ratio=opts["l1_ratio"],
        fit_intercept=opts["fit_intercept"],
        sample_weight=w if opts["weighted"] else None,
        positive=opts["positive"],
    )


def _check_kw(kw):
    return dict(sample_weight=kw["sample_weight"], positive=kw["positive"],
                fit_intercept=kw["fit_intercept"])


@given(problems(sparse=True), options, st.sampled_from(["csc", "csr"]))
def test_dense_equals_sparse(prob, opts, fmt):
    X, y, w = prob
    kw = _kw(opts, w)
    dense = regularized.path(X, y, n_alphas=N_ALPHAS, tol=TOL, **kw)
    sparse = regularized.path(to_design(X, fmt), y, n_alphas=N_ALPHAS, tol=TOL, **kw)
    assert_same_solutions(dense, sparse, X, y, opts["l1_ratio"], 10 * TOL, **_check_kw(kw))


@given(problems(), options, st.randoms(use_true_random=False))
def test_column_permutation_invariance(prob, opts, rnd):
    X, y, w = prob
    p = X.shape[1]
    perm = np.array(rnd.sample(range(p), p))
    v = np.resize(np.array([1.0, 0.5, 2.0, 0.0]), p) if p > 1 else np.ones(1)
    kw = _kw(opts, w)
    a = regularized.path(X, y, n_alphas=N_ALPHAS, tol=TOL, penalty_factor=v, **kw)
    b = regularized.path(X[:, perm], y, n_alphas=N_ALPHAS, tol=TOL, penalty_factor=v[perm], **kw)

    def unpermute(c):
        out = np.empty_like(c)
        out[perm] = c
        return out

    assert_same_solutions(a, b, X, y, opts["l1_ratio"], 10 * TOL, penalty_factor=v,
                          coef_map=unpermute, **_check_kw(kw))


@given(problems(min_n=8), options, st.sampled_from(["C", "F"]))
def test_float32_close_to_float64(prob, opts, order):
    X, y, w = prob
    X32 = np.asarray(X, dtype=np.float32, order=order)
    y32 = y.astype(np.float32)
    X64 = X32.astype(np.float64)  # the same numbers, so both fits solve the same problem
    y64 = y32.astype(np.float64)
    kw = _kw(opts, w)
    r64 = regularized.path(X64, y64, n_alphas=N_ALPHAS, **kw)
    # the default grid is computed from the data: float32 arithmetic may move it slightly
    r32_default = regularized.path(X32, y32, n_alphas=N_ALPHAS, **kw)
    np.testing.assert_allclose(r32_default.alphas, r64.alphas, rtol=1e-4)
    r32 = regularized.path(X32, y32, alphas=np.asarray(r64.alphas), **kw)
    assert_same_solutions(r64, r32, X64, y64, opts["l1_ratio"], 1e-5, **_check_kw(kw))


@given(problems(), options, st.data())
def test_integer_weights_equal_repeated_rows(prob, opts, data):
    X, y, _ = prob
    n = X.shape[0]
    reps = np.array(data.draw(st.lists(st.integers(1, 3), min_size=n, max_size=n)))
    if data.draw(st.booleans()):  # a zero weight drops the row
        reps[data.draw(st.integers(0, n - 1))] = 0
    assume(np.sum(reps > 0) >= 3)
    Xr = np.repeat(X, reps, axis=0)
    yr = np.repeat(y, reps)
    assume(np.ptp(yr) > 0 and np.all(np.ptp(Xr, axis=0) > 0))
    kw = _kw(opts, None)
    kw.pop("sample_weight")
    weighted = regularized.path(X, y, n_alphas=N_ALPHAS, tol=TOL, sample_weight=reps, **kw)
    repeated = regularized.path(Xr, yr, n_alphas=N_ALPHAS, tol=TOL, **kw)
    assert_same_solutions(repeated, weighted, Xr, yr, opts["l1_ratio"], 10 * TOL,
                          positive=kw["positive"], fit_intercept=kw["fit_intercept"])


@given(problems(), options, st.sampled_from([1e-3, 0.5, 7.0, 1e4, -2.0]))
def test_rescaling_y(prob, opts, c):
    """Lasso: y → c·y gives alphas → |c|·alphas and (β, b) → c·(β, b).
    Ridge (explicit alphas): y → c·y gives (β, b) → c·(β, b) at the same alphas."""
    X, y, w = prob
    opts = dict(opts, l1_ratio=1.0 if opts["l1_ratio"] > 0 else 0.0)
    assume(not (opts["positive"] and c < 0))
    kw = _kw(opts, w)
    if opts["positive"]:
        # no feature correlating positively: β = 0 for every alpha, the default grid has
        # no scale to follow (alpha_max is 0); not what this property is about
        assume(default_alpha_max(X, y, 1.0, kw["sample_weight"], None, opts["fit_intercept"],
                                 positive=True) > 0)
    base = regularized.path(X, y, n_alphas=N_ALPHAS, tol=TOL, **kw)
    if opts["l1_ratio"] == 1.0:
        scaled = regularized.path(X, c * y, n_alphas=N_ALPHAS, tol=TOL, **kw)
        np.testing.assert_allclose(scaled.alphas, abs(c) * np.asarray(base.alphas), rtol=1e-9)
        back_alphas = np.asarray(scaled.alphas) / abs(c)
    else:
        scaled = regularized.path(X, c * y, alphas=np.asarray(base.alphas), tol=TOL, **kw)
        back_alphas = np.asarray(scaled.alphas)
    back = types.SimpleNamespace(
        alphas=back_alphas,
        coef=np.asarray(scaled.coef) / c,
        intercept=np.asarray(scaled.intercept) / c,
        gap=np.asarray(scaled.gap),
    )
    assert_same_solutions(base, back, X, y, opts["l1_ratio"], 10 * TOL, **_check_kw(kw))


@given(problems(min_n=6), options, st.sampled_from(["dense", "csc"]))
def test_standardize_equals_prestandardized_fit(prob, opts, fmt):
    """standardize=True == fitting ((X − mean_w) / std_w) and mapping back: β = β_s / s,
    b = b_s − meanᵀβ; the default grid is the standardized problem's grid (glmnet)."""
    X, y, w = prob
    w = w + 0.05  # strictly positive weights: no column is constant under the weights
    opts = dict(opts, fit_intercept=True)
    kw = _kw(opts, w)
    n = X.shape[0]
    wn = normalized_weights(kw["sample_weight"], n)
    m = wn @ X / n
    s = np.sqrt(wn @ (X - m) ** 2 / n)
    assume(np.all(s > 1e-8 * (1 + np.abs(m))))
    Xs = (X - m) / s
    pre = regularized.path(Xs, y, n_alphas=N_ALPHAS, tol=TOL, **kw)
    std = regularized.path(to_design(X, fmt), y, n_alphas=N_ALPHAS, tol=TOL, standardize=True,
                           **kw)
    amax = default_alpha_max(Xs, y, opts["l1_ratio"], kw["sample_weight"],
                             positive=opts["positive"])
    assume(amax > 0)
    np.testing.assert_allclose(std.alphas[0], amax, rtol=1e-9)
    coef_std = np.asarray(std.coef)
    mapped = types.SimpleNamespace(
        alphas=np.asarray(std.alphas),
        coef=coef_std * s,
        intercept=np.asarray(std.intercept) + coef_std @ m,
        gap=np.asarray(std.gap),
    )
    assert_same_solutions(pre, mapped, Xs, y, opts["l1_ratio"], 10 * TOL, **_check_kw(kw))


@given(problems(), options)
def test_predict_matches_coefficients(prob, opts):
    X, y, w = prob
    kw = _kw(opts, w)
    res = regularized.path(sp.csr_matrix(X), y, n_alphas=N_ALPHAS, **kw)
    pred = np.asarray(res.predict(X))
    np.testing.assert_allclose(pred, X @ np.asarray(res.coef).T + np.asarray(res.intercept),
                               rtol=1e-9, atol=1e-9 * (1 + np.abs(y).max()))
    assert np.all(np.asarray(res.n_nonzero) == np.count_nonzero(res.coef, axis=1))
    if opts["positive"]:
        assert np.all(np.asarray(res.coef) >= 0)
