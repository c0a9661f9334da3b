"""Personalized learning plans, portfolios, the family view and educator growth plans."""
