"""Benchmark problems: generated from fixed seeds, cached on disk under benchmarks/_work/.

Every problem is a (X, y) pair for one task. For the squared-loss path task (``lasso_path``)
dense X and y are centred beforehand (the protocol fits no intercept); for the sparse design only
y is centred and X is left as is (it stays CSC and non-negative, like a tf-idf matrix).

GLM tasks (``logistic_path``, ``multinomial_path``) reuse a design X (the very file of the
squared-loss problem with the same recipe, when there is one) and draw class labels from it:
binary y = 1{X beta + noise > median}, or 10 classes sampled from softmax(X B). Their spec
carries the design's recipe plus a ``response`` entry; only the labels get a file of their own.

A problem is described by a small dict (its "spec"); the cache file name carries a hash of the
spec, so changing a recipe regenerates the data instead of silently reusing stale files.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse

WORK = Path(os.environ.get("BENCH_WORK", Path(__file__).resolve().parent / "_work"))

# Bump when a generator changes in a way the spec does not show.
GENERATOR_VERSION = 1


@dataclass(frozen=True)
class Problem:
    name: str
    kind: str  # "dense" | "sparse"
    spec: dict = field(hash=False)
    group: str = "main"  # "main" rows carry the targets; "variant" rows are reported apart
    target: float | None = None  # ratio to the fastest peer that counts as a pass
    task: str = "lasso_path"
    target_peer: str | None = None  # the target is a ratio to this peer instead of the fastest

    @property
    def n(self) -> int:
        return self.spec["n"]

    @property
    def p(self) -> int:
        return self.spec["p"]

    def key(self) -> str:
        blob = json.dumps({"v": GENERATOR_VERSION, "kind": self.kind, **self.spec}, sort_keys=True)
        return hashlib.sha1(blob.encode()).hexdigest()[:10]

    def path(self) -> Path:
        return WORK / "problems" / f"{self.name}-{self.key()}.npz"

    @property
    def response(self) -> dict | None:
        return self.spec.get("response")

    def design_spec(self) -> dict:
        return {k: v for k, v in self.spec.items() if k != "response"}

    def describe(self) -> str:
        s = self.spec
        r = s.get("response")
        if r is not None:
            base = Problem(self.name, self.kind, self.design_spec()).describe()
            if r["type"] == "binary":
                return (f"{base}; binary y = 1{{X beta + noise > median}}, label SNR {r['snr']}, "
                        f"label seed {r['seed']}")
            return (f"{base}; {r['classes']} classes drawn from softmax(X B), {r['k']} non-zeros "
                    f"per class, sd of X B {r['scale']}, label seed {r['seed']}")
        if self.kind == "dense":
            return (f"dense n={s['n']} p={s['p']}, AR(1) corr {s['corr']}, "
                    f"{s['k']} true non-zeros, SNR {s['snr']}, seed {s['seed']}")
        return (f"sparse CSC n={s['n']} p={s['p']}, density {100 * s['density']:g}%, "
                f"Zipf exponent {s['zipf']}, {s['k']} true non-zeros, SNR {s['snr']}, seed {s['seed']}")


def _dense_spec(n, p, *, corr=0.5, k=20, snr=3.0, seed=0):
    return dict(n=n, p=p, corr=corr, k=k, snr=snr, seed=seed)


def _sparse_spec(n, p, *, density=0.002, zipf=1.0, k=50, snr=3.0, seed=0):
    return dict(n=n, p=p, density=density, zipf=zipf, k=k, snr=snr, seed=seed)


PROBLEMS: dict[str, Problem] = {}
for _p in [
    # DESIGN.md section 6 problems; targets are ratios to the fastest peer.
    Problem("dense_10000x1000", "dense", _dense_spec(10_000, 1_000, seed=0), "main", 1.0),
    Problem("dense_200x20000", "dense", _dense_spec(200, 20_000, seed=1), "main", 0.7),
    Problem("sparse_20000x50000", "sparse", _sparse_spec(20_000, 50_000, seed=2), "main", 0.7),
    # Variants: other seeds, shapes, correlations; reported separately (no tuning to one problem).
    Problem("dense_var_5000x2000", "dense",
            _dense_spec(5_000, 2_000, corr=0.8, k=50, snr=2.0, seed=10), "variant", 1.0),
    Problem("dense_var_500x10000", "dense",
            _dense_spec(500, 10_000, corr=0.2, k=40, snr=5.0, seed=11), "variant", 0.7),
    Problem("sparse_var_10000x100000", "sparse",
            _sparse_spec(10_000, 100_000, density=0.001, zipf=1.1, k=100, snr=2.0, seed=12),
            "variant", 0.7),
    # GLM tasks (issue 3): L1 logistic on the dense and sparse designs above, intercept fitted.
    Problem("logistic_dense_10000x1000", "dense",
            dict(_dense_spec(10_000, 1_000, seed=0), response=dict(type="binary", snr=3.0, seed=100)),
            "main", 0.7, task="logistic_path"),
    Problem("logistic_sparse_20000x50000", "sparse",
            dict(_sparse_spec(20_000, 50_000, seed=2), response=dict(type="binary", snr=3.0, seed=102)),
            "main", 0.7, task="logistic_path"),
    # 10-class multinomial (ungrouped L1); target: faster than glmnet.
    Problem("multinomial_dense_5000x500", "dense",
            dict(_dense_spec(5_000, 500, seed=20),
                 response=dict(type="multiclass", classes=10, k=10, scale=2.0, seed=120)),
            "main", 1.0, task="multinomial_path", target_peer="glmnet"),
    # Smoke problems: small, to check the harness quickly (--problem smoke); no targets.
    Problem("logistic_smoke_dense_2000x200", "dense",
            dict(_dense_spec(2_000, 200, seed=30), response=dict(type="binary", snr=3.0, seed=130)),
            "smoke", None, task="logistic_path"),
    Problem("logistic_smoke_sparse_2000x5000", "sparse",
            dict(_sparse_spec(2_000, 5_000, density=0.005, seed=31),
                 response=dict(type="binary", snr=3.0, seed=131)),
            "smoke", None, task="logistic_path"),
    Problem("multinomial_smoke_dense_1000x100", "dense",
            dict(_dense_spec(1_000, 100, seed=32),
                 response=dict(type="multiclass", classes=10, k=5, scale=2.0, seed=132)),
            "smoke", None, task="multinomial_path", target_peer="glmnet"),
]:
    PROBLEMS[_p.name] = _p


# --------------------------------------------------------------------------- generators

def _true_coef(rng, p, k, support_pool=None):
    pool = np.arange(p) if support_pool is None else support_pool
    support = np.sort(rng.choice(pool, size=k, replace=False))
    beta = np.zeros(p)
    beta[support] = rng.choice([-1.0, 1.0], size=k) * rng.uniform(1.0, 2.0, size=k)
    return beta


def _add_noise(rng, signal, snr):
    # SNR = var(signal) / var(noise)
    sigma = np.sqrt(np.var(signal) / snr)
    return signal + sigma * rng.standard_normal(signal.shape[0])


def make_dense(spec):
    """Gaussian columns with AR(1) correlation: corr(X_j, X_k) = corr**|j-k|."""
    n, p, rho = spec["n"], spec["p"], spec["corr"]
    rng = np.random.default_rng(spec["seed"])
    X = np.empty((n, p), order="F")
    X[:, 0] = rng.standard_normal(n)
    s = np.sqrt(1.0 - rho * rho)
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + s * rng.standard_normal(n)
    beta = _true_coef(rng, p, spec["k"])
    y = _add_noise(rng, X @ beta, spec["snr"])
    X -= X.mean(axis=0)
    y -= y.mean()
    return X, y, beta


def _zipf_doc_freq(n, p, nnz, s):
    """Column document frequencies ~ C / (rank + 10)^s, capped at n/2, summing to about nnz."""
    ranks = np.arange(1, p + 1) + 10.0
    cap = n // 2
    lo, hi = 0.0, float(nnz) * 10
    for _ in range(100):  # bisection on the scale C
        c = 0.5 * (lo + hi)
        tot = np.minimum(cap, np.maximum(1.0, c * ranks ** -s)).sum()
        lo, hi = (c, hi) if tot < nnz else (lo, c)
    df = np.minimum(cap, np.maximum(1.0, c * ranks ** -s))
    return np.rint(df).astype(np.int64)


def make_sparse(spec):
    """Text-like CSC: Zipf column frequencies, tf-idf values, L2-normalised rows."""
    n, p = spec["n"], spec["p"]
    rng = np.random.default_rng(spec["seed"])
    df = _zipf_doc_freq(n, p, spec["density"] * n * p, spec["zipf"])
    rng.shuffle(df)  # frequent terms are not all in the first columns
    indptr = np.concatenate([[0], np.cumsum(df)])
    indices = np.empty(indptr[-1], dtype=np.int32)
    for j in range(p):
        indices[indptr[j]:indptr[j + 1]] = np.sort(rng.choice(n, size=df[j], replace=False))
    counts = rng.geometric(0.6, size=indices.shape[0])  # term counts 1, 2, 3, ...
    idf = 1.0 + np.log(n / (1.0 + df))
    data = (1.0 + np.log(counts)) * np.repeat(idf, df)
    X = sparse.csc_matrix((data, indices, indptr), shape=(n, p))
    # L2-normalise documents (rows), as TfidfVectorizer does
    row_norm = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    row_norm[row_norm == 0] = 1.0
    X = sparse.csc_matrix(sparse.diags(1.0 / row_norm) @ X)
    X.sort_indices()
    # true support among reasonably frequent terms, so the signal is learnable
    pool = np.flatnonzero(df >= max(20, np.quantile(df, 0.8)))
    beta = _true_coef(rng, p, spec["k"], support_pool=pool)
    y = _add_noise(rng, X @ beta, spec["snr"])
    y -= y.mean()
    return X, y, beta


def _design_problem(problem: Problem) -> Problem:
    """The squared-loss problem whose X a GLM problem reuses (a private one if none matches)."""
    spec = problem.design_spec()
    for p in PROBLEMS.values():
        if p.response is None and p.kind == problem.kind and p.spec == spec:
            return p
    return Problem(f"{problem.name}-design", problem.kind, spec)


def make_labels(X, beta, response):
    rng = np.random.default_rng(response["seed"])
    if response["type"] == "binary":
        z = _add_noise(rng, np.asarray(X @ beta), response["snr"])
        return (z > np.median(z)).astype(np.float64)
    K, p = response["classes"], X.shape[1]
    B = np.stack([_true_coef(rng, p, response["k"]) for _ in range(K)], axis=1)  # (p, K)
    eta = np.asarray(X @ B)
    eta *= response["scale"] / eta.std()
    g = rng.gumbel(size=eta.shape)  # Gumbel-max: argmax(eta + G) ~ softmax(eta)
    return np.argmax(eta + g, axis=1).astype(np.int64)


def _load_design(f, kind):
    z = np.load(f)
    if kind == "dense":
        X = np.asfortranarray(z["X"])
    else:
        X = sparse.csc_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
    return X, z


def load(problem: Problem):
    """Return (X, y) for a problem, generating and caching it on first use."""
    if problem.response is not None:
        base = _design_problem(problem)
        load(base)  # generates and caches the design once
        X, z = _load_design(base.path(), base.kind)
        f = problem.path()
        if not f.exists():
            y = make_labels(X, z["beta"], problem.response)
            tmp = f.with_suffix(".tmp.npz")
            np.savez(tmp, y=y)
            os.replace(tmp, f)
        return X, np.ascontiguousarray(np.load(f)["y"])
    f = problem.path()
    if not f.exists():
        f.parent.mkdir(parents=True, exist_ok=True)
        if problem.kind == "dense":
            X, y, beta = make_dense(problem.spec)
            tmp = f.with_suffix(".tmp.npz")
            np.savez(tmp, X=X, y=y, beta=beta)
        else:
            X, y, beta = make_sparse(problem.spec)
            tmp = f.with_suffix(".tmp.npz")
            np.savez(tmp, data=X.data, indices=X.indices, indptr=X.indptr,
                     shape=np.array(X.shape), y=y, beta=beta)
        os.replace(tmp, f)
    X, z = _load_design(f, problem.kind)
    return X, np.ascontiguousarray(z["y"])


def one_hot(y):
    classes, codes = np.unique(y, return_inverse=True)
    Y = np.zeros((y.shape[0], classes.size))
    Y[np.arange(y.shape[0]), codes] = 1.0
    return Y


def alpha_grid(problem: Problem, X, y, l1_ratio: float, n_alphas: int = 100):
    """alpha_max * logspace(0, low, n_alphas).

    lasso_path: alpha_max = max|X^T y| / (n * l1_ratio), low = -3 if n > p else -2.
    GLM tasks (intercept fitted): the gradient at the intercept-only fit,
    alpha_max = max_jk |X_j^T (Y_k - mean(Y_k))| / (n * l1_ratio) (Y = y for logistic, the
    one-hot labels for multinomial); low = -2.
    """
    n, p = X.shape
    if problem.task == "lasso_path":
        alpha_max = np.max(np.abs(X.T @ y)) / (n * l1_ratio)
        low = -3.0 if n > p else -2.0
    else:
        Y = one_hot(y) if problem.task == "multinomial_path" else y[:, None]
        Yc = Y - Y.mean(axis=0)
        alpha_max = np.max(np.abs(np.asarray(X.T @ Yc))) / (n * l1_ratio)
        low = -2.0
    return alpha_max * np.logspace(0.0, low, n_alphas)
