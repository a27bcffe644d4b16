"""Wrapper overhead of regularized.nn.MLPRegressor against a hand-written PyTorch loop.

One epoch over 100 000 × 100 float32 data with a 2×256 ReLU MLP, mini-batches of 200, AdamW,
on the CPU with 2 threads for both. The hand loop does the same work as the estimator: the
data as one tensor, mini-batches gathered through a fresh permutation, half mean squared
error, the L2 part of the penalty added to the gradient, a fused AdamW step (decay on the
weight matrices only), the proximal L1 step in Adam's metric, and the epoch's mean loss.
The estimator's time is the whole ``fit(X, y)`` with ``max_epochs=1`` -- input validation,
conversion to a tensor, initialisation included -- and the hand loop's time likewise starts
from the NumPy arrays.

Runs are interleaved (A, B, then B, A, ...) after one warm-up of each, and the table reports
medians. Two settings: no regularization, and everything on (alpha=1e-4, l1_ratio=0.5,
weight_decay=1e-2, dropout=0.1).

    python benchmarks/bench_nn.py [--repeats 7] [--samples 100000]
"""

from __future__ import annotations

import os

# OpenMP threads that busy-wait for each other are ruinous on a shared machine: when the other
# thread is descheduled, a step can take ten times longer. Passive waiting (set before torch
# is imported; an explicit OMP_WAIT_POLICY in the environment wins) affects both sides alike
# and makes the timings reflect the work.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

from regularized.nn import MLPRegressor  # noqa: E402

N_FEATURES, WIDTH, BATCH_SIZE, LEARNING_RATE = 100, 256, 200, 1e-3
SETTINGS = {
    "plain": dict(alpha=0.0, l1_ratio=0.0, weight_decay=0.0, dropout=0.0),
    "regularized": dict(alpha=1e-4, l1_ratio=0.5, weight_decay=1e-2, dropout=0.1),
}


def make_data(n_samples: int):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_samples, N_FEATURES)).astype(np.float32)
    coef = rng.normal(size=N_FEATURES) / math.sqrt(N_FEATURES)
    y = (np.tanh(X @ coef) + 0.1 * X[:, 0] ** 2 + 0.1 * rng.normal(size=n_samples))
    return X, y.astype(np.float32)


def estimator_epoch(X, y, *, alpha, l1_ratio, weight_decay, dropout) -> tuple[float, float]:
    """(wall-clock, CPU) seconds of one fit of one epoch."""
    model = MLPRegressor((WIDTH, WIDTH), alpha=alpha, l1_ratio=l1_ratio,
                         weight_decay=weight_decay, dropout=dropout, max_epochs=1,
                         batch_size=BATCH_SIZE, learning_rate=LEARNING_RATE, random_state=0,
                         device="cpu")
    started = time.perf_counter(), time.process_time()
    model.fit(X, y)
    elapsed = time.perf_counter() - started[0], time.process_time() - started[1]
    assert math.isfinite(model.history_["train_loss"][0])
    return elapsed


def hand_epoch(X, y, *, alpha, l1_ratio, weight_decay, dropout) -> tuple[float, float]:
    started = time.perf_counter(), time.process_time()
    torch.manual_seed(0)
    inputs = torch.from_numpy(X)
    targets = torch.from_numpy(y).reshape(-1, 1)
    layers = [nn.Linear(N_FEATURES, WIDTH), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers += [nn.Linear(WIDTH, WIDTH), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(WIDTH, 1))
    model = nn.Sequential(*layers)
    weights = [layer.weight for layer in model if isinstance(layer, nn.Linear)]
    biases = [layer.bias for layer in model if isinstance(layer, nn.Linear)]
    optimizer = torch.optim.AdamW(
        [{"params": weights, "weight_decay": weight_decay},
         {"params": biases, "weight_decay": 0.0}],
        lr=LEARNING_RATE, fused=True)
    l2 = alpha * (1 - l1_ratio)
    l1 = LEARNING_RATE * alpha * l1_ratio
    beta2, eps = 0.999, 1e-8

    n = len(inputs)
    model.train()
    permutation = torch.randperm(n)
    total = 0.0
    for start in range(0, n, BATCH_SIZE):
        rows = permutation[start:start + BATCH_SIZE]
        optimizer.zero_grad(set_to_none=True)
        loss = 0.5 * F.mse_loss(model(inputs[rows]), targets[rows])
        loss.backward()
        if l2:
            for weight in weights:
                weight.grad.add_(weight, alpha=l2)
        optimizer.step()
        if l1:
            with torch.no_grad():
                for weight in weights:
                    state = optimizer.state[weight]
                    step = float(state["step"])
                    divisor = state["exp_avg_sq"].sqrt() / math.sqrt(1 - beta2 ** step) + eps
                    threshold = l1 / divisor
                    weight.sub_(torch.clamp(weight, min=-threshold, max=threshold))
        total += loss.item() * len(rows)
    mean_loss = total / n
    elapsed = time.perf_counter() - started[0], time.process_time() - started[1]
    assert math.isfinite(mean_loss)
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=2)
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    X, y = make_data(arguments.samples)

    print(f"torch {torch.__version__}, {platform.processor() or platform.machine()}, "
          f"{torch.get_num_threads()} threads; {arguments.samples} x {N_FEATURES} float32, "
          f"MLP {N_FEATURES}-{WIDTH}-{WIDTH}-1, batch {BATCH_SIZE}, {arguments.repeats} "
          f"interleaved repeats after a warm-up; OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}; "
          f"load average before: {os.getloadavg()[0]:.1f}")
    rows = []
    for name, setting in SETTINGS.items():
        estimator_epoch(X, y, **setting)  # warm-up: first-call costs of both paths
        hand_epoch(X, y, **setting)
        estimator_times, hand_times = [], []
        for repeat in range(arguments.repeats):
            order = [(estimator_epoch, estimator_times), (hand_epoch, hand_times)]
            if repeat % 2:
                order.reverse()
            for run, times in order:
                times.append(run(X, y, **setting))
                print(f"  {name} {run.__name__}: {times[-1][0]:.3f} s wall, "
                      f"{times[-1][1]:.3f} s CPU", file=sys.stderr, flush=True)
        row = [name]
        for clock in (0, 1):  # wall-clock, then CPU time (all threads)
            estimator = [times[clock] for times in estimator_times]
            hand = [times[clock] for times in hand_times]
            row += [statistics.median(estimator), statistics.median(hand),
                    statistics.median(estimator) / statistics.median(hand),
                    statistics.median(a / b for a, b in zip(estimator, hand))]
        rows.append(row)

    print()
    print("| setting | clock | MLPRegressor.fit, 1 epoch (s) | hand loop, 1 epoch (s) | "
          "ratio of medians | median of paired ratios |")
    print("|" + "---|" * 6)
    for name, *numbers in rows:
        for clock, offset in (("wall", 0), ("CPU", 4)):
            estimator, hand, ratio, paired = numbers[offset:offset + 4]
            print(f"| {name} | {clock} | {estimator:.3f} | {hand:.3f} | {ratio:.3f} | "
                  f"{paired:.3f} |")
    print()
    for name, _, _, ratio, _, _, _, cpu_ratio, _ in rows:
        verdict = "met" if ratio <= 1.10 else "MISSED"
        print(f"ratio ({name}): {ratio:.3f} wall, {cpu_ratio:.3f} CPU; target <= 1.10 "
              f"(wall): {verdict}")

if __name__ == "__main__":
    main()
