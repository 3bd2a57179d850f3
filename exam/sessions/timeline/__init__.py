"""A session's timeline: when each exam-day step is due, and running the steps."""
