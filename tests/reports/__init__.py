"""Tests for waypoint.reports."""
