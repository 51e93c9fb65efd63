"""Which decisions are emitted as ids under a profile: those the schema alone leaves open.

A profile narrows options (static constraints conjoined into the schema, dynamic rules), but a
decision with one option left is still an id wherever the schema alone offered several, so a
document has the same ids with or without a profile and a model trained on schema streams
sees the contexts it learned. Each frame kind is asked in its own way what the schema alone
would offer there.
"""

from __future__ import annotations

from tct.schema.facts import Branch


class Narrowing:
    """Mixed into `Machine` (machine.py): `forced`."""

    def forced(self):
        """The one legal symbol when the decision is not emitted as an id, else None."""
        opts = self.options()[0]
        if len(opts) != 1 or (self.rules is not None and self._narrowed()):
            return None
        return opts[0]

    def _narrowed(self) -> bool:
        """Would the schema alone offer more than one option here? (top frame, profile on)"""
        f = self.stack[-1]
        if f.kind == "value":
            return self._narrowed_value(f)
        if f.kind == "number":
            return self._narrowed_number(f)
        if f.kind == "object":
            return self._narrowed_object(f)
        if f.kind == "array" and f.tag is not None:  # a rule may keep it open (`may_close`)
            g = f.copy()
            g.tag = None
            return self._probe(g)
        if f.kind == "string":
            if f.role == "key":  # a rule's language of keys (`Rule.language`), if any
                return f.facts is not None and self._narrowed_key(f)
            return self._narrowed_string(f)
        return False

    def _probe(self, g) -> bool:
        """Does frame `g`, in place of the top frame, offer more than one option?"""
        probe = self.copy(len(self.stack) - 1)
        probe.stack[-1] = g
        return len(probe._allowed()) > 1

    def _narrowed_value(self, f) -> bool:
        """The schema's own nodes where static constraints were conjoined (costs.NARROWING), and
        the branches and values a rule takes out (`Rule.refused_kinds`, `Rule.excluded_values`)."""
        if f.tag is not None:
            rule = self.rules[f.tag]
            values = rule.excluded_values(self, f)
            if values or rule.refused_kinds(self, f) or rule.refused_branches(self, f):
                g = f.copy()
                g.tag, g.conj, g.excluded = None, self.c.unnarrowed(f.conj), f.excluded - values
                return self._probe(g)
        key = ("narrowed-value", f.conj, f.excluded)
        hit = self.cache.get(key)
        if hit is None:
            conj = self.c.unnarrowed(f.conj)
            hit = False
            if conj != f.conj:
                g = f.copy()
                g.tag, g.conj = None, conj
                hit = self._probe(g)
            self.cache[key] = hit
        return hit

    def _schema_branch(self, f, added) -> Branch:
        """The frame's branch without the atoms the profile added at its location."""
        key = ("schema-branch", f.branch.key, added)
        hit = self.cache.get(key)
        if hit is None:
            b = f.branch
            hit = self.cache[key] = Branch(b.kind, b.atoms - added, self.c, kind_integer=b.kind_integer,
                                           kind_nonint=b.kind_nonint)
        return hit

    def _narrowed_number(self, f) -> bool:
        added = self.rules.added(f.path) & f.branch.atoms  # numeric bounds
        if not added:
            return False
        spec = self._schema_branch(f, added).number
        return len(spec.next_chars(f.text)) + bool(spec.complete_text(f.text)) > 1

    def _narrowed_object(self, f) -> bool:
        added = self.rules.added(f.path) & f.branch.atoms  # minProperties, required
        if f.tag is None and not added:
            return False
        g = f.copy()
        g.tag = None
        if added:
            g.branch = self._schema_branch(f, added)
        return self._probe(g)

    def _narrowed_key(self, f) -> bool:
        """A key a rule gives a language: against the object's own free keys."""
        return self._offers_more(f, lambda: f.branch.obj.free_keys.dfa)

    def _narrowed_string(self, f) -> bool:
        atoms = f.branch.atoms
        patterns = self.rules.patterns
        if f.tag is None and not any(a[0] == "pattern" and a[1] in patterns for a in atoms):
            return False
        return self._offers_more(f, lambda: self.c.string_facts(
            frozenset(a for a in atoms if not (a[0] == "pattern" and a[1] in patterns))).dfa)

    def _offers_more(self, f, schema_dfa) -> bool:
        """Would the schema's automaton (`schema_dfa()`, built only on a cache miss) offer
        string frame `f` more than one option? The profiled automaton's state determines the schema's
        (its product includes the schema's patterns), so the answer is cached on it and the
        text is read once per state."""
        key = ("narrowed", id(self._string_facts(f)), f.state, f.pending)
        hit = self.cache.get(key)
        if hit is None:
            dfa = schema_dfa()
            state = dfa.start
            for ch in f.text:
                state = dfa.next_state(state, ord(ch))
            options = len(dfa.allowed_bytes(state, f.pending)) + (not f.pending and state in dfa.accept)
            hit = self.cache[key] = options > 1
        return hit
