"""The decision machine: a stack of frames walking the compiled schema one symbol at a time.

Symbols are shared by every state: the 256 byte values (string and number text, UTF-8), END
(ends a string or number), CLOSE (ends an object or array), ITEM (another array item), FREEKEY
(a key outside the declared ones, spelled byte by byte), OWED (the next item is one the array
still owes: a `contains` witness or a copy of the first item), and the ids of the meaning
table (a declared key, a literal value, a branch kind: see meanings.py). A value position
offers its literal values directly, next to its other branches. `allowed()` lists the legal
symbols of the top frame; every legal symbol leads to a state from which a valid document can
still be finished, so a walk can never get stuck. The shortest completion lives in
completion.py, whole plain strings at once in string_runs.py, what a value excluded by
uniqueItems may still become in exclusions.py (all mixed into `Machine`).
"""

from __future__ import annotations

import json
from dataclasses import replace

from tct.codec.completion import Completion
from tct.codec.exclusions import Exclusions
from tct.codec.narrowing import Narrowing
from tct.codec.meanings import CLOSE, END, FREEKEY, ITEM, OWED, Meanings, value_text
from tct.codec.string_runs import StringRuns
from tct.schema.compiler import INF, Branch, Compiler, json_type, shortest_string
from tct.schema.facts import StringFacts
from tct.schema.name_slots import SlotDFA
from tct.schema.numbers import NumberSpec, fraction_of
from tct.schema.values import canonical


def json_pointer(path: tuple) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


class Frame:
    __slots__ = ("kind", "path", "conj", "branch", "state", "pending", "text", "used", "items",
                 "values", "key", "excluded", "role", "nfree", "spec", "tag", "cost", "fkey", "rkey", "facts",
                 "memo", "opts", "rest")

    def __init__(self, kind, path, **kw):
        self.kind, self.path = kind, path
        self.conj = self.branch = self.key = None
        self.state, self.pending, self.text = 0, b"", ""
        self.used, self.items, self.values = (), None, None
        self.excluded, self.role, self.nfree, self.spec = frozenset(), "value", 0, None
        self.tag = None  # a profile rule's marker (profiles/rule.py), from the frame's path
        self.facts = None  # a string's facts under a rule's language (Rule.language), or None
        self.memo = None  # a rule's summary of the content so far, (size, value): content only grows
        self.changed()
        for k, v in kw.items():
            setattr(self, k, v)

    def changed(self) -> None:
        """Forget what is cached on the frame; called at every change of its content or state."""
        # (child_open, completion cost) and (content, frame_key) once computed
        self.cost = self.fkey = None
        # (rule key,): a rule's key reads the frame and its ancestors, which do not change while
        # it is open (only the top frame changes), so it is kept until the frame itself changes
        self.rkey = None
        # (tag, options()): the legal symbols, asked several times per step by the encoder and
        # decoder; kept with the tag a joint rule may swap for a moment (profiles/profile.py)
        self.opts = None
        self.rest = None  # (tag, the string's shortest completion): completion.py

    def copy(self) -> "Frame":
        f = Frame.__new__(Frame)
        f.kind, f.path, f.conj, f.branch, f.state = self.kind, self.path, self.conj, self.branch, self.state
        f.pending, f.text, f.used, f.key, f.excluded = self.pending, self.text, self.used, self.key, self.excluded
        f.role, f.nfree, f.spec, f.cost, f.fkey = self.role, self.nfree, self.spec, self.cost, self.fkey
        f.rkey, f.opts, f.rest = self.rkey, None, None  # copies are often changed in place (probes)
        f.tag, f.facts, f.memo = self.tag, self.facts, self.memo
        f.items = None if self.items is None else list(self.items)
        f.values = None if self.values is None else dict(self.values)
        return f


class Machine(Completion, Exclusions, Narrowing, StringRuns):
    """Incremental state of one document; `result` holds the value once the stack is empty."""

    def __init__(self, compiler: Compiler, meanings: Meanings, conj=None, cache: dict | None = None, rules=None):
        """`rules`: a profile's dynamic rules (profiles/profile.py `Rules`), or None."""
        self.c = compiler
        self.meanings = meanings
        self.cache = {} if cache is None else cache
        self.rules = rules
        self.stack: list[Frame] = [Frame("value", (), conj=compiler.root if conj is None else conj,
                                         tag=self._tag((), "value"))]
        self.result = None
        self.done = False

    def copy(self, shared_below: int = 0) -> "Machine":
        """`shared_below`: frames under this index are shared, not copied (the caller promises
        not to step into them)."""
        m = Machine.__new__(Machine)
        m.c, m.meanings, m.cache, m.result, m.done = self.c, self.meanings, self.cache, self.result, self.done
        m.rules = self.rules
        m.stack = self.stack[:shared_below] + [f.copy() for f in self.stack[shared_below:]]
        return m

    # ------------------------------------------------------------ legal symbols
    def state_key(self):
        """Hashable summary of everything `allowed()` depends on."""
        if self.done:
            return ("done",)
        f = self.stack[-1]
        if f.tag is not None:
            return self._state_key(f) + (f.tag, self.rule_key(f))
        return self._state_key(f)

    def rule_key(self, f: Frame):
        """`Rule.key` of tagged frame `f`, kept on the frame until it changes."""
        hit = f.rkey
        if hit is None:
            hit = f.rkey = (self.rules[f.tag].key(self, f),)
        return hit[0]

    def _tag(self, path: tuple, role: str):
        return None if self.rules is None else self.rules.tag(path, role)

    def _state_key(self, f: Frame):
        k = f.kind
        if k == "value":
            return ("V", f.conj, f.excluded)
        if k == "object":
            if f.excluded:  # uniqueItems: closing may depend on the content so far
                return ("O", f.branch.key, tuple(f.used), f.nfree, f.excluded, canonical(f.values))
            o = f.branch.obj
            fk = o.free_keys
            # Closing, or whether another free key can still be spelled, may depend on which
            # free keys were written (when they are few, e.g. a handful of patterned names).
            if o.need_extra or (f.nfree and fk is not None and fk.dfa.count_capped(fk.dfa.start, 64) < 64):
                return ("O", f.branch.key, frozenset(f.used), f.nfree, frozenset(f.values))
            return ("O", f.branch.key, frozenset(f.used), f.nfree)
        if k == "array":
            a = f.branch.arr
            if a.contains or a.need_dup:
                return ("A", f.branch.key, len(f.items), self._witnesses(f), f.excluded,
                        canonical(f.items) if (f.excluded or a.unique or a.need_dup) else None)
            if f.excluded or a.unique:
                return ("A", f.branch.key, f.excluded, canonical(f.items))
            cap = max(a.tuple_length, a.min_items, a.max_items or 0) + 1
            return ("A", f.branch.key, min(len(f.items), cap))
        if k == "string":
            facts = self._string_facts(f)
            ahead = self._exclusions_ahead(f, facts)
            if ahead:  # then the answer depends on them (not on the text: only what follows it)
                return ("S", id(facts), f.state, f.pending, ahead)
            return ("S", id(facts), f.state, f.pending)
        if k == "number":
            return ("N", f.spec, f.text)
        raise AssertionError(k)

    def frame_key(self, i: int, with_key_text: bool = True, content: bool | None = None):
        """Hashable summary of everything of frame `i` that symbols applied from here can
        observe once it is the top frame again (its legal symbols, its transitions, and what it
        delivers to a parent that depends on content). Refines `state_key` for the top frame;
        merged ids cache their legality, and ids their change in completion cost, on the keys
        of the frames they can reach. `content`: `content_flags()[i]`, when the caller has it."""
        f = self.stack[i]
        if content is None:
            content = any(self._content_sensitive(g) for g in self.stack[:i])
        if f.role == "key":  # always on top, changing at every byte
            key = self._frame_key(f, with_key_text, content)
        else:
            hit = f.fkey
            if hit is None or hit[0] != content:
                hit = f.fkey = (content, self._frame_key(f, True, content))
            key = hit[1]
        return key if f.tag is None else key + (f.tag, self.rule_key(f))

    def _frame_key(self, f: Frame, with_key_text: bool, content: bool):
        k = f.kind
        if k == "value":
            return ("V", f.conj, f.excluded)
        if k == "object":
            whole = canonical(f.values) if (content or f.excluded) else None
            return ("O", f.branch.key, frozenset(f.used), f.nfree, frozenset(f.values), f.key, f.excluded, whole)
        if k == "array":
            a = f.branch.arr
            if content or self._content_sensitive(f):
                return ("A", f.branch.key, len(f.items), f.excluded, canonical(f.items))
            cap = max(a.tuple_length, a.min_items, a.max_items or 0) + 1
            return ("A", f.branch.key, min(len(f.items), cap))
        if k == "string":
            facts = self._string_facts(f)
            # A key's text reaches its parent only when END pops into it: callers that stop
            # before such pops (merged_mask's level 0) may leave it out.
            ahead = self._exclusions_ahead(f, facts)
            text = f.text if (content or (f.role == "key" and with_key_text)) else None
            return ("S", id(facts), f.role, f.state, f.pending, ahead, text)
        if k == "number":
            return ("N", f.spec, f.text)
        raise AssertionError(k)

    def content_flags(self) -> list[bool]:
        """Per frame: does some container below it depend on the content of the values it gets?"""
        out, seen = [], False
        for f in self.stack:
            out.append(seen)
            seen = seen or self._content_sensitive(f)
        return out

    @staticmethod
    def _content_sensitive(f: Frame) -> bool:
        """Does this container's future depend on the content of the values it receives?"""
        if f.kind == "array":
            a = f.branch.arr
            return bool(f.excluded or a.unique or a.contains or a.need_dup)
        return f.kind == "object" and bool(f.excluded)

    def pops(self, sym: int) -> bool:
        """Does applying `sym` (allowed here) finish the top frame and hand its value down?"""
        f = self.stack[-1]
        if f.kind == "value":
            return self.choices(f.conj)[0][sym][0].kind == "literal"
        return sym == (CLOSE if f.kind in ("object", "array") else END)

    def allowed(self) -> tuple:
        return self.options()[0]

    # States seen, at most this many (then forgotten at once): walks over merged ids visit many
    # states per generated id, and under a profile that reads the document few of them recur.
    OPTIONS_LIMIT = 1 << 17

    def options(self) -> tuple[tuple, frozenset]:
        """(legal symbols in order, the same as a set), cached per state."""
        if self.done:
            return (), frozenset()
        f = self.stack[-1]
        memo = f.opts
        if memo is not None and memo[0] is f.tag:
            return memo[1]
        cache = self.cache.get("options")
        if cache is None:
            cache = self.cache["options"] = {}
        key = self.state_key()
        hit = cache.get(key)
        if hit is None:
            if len(cache) >= self.OPTIONS_LIMIT:
                cache.clear()
            syms = tuple(self._allowed())
            hit = cache[key] = (syms, frozenset(syms))
        f.opts = (f.tag, hit)
        return hit

    def choices(self, conj) -> tuple[dict, dict]:
        """The options of a value position, cached per constraint: (id -> (branch, literal value
        or None) in the schema's order, json.dumps(literal value) -> id)."""
        key = ("C", conj)
        hit = self.cache.get(key)
        if hit is None:
            hit = self.cache[key] = self._choices(conj)
        return hit

    def _choices(self, conj) -> tuple[dict, dict]:
        m = self.meanings
        out, count, copies = {}, {}, []
        for b in self.c.branches(conj):
            if b.kind != "literal":
                n = count[b.kind] = count.get(b.kind, 0) + 1
                out[m.branch_id(b.kind, n)] = (b, None)
                continue
            for v in b.values:
                i = m.value_ids.get(value_text(v))
                if i is None:  # a value taken from the document: the copy `not uniqueItems` owes
                    copies.append((b, v))
                elif i not in out:  # the same value from two branches is the same choice
                    out[i] = (b, v)
        if len(copies) > len(m.copy_ids):
            m.value_id(copies[len(m.copy_ids)][1])  # raises: this value has no id
        out.update(zip(m.copy_ids, copies))
        return out, {json.dumps(v): i for i, (b, v) in out.items() if b.kind == "literal"}

    def _allowed(self):
        if self.done:
            return []
        f = self.stack[-1]
        c = self.c
        if f.kind == "value":
            options, ex = self.choices(f.conj)[0], f.excluded
            refused = keys = frozenset()
            if f.tag is not None:
                refused, keys = self.rules[f.tag].refused_kinds(self, f), self.rules[f.tag].refused_branches(self, f)
            if refused or keys:
                options = {s: o for s, o in options.items() if o[0].kind not in refused
                           and not (keys and o[0].kind == "object" and o[0].obj.required & keys)}
            if not ex:
                return list(options)
            return [s for s, (b, v) in options.items()
                    if (canonical(v) not in ex if b.kind == "literal" else self._open(b, ex))]
        if f.kind == "object":
            o = f.branch.obj
            used = frozenset(f.used)
            out = []
            if o.required <= used and o.closure(used) == used and len(used) + f.nfree >= o.min_props \
                    and not o.unmet_extra(f.values) \
                    and (not f.excluded or canonical(f.values) not in f.excluded) \
                    and (f.tag is None or self.rules[f.tag].may_close(self, f)):
                out.append(CLOSE)
            room = o.max_props is None or len(used) + f.nfree < o.max_props
            if room:
                withdrawn = frozenset() if f.tag is None else self.rules[f.tag].withdrawn_keys(self, f)
                members = self._member_values(f) if f.excluded else None
                for k in o.names:
                    if members is not None and k not in members:
                        continue  # every object it could become with `k` is excluded
                    if k not in used and k not in withdrawn and c.key_ok(o, k) and o.can_finish(used | {k}, f.nfree):
                        out.append(self.meanings.key_id(k))
                fk = self._key_facts(f)
                if fk is not None and o.can_finish(used, f.nfree + 1) and \
                        shortest_string(fk.dfa, fk.dfa.start, "", fk.excluded | frozenset(f.values)) is not None:
                    out.append(FREEKEY)
            return sorted(out)
        if f.kind == "array":
            a = f.branch.arr
            out = []
            n = len(f.items)
            owed = self._owed(f)
            first_of_pair = a.need_dup and n == 0  # "some two items are equal" needs two
            if n >= a.min_items and not owed and not first_of_pair \
                    and (not f.excluded or canonical(f.items) not in f.excluded) \
                    and (f.tag is None or self.rules[f.tag].may_close(self, f)):
                out.append(CLOSE)
            slots = None if a.length_cap is None else a.length_cap - n
            excl = self._used_items(f) if a.unique else frozenset()
            if f.excluded and not self._grows_unexcluded(f):
                return out  # every longer array it can become is excluded (an item of a uniqueItems array)
            # ITEM: any item (room must stay for the items still owed); OWED: the first owed
            # item (a witness of an unmet `contains`, or a copy of the first item).
            for sym, extra, room in ((ITEM, (), len(owed) + first_of_pair), (OWED, owed[:1], 0)):
                if (sym == OWED and not owed) or (slots is not None and slots <= room):
                    continue
                conj = a.item_conj(n, self._item_extra(f) + tuple(extra))
                if conj is not None and c.cost_conj(conj) < INF and any(self._open(b, excl) for b in c.branches(conj)):
                    out.append(sym)
            return out
        if f.kind == "string":
            return self._string_allowed(f)
        if f.kind == "number":
            spec: NumberSpec = f.spec
            out = [ord(ch) for ch in spec.next_chars(f.text)]
            if spec.complete_text(f.text):
                out.append(END)
            return sorted(out)
        raise AssertionError(f.kind)

    def _witnesses(self, f: Frame) -> tuple:
        """How many items so far satisfy each `contains` (jsonschema's verdict)."""
        return tuple(sum(self.c.oracle_valid(frozenset({lit}), v) for v in f.items)
                     for lit, _, _ in f.branch.arr.contains)

    def _owed(self, f: Frame) -> list:
        """Literals of the items still owed: one per missing `contains` witness, and a copy of
        the first item while no two items are equal (`not uniqueItems`)."""
        a = f.branch.arr
        out = [lit for (lit, lo, _), w in zip(a.contains, self._witnesses(f)) for _ in range(lo - w)]
        if a.need_dup and f.items and len({canonical(v) for v in f.items}) == len(f.items):
            out.append(self.c.const_literal(f.items[0]))
        return out

    def _item_extra(self, f: Frame) -> tuple:
        """Items may no longer satisfy a `contains` that reached its maxContains."""
        return tuple((lit[0], not lit[1]) for (lit, _, hi), w in zip(f.branch.arr.contains, self._witnesses(f))
                     if hi is not None and w >= hi)

    def _key_probe(self, f: Frame) -> Frame | None:
        """The key frame a FREEKEY would push on object frame `f`, when a profile rule tags both
        (an untagged copy of `f` asks what the schema alone offers: `Narrowing`), else None."""
        if self.rules is None or f.tag is None:
            return None
        path = f.path + ("<key>",)
        tag = self._tag(path, "key")
        return None if tag is None else Frame("string", path, branch=f.branch, role="key", tag=tag,
                                              excluded=frozenset(f.values))

    def _key_facts(self, f: Frame):
        """The free keys object frame `f` may spell: the schema's, or a profile rule's language
        of them (`Rule.language` asked about the key frame; no name slots)."""
        fk = f.branch.obj.free_keys
        probe = None if fk is None else self._key_probe(f)
        lang = None if probe is None else self.rules[probe.tag].language(self, probe)
        return fk if lang is None else f.branch.obj.free_keys_matching(lang[0])

    @staticmethod
    def _string_facts(f: Frame):
        return f.facts or (f.branch.obj.free_keys if f.role == "key" else f.branch.string)

    @staticmethod
    def _live_exclusions(f: Frame, facts) -> frozenset:
        """Excluded strings the current text can still turn into (the only ones that matter)."""
        if not f.excluded and not facts.excluded:
            return frozenset()
        return frozenset(e for e in facts.excluded | f.excluded if e.startswith(f.text))

    @classmethod
    def _exclusions_ahead(cls, f: Frame, facts) -> frozenset:
        """What the text may not go on to spell (live exclusions less the text): all that the
        exclusions decide from here, so states that differ only in their text share it."""
        live = cls._live_exclusions(f, facts)
        return frozenset(e[len(f.text):] for e in live) if live else live

    def _key_fits(self, f: Frame, text: str) -> bool:
        """A free key may only end where its value can still be given (a guard: the key
        automaton already leaves out keys whose every value is refused)."""
        return f.role != "key" or self.c.key_ok(f.branch.obj, text)

    def _string_allowed(self, f: Frame):
        facts = self._string_facts(f)
        dfa = facts.dfa
        excluded = self._live_exclusions(f, facts)
        out = []
        if not excluded:
            out = dfa.allowed_bytes(f.state, f.pending)
            if not f.pending and f.state in dfa.accept and self._key_fits(f, f.text):
                out.append(END)
            return out
        cap = len(excluded) + 1
        if dfa.count_capped(f.state, cap) < cap:
            # Few strings left: list them and keep those not excluded.
            rest = [w for w in dfa.strings_from(f.state, cap) if f.text + w not in excluded]
            nxt = set()
            for w in rest:
                raw = w.encode()
                if raw.startswith(f.pending) or not f.pending:
                    if raw == b"" and not f.pending:
                        if self._key_fits(f, f.text):
                            nxt.add(END)
                    elif len(raw) > len(f.pending) and raw.startswith(f.pending):
                        nxt.add(raw[len(f.pending)])
            return sorted(nxt)
        n = len(f.text)
        bites = {e[n] for e in excluded if len(e) > n}  # the next characters exclusions spell
        for b in dfa.allowed_bytes(f.state, f.pending):
            if f.pending or b >= 0x80:
                out.append(b)  # multi-byte characters: the exclusion only bites near the end
                continue
            t = dfa.next_state(f.state, b)
            if t is None:
                continue
            c = chr(b)
            if c not in bites:  # no exclusion left after it: any live state will do
                if t in dfa.live:
                    out.append(b)
            elif shortest_string(dfa, t, f.text + c, excluded) is not None:
                out.append(b)
        if not f.pending and f.state in dfa.accept and f.text not in excluded and self._key_fits(f, f.text):
            out.append(END)
        return out

    # ------------------------------------------------------------ applying symbols
    def step(self, sym: int) -> None:
        """Apply a symbol the caller has checked is allowed."""
        f = self.stack[-1]
        f.changed()
        if f.kind == "value":
            b, v = self.choices(f.conj)[0][sym]
            if b.kind == "literal":
                self._deliver(v)
            else:
                self.stack[-1] = self._enter(b, f.path, f.excluded, f.tag)
            return
        if f.kind == "object":
            if sym == CLOSE:
                self._deliver(f.values)
            elif sym == FREEKEY:
                f.nfree += 1
                path = f.path + ("<key>",)
                g = Frame("string", path, branch=f.branch, role="key", excluded=frozenset(k for k in f.values),
                          tag=self._tag(path, "key"))
                facts = self._key_facts(f)
                if facts is not f.branch.obj.free_keys:  # a rule's language of the keys
                    g.facts = facts
                self.stack.append(g)
            else:
                key = self.meanings.key_names[sym]
                f.used = f.used + (key,)
                self._open_key(f, key)
            return
        if f.kind == "array":
            if sym == CLOSE:
                self._deliver(f.items)
            else:
                a = f.branch.arr
                excl = self._used_items(f) if a.unique else frozenset()
                if f.excluded:
                    excl = excl | self._last_item_excluded(f)
                extra = self._item_extra(f) + (tuple(self._owed(f)[:1]) if sym == OWED else ())
                self._push_value(f.path + (len(f.items),), a.item_conj(len(f.items), extra), excl)
            return
        if f.kind == "string":
            if sym == END:
                text = f.text
                self.stack.pop()
                if f.role == "key":
                    parent = self.stack[-1]
                    self._open_key(parent, text)
                else:
                    self._deliver_popped(text)
                return
            if sym < 0x80 and not f.pending:
                ch = chr(sym)
            else:
                pending = f.pending + bytes([sym])
                try:
                    ch = pending.decode("utf-8")
                except UnicodeDecodeError:
                    f.pending = pending
                    return
                f.pending = b""
            f.text += ch
            f.state = self._string_facts(f).dfa.next_state(f.state, ord(ch))
            return
        if f.kind == "number":
            if sym == END:
                self.stack.pop()
                self._deliver_popped(json.loads(f.text))
            else:
                f.text += chr(sym)
            return
        raise AssertionError(f.kind)

    def _open_key(self, f: Frame, key: str) -> None:
        f.key = key
        f.changed()
        excluded = frozenset()
        if f.excluded:
            members = self._member_values(f)
            excluded = members.get(key, frozenset()) if members is not None else self._last_value_excluded(f, key)
        self._push_value(f.path + (key,), f.branch.obj.key_conj(key), excluded)

    def _push_value(self, path, conj, excluded=frozenset()) -> None:
        """A key's value or an array item: a profile rule may take literals out of it
        (`Rule.excluded_values`)."""
        value = Frame("value", path, conj=conj, excluded=excluded, tag=self._tag(path, "value"))
        self.stack.append(value)
        if value.tag is not None:
            value.excluded = value.excluded | self.rules[value.tag].excluded_values(self, value)

    def _enter(self, b: Branch, path, excluded, tag=None) -> Frame:
        """Frame for a chosen branch; `excluded` holds canonical texts of values already used
        (uniqueItems), applied to the kinds that can enforce it while typing. The frame keeps
        the value frame's profile `tag`."""
        f = self._enter_kind(b, path, excluded)
        if tag is not None:
            f.tag = tag
            if f.kind == "string":
                rule = self.rules[tag]
                f.excluded = f.excluded | rule.excluded(self, self.stack[-1])
                lang = rule.language(self, self.stack[-1])
                if lang is not None:
                    f.facts = self._language_facts(b, *lang)
        return f

    def _language_facts(self, b: Branch, pattern, names):
        """The branch's string facts with `pattern` (or a tuple of patterns) conjoined and its
        name slots reading `names` (a `names.Names` tree); one object per (branch, pattern,
        names), so state keys can hold its id."""
        key = ("lang", b.key, pattern, names)
        hit = self.cache.get(key)
        if hit is None:
            patterns = pattern if isinstance(pattern, tuple) else (pattern,)
            base = self.c.string_facts(b.atoms | {("pattern", p, True) for p in patterns})
            hit = self.cache[key] = StringFacts(SlotDFA(base.dfa, names), base.excluded)
        return hit

    def _enter_kind(self, b: Branch, path, excluded) -> Frame:
        if b.kind in ("object", "array"):  # `not: {enum: [...]}` over objects and arrays
            excluded = excluded | frozenset(canonical(v) for a in b.atoms if a[0] == "not_enum"
                                            for v in map(json.loads, a[1]) if isinstance(v, (dict, list)))
        if b.kind == "object":
            return Frame("object", path, branch=b, values={}, excluded=excluded)
        if b.kind == "array":
            return Frame("array", path, branch=b, items=[], excluded=excluded)
        if b.kind == "string":
            ex = frozenset(json.loads(e) for e in excluded if e.startswith('"'))
            return Frame("string", path, branch=b, excluded=ex)
        if b.kind == "number":
            spec = b.number
            nums = [fraction_of(v) for v in map(json.loads, excluded) if json_type(v) in ("integer", "nonint")]
            if nums:
                spec = replace(spec, excluded=spec.excluded | frozenset(nums))
            return Frame("number", path, branch=b, spec=spec)
        raise AssertionError(b.kind)

    def _deliver(self, value) -> None:
        self.stack.pop()
        self._deliver_popped(value)

    def _deliver_popped(self, value) -> None:
        if not self.stack:
            self.result, self.done = value, True
            return
        parent = self.stack[-1]
        parent.changed()
        if parent.kind == "object":
            parent.values[parent.key] = value
            parent.key = None
        elif parent.kind == "array":
            parent.items.append(value)
        else:
            raise AssertionError(parent.kind)

    # ------------------------------------------------------------ views
    def path(self) -> str:
        return json_pointer(self.stack[-1].path) if self.stack else ""

    def describe(self) -> str:
        if self.done:
            return "document complete"
        f = self.stack[-1]
        what = {"value": "choose a value", "object": "next key or close",
                "array": "next item or close", "string": "string text", "number": "number text"}[f.kind]
        return f"{json_pointer(f.path) or '/'} ({what})"

    def rule_reason(self, f: Frame, text: str | None = None) -> str:
        """Why a profile rule refuses to close container frame `f` (text None) or string `text`."""
        if f.tag is None:
            return ""
        r = self.rules[f.tag]
        if text is None:
            return "" if r.may_close(self, f) else r.close_reason(self, f)
        return r.string_reason(self, f, text) if text in f.excluded or f.facts is not None else ""

    def withdrawn_reason(self, f: Frame, key: str) -> str:
        """Why a profile rule withdraws declared key `key` from object frame `f`, or ""."""
        if f.tag is None or key not in self.rules[f.tag].withdrawn_keys(self, f):
            return ""
        return self.rules[f.tag].string_reason(self, f, key)

    def key_rule_reason(self, f: Frame, key: str) -> str:
        """Why a profile rule refuses free key `key` in object frame `f` (on top), or ""."""
        probe = self._key_probe(f)
        return "" if probe is None else self.rules[probe.tag].string_reason(self, probe, key)

    def partial_text(self) -> str:
        """Minified JSON text of everything decided so far: a prefix of the final document, but
        for an open number, shown as typed (`-0.00` is written `-0.0` once it closes)."""
        if self.done:
            return _dump(self.result)
        out = []
        for i, f in enumerate(self.stack):
            last = i == len(self.stack) - 1
            if f.kind == "object":
                out.append("{")
                out.append(",".join(f"{_dump(k)}:{_dump(v)}" for k, v in f.values.items()))
                if f.key is not None:
                    out.append(("," if f.values else "") + _dump(f.key) + ":")
                elif not last and self.stack[i + 1].role == "key":
                    out.append("," if f.values else "")
            elif f.kind == "array":
                out.append("[" + ",".join(_dump(v) for v in f.items))
                if not last:
                    out.append("," if f.items else "")
            elif f.kind == "string":
                out.append(_dump(f.text)[:-1])
            elif f.kind == "number":
                out.append(f.text)
        return "".join(out)

def _dump(v) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))
