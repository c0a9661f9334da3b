"""CASE 1.0 / 1.1 CFPackage JSON (standards frameworks)."""
