"""Cross-validation benchmark (DESIGN §6, issue 4): CV at the cost of one fit.

    python benchmarks/bench_cv.py                  # everything; writes benchmarks/RESULTS_cv.md
    python benchmarks/bench_cv.py --only reg_path,reg_lassocv --repeat 1

Problem: dense n=10000 p=1000, AR(1) correlation 0.5, 20 true non-zeros, SNR 3
(``_problems.PROBLEMS["dense_10000x1000"]``, X and y centred). Tasks, each in its own fresh
process with 2 threads (OMP/OpenBLAS/MKL/Numba), one warm-up run then ``--repeat`` timed runs,
median reported:

- ``reg_path``: one ``regularized.path`` fit, 100 alphas ``alpha_max·logspace(0, −3, 100)``;
- ``reg_lassocv``: ``regularized.estimators.LassoCV`` on that grid, 5 folds ``KFold(5)``
  (Gram-downdate CV), with the full-data refit included;
- ``sk_lassocv``: ``sklearn.linear_model.LassoCV`` on the same grid and folds, its default tol;
- ``glmnet_cv``: python-glmnet's ``ElasticNet(n_splits=5)`` on the same grid (its own random
  folds, full-data fit included), ``adelie_cv``: ``adelie.cv_grpnet`` with 5 folds and a
  100-point grid down to 1e-3·alpha_max (its own grid and folds; the CV only, adelie's
  full-data refit ``CVGrpnetResult.fit`` not included) — both from ``.venv-bench``;
- ``reg_ridgecv`` / ``sk_ridgecv``: ``RidgeCV`` over 100 alphas ``logspace(5, −1, 100)``
  (scikit-learn's sum scale) with ``KFold(5)`` (scikit-learn's refits Ridge 500 times: timed
  once, no warm-up); ``*_ridgeloo``: the same with leave-one-out (``cv=None``).

All fits use an intercept. Our tolerance is the relative duality gap ``--tol`` (default 1e-6,
which certifies a relative suboptimality ≤ 1e-6 at every alpha); scikit-learn runs at its
default ``tol=1e-4`` (its own, looser, criterion), glmnet and adelie at their defaults.
The machine's load average is recorded with every task: timings taken on a shared machine are
only comparable within one run.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
THREADS = 2
THREAD_ENV = {k: str(THREADS) for k in (
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")}
PROBLEM = "dense_10000x1000"
N_FOLDS = 5
MAIN_PY = ROOT / ".venv" / "bin" / "python"
BENCH_PY = ROOT / ".venv-bench" / "bin" / "python"

# task -> (interpreter, description)
TASKS = {
    "reg_path": ("main", "regularized.path, one fit, 100 alphas"),
    "reg_lassocv": ("main", "regularized LassoCV, 5-fold, 100 alphas"),
    "sk_lassocv": ("main", "scikit-learn LassoCV, 5-fold, 100 alphas"),
    "glmnet_cv": ("bench", "glmnet (python-glmnet) CV, 5-fold, 100 alphas"),
    "adelie_cv": ("bench", "adelie cv_grpnet, 5-fold, 100 alphas"),
    "reg_ridgecv": ("main", "regularized RidgeCV, 5-fold, 100 alphas"),
    "sk_ridgecv": ("main", "scikit-learn RidgeCV, 5-fold, 100 alphas (timed once)"),
    "reg_ridgeloo": ("main", "regularized RidgeCV, leave-one-out, 100 alphas"),
    "sk_ridgeloo": ("main", "scikit-learn RidgeCV, leave-one-out, 100 alphas"),
}


# scikit-learn's 5-fold RidgeCV refits Ridge 500 times (minutes per run, nothing to warm up):
# timed once, without a warm-up run.
ONCE = {"sk_ridgecv"}


# ------------------------------------------------------------------------------ child side
def _data():
    sys.path.insert(0, str(HERE))
    import numpy as np

    import _problems

    X, y = _problems.load(_problems.PROBLEMS[PROBLEM])
    n = X.shape[0]
    yc = y - y.mean()
    alpha_max = float(np.max(np.abs(X.T @ yc - X.sum(axis=0) * yc.sum() / n))) / n
    lasso_grid = alpha_max * np.logspace(0.0, -3.0, 100)
    ridge_grid = np.logspace(5.0, -1.0, 100)
    return X, y, lasso_grid, ridge_grid


def _task(name, tol):
    """A zero-argument callable running the task once, and a summary function of its result."""
    import numpy as np

    X, y, grid, ridge_grid = _data()
    if name == "reg_path":
        import regularized

        def run():
            return regularized.path(X, y, alphas=grid, tol=tol)
        return run, lambda r: {"max_gap": float(r.gap.max())}
    if name == "reg_lassocv":
        from sklearn.model_selection import KFold

        from regularized.estimators import LassoCV

        def run():
            return LassoCV(alphas=grid, cv=KFold(N_FOLDS), tol=tol).fit(X, y)
        return run, lambda r: {"alpha_": r.alpha_, "nnz": int(np.count_nonzero(r.coef_))}
    if name == "sk_lassocv":
        from sklearn.linear_model import LassoCV
        from sklearn.model_selection import KFold

        def run():
            return LassoCV(alphas=grid, cv=KFold(N_FOLDS)).fit(X, y)
        return run, lambda r: {"alpha_": float(r.alpha_), "nnz": int(np.count_nonzero(r.coef_))}
    if name == "glmnet_cv":
        from glmnet import ElasticNet

        def run():
            # lambda_path: glmnet's lambda is our alpha for the lasso (y centred)
            return ElasticNet(alpha=1.0, lambda_path=grid, n_splits=N_FOLDS, standardize=False,
                              fit_intercept=True, random_state=0).fit(X, y)
        return run, lambda r: {"lambda_best_": float(np.ravel(r.lambda_best_)[0])}
    if name == "adelie_cv":
        import adelie as ad

        def run():
            return ad.cv_grpnet(ad.matrix.dense(X, method="naive", n_threads=THREADS),
                                ad.glm.gaussian(y), n_threads=THREADS, min_ratio=1e-3,
                                lmda_path_size=100, n_folds=N_FOLDS, seed=0,
                                progress_bar=False)
        return run, lambda r: {"lmda_star": float(r.lmdas[r.best_idx])}
    if name in ("reg_ridgecv", "reg_ridgeloo"):
        from sklearn.model_selection import KFold

        from regularized.estimators import RidgeCV

        cv = KFold(N_FOLDS) if name == "reg_ridgecv" else None

        def run():
            return RidgeCV(ridge_grid, cv=cv, tol=tol).fit(X, y)
        return run, lambda r: {"alpha_": r.alpha_}
    if name in ("sk_ridgecv", "sk_ridgeloo"):
        from sklearn.linear_model import RidgeCV
        from sklearn.model_selection import KFold

        cv = KFold(N_FOLDS) if name == "sk_ridgecv" else None

        def run():
            return RidgeCV(ridge_grid, cv=cv).fit(X, y)
        return run, lambda r: {"alpha_": float(r.alpha_)}
    raise ValueError(f"unknown task {name!r}")


def child(name, repeat, tol):
    import warnings

    warnings.simplefilter("ignore")
    run, summary = _task(name, tol)
    warm = None
    if name not in ONCE:
        t0 = time.perf_counter()
        result = run()                              # warm-up (JIT, caches)
        warm = time.perf_counter() - t0
    times = []
    for _ in range(1 if name in ONCE else repeat):
        t0 = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - t0)
    out = {"task": name, "times": times, "median": statistics.median(times), "warmup": warm,
           "summary": summary(result)}
    print("@@BENCH " + json.dumps(out), flush=True)


# ----------------------------------------------------------------------------- parent side
def run_task(name, repeat, tol, timeout):
    which, _ = TASKS[name]
    python = MAIN_PY if which == "main" else BENCH_PY
    if not python.exists():
        return {"task": name, "error": f"{python.relative_to(ROOT)} not found"}
    env = dict(os.environ)
    env.update(THREAD_ENV)
    env["PYTHONPATH"] = str(ROOT / "src")
    load_before = os.getloadavg()[0]
    try:
        proc = subprocess.run([str(python), __file__, "--child", name, "--repeat", str(repeat),
                               "--tol", repr(tol)], capture_output=True, text=True, env=env,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"task": name, "error": f"timed out after {timeout} s"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("@@BENCH ")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"task": name, "error": " | ".join(tail)[:300] or f"exit {proc.returncode}"}
    out = json.loads(lines[-1][len("@@BENCH "):])
    out["load"] = (load_before, os.getloadavg()[0])
    return out


def _fmt(r):
    if r is None:
        return "not run"
    if "error" in r:
        return f"— ({r['error']})"
    return f"{r['median']:.2f} s" + (" (1 run)" if len(r["times"]) == 1 else "")


def _ratio(a, b):
    if a is None or b is None or "error" in a or "error" in b:
        return "—"
    return f"{a['median'] / b['median']:.2f}×"


def write_results(results, args, path):
    R = results.get
    lines = [
        "# Cross-validation benchmark",
        "",
        f"Written by `benchmarks/bench_cv.py` on {_dt.date.today().isoformat()} "
        f"({platform.machine()}, {os.cpu_count()} cores, {THREADS} threads per task, "
        f"median of {args.repeat} runs after a warm-up, our tol = relative duality gap "
        f"{args.tol:g}).",
        "",
        "Problem: dense n=10000 p=1000, AR(1) correlation 0.5, 20 true non-zeros, SNR 3; "
        "100 alphas `alpha_max·logspace(0, −3, 100)`; `KFold(5)`; intercept fitted. "
        "RidgeCV: 100 alphas `logspace(5, −1, 100)` (scikit-learn's scale).",
        "",
        "| task | time | load avg (before → after) | result |",
        "|---|---|---|---|",
    ]
    for name, (_, desc) in TASKS.items():
        r = R(name)
        if r is None:
            continue
        load = f"{r['load'][0]:.1f} → {r['load'][1]:.1f}" if "load" in r else ""
        summ = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                         for k, v in r.get("summary", {}).items())
        lines.append(f"| {desc} | {_fmt(r)} | {load} | {summ} |")
    lines += [
        "",
        "## Targets (issue 4)",
        "",
        "| target | measured | goal |",
        "|---|---|---|",
        f"| LassoCV / one path fit | {_ratio(R('reg_lassocv'), R('reg_path'))} | ≤ 2× |",
        f"| scikit-learn LassoCV / ours | {_ratio(R('sk_lassocv'), R('reg_lassocv'))} | ≥ 3× |",
        f"| glmnet CV / ours | {_ratio(R('glmnet_cv'), R('reg_lassocv'))} | ≥ 20× |",
        f"| adelie CV / ours | {_ratio(R('adelie_cv'), R('reg_lassocv'))} | ≥ 20× |",
        f"| scikit-learn RidgeCV (5-fold) / ours | {_ratio(R('sk_ridgecv'), R('reg_ridgecv'))} "
        "| > 1× |",
        f"| scikit-learn RidgeCV (LOO) / ours | {_ratio(R('sk_ridgeloo'), R('reg_ridgeloo'))} "
        "| (not a target) |",
        "",
    ]
    if args.notes:
        lines += ["## Notes", "", args.notes, ""]
    path.write_text("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--only", help="comma-separated tasks: " + ",".join(TASKS))
    ap.add_argument("--timeout", type=float, default=900.0, help="per task, seconds")
    ap.add_argument("--results", default=str(HERE / "RESULTS_cv.md"))
    ap.add_argument("--notes", default="", help="free text appended to the results")
    args = ap.parse_args()
    if args.child:
        child(args.child, args.repeat, args.tol)
        return
    names = list(TASKS) if not args.only else [t.strip() for t in args.only.split(",")]
    results = {}
    for name in names:
        print(f"[bench_cv] {name} ...", file=sys.stderr, flush=True)
        results[name] = run_task(name, args.repeat, args.tol, args.timeout)
        print(f"[bench_cv] {name}: {_fmt(results[name])}", file=sys.stderr, flush=True)
    write_results(results, args, Path(args.results))
    print(Path(args.results).read_text())


if __name__ == "__main__":
    main()
