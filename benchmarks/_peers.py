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


# --------------------------------------------------------------------------- logistic_path
# L1 binary logistic regression with an unpenalized intercept, no standardization, y in {0, 1}:
#   P(b, b0) = 1/n sum_i log(1 + exp(-y~_i (x_i^T b + b0))) + alpha ||b||_1,  y~ = 2y - 1.
# coefs() returns (coef (n_alphas, p), intercept (n_alphas,)).

LOGISTIC = "logistic_path"


def _l1_only(problem, l1_ratio):
    return None if l1_ratio == 1.0 else "GLM tasks run l1_ratio 1 only"


@runner(LOGISTIC, "regularized", module="regularized", dist="regularized", is_ours=True,
        supports=_l1_only, tol_meaning="relative duality gap (regularized.path tol)")
def _regularized_logistic():
    def fit(X, y, alphas, rho, tol):
        import regularized
        return regularized.path(X, y, loss="logistic", l1_ratio=rho, alphas=alphas,
                                fit_intercept=True, standardize=False, tol=tol)

    def coefs(res, alphas):
        _check_alphas(res.alphas, alphas)
        return np.asarray(res.coef), np.asarray(res.intercept)
    return fit, coefs


def _sklearn_logistic_path(X, y, alphas, tol, **params):
    """LogisticRegression over the grid, C = 1/(alpha n), warm-started where the solver can."""
    from sklearn.linear_model import LogisticRegression
    n = X.shape[0]
    est = LogisticRegression(l1_ratio=1.0, tol=tol, **params)
    coef, icpt = [], []
    for a in alphas:
        est.set_params(C=1.0 / (a * n))
        est.fit(X, y)
        coef.append(est.coef_.copy())
        icpt.append(np.array(est.intercept_, dtype=float).copy())
    return np.array(coef), np.array(icpt)


def _sklearn_coefs(res, alphas):
    coef, icpt = res
    if coef.shape[1] == 1:  # binary: (n_alphas, 1, p)
        return np.ascontiguousarray(coef[:, 0, :]), icpt[:, 0]
    return np.ascontiguousarray(coef), icpt


# liblinear penalizes the intercept (a constant column of value intercept_scaling whose weight
# is in the L1 term); a large intercept_scaling makes that penalty alpha |b0| / 1000.
LIBLINEAR_INTERCEPT_SCALING = 1000.0


@runner(LOGISTIC, "sklearn-liblinear", module="sklearn", dist="scikit-learn", supports=_l1_only,
        tol_meaning="liblinear eps (newGLMNET, relative subgradient norm); one fit per alpha, "
                    "no warm start (liblinear has none); intercept_scaling=1000")
def _sklearn_liblinear():
    def fit(X, y, alphas, rho, tol):
        return _sklearn_logistic_path(X, y, alphas, tol, solver="liblinear", max_iter=100_000,
                                      intercept_scaling=LIBLINEAR_INTERCEPT_SCALING)
    return fit, _sklearn_coefs


@runner(LOGISTIC, "sklearn-saga", module="sklearn", dist="scikit-learn", supports=_l1_only,
        tol_meaning="saga: max coefficient change / max coefficient < tol; warm-started over the grid")
def _sklearn_saga():
    def fit(X, y, alphas, rho, tol):
        return _sklearn_logistic_path(X, y, alphas, tol, solver="saga", max_iter=100_000,
                                      warm_start=True)
    return fit, _sklearn_coefs


@runner(LOGISTIC, "skglm", module="skglm", dist="skglm", supports=_l1_only,
        tol_meaning="skglm ProxNewton: max KKT violation, absolute (SparseLogisticRegression, "
                    "warm-started over the grid)")
def _skglm_logistic():
    def fit(X, y, alphas, rho, tol):
        from skglm import SparseLogisticRegression
        # skglm's Logistic datafit is 1/n sum log(1 + exp(-y~ x^T b)): our scale.
        est = SparseLogisticRegression(alpha=alphas[0], tol=tol, max_iter=100, fit_intercept=True,
                                       warm_start=True)
        coef, icpt = [], []
        for a in alphas:
            est.set_params(alpha=a)
            est.fit(X, y)
            coef.append(np.ravel(est.coef_).copy())
            icpt.append(float(np.ravel(est.intercept_)[0]))
        return np.array(coef), np.array(icpt)

    def coefs(res, alphas):
        return res
    return fit, coefs


def _celer_no_intercept(problem, l1_ratio):
    return ("celer's L1 logistic regression fits no intercept (celer.LogisticRegression raises "
            "NotImplementedError for fit_intercept=True; celer_path(pb='logreg') has none)")


@runner(LOGISTIC, "celer", module="celer", dist="celer", supports=_celer_no_intercept,
        tol_meaning="(not run)")
def _celer_logistic():
    def fit(X, y, alphas, rho, tol):
        raise NotImplementedError

    def coefs(res, alphas):
        raise NotImplementedError
    return fit, coefs


def _glmnet_logit(X, y, alphas, tol):
    from glmnet import LogitNet
    # lognet: -1/n loglik + lambda ||b||_1, our scale for binomial and multinomial (no y scaling,
    # unlike the gaussian family); kopt=0 in python-glmnet: ungrouped multinomial.
    est = LogitNet(alpha=1.0, lambda_path=alphas, standardize=False, fit_intercept=True,
                   tol=tol, n_splits=0, max_iter=100_000)
    est.fit(X, y)
    return est


def _glmnet_logit_coefs(est, alphas):
    if est.n_lambda_ < alphas.shape[0]:
        raise Incomplete(f"returned {est.n_lambda_} of {alphas.shape[0]} alphas (jerr={est.jerr_})")
    if not np.allclose(est.lambda_path_[1:], alphas[1:], rtol=1e-10):
        raise RuntimeError("returned lambdas differ from the ones asked")
    C = np.asarray(est.coef_path_)        # (n_classes or 1, p, n_alphas)
    b0 = np.asarray(est.intercept_path_)  # (n_classes or 1, n_alphas)
    if C.shape[0] == 1:
        return np.ascontiguousarray(C[0].T), b0[0].copy()
    return np.ascontiguousarray(C.transpose(2, 0, 1)), np.ascontiguousarray(b0.T)


@runner(LOGISTIC, "glmnet", module="glmnet", dist="python-glmnet", supports=_l1_only,
        tol_meaning="glmnet thresh: max weighted coordinate change in objective < tol * null deviance")
def _glmnet_logistic():
    def fit(X, y, alphas, rho, tol):
        return _glmnet_logit(X, y, alphas, tol)
    return fit, _glmnet_logit_coefs


@runner(LOGISTIC, "adelie", module="adelie", dist="adelie", supports=_l1_only,
        tol_meaning="adelie grpnet tol = irls_tol (coordinate descent and IRLS convergence)")
def _adelie_logistic():
    def fit(X, y, alphas, rho, tol):
        import adelie as ad
        # binomial glm, weights 1/n: loss 1/n sum [log(1 + e^eta) - y eta], our scale.
        return ad.grpnet(_adelie_matrix(X), ad.glm.binomial(y), alpha=rho, lmda_path=alphas,
                         intercept=True, tol=tol, irls_tol=tol, early_exit=False,
                         n_threads=THREADS, progress_bar=False)

    def coefs(state, alphas):
        _check_alphas(state.lmdas, alphas)
        return np.asarray(state.betas.toarray()), np.asarray(state.intercepts)
    return fit, coefs


def _glum_logistic_supports(problem, l1_ratio):
    return _l1_only(problem, l1_ratio) or _glum_memory(problem, l1_ratio)


@runner(LOGISTIC, "glum", module="glum", dist="glum", supports=_glum_logistic_supports,
        tol_meaning="glum gradient_tol (irls-cd, alpha_search over the grid)")
def _glum_logistic():
    def fit(X, y, alphas, rho, tol):
        from glum import GeneralizedLinearRegressor
        # 1/(2n) binomial deviance = 1/n sum [log(1 + e^eta) - y eta]: our scale.
        est = GeneralizedLinearRegressor(family="binomial", alphas=alphas, alpha_search=True,
                                         l1_ratio=rho, fit_intercept=True, solver="irls-cd",
                                         gradient_tol=tol, max_iter=1000)
        est.fit(X, y)
        return est

    def coefs(est, alphas):
        path = np.asarray(est.coef_path_)
        if path.shape[0] < alphas.shape[0]:
            raise Incomplete(f"returned {path.shape[0]} of {alphas.shape[0]} alphas")
        return np.ascontiguousarray(path), np.asarray(est.intercept_path_, dtype=float)
    return fit, coefs


# --------------------------------------------------------------------------- multinomial_path
# 10 classes, one coefficient vector per class, ungrouped L1 on all of them, intercepts fitted:
#   P(B, b0) = 1/n sum_i [logsumexp(B x_i + b0) - (B x_i + b0)_{y_i}] + alpha sum |B|.
# coefs() returns (coef (n_alphas, K, p), intercept (n_alphas, K)).

MULTINOMIAL = "multinomial_path"


@runner(MULTINOMIAL, "regularized", module="regularized", dist="regularized", is_ours=True,
        supports=_l1_only, tol_meaning="relative duality gap (regularized.path tol)")
def _regularized_multinomial():
    def fit(X, y, alphas, rho, tol):
        import regularized
        return regularized.path(X, y, loss="multinomial", l1_ratio=rho, alphas=alphas,
                                fit_intercept=True, standardize=False, grouped=False, tol=tol)

    def coefs(res, alphas):
        _check_alphas(res.alphas, alphas)
        return np.asarray(res.coef), np.asarray(res.intercept)
    return fit, coefs


@runner(MULTINOMIAL, "glmnet", module="glmnet", dist="python-glmnet", supports=_l1_only,
        tol_meaning="glmnet thresh: max weighted coordinate change in objective < tol * null deviance")
def _glmnet_multinomial():
    def fit(X, y, alphas, rho, tol):
        return _glmnet_logit(X, y, alphas, tol)
    return fit, _glmnet_logit_coefs


@runner(MULTINOMIAL, "sklearn-saga", module="sklearn", dist="scikit-learn", supports=_l1_only,
        tol_meaning="saga: max coefficient change / max coefficient < tol; warm-started over the grid")
def _sklearn_saga_multinomial():
    def fit(X, y, alphas, rho, tol):
        # > 2 classes: scikit-learn fits the multinomial (softmax) loss, one row of coef_ per class
        return _sklearn_logistic_path(X, y, alphas, tol, solver="saga", max_iter=100_000,
                                      warm_start=True)
    return fit, _sklearn_coefs


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
