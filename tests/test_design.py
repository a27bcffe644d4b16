"""The raw Gram XᵀWX of dense designs (design.raw_gram), every storage path."""
import numpy as np
import pytest

import regularized
from regularized import design


def _reference(X, w):
    Xd = np.asarray(X, dtype=np.float64)
    return (Xd * w[:, None]).T @ Xd


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("block_elements", [1 << 22, 37])
def test_raw_gram_matches_numpy(monkeypatch, dtype, order, weighted, block_elements):
    # block_elements=37 splits the 90 rows into blocks of 3: the blocked
    # (weighted / float32) path must accumulate every block, not keep the last.
    monkeypatch.setattr(design, "GRAM_BLOCK_ELEMENTS", block_elements)
    rng = np.random.default_rng(0)
    X = np.asarray(rng.normal(size=(90, 12)), dtype=dtype, order=order)
    w = rng.uniform(0.2, 3.0, 90) if weighted else np.ones(90)
    G = design.raw_gram(X, w)
    R = _reference(X, w)
    np.testing.assert_allclose(G, R, rtol=1e-10 if dtype == np.float64 else 1e-5,
                               atol=1e-10 * np.abs(R).max())
    assert np.array_equal(G, G.T)
    assert G.flags.c_contiguous


@pytest.mark.parametrize("weighted", [False, True])
def test_large_gram_is_symmetric_and_exact(weighted):
    # Large enough for several 64-wide tiles of the triangle mirroring (weighted path).
    rng = np.random.default_rng(1)
    X = np.asfortranarray(rng.normal(size=(600, 300)))
    w = rng.uniform(0.5, 2.0, 600) if weighted else np.ones(600)
    G = design.raw_gram(X, w)
    np.testing.assert_allclose(G, _reference(X, w), rtol=1e-12, atol=1e-9)
    assert np.array_equal(G, G.T)


@pytest.mark.parametrize("order", ["C", "F"])
def test_gram_of_a_row_block_view(order):
    # A K-fold's held-out rows of an F-ordered X are a strided view (leading
    # dimension n): read in place, its Gram is that of the block's copy.
    rng = np.random.default_rng(3)
    X = np.asarray(rng.normal(size=(500, 40)), order=order)
    block = X[120:260]
    G = design.raw_gram(block, np.ones(140))
    np.testing.assert_allclose(G, _reference(np.array(block), np.ones(140)), rtol=1e-12,
                               atol=1e-10)
    assert np.array_equal(G, G.T)


def test_centred_gram_of_statistics_matches_the_centred_design():
    rng = np.random.default_rng(4)
    X = rng.normal(loc=3.0, scale=[0.5, 1.0, 4.0, 2.0, 0.1], size=(80, 5))
    y = rng.normal(size=80)
    w = rng.uniform(0.5, 2.0, 80)
    for standardize in (False, True):
        d = design.GramDesign(design.GramStats.from_data(X, y, w), True, standardize)
        wn = w * 80 / w.sum()
        Xc = X - wn @ X / 80
        s = np.sqrt(wn @ Xc ** 2 / 80) if standardize else np.ones(5)
        np.testing.assert_allclose(d.gram(), (Xc / s).T @ (wn[:, None] * Xc / s),
                                   rtol=1e-10)
        np.testing.assert_allclose(d.hess, np.diag(d.gram()), rtol=1e-12)


def test_weighted_path_does_not_depend_on_the_gram_blocking(monkeypatch):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 15))
    y = X[:, :3] @ np.array([1.0, -2.0, 0.5]) + rng.normal(size=200)
    w = rng.uniform(0.5, 2.0, 200)
    one_block = regularized.path(X, y, sample_weight=w, tol=1e-10)
    monkeypatch.setattr(design, "GRAM_BLOCK_ELEMENTS", 50)     # blocks of 3 rows
    many_blocks = regularized.path(X, y, sample_weight=w, tol=1e-10)
    np.testing.assert_allclose(many_blocks.coef, one_block.coef, rtol=1e-7, atol=1e-9)


# ---------------------------------------------------------------------------------------
# Columns (or targets) whose mean is large next to their spread: years, coordinates,
# prices. Centring raw sums would lose that spread; the answers must not depend on it.
# ---------------------------------------------------------------------------------------
def _offset_problem(offset, n=300, p=8, seed=7):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, p)) * np.array([1.0, 1e-3] + [1.0] * (p - 2))
    y = Z[:, 0] - 0.5 * Z[:, 2] + rng.normal(size=n)
    # |Z| < 2^3 on a 2^-20 grid and offsets up to 2^28: X − offset is exactly Z (49
    # bits), so every offset poses the same centred problem. Products with the raw X
    # keep a relative error of about ε·offset (linear, not squared, in the offset).
    Z = np.round(Z * 2.0 ** 20) / 2.0 ** 20
    y = np.round(y * 2.0 ** 20) / 2.0 ** 20
    X = Z + offset
    return X, y + offset, Z, y


def test_raw_gram_about_a_shift_is_the_gram_of_the_shifted_rows():
    rng = np.random.default_rng(5)
    X = rng.normal(loc=1e6, size=(70, 6))
    w = rng.uniform(0.5, 2.0, 70)
    s = X.mean(axis=0)
    np.testing.assert_allclose(design.raw_gram(X, w, shift=s), _reference(X - s, w),
                               rtol=1e-12)


@pytest.mark.parametrize("offset", [2.0 ** 20, 2.0 ** 28])
@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_path_does_not_depend_on_a_large_offset(offset, standardize, weighted):
    X, y, Z, y0 = _offset_problem(offset)
    w = np.random.default_rng(1).uniform(0.5, 2.0, len(y)) if weighted else None
    kw = dict(sample_weight=w, standardize=standardize, tol=1e-10, n_alphas=20)
    ref = regularized.path(Z, y0, **kw)
    got = regularized.path(X, y, **kw)
    assert got.gap.max() <= 1e-10
    np.testing.assert_allclose(got.alphas, ref.alphas, rtol=1e-6)
    np.testing.assert_allclose(got.coef, ref.coef, rtol=1e-6, atol=1e-7 * np.abs(ref.coef).max())
    # the intercept carries the offset: b = ȳ − x̄ᵀβ on the original scale
    np.testing.assert_allclose(got.intercept - offset + offset * got.coef.sum(axis=1),
                               ref.intercept, atol=1e-5)


def test_sparse_path_with_a_dense_year_column_matches_the_dense_path():
    # Text-like counts beside a year column (mean 2005, spread 9): the sparse design
    # centres implicitly and must give the dense design's certified answer.
    import scipy.sparse as sp

    rng = np.random.default_rng(8)
    n = 400
    counts = sp.random(n, 30, density=0.1, random_state=rng, data_rvs=lambda k: rng.poisson(2.0, k) + 1.0)
    year = np.round(rng.normal(2005.0, 9.0, n))
    X = sp.hstack([counts, sp.csc_matrix(year[:, None])]).tocsc()
    y = counts @ rng.normal(size=30) + 0.1 * (year - 2005.0) + rng.normal(size=n)
    for standardize in (False, True):
        ref = regularized.path(X.toarray(), y, tol=1e-10, n_alphas=20, standardize=standardize)
        got = regularized.path(X, y, tol=1e-10, n_alphas=20, standardize=standardize)
        assert got.gap.max() <= 1e-10
        np.testing.assert_allclose(got.coef, ref.coef, rtol=1e-6,
                                   atol=1e-8 * np.abs(ref.coef).max())


def test_cross_validation_does_not_depend_on_a_large_offset():
    from sklearn.model_selection import KFold

    X, y, Z, y0 = _offset_problem(2.0 ** 28)
    kw = dict(cv=KFold(5), n_alphas=30, tol=1e-10)
    ref = regularized.cv_path(Z, y0, **kw)
    got = regularized.cv_path(X, y, **kw)
    np.testing.assert_allclose(got.alphas, ref.alphas, rtol=1e-6)
    np.testing.assert_allclose(got.cvm, ref.cvm, rtol=1e-6)

    np.testing.assert_allclose(got.path.coef, ref.path.coef, rtol=1e-6,
                               atol=1e-7 * np.abs(ref.path.coef).max())


def test_gram_statistics_shift_only_when_the_spread_would_be_lost():
    rng = np.random.default_rng(6)
    X = rng.normal(loc=3.0, size=(50, 4))
    X[:, 3] = 7.0                       # exactly constant: not a reason to shift
    y = rng.normal(size=50)
    w = np.ones(50)
    assert design.GramStats.from_data(X, y, w).shifts_for(X) is None
    X[:, 1] += 1e9
    xs, ys = design.GramStats.from_data(X, y, w).shifts_for(X)
    assert xs is not None and ys == 0.0
    xs, ys = design.GramStats.from_data(X[:, [0]], y + 1e9, w).shifts_for(X[:, [0]])
    assert xs is None and ys != 0.0
    with pytest.raises(ValueError, match="different shifts"):
        design.GramStats.from_data(X, y, w, X.mean(axis=0)) - design.GramStats.from_data(X, y, w)


def test_sparse_column_with_a_huge_mean_warns():
    import scipy.sparse as sp

    X, y, _, _ = _offset_problem(2.0 ** 20)
    # (its path then fails to converge, and says that too)
    from sklearn.exceptions import ConvergenceWarning

    with pytest.warns(UserWarning, match="mean .* times its spread"), \
            pytest.warns(ConvergenceWarning):
        regularized.path(sp.csc_matrix(X), y, n_alphas=5)


@pytest.mark.parametrize("mode", ["loo", "gcv"])
def test_ridge_leave_one_out_does_not_depend_on_a_large_offset(mode):
    from regularized.cv import ridge_loo_path

    X, y, Z, y0 = _offset_problem(2.0 ** 28)
    alphas = np.logspace(0, -4, 12)
    ref = ridge_loo_path(Z, y0, alphas=alphas, mode=mode)
    got = ridge_loo_path(X, y, alphas=alphas, mode=mode)
    np.testing.assert_allclose(got.cvm, ref.cvm, rtol=1e-6)
    np.testing.assert_allclose(got.path.coef, ref.path.coef, rtol=1e-6,
                               atol=1e-7 * np.abs(ref.path.coef).max())


def test_information_criteria_do_not_depend_on_a_large_offset():
    from regularized.cv import ic_path

    X, y, Z, y0 = _offset_problem(2.0 ** 28)
    ref = ic_path(Z, y0, n_alphas=20, tol=1e-10)
    got = ic_path(X, y, n_alphas=20, tol=1e-10)
    np.testing.assert_allclose(got.criterion, ref.criterion, rtol=1e-7)

