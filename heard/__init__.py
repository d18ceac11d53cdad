"""heard: hear every mention and comment, and answer each one like a person."""

__version__ = "0.1.0"
