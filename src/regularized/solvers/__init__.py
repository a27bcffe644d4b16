"""Solvers: each minimises the objective of DESIGN §1 at one alpha, warm-started.

``working_set``: coordinate descent grown from KKT violations, on a Gram
(dense) or a residual (sparse) inner solver, with Anderson extrapolation.
``ridge``: every alpha at once from one eigendecomposition.
"""
