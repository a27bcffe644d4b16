"""Subprocess side of the benchmark: one fresh process per (task, package, problem, l1_ratio).

Talks to the parent (bench.py) through stdout lines starting with ``@@BENCH `` followed by
JSON; anything else a package prints is ignored. Modes:

  run        walk the package's tolerance ladder, then time the passing tolerance
  reference  solve tightly with reference solvers; store P*, D* per alpha
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _objective  # noqa: E402
import _peers  # noqa: E402
import _problems  # noqa: E402

TARGET_SUBOPT = 1e-6


def emit(**kw):
    sys.stdout.write("@@BENCH " + json.dumps(kw) + "\n")
    sys.stdout.flush()


def _fresh(X, y):
    # A fresh copy before every call, so no package can reuse work keyed on the array's identity.
    # order="K" keeps X Fortran-ordered (ndarray.copy() would silently make it C-ordered).
    if hasattr(X, "tocsc"):
        return X.copy(), y.copy()
    return np.array(X, order="K", copy=True), y.copy()


def _load(problem_name, l1_ratio):
    problem = _problems.PROBLEMS[problem_name]
    X, y = _problems.load(problem)
    alphas = _problems.alpha_grid(problem, X, y, l1_ratio)
    return problem, X, y, alphas


# --------------------------------------------------------------------------- run


def cmd_run(a):
    problem, X, y, alphas = _load(a.problem, a.l1_ratio)
    ref = np.load(a.ref)
    if not np.allclose(ref["alphas"], alphas, rtol=1e-12, atol=0):
        raise SystemExit("reference alphas do not match this problem's grid")
    p_star = ref["p_star"]
    if problem.task != a.task:
        raise SystemExit(f"problem {problem.name} belongs to task {problem.task}, not {a.task}")
    r = _peers.RUNNERS[(a.task, a.package)]
    reason = _peers.available(r) or r.supports(problem, a.l1_ratio)
    if reason:
        emit(event="unsupported", reason=reason)
        return
    emit(event="version", version=_peers.version(r.dist))
    ladder = r.ladder

    def call(tol, phase):
        Xc, yc = _fresh(X, y)
        emit(event="start", tol=tol, phase=phase)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            out = r.fit(Xc, yc, alphas, a.l1_ratio, tol)
            dt = time.perf_counter() - t0
        return out, dt

    checked = {}
    n_calls = [0]

    def check(i):
        tol = ladder[i]
        warm = n_calls[0] > 0
        n_calls[0] += 1
        try:
            out, dt = call(tol, "check")
        except Exception as e:  # noqa: BLE001 - a failing package is a result, not a crash
            info = dict(tol=tol, ok=False, error=f"{type(e).__name__}: {e}"[:300])
            emit(event="check", **info)
            checked[i] = info
            return False
        try:
            C = r.coefs(out, alphas)
        except _peers.Incomplete as e:
            info = dict(tol=tol, ok=False, time=dt, error=f"incomplete path: {e}")
            emit(event="check", **info)
            checked[i] = info
            return False
        P = _objective.objective(a.task, X, y, C, alphas, a.l1_ratio)
        sub = (P - p_star) / p_star
        last = C[-1] if a.task == "lasso_path" else C[0][-1]
        worst = int(np.argmax(sub))
        info = dict(tol=tol, ok=bool(sub.max() <= TARGET_SUBOPT), time=dt, warm=warm,
                    subopt_max=float(sub.max()), worst_alpha_index=worst,
                    n_alphas_over=int((sub > TARGET_SUBOPT).sum()),
                    nnz_last=int(np.count_nonzero(last)))
        emit(event="check", **info)
        checked[i] = info
        return info["ok"]

    # Ladder search from --start (the parent starts at or one step looser than the last pass).
    # --known-fail j: ladder[j] (looser) failed before for this very package version; when
    # ladder[j + 1] passes, the looser check is skipped.
    i = min(max(a.start, 0), len(ladder) - 1)
    if check(i):
        while i > 0 and not (a.known_fail == i - 1) and check(i - 1):
            i -= 1
    else:
        i += 1
        while i < len(ladder) and not check(i):
            i += 1
        if i == len(ladder):
            emit(event="done", ok=False, reason="no tolerance in the ladder reached 1e-6")
            return
    tol = ladder[i]
    # The passing check run counts as a timed run when the process was already warm (an earlier
    # call ran in it); otherwise it was the warm-up and all --repeat runs follow.
    times = [checked[i]["time"]] if checked[i]["warm"] else []
    while len(times) < a.repeat:
        _, dt = call(tol, "timed")
        times.append(dt)
        emit(event="timed", tol=tol, time=dt)
    looser = checked.get(i - 1)
    if looser is None and a.known_fail == i - 1 and i > 0:
        looser = dict(tol=ladder[i - 1], ok=False, cached=True)
    emit(event="done", ok=True, tol=tol, tol_index=i, times=times,
         median=float(np.median(times)), check=checked[i],
         looser=looser, tol_meaning=r.tol_meaning)


# --------------------------------------------------------------------------- reference

# sklearn / celer: gap <= tol * ||y||^2 / n; tighter than ~1e-12 sklearn stalls on round-off.
REF_TOL = {"scikit-learn": 1e-11, "celer": 1e-12, "regularized": 1e-12}


# GLM tasks: the tightest tolerance each converges at, in its own units (see _peers.py).
# regularized: 1e-8, its tightest that finishes on every problem (at 1e-9 the dense logistic path
# takes > 600 s, at 1e-12 it stalls on some alphas for max_iter epochs; see RESULTS_glm.md);
# glmnet's multinomial stops the path early (jerr -87) at thresh 1e-14.
# "polish" (the harness's own L-BFGS-B on the best solution's sign pattern) has no tolerance.
GLM_REF_TOL = {
    "logistic_path": {"regularized": 1e-8, "skglm": 1e-12, "glmnet": 1e-14},
    "multinomial_path": {"regularized": 1e-8, "glmnet": 1e-12},
}


def cmd_reference(a):
    if a.task != "lasso_path":
        return cmd_reference_glm(a)
    problem, X, y, alphas = _load(a.problem, a.l1_ratio)
    out = Path(a.out)
    store = {}
    if out.exists():
        z = np.load(out)
        store = {k: z[k] for k in z.files}
        meta = json.loads(str(z["meta"]))
    else:
        meta = {"solvers": {}}
    for name in a.solvers.split(","):
        if name in meta["solvers"]:
            continue
        r = _peers.RUNNERS[("lasso_path", name)]
        reason = _peers.available(r)
        if reason:
            emit(event="ref_skip", solver=name, reason=reason)
            continue
        tol = REF_TOL[name]
        emit(event="start", tol=tol, phase="reference", solver=name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            if name == "scikit-learn":
                from sklearn.linear_model import enet_path
                res = enet_path(X, y, l1_ratio=a.l1_ratio, alphas=alphas, tol=tol,
                                max_iter=100_000)
                C = res[1].T
            elif name == "celer":
                from celer import celer_path
                res = celer_path(X, y, "lasso", alphas=alphas, l1_ratio=a.l1_ratio, tol=tol,
                                 max_iter=1000, max_epochs=1_000_000, prune=1)
                C = res[1].T
            else:
                C = r.coefs(r.fit(X, y, alphas, a.l1_ratio, tol), alphas)
            dt = time.perf_counter() - t0
        P, D = _objective.primal_dual(X, y, np.ascontiguousarray(C), alphas, a.l1_ratio)
        store[f"P_{name}"] = P
        store[f"D_{name}"] = D
        meta["solvers"][name] = dict(tol=tol, time=dt, version=_peers.version(r.dist),
                                     max_rel_gap=float(np.max((P - D) / P)))
        emit(event="ref_solver", solver=name, time=dt, max_rel_gap=meta["solvers"][name]["max_rel_gap"])
    names = [k[2:] for k in store if k.startswith("P_")]
    if not names:
        raise SystemExit("no reference solver available")
    Ps = np.array([store[f"P_{k}"] for k in names])
    Ds = np.array([store[f"D_{k}"] for k in names])
    p_star = Ps.min(axis=0)
    d_star = Ds.max(axis=0)
    meta["certificate"] = float(np.max((p_star - d_star) / p_star))  # relative gap of P*
    meta["disagreement"] = float(np.max((Ps.max(axis=0) - p_star) / p_star))
    meta["problem"] = problem.name
    meta["l1_ratio"] = a.l1_ratio
    store.update(alphas=alphas, p_star=p_star, d_star=d_star)
    store["meta"] = np.array(json.dumps(meta))
    tmp = out.with_suffix(".tmp.npz")
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(tmp, **store)
    tmp.replace(out)
    emit(event="reference", **{k: meta[k] for k in ("certificate", "disagreement")},
         solvers=meta["solvers"])


def cmd_reference_glm(a):
    """Reference P* for a GLM task: tight solves through the runners themselves, with the
    primal and the dual (intercepts re-fitted) computed here."""
    problem, X, y, alphas = _load(a.problem, a.l1_ratio)
    out = Path(a.out)
    store, meta = {}, {"solvers": {}}
    if out.exists():
        z = np.load(out)
        store = {k: z[k] for k in z.files}
        meta = json.loads(str(z["meta"]))
    tols = GLM_REF_TOL[a.task]

    def keep_best(fit, P):
        """The best solution per alpha so far (input of the polish step)."""
        if "best_C" not in store:
            store["best_C"], store["best_b0"], store["best_P"] = fit[0], fit[1], P
            return
        better = P < store["best_P"]
        store["best_C"][better] = fit[0][better]
        store["best_b0"][better] = fit[1][better]
        store["best_P"] = np.minimum(P, store["best_P"])

    for name in a.solvers.split(","):
        if name in meta["solvers"]:
            continue
        if name == "polish":
            if "best_C" not in store:
                emit(event="ref_skip", solver=name, reason="no solution to polish")
                continue
            t0 = time.perf_counter()
            fit = _objective.polish(a.task, X, y, store["best_C"], store["best_b0"], alphas,
                                    progress=lambda i: emit(event="start", tol=0.0,
                                                            phase=f"polish alpha {i}"))
            dt = time.perf_counter() - t0
            P, D = _objective.objective_and_dual(a.task, X, y, fit, alphas, a.l1_ratio)
            keep_best(fit, P)
            store["P_polish"], store["D_polish"] = P, D
            meta["solvers"]["polish"] = dict(tol=0.0, time=dt, version="harness L-BFGS-B",
                                             max_rel_gap=float(np.max((P - D) / P)))
            emit(event="ref_solver", solver=name, time=dt,
                 max_rel_gap=meta["solvers"][name]["max_rel_gap"])
            continue
        r = _peers.RUNNERS[(a.task, name)]
        reason = _peers.available(r) or r.supports(problem, a.l1_ratio)
        if reason:
            emit(event="ref_skip", solver=name, reason=reason)
            continue
        tol = tols[name]
        emit(event="start", tol=tol, phase="reference", solver=name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            try:
                fit = r.coefs(r.fit(X, y, alphas, a.l1_ratio, tol), alphas)
            except Exception as e:  # noqa: BLE001 - one failing reference solver is reported
                emit(event="ref_skip", solver=name, reason=f"{type(e).__name__}: {e}"[:300])
                continue
            dt = time.perf_counter() - t0
        P, D = _objective.objective_and_dual(a.task, X, y, fit, alphas, a.l1_ratio)
        keep_best((np.asarray(fit[0], dtype=float), np.asarray(fit[1], dtype=float)), P)
        store[f"P_{name}"] = P
        store[f"D_{name}"] = D
        meta["solvers"][name] = dict(tol=tol, time=dt, version=_peers.version(r.dist),
                                     max_rel_gap=float(np.max((P - D) / P)))
        emit(event="ref_solver", solver=name, time=dt, max_rel_gap=meta["solvers"][name]["max_rel_gap"])
    names = [k[2:] for k in store if k.startswith("P_")]
    if not names:
        raise SystemExit("no reference solver available")
    Ps = np.array([store[f"P_{k}"] for k in names])
    Ds = np.array([store[f"D_{k}"] for k in names])
    p_star, d_star = Ps.min(axis=0), Ds.max(axis=0)
    meta["certificate"] = float(np.max((p_star - d_star) / p_star))
    meta["disagreement"] = float(np.max((Ps.max(axis=0) - p_star) / p_star))
    meta["problem"] = problem.name
    meta["l1_ratio"] = a.l1_ratio
    meta["task"] = a.task
    store.update(alphas=alphas, p_star=p_star, d_star=d_star)
    store["meta"] = np.array(json.dumps(meta))
    tmp = out.with_suffix(".tmp.npz")
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(tmp, **store)
    tmp.replace(out)
    emit(event="reference", **{k: meta[k] for k in ("certificate", "disagreement")},
         solvers=meta["solvers"])


def main(argv=None):
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="mode", required=True)
    r = sub.add_parser("run")
    r.add_argument("--task", default="lasso_path")
    r.add_argument("--package", required=True)
    r.add_argument("--problem", required=True)
    r.add_argument("--l1-ratio", type=float, required=True)
    r.add_argument("--ref", required=True)
    r.add_argument("--start", type=int, default=2)
    r.add_argument("--repeat", type=int, default=3)
    r.add_argument("--known-fail", type=int, default=-99)
    f = sub.add_parser("reference")
    f.add_argument("--task", default="lasso_path")
    f.add_argument("--problem", required=True)
    f.add_argument("--l1-ratio", type=float, required=True)
    f.add_argument("--solvers", default="scikit-learn,celer,regularized")
    f.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    try:
        {"run": cmd_run, "reference": cmd_reference}[a.mode](a)
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001
        emit(event="error", error=f"{type(e).__name__}: {e}"[:500], trace=traceback.format_exc()[-2000:])
        raise


if __name__ == "__main__":
    main()
