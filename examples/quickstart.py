"""Fit a lasso path on scikit-learn's bundled diabetes data and print it.

Every row carries its certificate: the relative duality gap reached.
"""
from sklearn.datasets import load_diabetes

import regularized

data = load_diabetes()
X, y = data.data, data.target
fit = regularized.path(X, y, l1_ratio=1.0, n_alphas=20)

print(f"Lasso path on diabetes (n={X.shape[0]}, p={X.shape[1]}), {len(fit.alphas)} alphas")
print(f"{'alpha':>10} {'nonzero':>7} {'dev.ratio':>9} {'rel.gap':>9}  selected")
for a, k, dev, gap, coef in zip(fit.alphas, fit.n_nonzero, fit.deviance_ratio, fit.gap,
                                fit.coef):
    names = [data.feature_names[j] for j in coef.nonzero()[0]]
    print(f"{a:10.4g} {k:7d} {dev:9.3f} {gap:9.1e}  {' '.join(names)}")
