"""Waypoint: a personalized learning platform for school districts."""

__version__ = "0.1.0"
