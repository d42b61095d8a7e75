"""Errors raised by the shared store."""

from __future__ import annotations


class StoreError(Exception):
    """The database could not be read or written."""
