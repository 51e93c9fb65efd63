"""A string automaton whose name slots read only given names: a filter on a `CharDFA`.

Some languages are fixed except for names that come from elsewhere (an expression's contexts
depend on the field, `steps.<id>` on the document's steps). Rebuilding the automaton per name
set is slow (thousands of states each time), so it is built once with names free and the
states that read a name are labelled with the name's depth in an access chain
(`PatternFSM.labels`: 0 for `github` in `github.event.x`, 1 for `event`, ...). `SlotDFA` walks
it with a tree of allowed names (`Names`): a depth-0 slot reads a name of the tree's root, a
slot entered straight from the slot one level up reads a child of the name read there, and a
`None` subtree leaves everything below it free (`Names.all_but`: every name but a few, each
with everything below it). Inside a slot a name character (ASCII letter,
digit, `_`, `-`, `*`) must extend the prefix towards an allowed name; a slot is left only on a
whole name. A name may carry the one character that must end it (`contains(`): then only that
character ends it, and plain names of that node are not ended by it. Names are read
case-insensitively (as GitHub reads contexts, functions and properties), but for `exact`
ones (literals).

A name may map to an `Arity` (a function): where the base automaton says how many brackets
are open at each state outside string literals (`CharDFA.depths`), the call it opens counts
its arguments at its own depth (`,` adds one, `)` closes it), so `contains(a)` is refused and
its shortest completion adds `,0`.

Where the base automaton says which token each state is in (`CharDFA.roles`), the kinds of
operands are followed too (`operand_kinds`: no `<` after a bool, no property of a string, no
object where a function takes a string...).

States are (base state, prefix, names node, open calls, operand records) tuples, numbered as
they are reached, so a tree costs only what is visited. The language: strings of the base automaton
whose slots hold allowed names and whose every prefix outside a slot can be finished without
entering one
(true of grammars that can always close with a literal). Distances and liveness honour it,
so completions, costs and masks stay exact on it.
"""

from __future__ import annotations

import heapq
import string
from dataclasses import dataclass

from tct.schema import operand_kinds
from tct.schema.names import LEAF, NAME_CHARS, Arity, Names, element_kind, fits_kind, kind_of, owes
from tct.schema.operand_kinds import ORDERED
from tct.schema.regex import CharDFA, _merge, _sample
from tct.schema.slot_literals import INF, QUOTED, WS, IndexOf, JsonKind, LiteralArg, LiteralIn, LiteralReading, NamedIndex

# The names node of a non-slot triple after an operand that `<` may not follow (a bool, null,
# object or array): the triple then says so, and its distance avoids `<` (`_unordered_dist`).
UNORDERED = "no <"
# The names node of a non-slot triple where an operand that may not be a number begins (an
# object's index): its distance avoids a number literal (`_no_number_dist`), the shortest
# operand otherwise. Set where a name of kind object is indexed (`_moves`: slot distances see
# it) and wherever else the operand records say so (`_row`: a group or a call's value).
NO_NUMBER = "no number"
# The names node of a non-slot triple after a name of a kind a bool was wanted in place of
# (`Names.compared`: `github.ref` in `continue-on-error: ${{ github.ref == 'a' }}`): whitespace
# keeps it, then a comparison operator must follow (`_must_compare_dist`).
MUST_COMPARE = "compare"
# The same where the comparison's bool is no kind wanted either (a number field, a matrix row): the
# comparison owes a later term (`github.ref == 'a' && 5 || 10`), its `&&0` charged here already.
MUST_COMPARE_OWING = "compare, owing"


@dataclass(frozen=True)
class NoLiteral:
    """The names node of a non-slot triple before or at an operand that may be no literal (an
    expression that is an object or an array: `env: ${{ fromJSON(x) }}`): its distance goes
    through the shortest root name of a kind in `want` (`_no_literal_dist`), so it depends on
    the tree and is kept per SlotDFA. Set at the grammar's text states whose expression may be
    no literal (`_enter`), and wherever else the operand records say so (`_row`: a group)."""
    want: frozenset


_LITERALS = frozenset({"number", "string"})


class SlotDFA(LiteralReading, CharDFA):
    """`base` with its slots reading names of `names` (a `Names` tree; None: any name)."""

    def __init__(self, base: CharDFA, names: Names | None):
        self.base, self.root = base, names
        self._d0 = _slot_free_distances(base)
        (self.class_ranges, self._samples, self._of_base, self._char, self._single_class,
         self._rest_class) = _refined_classes(base)
        self._triples: list = []
        self._ids: dict = {}
        # A slot's distance depends on its triple alone (slots are left into a non-slot state or
        # a deeper slot, never straight into a depth-0 one, which would read `names`), so it is
        # shared by every SlotDFA over `base`: documents differ mostly in their root names.
        shared = _slots_never_reenter(base)
        self._dist = base.__dict__.setdefault("_slot_dist", {}) if shared else {}
        self._slot_rows = base.__dict__.setdefault("_slot_rows", {}) if shared else {}
        self.trans = _Rows(self)
        self.accept = _Accept(self)
        self.live = _Live(self)
        self.start = self._id(self._enter(base.start, None, None) + ((), ()))
        self._allowed_ranges, self._suffixes, self._count_cache, self._blanks = {}, {}, {}, {}
        # Byte masks depend on code point ranges only: shared by every SlotDFA over `base`.
        self._ranges = base.__dict__.setdefault("_slot_ranges", {})
        self._allowed_bytes = base.__dict__.setdefault("_slot_allowed_bytes", {})

    # ------------------------------------------------------------ states
    def _enter(self, t: int, from_depth, child):
        """The triple for base state `t` reached from a slot of depth `from_depth` (None: from
        outside any slot) that ended with names node `child`."""
        depth = self.base.labels.get(t)
        if depth is None:
            want = operand_kinds.OPENED.get(self.base.roles.get(t))
            return (t, None, None if want is None or want & _LITERALS else NoLiteral(want))
        if not (child is None or isinstance(child, Names)):
            child = LEAF
        node = self.root if depth == 0 else child if from_depth == depth - 1 else None
        return (t, "" if node is None else Names.START, node)

    def _id(self, quad) -> int:
        i = self._ids.get(quad)
        if i is None:
            i = self._ids[quad] = len(self._triples)
            self._triples.append(quad)
        return i

    def _moves(self, triple):
        """(refined class, next triple, what the name left ends with: its subtree or Arity, or
        None, the kind of value that name is or None when no name is left) of every transition,
        live or not."""
        s, p, node = triple
        base = self.base
        depth = base.labels.get(s)
        if node is UNORDERED:  # after an operand `<` may not follow (until something else does)
            roles = base.roles
            for cid, t in base.trans[s].items():
                if roles.get(t) == "opt=":
                    continue
                nxt = (t, None, UNORDERED) if roles.get(t) == "after" else self._enter(t, None, None)
                for r in self._of_base[cid]:
                    yield from self._first(r, nxt)
            return
        if node is MUST_COMPARE or node is MUST_COMPARE_OWING:  # whitespace, then `==`, `!=`, `<`, `<=`, `>`, `>=`
            for cid, t in base.trans[s].items():
                nxt = self._compared(s, t, cid, None, node)
                if nxt is not None:
                    for r in self._of_base[cid]:
                        if nxt[2] is node or (self._char[r] or "") in "=!<>":
                            yield from self._first(r, nxt)
            return
        if isinstance(node, NamedIndex):  # as NO_NUMBER, a quoted literal reading `node.names`
            for cid, t in base.trans[s].items():
                if base.roles.get(t) == "num":
                    continue
                nxt = (t, None, node) if t == s else (t, Names.START, node.names) \
                    if base.labels.get(t) == QUOTED else self._enter(t, None, None)
                for r in self._of_base[cid]:
                    yield from self._first(r, nxt)
            return
        if node is NO_NUMBER:  # an operand that may not be a number begins
            for cid, t in base.trans[s].items():
                if base.roles.get(t) != "num":
                    for r in self._of_base[cid]:
                        yield from self._first(r, self._enter(t, None, None))
            return
        if isinstance(node, (LiteralArg, LiteralIn, IndexOf)):
            yield from self._literal_moves(triple)
            return
        if isinstance(node, NoLiteral):  # up to the first operand, which is no literal
            roles = base.roles
            text = roles.get(s) in operand_kinds.OPENED
            negates = not text and "bool" in node.want  # `!` makes a bool of any operand
            for cid, t in base.trans[s].items():
                role = roles.get(t)
                if role in ("num", "str"):
                    continue
                if t == s or (text and role in ("operand", *operand_kinds.OPENED)):
                    nxt = (t, None, node)
                else:
                    nxt = self._enter(t, None, None)
                for r in self._of_base[cid]:
                    yield from self._first(r, (t, None, None) if negates and self._char[r] == "!" else nxt)
            return
        for cid, t in base.trans[s].items():
            if depth is None:
                nxt = self._enter(t, None, None)
                for r in self._of_base[cid]:
                    yield from self._first(r, nxt)
                continue
            same = base.labels.get(t) == depth
            for r in self._of_base[cid]:
                c = self._char[r]
                if same and c is not None and (c in NAME_CHARS or depth == QUOTED):  # a name character
                    if node is None:
                        yield r, (t, "", None), None, None
                    elif depth == QUOTED and c in string.ascii_uppercase and node.excluded is None:
                        continue  # actionlint compares a quoted name with the lower-cased properties
                    else:
                        q = node.advance(p, c)
                        if q is not None:
                            yield r, _slot(t, q, node), None, None
                    continue
                if same:  # a class of several characters inside a quoted name: no known name's
                    if node is None:
                        yield r, (t, p, node), None, None
                    continue
                if depth == QUOTED:  # the closing quote: a whole name, read as a string literal
                    if node is None:
                        yield from self._first(r, self._enter(t, depth, None))
                    else:
                        ok, child = node.exit(p, c)  # what the index gives: the named property's kind
                        if ok and (node.finals is None or fits_kind(kind_of(child), node.finals)):
                            yield from self._first(r, self._enter(t, depth, None), child, kind_of(child))
                    continue
                if node is None:
                    yield from self._first(r, self._enter(t, depth, None), None, "any")
                    continue
                ok, child = node.exit(p, c if c is not None else "\x00")
                if ok and c == "[" and isinstance(child, Names) and not child.indexed:
                    continue
                if ok:
                    nxt, kind = self._enter(t, depth, child), kind_of(child)
                    if kind in ("object", "record") and c == "[":  # an object's index: never a number
                        known = isinstance(child, Names) and child.excluded is None
                        nxt = (t, None, IndexOf(child.without("*")) if known else
                               NamedIndex(child) if isinstance(child, Names) and child.refused else NO_NUMBER)
                    elif c == "(" and isinstance(child, Arity) and child.literal is not None:
                        nxt = (t, None, LiteralArg(child.literal))
                    if _must_compare(node, child, kind) and (c is None or c not in ".["):
                        nxt = self._compared(s, t, None, c, MUST_COMPARE if "bool" in node.finals else MUST_COMPARE_OWING)
                        if nxt is None:
                            continue
                    if kind not in ORDERED and nxt[1] is None:  # no `<` after a bool, null or object
                        role = base.roles.get(t)
                        if role == "opt=":
                            continue
                        if role == "after":
                            nxt = (t, None, UNORDERED)
                    yield from self._first(r, nxt, child, kind)

    def _first(self, r: int, triple, child=None, kind=None):
        """`triple` entered on class `r`: a slot entered on a name character starts with it."""
        t, p, node = triple
        c = self._char[r]
        if p is None or c is None or c not in NAME_CHARS:
            yield r, triple, child, kind
        elif node is None:
            yield r, triple, child, kind
        else:
            q = node.advance(p, c)
            if q is not None:
                yield r, _slot(t, q, node), child, kind

    def _blank(self, r: int) -> bool:
        """Is refined class `r` whitespace?"""
        hit = self._blanks.get(r)
        if hit is None:
            hit = self._blanks[r] = all(a == b and chr(a) in WS for a, b in self.class_ranges[r])
        return hit

    def _calls_after(self, calls: tuple, s: int, t: int, c, child, blank: bool = False):
        """The open calls after base move `s` -> `t` on character `c` (None: not a name or
        punctuation character; `blank`: whitespace), or None when the move breaks a call's
        arity. A call is (depth inside it, Arity, arguments begun); only the innermost one
        reads characters, at its own depth."""
        depths = self.base.depths
        ds = depths.get(s)
        if calls and calls[-1][1].untyped is not None and ds is not None and ds >= calls[-1][0] \
                and not blank and not (c == ")" and depths.get(t) == ds - 1):
            inner, arity, k = calls[-1]  # the literal goes on: the argument is not it alone
            calls = calls[:-1] + ((inner, arity.untyped, k),)
        if calls and ds == calls[-1][0]:
            inner, arity, k = calls[-1]
            dt = depths.get(t)
            if c == "," and dt == ds:
                if not arity.may_add(k):
                    return None
                calls = calls[:-1] + ((inner, arity, arity.fold(k + 1)),)
            elif c == ")" and dt == ds - 1:
                if not arity.may_close(k):
                    return None
                calls = calls[:-1]
            elif k == 0:  # the first argument begins
                if not arity.may_add(0):
                    return None
                calls = calls[:-1] + ((inner, arity, 1),)
        if isinstance(child, Arity) and ds is not None and depths.get(t) == ds + 1:
            calls = calls + ((ds + 1, child, 0),)
        return calls

    def _typed_call(self, calls: tuple, s: int, kind: str) -> tuple:
        """`calls` with the innermost one typed `kind` when the literal that ends at state `s`
        (after its closing quote) begins its first argument, in parentheses or not (only `)`
        and whitespace may follow it then: `_calls_after`)."""
        if not calls or self.base.depths.get(s, -1) < calls[-1][0]:
            return calls
        inner, arity, k = calls[-1]
        if arity.literal is None or k != 1 or arity.untyped is not None:
            return calls
        return calls[:-1] + ((inner, arity.typed(kind), k),)

    def _triple_dist(self, triple) -> int:
        s, p, node = triple
        if node is UNORDERED:
            return self._unordered_dist(s)
        if node is NO_NUMBER:
            return self._no_number_dist(s)
        if isinstance(node, NamedIndex):
            return self._named_index_dist(triple)
        if node is MUST_COMPARE_OWING:
            return self._must_compare_dist(s) + 3
        if node is MUST_COMPARE:
            return self._must_compare_dist(s)
        if isinstance(node, IndexOf):
            return self._index_dist(triple)
        if isinstance(node, (LiteralArg, LiteralIn)):
            return self._literal_dist(triple)
        if isinstance(node, NoLiteral):
            return self._no_literal_dist(triple)
        if p is None:
            return self._d0[s]
        if s in self.base.accept and (node is None or node.exit(p, "\x00")[0]):
            return 0  # a bare condition may end on a name
        if node is None:
            return _free_slot_distance(self.base, self._d0, s)
        hit = self._dist.get(triple)
        if hit is not None:
            return hit
        self._dist[triple] = INF  # guards a cycle (none: prefixes grow, depths deepen)
        best = INF
        for _, nxt, child, kind in self._moves(triple):
            # the call this name opens, and the term it owes (`names.owes`: its `&&0`), or the
            # term a comparison typed right after the name owes (MUST_COMPARE_OWING's, when
            # whitespace comes first)
            if isinstance(child, Arity):
                opened = child.extra(0) + (3 if owes(child.returns, node.finals) else 0)
            else:
                opened = 3 if nxt[2] is None and _must_compare(node, child, kind) and owes("bool", node.finals) else 0
            best = min(best, 1 + opened + self._triple_dist(nxt))
        self._dist[triple] = best
        return best

    def _unordered_dist(self, s: int) -> int:
        """Distance from non-slot state `s` after an operand that `<` may not follow: through
        whitespace (which keeps that), then out by any move but `<`/`>` to a state `_d0`
        measures (the shortest way out never needs an ordering operator later)."""
        cache = self.base.__dict__.setdefault("_unordered", {})
        hit = cache.get(s)
        if hit is not None:
            return hit
        base, roles = self.base, self.base.roles
        best, seen, heap = INF, {s: 0}, [(0, s)]
        while heap:
            k, u = heapq.heappop(heap)
            if k > seen[u] or k >= best:
                continue
            if u in base.accept:
                best = k
                continue
            for t in base.trans[u].values():
                role = roles.get(t)
                if role == "opt=":
                    continue
                if role == "after":
                    if k + 1 < seen.get(t, INF):
                        seen[t] = k + 1
                        heapq.heappush(heap, (k + 1, t))
                elif self._d0[t] < INF:
                    best = min(best, k + 1 + self._d0[t])
        cache[s] = best
        return best

    def _no_literal_dist(self, triple) -> int:
        """Distance from a NoLiteral triple: at the operand, through the shortest name of the
        root whose chain may end in a kind wanted (a group is never shorter than what it
        holds); before it (text states), through the moves that lead there."""
        cache = self.__dict__.setdefault("_no_literal", {})
        hit = cache.get(triple)
        if hit is not None:
            return hit
        s, _, node = triple
        if s in self.base.accept:  # text that needs no expression (a template alone)
            cache[triple] = 0
            return 0
        cache[triple] = INF  # guards a cycle of text states (the shortest way never takes one)
        operand = self.base.roles.get(s) not in operand_kinds.OPENED
        best = INF
        for r, nxt, _, _ in self._moves(triple):
            if operand and self._char[r] == "!" and "bool" in node.want:
                best = min(best, 1 + self._d0[nxt[0]])  # a negation: then any operand
                continue
            if nxt == triple or (operand and nxt[1] is None):
                continue  # whitespace; a group
            if operand:
                nxt = self._narrowed_entry(nxt, self._char[r], node.want)
                if nxt is None:
                    continue
            best = min(best, 1 + self._triple_dist(nxt))
        cache[triple] = best
        return best

    def _compared(self, s: int, t: int, cid, c=None, marker=MUST_COMPARE):
        """The triple after base move `s` -> `t` where a comparison must follow an operand:
        still owed through whitespace (same bracket depth), met by a comparison operator's first
        character (`c`, or any of class `cid`'s: the caller checks each), else None."""
        role, depths = self.base.roles.get(t), self.base.depths
        if role == "after" and depths.get(t) == depths.get(s) and (c is None or c not in ")]"):
            return (t, None, marker)
        if role == "opt=" or role == "op":
            return self._enter(t, None, None) if c is None or c in "=!<>" else None
        return None

    def _must_compare_dist(self, s: int) -> int:
        """Distance from non-slot state `s` where a comparison must follow: through whitespace,
        then a comparison operator's first character to a state `_d0` measures."""
        cache = self.base.__dict__.setdefault("_must_compare", {})
        hit = cache.get(s)
        if hit is None:
            cache[s] = INF  # guards the whitespace cycle (never shorter)
            best = INF
            for cid, t in self.base.trans[s].items():
                nxt = self._compared(s, t, cid)
                if nxt is None:
                    continue
                if nxt[2] is MUST_COMPARE:
                    best = min(best, 1 + self._must_compare_dist(t)) if t != s else best
                elif any((self._char[r] or "") in "=!<>" for r in self._of_base[cid]):
                    best = min(best, 1 + self._d0[t])
            hit = cache[s] = best
        return hit

    def _no_number_moves(self, s: int) -> list[int]:
        """The base moves out of operand state `s` that begin an operand other than a number:
        not whitespace or `!` (they stay, or `!` is refused where no bool may be), nor a group
        (no shorter than what it holds)."""
        base, depth = self.base, self.base.depths.get(s)
        return [t for t in base.trans[s].values()
                if t != s and base.roles.get(t) not in ("num", "operand") and not base.depths.get(t, 0) > depth]

    def _no_number_dist(self, s: int) -> int:
        """Distance from operand state `s` where the operand may not be a number literal: by
        `_no_number_moves` to a state `_d0` measures, or a quoted name (free: any name)."""
        cache = self.base.__dict__.setdefault("_no_number", {})
        hit = cache.get(s)
        if hit is None:
            hit = cache[s] = self._no_number_through(s, None)
        return hit

    def _named_index_dist(self, triple) -> int:
        """Distance from a NamedIndex triple: as `_no_number_dist`, a quoted name read under the
        names it reads."""
        hit = self._dist.get(triple)
        if hit is None:
            hit = self._dist[triple] = self._no_number_through(triple[0], triple[2].names)
        return hit

    def _no_number_through(self, s: int, names) -> int:
        labels = self.base.labels
        return min((1 + (self._triple_dist((t, Names.START, names) if names is not None else self._enter(t, None, None))
                         if labels.get(t) == QUOTED else self._d0[t])
                    for t in self._no_number_moves(s)), default=INF)

    def _quad_dist(self, quad) -> int:
        """The triple's distance plus what each open call still needs: the shortest way out
        closes brackets as soon as it can, and an argument fits wherever `)` does. Operand
        kinds (`operand_kinds`) only ever refuse moves the shortest way out does not take,
        narrow a slot's names (which the triple holds), or owe a term before a bracket closes
        (`owed_extra`)."""
        d = self._triple_dist(quad[:3])
        if d >= INF:
            return INF
        return d + sum(arity.extra(k) for _, arity, k in quad[3]) + operand_kinds.owed_extra(quad[4])

    def _row(self, i: int) -> dict:
        quad = self._triples[i]
        triple, calls, ops = quad[:3], quad[3], quad[4]
        if triple[1] is None:
            moves = [m for m in self._moves(triple) if self._triple_dist(m[1]) < INF]
        else:
            moves = self._slot_rows.get(triple)  # a slot's moves, like its distance, are shared
            if moves is None:
                moves = self._slot_rows[triple] = [m for m in self._moves(triple) if self._triple_dist(m[1]) < INF]
        row = {}
        for r, nxt, child, kind in moves:
            c = self._char[r]
            before = calls
            if isinstance(child, JsonKind):  # out of a literal: it may be the call's whole argument
                before, child = self._typed_call(calls, triple[0], child.kind), None
            after = self._calls_after(before, triple[0], nxt[0], c, child, self._blank(r))
            if after is None:
                continue
            kinds = operand_kinds.after(self.base, ops, triple[0], nxt[0], c, kind, before, after,
                                        element_kind(child) if kind is not None else None)
            if kinds is None:
                continue
            want = ops[-1][4] if ops else None
            if want is not None and triple[1] is None and nxt[1] is not None and self.base.labels.get(nxt[0]) == 0:
                nxt = self._narrowed_entry(nxt, c, want)  # the operand's names end in a kind it may be
                if nxt is None:
                    continue
            elif nxt[1] is None and nxt[2] is None and kinds and kinds[-1][4] is not None \
                    and "number" not in kinds[-1][4] and self.base.roles.get(nxt[0]) in ("operand", "ioperand"):
                # after a group or call (a name's index: `_moves`)
                nxt = (nxt[0], None, NO_NUMBER if "string" in kinds[-1][4] else NoLiteral(kinds[-1][4]))
            row[r] = self._id(nxt + (after, kinds))
        return row

    def _narrowed_entry(self, nxt, c, want):
        """Depth-0 slot entry `nxt` (on character `c`) with the root's names ending only in
        kinds `want`."""
        if self.root is None:  # names free: of any kind
            return nxt
        root = self.root.with_finals(want, operand_kinds.compared(want))
        t = nxt[0]
        if nxt[1] == Names.START:
            triple = (t, Names.START, root)
        else:
            q = root.advance(Names.START, c)
            if q is None:
                return None
            triple = _slot(t, q, root)
        return triple if self._triple_dist(triple) < INF else None

    def class_of(self, cp: int) -> int | None:
        if cp in self._single_class:
            return self._single_class[cp]
        cid = self.base.class_of(cp)
        return None if cid is None else self._rest_class[cid]

    def distances(self):
        return _Dist(self)


def _must_compare(node, child, kind) -> bool:
    """Must a comparison follow a name of `kind` (subtree `child`) that slot node `node` lets
    end only so (`Names.compared`)?"""
    return isinstance(node, Names) and node.finals is not None and isinstance(child, Names) \
        and not fits_kind(kind, node.finals)


def _slot(t: int, prefix: str, node: Names) -> tuple:
    """The triple of slot state `t` with `prefix` read under `node`: a free slot once every
    name the prefix can become is allowed."""
    sub = node.narrow(prefix)
    if sub is None:
        return (t, "", None)
    if sub.excluded == frozenset() and not sub.children:  # any name will do: the prefix read no longer matters
        return (t, "_", sub)
    return (t, prefix, sub)


def _refined_classes(base: CharDFA) -> tuple:
    """The base's classes with every ASCII name or punctuation character on its own (slots read
    names, and check the character that ends them, one by one); cached on the base automaton."""
    hit = base.__dict__.get("_slot_classes")
    if hit is not None:
        return hit
    singles = sorted(ord(c) for c in string.ascii_letters + string.digits + string.punctuation)
    ranges, of_base, chars, single_class, rest_class = [], [], [], {}, {}
    for cid, rs in enumerate(base.class_ranges):
        rest, mine = [], []
        for a, b in rs:
            lo = a
            for cp in (cp for cp in singles if a <= cp <= b):
                if lo < cp:
                    rest.append((lo, cp - 1))
                single_class[cp] = len(ranges)
                mine.append(len(ranges))
                ranges.append([(cp, cp)])
                chars.append(chr(cp))
                lo = cp + 1
            if lo <= b:
                rest.append((lo, b))
        if rest:
            rest_class[cid] = len(ranges)
            mine.append(len(ranges))
            ranges.append(_merge(rest))
            chars.append(None)
        of_base.append(mine)
    hit = base._slot_classes = (ranges, [_sample(r) for r in ranges], of_base, chars, single_class, rest_class)
    return hit


def _slots_never_reenter(base: CharDFA) -> bool:
    """True when no slot state moves straight into a depth-0 slot state of another label or
    state (then no slot's future reads the root names); cached on the base automaton."""
    hit = base.__dict__.get("_never_reenter")
    if hit is None:
        labels = base.labels
        hit = base._never_reenter = not any(
            labels.get(t) == 0 and labels.get(s) is not None and (labels[s] != 0)
            for s in labels for t in base.trans[s].values())
    return hit


def _slot_free_distances(base: CharDFA) -> list[int]:
    """Shortest code points from each base state to acceptance without entering a slot (INF
    for slot states themselves); cached on the base automaton."""
    hit = base.__dict__.get("_slot_free")
    if hit is not None:
        return hit
    n = len(base.trans)
    back: list[list[int]] = [[] for _ in range(n)]
    for s, row in enumerate(base.trans):
        if s not in base.labels:
            for t in row.values():
                back[t].append(s)
    dist = [INF] * n
    frontier = [s for s in base.accept if s not in base.labels]
    for s in frontier:
        dist[s] = 0
    d = 0
    while frontier:
        d += 1
        nxt = []
        for t in frontier:
            for s in back[t]:
                if dist[s] == INF:
                    dist[s] = d
                    nxt.append(s)
        frontier = nxt
    base._slot_free = dist
    return dist


def _free_slot_distance(base: CharDFA, d0: list[int], s: int) -> int:
    """Distance from slot state `s` when every name is allowed: through slot states (the
    chain below a free name is free too), then out to a state `d0` measures."""
    cache = base.__dict__.setdefault("_free_slot", {})
    hit = cache.get(s)
    if hit is not None:
        return hit
    best, seen, heap = INF, {s: 0}, [(0, s)]
    while heap:
        k, u = heapq.heappop(heap)
        if k > seen[u] or k >= best:
            continue
        if u in base.accept:  # a bare condition may end on a name
            best = k
            continue
        for t in base.trans[u].values():
            if t in base.labels:
                if k + 1 < seen.get(t, INF):
                    seen[t] = k + 1
                    heapq.heappush(heap, (k + 1, t))
            elif d0[t] < INF:
                best = min(best, k + 1 + d0[t])
    cache[s] = best
    return best


class _Rows:
    """`trans` of a SlotDFA: rows built on first access."""

    def __init__(self, d: SlotDFA):
        self.d, self.rows = d, []

    def __getitem__(self, i: int) -> dict:
        while len(self.rows) <= i:
            self.rows.append(None)
        row = self.rows[i]
        if row is None:
            row = self.rows[i] = self.d._row(i)
        return row

    def __len__(self) -> int:  # a bound on the states (shortest_string's search limit)
        return len(self.d.base.trans) * 64


class _Dist:
    def __init__(self, d: SlotDFA):
        self.d = d

    def __getitem__(self, i: int) -> int:
        return self.d._quad_dist(self.d._triples[i])


class _Accept:
    def __init__(self, d: SlotDFA):
        self.d = d

    def __contains__(self, i) -> bool:
        if i is None:
            return False
        s, p, node, calls, _ = self.d._triples[i]
        return not calls and s in self.d.base.accept and (p is None or node is None or node.exit(p, "\x00")[0])


class _Live:
    def __init__(self, d: SlotDFA):
        self.d = d

    def __contains__(self, i) -> bool:
        return i is not None and self.d._quad_dist(self.d._triples[i]) < INF
