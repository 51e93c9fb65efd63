"""Profiles: constraints beyond a JSON Schema, layered on a tokenizer without changing its ids
(see profile.py). `get(name)` finds a shipped one; `DEFAULTS` says which generation uses."""

from __future__ import annotations

from tct.codec.profiles.profile import Profile, Rules
from tct.codec.profiles.rule import Rule
from tct.errors import TCTError

__all__ = ["Profile", "Rule", "Rules", "get", "DEFAULTS", "SHIPPED"]


def _shipped() -> dict:
    import os

    from tct.codec.profiles import github_workflow
    return {p.name: p for p in (github_workflow.strict(os.environ.get(github_workflow.ACTIONS_ENV)),)}


SHIPPED = ("github-workflow-strict",)
DEFAULTS = {"github-workflow": "github-workflow-strict"}  # schema name -> profile for generation


def get(profile) -> Profile | None:
    """A Profile, a shipped profile's name, or None / "none" (schema only)."""
    if profile is None or isinstance(profile, Profile):
        return profile
    if profile == "none":
        return None
    found = _shipped().get(profile)
    if found is None:
        raise TCTError(f"no profile {profile!r} (shipped: {', '.join(SHIPPED)}, or 'none')")
    return found
