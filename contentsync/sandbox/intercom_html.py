"""Placeholder: the article HTML Intercom stores and serves. The real module (the rewrites of
SPEC section 6, the 400s for HTML Intercom refuses) replaces this one at merge."""

from __future__ import annotations


class Refused(Exception):
    """HTML Intercom answers 400 for; the message says why."""


def store(html: str) -> str:
    """What Intercom keeps of an article body it is sent."""
    return html


def served(stored: str, now: float) -> str:
    """What Intercom answers for a stored body at time `now` (Unix seconds)."""
    return stored
