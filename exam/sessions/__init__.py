"""Exam sessions (场次): when a level's paper may be sat, for how long, by whom."""
