"""Answering: deciding, suggesting, approving, posting and escalating replies."""
