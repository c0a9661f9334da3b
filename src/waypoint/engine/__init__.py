"""Numerical core of Waypoint: plain functions over numpy / Arrow / Polars data.

Nothing in this package imports Django or any Waypoint app (an import-linter contract in CI
keeps it so), so the same code runs in a request, a nightly command or a Spark job. The
models themselves (knowledge tracing, growth, grouping, reach) arrive with their issues.
"""
