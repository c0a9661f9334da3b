"""Equity and performance reports; ``suppression`` hides small cells for every one of them."""
