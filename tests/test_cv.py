"""regularized.cv: cross-validated paths against folds done by hand with ``path``.

The references below refit every fold with ``regularized.path`` (or closed forms in NumPy) and
score the held-out rows directly; nothing reads the CV module's own intermediate numbers.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.model_selection import GroupKFold, KFold, ShuffleSplit

import regularized
from regularized.cv import (CVPath, cv_path, cv_paths, fold_score, ic_path, relax_path,
                            ridge_loo_path, select_indices)

TOL = 1e-10


def _problem(n=60, p=8, seed=0, intercept=1.5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    beta = np.zeros(p)
    beta[: min(4, p)] = [2.0, -1.5, 1.0, 0.5][: min(4, p)]
    y = X @ beta + intercept + 0.7 * rng.standard_normal(n)
    w = rng.uniform(0.2, 2.0, n)
    return X, y, w


def _by_hand(X, y, w, splits, alphas, **kw):
    """Fold scores (n_folds, n_alphas) from ``path`` on each training fold."""
    rows = []
    for train, test in splits:
        sw = None if w is None else w[train]
        fp = regularized.path(X[train], y[train], alphas=alphas, sample_weight=sw, **kw)
        pred = X[test] @ fp.coef.T + fp.intercept
        wt = np.ones(len(test)) if w is None else w[test]
        rows.append(wt @ (y[test][:, None] - pred) ** 2 / wt.sum())
    return np.array(rows)


@pytest.mark.parametrize("method", ["gram", "refit"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_fold_scores_equal_folds_by_hand(method, weighted, l1_ratio):
    X, y, w = _problem(seed=3)
    w = w if weighted else None
    res = cv_path(X, y, l1_ratio=l1_ratio, n_alphas=30, cv=4, sample_weight=w, tol=TOL,
                  method=method)
    splits = list(KFold(4).split(X))
    # the grid is the full data's
    full = regularized.path(X, y, l1_ratio=l1_ratio, n_alphas=30, sample_weight=w, tol=TOL)
    np.testing.assert_allclose(res.alphas, full.alphas, rtol=1e-12)
    np.testing.assert_allclose(res.path.coef, full.coef, rtol=1e-6, atol=1e-7)
    ref = _by_hand(X, y, w, splits, full.alphas, l1_ratio=l1_ratio, tol=TOL)
    np.testing.assert_allclose(res.fold_scores, ref, rtol=1e-7)
    np.testing.assert_allclose(res.cvm, ref.mean(axis=0), rtol=1e-7)
    np.testing.assert_allclose(res.cvsd, ref.std(axis=0, ddof=1) / 2.0, rtol=1e-6)
    assert res.n_folds == 4 and res.scoring == "mse"
    assert [list(f) for f in res.folds] == [list(te) for _, te in splits]


def test_gram_downdate_equals_refit_with_options():
    X, y, w = _problem(n=80, p=10, seed=5)
    kw = dict(l1_ratio=0.7, n_alphas=25, cv=5, sample_weight=w, tol=TOL, standardize=True,
              penalty_factor=np.r_[0.0, np.ones(9)], positive=False, fit_intercept=True)
    a = cv_path(X, y, method="gram", **kw)
    b = cv_path(X, y, method="refit", **kw)
    np.testing.assert_allclose(a.alphas, b.alphas, rtol=1e-10)
    np.testing.assert_allclose(a.fold_scores, b.fold_scores, rtol=1e-7)
    assert (a.index_min, a.index_1se) == (b.index_min, b.index_1se)


def test_gram_with_splits_that_do_not_partition():
    """ShuffleSplit leaves rows out of both sets: training statistics are computed directly."""
    X, y, w = _problem(n=70, p=6, seed=8)
    splitter = ShuffleSplit(n_splits=3, train_size=0.6, test_size=0.3, random_state=0)
    splits = list(splitter.split(X))
    res = cv_path(X, y, n_alphas=15, cv=splitter, sample_weight=w, tol=TOL, method="gram")
    ref = _by_hand(X, y, w, splits, res.alphas, tol=TOL)
    np.testing.assert_allclose(res.fold_scores, ref, rtol=1e-7)


def test_shuffled_folds_random_state_and_groups():
    X, y, _ = _problem(n=50, p=5, seed=9)
    a = cv_path(X, y, n_alphas=10, cv=5, random_state=0, tol=TOL)
    expected = [te for _, te in KFold(5, shuffle=True, random_state=0).split(X)]
    assert all(np.array_equal(f, e) for f, e in zip(a.folds, expected))
    groups = np.repeat(np.arange(10), 5)
    g = cv_path(X, y, n_alphas=10, cv=GroupKFold(5), groups=groups, tol=TOL)
    for test in g.folds:
        assert set(groups[test]).isdisjoint(set(np.delete(groups, test)))


def test_sparse_input_matches_dense():
    X, y, w = _problem(n=60, p=7, seed=11)
    X[np.abs(X) < 0.8] = 0.0
    d = cv_path(X, y, n_alphas=12, cv=3, sample_weight=w, tol=TOL)
    for fmt in ("csc", "csr"):
        s = cv_path(sp.csr_matrix(X).asformat(fmt), y, n_alphas=12, cv=3, sample_weight=w,
                    tol=TOL)
        np.testing.assert_allclose(s.fold_scores, d.fold_scores, rtol=1e-7)
    forced = cv_path(sp.csc_matrix(X), y, n_alphas=12, cv=3, sample_weight=w, tol=TOL,
                     method="gram")
    np.testing.assert_allclose(forced.fold_scores, d.fold_scores, rtol=1e-7)


@pytest.mark.parametrize("method", ["gram", "refit"])
@pytest.mark.parametrize("given_alphas", [False, True])
def test_n_jobs_gives_the_same_result(method, given_alphas):
    # Gram-downdate CV runs its full-data and fold paths side by side on numba's
    # threads by default (n_jobs=None): the same numbers as one after the other.
    X, y, _ = _problem(n=60, p=6, seed=12)
    alphas = np.geomspace(1.0, 1e-3, 12) if given_alphas else None
    runs = [cv_path(X, y, alphas=alphas, n_alphas=12, cv=4, tol=TOL, method=method,
                    n_jobs=n_jobs) for n_jobs in (1, None, 2)]
    for r in runs[1:]:
        np.testing.assert_array_equal(r.fold_scores, runs[0].fold_scores)
        np.testing.assert_array_equal(r.path.coef, runs[0].path.coef)
        np.testing.assert_array_equal(r.alphas, runs[0].alphas)


# ------------------------------------------------------------------------------------------
# selection rules
# ------------------------------------------------------------------------------------------
def test_one_standard_error_rule_exactly():
    rng = np.random.default_rng(0)
    scores = rng.uniform(1.0, 2.0, size=(5, 20))
    alphas = np.logspace(0, -2, 20)
    dummy = regularized.path(*_problem(n=20, p=3)[:2], alphas=alphas)
    res = CVPath(alphas=alphas, fold_scores=scores, path=dummy, scoring="mse")
    cvm = scores.mean(axis=0)
    cvsd = scores.std(axis=0, ddof=1) / np.sqrt(5)
    i_min = int(np.argmin(cvm))
    within = [i for i in range(20) if cvm[i] <= cvm[i_min] + cvsd[i_min]]
    assert res.index_min == i_min and res.alpha_min == alphas[i_min]
    assert res.index_1se == min(within)                      # largest alpha (grid decreases)
    assert res.alpha_1se == alphas[min(within)] == max(alphas[within])
    assert res.alpha_1se >= res.alpha_min
    assert res.index("1se") == res.index_1se and res.index("min") == res.index_min
    with pytest.raises(ValueError, match="selection"):
        res.index("max")


def test_selection_ties_and_nan():
    i_min, i_1se = select_indices(np.array([3.0, 1.0, 1.0, 2.0]), np.zeros(4))
    assert (i_min, i_1se) == (1, 1)                           # first (largest alpha) on ties
    i_min, i_1se = select_indices(np.array([np.nan, 2.0, 1.0]), np.array([0.0, 0.1, 1.5]))
    assert (i_min, i_1se) == (2, 1)
    with pytest.raises(ValueError, match="NaN"):
        select_indices(np.array([np.nan, np.nan]), np.zeros(2))


def test_cv_path_1se_is_more_regularized_on_real_fit():
    X, y, _ = _problem(n=100, p=20, seed=2)
    res = cv_path(X, y, n_alphas=40, cv=5, tol=1e-8)
    assert res.alpha_1se >= res.alpha_min
    assert res.path.n_nonzero[res.index_1se] <= res.path.n_nonzero[res.index_min]
    thr = res.cvm[res.index_min] + res.cvsd[res.index_min]
    assert res.cvm[res.index_1se] <= thr
    assert np.all(res.cvm[: res.index_1se] > thr)


# ------------------------------------------------------------------------------------------
# scorings
# ------------------------------------------------------------------------------------------
def test_squared_scorings_by_hand():
    rng = np.random.default_rng(1)
    y = rng.standard_normal(30)
    eta = rng.standard_normal((30, 4))
    w = rng.uniform(0.5, 1.5, 30)
    r = y[:, None] - eta
    np.testing.assert_allclose(fold_score(eta, y, w, loss="squared", scoring="mse"),
                               w @ r ** 2 / w.sum())
    np.testing.assert_allclose(fold_score(eta, y, w, loss="squared", scoring="mae"),
                               w @ np.abs(r) / w.sum())
    from sklearn.metrics import r2_score

    r2 = [r2_score(y, eta[:, i], sample_weight=w) for i in range(4)]
    np.testing.assert_allclose(fold_score(eta, y, w, loss="squared", scoring="r2"),
                               1.0 - np.array(r2))


def test_glm_scorings_by_hand():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(2)
    y = (rng.random(40) < 0.4).astype(float)
    eta = rng.standard_normal((40, 3))
    eta[:5, 0] = eta[5:10, 0] = 0.3                            # ties
    w = rng.uniform(0.5, 1.5, 40)
    auc = [roc_auc_score(y, eta[:, i], sample_weight=w) for i in range(3)]
    np.testing.assert_allclose(fold_score(eta, y, w, loss="logistic", scoring="auc"),
                               1.0 - np.array(auc), rtol=1e-12)
    mis = [w @ ((eta[:, i] > 0) != (y > 0.5)) / w.sum() for i in range(3)]
    np.testing.assert_allclose(
        fold_score(eta, y, w, loss="logistic", scoring="misclassification"), mis)
    p = 1 / (1 + np.exp(-eta))
    dev = -2 * (w @ (y[:, None] * np.log(p) + (1 - y[:, None]) * np.log(1 - p))) / w.sum()
    np.testing.assert_allclose(fold_score(eta, y, w, loss="logistic", scoring="deviance"), dev)
    counts = rng.poisson(2.0, 40).astype(float)[:, None]
    mu = np.exp(eta)
    ylogy = np.where(counts > 0, counts * np.log(np.where(counts > 0, counts, 1.0) / mu), 0.0)
    pdev = 2 * (w @ (ylogy - (counts - mu))) / w.sum()
    counts = counts[:, 0]
    np.testing.assert_allclose(fold_score(eta, counts, w, loss="poisson", scoring="deviance"),
                               pdev)


def test_scoring_mae_and_errors():
    X, y, _ = _problem(n=40, p=4, seed=4)
    res = cv_path(X, y, n_alphas=8, cv=4, scoring="mae", tol=TOL)
    ref = []
    for train, test in KFold(4).split(X):
        fp = regularized.path(X[train], y[train], alphas=res.alphas, tol=TOL)
        ref.append(np.abs(y[test][:, None] - fp.predict(X[test])).mean(axis=0))
    np.testing.assert_allclose(res.fold_scores, ref, rtol=1e-7)
    with pytest.raises(ValueError, match="scoring"):
        cv_path(X, y, scoring="auc")
    with pytest.raises(ValueError, match="at least 2 folds"):
        cv_path(X, y, cv=1)
    with pytest.raises(ValueError, match="method"):
        cv_path(X, y, method="fast")
    with pytest.raises(ValueError, match="l1_ratio"):
        cv_path(X, y, l1_ratio=2.0)


# ------------------------------------------------------------------------------------------
# ridge LOO / GCV
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(40, 6), (15, 30)], ids=["tall", "wide"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_loo_equals_refits_without_each_row(shape, fit_intercept):
    n, p = shape
    X, y, w = _problem(n=n, p=p, seed=6)
    alphas = np.logspace(0, -3, 6)
    res = ridge_loo_path(X, y, alphas=alphas, sample_weight=w, fit_intercept=fit_intercept)
    total = w.sum()
    errs = np.zeros((n, alphas.size))
    for i in range(n):
        keep = np.arange(n) != i
        # LOO keeps the sum-scale penalty alpha·Σw fixed
        a_i = alphas * total / w[keep].sum()
        fp = regularized.path(X[keep], y[keep], l1_ratio=0.0, alphas=a_i,
                              sample_weight=w[keep], fit_intercept=fit_intercept)
        errs[i] = (y[i] - fp.predict(X[i:i + 1]))[0] ** 2
    np.testing.assert_allclose(res.fold_scores, errs, rtol=1e-7)
    np.testing.assert_allclose(res.cvm, w @ errs / w.sum(), rtol=1e-7)
    assert res.n_folds == n


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_ridge_loo_near_interpolation_keeps_its_digits(weighted):
    """p ≫ n at a tiny alpha (uncentred, offset columns): r_i and 1 − H_ii are both tiny;
    taken as differences they lost 1e-5 of the LOO error, enough to move alpha_."""
    rng = np.random.default_rng(0)
    n, p = 40, 1500
    Z = rng.standard_normal((n, p // 50))
    X = np.sqrt(0.8) * np.repeat(Z, 50, axis=1) + np.sqrt(0.2) * rng.standard_normal((n, p))
    X = X * rng.uniform(0.5, 3, p) + rng.normal(5, 2, p)
    y = X[:, :10] @ rng.uniform(0.5, 2, 10) + rng.standard_normal(n)
    w = rng.uniform(0.5, 2.0, n) if weighted else np.ones(n)
    w = w * n / w.sum()
    a = 1e-3                                       # sum scale (alpha·Σw, Σw = n)
    res = ridge_loo_path(X, y, alphas=[a / n], sample_weight=w)
    errs = np.empty(n)
    for i in range(n):                             # refit without row i, in the dual
        keep = np.arange(n) != i
        wk = w[keep]
        xm = wk @ X[keep] / wk.sum()
        ym = wk @ y[keep] / wk.sum()
        Xc = (X[keep] - xm) * np.sqrt(wk)[:, None]
        c = np.linalg.solve(Xc @ Xc.T + a * np.eye(n - 1), np.sqrt(wk) * (y[keep] - ym))
        errs[i] = (y[i] - ym - (X[i] - xm) @ (Xc.T @ c)) ** 2
    np.testing.assert_allclose(res.fold_scores[:, 0], errs, rtol=1e-8)


def test_ridge_gcv_by_formula():
    X, y, _ = _problem(n=30, p=5, seed=7)
    alphas = np.array([1.0, 0.1, 0.01])
    res = ridge_loo_path(X, y, alphas=alphas, mode="gcv")
    Xc = X - X.mean(axis=0)
    yc = y - y.mean()
    for k, a in enumerate(alphas):
        H = Xc @ np.linalg.solve(Xc.T @ Xc + 30 * a * np.eye(5), Xc.T) + 1.0 / 30
        r = y - y.mean() - (H - 1.0 / 30) @ yc
        gcv = np.mean(r ** 2) / (1 - np.trace(H) / 30) ** 2
        np.testing.assert_allclose(res.cvm[k], gcv, rtol=1e-9)
    with pytest.raises(ValueError, match="penalty_factor"):
        ridge_loo_path(X, y, alphas=alphas, penalty_factor=np.r_[0.0, np.ones(4)])
    with pytest.raises(ValueError, match="mode"):
        ridge_loo_path(X, y, alphas=alphas, mode="kfold")


def test_ridge_kfold_sum_scale():
    """alpha_scale='sum': each fold fits Ridge(a) on its own rows (α_k = a / Σw_train)."""
    X, y, w = _problem(n=50, p=6, seed=13)
    a = np.array([20.0, 2.0, 0.2])
    res = cv_paths(X, y, l1_ratios=[0.0], alphas=a / w.sum(), cv=5, sample_weight=w,
                   alpha_scale="sum")[0]
    for k, (train, test) in enumerate(KFold(5).split(X)):
        fp = regularized.path(X[train], y[train], l1_ratio=0.0, alphas=a / w[train].sum(),
                              sample_weight=w[train])
        err = w[test] @ (y[test][:, None] - fp.predict(X[test])) ** 2 / w[test].sum()
        np.testing.assert_allclose(res.fold_scores[k], err, rtol=1e-9)


# ------------------------------------------------------------------------------------------
# relaxed lasso
# ------------------------------------------------------------------------------------------
def test_relax_path_is_least_squares_on_the_support():
    X, y, w = _problem(n=50, p=8, seed=14)
    fp = regularized.path(X, y, n_alphas=10, sample_weight=w, tol=TOL)
    rel = relax_path(fp, X, y, sample_weight=w)
    sw = np.sqrt(w)
    for i in range(10):
        support = np.flatnonzero(fp.coef[i])
        A = np.column_stack([np.ones(50), X[:, support]])
        sol = np.linalg.lstsq(A * sw[:, None], y * sw, rcond=None)[0]
        np.testing.assert_allclose(rel.intercept_relaxed[i], sol[0], rtol=1e-8, atol=1e-10)
        expect = np.zeros(8)
        expect[support] = sol[1:]
        np.testing.assert_allclose(rel.coef_relaxed[i], expect, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(rel.coef(1.0), fp.coef)
    np.testing.assert_allclose(rel.coef(0.25), 0.25 * fp.coef + 0.75 * rel.coef_relaxed)
    np.testing.assert_allclose(rel.predict(X, 0.5), X @ rel.coef(0.5).T + rel.intercept(0.5))
    with pytest.raises(ValueError, match="gamma"):
        rel.coef(1.5)


@pytest.mark.parametrize("method", ["gram", "refit"])
def test_relaxed_cv_equals_folds_by_hand(method):
    X, y, _ = _problem(n=60, p=8, seed=15)
    gammas = [0.0, 0.5, 1.0]
    res = cv_path(X, y, n_alphas=12, cv=3, tol=TOL, relax=True, gammas=gammas, method=method)
    assert res.fold_scores.shape == (3, 3, 12)
    for k, (train, test) in enumerate(KFold(3).split(X)):
        fp = regularized.path(X[train], y[train], alphas=res.alphas, tol=TOL)
        rel = relax_path(fp, X[train], y[train])
        for g, gamma in enumerate(gammas):
            err = ((y[test][:, None] - rel.predict(X[test], gamma)) ** 2).mean(axis=0)
            np.testing.assert_allclose(res.fold_scores[k, g], err, rtol=1e-7)
    np.testing.assert_allclose(res.cv_for_gamma(1.0).cvm, res.cvm[2])
    g_min, a_min = res.index_min
    assert res.cvm[g_min, a_min] == np.min(res.cvm)
    g1, a1 = res.index_1se
    assert res.cvm[g1, a1] <= res.cvm[g_min, a_min] + res.cvsd[g_min, a_min]
    assert a1 <= a_min


# ------------------------------------------------------------------------------------------
# information criteria
# ------------------------------------------------------------------------------------------
def _noise_variance(X, y):
    A = np.column_stack([np.ones(len(y)), X])
    r = y - A @ np.linalg.lstsq(A, y, rcond=None)[0]
    return r @ r / (len(y) - X.shape[1] - 1)


@pytest.mark.parametrize("criterion", ["aic", "bic"])
def test_lasso_information_criterion_by_hand(criterion):
    X, y, _ = _problem(n=60, p=8, seed=16)
    res = ic_path(X, y, criterion=criterion, n_alphas=20, tol=TOL)
    s2 = _noise_variance(X, y)
    np.testing.assert_allclose(res.noise_variance, s2, rtol=1e-9)
    rss = ((y[:, None] - res.path.predict(X)) ** 2).sum(axis=0)
    df = res.path.n_nonzero
    k = 2.0 if criterion == "aic" else np.log(60)
    expect = 60 * np.log(2 * np.pi * s2) + rss / s2 + k * df
    np.testing.assert_allclose(res.criterion, expect, rtol=1e-9)
    assert res.index_min == int(np.argmin(expect))


def test_enet_and_ridge_df_is_trace_of_hat_matrix():
    X, y, _ = _problem(n=40, p=6, seed=17)
    Xc = X - X.mean(axis=0)
    for rho in (0.5, 0.0):
        res = ic_path(X, y, l1_ratio=rho, n_alphas=8, tol=TOL, noise_variance=1.0)
        for i, a in enumerate(res.alphas):
            A = np.flatnonzero(res.path.coef[i])
            XA = Xc[:, A]
            H = XA @ np.linalg.solve(XA.T @ XA + 40 * a * (1 - rho) * np.eye(A.size), XA.T)
            np.testing.assert_allclose(res.df[i], np.trace(H), rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="noise_variance"):
        ic_path(X[:6], y[:6], criterion="bic")
    with pytest.raises(ValueError, match="criterion"):
        ic_path(X, y, criterion="cp")


# ------------------------------------------------------------------------------------------
# GLM losses
# ------------------------------------------------------------------------------------------
def _binary(n=80, p=5, seed=20):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    eta = X @ np.r_[1.5, -1.0, np.zeros(p - 2)] + 0.3
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return X, y


@pytest.mark.parametrize("scoring", ["deviance", "misclassification", "auc"])
def test_logistic_cv_equals_folds_by_hand(scoring):
    from sklearn.model_selection import StratifiedKFold

    X, y = _binary()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        res = cv_path(X, y, loss="logistic", n_alphas=8, cv=4, scoring=scoring, tol=1e-9)
        for k, (train, test) in enumerate(StratifiedKFold(4).split(X, y)):
            fp = regularized.path(X[train], y[train], loss="logistic", alphas=res.alphas,
                                  tol=1e-9)
            eta = fp.predict(X[test])
            if eta.shape[1] < len(res.alphas):             # the fold path stopped early
                eta = np.column_stack([eta] + [eta[:, -1:]] * (len(res.alphas) - eta.shape[1]))
            ref = fold_score(eta, y[test].astype(float), np.ones(len(test)), loss="logistic",
                             scoring=scoring)
            np.testing.assert_allclose(res.fold_scores[k], ref, rtol=1e-6, atol=1e-9)


def test_poisson_cv_equals_folds_by_hand():
    rng = np.random.default_rng(21)
    X = rng.standard_normal((70, 4))
    y = rng.poisson(np.exp(0.5 * X[:, 0] - 0.3 * X[:, 1] + 0.2))
    res = cv_path(X, y, loss="poisson", n_alphas=8, cv=3, tol=1e-9)
    for k, (train, test) in enumerate(KFold(3).split(X)):
        fp = regularized.path(X[train], y[train], loss="poisson", alphas=res.alphas, tol=1e-9)
        mu = fp.predict(X[test], kind="response")
        yt = y[test][:, None].astype(float)
        ylogy = np.where(yt > 0, yt * np.log(np.where(yt > 0, yt, 1.0) / mu), 0.0)
        np.testing.assert_allclose(res.fold_scores[k], 2 * (ylogy - (yt - mu)).mean(axis=0),
                                   rtol=1e-6)
    with pytest.raises(ValueError, match="relax"):
        cv_path(X, y, loss="poisson", relax=True)


@pytest.mark.filterwarnings("ignore:The least populated class:UserWarning")
def test_a_class_rarer_than_the_folds_is_named_with_a_way_out():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    y = rng.integers(0, 3, 200)
    y[5] = 3                                   # one sample: some training fold lacks it
    for cv in (5, KFold(5)):
        with pytest.raises(ValueError, match=r"class 3 \(1 sample\) has fewer samples than "
                                             r"the 5 folds.*drop or merge the rare class"):
            cv_path(X, y, loss="multinomial", n_alphas=5, cv=cv)


def test_unstratified_folds_that_lose_a_class_are_named():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(100, 4))
    y = np.array(["a"] * 50 + ["b"] * 50)      # KFold(2) in row order: one class per fold
    with pytest.raises(ValueError, match=r"fold 0 lack class 'a' \(50 samples\); use "
                                         r"stratified folds"):
        cv_path(X, y, loss="logistic", n_alphas=5, cv=KFold(2))


@pytest.mark.parametrize("value", [0.1, 3.7, 1e6 + 0.3])
def test_constant_target_gives_the_same_grid_and_null_fit_in_path_and_cv(value):
    # The centred values of a constant y are the rounding of its mean; both the
    # sample path and the Gram-downdate CV take y_c = 0 (a grid from alpha_max = 1,
    # every coefficient 0, the intercept the constant) instead of a grid at 1e-30.
    from regularized.estimators import LassoCV

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5))
    y = np.full(120, value)
    fitted = regularized.path(X, y, n_alphas=10)
    cv = regularized.cv_path(X, y, n_alphas=10, cv=4)
    np.testing.assert_allclose(fitted.alphas, cv.alphas)
    assert fitted.alphas[0] == 1.0
    assert not fitted.coef.any() and not cv.path.coef.any()
    np.testing.assert_allclose(cv.path.intercept, value)
    model = LassoCV(cv=4).fit(X, y)
    assert not model.coef_.any() and model.intercept_ == pytest.approx(value)


def test_a_flat_end_of_the_cv_curve_does_not_extend_the_grid():
    """The default grid is extended past a minimum at its smallest alpha only where the mean
    score still falls there by more than its standard error over the last decade:
    ElasticNetCV(l1_ratio=0.1) on a 300 × 3000 regression fell 3% (within its standard
    error) and two extensions to 1e-6·alpha_max took 315 s against scikit-learn's 13 s."""
    from regularized.cv import CVPath, extends_below, still_falling

    alphas = np.logspace(0, -2, 21)
    rng = np.random.default_rng(0)
    folds = rng.normal(size=(5, 1))                 # each fold's level: the SE's source
    flat = 100.0 - 0.5 * np.arange(21) / 20 + 5.0 * folds       # falls 0.5, SE ~ 2
    steep = 100.0 - 40.0 * np.arange(21) / 20 + 0.1 * folds      # falls 20 in a decade
    for scores, falling in ((flat, False), (steep, True)):
        cv = CVPath(alphas=alphas, fold_scores=scores, path=None, scoring="mse")
        assert cv.edge == "smallest"
        assert still_falling(cv) is falling and extends_below(cv) is falling
    one_decade = CVPath(alphas=np.logspace(0, -0.5, 6), fold_scores=steep[:, :6],
                        path=None, scoring="mse")
    assert still_falling(one_decade)                              # against its first alpha
