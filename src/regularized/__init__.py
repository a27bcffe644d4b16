"""regularized: certified, fast regularization paths and regularized models.

The public API is listed in ``__all__``; heavier parts (plots, networks) are
imported from their own modules so ``import regularized`` stays light.
"""
from .path import Path, path

__version__ = "0.1.0"

__all__ = ["Path", "path", "__version__"]
