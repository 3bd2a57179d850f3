"""Accounts, roles, sign-in and its throttle."""
