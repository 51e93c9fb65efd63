"""Exact reasoning about JSON numbers typed one character at a time.

The decoder must never type a digit after which no number satisfies the bounds. A decimal
prefix reaches a union of intervals (more integer digits, a fraction); those are intersected
with the bounds exactly, with `Fraction`s. Exponents are only offered when a number is
unbounded, since then every prefix stays completable.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from fractions import Fraction
from math import ceil

NUMBER_RE = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\Z")
INT_TEXT_RE = re.compile(r"-?(0|[1-9][0-9]*)(\.0+)?\Z")
PLAIN_INT_RE = re.compile(r"-?(0|[1-9][0-9]*)\Z")
_PREFIX_RE = re.compile(r"-?(0|[1-9][0-9]*)?(\.[0-9]*)?([eE][+-]?[0-9]*)?\Z")
CHARS = "-0123456789.eE+"
MAX_DIGITS = 400


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
    multiple: int | None = None          # only integer multiples are supported
    excluded: frozenset = frozenset()    # values (as Fractions) that are not allowed
    plain_integers: bool = False         # draft-04: an integer is never written "1.0"
    nonint: bool = False                 # the value must not be integral (from not: {type: integer})

    @property
    def bounded(self) -> bool:
        return self.lo is not None or self.hi is not None or self.multiple is not None or self.integer

    def admits(self, value: Fraction) -> bool:
        if self.integer and value.denominator != 1:
            return False
        if self.nonint and value.denominator == 1:
            return False
        if self.lo is not None and (value < self.lo or (self.lo_excl and value == self.lo)):
            return False
        if self.hi is not None and (value > self.hi or (self.hi_excl and value == self.hi)):
            return False
        if self.multiple is not None and (value.denominator != 1 or value.numerator % self.multiple):
            return False
        return value not in self.excluded

    def _interval_has_value(self, a: Fraction, a_closed: bool, b: Fraction | None, b_closed: bool) -> bool:
        """Is some admissible value in the interval (a, b) with the given closedness? b None = +inf."""
        lo, lo_closed = a, a_closed
        if self.lo is not None and (self.lo > lo or (self.lo == lo and self.lo_excl)):
            lo, lo_closed = self.lo, not self.lo_excl
        hi, hi_closed = b, b_closed
        if self.hi is not None and (hi is None or self.hi < hi or (self.hi == hi and self.hi_excl)):
            hi, hi_closed = self.hi, not self.hi_excl
        if hi is not None and (lo > hi or (lo == hi and not (lo_closed and hi_closed))):
            return False
        if self.integer or self.multiple is not None:
            step = self.multiple or 1
            first = ceil(lo / step) * step
            if first == lo and not lo_closed:
                first += step
            count_needed = len(self.excluded) + 1
            for k in range(count_needed):
                v = Fraction(first + k * step)
                if hi is not None and (v > hi or (v == hi and not hi_closed)):
                    return False
                if v not in self.excluded:
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
        if frac is not None:
            digits = frac[1:]
            if self.integer and self.plain_integers:
                return False
            if self.integer:
                return set(digits) <= {"0"} and spec._interval_has_value(d, True, d, True)
            base = d + (Fraction(int(digits), 10 ** len(digits)) if digits else 0)
            width = Fraction(1, 10 ** len(digits))
            # "D.F" reaches [D.F, D.F + 10^-|F|); "D." reaches D itself through "D.0".
            return spec._interval_has_value(base, True, base + width, False)
        # Integer digits so far: D itself, D.xxx, or more digits.
        if spec._interval_has_value(d, True, d if self.integer else d + 1, self.integer):
            return True
        if int_part == "0":
            return False
        scale = 10
        while len(int_part) + len(str(scale)) <= MAX_DIGITS:
            lo = d * scale
            if spec.hi is not None and lo > spec.hi:
                return False
            if spec._interval_has_value(lo, True, lo + scale, False):
                return True
            scale *= 10
        return False

    def _mirror(self) -> "NumberSpec":
        """The same constraint seen on absolute values of negative numbers."""
        return NumberSpec(
            integer=self.integer,
            lo=None if self.hi is None else -self.hi, lo_excl=self.hi_excl,
            hi=None if self.lo is None else -self.lo, hi_excl=self.lo_excl,
            multiple=self.multiple, excluded=frozenset(-v for v in self.excluded),
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
        return self.admits(Fraction(text))

    def next_chars(self, prefix: str) -> str:
        return "".join(c for c in CHARS if self.feasible(prefix + c))

    def shortest_completion(self, prefix: str) -> str:
        """Fewest characters that make `prefix` a complete admissible number.

        Iterative deepening over feasible prefixes only (each of them has some completion), so
        short answers are found at once and long ones (bounds far from zero) still are."""
        failed: set = set()

        def search(p: str, depth: int):
            if self.complete_text(p):
                return p
            if depth == 0 or (p, depth) in failed:
                return None
            for c in CHARS:
                if self.feasible(p + c):
                    found = search(p + c, depth - 1)
                    if found is not None:
                        return found
            failed.add((p, depth))
            return None

        for depth in range(MAX_DIGITS + 8):
            found = search(prefix, depth)
            if found is not None:
                return found[len(prefix):]
        raise ValueError(f"no completion of number prefix {prefix!r}")


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

