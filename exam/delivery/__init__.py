"""Delivery: attempts, frozen papers, autosaved answers, the server's clock and submission."""
