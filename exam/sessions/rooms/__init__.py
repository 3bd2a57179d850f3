"""Exam rooms (考场) and the seats a session assigns in them."""
