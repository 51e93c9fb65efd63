"""JSON locations a profile speaks about: JSON pointers whose segments may be `*` (any key or
index). A location is matched against a machine frame's path (a tuple of keys and indexes)."""

from __future__ import annotations


def parse(pattern: str) -> tuple:
    """'/jobs/*/needs/*' -> ('jobs', '*', 'needs', '*'); '' is the document itself."""
    if pattern and not pattern.startswith("/"):
        raise ValueError(f"a location is a JSON pointer starting with '/': {pattern!r}")
    return tuple(s.replace("~1", "/").replace("~0", "~") for s in pattern.split("/")[1:])


def match(segments: tuple, path: tuple) -> tuple | None:
    """The keys the `*`s stand for, or None when `path` is not at that location."""
    if len(segments) != len(path):
        return None
    bound = []
    for s, p in zip(segments, path):
        if s == "*":
            bound.append(p)
        elif s != str(p):
            return None
    return tuple(bound)
