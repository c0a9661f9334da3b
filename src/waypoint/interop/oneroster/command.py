"""OneRoster 1.1 / 1.2 bulk and delta CSV (a folder or a zip)."""
