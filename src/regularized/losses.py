"""Losses, written on the linear predictor η (DESIGN §1), with their duals.

Each loss is a small class of vectorised O(n) functions: value, first and
second derivative in η, the conjugate that gives the dual objective, the
saturated value (for deviances) and the target check. Solvers ask a loss only
for these; adding a loss means adding a class here (and its tests).

Sum scale throughout: ``L(η) = Σ_i w_i ℓ(y_i, η_i)``. The dual point used for
certificates is the scaled negative gradient ``θ = t·w⊙(y − μ)``, for which
``−Σ w_i ℓ*(−θ_i/w_i) = −Σ w_i φ(m_i)`` with ``m = (1−t)·y + t·μ``.
"""
import numpy as np

from .kernels.glm import binary_entropy_sum, logistic_derivatives, logistic_value

# η is clipped here so that exp(η) stays finite; beyond it a fit has diverged.
ETA_CLIP = 500.0
# glmnet's floor on the IRLS weight p(1−p): keeps the Newton model bounded
# near separation.
HESSIAN_FLOOR = 1e-5


def _xlogx(a):
    out = np.zeros_like(a)
    pos = a > 0
    out[pos] = a[pos] * np.log(a[pos])
    return out


class SquaredLoss:
    """ℓ(y, η) = ½(y − η)²; μ = η."""

    name = "squared"
    family = "gaussian"

    def check_target(self, y):
        return y, None

    def check_weights(self, y, w, classes):
        """Nothing to check: any positive total weight fits a squared loss."""

    def value(self, y, eta, w):
        r = y - eta
        return 0.5 * float(w @ (r * r))

    def mean(self, eta):
        return eta

    def saturated(self, y):
        return np.zeros_like(y)


class LogisticLoss:
    """ℓ(y, η) = log(1 + e^η) − yη for y ∈ {0, 1}; μ = 1/(1 + e^−η)."""

    name = "logistic"
    family = "binomial"

    def check_target(self, y):
        """Encode two classes of any type as 0/1; returns (y01, classes)."""
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D for the logistic loss, got shape {y.shape}")
        if y.dtype.kind == "f":
            if not np.all(np.isfinite(y)):
                raise ValueError("y contains NaN or infinity")
            if not np.all(y == np.round(y)):
                raise ValueError("y has non-integer values; the logistic loss needs class "
                                 "labels (two classes)")
        classes = np.unique(y)
        if classes.size < 2:
            raise ValueError(f"y has a single class ({classes[0]!r}); the logistic loss "
                             "needs two classes")
        if classes.size > 2:
            raise ValueError(f"y has {classes.size} classes; the logistic loss needs two "
                             "(use loss='multinomial')")
        return (y == classes[1]).astype(np.float64), classes

    def check_weights(self, y, w, classes):
        """Both classes need a positive total weight (else the intercept is infinite)."""
        for label, rows in ((classes[1], y == 1.0), (classes[0], y == 0.0)):
            if not w[rows].sum() > 0:
                raise ValueError(f"class {label_text(label)} has zero total sample weight; the "
                                 "logistic loss needs two classes with positive weight")

    def value(self, y, eta, w):
        return float(logistic_value(y, eta, w))

    def mean(self, eta):
        return 1.0 / (1.0 + np.exp(-eta))

    def derivatives(self, y, eta, floor=HESSIAN_FLOOR):
        """``(ℓ', max(ℓ'', floor), μ)`` at η."""
        return logistic_derivatives(y, eta, floor)

    def dual_loss(self, y, d1, t, w):
        """``−Σ w φ(m)`` at ``m = (1 − t)y + tμ``, from ``d1 = μ − y`` (``derivatives``)."""
        return -float(binary_entropy_sum(y, d1, t, w))

    def gradient_magnitude(self, y, d1):
        """Per-sample size of the gradient's terms, the scale its rounding is measured on:
        ``|μ − y|`` itself, which ``derivatives`` computes without cancellation."""
        return np.abs(d1)

    def saturated(self, y):
        return np.zeros_like(y)

    def null_intercept(self, y, w):
        ybar = float(w @ y) / float(w.sum())
        return float(np.log(ybar / (1.0 - ybar)))


class PoissonLoss:
    """ℓ(y, η) = e^η − yη for counts y ≥ 0; μ = e^η."""

    name = "poisson"
    family = "poisson"

    def check_target(self, y):
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if not np.all(np.isfinite(y)):
            raise ValueError("y contains NaN or infinity")
        if np.any(y < 0):
            raise ValueError("y has negative values; the Poisson loss needs counts ≥ 0")
        if not np.any(y > 0):
            raise ValueError("y is all zero; the Poisson loss needs some positive counts")
        return y, None

    def check_weights(self, y, w, classes):
        """Some positive count needs a positive weight (else the intercept is −∞)."""
        if not w @ y > 0:
            raise ValueError("every positive count has zero sample weight; the Poisson loss "
                             "needs some positive counts with positive weight")

    def value(self, y, eta, w):
        return float(w @ (np.exp(eta) - y * eta))

    def mean(self, eta):
        return np.exp(eta)

    def derivatives(self, y, eta, floor=1e-10):
        """``(ℓ', max(ℓ'', floor), μ)`` at η."""
        mu = np.exp(eta)
        return mu - y, np.maximum(mu, floor), mu

    def dual_loss(self, y, d1, t, w):
        """``−Σ w φ(m)`` at ``m = (1 − t)y + tμ``, from ``d1 = μ − y`` (``derivatives``)."""
        m = y + t * d1
        return -float(w @ (_xlogx(m) - m))

    def gradient_magnitude(self, y, d1):
        """Per-sample size of the gradient's terms, the scale its rounding is measured on:
        ``μ − y`` is computed with a rounding of order y, hence ``|y| + 1``."""
        return np.abs(y) + 1.0

    def saturated(self, y):
        # ℓ(y, log y) = y − y log y (0 at y = 0)
        return y - _xlogx(y)

    def null_intercept(self, y, w):
        return float(np.log(float(w @ y) / float(w.sum())))


class MultinomialLoss:
    """ℓ(y, η) = logsumexp(η) − η_y on η ∈ ℝᴷ; μ = softmax(η)."""

    name = "multinomial"
    family = "multinomial"

    def check_target(self, y):
        """One-hot encode labels of any type; returns (Y (n, K), classes)."""
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D class labels for the multinomial loss, got "
                             f"shape {y.shape}")
        if y.dtype.kind == "f":
            if not np.all(np.isfinite(y)):
                raise ValueError("y contains NaN or infinity")
            if not np.all(y == np.round(y)):
                raise ValueError("y has non-integer values; the multinomial loss needs "
                                 "class labels")
        classes, codes = np.unique(y, return_inverse=True)
        if classes.size < 2:
            raise ValueError(f"y has a single class ({classes[0]!r}); the multinomial "
                             "loss needs at least two")
        Y = np.zeros((y.shape[0], classes.size))
        Y[np.arange(y.shape[0]), codes] = 1.0
        return Y, classes

    def check_weights(self, Y, w, classes):
        """Every class needs a positive total weight (else its intercept is −∞)."""
        empty = np.flatnonzero(~(w @ Y > 0))
        if empty.size:
            raise ValueError(f"class {label_text(classes[empty[0]])} has zero total sample "
                             "weight; drop the class or give its rows positive weight")

    def mean(self, eta):
        """Class probabilities; the class axis is 1."""
        z = eta - eta.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


LOSSES = {"squared": SquaredLoss, "logistic": LogisticLoss, "poisson": PoissonLoss,
          "multinomial": MultinomialLoss}


def label_text(value):
    """A class label as a user wrote it: 'a' for text, 3 for a number."""
    value = np.asarray(value).item()
    return repr(value) if isinstance(value, str) else str(value)


def get_loss(name):
    if name not in LOSSES:
        raise ValueError(f"loss must be one of 'squared', 'logistic', 'multinomial', "
                         f"'poisson'; got {name!r}")
    return LOSSES[name]()
