"""The question bank: items and their immutable versions, loaders, paper assembly."""
