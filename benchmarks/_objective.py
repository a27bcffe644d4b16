"""Objectives and duality gaps, computed here and independently of every package measured.

Squared loss, our scaling (DESIGN.md section 1), no intercept:

    P(b) = 1/(2n) ||y - X b||^2 + alpha * (rho ||b||_1 + (1 - rho)/2 ||b||^2)

Fenchel dual with u in R^n (lam1 = alpha*rho, lam2 = alpha*(1-rho)):

    D(u) = u^T y - n/2 ||u||^2 - sum_j h(x_j^T u),
    h(s) = (|s| - lam1)_+^2 / (2 lam2)          if lam2 > 0,
    h(s) = 0 if |s| <= lam1 else +inf           if lam2 = 0 (Lasso).

We take u = r / n (r = y - X b), the dual point every solver tends to; for the Lasso it is
shrunk onto the feasible set, u = r / max(n, ||X^T r||_inf / lam1). P(b) - D(u) >= P(b) - P*.
"""

from __future__ import annotations

import numpy as np


def _residuals(X, y, coefs):
    """R[k] = y - X coefs[k] for coefs of shape (n_alphas, p); returns (n_alphas, n)."""
    return y[None, :] - np.asarray(X @ coefs.T).T


def primal(X, y, coefs, alphas, l1_ratio):
    """P(b_k) at each alpha_k, shape (n_alphas,)."""
    n = X.shape[0]
    R = _residuals(X, y, coefs)
    loss = 0.5 * np.einsum("ij,ij->i", R, R) / n
    l1 = np.abs(coefs).sum(axis=1)
    l2 = np.einsum("ij,ij->i", coefs, coefs)
    return loss + alphas * (l1_ratio * l1 + 0.5 * (1.0 - l1_ratio) * l2)


def dual(X, y, coefs, alphas, l1_ratio):
    """D(u_k) at the residual-based dual point of each b_k, shape (n_alphas,)."""
    n = X.shape[0]
    R = _residuals(X, y, coefs)
    G = np.asarray(X.T @ R.T).T  # (n_alphas, p): X^T r_k
    lam1 = alphas * l1_ratio
    lam2 = alphas * (1.0 - l1_ratio)
    if l1_ratio >= 1.0:
        scale = np.maximum(n, np.abs(G).max(axis=1) / lam1)
        U = R / scale[:, None]
        return U @ y - 0.5 * n * np.einsum("ij,ij->i", U, U)
    U = R / n
    S = G / n
    excess = np.maximum(np.abs(S) - lam1[:, None], 0.0)
    h = 0.5 * np.einsum("ij,ij->i", excess, excess) / lam2
    return U @ y - 0.5 * n * np.einsum("ij,ij->i", U, U) - h


def primal_dual(X, y, coefs, alphas, l1_ratio, chunk=20):
    """(P, D) in chunks of alphas, so (chunk, n) residual blocks stay small."""
    P = np.empty(len(alphas))
    D = np.empty(len(alphas))
    for s in range(0, len(alphas), chunk):
        sl = slice(s, s + chunk)
        P[sl] = primal(X, y, coefs[sl], alphas[sl], l1_ratio)
        D[sl] = dual(X, y, coefs[sl], alphas[sl], l1_ratio)
    return P, D
