"""Headway: an open-source customer success platform that measures outcomes."""

__version__ = "0.1.0"
