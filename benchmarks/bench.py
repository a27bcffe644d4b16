"""Benchmark harness: regularized against its peers (DESIGN.md section 6).

    python benchmarks/bench.py                      # everything; writes benchmarks/RESULTS.md
    python benchmarks/bench.py --quick --only regularized --problem dense_10000x1000
    python benchmarks/bench.py --task glm           # logistic + multinomial; writes RESULTS_glm.md

Each (package, problem, l1_ratio) runs in its own fresh subprocess (benchmarks/_child.py) with
2 threads. Inside it, the package's tolerance ladder is walked until the loosest tolerance whose
path is within a relative suboptimality of 1e-6 of the reference P* at every alpha; that run is
the warm-up, then the path is timed ``--repeat`` times and the median is reported. P* comes from
tight solves by two or more solvers, certified with a duality gap computed here.

Filtered or --quick runs write benchmarks/_work/last_run.md (and the merged table of every row
ever run to benchmarks/_work/results.json); only a full run rewrites benchmarks/RESULTS.md, unless
--results says otherwise. Ratios use the fastest peer of this run, or of the cached rows when
the peers were not run this time (marked so in the table).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import selectors
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _peers  # noqa: E402
import _problems  # noqa: E402

WORK = _problems.WORK
TASK = "lasso_path"
THREAD_ENV = {k: str(_peers.THREADS) for k in (
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")}
REFERENCE_SOLVERS = "scikit-learn,celer,regularized"
HARNESS_VERSION = 2  # bump when the protocol changes: cached peer rows of older versions are re-run
# GLM tasks (issue 3): their own reference solvers, protocol version and cache files.
GLM_TASKS = ("logistic_path", "multinomial_path")
TASK_REFERENCE_SOLVERS = {"lasso_path": REFERENCE_SOLVERS,
                          "logistic_path": "regularized,skglm,glmnet,polish",
                          # regularized's multinomial path takes > 600 s even at tol 1e-5 here
                          "multinomial_path": "glmnet,polish"}
TASK_HARNESS_VERSION = {"lasso_path": HARNESS_VERSION, "logistic_path": 1, "multinomial_path": 1}
CERT_MAX = 1e-8  # a reference whose relative gap exceeds this is flagged in the table


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def child_env():
    env = dict(os.environ)
    env.update(THREAD_ENV)
    src = HERE.parent / "src"
    if src.is_dir():  # the project itself, without requiring an install
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.setdefault("PYTHONWARNINGS", "ignore")
    return env


def run_child(python, args, *, run_timeout, total_timeout, logfile):
    """Run _child.py, collect its @@BENCH events; kill it if one run exceeds run_timeout."""
    cmd = [python, str(HERE / "_child.py"), *args]
    events = []
    killed = None
    logfile.parent.mkdir(parents=True, exist_ok=True)
    with open(logfile, "w") as err:
        err.write("$ " + shlex.join(cmd) + "\n")
        err.flush()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=child_env(),
                                text=True, start_new_session=True)
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        t_start = time.monotonic()
        deadline = t_start + total_timeout
        try:
            while True:
                timeout = deadline - time.monotonic()
                if timeout <= 0:
                    killed = "timeout"
                    break
                if not sel.select(timeout=min(timeout, 1.0)):
                    continue
                line = proc.stdout.readline()
                if not line:  # EOF: the child exited
                    break
                if line.startswith("@@BENCH "):
                    ev = json.loads(line[len("@@BENCH "):])
                    events.append(ev)
                    if ev.get("event") == "start":
                        deadline = min(t_start + total_timeout, time.monotonic() + run_timeout)
                    else:
                        deadline = t_start + total_timeout
                else:
                    err.write(line)
        finally:
            if proc.poll() is None and (killed or sys.exc_info()[0] is not None):
                try:  # the child runs in its own session: this ends it and its helpers only
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            proc.wait()
            sel.close()
    return events, killed, proc.returncode


# --------------------------------------------------------------------------- machine info


def machine_info():
    cpu = platform.processor() or ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                cpu = line.split(":", 1)[1].strip()
    except OSError:
        pass
    mem = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 2**20:.0f} GiB"
    except OSError:
        pass
    return dict(nproc=os.cpu_count(), cpu=cpu, memory=mem, os=platform.platform(),
                python=platform.python_version())


def package_versions(python):
    code = ("import json, importlib.metadata as m\n"
            "out = {}\n"
            "for d in ['regularized','numpy','scipy','numba','scikit-learn','skglm','celer',"
            "'adelie','glum','tabmat','python-glmnet']:\n"
            "    try: out[d] = m.version(d)\n"
            "    except m.PackageNotFoundError: out[d] = None\n"
            "import numpy\n"
            "try:\n"
            "    cfg = numpy.show_config(mode='dicts')\n"
            "    out['numpy BLAS'] = cfg['Build Dependencies']['blas']['name'] + ' ' + "
            "cfg['Build Dependencies']['blas'].get('version', '')\n"
            "except Exception: pass\n"
            "print(json.dumps(out))\n")
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, env=child_env())
    try:
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"error": out.stderr[-500:]}


# --------------------------------------------------------------------------- reference


def ref_path(problem, l1_ratio):
    return WORK / "reference" / f"{problem.name}-{problem.key()}-rho{l1_ratio:g}.npz"


def ensure_reference(python, problem, l1_ratio, refresh, timeout):
    import numpy as np
    f = ref_path(problem, l1_ratio)
    if refresh and f.exists():
        f.unlink()
    solvers = TASK_REFERENCE_SOLVERS[problem.task]
    wanted = solvers.split(",")
    if f.exists():
        meta = json.loads(str(np.load(f)["meta"]))
        have = set(meta["solvers"]) | set(meta.get("failed", {}))  # failures: re-run on --refresh
        missing = [s for s in wanted if s not in have]
        if missing:
            probe = subprocess.run(
                [python, "-c", "import regularized, sys; sys.exit(0 if hasattr(regularized, 'path') else 1)"],
                capture_output=True, env=child_env())
            if "regularized" in missing and probe.returncode != 0:
                missing.remove("regularized")
        if not missing:
            return meta
    log(f"  reference {problem.name} rho={l1_ratio:g} ...")
    if problem.task != "lasso_path":
        return _glm_reference(python, problem, l1_ratio, f, wanted, timeout)
    events, killed, rc = run_child(
        python, ["reference", "--task", problem.task, "--problem", problem.name,
                 "--l1-ratio", str(l1_ratio), "--solvers", solvers, "--out", str(f)],
        run_timeout=timeout, total_timeout=3 * timeout,
        logfile=WORK / "logs" / f"reference-{problem.name}-rho{l1_ratio:g}.log")
    if killed or rc != 0 or not f.exists():
        raise RuntimeError(f"reference for {problem.name} rho={l1_ratio} failed ({killed or rc}); "
                           f"see {WORK / 'logs'}")
    meta = json.loads(str(np.load(f)["meta"]))
    log(f"    certificate {meta['certificate']:.1e}, disagreement {meta['disagreement']:.1e}")
    return meta


def _glm_reference(python, problem, l1_ratio, f, wanted, timeout):
    """One child per reference solver (each adds its solve to the file), so a solver that
    stalls or runs past the cap costs only its own entry."""
    import numpy as np
    for solver in wanted:
        if f.exists():
            m = json.loads(str(np.load(f)["meta"]))
            if solver in m["solvers"] or solver in m.get("failed", {}):
                continue
        events, killed, rc = run_child(
            python, ["reference", "--task", problem.task, "--problem", problem.name,
                     "--l1-ratio", str(l1_ratio), "--solvers", solver, "--out", str(f)],
            run_timeout=timeout, total_timeout=timeout + 300,
            logfile=WORK / "logs" / f"reference-{problem.name}-rho{l1_ratio:g}-{solver}.log")
        for e in events:
            if e.get("event") == "ref_skip":
                log(f"    {solver}: skipped ({e['reason']})")
            elif e.get("event") == "ref_solver":
                log(f"    {solver}: {e['time']:.1f} s, max relative gap {e['max_rel_gap']:.1e}")
        if killed or rc != 0:
            why = f"timeout > {timeout:.0f} s" if killed else f"exit {rc}"
            log(f"    {solver}: failed ({why}); see {WORK / 'logs'}")
            if f.exists():  # recorded, so the table says which solver is missing and why
                z = np.load(f)
                store = {k: z[k] for k in z.files}
                m = json.loads(str(store["meta"]))
                m.setdefault("failed", {})[solver] = why
                store["meta"] = np.array(json.dumps(m))
                tmp = f.with_suffix(".tmp.npz")
                np.savez_compressed(tmp, **store)
                tmp.replace(f)
    if not f.exists():
        raise RuntimeError(f"no reference solver finished for {problem.name}")
    meta = json.loads(str(np.load(f)["meta"]))
    log(f"    certificate {meta['certificate']:.1e}, disagreement {meta['disagreement']:.1e}")
    return meta


# --------------------------------------------------------------------------- rows


def _load_json(path, default):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError):
        return default


def _row_stamp(pkg, problem, l1_ratio, a, versions, machine):
    """What must match for a cached row to stand for a new measurement."""
    dist = _peers.RUNNERS[(problem.task, pkg)].dist
    return dict(harness=TASK_HARNESS_VERSION[problem.task], version=versions.get(dist),
                problem_key=problem.key(),
                cpu=machine["cpu"], nproc=machine["nproc"], repeat=a.repeat, timeout=a.timeout)


def run_row(python, pkg, problem, l1_ratio, a, ladder_cache, stamp):
    TASK = problem.task  # noqa: N806 - shadows the module default on purpose
    key = f"{TASK}|{pkg}|{problem.name}|{l1_ratio:g}"
    r = _peers.RUNNERS[(TASK, pkg)]
    known_fail = -99
    lc = ladder_cache.get(key)
    if a.fresh_ladder or not isinstance(lc, dict):
        # 1e-3, or 1e-5 in the middle of the ladder; GLM tasks start at 1e-3, so that a slow
        # package is not cut off at a tolerance tighter than the one it needs
        start = 1 if (a.fresh_ladder or TASK != "lasso_path") else 3
    elif r.is_ours or lc.get("version") != stamp["version"]:
        start = lc["pass"] - 1  # re-check one step looser than the last pass
    else:
        # same peer version on the same problem: its last pass and looser failure still hold
        start = lc["pass"]
        if lc.get("fail_looser") is not None:
            known_fail = lc["fail_looser"]
    t0 = time.monotonic()
    load0 = os.getloadavg()[0]
    events, killed, rc = run_child(
        python, ["run", "--task", TASK, "--package", pkg, "--problem", problem.name,
                 "--l1-ratio", str(l1_ratio), "--ref", str(ref_path(problem, l1_ratio)),
                 "--start", str(max(start, 0)), "--repeat", str(a.repeat),
                 "--known-fail", str(known_fail)],
        run_timeout=a.timeout, total_timeout=a.row_timeout,
        logfile=WORK / "logs" / f"{TASK}-{pkg}-{problem.name}-rho{l1_ratio:g}.log")
    row = dict(task=TASK, package=pkg, problem=problem.name, l1_ratio=l1_ratio,
               group=problem.group, is_ours=r.is_ours, wall=time.monotonic() - t0,
               date=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               checks=[e for e in events if e.get("event") == "check"], tol_meaning=r.tol_meaning,
               stamp=stamp, load=max(load0, os.getloadavg()[0]))
    done = [e for e in events if e.get("event") == "done"]
    uns = [e for e in events if e.get("event") == "unsupported"]
    errs = [e for e in events if e.get("event") == "error"]
    if uns:
        row.update(status="n/a", reason=uns[0]["reason"])
    elif done and done[0]["ok"]:
        d = done[0]
        row.update(status="ok", tol=d["tol"], median=d["median"], times=d["times"],
                   subopt=d["check"].get("subopt_max"), looser=d.get("looser"))
        lo = d.get("looser")
        ladder_cache[key] = {"pass": d["tol_index"], "version": stamp["version"],
                             "fail_looser": d["tol_index"] - 1 if lo and not lo.get("ok") else None}
    elif done:
        row.update(status="fail", reason=done[0]["reason"])
    elif killed:
        starts = [e for e in events if e.get("event") == "start"]
        last = starts[-1] if starts else {}
        row.update(status="timeout",
                   reason=f"a run exceeded {a.timeout:.0f} s (tol {fmt_tol(last['tol'])}, {last['phase']})"
                   if last else "timed out before starting")
    else:
        row.update(status="error", reason=(errs[0]["error"] if errs else f"child exited {rc}"))
    return row


def fmt_tol(t):
    return f"{t:.0e}".replace("e-0", "e-")


def summarize(rows):
    for r in rows:
        if r["status"] == "ok":
            lo = r.get("looser")
            extra = ""
            if lo:
                extra = f"  (looser {fmt_tol(lo['tol'])}: " + (
                    f"{lo['subopt_max']:.1e})" if "subopt_max" in lo else
                    "failed in an earlier run of this version)" if lo.get("cached") else
                    f"{lo.get('error', '')[:60]})")
            log(f"    {r['package']:<12} {r['problem']:<24} rho={r['l1_ratio']:g}  tol {fmt_tol(r['tol'])}"
                f"  median {r['median']:.3f} s  subopt {r['subopt']:.1e}{extra}")
        else:
            log(f"    {r['package']:<12} {r['problem']:<24} rho={r['l1_ratio']:g}  {r['status']}: {r.get('reason', '')}")


# --------------------------------------------------------------------------- latency

LATENCY_CODE = r"""
import json, time
t0 = time.perf_counter()
import numpy as np
t1 = time.perf_counter()
import regularized
t2 = time.perf_counter()
rng = np.random.default_rng(0)
X = rng.standard_normal((100, 20)); y = X[:, :3].sum(axis=1) + rng.standard_normal(100)
try:
    Lasso = regularized.Lasso  # may import the estimators (and scikit-learn) lazily
except AttributeError:
    Lasso = None
t3 = time.perf_counter()
if Lasso is not None:
    how = "regularized.Lasso(alpha=0.1).fit(X, y)"
    Lasso(alpha=0.1).fit(X, y)
else:
    how = "regularized.path(X, y, alphas=[0.1])"
    regularized.path(X, y, alphas=np.array([0.1]))
t4 = time.perf_counter()
print("@@BENCH " + json.dumps(dict(numpy_import=t1 - t0, import_time=t2 - t1, lazy_import=t3 - t2,
                                   fit_time=t4 - t3, how=how)))
"""


def latency(python, n=5):
    env = child_env()
    probe = subprocess.run([python, "-c", "import regularized"], capture_output=True, text=True, env=env)
    if probe.returncode != 0:
        return dict(status="error", reason=probe.stderr.strip().splitlines()[-1][:200] if probe.stderr else "import failed")
    # Fill the numba cache once (cache=True kernels), then measure fresh processes.
    warm = subprocess.run([python, "-c", LATENCY_CODE], capture_output=True, text=True, env=env)
    if warm.returncode != 0:
        return dict(status="error", reason=(warm.stderr.strip().splitlines() or ["?"])[-1][:300])
    rows = []
    bare = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run([python, "-c", "import numpy"], capture_output=True, env=env)
        bare.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        out = subprocess.run([python, "-c", LATENCY_CODE], capture_output=True, text=True, env=env)
        wall = time.perf_counter() - t0
        line = [ln for ln in out.stdout.splitlines() if ln.startswith("@@BENCH ")]
        if not line:
            return dict(status="error", reason=(out.stderr.strip().splitlines() or ["?"])[-1][:300])
        d = json.loads(line[-1][8:])
        d["wall"] = wall
        rows.append(d)

    def med(k):
        import statistics
        return statistics.median(r[k] for r in rows)
    import statistics
    return dict(status="ok", how=rows[0]["how"], load=os.getloadavg()[0], wall=med("wall"), import_time=med("import_time"),
                fit_time=med("fit_time"), numpy_import=med("numpy_import"), lazy_import=med("lazy_import"),
                python_numpy_wall=statistics.median(bare), n=n)


# --------------------------------------------------------------------------- report


def fastest_peer(rows, problem, l1_ratio):
    best = None
    for r in rows:
        if (r["problem"], r["l1_ratio"]) == (problem, l1_ratio) and not r["is_ours"] and r["status"] == "ok":
            if best is None or r["median"] < best["median"]:
                best = r
    return best


def grid_low(p):
    return -3 if (p.task == "lasso_path" and p.n > p.p) else -2


def render(rows, meta, refs, lat, merged, tasks=(TASK,)):
    """Markdown for the table; rows = this run; merged = all cached rows (for peer baselines)."""
    glm = tasks[0] != "lasso_path"
    L = []
    if glm:
        L.append("# Benchmark results: GLM paths (logistic, multinomial)\n")
        L.append("Latest run of `benchmarks/bench.py --task glm` (see benchmarks/README.md). Time for a "
                 "100-alpha L1-penalized GLM path (binary logistic, 10-class multinomial; intercepts "
                 "fitted, not penalized; no standardization) to reach a relative suboptimality "
                 "(P(b) - P*)/P* <= 1e-6 at **every** alpha; each package at the loosest tolerance of its "
                 "own ladder (decades) that gets there; median of repeated runs after a warm-up in the "
                 "same fresh process; 2 threads.\n")
    else:
        L.append("# Benchmark results\n")
        L.append("Latest run of `benchmarks/bench.py` (see benchmarks/README.md). Time for a 100-alpha "
                 "squared-loss path to reach a relative suboptimality (P(b) - P*)/P* <= 1e-6 at **every** "
                 "alpha; each package at the loosest tolerance of its own ladder (decades) that gets there; "
                 "median of repeated runs after a warm-up in the same fresh process; 2 threads.\n")
    L.append(f"- Date: {meta['date']}")
    m = meta["machine"]
    L.append(f"- Machine: {m['cpu']}, nproc={m['nproc']}, {m['memory']} RAM, {m['os']}, Python {m['python']}")
    L.append(f"- Threads: {', '.join(f'{k}={v}' for k, v in THREAD_ENV.items())}; adelie n_threads=2")
    L.append(f"- Command: `{meta['command']}` (total wall time {meta['wall']:.0f} s)")
    L.append("- Versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items() if v))
    missing = [k for k, v in meta["versions"].items() if v is None]
    if missing:
        L.append("- Not installed: " + ", ".join(missing))
    L.append(f"- Timing: median of {meta['repeat']} runs; per-run cap {meta['timeout']:.0f} s")
    loads = [r.get("load") for r in rows if r.get("load") is not None and not r.get("cached")]
    busy = [x for x in loads if x > m["nproc"] + 0.5]
    if loads:
        L.append(f"- 1-minute load average around the rows: {min(loads):.1f} to {max(loads):.1f} "
                 f"(nproc {m['nproc']})" + (
                     f" — **the machine was busy during {len(busy)} of {len(loads)} rows: timings are "
                     f"inflated and noisy; re-run on an idle machine before quoting them**" if busy else ""))
    L.append("")

    L.append("## Problems\n")
    shown = sorted({(r["problem"]) for r in rows}, key=list(_problems.PROBLEMS).index)
    for name in shown:
        p = _problems.PROBLEMS[name]
        L.append(f"- `{name}` ({p.group}): {p.describe()}; grid alpha_max * logspace(0, "
                 f"{grid_low(p)}, 100)")
    L.append("")

    L.append("## Reference P*\n")
    L.append("P* = the smallest objective among tight solves by the solvers listed; certificate = max over "
             "alphas of (P* - D*)/P*, D* the best dual value (computed by the harness from each solution's "
             "residual, not by the packages); disagreement = max relative spread of the solvers' objectives.\n")
    if glm:
        L.append("GLM duals (benchmarks/_objective.py): for each solution the harness re-fits the intercepts "
                 "exactly for its coefficients, takes the residual Y - mu as dual direction and shrinks it into "
                 "the L1 dual ball, D = -1/n sum_i sum_k T_ik log T_ik with T = (1 - c) Y + c mu. The gap of a "
                 "solution is first order in its coefficient error while its suboptimality is second order, so "
                 "the certificate comes from the harness's polish of the best solution at each alpha: L-BFGS-B, then "
                 "Newton-CG steps accepted on the gradient norm, on that solution's sign pattern "
                 "(`polish` in the table).\n")
    L.append("| problem | l1_ratio | solvers (tol, time) | certificate | disagreement |")
    L.append("|---|---|---|---|---|")
    for (name, rho), rm in sorted(refs.items(), key=lambda kv: (list(_problems.PROBLEMS).index(kv[0][0]), -kv[0][1])):
        sv = ", ".join(f"{s} ({fmt_tol(v['tol']) if s != 'polish' else 'harness'}, {v['time']:.1f} s)"
                       for s, v in rm["solvers"].items())
        if rm.get("failed"):
            sv += "; not in P*: " + ", ".join(f"{s} ({w})" for s, w in rm["failed"].items())
        flag = "" if rm["certificate"] <= CERT_MAX else " **(loose)**"
        L.append(f"| {name} | {rho:g} | {sv} | {rm['certificate']:.1e}{flag} | {rm['disagreement']:.1e} |")
    L.append("")

    def table(group, title, task=TASK):
        sel = [r for r in rows if r["group"] == group and r.get("task", TASK) == task]
        if not sel:
            return
        L.append(f"## {title}\n")
        L.append("| problem | l1_ratio | package | tol reaching 1e-6 | median time (s) | ratio to fastest peer | target | result |")
        L.append("|---|---|---|---|---|---|---|---|")
        keys = sorted({(r["problem"], r["l1_ratio"]) for r in sel},
                      key=lambda k: (list(_problems.PROBLEMS).index(k[0]), -k[1]))
        for (name, rho) in keys:
            here = [r for r in sel if (r["problem"], r["l1_ratio"]) == (name, rho)]
            best = fastest_peer(here, name, rho)
            cached = False
            if best is None:
                best = fastest_peer(merged, name, rho)
                cached = best is not None
            target = _problems.PROBLEMS[name].target
            tpeer = _problems.PROBLEMS[name].target_peer
            tref = None
            if tpeer:
                tref = next((r for r in here if r["package"] == tpeer and r["status"] == "ok"), None)
            order = sorted(here, key=lambda r: (r["status"] != "ok", r.get("median", 1e9)))
            for r in order:
                if r["status"] == "ok":
                    ratio = r["median"] / best["median"] if best else float("nan")
                    rs = f"{ratio:.2f}x" + (f" (vs cached {best['package']})" if cached else "")
                    tgt = res = ""
                    if r["is_ours"] and target is not None and tpeer:
                        tgt = f"< {target:g}x {tpeer}"
                        if tref is None:
                            res = f"**pass** ({tpeer} did not finish)"
                        else:
                            tr = r["median"] / tref["median"]
                            res = ("**pass**" if tr < target else "**FAIL**") + f" ({tr:.2f}x {tpeer})"
                    elif r["is_ours"] and target is not None:
                        tgt = f"<= {target:g}x"
                        res = "**pass**" if ratio <= target else "**FAIL**"
                    pkg = f"**{r['package']}**" if r["is_ours"] else r["package"]
                    if r.get("cached"):
                        pkg += f" (cached {r['date'][:10]})"
                    L.append(f"| {name} | {rho:g} | {pkg} | {fmt_tol(r['tol'])} | {r['median']:.3f} | {rs} | {tgt} | {res} |")
                else:
                    has_target = r["is_ours"] and target is not None
                    tgt = (f"< {target:g}x {tpeer}" if tpeer else f"<= {target:g}x") if has_target else ""
                    res = "**FAIL**" if has_target and r["status"] != "n/a" else ""
                    L.append(f"| {name} | {rho:g} | {r['package']} | {r['status']}: {r.get('reason', '')} | | | {tgt} | {res} |")
        L.append("")

    if glm:
        table("main", "L1 logistic paths (intercept fitted)", "logistic_path")
        table("main", "10-class multinomial paths (ungrouped L1, intercepts fitted)", "multinomial_path")
        for t in tasks:
            table("smoke", f"Smoke problems, {t} (small; harness checks, no targets)", t)
    else:
        table("main", "Squared-loss paths (DESIGN.md section 6 problems)")
        table("variant", "Variant problems (other seeds, shapes, correlations; informative)")

    L.append("## Ladder details\n")
    L.append("Per row: each tolerance tried (in the package's own units) and the worst relative "
             "suboptimality over the 100 alphas it gave, with the time of that (first, possibly cold) run.\n")
    for r in rows:
        if not r.get("checks"):
            continue
        parts = []
        for c in r["checks"]:
            if "subopt_max" in c:
                parts.append(f"{fmt_tol(c['tol'])}: {c['subopt_max']:.1e} ({c['time']:.2f} s)")
            else:
                parts.append(f"{fmt_tol(c['tol'])}: {c.get('error', '?')[:80]}")
        extra = f" [load {r['load']:.1f}]" if r.get("load") is not None else ""
        if r.get("cached"):
            extra += f" [cached row from {r['date']}]"
        L.append(f"- {r['package']} / {r['problem']} / {r['l1_ratio']:g}: " + "; ".join(parts) + extra)
    L.append("")
    for task in tasks:
        L.append(("Tolerance meanings: " if not glm else f"Tolerance meanings ({task}): ") + "; ".join(
            f"{k[1]}: {v.tol_meaning}" for k, v in _peers.RUNNERS.items() if k[0] == task) + ".\n")

    if lat is not None:
        L.append("## First-call latency\n")
        if lat["status"] == "ok":
            res = "**pass**" if lat["wall"] < 1.0 else "**FAIL**"
            L.append(f"Fresh `python -c` process, numba cache warm (filled by one earlier run), n=100 p=20, "
                     f"`{lat['how']}`; medians of {lat['n']}.\n")
            L.append("| whole process wall (s) | import numpy (s) | import regularized (s) | first `regularized.Lasso` access (lazy imports) (s) | fit (s) | `python -c 'import numpy'` wall (s) | target | result |")
            L.append("|---|---|---|---|---|---|---|---|")
            L.append(f"| {lat['wall']:.3f} | {lat['numpy_import']:.3f} | {lat['import_time']:.3f} | "
                     f"{lat['lazy_import']:.3f} | {lat['fit_time']:.3f} | {lat['python_numpy_wall']:.3f} | "
                     f"< 1 s (whole process) | {res} |")
            if lat.get("load") is not None:
                L.append(f"\n1-minute load average when measured: {lat['load']:.1f}.")
        else:
            L.append(f"Not measured: {lat['reason']}")
        L.append("")
    if meta.get("notes"):
        L.append("## Notes\n")
        L.extend(f"- {n}" for n in meta["notes"])
        L.append("")
    return "\n".join(L)


NOTES = [
    "Scaling checks (harness tests on small problems, all packages at their tightest tolerance agree "
    "to 1e-10 relative): scikit-learn, celer, skglm, glum and adelie use our scaling directly "
    "(1/(2n) loss, alpha*(rho|b|_1 + (1-rho)/2|b|^2)).",
    "python-glmnet: glmnet divides y by ys = sqrt(mean(y^2)) internally even with standardize=False, "
    "and divides a user lambda by ys as well, so its ridge term becomes lambda(1-a)/(2 ys)|b|^2. "
    "The harness passes lambda = alpha(rho + (1-rho) ys), a = rho/(rho + (1-rho) ys) (identity for "
    "rho = 1); with the naive mapping the l1_ratio 0.5 path is off by up to 70% in objective.",
    "python-glmnet runs 3-fold CV by default; n_splits=0 turns it off. It picks covariance updates "
    "when n > p and naive updates otherwise.",
    "adelie stops the path early (90% deviance explained) unless early_exit=False, which the harness "
    "sets. `adelie-cov` is adelie's covariance solver (gaussian_cov) for dense n > p, timed with the "
    "Gram X^T X / n included.",
    "Every timed call gets a fresh copy of X and y (copied outside the timer), so nothing keyed on "
    "array identity survives between runs.",
]


GLM_NOTES = [
    "Scaling checks (benchmarks/check_glm_scaling.py: small dense 400x60 and sparse 600x300 problems, "
    "10 alphas, every package at its tightest tolerance; max (P - P*)/P* over alphas, P from the "
    "harness). Logistic dense / sparse: regularized 1e-15 / 5e-15, scikit-learn saga 2e-15 / 4e-13, "
    "skglm 2e-15 / 5e-15, glmnet 2e-14 / 1e-12, adelie 4e-12 / 1e-10, glum 2e-15 / 7e-15, "
    "scikit-learn liblinear 2.4e-7 / 6e-9 (its intercept floor, below). Multinomial: regularized 8e-16, "
    "glmnet 1e-13, scikit-learn saga 6e-16. So all use our scale with the mappings in _peers.py: "
    "scikit-learn C = 1/(alpha n); skglm, glmnet (binomial and multinomial: -1/n loglik, no y scaling "
    "unlike its gaussian family), adelie (weights 1/n) and glum (1/(2n) deviance) take alpha as is.",
    "scikit-learn liblinear penalizes the intercept: it is the weight of a constant column of value "
    "intercept_scaling, inside the L1 term, so it costs alpha |b0| / intercept_scaling. The harness "
    "uses intercept_scaling = 1000 (objective floor 2.4e-7 on the small check; 2.4e-5 with 100, 1e-3 "
    "with 10); large values slow liblinear down at tight eps. liblinear has no warm start: one fit "
    "per alpha.",
    "celer: `celer.LogisticRegression(fit_intercept=True)` raises NotImplementedError and "
    "`celer_path(pb='logreg')` fits no intercept, so celer is listed n/a for this task.",
    "glmnet's binomial labels: python-glmnet passes the two one-hot columns so that the second class "
    "(y = 1) is modelled; the objectives above confirm the orientation. Its multinomial uses kopt=0 "
    "(ungrouped). At thresh 1e-14 its multinomial path stops early (jerr -87), so the multinomial "
    "reference uses 1e-12.",
    "adelie: tol and irls_tol are set together (one knob); early_exit=False. adelie's multinomial is "
    "grouped by feature across classes (its groups are multiplied by K) and scaled by 1/K, so it has "
    "no ungrouped multinomial runner.",
    "glum's irls-cd forms a dense p x p Hessian: the sparse p = 50000 problem would need 19 GiB; n/a.",
    "Reference: a solution's duality gap is first order in its coefficient error while its "
    "suboptimality is second order (glmnet at thresh 1e-14 is within 1e-12 of P* but its gap is "
    "3e-7), so the certificate comes from the most accurate solve or from the harness's polish step.",
    "Every timed call gets a fresh copy of X and y (copied outside the timer).",
]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", default=TASK,
                    help="lasso_path (default; RESULTS.md), logistic_path, multinomial_path, or glm "
                         "(both GLM tasks; a full run writes RESULTS_glm.md)")
    ap.add_argument("--quick", action="store_true",
                    help="1 timed run, main problems, l1_ratio 1 only, no latency (unless asked)")
    ap.add_argument("--only", default=None, help="comma list of packages, e.g. regularized,scikit-learn")
    ap.add_argument("--problem", default=None,
                    help="comma list of problem names, or 'main', 'variant', 'all'")
    ap.add_argument("--l1-ratio", default=None, help="comma list, default 1,0.5 (quick: 1)")
    ap.add_argument("--repeat", type=int, default=None, help="timed runs per row (default 3, quick 1)")
    ap.add_argument("--timeout", type=float, default=120.0, help="cap on one path run, seconds")
    ap.add_argument("--row-timeout", type=float, default=900.0, help="cap on one package/problem row")
    ap.add_argument("--latency", choices=["auto", "yes", "no", "only"], default="auto")
    ap.add_argument("--fresh-ladder", action="store_true", help="ignore the cached passing tolerances")
    ap.add_argument("--rerun-peers", action="store_true",
                    help="re-measure peer rows even when a cached row (same version, problem, machine, "
                         "protocol) exists; the default reuses those")
    ap.add_argument("--variant-l1-ratio", default="1", help="l1_ratios for variant problems (default 1)")
    ap.add_argument("--refresh-reference", action="store_true")
    ap.add_argument("--results", default=None, help="markdown output (default: RESULTS.md on a full run)")
    ap.add_argument("--python", default=sys.executable, help="interpreter for the subprocesses")
    ap.add_argument("--list", action="store_true", help="list packages and problems, then exit")
    a = ap.parse_args(argv)
    # SIGTERM -> SystemExit, so the finally clauses below kill the running child's session
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    tasks = list(GLM_TASKS) if a.task == "glm" else [t.strip() for t in a.task.split(",")]
    for t in tasks:
        if t not in TASK_HARNESS_VERSION:
            ap.error(f"unknown task {t!r}; known: {', '.join(TASK_HARNESS_VERSION)}, glm")
    glm = tasks != ["lasso_path"]
    if glm and "lasso_path" in tasks:
        ap.error("run lasso_path apart from the GLM tasks (they write different result files)")
    pkgs_all = []
    for t in tasks:
        pkgs_all += [p for p in _peers.packages(t) if p not in pkgs_all]
    in_tasks = [p for p in _problems.PROBLEMS if _problems.PROBLEMS[p].task in tasks]
    if a.list:
        for t in tasks:
            print(f"packages ({t}):" if glm else "packages:", ", ".join(_peers.packages(t)))
        for name in in_tasks:
            p = _problems.PROBLEMS[name]
            print(f"problem {p.name} ({p.group}): {p.describe()}")
        return 0
    if glm:  # --repeat 3 is the default protocol, so it still counts as a full run
        full = not (a.quick or a.only or a.problem or a.l1_ratio) and a.repeat in (None, 3)
        full = full and sorted(tasks) == sorted(GLM_TASKS)
    else:
        full = not (a.quick or a.only or a.problem or a.l1_ratio or a.repeat)
    pkgs = pkgs_all if not a.only else [s.strip() for s in a.only.split(",")]
    for s in pkgs:
        if s not in pkgs_all:
            ap.error(f"unknown package {s!r}; known: {', '.join(pkgs_all)}")
    groups = {"main": [p for p in in_tasks if _problems.PROBLEMS[p].group == "main"],
              "variant": [p for p in in_tasks if _problems.PROBLEMS[p].group == "variant"],
              "smoke": [p for p in in_tasks if _problems.PROBLEMS[p].group == "smoke"],
              "all": [p for p in in_tasks if _problems.PROBLEMS[p].group != "smoke"]}
    if a.problem:
        names = []
        for s in a.problem.split(","):
            names += groups.get(s.strip(), [s.strip()])
    else:
        names = groups["main"] if a.quick else groups["all"]
    for s in names:
        if s not in in_tasks:
            ap.error(f"unknown problem {s!r}; known: {', '.join(in_tasks)}")
    rhos = [float(s) for s in a.l1_ratio.split(",")] if a.l1_ratio else ([1.0] if a.quick or glm else [1.0, 0.5])
    vrhos = [float(s) for s in a.variant_l1_ratio.split(",")]
    a.repeat = a.repeat or (1 if a.quick else 3)
    do_latency = {"auto": not glm and not a.quick and (not a.only or "regularized" in pkgs),
                  "yes": True, "no": False, "only": True}[a.latency]

    t_all = time.monotonic()
    WORK.mkdir(parents=True, exist_ok=True)
    meta = dict(date=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                machine=machine_info(), versions=package_versions(a.python), repeat=a.repeat,
                timeout=a.timeout, notes=GLM_NOTES if glm else NOTES,
                command=" ".join(["python benchmarks/bench.py",
                                  shlex.join(sys.argv[1:] if argv is None else argv)]).strip())
    rows, refs = [], {}
    # GLM rows live in files of their own, so a squared-loss run going on beside never races them.
    ladder_file = WORK / ("ladder-glm.json" if glm else "ladder.json")
    ladder_cache = {} if a.fresh_ladder else _load_json(ladder_file, {})
    results_file = WORK / ("results-glm.json" if glm else "results.json")
    merged = _load_json(results_file, {})

    if a.latency != "only":
        for name in names:
            problem = _problems.PROBLEMS[name]
            log(f"[{name}] {problem.describe()}")
            _problems.load(problem)  # generate + cache once, outside any timing
            for rho in (rhos if problem.group == "main" or a.l1_ratio else vrhos):
                refs[(name, rho)] = ensure_reference(a.python, problem, rho, a.refresh_reference,
                                                     timeout=max(600.0, a.timeout))
                for pkg in pkgs:
                    if (problem.task, pkg) not in _peers.RUNNERS:
                        continue
                    key = f"{problem.task}|{pkg}|{name}|{rho:g}"
                    stamp = _row_stamp(pkg, problem, rho, a, meta["versions"], meta["machine"])
                    old = merged.get(key)
                    if (not a.rerun_peers and not _peers.RUNNERS[(problem.task, pkg)].is_ours and old
                            and old.get("stamp") == stamp and old["status"] in ("ok", "timeout", "n/a", "fail")):
                        row = dict(old, cached=True)
                        log(f"    {pkg:<12} cached row from {old['date']}")
                    else:
                        row = run_row(a.python, pkg, problem, rho, a, ladder_cache, stamp)
                        summarize([row])
                    rows.append(row)
                    merged[key] = row
                    ladder_file.write_text(json.dumps(ladder_cache, indent=1))
                    results_file.write_text(json.dumps(merged, indent=1))
    lat = latency(a.python) if do_latency else None
    if lat is not None:
        log(f"latency: {lat}")
    meta["wall"] = time.monotonic() - t_all
    text = render(rows, meta, refs, lat, list(merged.values()), tuple(tasks))
    default_out = HERE / ("RESULTS_glm.md" if glm else "RESULTS.md")
    out = Path(a.results) if a.results else (default_out if full else WORK / "last_run.md")
    out.write_text(text)
    log(f"wrote {out}")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
