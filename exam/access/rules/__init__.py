"""One module per access rule; ``exam.access.manager.RULES`` lists them in the order they are asked."""
