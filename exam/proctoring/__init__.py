"""Live proctoring: the examiner's view of the room and the actions that change an attempt."""
