"""Command-line entry point (filled in as stages land)."""
import sys


def main(argv=None) -> int:
    print("tct: no commands yet", file=sys.stderr)
    return 2
