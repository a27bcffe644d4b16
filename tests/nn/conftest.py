"""Shared set-up for the network tests.

One intra-op thread per test process: the networks here are tiny, pytest-xdist already runs
one process per core, and threads fighting over two cores make small ops many times slower.
"""

try:
    import torch
except ImportError:  # the modules skip themselves with pytest.importorskip("torch")
    torch = None

if torch is not None:
    torch.set_num_threads(1)
