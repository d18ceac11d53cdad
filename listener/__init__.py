"""Hearing: collect comments from platforms, store them once, and tag what they mean."""
