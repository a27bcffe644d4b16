"""regularized.path for squared loss: optimality certificates, references, grid, interpolation.

Every check recomputes what it needs from first principles (tests/_reference.py); nothing here
trusts the engine's own numbers except to test them.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import regularized
from _reference import (
    assert_certified,
    default_alpha_max,
    dual_certificate,
    interp_log_alpha,
    make_problem,
    normalized_weights,
    objective,
    ridge_closed_form,
    sklearn_enet_path,
    sklearn_ridge_path,
    to_design,
)

SHAPES = {"tall": (50, 12), "wide": (20, 35)}
DESIGNS = ["dense", "dense_f", "csc", "csr"]
TIGHT = 1e-10  # engine tolerance where we compare with a reference at 1e-8


def _problem(shape, design, seed):
    n, p = SHAPES[shape]
    X, y, w = make_problem(n, p, seed, sparse=design in ("csc", "csr"))
    return X, y, w


def _fit(X, y, **kw):
    """Run the engine; any ConvergenceWarning is a failure in these tests."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return regularized.path(X, y, **kw)


# --------------------------------------------------------------------------------------------
# optimality + scikit-learn reference on the design × intercept × weights × positive grid
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("positive", [False, True], ids=["signed", "positive"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "nointercept"])
@pytest.mark.parametrize("design", DESIGNS)
@pytest.mark.parametrize(
    "shape,l1_ratio", [("tall", 1.0), ("tall", 0.5), ("wide", 1.0), ("wide", 0.3)]
)
def test_certified_and_matches_sklearn(shape, l1_ratio, design, fit_intercept, weighted, positive):
    seed = 100 + 10 * DESIGNS.index(design) + list(SHAPES).index(shape)
    X, y, w = _problem(shape, design, seed)
    sw = w if weighted else None
    Xd = to_design(X, design)
    res = _fit(Xd, y, l1_ratio=l1_ratio, n_alphas=12, fit_intercept=fit_intercept,
               sample_weight=sw, positive=positive, tol=TIGHT)
    assert np.asarray(res.alphas).shape == (12,)

    # duality gap (reported and our own) and KKT at every alpha
    assert_certified(res, X, y, l1_ratio, TIGHT, sample_weight=sw, positive=positive,
                     fit_intercept=fit_intercept)

    # scikit-learn at tight tolerance, on the same layout, evaluated in OUR objective
    sk_coef, sk_int = sklearn_enet_path(Xd, y, res.alphas, l1_ratio, sample_weight=sw,
                                        positive=positive, fit_intercept=fit_intercept)
    for k, a in enumerate(res.alphas):
        ours = dual_certificate(X, y, res.coef[k], res.intercept[k], a, l1_ratio,
                                sample_weight=sw, positive=positive, fit_intercept=fit_intercept)
        ref = dual_certificate(X, y, sk_coef[k], sk_int[k], a, l1_ratio, sample_weight=sw,
                               positive=positive, fit_intercept=fit_intercept)
        assert ref["rel_gap"] <= 1e-9, f"reference itself not converged at alpha={a:.4g}"
        assert abs(ours["P"] - ref["P"]) <= 1e-8 * ref["P"], (
            f"alpha[{k}]={a:.6g}: objective {ours['P']:.15g} vs scikit-learn {ref['P']:.15g}")
        # the reported gap is a certificate: never below the suboptimality w.r.t. the reference
        excess = (ours["P"] - min(ref["P"], ours["P"])) / ours["P"]
        assert res.gap[k] >= excess - 1e-13, (
            f"alpha[{k}]={a:.6g}: reported gap {res.gap[k]:.3g} < suboptimality {excess:.3g}")


@pytest.mark.parametrize(
    "shape,l1_ratio,design",
    [("tall", 1.0, "dense"), ("tall", 0.5, "csc"), ("wide", 1.0, "csc"), ("wide", 0.5, "dense")],
)
def test_default_tol_within_1e6_of_tight_reference(shape, l1_ratio, design):
    """A default fit (default tol, default 100-alpha grid) is 1e-6-optimal in relative objective."""
    X, y, w = _problem(shape, design, seed=7)
    Xd = to_design(X, design)
    res = regularized.path(Xd, y, l1_ratio=l1_ratio, sample_weight=w)
    assert len(res.alphas) == 100
    sk_coef, sk_int = sklearn_enet_path(Xd, y, res.alphas, l1_ratio, sample_weight=w)
    for k, a in enumerate(res.alphas):
        ours = dual_certificate(X, y, res.coef[k], res.intercept[k], a, l1_ratio, sample_weight=w)
        ref = dual_certificate(X, y, sk_coef[k], sk_int[k], a, l1_ratio, sample_weight=w)
        p_star_low = max(ref["D"], ours["D"])  # rigorous lower bound on P*
        subopt = (ours["P"] - p_star_low) / p_star_low
        assert subopt <= 1e-6, f"alpha[{k}]={a:.6g}: relative suboptimality {subopt:.3g}"


def test_float32_inputs_in_both_orders_are_solved():
    X, y, w = make_problem(40, 8, seed=3)
    X32 = X.astype(np.float32)
    X64 = X32.astype(np.float64)
    y64 = y.astype(np.float32).astype(np.float64)
    for Xin in (np.ascontiguousarray(X32), np.asfortranarray(X32)):
        res = regularized.path(Xin, y64.astype(np.float32), n_alphas=10)
        for k, a in enumerate(res.alphas):
            c = dual_certificate(X64, y64, res.coef[k], res.intercept[k], a, 1.0)
            assert c["rel_gap"] <= 1e-5, f"float32 fit at alpha={a:.4g}: rel gap {c['rel_gap']:.3g}"


@pytest.mark.parametrize("design", ["dense", "csc"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_positive_constraint_for_every_l1_ratio(l1_ratio, design):
    """positive=True holds for ridge too (no closed form there); certified like the rest."""
    X, y, w = make_problem(40, 10, seed=11, sparse=design == "csc")
    y = y - 2.0 * X[:, 0]  # a feature that wants a negative coefficient
    res = _fit(to_design(X, design), y, l1_ratio=l1_ratio, positive=True, alphas=[1.0, 0.1, 0.01],
               sample_weight=w, tol=TIGHT)
    assert_certified(res, X, y, l1_ratio, TIGHT, sample_weight=w, positive=True)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_weight_two_equals_duplicated_row(l1_ratio, tall_problem):
    X, y, _ = tall_problem
    w = np.ones(X.shape[0])
    w[[3, 17]] = 2.0
    Xd = np.vstack([X, X[[3, 17]]])
    yd = np.concatenate([y, y[[3, 17]]])
    a = _fit(X, y, l1_ratio=l1_ratio, sample_weight=w, n_alphas=10, tol=TIGHT)
    b = _fit(Xd, yd, l1_ratio=l1_ratio, n_alphas=10, tol=TIGHT)
    np.testing.assert_allclose(a.alphas, b.alphas, rtol=1e-10)
    for k, alpha in enumerate(b.alphas):
        pa = objective(Xd, yd, a.coef[k], a.intercept[k], alpha, l1_ratio)
        pb = objective(Xd, yd, b.coef[k], b.intercept[k], alpha, l1_ratio)
        assert abs(pa - pb) <= 2 * TIGHT * pb, f"alpha={alpha:.4g}: {pa!r} vs {pb!r}"
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-5, atol=1e-7 * np.abs(b.coef).max())


# --------------------------------------------------------------------------------------------
# penalty factors
# --------------------------------------------------------------------------------------------
def _penalty_factor(p):
    base = np.array([0.0, 0.5, 1.0, 2.0, 3.0, 1.0, 0.25, 4.0])
    v = np.resize(base, p)
    assert v.sum() != p  # factors that glmnet-style rescaling would change
    return v


@pytest.mark.parametrize("positive", [False, True], ids=["signed", "positive"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "nointercept"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_penalty_factor_kkt(l1_ratio, fit_intercept, weighted, positive):
    X, y, w = make_problem(45, 11, seed=21)
    sw = w if weighted else None
    v = _penalty_factor(X.shape[1])
    res = _fit(X, y, l1_ratio=l1_ratio, n_alphas=10, penalty_factor=v, sample_weight=sw,
               fit_intercept=fit_intercept, positive=positive, tol=TIGHT)
    assert_certified(res, X, y, l1_ratio, TIGHT, sample_weight=sw, penalty_factor=v,
                     positive=positive, fit_intercept=fit_intercept)


@pytest.mark.parametrize("design", ["dense", "csc"])
def test_penalty_factor_used_as_given_vs_sklearn_rescaled_columns(design):
    """Lasso with factors v_j > 0 equals the plain Lasso on columns x_j / v_j (γ_j = v_j β_j)."""
    X, y, w = make_problem(40, 9, seed=5, sparse=design == "csc")
    v = np.resize(np.array([0.5, 1.0, 2.0, 3.0, 0.2]), X.shape[1])
    res = _fit(to_design(X, design), y, penalty_factor=v, n_alphas=12, tol=TIGHT)
    Xs = X / v
    g_coef, g_int = sklearn_enet_path(to_design(Xs, design), y, res.alphas, 1.0)
    for k, a in enumerate(res.alphas):
        ours = objective(X, y, res.coef[k], res.intercept[k], a, 1.0, penalty_factor=v)
        ref = objective(X, y, g_coef[k] / v, g_int[k], a, 1.0, penalty_factor=v)
        assert abs(ours - ref) <= 1e-8 * ref, f"alpha={a:.4g}: {ours:.15g} vs {ref:.15g}"


def test_zero_penalty_factor_columns_are_unpenalized():
    """With v_j = 0 the coefficient is the least-squares one given the others (g_j = 0)."""
    X, y, _ = make_problem(50, 6, seed=9)
    v = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 1.0])
    res = _fit(X, y, penalty_factor=v, n_alphas=8, tol=TIGHT)
    assert np.all(res.coef[:, [0, 3]] != 0.0)
    assert_certified(res, X, y, 1.0, TIGHT, penalty_factor=v)


# --------------------------------------------------------------------------------------------
# ridge (l1_ratio = 0): closed form
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "nointercept"])
@pytest.mark.parametrize("shape", ["tall", "wide"])
def test_ridge_matches_sklearn_ridge(shape, fit_intercept, weighted):
    X, y, w = _problem(shape, "dense", seed=31)
    sw = w if weighted else None
    res = _fit(X, y, l1_ratio=0.0, n_alphas=15, fit_intercept=fit_intercept, sample_weight=sw)
    # sklearn Ridge(alpha=a) minimises ‖y − Xβ‖² + a‖β‖²: our α = a / n (DESIGN §1)
    sk_coef, sk_int = sklearn_ridge_path(X, y, res.alphas, sample_weight=sw,
                                         fit_intercept=fit_intercept)
    scale = np.max(np.abs(sk_coef))
    np.testing.assert_allclose(res.coef, sk_coef, rtol=1e-7, atol=1e-9 * scale)
    np.testing.assert_allclose(res.intercept, sk_int, rtol=1e-7, atol=1e-9 * (abs(y).max()))
    for k, a in enumerate(res.alphas):
        ours = objective(X, y, res.coef[k], res.intercept[k], a, 0.0, sw)
        ref = objective(X, y, sk_coef[k], sk_int[k], a, 0.0, sw)
        assert abs(ours - ref) <= 1e-10 * ref
    assert_certified(res, X, y, 0.0, 1e-7, sample_weight=sw, fit_intercept=fit_intercept)


@pytest.mark.parametrize("design", ["csc", "csr", "dense_f"])
@pytest.mark.parametrize("shape", ["tall", "wide"])
def test_ridge_closed_form_sparse_and_penalty_factor(shape, design):
    X, y, w = _problem(shape, design, seed=41)
    v = np.resize(np.array([1.0, 0.5, 2.0]), X.shape[1])
    res = _fit(to_design(X, design), y, l1_ratio=0.0, n_alphas=10, sample_weight=w,
               penalty_factor=v)
    ref_coef, ref_int = ridge_closed_form(X, y, res.alphas, sample_weight=w, penalty_factor=v)
    scale = np.max(np.abs(ref_coef))
    np.testing.assert_allclose(res.coef, ref_coef, rtol=1e-7, atol=1e-9 * scale)
    np.testing.assert_allclose(res.intercept, ref_int, rtol=1e-7, atol=1e-9 * abs(y).max())
    assert_certified(res, X, y, 0.0, 1e-7, sample_weight=w, penalty_factor=v)


def test_ridge_explicit_small_alpha_wide():
    """p > n, tiny alpha: the closed form stays accurate (minimum-norm-like regime)."""
    X, y, _ = make_problem(15, 60, seed=43)
    alphas = np.array([1.0, 1e-2, 1e-4])
    res = _fit(X, y, l1_ratio=0.0, alphas=alphas)
    sk_coef, sk_int = sklearn_ridge_path(X, y, res.alphas)
    for k, a in enumerate(res.alphas):
        ours = objective(X, y, res.coef[k], res.intercept[k], a, 0.0)
        ref = objective(X, y, sk_coef[k], sk_int[k], a, 0.0)
        assert abs(ours - ref) <= 1e-8 * ref, f"alpha={a}: {ours!r} vs {ref!r}"


# --------------------------------------------------------------------------------------------
# the alpha grid
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "nointercept"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("shape", ["tall", "wide"])
def test_default_grid(shape, l1_ratio, fit_intercept, weighted):
    X, y, w = _problem(shape, "dense", seed=51)
    sw = w if weighted else None
    v = np.resize(np.array([1.0, 2.0, 0.5]), X.shape[1])
    res = regularized.path(X, y, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                           sample_weight=sw, penalty_factor=v)
    alphas = np.asarray(res.alphas)
    n, p = X.shape
    assert alphas.shape == (100,)
    amax = default_alpha_max(X, y, l1_ratio, sw, v, fit_intercept)
    np.testing.assert_allclose(alphas[0], amax, rtol=1e-9)
    ratio = 1e-4 if n >= p else 1e-2
    np.testing.assert_allclose(alphas[-1], amax * ratio, rtol=1e-9)
    steps = np.diff(np.log(alphas))
    np.testing.assert_allclose(steps, steps[0], rtol=1e-7)
    assert np.all(steps < 0)
    if l1_ratio > 0:
        assert np.all(res.coef[0] == 0.0), "alpha_max must give an all-zero solution"
        assert res.n_nonzero[0] == 0


def test_grid_ratio_boundary_n_equals_p():
    X, y, _ = make_problem(15, 15, seed=52)
    res = regularized.path(X, y, n_alphas=5)
    np.testing.assert_allclose(res.alphas[-1] / res.alphas[0], 1e-4, rtol=1e-9)


def test_grid_options_n_alphas_and_alpha_min_ratio(tall_problem):
    X, y, _ = tall_problem
    res = regularized.path(X, y, n_alphas=7, alpha_min_ratio=0.05)
    alphas = np.asarray(res.alphas)
    assert alphas.shape == (7,) and res.coef.shape == (7, X.shape[1])
    np.testing.assert_allclose(alphas[-1] / alphas[0], 0.05, rtol=1e-9)
    np.testing.assert_allclose(alphas, alphas[0] * np.logspace(0, np.log10(0.05), 7), rtol=1e-9)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.4])
@pytest.mark.parametrize("design", ["dense", "csr"])
def test_alpha_max_is_sharp(l1_ratio, design):
    """Just above alpha_max everything is zero; just below, something is not."""
    X, y, w = make_problem(40, 10, seed=61, sparse=design == "csr")
    v = np.resize(np.array([1.0, 3.0, 0.5]), X.shape[1])
    amax = default_alpha_max(X, y, l1_ratio, w, v)
    Xd = to_design(X, design)
    above = _fit(Xd, y, l1_ratio=l1_ratio, alphas=[1.001 * amax], sample_weight=w,
                 penalty_factor=v, tol=TIGHT)
    below = _fit(Xd, y, l1_ratio=l1_ratio, alphas=[0.99 * amax], sample_weight=w,
                 penalty_factor=v, tol=TIGHT)
    assert np.all(above.coef == 0.0)
    np.testing.assert_allclose(above.intercept[0], np.average(y, weights=w), rtol=1e-10)
    assert np.count_nonzero(below.coef) >= 1


@pytest.mark.parametrize("alphas", [[0.5, 0.1, 0.02], np.array([0.3]), (1.0, 0.01)])
def test_given_alphas_are_used(alphas, tall_problem):
    X, y, _ = tall_problem
    res = _fit(X, y, alphas=alphas, tol=TIGHT)
    np.testing.assert_array_equal(np.asarray(res.alphas), np.asarray(alphas, dtype=float))
    assert_certified(res, X, y, 1.0, TIGHT)


# --------------------------------------------------------------------------------------------
# Path attributes, coef_at / predict
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_path_attributes(weighted, tall_problem):
    X, y, w = tall_problem
    sw = w if weighted else None
    res = regularized.path(X, y, n_alphas=20, sample_weight=sw)
    alphas = np.asarray(res.alphas)
    assert alphas.shape == (20,) and np.all(np.diff(alphas) < 0)
    assert res.coef.shape == (20, X.shape[1])
    assert np.asarray(res.intercept).shape == (20,)
    assert np.asarray(res.gap).shape == (20,)
    n_iter = np.asarray(res.n_iter)
    assert n_iter.shape == (20,) and np.issubdtype(n_iter.dtype, np.integer)
    assert np.all(n_iter >= 0)
    np.testing.assert_array_equal(res.n_nonzero, np.count_nonzero(res.coef, axis=1))
    # deviance ratio 1 − RSS_w / RSS_w(null), null = weighted mean
    wn = normalized_weights(sw, X.shape[0])
    rss = np.array([wn @ (y - b - X @ c) ** 2 for c, b in zip(res.coef, res.intercept)])
    null = wn @ (y - np.average(y, weights=wn)) ** 2
    np.testing.assert_allclose(res.deviance_ratio, 1 - rss / null, rtol=1e-8, atol=1e-10)
    assert abs(res.deviance_ratio[0]) <= 1e-10


@pytest.mark.parametrize("design", ["dense", "csr"])
def test_coef_at_and_predict_interpolate_in_log_alpha(design, rng):
    X, y, w = make_problem(40, 10, seed=71, sparse=design == "csr")
    Xd = to_design(X, design)
    res = regularized.path(Xd, y, n_alphas=9, sample_weight=w)
    alphas = np.asarray(res.alphas)
    coef = np.asarray(res.coef)
    b = np.asarray(res.intercept)

    full = np.asarray(res.predict(Xd))
    assert full.shape == (X.shape[0], 9)
    np.testing.assert_allclose(full, X @ coef.T + b, rtol=1e-10, atol=1e-10)

    for k, a in enumerate(alphas):  # exact at grid points
        np.testing.assert_allclose(res.coef_at(a), coef[k], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(res.predict(Xd, alpha=a), full[:, k], rtol=1e-12,
                                   atol=1e-12)

    for k in range(len(alphas) - 1):  # linear in log(alpha) in between
        for t in (0.5, rng.uniform(0.05, 0.95)):
            a = np.exp((1 - t) * np.log(alphas[k]) + t * np.log(alphas[k + 1]))
            want = (1 - t) * coef[k] + t * coef[k + 1]
            np.testing.assert_allclose(res.coef_at(a), want, rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(res.coef_at(a), interp_log_alpha(alphas, coef, a),
                                       rtol=1e-9, atol=1e-12)
            b_t = (1 - t) * b[k] + t * b[k + 1]
            pred = np.asarray(res.predict(Xd, alpha=a))
            assert pred.shape == (X.shape[0],)
            np.testing.assert_allclose(pred, X @ want + b_t, rtol=1e-9, atol=1e-10)


def test_predict_accepts_new_data(tall_problem):
    X, y, _ = tall_problem
    res = regularized.path(X, y, n_alphas=5)
    Xnew = np.random.default_rng(0).standard_normal((7, X.shape[1]))
    out = np.asarray(res.predict(Xnew))
    assert out.shape == (7, 5)
    np.testing.assert_allclose(out, Xnew @ res.coef.T + res.intercept, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(res.predict(sp.csc_matrix(Xnew)), out, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------------------------
# standardize (deterministic companion of the property test)
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("design", ["dense", "csc"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_standardize_returns_original_scale(design, l1_ratio):
    X, y, w = make_problem(40, 8, seed=81, sparse=design == "csc")
    w = w + 0.1  # no zero weight, so no column is constant under the weights
    wn = normalized_weights(w, X.shape[0])
    m = wn @ X / X.shape[0]
    s = np.sqrt(wn @ (X - m) ** 2 / X.shape[0])
    res = _fit(to_design(X, design), y, l1_ratio=l1_ratio, standardize=True, sample_weight=w,
               n_alphas=10, tol=TIGHT)
    Xs = (X - m) / s
    # on the standardized problem the returned (back-transformed) point is optimal
    for k, a in enumerate(res.alphas):
        cs = np.asarray(res.coef[k]) * s
        bs = res.intercept[k] + m @ res.coef[k]
        cert = dual_certificate(Xs, y, cs, bs, a, l1_ratio, sample_weight=w)
        assert cert["rel_gap"] <= TIGHT * (1 + 1e-6) + 1e-12, (
            f"alpha={a:.4g}: standardized problem gap {cert['rel_gap']:.3g}")
    # the default grid is the one of the standardized problem (glmnet)
    amax = default_alpha_max(Xs, y, l1_ratio, w)
    res_default = regularized.path(to_design(X, design), y, l1_ratio=l1_ratio, standardize=True,
                                   sample_weight=w, n_alphas=5)
    np.testing.assert_allclose(res_default.alphas[0], amax, rtol=1e-9)


# --------------------------------------------------------------------------------------------
# the reference itself (no engine): weak duality and tightness at a known optimum
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "nointercept"])
@pytest.mark.parametrize(
    "l1_ratio,positive", [(1.0, False), (1.0, True), (0.5, False), (0.5, True), (0.0, False)]
)
def test_reference_certificate_is_sound(l1_ratio, positive, fit_intercept):
    from sklearn.linear_model import Ridge

    X, y, w = make_problem(30, 8, seed=91)
    rng = np.random.default_rng(0)
    for a in (1.0, 0.05):
        if l1_ratio == 0.0:
            est = Ridge(alpha=a * X.shape[0], fit_intercept=fit_intercept, solver="svd")
            est.fit(X, y, sample_weight=normalized_weights(w, X.shape[0]))
            c_opt, b_opt = est.coef_, float(est.intercept_)
        else:
            c, b = sklearn_enet_path(X, y, [a], l1_ratio, sample_weight=w, positive=positive,
                                     fit_intercept=fit_intercept, tol=1e-15)
            c_opt, b_opt = c[0], b[0]
        kw = dict(sample_weight=w, positive=positive, fit_intercept=fit_intercept)
        opt = dual_certificate(X, y, c_opt, b_opt, a, l1_ratio, **kw)
        assert abs(opt["rel_gap"]) <= 1e-12  # tight at the optimum
        for _ in range(5):  # weak duality at arbitrary points
            c = c_opt + 0.1 * rng.standard_normal(X.shape[1])
            c = np.maximum(c, 0.0) if positive else c
            b = b_opt + rng.normal() if fit_intercept else 0.0
            cert = dual_certificate(X, y, c, b, a, l1_ratio, **kw)
            assert cert["D"] <= opt["P"] * (1 + 1e-12)
            assert cert["P"] >= opt["P"] * (1 - 1e-12)


@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "nointercept"])
def test_reference_certificate_is_sound_with_unpenalized_features(fit_intercept):
    """Lasso with v = (0, 0, v_pen): profile the unpenalized columns out by least squares and
    solve a plain Lasso on the projected, rescaled columns with scikit-learn."""
    X, y, _ = make_problem(40, 7, seed=93)
    n = X.shape[0]
    v = np.array([0.0, 0.0, 1.0, 2.0, 0.5, 1.0, 3.0])
    U = np.column_stack(([np.ones(n)] if fit_intercept else []) + [X[:, 0], X[:, 1]])
    proj = np.eye(n) - U @ np.linalg.pinv(U)
    Xp = proj @ X[:, 2:] / v[2:]
    yp = proj @ y
    for a in (0.5, 0.02):
        g, _ = sklearn_enet_path(Xp, yp, [a], 1.0, fit_intercept=False, tol=1e-15)
        beta = np.zeros(7)
        beta[2:] = g[0] / v[2:]
        fit = np.linalg.lstsq(U, y - X[:, 2:] @ beta[2:], rcond=None)[0]
        beta[:2] = fit[-2:]
        b = fit[0] if fit_intercept else 0.0
        cert = dual_certificate(X, y, beta, b, a, 1.0, penalty_factor=v,
                                fit_intercept=fit_intercept)
        assert abs(cert["rel_gap"]) <= 1e-12
        rng = np.random.default_rng(1)
        for _ in range(5):
            c = beta + 0.05 * rng.standard_normal(7)
            other = dual_certificate(X, y, c, b, a, 1.0, penalty_factor=v,
                                     fit_intercept=fit_intercept)
            assert other["D"] <= cert["P"] * (1 + 1e-12) and other["P"] >= cert["P"] * (1 - 1e-12)


@pytest.mark.parametrize("tol", [1e-11, 1e-7])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_long_full_gram_path_with_sign_changes_stays_certified(l1_ratio, tol):
    # The full-Gram path kernel starts CD from a Gβ carried from alpha to alpha (the
    # secant warm start's by linearity, less the rows of the coordinates it zeroes)
    # and extrapolates Gβ with Anderson's weights: over a long, tight path of
    # strongly correlated columns (3 factors) whose coefficients change sign, every
    # alpha must still be certified, at a tolerance (1e-11) and one (1e-7) where
    # those shortcuts are taken.
    rng = np.random.default_rng(21)
    n, p = 400, 30
    factors = rng.standard_normal((n, 3))
    X = factors @ rng.standard_normal((3, p)) + 0.5 * rng.standard_normal((n, p))
    beta = rng.standard_normal(p) * (rng.uniform(size=p) < 0.5)
    y = X @ beta + rng.standard_normal(n)
    res = _fit(X, y, l1_ratio=l1_ratio, n_alphas=150, alpha_min_ratio=1e-4, tol=tol)
    signs = np.sign(res.coef)
    flips = np.sum((signs[1:] * signs[:-1]) < 0) + np.sum((signs[:-1] != 0) & (signs[1:] == 0))
    assert flips > 0, "the problem should make coefficients change sign or leave the support"
    assert_certified(res, X, y, l1_ratio, tol)


def test_sparse_speculative_batch_keeps_the_warm_start_support_in_the_working_set():
    # One-hot blocks of high cardinality plus a large-scale numeric column, sparse and
    # standardized: features enter the path many at a time, so a speculative alpha's
    # secant warm start had non-zeros outside its (capped) working set. Those were
    # never moved nor flagged, and the alpha stalled at a relative gap of about 4e-6
    # (> tol) whatever max_iter, where the dense fit converged.
    rng = np.random.default_rng(1)
    n = 300
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    zip_code = rng.choice([2134.0, 2139.0, 10001.0, 94110.0], n)
    blocks = [np.c_[x1, x2, zip_code]]
    for levels in (100, 290, 250, 95, 5, 3):
        blocks.append(np.eye(levels)[rng.integers(0, levels, n)])
    X = np.hstack(blocks)
    X = X[:, X.std(axis=0) > 0]
    y = 2 * x1 - x2 + (zip_code == 10001.0) * 2 + rng.normal(scale=0.5, size=n)
    from sklearn.model_selection import KFold

    train, _ = next(KFold(5, shuffle=True, random_state=0).split(X))
    for design in ("csc", "csr"):
        res = _fit(to_design(X[train], design), y[train], standardize=True,
                   alpha_min_ratio=1e-2)
        assert np.all(res.gap <= 1e-7), f"{design}: gaps up to {res.gap.max():.3g}"
    dense = _fit(X[train], y[train], standardize=True, alpha_min_ratio=1e-2)
    # both certified at tol 1e-7: their objectives agree to that order
    np.testing.assert_allclose(res.objective, dense.objective, rtol=3e-7)


def test_coef_at_below_the_path_warns_and_clamps(tall_problem):
    X, y, _ = tall_problem
    res = regularized.path(X, y, n_alphas=5, alpha_min_ratio=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res.coef_at(res.alphas[0] * 10)        # above alpha_max: zeros, exact
        res.coef_at(res.alphas[2])
    with pytest.warns(UserWarning, match="below the smallest alpha of the path"):
        low = res.coef_at(res.alphas[-1] / 10)
    np.testing.assert_array_equal(low, res.coef[-1])
    with pytest.warns(UserWarning, match="below the smallest alpha"):
        res.predict(X, alpha=res.alphas[-1] / 10)


def test_coordinate_update_reads_a_rounding_level_excess_over_l1_as_a_tie():
    # The same slack as the working-set KKT test (|g| > l1·(1 + 1e-12)): a coordinate
    # whose |z| exceeds l1 only by rounding stays at 0 (exactly collinear columns kept
    # 1e-15 coefficients otherwise), while a real excess still moves it.
    from regularized.kernels.prox import enet_coordinate_min

    l1, h = 6.0, 200.0
    for sign in (1.0, -1.0):
        assert enet_coordinate_min(sign * l1 * (1.0 + 1e-13), h, l1, 0.0, False) == 0.0
        moved = enet_coordinate_min(sign * l1 * (1.0 + 1e-9), h, l1, 0.0, False)
        assert moved == pytest.approx(sign * l1 * 1e-9 / h, rel=1e-6)
    assert enet_coordinate_min(-2.0 * l1, h, l1, 0.0, True) == 0.0


def test_ill_conditioned_near_square_design_certifies():
    # 53 rows, 50 columns sharing one strong factor (correlation 0.8) on uneven scales and
    # offsets, as gene-expression data: near the OLS end of the path coordinate descent
    # crawled (a relative gap of 1.5e-5 after 100000 epochs, a ConvergenceWarning, although
    # the objective was right to 1e-11); the Gram solver's exact Newton step on the active
    # block certifies it.
    rng = np.random.default_rng(0)
    n, p = 53, 50
    X = np.sqrt(0.8) * rng.normal(size=(n, 1)) + np.sqrt(0.2) * rng.normal(size=(n, p))
    X = X * rng.uniform(0.5, 3, p) + rng.uniform(2, 10, p)
    y = 1.5 * X[:, 3] - X[:, 20] + rng.normal(size=n)
    res = _fit(X, y, alpha_min_ratio=1e-4, tol=1e-7)
    assert_certified(res, X, y, 1.0, 1e-7)
    assert res.n_iter.sum() < 20000
    sk_coef, sk_int = sklearn_enet_path(X, y, res.alphas[-3:], 1.0)
    for k, a in enumerate(res.alphas[-3:]):
        ours = objective(X, y, res.coef[k - 3], res.intercept[k - 3], a, 1.0)
        ref = objective(X, y, sk_coef[k], sk_int[k], a, 1.0)
        assert ours <= ref * (1 + 1e-9)


def test_ridge_shifted_solve_cholesky_equals_eigendecomposition():
    """One-alpha ridge fits factor A + nα I (Cholesky); paths decompose A once: same
    solutions, and a singular shifted matrix falls back to the decomposition."""
    from regularized.solvers.ridge import CHOLESKY_MAX_ALPHAS, shifted_solve

    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 60))
    A = X.T @ X                                   # rank 40 < 60: singular
    shifts = np.array([5.0, 0.3, 1e-3, 2.0])
    b = rng.standard_normal(60)
    assert shifts.size > CHOLESKY_MAX_ALPHAS
    every = shifted_solve(A, shifts, b)           # one eigendecomposition
    for k in range(shifts.size):
        one = shifted_solve(A, shifts[k:k + 1], b)      # Cholesky
        np.testing.assert_allclose(one[:, 0], every[:, k], rtol=1e-8, atol=1e-10)
        direct = np.linalg.solve(A + shifts[k] * np.eye(60), b)
        np.testing.assert_allclose(one[:, 0], direct, rtol=1e-8, atol=1e-10)
    # rounding made A slightly indefinite: the factorization fails, the decomposition
    # (eigenvalues clipped at 0) still solves
    tilted = A - 1e-9 * np.eye(60)
    fallback = shifted_solve(tilted, np.array([1e-12]), b)
    assert np.all(np.isfinite(fallback))
    lam, V = np.linalg.eigh(tilted)
    np.testing.assert_allclose(fallback[:, 0],
                               V @ ((V.T @ b) / (np.maximum(lam, 0.0) + 1e-12)))


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_one_alpha_fit_matches_the_path_point(l1_ratio):
    """A single small alpha (reached along an unreported warm-up path on dense X) gives the
    path's certified solution there; its epochs include the warm-up's."""
    rng = np.random.default_rng(11)
    Z = rng.standard_normal((60, 8))
    X = np.repeat(Z, 25, axis=1) * 0.9 + 0.3 * rng.standard_normal((60, 200))
    y = X[:, :5] @ [1.0, -2.0, 0.5, 1.5, -1.0] + rng.standard_normal(60)
    full = regularized.path(X, y, l1_ratio=l1_ratio, alpha_min_ratio=0.01, tol=1e-9)
    one = regularized.path(X, y, l1_ratio=l1_ratio, alphas=[full.alphas[-1]], tol=1e-9)
    assert one.gap[0] <= 1e-9 and one.n_iter[0] > 1
    np.testing.assert_allclose(one.objective[0], full.objective[-1], rtol=1e-8)
