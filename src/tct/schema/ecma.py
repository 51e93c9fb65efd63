"""ECMA-262 pattern syntax (no flags, Annex B) parsed into a small tree of code-point sets.

JSON Schema patterns are ECMA-262, which differs from Python `re` in ways that change verdicts:
`.` excludes all four line terminators, `\\s` is ECMA's own whitespace set, `\\d`/`\\w` are
ASCII, `\\8` is "8", `\\1` without a group is octal, `a{,3}` and `]` are literals, `\\p` is "p".
The reference engine is `regress` (Rust); where the standard leaves room (`\\u{...}` without
the `u` flag) its reading is followed. Whatever cannot be represented exactly by a finite
automaton (backreferences, lookbehind, word boundaries, modifiers) raises PatternUnsupported.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_CP = 0x10FFFF


class PatternUnsupported(Exception):
    pass


Ranges = tuple  # sorted, disjoint, non-adjacent (lo, hi) code-point intervals


def union(*sets) -> Ranges:
    out: list = []
    for a, b in sorted(r for s in sets for r in s):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return tuple(out)


def complement(ranges) -> Ranges:
    out, lo = [], 0
    for a, b in union(ranges):
        if a > lo:
            out.append((lo, a - 1))
        lo = b + 1
    if lo <= MAX_CP:
        out.append((lo, MAX_CP))
    return tuple(out)


def char(c: str | int) -> Ranges:
    cp = c if isinstance(c, int) else ord(c)
    return ((cp, cp),)


DIGIT = ((0x30, 0x39),)
WORD = ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))
# WhiteSpace and LineTerminator (ECMA-262 22.2.2.9, CharacterClassEscape :: s).
SPACE = ((0x09, 0x0D), (0x20, 0x20), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A),
         (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000), (0xFEFF, 0xFEFF))
LINE_TERMINATORS = union(char("\n"), char("\r"), ((0x2028, 0x2029),))
DOT = complement(LINE_TERMINATORS)
ANY = ((0, MAX_CP),)
CLASS_ESCAPES = {"d": DIGIT, "D": complement(DIGIT), "w": WORD, "W": complement(WORD),
                 "s": SPACE, "S": complement(SPACE)}
CONTROL_ESCAPES = {"f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
HEX = "0123456789abcdefABCDEF"


@dataclass(frozen=True)
class Chars:
    ranges: Ranges


@dataclass(frozen=True)
class Seq:
    items: tuple


@dataclass(frozen=True)
class Alt:
    options: tuple  # of Seq


@dataclass(frozen=True)
class Repeat:
    item: object
    min: int
    max: int | None


@dataclass(frozen=True)
class Anchor:
    kind: str  # "^" or "$"


@dataclass(frozen=True)
class Lookahead:
    inner: Alt
    negate: bool


MAX_COUNT = 1000  # a bound beyond this would build an automaton too large to be useful


def escape(text: str) -> str:
    """A pattern matching `text` literally."""
    return "".join("\\" + c if c in "\\^$.*+?()[]{}|/-" else c for c in text)


def parse(pattern: str) -> Alt:
    """The tree of an ECMA-262 pattern; the caller has checked its syntax with regress."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in pattern):
        raise PatternUnsupported("lone surrogate in pattern")
    return _Parser(pattern).parse()


class _Parser:
    def __init__(self, s: str):
        self.s, self.i = s, 0
        self.groups, self.named = _count_groups(s)

    def fail(self, why: str):
        raise PatternUnsupported(f"{why} at offset {self.i}")

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def parse(self) -> Alt:
        node = self.disjunction()
        if self.i != len(self.s):
            self.fail("unbalanced ')'")
        return node

    def disjunction(self) -> Alt:
        options = [self.alternative()]
        while self.peek() == "|":
            self.i += 1
            options.append(self.alternative())
        return Alt(tuple(options))

    def alternative(self) -> Seq:
        items = []
        while self.i < len(self.s) and self.peek() not in "|)":
            items.append(self.term())
        return Seq(tuple(items))

    def term(self):
        c = self.peek()
        if c in "^$":
            self.i += 1
            if self._quantifier() is not None:
                self.fail("quantified anchor")
            return Anchor(c)
        if c == "(":
            return self.group()
        if c == ".":
            self.i += 1
            atom = Chars(DOT)
        elif c == "[":
            atom = Chars(self.char_class())
        elif c == "\\":
            atom = Chars(self.atom_escape())
        elif c in "*+?":
            self.fail("nothing to repeat")
        elif c == "{" and self._quantifier(peek_only=True) is not None:
            self.fail("nothing to repeat")
        else:
            self.i += 1
            atom = Chars(char(c))
        return self.quantified(atom)

    def group(self):
        s = self.s
        if s.startswith("(?=", self.i) or s.startswith("(?!", self.i):
            negate = s[self.i + 2] == "!"
            self.i += 3
            inner = self.disjunction()
            self.close()
            if self._quantifier(peek_only=True) is not None:
                self.fail("quantified lookahead")
            return Lookahead(inner, negate)
        if s.startswith("(?<=", self.i) or s.startswith("(?<!", self.i):
            self.fail("lookbehind")
        if s.startswith("(?:", self.i):
            self.i += 3
        elif s.startswith("(?<", self.i):
            end = s.find(">", self.i)
            if end < 0:
                self.fail("unterminated group name")
            self.i = end + 1
        elif s.startswith("(?", self.i):
            self.fail("group modifier")
        else:
            self.i += 1
        inner = self.disjunction()
        self.close()
        return self.quantified(inner)

    def close(self):
        if self.peek() != ")":
            self.fail("missing ')'")
        self.i += 1

    def _quantifier(self, peek_only=False):
        """(min, max) of a quantifier at the cursor, consuming it (and a lazy `?`), or None."""
        start, c = self.i, self.peek()
        if c in ("*", "+", "?") and c:
            self.i += 1
            bounds = {"*": (0, None), "+": (1, None), "?": (0, 1)}[c]
        elif c == "{":
            j = self.i + 1
            k = j
            while k < len(self.s) and self.s[k].isdigit() and self.s[k].isascii():
                k += 1
            if k == j:
                return None
            lo, hi = int(self.s[j:k]), None
            if k < len(self.s) and self.s[k] == ",":
                m = k + 1
                while m < len(self.s) and self.s[m].isdigit() and self.s[m].isascii():
                    m += 1
                hi = int(self.s[k + 1:m]) if m > k + 1 else None
                k = m
            else:
                hi = lo
            if k >= len(self.s) or self.s[k] != "}":
                return None
            self.i = k + 1
            bounds = (lo, hi)
        else:
            return None
        if peek_only:
            self.i = start
            return bounds
        if self.peek() == "?":
            self.i += 1
        return bounds

    def quantified(self, atom):
        q = self._quantifier()
        if q is None:
            return atom
        lo, hi = q
        if hi is not None and hi < lo:
            self.fail("quantifier out of order")
        if max(lo, hi or 0) > MAX_COUNT:
            self.fail(f"repetition count above {MAX_COUNT}")
        if self._quantifier(peek_only=True) is not None:
            self.fail("nothing to repeat")
        return Repeat(atom, lo, hi)

    # -- escapes ---------------------------------------------------------------------------

    def atom_escape(self) -> Ranges:
        self.i += 1  # the backslash
        c = self.peek()
        if not c:
            self.fail("trailing backslash")
        if c in "bB":
            self.fail("word boundary assertion")
        if c in "123456789":
            j = self.i
            while j < len(self.s) and self.s[j] in "0123456789":
                j += 1
            if int(self.s[self.i:j]) <= self.groups:
                self.fail("backreference")
            if c in "89":
                self.i += 1
                return char(c)
            return char(self.octal())
        if c == "k":
            if self.named:
                self.fail("named backreference")
            self.i += 1
            return char("k")
        if c == "c" and not _is_ascii_letter(self.peek(1)):
            return char("\\")  # Annex B: a lone backslash; "c" is read next as itself
        return self.common_escape()

    def common_escape(self) -> Ranges:
        """Escapes read the same inside and outside a class; the cursor is after the backslash."""
        c = self.peek()
        if c in CLASS_ESCAPES:
            self.i += 1
            return CLASS_ESCAPES[c]
        if c in CONTROL_ESCAPES:
            self.i += 1
            return char(CONTROL_ESCAPES[c])
        if c == "c":
            self.i += 2
            return char(ord(self.s[self.i - 1]) % 32)
        if c == "0" and not self.peek(1).isdigit():
            self.i += 1
            return char(0)
        if c in "01234567":
            return char(self.octal())
        if c == "x":
            h = self.s[self.i + 1:self.i + 3]
            if len(h) == 2 and all(x in HEX for x in h):
                self.i += 3
                return char(int(h, 16))
            self.fail("\\x without two hex digits")
        if c == "u":
            return char(self.unicode_escape())
        self.i += 1
        return char(c)  # identity escape (Annex B: any character but `c`/`k` handled above)

    def octal(self) -> int:
        """Annex B legacy octal escape: up to three digits, at most 0o377."""
        width = 3 if self.peek() in "0123" else 2
        j = self.i
        while j < len(self.s) and j - self.i < width and self.s[j] in "01234567":
            j += 1
        value = int(self.s[self.i:j], 8)
        self.i = j
        return value

    def unicode_escape(self) -> int:
        s, j = self.s, self.i + 1
        h = s[j:j + 4]
        if len(h) == 4 and all(x in HEX for x in h):
            cp, self.i = int(h, 16), j + 4
        elif s.startswith("{", j):
            end = s.find("}", j)
            h = s[j + 1:end] if end > 0 else ""
            if not h or not all(x in HEX for x in h) or int(h, 16) > MAX_CP:
                self.fail("malformed \\u{...}")
            cp, self.i = int(h, 16), end + 1
        else:
            self.i += 1
            return ord("u")
        if 0xD800 <= cp <= 0xDFFF:
            self.fail("surrogate escape")
        return cp

    # -- classes ---------------------------------------------------------------------------

    def char_class(self) -> Ranges:
        self.i += 1
        negate = self.peek() == "^"
        if negate:
            self.i += 1
        parts = []
        while True:
            if self.i >= len(self.s):
                self.fail("unterminated class")
            if self.peek() == "]":
                self.i += 1
                break
            lo = self.class_atom()
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.i += 1
                hi = self.class_atom()
                if isinstance(lo, int) and isinstance(hi, int):
                    if hi < lo:
                        self.fail("class range out of order")
                    parts.append(((lo, hi),))
                else:  # Annex B: a range with a class escape is the union with "-"
                    parts += [_as_ranges(lo), char("-"), _as_ranges(hi)]
            else:
                parts.append(_as_ranges(lo))
        ranges = union(*parts)
        return complement(ranges) if negate else ranges

    def class_atom(self) -> Ranges | int:
        """A single code point (int) or a class escape (ranges)."""
        c = self.peek()
        if c != "\\":
            self.i += 1
            return ord(c)
        self.i += 1
        c = self.peek()
        if not c:
            self.fail("trailing backslash")
        if c == "b":
            self.i += 1
            return 8
        if c == "c" and not (_is_ascii_letter(self.peek(1)) or self.peek(1) in "0123456789_" and self.peek(1)):
            return ord("\\")
        if c in "89":
            self.i += 1
            return ord(c)
        if c == "k" and self.named:
            self.fail("\\k in a class with named groups")
        r = self.common_escape()
        return r[0][0] if len(r) == 1 and r[0][0] == r[0][1] and c not in CLASS_ESCAPES else r


def _as_ranges(x) -> Ranges:
    return char(x) if isinstance(x, int) else x


def _is_ascii_letter(c: str) -> bool:
    return bool(c) and c.isascii() and c.isalpha()


def _count_groups(s: str) -> tuple[int, bool]:
    """(capturing groups, any named) — needed before parsing to read `\\N` and `\\k`."""
    n, named, i, in_class = 0, False, 0, False
    while i < len(s):
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            if not s.startswith("(?", i):
                n += 1
            elif s.startswith("(?<", i) and not s.startswith(("(?<=", "(?<!"), i):
                n += 1
                named = True
        i += 1
    return n, named
