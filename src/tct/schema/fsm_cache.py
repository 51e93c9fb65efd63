"""Automata built by a grammar's step function, kept on disk between processes.

The `${{ }}` grammars take 1-2 s each to explore (seven kinds, ~6 s in all), paid again by every
process that generates or encodes workflows under the strict profile (`tct generate`, each test
worker). Their tables are plain data, so they are written once as JSON (no pickle: the cache
directory is the user's) under a key that names the code that built them: a change of that code
makes a new key, never a stale automaton. A cache that cannot be read or written is rebuilt
silently. `TCT_CACHE_DIR` chooses the directory, "off" disables it; else `$XDG_CACHE_HOME/tct`,
else `~/.cache/tct`.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Callable

from tct.schema.regex import PatternFSM, TableFSM


def cache_dir() -> Path | None:
    chosen = os.environ.get("TCT_CACHE_DIR")
    if chosen:
        return None if chosen == "off" else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME")
    try:
        return (Path(base) if base else Path.home() / ".cache") / "tct"
    except (RuntimeError, KeyError):  # no home directory to be found: no cache
        return None


def source_key(*modules) -> str:
    """A short digest of the source files of `modules` (what built the automaton)."""
    h = hashlib.sha256()
    for mod in modules:
        h.update(Path(mod.__file__).read_bytes())
    return h.hexdigest()[:16]


def cached_automaton(name: str, key: str, build: Callable[[], PatternFSM]) -> PatternFSM:
    """The automaton `build()` gives, read from the cache under (`name`, `key`) when there."""
    folder = cache_dir()
    path = None if folder is None else folder / f"{name}-{key}.json"
    if path is not None and path.exists():
        try:
            return _from_json(json.loads(path.read_text()))
        except (OSError, ValueError, KeyError, TypeError):
            pass  # unreadable: rebuilt and rewritten below
    fsm = build()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
            with os.fdopen(fd, "w") as out:
                json.dump(_to_json(fsm), out, separators=(",", ":"))
            os.replace(tmp, path)  # atomic: concurrent writers leave one whole file
        except OSError:
            pass
    return fsm


def _to_json(p: PatternFSM) -> dict:
    f = p.fsm
    n = len(f.map)
    assert set(f.map) == set(range(n)) and f.initial == 0, "states numbered 0..n-1 from the start"
    return {"classes": p.classes, "finals": sorted(f.finals),
            "map": [[x for sym, t in sorted(f.map[s].items()) for x in (sym, t)] for s in range(n)],
            "labels": sorted(p.labels.items()), "depths": sorted(p.depths.items()),
            "roles": sorted(p.roles.items())}


def _from_json(d: dict) -> PatternFSM:
    rows = {s: dict(zip(row[::2], row[1::2])) for s, row in enumerate(d["map"])}
    classes = [[tuple(r) for r in c] for c in d["classes"]]
    fsm = TableFSM(len(classes), 0, set(d["finals"]), rows)
    return PatternFSM(fsm, classes, dict(d["labels"]), dict(d["depths"]), dict(d["roles"]))
