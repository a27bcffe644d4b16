"""``python -m regularized``: the ``regularized`` command (see :mod:`regularized.cli`)."""
from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
