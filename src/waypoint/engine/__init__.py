"""Numerical core of Waypoint: plain functions over numpy / Arrow / Polars data.

Nothing in this package imports Django or any Waypoint app (an import-linter contract in CI
keeps it so), so the same code runs in a request, a nightly command or a Spark job.

- ``bkt``: Bayesian Knowledge Tracing (fit, forward inference, online updates).
- ``data``: the columnar (skill, learner, time) layout the kernels walk.
- ``metrics``: ROC AUC, RMSE, log-loss.
- ``base``: the estimator contract every model follows; ``tests/engine/checks.py`` checks it.
- ``synthetic``: response data drawn from known parameters.
- ``grouping``: suggested small groups (an integer program solved with HiGHS).
- ``interventions``: the next best intervention, ranked by expected mastery gain.
- ``growth``: student growth percentiles (quantile regression on B-spline bases).
- ``access_measures``: teacher-of-record access measures over plain tables.
- ``reach``: staffing plans that reach more learners with excellent teachers (a MILP).
- ``budget``: five-year budget projections and weighted student funding.
"""
