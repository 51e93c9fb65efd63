"""Cache access under low-trust triggers (actionlint: "cache-mode "write" grants cache writes for
low-trust trigger(s)" [cache-write-untrusted], "reusable workflow call ... has no explicit cache
access limit for low-trust trigger(s)" [cache-call-unrestricted]).

When `on` holds a low-trust event, no job may end up with `cache-mode` `write` or `write-only`
(its own, else the workflow's) and a job calling a reusable workflow needs an explicit limit
(its own `cache-mode`, or the workflow's `read`/`none`). `on`, the workflow's `cache-mode` and
the jobs come in any order, so whichever comes second gives way:
- `on` written after a `cache-mode` write or a closed job that would break it takes no
  low-trust event (its literals and keys are taken out: `Rule.excluded_values`,
  `Rule.withdrawn_keys`; push and the other events stay, at the same cost);
- after such an `on`, `cache-mode` takes neither write value, and a job whose `uses:` is chosen
  owes a `cache-mode` when the workflow gives none (`RequiredKey`, `job_mode_owed`).
Stricter than actionlint in one order only: a workflow `cache-mode: read` written after its
jobs and `on` would have covered them.
"""

from __future__ import annotations

import json

from tct.codec.profiles.rule import Rule

# The events the installed actionlint calls low-trust (each alone as `on`, with a reusable call).
LOW_TRUST = frozenset({
    "branch_protection_rule", "check_run", "check_suite", "deployment", "deployment_status", "discussion",
    "discussion_comment", "fork", "gollum", "issue_comment", "issues", "label", "milestone", "project",
    "project_card", "project_column", "public", "pull_request_target", "status", "watch", "workflow_run"})
WRITES = frozenset({"write", "write-only"})
LIMITS = frozenset({"read", "none"})  # a workflow's mode that limits every job it does not override
WHY = "actionlint: cache writes and unlimited reusable calls are refused under low-trust triggers"


def low_trust(on) -> frozenset:
    """The low-trust events a written `on` (string, list or mapping) holds."""
    events = {on} if isinstance(on, str) else set(on) if isinstance(on, (list, dict)) else set()
    return frozenset(e for e in events if isinstance(e, str)) & LOW_TRUST


def _root(m) -> dict:
    return m.stack[0].values if m.stack[0].kind == "object" else {}


def _untrusted(m) -> bool:
    """Does the workflow's `on`, written, hold a low-trust event?"""
    root = _root(m)
    return "on" in root and bool(low_trust(root["on"]))


def _breaks(m) -> bool:
    """Would a low-trust event in the `on` being written break what is written: a workflow
    `cache-mode` write, or a closed job writing or calling without a limit?"""
    root = _root(m)
    mode = root.get("cache-mode")
    if mode in WRITES:
        return True
    jobs = root.get("jobs")
    for job in jobs.values() if isinstance(jobs, dict) else ():
        if isinstance(job, dict) and (job.get("cache-mode") in WRITES or
                                      ("cache-mode" not in job and "uses" in job and mode not in LIMITS)):
            return True
    return False


def _calls_owe(m) -> bool:
    """Would a reusable call written now owe a `cache-mode`: `on`, written, holds a low-trust
    event and the workflow sets no limit?"""
    return _untrusted(m) and _root(m).get("cache-mode") not in LIMITS


def job_mode_owed(m, path) -> tuple:
    """The `cache-mode` a job at `path` owes (`RequiredKey`'s names): under a low-trust `on` when
    the workflow sets no limit, once its `uses:` is chosen or its branch requires one (a value
    not yet an object, or not begun: its completion may be the cheaper call, charged so)."""
    job = m.stack[len(path)] if len(m.stack) > len(path) and m.stack[len(path)].path == path else None
    if not _calls_owe(m) or (job is not None and job.kind == "object" and "uses" not in job.used
                             and "uses" not in job.branch.obj.required):
        return ()
    return ("cache-mode",)


MODE_COST = 2  # a `cache-mode` key and its value (two or more values are always left: one id)


class CacheTrust(Rule):
    """Tags: ("on",) the workflow's `on` (and the frame it becomes), ("on-item",) an item of it
    given as a list, ("mode",) a `cache-mode`, the workflow's or a job's; ("root",), ("jobs",)
    and ("jobkey",) (a job's name being spelled), whose completion may write a reusable call
    that owes a `cache-mode` (charged `MODE_COST`; the job itself charges through `RequiredKey`)."""

    def tag(self, path, role):
        if role == "key":
            return ("jobkey",) if len(path) == 2 and path[0] == "jobs" else None
        if path in ((), ("jobs",)):
            return ("root",) if not path else ("jobs",)
        if path == ("on",):
            return ("on",)
        if len(path) == 2 and path[0] == "on" and isinstance(path[1], int):
            return ("on-item",)
        if path == ("cache-mode",) or (len(path) == 3 and path[0] == "jobs" and path[2] == "cache-mode"):
            return ("mode",)
        return None

    def key(self, m, f):
        kind = f.tag[1]
        if kind == "mode":
            return _untrusted(m)
        if kind in ("on", "on-item"):
            return _breaks(m)
        return _calls_owe(m), self._charge(m, f, False), self._charge(m, f, True)

    def _charge(self, m, f, child_open: bool) -> int:
        kind = f.tag[1]
        if kind == "root":  # `jobs` still to come, under an `on` that is or may become low-trust
            root = f.values if f.kind == "object" else {}
            if "jobs" in root or (f.kind == "object" and f.key == "jobs"):
                return 0
            on = root.get("on")
            return MODE_COST if ("on" not in root or low_trust(on)) and root.get("cache-mode") not in LIMITS else 0
        if kind == "jobs" and f.kind == "object" and (f.values or child_open):
            return 0  # it closes, or the open job charges
        return MODE_COST if kind in ("jobs", "jobkey") and _calls_owe(m) else 0

    def extra_cost(self, m, i, child_open):
        f = m.stack[i]
        return self._charge(m, f, child_open) if f.tag[1] in ("root", "jobs", "jobkey") else 0

    def excluded_values(self, m, f):
        if f.tag[1] == "mode":
            return frozenset(json.dumps(v) for v in WRITES) if _untrusted(m) else frozenset()
        if f.tag[1] in ("on", "on-item"):
            return frozenset(json.dumps(e) for e in LOW_TRUST) if _breaks(m) else frozenset()
        return frozenset()

    def withdrawn_keys(self, m, f):
        if f.tag[1] != "on" or f.kind != "object" or not _breaks(m):
            return frozenset()
        return LOW_TRUST & frozenset(f.branch.obj.names)

    def string_reason(self, m, f, text):
        if f.tag[1] == "mode":
            return f"cache-mode {text} under the low-trust trigger(s) {', '.join(sorted(low_trust(_root(m)['on'])))} ({WHY})"
        if f.tag[1] not in ("on", "on-item"):
            return ""
        return f"{text.strip(chr(34))} is a low-trust trigger, and the workflow's cache-mode or a job above " \
               f"writes caches or calls a reusable workflow with no cache-mode ({WHY})"
