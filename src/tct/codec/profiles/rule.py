"""The plug-in interface of constraints that depend on the document decided so far.

The machine asks a rule only about frames the rule tagged when they were pushed (`tag`, from
the frame's path), so untagged frames pay nothing. Exactness is the rule's contract:
- everything `allowed()` and the transitions depend on is in `key` (it joins the frame's
  state and frame keys, so mask caches, merged ones included, stay exact), and what a
  container below observes of a frame's content is in that frame's `key`; a key reads only
  the frame and the frames below it (its ancestors, which do not change while it is open),
  so the machine keeps it on the frame until the frame changes (`Machine.rule_key`);
- `extra_cost` and `target` keep `remaining_cost()` an upper bound on the completion that
  `completion_step` follows, and that completion valid under the rule.
"""

from __future__ import annotations

from tct.codec.profiles.location import match, parse
from tct.schema.facts import INF, shortest_string


class Rule:
    def tag(self, path: tuple, role: str):
        """A hashable marker for a frame pushed at `path` (`role` "key" for a key being
        spelled), or None when the rule has nothing to say there."""
        return None

    def key(self, m, f):
        """What of frame `f` (tagged) the rule's decisions read: joins the frame's keys."""
        return None

    def excluded(self, m, f) -> frozenset:
        """Strings a tagged string frame may not spell (on entry)."""
        return frozenset()

    def withdrawn_keys(self, m, f) -> frozenset:
        """Declared keys a tagged object frame may not take: never one its completion needs (a
        required key), so costs stay the schema's."""
        return frozenset()

    def excluded_values(self, m, f) -> frozenset:
        """Values (canonical JSON texts) a tagged value frame may not take (asked when a key's
        value or an array item opens): literals it offers, never all of them (`queue: max` beside
        `cancel-in-progress: true`); `string_reason` is asked with the text to explain one."""
        return frozenset()

    def language(self, m, f) -> tuple | None:
        """(pattern, names) a tagged string must also match, decided from the document when
        value frame `f` enters its string branch: `pattern` an ECMA regex or a name
        `regex.register` knows, `names` the `names.Names` tree its name slots read (None:
        any name). What it depends on must be in the `key`s of the frames it reads."""
        return None

    def refused_kinds(self, m, f) -> frozenset:
        """Branch kinds ("string", "array", ...) tagged value frame `f` may not take (what the
        cheapest branch left costs beyond the cheapest is the rule's to charge)."""
        return frozenset()

    def refused_branches(self, m, f) -> frozenset:
        """Keys whose object branches (those requiring one of them) tagged value frame `f` may not
        take (a step inside a `parallel` group is no wait, cancel or parallel step); their cost,
        as `refused_kinds`', is the rule's to charge."""
        return frozenset()

    def may_close(self, m, f) -> bool:
        return True

    def close_reason(self, m, f) -> str:
        return ""

    def branch_kind(self, m, f) -> str | None:
        """The kind of branch ("object", "string", ...) the shortest completion takes at tagged
        value frame `f` when it has one (its extra cost is the rule's to charge), or None: the
        cheapest."""
        return None

    def next_key(self, m, f) -> str | None:
        """A key the shortest completion adds next to tagged object frame `f` (one `may_close`
        waits for; a free one is then spelled by `target`), or None: the machine's choice."""
        return None

    def string_reason(self, m, f, text: str) -> str:
        return ""

    def extra_cost(self, m, i: int, child_open: bool) -> float:
        """Ids the rule adds to frame `i`'s share of the shortest completion."""
        return 0

    def target(self, m, f) -> str | None:
        """The whole text a tagged string frame's completion should spell, or None for the
        shortest one."""
        return None

    def value_extra(self, m, path: tuple, conj, tag) -> float:
        """Ids a value not yet begun at `path` (constraint `conj`; this rule's `tag` there) will
        add beyond compiled costs: charged by whatever completion creates one (`new_key_cost`
        with a path: another rule's owed keys)."""
        return 0

    def costs_local(self, m, f) -> bool:
        """While tagged frame `f` is open, does every frame's share of `remaining_cost()` depend
        only on its own `frame_key`? (else budgets feed ids on copies instead of caching)"""
        return True


class TextInKey(Rule):
    """A string other rules read once it is decided (a step's `uses:`, whose action gives its
    `with:` keys): its text joins its key while it is spelled, and its value joins the key of
    the object that holds it once it is given, so the masks and cost changes of merged runs that
    finish it and go on into what depends on it are cached per text, not per automaton state
    (nor per set of key names)."""

    def __init__(self, location: str):
        self.segs = parse(location)
        self.holder, self.name = self.segs[:-1], self.segs[-1]

    def tag(self, path, role):
        if role != "value":
            return None
        if match(self.segs, path) is not None:
            return ("text",)
        return ("holder",) if match(self.holder, path) is not None else None

    def key(self, m, f):
        if f.tag[-1] == "text":
            return f.text if f.kind == "string" else None
        value = f.values.get(self.name) if f.kind == "object" else None
        return value if isinstance(value, str) else None


def cheapest_branch(m, conj, refused=frozenset(), language=None, refused_keys=frozenset()) -> tuple:
    """(extra cost, kind) of the cheapest branch a rule leaves a value of constraint `conj`: none of the
    kinds `refused` nor an object requiring one of `refused_keys`, and a string matching
    `language` (`Rule.language`'s (pattern, names), or a function giving it) at the cost of its
    shortest, which may be longer than the schema's; `extra` is what it costs beyond the
    cheapest value compiled costs count (`Rule.extra_cost`, `Rule.branch_kind`). A string
    branch that cannot beat the others even at the schema's shortest is not looked at, nor is
    `language` asked for it (its shortest string may walk automata built for this document)."""
    key = ("cheapest-branch", conj, refused, refused_keys)
    hit = m.cache.get(key)
    if hit is None:
        best, strings = (INF, None), []
        for b in m.c.branches(conj):
            if b.kind in refused or (refused_keys and b.kind == "object" and b.obj.required & refused_keys):
                continue
            if b.kind == "string":
                strings.append(b)
            else:
                best = min(best, (m.c.cost_branch(b), b.kind))
        # (`cost_conj` adds the choice among branches to the cheapest: compared branch to branch)
        cheapest = min((m.c.cost_branch(b) for b in m.c.branches(conj)), default=INF)
        hit = m.cache[key] = (best, [b for b in strings if m.c.cost_branch(b) < best[0]], cheapest)
    best, strings, cheapest = hit
    if strings:  # ("string" sorts after every other kind: an equal cost never takes the string)
        if language is not None and not isinstance(language, tuple):
            language = language()
        best = min([best] + [_string_cost(m, b, language) for b in strings])
    return (max(0, best[0] - cheapest) if best[0] < INF else INF, best[1])


def _string_cost(m, b, language) -> tuple:
    """(cost, "string") of string branch `b` under `language`."""
    cost = m.c.cost_branch(b)
    if language is None:
        return cost, "string"
    key = ("string-branch", b.key, language)
    hit = m.cache.get(key)
    if hit is None:
        facts = m._language_facts(b, *language)
        real = shortest_string(facts.dfa, facts.dfa.start, "", facts.excluded)
        base = shortest_string(b.string.dfa, b.string.dfa.start, "", b.string.excluded)
        hit = m.cache[key] = (INF if real is None else cost + max(0, len(real.encode()) - len(base.encode())), "string")
    return hit


def whole_language(m, f):
    """The language all rules on value frame `f` give its string (`Rule.language` of each, as
    the machine conjoins them), though a rule asked through a joint tag sees only its own."""
    tag = m.rules.tag(f.path, "value")
    return None if tag is None else m.rules[tag].language(m, f)


def key_target(f, names, fold: bool = False) -> str | None:
    """The whole text key frame `f` spells when it is on its way to the first of `names` its
    text begins (ignoring case when `fold`: the case typed so far is kept), else None."""
    if f.kind != "string" or f.role != "key" or f.pending:
        return None
    text = f.text.lower() if fold else f.text
    name = next((n for n in names if (n.lower() if fold else n).startswith(text)), None)
    return None if name is None else f.text + name[len(text):]


def held_keys(f) -> frozenset:
    """Keys (folded) object frame `f` holds: written, in use or open."""
    return frozenset(k.lower() for k in (*f.values, *f.used, *((f.key,) if f.key is not None else ())))


def new_key_cost(m, o, name: str, path: tuple | None = None) -> float:
    """Ids the shortest completion spends to add key `name` to an object with facts `o`: its id
    if declared, else FREEKEY, its bytes and END; then the cheapest value (inf: not allowed),
    with what the rules add to it when the object's `path` is given (`Rule.value_extra`)."""
    conj = o.key_conj(name)
    if conj is None:
        return float("inf")
    cost = (1 if name in o.names else 2 + len(name.encode())) + m.c.cost_conj(conj)
    tag = None if path is None else m.rules.tag(path + (name,), "value")
    return cost if tag is None else cost + m.rules[tag].value_extra(m, path + (name,), conj, tag)
