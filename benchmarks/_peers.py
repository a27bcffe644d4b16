"""Runners: one per (task, package). Each maps our parameters to the package's own scale.

A runner's ``fit`` is the only thing timed: it calls the package the way a user would, from
(X, y, alphas, l1_ratio, tol) in our scaling (see _objective.py), and returns whatever the
package returns. ``coefs`` (untimed) turns that into a dense (n_alphas, p) array in the order of
``alphas``; it raises ``Incomplete`` when the package returned fewer alphas than asked.

To add a task (logistic path, CV, ...), add its objective to _objective.py and register runners
under the new task name with ``@runner(task, package)``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

THREADS = 2

# tolerance ladders, loosest first, in each package's own units
DECADES = [10.0 ** -k for k in range(2, 15)]  # 1e-2 ... 1e-14


class Incomplete(RuntimeError):
    """The package returned fewer alphas than requested (early exit, feature cap, ...)."""


class Unsupported(RuntimeError):
    """The package cannot run this problem (reason in the message)."""


@dataclass
class Runner:
    task: str
    package: str  # display name
    module: str  # import name, for the version
    dist: str  # distribution name (pip), for the version
    fit: Callable
    coefs: Callable
    ladder: list
    tol_meaning: str
    supports: Callable = lambda problem, l1_ratio: None  # returns None or a reason string
    is_ours: bool = False


RUNNERS: dict[tuple[str, str], Runner] = {}


def runner(task, package, *, module, dist, ladder=DECADES, tol_meaning="", supports=None,
           is_ours=False):
    def deco(fit_and_coefs):
        fit, coefs = fit_and_coefs()
        RUNNERS[(task, package)] = Runner(task, package, module, dist, fit, coefs, list(ladder),
                                          tol_meaning, supports or (lambda pb, r: None), is_ours)
        return fit_and_coefs
    return deco


def packages(task):
    return [pkg for (t, pkg) in RUNNERS if t == task]


def version(dist):
    from importlib.metadata import PackageNotFoundError, version as v
    try:
        return v(dist)
    except PackageNotFoundError:
        return None


def _check_alphas(returned, asked, rtol=1e-10):
    returned = np.asarray(returned, dtype=float)
    if returned.shape[0] < asked.shape[0]:
        raise Incomplete(f"returned {returned.shape[0]} of {asked.shape[0]} alphas")
    if not np.allclose(returned[: asked.shape[0]], asked, rtol=rtol, atol=0):
        raise RuntimeError("returned alphas differ from the ones asked")


# --------------------------------------------------------------------------- lasso_path
# Squared loss, no intercept, no standardization; P(b) = 1/(2n)||y - Xb||^2
#   + alpha (rho ||b||_1 + (1 - rho)/2 ||b||^2).

TASK = "lasso_path"


@runner(TASK, "regularized", module="regularized", dist="regularized", is_ours=True,
        tol_meaning="relative duality gap (regularized.path tol)")
def _regularized():
    def fit(X, y, alphas, rho, tol):
        import regularized
        return regularized.path(X, y, l1_ratio=rho, alphas=alphas, fit_intercept=False,
                                standardize=False, tol=tol)

    def coefs(res, alphas):
        _check_alphas(res.alphas, alphas)
        return np.asarray(res.coef)
    return fit, coefs


@runner(TASK, "scikit-learn", module="sklearn", dist="scikit-learn",
        tol_meaning="duality gap <= tol * ||y||^2 / n (enet_path, precompute='auto')")
def _sklearn():
    def fit(X, y, alphas, rho, tol):
        from sklearn.linear_model import enet_path
        # precompute="auto": Gram when n > p (dense), as enet_path does by default.
        # copy_X=False: X is already float64 Fortran / CSC, nothing to protect.
        return enet_path(X, y, l1_ratio=rho, alphas=alphas, precompute="auto", copy_X=False,
                         tol=tol, max_iter=100_000)

    def coefs(res, alphas):
        _check_alphas(res[0], alphas)
        return np.ascontiguousarray(res[1].T)
    return fit, coefs


@runner(TASK, "celer", module="celer", dist="celer",
        tol_meaning="duality gap <= tol * ||y||^2 / n (celer_path, prune=1 as celer.Lasso)")
def _celer():
    def fit(X, y, alphas, rho, tol):
        from celer import celer_path
        # max_iter=100, prune=1: the defaults of celer.Lasso / celer.ElasticNet
        return celer_path(X, y, "lasso", alphas=alphas, l1_ratio=rho, tol=tol,
                          max_iter=100, max_epochs=50_000, prune=1)

    def coefs(res, alphas):
        _check_alphas(res[0], alphas)
        return np.ascontiguousarray(res[1].T)
    return fit, coefs


@runner(TASK, "skglm", module="skglm", dist="skglm",
        tol_meaning="max KKT (subdifferential distance) violation, absolute (AndersonCD)")
def _skglm():
    def fit(X, y, alphas, rho, tol):
        from skglm import ElasticNet, Lasso
        if rho == 1.0:
            est = Lasso(tol=tol, max_iter=100, fit_intercept=False)
        else:
            est = ElasticNet(l1_ratio=rho, tol=tol, max_iter=100, fit_intercept=False)
        return est.path(X, y, alphas)

    def coefs(res, alphas):
        _check_alphas(res[0], alphas)
        return np.ascontiguousarray(res[1].T)
    return fit, coefs


def _glmnet_params(y, alphas, rho):
    """Map (alpha, rho) to python-glmnet's (lambda, alpha).

    glmnet divides y by ys = sqrt(mean(y^2)) internally (even with standardize=False) and
    un-scales the coefficients after; a user lambda is divided by ys too. The L1 term is then
    scale-equivariant but the ridge term is not: glmnet(lambda, a) solves
        1/(2n)||y - Xb||^2 + lambda a ||b||_1 + lambda (1 - a) / (2 ys) ||b||^2.
    Matching both terms: lambda = alpha (rho + (1 - rho) ys), a = rho / (rho + (1 - rho) ys).
    (For rho = 1 this is the identity.) y is centred in every problem here, so ys is its sd.
    """
    ys = np.sqrt(np.mean(y * y))
    c = rho + (1.0 - rho) * ys
    return alphas * c, rho / c


@runner(TASK, "glmnet", module="glmnet", dist="python-glmnet",
        tol_meaning="glmnet thresh: max coordinate change in objective < tol * null deviance")
def _glmnet():
    def fit(X, y, alphas, rho, tol):
        from glmnet import ElasticNet
        lam, a = _glmnet_params(y, alphas, rho)
        # n_splits=0: no cross-validation, only the path
        est = ElasticNet(alpha=a, lambda_path=lam, standardize=False, fit_intercept=False,
                         tol=tol, n_splits=0, max_iter=100_000)
        est.fit(X, y)
        est._bench_lam = lam
        return est

    def coefs(est, alphas):
        if est.n_lambda_ < alphas.shape[0]:
            raise Incomplete(f"returned {est.n_lambda_} of {alphas.shape[0]} alphas "
                             f"(jerr={est.jerr_})")
        # python-glmnet overwrites lambda_path_[0] (R's cosmetic fix), so compare from [1:]
        if not np.allclose(est.lambda_path_[1:], est._bench_lam[1:], rtol=1e-10):
            raise RuntimeError("returned lambdas differ from the ones asked")
        return np.ascontiguousarray(est.coef_path_.T)
    return fit, coefs


def _adelie_matrix(X):
    import adelie as ad
    from scipy import sparse
    if sparse.issparse(X):
        return ad.matrix.sparse(X, method="naive", n_threads=THREADS)
    return ad.matrix.dense(X, method="naive", n_threads=THREADS)


@runner(TASK, "adelie", module="adelie", dist="adelie",
        tol_meaning="adelie grpnet tol (coordinate descent convergence)")
def _adelie():
    def fit(X, y, alphas, rho, tol):
        import adelie as ad
        # gaussian glm: weights 1/n, loss 1/(2n)||y - Xb||^2, same penalty scale as ours.
        # early_exit=False: otherwise adelie stops the path at 90% deviance explained.
        return ad.grpnet(_adelie_matrix(X), ad.glm.gaussian(y), alpha=rho, lmda_path=alphas,
                         intercept=False, tol=tol, early_exit=False, n_threads=THREADS,
                         progress_bar=False)

    def coefs(state, alphas):
        _check_alphas(state.lmdas, alphas)
        return np.asarray(state.betas.toarray())
    return fit, coefs


def _dense_tall(problem, rho):
    if problem.kind != "dense" or problem.n <= problem.p:
        return "covariance method only for dense n > p"
    return None


@runner(TASK, "adelie-cov", module="adelie", dist="adelie", supports=_dense_tall,
        tol_meaning="adelie gaussian_cov tol; time includes A = X^T X / n")
def _adelie_cov():
    def fit(X, y, alphas, rho, tol):
        import adelie as ad
        n = X.shape[0]
        A = (X.T @ X) / n
        v = (X.T @ y) / n
        # objective 1/2 b^T A b - v^T b + penalty = P(b) - ||y||^2/(2n): same minimiser.
        return ad.solver.gaussian_cov(A, v, alpha=rho, lmda_path=alphas, tol=tol,
                                      early_exit=False, n_threads=THREADS, progress_bar=False)

    def coefs(state, alphas):
        _check_alphas(state.lmdas, alphas)
        return np.asarray(state.betas.toarray())
    return fit, coefs


def _glum_memory(problem, l1_ratio):
    # glum's irls-cd forms a dense p x p Hessian (X^T W X): refuse what would not fit in a
    # quarter of this machine's memory (a trial on the sparse p=50000 problem was OOM-killed).
    need = 8.0 * problem.p ** 2
    try:
        total = next(int(ln.split()[1]) * 1024 for ln in open("/proc/meminfo") if ln.startswith("MemTotal:"))
    except (OSError, StopIteration):
        total = 16 * 2**30
    if need > total / 4:
        return (f"glum's irls-cd forms a dense p x p Hessian: {need / 2**30:.0f} GiB for p={problem.p} "
                f"(machine has {total / 2**30:.0f} GiB); not run")
    return None


@runner(TASK, "glum", module="glum", dist="glum", supports=_glum_memory,
        tol_meaning="glum gradient_tol (sum of min-norm subgradients, irls-cd)")
def _glum():
    def fit(X, y, alphas, rho, tol):
        from glum import GeneralizedLinearRegressor
        # objective 1/(2 sum(s)) deviance + alpha rho |b|_1 + alpha (1 - rho)/2 |b|^2 = ours
        est = GeneralizedLinearRegressor(family="normal", alpha=list(alphas), alpha_search=True,
                                         l1_ratio=rho, fit_intercept=False, solver="irls-cd",
                                         gradient_tol=tol, max_iter=1000)
        est.fit(X, y)
        est._bench_alphas = np.asarray(est._alphas) if hasattr(est, "_alphas") else None
        return est

    def coefs(est, alphas):
        path = np.asarray(est.coef_path_)
        if path.shape[0] < alphas.shape[0]:
            raise Incomplete(f"returned {path.shape[0]} of {alphas.shape[0]} alphas")
        return np.ascontiguousarray(path)
    return fit, coefs


def available(r: Runner):
    """None if the runner's package imports, else the reason."""
    try:
        importlib.import_module(r.module)
    except Exception as e:  # noqa: BLE001 - report any import failure
        return f"import {r.module} failed: {type(e).__name__}: {e}"
    if r.module == "regularized":
        import regularized
        if not hasattr(regularized, "path"):
            return "regularized.path not available yet"
    return None
