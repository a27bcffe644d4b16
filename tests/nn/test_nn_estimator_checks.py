"""scikit-learn's estimator checks on MLPRegressor and MLPClassifier.

Every check applies and passes: training is deterministic for a fixed random_state, and
predictions are computed in float64 so they do not depend on which rows are predicted
together. The instances are small and short (one hidden layer of 16 units, 30 epochs of
mini-batches of 32) so the whole battery runs in seconds; the learning rate is raised to 3e-3
so that those few epochs reach the checks' accuracy floors (R² > 0.5, accuracy > 0.83).
"""

import pytest

pytest.importorskip("torch")

from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from regularized.nn import MLPClassifier, MLPRegressor  # noqa: E402

CHECK_PARAMETERS = dict(hidden_layer_sizes=(16,), max_epochs=30, batch_size=32,
                        learning_rate=3e-3, random_state=0)


@parametrize_with_checks([MLPRegressor(**CHECK_PARAMETERS), MLPClassifier(**CHECK_PARAMETERS)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
