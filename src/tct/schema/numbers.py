"""Exact reasoning about JSON numbers typed one character at a time.

The decoder must never type a digit after which no number satisfies the bounds. A decimal
prefix reaches a union of intervals (more integer digits, a fraction); those are intersected
with the bounds exactly, with `Fraction`s. Exponents are only offered when a number is
unbounded, since then every prefix stays completable.

Validators that read numbers as float64 (jsonschema) must judge every number we produce as
exact arithmetic does. So, wherever a constraint could tell two values apart, a number with
a fraction keeps to FLOAT_DIGITS digits (every float's shortest text fits, so any float a
document holds can be written) and is admitted only if its float64 value passes too: bounds,
integer or not, excluded values, and multipleOf by jsonschema's float division (0.07 is a
multiple of 0.01 exactly, not in float64). Prefixes are judged on the grid of texts they can
still reach, so the decoder never offers a digit it cannot finish.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from fractions import Fraction
from math import ceil, gcd, lcm

NUMBER_RE = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\Z")
INT_TEXT_RE = re.compile(r"-?(0|[1-9][0-9]*)(\.0+)?\Z")
PLAIN_INT_RE = re.compile(r"-?(0|[1-9][0-9]*)\Z")
_PREFIX_RE = re.compile(r"-?(0|[1-9][0-9]*)?(\.[0-9]*)?([eE][+-]?[0-9]*)?\Z")
CHARS = "-0123456789.eE+"
MAX_DIGITS = 400
FLOAT_DIGITS = 17  # the longest shortest text of a float64 (repr)


def _exponent_ok(int_part: str, exp: str) -> bool:
    """Keep clear of float overflow/underflow so every completion is a finite float (and of
    huge powers of ten in exact arithmetic): |exponent| <= 300, less the integer digits."""
    digits = exp[1:].lstrip("+-").lstrip("0")
    power = 0 if not digits else int(digits) if len(digits) < 6 else 10 ** 6
    return power <= (300 if exp[1:].startswith("-") else 300 - len(int_part))


@dataclass(frozen=True)
class NumberSpec:
    integer: bool = False
    lo: Fraction | None = None
    lo_excl: bool = False
    hi: Fraction | None = None
    hi_excl: bool = False
    multiple: Fraction | None = None     # least common multiple of the schema's multipleOf
    raw_multiples: tuple = ()            # the schema's own multipleOf values, for float64's verdict
    excluded: frozenset = frozenset()    # values (as Fractions) that are not allowed
    plain_integers: bool = False         # draft-04: an integer is never written "1.0"
    nonint: bool = False                 # the value must not be integral (from not: {type: integer})

    def few_values(self, cap: int) -> list | None:
        """The values (as Python numbers) when there are fewer than `cap`, else None: a bounded
        range of integers or multiples is finite, and uniqueItems can exhaust it."""
        if self.lo is None or self.hi is None or not (self.integer or self.multiple is not None) or self.nonint:
            return None
        step = self.multiple if self.multiple is not None else Fraction(1)
        if self.integer and step.denominator != 1:
            step = step * step.denominator  # the integral multiples
        first, last = -((-self.lo) // step), self.hi // step
        if last - first + 1 > 4 * cap + 64:
            return None
        out = []
        for k in range(int(first), int(last) + 1):
            v = k * step
            if (self.lo_excl and v == self.lo) or (self.hi_excl and v == self.hi) or v in self.excluded \
                    or not self.float_agrees(v, v.denominator != 1):
                continue
            out.append(int(v) if v.denominator == 1 else float(v))
            if len(out) >= cap:
                return None
        return out

    @property
    def bounded(self) -> bool:
        return self.lo is not None or self.hi is not None or self.multiple is not None or self.integer

    @property
    def capped(self) -> bool:
        """Must a fraction keep to FLOAT_DIGITS digits (some constraint can tell values apart)?"""
        return self.bounded or bool(self.excluded) or self.nonint

    def float_agrees(self, value: Fraction, as_float: bool) -> bool:
        """Does float64 arithmetic (jsonschema's multipleOf) also find `value` a multiple?"""
        if not self.raw_multiples:
            return True
        if not as_float and value.denominator != 1:
            return False
        x = float(value) if as_float else int(value)
        for m in self.raw_multiples:
            if isinstance(m, float):
                try:
                    q = x / m
                    ok = int(q) == q
                except OverflowError:
                    ok = (Fraction(x) / Fraction(m)).denominator == 1
            else:
                ok = x % m == 0
            if not ok:
                return False
        return True

    def float_admits(self, value: Fraction) -> bool:
        """The verdict of a float64 validator on the text of `value` with a fraction."""
        f = float(value)
        if f in (float("inf"), float("-inf")):
            return False
        x = Fraction(f)
        if (self.integer and not f.is_integer()) or (self.nonint and f.is_integer()):
            return False
        lo = None if self.lo is None else self.lo if self.lo.denominator == 1 else Fraction(float(self.lo))
        hi = None if self.hi is None else self.hi if self.hi.denominator == 1 else Fraction(float(self.hi))
        if lo is not None and (x < lo or (self.lo_excl and x == lo)):
            return False
        if hi is not None and (x > hi or (self.hi_excl and x == hi)):
            return False
        if any(f == float(e) for e in self.excluded):
            return False
        return self.float_agrees(value, True)

    def _judged_alike(self, value: Fraction, as_float: bool | None) -> bool:
        """Valid for float64 validators too, written with a fraction (True), without (False), or either."""
        if as_float is None:
            return self._judged_alike(value, False) or self._judged_alike(value, True)
        if not as_float:
            return value.denominator == 1 and self.float_agrees(value, False)
        return self.float_admits(value)

    def _step(self, grid: Fraction | None) -> Fraction | None:
        """Spacing of the admissible values reachable on `grid` (None: a continuum)."""
        step = grid
        for m in ([Fraction(1)] if self.integer else []) + ([self.multiple] if self.multiple else []):
            step = m if step is None else Fraction(lcm(step.numerator, m.numerator), gcd(step.denominator, m.denominator))
        return step

    def admits(self, value: Fraction) -> bool:
        if self.integer and value.denominator != 1:
            return False
        if self.nonint and value.denominator == 1:
            return False
        if self.lo is not None and (value < self.lo or (self.lo_excl and value == self.lo)):
            return False
        if self.hi is not None and (value > self.hi or (self.hi_excl and value == self.hi)):
            return False
        if self.multiple is not None and (value / self.multiple).denominator != 1:
            return False
        return value not in self.excluded

    def _interval_has_value(self, a: Fraction, a_closed: bool, b: Fraction | None, b_closed: bool,
                            grid: Fraction | None = None, as_float: bool | None = None, found=None) -> bool:
        """Is some admissible value in the interval (a, b) with the given closedness? b None = +inf.

        `grid`: only multiples of it are reachable (digits are capped); `as_float`: the text
        will have a fraction (True), none (False), or either (None)."""
        lo, lo_closed = a, a_closed
        if self.lo is not None and (self.lo > lo or (self.lo == lo and self.lo_excl)):
            lo, lo_closed = self.lo, not self.lo_excl
        hi, hi_closed = b, b_closed
        if self.hi is not None and (hi is None or self.hi < hi or (self.hi == hi and self.hi_excl)):
            hi, hi_closed = self.hi, not self.hi_excl
        if hi is not None and (lo > hi or (lo == hi and not (lo_closed and hi_closed))):
            return False
        if as_float is False and self.nonint:
            return False  # a text without a fraction is an integer
        step = self._step(grid)
        if step is not None:
            first = ceil(lo / step) * step
            if first == lo and not lo_closed:
                first += step
            for k in range(len(self.excluded) + 64):  # a few grid points may fail in float64
                v = Fraction(first + k * step)
                if hi is not None and (v > hi or (v == hi and not hi_closed)):
                    return False
                if v in self.excluded or (self.nonint and v.denominator == 1):
                    continue
                if self._judged_alike(v, as_float):
                    if found is not None:
                        found.append(v)
                    return True
            return False
        if hi is None or lo < hi:
            return True  # a real interval with interior: infinitely many values, non-integers too
        return Fraction(lo) not in self.excluded and not (self.nonint and Fraction(lo).denominator == 1)

    def feasible(self, prefix: str) -> bool:
        """Can `prefix` still be completed to an admissible number (under our number grammar)?"""
        if prefix == "":
            return any(self.feasible(c) for c in "-0123456789")
        m = _PREFIX_RE.match(prefix)
        if not m:
            return False
        neg = prefix.startswith("-")
        int_part, frac, exp = m.group(1), m.group(2), m.group(3)
        if exp is not None:
            # Exponents only for unbounded numbers (non-integers included: kept plain too).
            if self.bounded or self.nonint or int_part is None or (frac is not None and len(frac) < 2):
                return False
            if not _exponent_ok(int_part, exp):
                return False
            if not (int_part + (frac or "")).strip("0."):  # a zero mantissa stays zero
                return self.admits(Fraction(0))
            return True
        if not self.bounded and not self.excluded and not self.nonint:
            return frac is None or int_part is not None
        if frac is not None and int_part is None:
            return False
        if int_part is None:
            # Only a sign (or nothing): any magnitude of that sign.
            spec = self._mirror() if neg else self
            return spec._interval_has_value(Fraction(0), True, None, False)
        spec = self._mirror() if neg else self
        d = Fraction(int(int_part))
        n = 0 if int_part == "0" else len(int_part)  # digits a fraction must share with
        if frac is not None:
            digits = frac[1:]
            if self.integer and self.plain_integers:
                return False
            if self.integer:
                return n <= FLOAT_DIGITS and set(digits) <= {"0"} and spec._interval_has_value(d, True, d, True, None, True)
            if self.capped and n + max(len(digits), 1) > FLOAT_DIGITS:
                return False
            base = d + (Fraction(int(digits), 10 ** len(digits)) if digits else 0)
            width = Fraction(1, 10 ** len(digits))
            grid = Fraction(1, 10 ** (FLOAT_DIGITS - n)) if self.capped else None
            # "D.F" reaches [D.F, D.F + 10^-|F|); "D." reaches D itself through "D.0".
            return spec._interval_has_value(base, True, base + width, False, grid, True)
        # Integer digits so far: D itself, D.xxx, or more digits.
        if spec._reachable(d, n, Fraction(1)):
            return True
        if int_part == "0":
            return False
        scale = 10
        while len(int_part) + len(str(scale)) <= MAX_DIGITS:
            lo = d * scale
            if spec.hi is not None and lo > spec.hi:
                return False
            if spec._reachable(lo, n + len(str(scale)) - 1, Fraction(scale)):
                return True
            if spec.nonint and n + len(str(scale)) - 1 >= FLOAT_DIGITS:
                return False  # longer integer parts leave no room for a fraction
            scale *= 10
        return False

    def _reachable(self, d: Fraction, n: int, width: Fraction) -> bool:
        """Some admissible value in [d, d + width) written with `n` integer digits: a plain
        integer, or (within the digit cap) one with a fraction."""
        if self.integer:
            return self._interval_has_value(d, True, d + width, False, Fraction(1), None if n <= FLOAT_DIGITS else False)
        if self._interval_has_value(d, True, d + width, False, Fraction(1), False):
            return True
        if not self.capped:
            return self._interval_has_value(d, True, d + width, False)
        if n >= FLOAT_DIGITS:
            return False
        return self._interval_has_value(d, True, d + width, False, Fraction(1, 10 ** (FLOAT_DIGITS - n)), True)

    def _mirror(self) -> "NumberSpec":
        """The same constraint seen on absolute values of negative numbers."""
        return NumberSpec(
            integer=self.integer,
            lo=None if self.hi is None else -self.hi, lo_excl=self.hi_excl,
            hi=None if self.lo is None else -self.lo, hi_excl=self.lo_excl,
            multiple=self.multiple, raw_multiples=self.raw_multiples, excluded=frozenset(-v for v in self.excluded),
            plain_integers=self.plain_integers, nonint=self.nonint,
        )

    def complete_text(self, text: str) -> bool:
        if not NUMBER_RE.match(text):
            return False
        if self.integer and not (PLAIN_INT_RE if self.plain_integers else INT_TEXT_RE).match(text):
            return False
        if ("e" in text or "E" in text) and (self.bounded or self.nonint):
            return False
        m = NUMBER_RE.match(text)
        if m.group(3) and not _exponent_ok(m.group(1), m.group(3)):
            return False
        value = json.loads(text)
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            return False
        if m.group(2) and self.capped:
            n = 0 if m.group(1) == "0" else len(m.group(1))
            digits = m.group(2)[1:]
            if n + (0 if self.integer else len(digits)) > FLOAT_DIGITS:
                return False
        exact = Fraction(text)
        return self.admits(exact) and (not self.capped or self._judged_alike(exact, isinstance(value, float)))

    def next_chars(self, prefix: str) -> str:
        return "".join(c for c in CHARS if self.feasible(prefix + c))

    def _min_more(self, prefix: str) -> int:
        """A lower bound on the characters still needed: at least one, and while only integer
        digits are typed, enough of them to reach a bound away from zero (prunes the search)."""
        m = _PREFIX_RE.match(prefix)
        if not m or m.group(2) is not None or m.group(3) is not None:
            return 1
        neg = prefix.startswith("-")
        spec = self._mirror() if neg else self
        if spec.lo is None or spec.lo < 1:
            return 1
        if spec.hi is not None and spec.hi < 0:
            return 1
        n = len(m.group(1) or "")
        return max(1, len(str(int(spec.lo))) - n)

    def shortest_completion(self, prefix: str) -> str:
        """Fewest characters that make `prefix` a complete admissible number.

        Iterative deepening over feasible prefixes only (each of them has some completion), so
        short answers are found at once and long ones (bounds far from zero) still are."""
        failed: set = set()

        def search(p: str, depth: int):
            if self.complete_text(p):
                return p
            if depth < self._min_more(p) or (p, depth) in failed:
                return None
            for c in CHARS:
                if self.feasible(p + c):
                    found = search(p + c, depth - 1)
                    if found is not None:
                        return found
            failed.add((p, depth))
            return None

        for depth in range(MAX_DIGITS + 8):
            if depth == 3:  # past a few characters, the search tree is too wide: count instead
                rest = self._integer_completion(prefix)
                if rest is not None:
                    return rest
            found = search(prefix, depth)
            if found is not None:
                return found[len(prefix):]
        raise ValueError(f"no completion of number prefix {prefix!r}")

    def _integer_completion(self, prefix: str) -> str | None:
        """More digits that make integer digits `prefix` the first admissible integer of the
        fewest digits (multiples, bounds far from zero), or None."""
        digits = prefix.lstrip("-")
        if not digits.isdigit() or digits == "0" or prefix.count("-") > 1 or self.nonint:
            return None
        spec = self._mirror() if prefix.startswith("-") else self
        d = int(digits)
        for k in range(MAX_DIGITS - len(digits)):
            lo = Fraction(d * 10 ** k)
            if spec.hi is not None and lo > spec.hi:
                return None
            v = spec._first_value(lo, lo + 10 ** k)
            if v is not None:
                return str(v.numerator)[len(digits):]
        return None

    def _first_value(self, a: Fraction, b: Fraction):
        """The least admissible integer in [a, b) that float64 validators also accept, or None."""
        found = []
        ok = self._interval_has_value(a, True, b, False, Fraction(1), False, found)
        return found[0] if ok and found else None


def number_text(value) -> str | None:
    """Canonical JSON text of a number, or None if it has none (NaN, inf)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return json.dumps(value)
    return None


def fraction_of(value) -> Fraction:
    return Fraction(value) if isinstance(value, int) else Fraction(repr(value)) if isinstance(value, float) else Fraction(value)

