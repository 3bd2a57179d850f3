"""A session's results: the read model, charts, exports, release rule and publication."""
