"""Sparse coordinate descent's heavy block (kernels.cd_sparse._heavy_newton).

On text-like data fitted without an intercept the frequent columns overlap on
much of the rows, coordinate descent on them converges slowly, and one exact
Newton step on those columns per epoch is what keeps the certified path short.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import regularized
from regularized.kernels.cd_sparse import _heavy_newton, csc_centred_gram_rows
from regularized.solvers import working_set
from _reference import assert_certified, dual_certificate, sklearn_enet_path, to_design


def _text_like(n, p, seed, zipf=1.0):
    """Non-negative counts whose column frequencies follow a Zipf law (the first
    columns have a non-zero on about half of the rows), and a target on a few."""
    rng = np.random.default_rng(seed)
    freq = np.minimum(0.5, 0.5 / np.arange(1, p + 1) ** zipf)
    X = (rng.random((n, p)) < freq) * rng.integers(1, 4, (n, p)).astype(float)
    X[0, X.sum(axis=0) == 0] = 1.0                # no empty column
    beta = np.zeros(p)
    beta[rng.choice(p, 8, replace=False)] = rng.normal(0, 1, 8)
    y = X @ beta + rng.normal(0, 1, n) + 1.0
    return sp.csc_matrix(X), y


def _objective(X, y, beta, l1, l2):
    r = y - X @ beta
    return 0.5 * r @ r + l1 @ np.abs(beta) + 0.5 * l2 @ beta ** 2


@pytest.mark.parametrize("seed", range(6))
def test_heavy_step_lowers_the_objective_and_solves_the_block(seed):
    rng = np.random.default_rng(seed)
    X, y = _text_like(200, 30, seed)
    n, p = X.shape
    X.indices = X.indices.astype(np.int64)
    heavy = np.arange(12, dtype=np.int64)
    G = np.empty((12, 12))
    ones, zeros = np.ones(n), np.zeros(p)
    csc_centred_gram_rows(X.data, X.indices, X.indptr, ones, zeros, np.ones(p), heavy, 0, G)
    np.testing.assert_allclose(G, (X[:, :12].T @ X[:, :12]).toarray(), rtol=1e-12)
    l1 = np.full(p, rng.uniform(1, 20))
    l2 = np.full(p, rng.uniform(0, 5))
    beta = rng.normal(0, 0.3, p) * (rng.random(p) < 0.7)
    r = y - X @ beta
    before = _objective(X, y, beta, l1, l2)
    b = beta.copy()
    off = _heavy_newton(X.data, X.indices, X.indptr, np.empty(0), zeros, np.ones(p), b, r,
                        0.0, heavy, G, l1, l2, False)
    assert off == 0.0
    np.testing.assert_allclose(r, y - X @ b, atol=1e-10)     # the residual follows β
    assert _objective(X, y, b, l1, l2) <= before * (1 + 1e-14)
    np.testing.assert_array_equal(b[12:], beta[12:])          # only the block moves
    moved = heavy[beta[heavy] != 0]
    # a sign is never flipped: each coefficient keeps its sign or stops at zero
    assert np.all((np.sign(b[moved]) == np.sign(beta[moved])) | (b[moved] == 0))
    if np.all(b[moved] != 0):
        # full step: the block's KKT equations hold exactly
        g = X[:, moved].T @ (y - X @ b)
        np.testing.assert_allclose(g, l1[moved] * np.sign(b[moved]) + l2[moved] * b[moved],
                                   atol=1e-8 * np.abs(g).max())


def _fit(X, y, **kw):
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return regularized.path(X, y, **kw)


@pytest.mark.parametrize("l1_ratio,positive,weighted",
                         [(1.0, False, False), (0.5, False, True), (1.0, True, False)])
def test_text_like_path_without_intercept_is_certified_and_matches_sklearn(
        l1_ratio, positive, weighted):
    X, y = _text_like(600, 120, 3)
    sw = np.random.default_rng(0).uniform(0.3, 3.0, X.shape[0]) if weighted else None
    res = _fit(X, y, l1_ratio=l1_ratio, fit_intercept=False, positive=positive,
               sample_weight=sw, alpha_min_ratio=1e-3, n_alphas=30, tol=1e-10)
    Xd = X.toarray()
    assert_certified(res, Xd, y, l1_ratio, 1e-10, sample_weight=sw, positive=positive,
                     fit_intercept=False)
    sk_coef, _ = sklearn_enet_path(X, y, res.alphas, l1_ratio, sample_weight=sw,
                                   positive=positive, fit_intercept=False)
    for k, a in enumerate(res.alphas):
        ours = dual_certificate(Xd, y, res.coef[k], 0.0, a, l1_ratio, sample_weight=sw,
                                positive=positive, fit_intercept=False)
        ref = dual_certificate(Xd, y, sk_coef[k], 0.0, a, l1_ratio, sample_weight=sw,
                               positive=positive, fit_intercept=False)
        assert ours["P"] <= ref["P"] * (1 + 1e-8), f"alpha[{k}]={a:.4g}"


def test_heavy_block_shortens_the_text_like_path(monkeypatch):
    # The property the block is for: without it the same certified path takes far more
    # epochs (coordinate descent crawls on the overlapping frequent columns).
    X, y = _text_like(3000, 400, 5)
    kw = dict(fit_intercept=False, alpha_min_ratio=1e-3, tol=1e-6)
    with_block = _fit(X, y, **kw)
    monkeypatch.setattr(working_set, "HEAVY_MIN_FRACTION", 2.0)     # no column qualifies
    without = _fit(X, y, **kw)
    np.testing.assert_allclose(with_block.objective, without.objective, rtol=2e-6)
    assert with_block.n_iter.sum() < 0.7 * without.n_iter.sum(), (
        with_block.n_iter.sum(), without.n_iter.sum())


def test_duplicate_heavy_columns_stay_certified():
    # Exactly collinear frequent columns make the heavy block singular (up to its
    # rounding-level ridge): the step must still lower the objective and the path
    # certify, with the duplicates' total coefficient that of one column.
    X, y = _text_like(1500, 150, 7)
    X = sp.hstack([X, X[:, :6]]).tocsc()
    res = _fit(X, y, fit_intercept=False, alpha_min_ratio=1e-3, tol=1e-8)
    assert_certified(res, X.toarray(), y, 1.0, 1e-8, fit_intercept=False)
    single = _fit(X[:, :150], y, fit_intercept=False, alphas=res.alphas, tol=1e-8)
    np.testing.assert_allclose(res.objective, single.objective, rtol=1e-7)
