"""Regenerate the small CSV files of this folder (fixed seed): python tests/data/make_data.py

houses.csv — price (gaussian target, 2 rows missing) from area, rooms, city (categorical),
    garden (yes/no), age (3 values missing) and a constant column.
churn.csv — churned (yes/no, binomial target) from tenure, plan (categorical), monthly and
    support_calls.
"""
import os

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))


def houses(n=80, seed=0):
    rng = np.random.default_rng(seed)
    area = rng.uniform(30, 150, n).round(1)
    rooms = np.clip((area / 30 + rng.normal(0, 0.7, n)).round(), 1, 6).astype(int)
    city = rng.choice(["Paris", "Lyon", "Nice"], n, p=[0.4, 0.35, 0.25])
    garden = rng.choice(["yes", "no"], n)
    age = rng.uniform(0, 80, n).round(0)
    effect = {"Paris": 120.0, "Lyon": 40.0, "Nice": 60.0}
    price = (50 + 3.2 * area + 8 * rooms + np.array([effect[c] for c in city])
             + 15 * (garden == "yes") - 0.4 * age + rng.normal(0, 20, n)).round(1)
    frame = pd.DataFrame({"area": area, "rooms": rooms, "city": city, "garden": garden,
                          "age": age, "constant": 1, "price": price})
    frame.loc[[4, 17, 40], "age"] = np.nan
    frame.loc[[9, 33], "price"] = np.nan
    return frame


def churn(n=90, seed=1):
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 72, n)
    plan = rng.choice(["basic", "pro", "enterprise"], n, p=[0.5, 0.3, 0.2])
    monthly = rng.uniform(10, 120, n).round(2)
    calls = rng.poisson(1.5, n)
    eta = 0.8 - 0.05 * tenure + 0.6 * calls + 0.01 * monthly \
        + np.array([{"basic": 0.5, "pro": 0.0, "enterprise": -0.8}[p] for p in plan])
    churned = np.where(rng.uniform(size=n) < 1 / (1 + np.exp(-eta)), "yes", "no")
    return pd.DataFrame({"tenure": tenure, "plan": plan, "monthly": monthly,
                         "support_calls": calls, "churned": churned})


if __name__ == "__main__":
    houses().to_csv(os.path.join(HERE, "houses.csv"), index=False)
    churn().to_csv(os.path.join(HERE, "churn.csv"), index=False)
