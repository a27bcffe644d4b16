"""Scaling check for the GLM runners: every package at its tightest tolerance on a small problem.

    .venv-bench/bin/python benchmarks/check_glm_scaling.py logistic_path dense
    .venv-bench/bin/python benchmarks/check_glm_scaling.py logistic_path sparse
    .venv-bench/bin/python benchmarks/check_glm_scaling.py multinomial_path dense

Each runner maps our (alpha, tol) to its package's scale; if the mapping is right, all packages'
objectives (computed by _objective.py, not by the packages) agree to ~1e-8 relative or better.
Prints each package's time, the harness's duality gap of its solution and its distance to the
best objective found. Results are recorded in the notes of RESULTS_glm.md.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from scipy import sparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import _objective  # noqa: E402
import _peers  # noqa: E402

TIGHT = {"regularized": 1e-12, "skglm": 1e-12, "glmnet": 1e-14, "adelie": 1e-12, "glum": 1e-12,
         "sklearn-saga": 1e-10, "sklearn-liblinear": 1e-6}  # liblinear: 1e-12 takes minutes


def main(task="logistic_path", kind="dense"):
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(0)
    n, p = (400, 60) if kind == "dense" else (600, 300)
    if kind == "dense":
        X = np.asfortranarray(rng.standard_normal((n, p)) + 0.3)
    else:
        X = sparse.random(n, p, density=0.05, random_state=1, format="csc")
        X.data = np.abs(X.data) * 3 + 0.1
    beta = np.zeros(p)
    beta[:5] = [2, -1.5, 1, -1, 1.5]
    eta = np.asarray(X @ beta)
    if task == "logistic_path":
        y = (eta + rng.standard_normal(n) > np.median(eta)).astype(float)
        Y = y[:, None]
    else:
        B = rng.standard_normal((p, 4)) * (rng.random((p, 4)) < 0.1)
        E = np.asarray(X @ B)
        y = np.argmax(E + rng.gumbel(size=E.shape), axis=1)
        Y = _objective.one_hot_labels(y)
    alpha_max = np.max(np.abs(np.asarray(X.T @ (Y - Y.mean(0))))) / n
    alphas = alpha_max * np.logspace(0, -2, 10)
    res = {}
    for (t, pkg), r in _peers.RUNNERS.items():
        if t != task:
            continue
        reason = r.supports(SimpleNamespace(p=p, kind=kind, n=n), 1.0)
        if reason:
            print(f"{pkg:18s} n/a: {reason[:90]}")
            continue
        t0 = time.perf_counter()
        try:
            fit = r.coefs(r.fit(X.copy(), y.copy(), alphas, 1.0, TIGHT[pkg]), alphas)
        except Exception as e:  # noqa: BLE001
            print(f"{pkg:18s} ERROR {type(e).__name__}: {e}")
            continue
        dt = time.perf_counter() - t0
        P, D = _objective.objective_and_dual(task, X, y, fit, alphas, 1.0)
        res[pkg] = P
        print(f"{pkg:18s} tol {TIGHT[pkg]:.0e}  {dt:6.2f} s  max relative gap (harness) "
              f"{np.max((P - D) / P):.1e}")
    p_star = np.min(list(res.values()), axis=0)
    for k, P in res.items():
        print(f"{k:18s} max (P - P*)/P* = {np.max((P - p_star) / p_star):.1e}")


if __name__ == "__main__":
    main(*sys.argv[1:])
