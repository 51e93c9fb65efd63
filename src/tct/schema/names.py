"""What a name slot may read: a tree of allowed names (`Names`), and for a function name the
arguments its call takes (`Arity`). Built from a field and the document by a profile rule
(codec/profiles/expression_context.py `tree`) and read by `name_slots.SlotDFA`.
"""

from __future__ import annotations

import string
import dataclasses
from dataclasses import dataclass

NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_-*")


class Names:
    """An immutable tree of allowed names: name -> Names, or None for anything below it.
    Names are read ignoring case, except those in `exact` (`true` is a literal, `TRUE` is not).
    `Names.all_but(names)` allows any name but those, with anything below it (a matrix can
    define any key but `include` and `exclude`).

    A node is a value of a `kind` ("object", "array" (what `.*` filters), or a scalar leaf:
    "string", "number", "bool", "null"); None is "any". An object none of whose properties is
    an object or array is a "record" (`kind_of`: what `env: ${{ ... }}` may be). `finals` (None: all) are the kinds a name read under this node may
    end an access chain with (`with_finals`: the right operand of `<` may not be a bool), and
    `compared` those it may end with when a comparison follows (where a bool is wanted:
    `github.ref == 'a'`; `name_slots.MUST_COMPARE`); a name that goes on with `.` or `[` is not
    checked, its subtree is; a scalar never goes on. `indexed`: false where an index may not
    follow the name this node is (names a quoted index would read are not ones a definition
    still to come owes)."""

    __slots__ = ("children", "exact", "excluded", "each", "kind", "finals", "compared", "refused", "prefixes", "exact_prefixes",
                 "delims", "record", "indexed", "_key", "_hash", "_narrow", "_filtered")

    def __init__(self, children: dict, exact: dict | None = None, delims: frozenset | None = None,
                 excluded: frozenset | None = None, kind: str = "object", finals: frozenset | None = None,
                 each=None, refused: frozenset = frozenset(), compared: frozenset = frozenset(), grows: bool = False,
                 indexed: bool = True):
        self.excluded = excluded  # None, or the only names refused (then `children` are names whose subtree differs)
        self.refused = refused  # with `excluded`: characters no name may hold
        self.each = each  # with `excluded`: the subtree of every name (None: any); an array's: its elements'
        self.kind, self.finals, self.compared, self.indexed = kind, finals, compared, indexed
        if finals is not None and "array" not in finals:  # `.*` makes an array
            children = {k: v for k, v in children.items() if k != "*"}
        self.children = {k.lower(): v for k, v in children.items()}
        self.exact = dict(exact or {})
        self.prefixes = frozenset(k[:i] for k in self.children for i in range(len(k) + 1))
        self.exact_prefixes = frozenset(k[:i] for k in self.exact for i in range(len(k) + 1))
        self.delims = frozenset(k[-1] for k in (*self.children, *self.exact) if k and k[-1] not in NAME_CHARS) \
            if delims is None else delims
        self.record = kind == "object" and not grows and not any(
            isinstance(v, Names) and v.kind in ("object", "array")
            for v in (*self.children.values(), *((self.each,) if excluded is not None else ())))
        self._key = (tuple(sorted(self.children.items(), key=lambda kv: kv[0])),
                     tuple(sorted(self.exact.items(), key=lambda kv: kv[0])), self.delims,
                     None if excluded is None else tuple(sorted(excluded)), kind,
                     None if finals is None else tuple(sorted(finals)), each, tuple(sorted(refused)),
                     tuple(sorted(compared)), self.record, indexed)
        self._hash = hash(self._key)
        self._narrow, self._filtered = {}, {}

    def __hash__(self):
        return self._hash

    def __eq__(self, other):
        return isinstance(other, Names) and self._hash == other._hash and self._key == other._key

    @classmethod
    def all_but(cls, names, each=None, kind: str = "object", refused: frozenset = frozenset(), grows: bool = False,
                indexed: bool = True, children: dict | None = None) -> "Names":
        """Any name but `names`, each with subtree `each` (None: any kind, anything below) but
        those of `children` (`github.event.inputs`: the declared inputs), and none holding a
        character of `refused`."""
        return cls(children or {}, delims=frozenset(), excluded=frozenset(n.lower() for n in names), kind=kind,
                   each=each, refused=frozenset(refused), grows=grows, indexed=indexed)

    def with_finals(self, finals: frozenset | None, compared: frozenset = frozenset()) -> "Names":
        """This tree, its names ending a chain only with a value of a kind in `finals`, or in
        `compared` where a comparison follows."""
        if finals is None or (finals == self.finals and compared == self.compared):
            return self
        hit = self._filtered.get((finals, compared))
        if hit is None:
            hit = self._filtered[(finals, compared)] = Names(self.children, self.exact, self.delims, self.excluded,
                                                             self.kind, finals, self.each, self.refused, compared,
                                                             grows=not self.record, indexed=self.indexed)
        return hit

    def without(self, name: str) -> "Names":
        """This tree less one name (of a tree of known names)."""
        if name not in self.children:
            return self
        return Names({k: v for k, v in self.children.items() if k != name}, self.exact, None, None,
                     self.kind, self.finals, compared=self.compared)

    def __repr__(self):
        if self.excluded is not None:
            return f"Names.all_but({sorted(self.excluded)!r})"
        return f"Names({dict(self._key[0])!r}, exact={dict(self._key[1])!r})"

    # A slot's prefix is kept folded to lower case, or as typed behind "=" while it may still
    # be an exact name: states differ in no more than the names they can still reach.
    START = "="

    def advance(self, prefix: str, ch: str) -> str | None:
        """The prefix after name character `ch`, or None when no allowed name starts so."""
        if ch in self.refused:
            return None
        if prefix.startswith("="):
            typed = prefix[1:] + ch
            if typed in self.exact_prefixes:
                return "=" + typed
            low = typed.lower()
        else:
            low = prefix + ch.lower()
        return low if low in self.prefixes or self.excluded is not None else None

    def get(self, prefix: str, extra: str = ""):
        """(True, subtree) when `prefix` + `extra` is an allowed name, else (False, None)."""
        if prefix.startswith("="):
            typed = prefix[1:] + extra
            if typed in self.exact:
                return True, self.exact[typed]
            low = typed.lower()
        else:
            low = prefix + extra.lower()
        if low in self.children:
            return True, self.children[low]
        if self.excluded is not None:
            return (True, self.each) if low and low not in self.excluded else (False, None)
        return False, None

    def narrow(self, prefix: str) -> "Names | None":
        """The names that `prefix` can still become (with this node's end characters): a slot
        state keeps only these, so states, rows and distances are shared by every tree that
        agrees on them (documents differ mostly in a few names of the root). None when every
        name it can become is allowed, with anything below it."""
        hit = self._narrow.get(prefix, self)
        if hit is self:
            typed = prefix[1:] if prefix.startswith("=") else None
            low = prefix if typed is None else typed.lower()
            if self.excluded is not None:
                left = frozenset(n for n in self.excluded if n.startswith(low))
                kids = {k: v for k, v in self.children.items() if k.startswith(low)}
                if not left and not kids and self.each is None and not self.refused:  # any name, of any kind
                    hit = None
                else:
                    # `.*` filters an array: no element's kind makes it one a comparison may follow
                    hit = Names.all_but(left, self.each, self.kind, self.refused, children=kids).with_finals(
                        self.finals, frozenset() if low == "*" else self.compared)
                self._narrow[prefix] = hit
                return hit
            hit = self._narrow[prefix] = Names(
                {k: v for k, v in self.children.items() if k.startswith(low)},
                {k: v for k, v in self.exact.items() if k.startswith(typed)} if typed is not None else {},
                self.delims, kind=self.kind, finals=self.finals, compared=self.compared)
        return hit

    def exit(self, prefix: str, ch: str):
        """(True, subtree) when `prefix` is a whole name that character `ch` may end, else (False, None)."""
        found, sub = self._exit(prefix, ch)
        if not found:
            return False, None
        if ch in ".[":  # the chain goes on, never from a scalar: its end is checked below
            if kind_of(sub) in SCALAR_KINDS:
                return False, None
            # `[`: a quoted name of a known object ends the chain (`IndexOf`); so does a scalar
            # element (`env[x]`), whose kind is checked here
            element = element_kind(sub) if ch == "[" else None
            if element is not None and self.finals is not None and not fits_kind(element, self.finals):
                return False, None
            return True, sub.with_finals(self.finals, self.compared) if isinstance(sub, Names) else sub
        if self.finals is None or fits_kind(kind_of(sub), self.finals) or (isinstance(sub, Names) and sub.kind in self.compared) \
                or (isinstance(sub, Arity) and owes(sub.returns, self.finals)):
            return True, sub
        return False, None

    def _exit(self, prefix: str, ch: str):
        if self.excluded is not None:
            return self.get(prefix)
        found, sub = self.get(prefix, ch)
        if found:
            return True, sub
        return (False, None) if ch in self.delims else self.get(prefix)


LEAF = Names({}, kind="string")
ARRAY = Names({}, kind="array")  # of strings (`needs.*.result`)
NUMBER = Names({}, kind="number")
BOOL = Names({}, kind="bool")
NULL = Names({}, kind="null")
OBJECT = Names.all_but(())  # an object of any properties, each of any kind
STRINGS = Names.all_but((), LEAF)  # an object of any properties, each a string (`env`, `outputs`)
SCALAR_KINDS = frozenset({"string", "number", "bool", "null"})
COMPOSITE_KINDS = frozenset({"object", "record", "array"})


def kind_of(sub) -> str:
    """The kind of value a name with subtree `sub` stands for (a function: what it returns)."""
    if sub is None:
        return "any"
    if isinstance(sub, Arity):
        return sub.returns
    return "record" if sub.record else sub.kind


def owes(kind: str, kinds) -> bool:
    """Does a call returning `kind`, where a value of `kinds` is wanted, owe a later `&&`/`||`
    term (`operand_kinds.owed`)? (a bool where neither a bool nor a string is: `contains(x, 'y')
    && 20 || 10` for a number, `... && fromJSON('[1]')` for an array; the merge is then any.)"""
    return kind == "bool" and kinds is not None and not kinds & {"bool", "string"}


def fits_kind(kind: str, kinds: frozenset) -> bool:
    """Is a value of `kind` one of `kinds` (a record is an object too)?"""
    return kind in kinds or (kind == "record" and "object" in kinds)


def element_kind(sub) -> str | None:
    """The kind of what an index of a value with subtree `sub` gives (`env[x]` a string, an
    element of `needs.*.result` a string), or None when unknown."""
    if not isinstance(sub, Names):
        return None
    if sub.kind == "array":
        if sub.each is not None:  # a typed element (a matrix value's)
            kind = kind_of(sub.each)
            return None if kind == "any" else kind
        return "string" if sub.excluded is None and not sub.children else None  # `ARRAY`
    if sub.excluded is None:  # known properties (a quoted name reads one): their kind, if one
        kinds = {kind_of(v) for v in sub.children.values()}
        return kinds.pop() if len(kinds) == 1 and "any" not in kinds else None
    return kind_of(sub.each) if sub.each is not None else None


@dataclass(frozen=True)
class Arity:
    """What a function name (`contains(`) maps to: the arguments it takes, at least `least`, at
    most `most` (None: any number), an odd number when `odd` (`case`). A call's open state
    counts the arguments begun so far, folded once only parity can still matter."""

    least: int
    most: int | None = None
    odd: bool = False
    returns: str = "any"  # the kind of its value
    # per argument, the kinds it may end in (None: any; each admits a number, the shortest
    # argument `extra` counts); the last repeats
    params: tuple = ()
    # the language (a CharDFA) of a string literal that begins the first argument (`fromJSON`:
    # JSON), or None
    literal: object = None
    # the Arity this one was typed from (`typed`), or None
    untyped: object = None

    def typed(self, kind: str) -> "Arity":
        """This call returning `kind`: a `fromJSON` whose whole argument is a literal of that kind
        (actionlint types it by the JSON), until anything but `)` follows the literal."""
        return dataclasses.replace(self, returns=kind, untyped=self)

    def param(self, i: int):
        """The kinds argument `i` may end in (None: any)."""
        return self.params[min(i, len(self.params) - 1)] if self.params else None

    def fold(self, k: int) -> int:
        if self.most is not None or k <= self.least:
            return k
        return self.least + ((k - self.least) % 2 if self.odd else 0)

    def may_add(self, k: int) -> bool:
        return self.most is None or k < self.most

    def may_close(self, k: int) -> bool:
        return k >= self.least and (not self.odd or k % 2 == 1)

    def extra(self, k: int) -> int:
        """Characters the shortest way to close adds (`0` as the first argument, `,0` as each
        next one) with `k` arguments begun."""
        need = max(0, self.least - k)
        if self.odd and (k + need) % 2 == 0:
            need += 1
        return 0 if need == 0 else 2 * need - (1 if k == 0 else 0)
