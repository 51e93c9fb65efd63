"""A `workflow_dispatch` or `workflow_call` input's `type` agrees with its `default` and `options`.

actionlint: "its default value must be true or false" (a `boolean`'s default is a bool or the
string "true"/"false"), "cannot be parsed as a float number" (a `number`'s is a number or a
string Go's ParseFloat reads, of which decimal numbers are kept), ""options" can not be set to
"x" input because its input type is not "choice"". Whichever of `type` and `default` comes
second gives way: a `type` written after the default is refused the types it rules out
(`excluded`, `excluded_values` for workflow_call's literal ids; `string` always stays, as short as
any), a `default` written after the type is refused the kinds that type rules out
(`refused_kinds`, a string language; the value charges the cheapest branch left). `options` is
among a workflow_dispatch input's keys only after `type: choice` (`dispatch_input_keys`, for
`KeyNames`). Static `if`/`then` constraints said the same, but changed the inputs' ids.
"""

from __future__ import annotations

import json
import re

from tct.codec.profiles.rule import Rule, cheapest_branch

EVENTS = ("workflow_dispatch", "workflow_call")
FLOAT = "^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$"
BOOL_TEXT = "^(true|false)$"
_FLOAT = re.compile(FLOAT)
WHY = "actionlint: an input's default is of its type, and only a choice has options"


def _input(m, f):
    """The input object frame above frame `f` (at `on/<event>/inputs/<name>/<key>`), or None."""
    g = m.stack[4] if len(m.stack) > 4 else None
    return g if g is not None and g.kind == "object" and g.path == f.path[:4] else None


def _written_type(obj) -> str | None:
    t = obj.values.get("type") if obj is not None else None
    return t if isinstance(t, str) else None


def ruled_out(values: dict) -> frozenset:
    """The types an input's written `default` rules out."""
    out = set()
    if "default" in values:
        d = values["default"]  # (null is neither: "its default value "null" must be "true" or "false"")
        if not isinstance(d, bool) and d not in ("true", "false"):
            out.add("boolean")
        number = isinstance(d, (int, float)) and not isinstance(d, bool)
        if not number and not (isinstance(d, str) and _FLOAT.match(d)):
            out.add("number")
    return frozenset(out)


def dispatch_input_keys(m, path, keys: frozenset) -> frozenset:
    """A workflow_dispatch input's keys: `options` only after `type: choice` (the 42 corpus inputs
    with options all write the type first; an input whose `options` came first would owe a
    `type`, which no rule writes yet)."""
    obj = m.stack[len(path)] if len(m.stack) > len(path) and m.stack[len(path)].kind == "object" else None
    return keys if _written_type(obj) == "choice" else keys - {"options"}


def _default_rule(t: str | None) -> tuple:
    """(refused kinds, string language) of a default under written type `t`."""
    if t == "boolean":
        return frozenset({"number", "object", "array"}), BOOL_TEXT
    if t == "number":
        return frozenset({"literal", "object", "array"}), FLOAT
    return frozenset(), None


class InputTypes(Rule):
    """Tags: ("type",) an input's `type` value, ("default",) its `default` value."""

    def tag(self, path, role):
        if role != "value" or len(path) != 5 or path[0] != "on" or path[1] not in EVENTS or path[2] != "inputs":
            return None
        return (path[4],) if path[4] in ("type", "default") else None

    def _refused(self, m, f) -> frozenset:
        obj = _input(m, f)
        return ruled_out(obj.values) if obj is not None else frozenset()

    def _default(self, m, f) -> tuple:
        return _default_rule(_written_type(_input(m, f)))

    def key(self, m, f):
        return self._refused(m, f) if f.tag[1] == "type" else self._default(m, f)

    def excluded(self, m, f):
        return self._refused(m, f) if f.tag[1] == "type" else frozenset()

    def excluded_values(self, m, f):
        if f.tag[1] == "default":  # a boolean's default is no null (its true and false stay)
            return frozenset({"null"}) if _written_type(_input(m, f)) == "boolean" else frozenset()
        return frozenset(json.dumps(t) for t in self._refused(m, f))

    def refused_kinds(self, m, f):
        return self._default(m, f)[0] if f.tag[1] == "default" and f.kind == "value" else frozenset()

    def language(self, m, f):
        pattern = self._default(m, f)[1] if f.tag[1] == "default" else None
        return None if pattern is None else (pattern, None)

    def _default_branch(self, m, f) -> tuple:
        """(extra cost, kind) of the cheapest branch a default value frame has left, or (0, None)."""
        if f.tag[1] != "default" or f.kind != "value":
            return 0, None
        refused, pattern = self._default(m, f)
        return cheapest_branch(m, f.conj, refused, (pattern, None) if pattern else None) if refused else (0, None)

    def branch_kind(self, m, f):
        return self._default_branch(m, f)[1]

    def extra_cost(self, m, i, child_open):
        return self._default_branch(m, m.stack[i])[0]

    def string_reason(self, m, f, text):
        if f.tag[1] == "type" and text.strip('"') in self._refused(m, f):
            return f"the input's default rules out type {text} ({WHY})"
        if f.tag[1] == "default":
            t = _written_type(_input(m, f))
            return f"not a default of a {t} input ({WHY})" if t in ("boolean", "number") else ""
        return ""
