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
