"""Errors services raise; interfaces turn them into HTTP statuses or CLI exit codes."""

from __future__ import annotations


class HeadwayError(Exception):
    """Base of every error a service raises on purpose."""


class NotFound(HeadwayError):
    """The thing asked for does not exist."""


class Conflict(HeadwayError):
    """The write would break a uniqueness or consistency rule."""


class PermissionDenied(HeadwayError):
    """The actor may not do this."""


class InvalidInput(HeadwayError):
    """The input is well-formed but not acceptable."""
