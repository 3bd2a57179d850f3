"""Examiner marking of what a machine cannot mark: short answers against a reference and scoring points."""
