"""Read YAML/JSON (also JSON with comments, TOML) files into plain JSON values, or fail with a DocumentError that says where.

Why not just `yaml.safe_load`: the tokenizer only speaks JSON, so anything that is not a JSON
value (dates, binary, sets, non-string keys, NaN) must be rejected *with its location* rather
than silently turned into Python objects; duplicate keys must be errors (YAML says so, PyYAML
keeps the last); and YAML 1.1 quirks must not leak in (`on:` is the string "on", `no` is a
string). So YAML is parsed by ruamel.yaml only up to the node graph, and this module builds the
JSON value itself using the YAML 1.2 *core schema* for plain scalars:

    null   ~ null Null NULL (empty)         bool   true True TRUE false False FALSE
    int    [-+]?[0-9]+  0o[0-7]+  0x[0-9a-fA-F]+
    float  [-+]?(.[0-9]+|[0-9]+(.[0-9]*)?)([eE][-+]?[0-9]+)?  (.inf/.nan are rejected: not JSON)

Everything else is a string - timestamps too (the core schema has none). A `%YAML 1.1`
directive does not switch the rules back. Merge keys (`<<: *anchor`) are honoured like PyYAML
does, because real workflow files use them with anchors.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.tag import Tag

from tct.errors import DocumentError

__all__ = ["load_document", "load_document_text", "json_pointer"]

_T = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT = _T + "str", _T + "null", _T + "bool", _T + "int", _T + "float"
_SEQ, _MAP, _MERGE = _T + "seq", _T + "map", _T + "merge"

_NULL_RE = re.compile(r"(?:~|null|Null|NULL|)\Z")
_BOOL_RE = re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z")
_INT_RE = re.compile(r"(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\Z")
_FLOAT_RE = re.compile(
    r"(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z"
)

# Alias expansion can blow a small file up exponentially ("billion laughs"); cap the output.
_MAX_VALUES = 5_000_000

YAML_SUFFIXES = (".yml", ".yaml")
JSON_SUFFIXES = (".json",)
TOML_SUFFIXES = (".toml",)


def json_pointer(parent: str, token: str | int) -> str:
    """RFC 6901: append one reference token to a pointer ('' is the whole document)."""
    return f"{parent}/{str(token).replace('~', '~0').replace('/', '~1')}"


def _int(v: str) -> int:
    """A core-schema int (the regex has already matched)."""
    return int(v[2:], 8) if v.startswith("0o") else int(v, 16) if v.startswith("0x") else int(v)


def _float(v: str) -> float:
    """A core-schema float (the regex has already matched); `.inf`/`.nan` spelled for Python."""
    low = v.lower()
    return float(low.replace(".", "")) if low.lstrip("+-") in (".inf", ".nan") else float(v)


def _core_tag(value: str) -> str:
    """Tag of a plain (unquoted, untagged) scalar under the YAML 1.2 core schema."""
    if _NULL_RE.match(value):
        return _NULL
    if _BOOL_RE.match(value):
        return _BOOL
    if _INT_RE.match(value):
        return _INT
    if _FLOAT_RE.match(value):
        return _FLOAT
    if value == "<<":
        return _MERGE
    return _STR


class _CoreResolver(VersionedResolver):
    """ruamel resolver that applies exactly the YAML 1.2 core schema (ruamel's own "1.2" rules
    also accept 0b…, 017, 1_000 and other YAML 1.1 leftovers). Subclassed, not written from
    scratch, because ruamel's parser asks the resolver for the processing version."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode:
            return Tag(suffix=_core_tag(value) if implicit[0] else _STR)
        return Tag(suffix=_SEQ if kind is SequenceNode else _MAP)


def _yaml() -> YAML:
    y = YAML(typ="safe", pure=True)
    y.version = (1, 2)
    y.Resolver = _CoreResolver
    return y


def _where(node: Any) -> str:
    m = node.start_mark
    return f"line {m.line + 1}, column {m.column + 1}"


class _Builder:
    """Turns a composed node graph into a JSON value, raising DocumentError with a pointer."""

    def __init__(self, name: str):
        self.name = name
        self.active: set[int] = set()  # nodes being built: an alias back into one is a cycle
        self.count = 0

    def fail(self, pointer: str, reason: str, node: Any = None) -> DocumentError:
        return DocumentError(self.name, pointer, f"{_where(node)}: {reason}" if node is not None else reason)

    def build(self, node: Any, ptr: str) -> Any:
        self.count += 1
        if self.count > _MAX_VALUES:
            raise self.fail(ptr, f"alias expansion yields more than {_MAX_VALUES} values", node)
        tag = str(node.tag)
        if isinstance(node, ScalarNode):
            return self.scalar(node, tag, ptr)
        if id(node) in self.active:
            raise self.fail(ptr, "recursive alias (a value that contains itself is not JSON)", node)
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                if tag != _SEQ:
                    raise self.fail(ptr, f"tag {tag} is not a JSON value", node)
                return [self.build(child, json_pointer(ptr, i)) for i, child in enumerate(node.value)]
            if tag != _MAP:  # !!set, !!omap given as mapping, custom tags
                raise self.fail(ptr, f"tag {tag} is not a JSON value", node)
            return self.mapping(node, ptr)
        finally:
            self.active.discard(id(node))

    def scalar(self, node: ScalarNode, tag: str, ptr: str) -> Any:
        v = node.value
        if tag == _STR or tag == _MERGE:  # a `<<` outside key position is just text
            return v
        if tag == _NULL:
            return None
        if tag == _BOOL and _BOOL_RE.match(v):
            return v.lower() == "true"
        if tag == _INT and _INT_RE.match(v):
            return _int(v)
        if tag == _FLOAT and (_FLOAT_RE.match(v) or _INT_RE.match(v)):
            f = float(_int(v)) if _INT_RE.match(v) else _float(v)
            if not math.isfinite(f):
                raise self.fail(ptr, f"{v!r} is not a finite number; JSON has no NaN/Infinity", node)
            return f
        if tag in (_BOOL, _INT, _FLOAT, _NULL):
            raise self.fail(ptr, f"{v!r} is not a valid !!{tag[len(_T):]}", node)
        raise self.fail(ptr, f"tag {tag} is not a JSON value (value {v[:40]!r})", node)

    def key(self, knode: Any, ptr: str) -> str:
        if isinstance(knode, ScalarNode):
            k = self.build(knode, ptr)
            if isinstance(k, str):
                return k
            what = f"key {knode.value!r} is " + {bool: "a boolean", int: "an integer",
                                                  float: "a float"}.get(type(k), "null")
        else:
            what = "key is a " + ("sequence" if isinstance(knode, SequenceNode) else "mapping")
        raise self.fail(ptr, f"{what}, but JSON object keys must be strings (quote it)", knode)

    def mapping(self, node: MappingNode, ptr: str) -> dict:
        own: dict[str, Any] = {}
        first: dict[str, Any] = {}  # key -> key node, for the duplicate message
        merged: dict[str, Any] = {}
        for knode, vnode in node.value:
            if isinstance(knode, ScalarNode) and str(knode.tag) == _MERGE:
                for src in self.merge_sources(vnode, json_pointer(ptr, "<<")):
                    for k, v in src.items():
                        merged.setdefault(k, v)  # earlier sources win, as in PyYAML
                continue
            k = self.key(knode, ptr)
            kptr = json_pointer(ptr, k)
            if k in own:
                raise self.fail(kptr, f"duplicate key {k!r} (first at {_where(first[k])})", knode)
            first[k] = knode
            own[k] = self.build(vnode, kptr)
        return {**merged, **own} if merged else own  # explicit keys override merged ones

    def merge_sources(self, vnode: Any, ptr: str) -> list[dict]:
        nodes = vnode.value if isinstance(vnode, SequenceNode) else [vnode]
        out = [self.build(n, ptr) for n in nodes]
        if not all(isinstance(x, dict) for x in out):
            raise self.fail(ptr, "merge key '<<' needs a mapping or a list of mappings", vnode)
        return out


def _load_yaml(text: str, name: str) -> Any:
    try:
        docs = _yaml().compose_all(text)
        try:
            root = next(docs, None)
            second = next(docs, None)
        finally:
            docs.close()
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = "; ".join(x for x in (e.context, e.problem) if x)
        raise DocumentError(name, "", f"YAML syntax error{where}: {what}") from None
    except YAMLError as e:
        raise DocumentError(name, "", f"YAML error: {e}") from None
    except RecursionError:
        raise DocumentError(name, "", "nesting too deep") from None
    if second is not None:
        raise DocumentError(name, "", "multiple YAML documents in one file (the second starts at "
                                      f"{_where(second)}); a file must hold exactly one")
    if root is None or (isinstance(root, ScalarNode) and str(root.tag) == _NULL
                        and root.value == "" and not root.style):
        raise DocumentError(name, "", "empty document")
    try:
        return _Builder(name).build(root, "")
    except RecursionError:
        raise DocumentError(name, "", "nesting too deep") from None


class _DupDict(dict):
    """Marks a JSON object that had a repeated key; found (with its pointer) by _check_json."""

    dup: str = ""


def _pairs(items: list[tuple[str, Any]]) -> dict:
    d = dict(items)
    if len(d) == len(items):
        return d
    seen: set[str] = set()
    d = _DupDict(d)
    d.dup = next(k for k, _ in items if k in seen or seen.add(k))  # type: ignore[func-returns-value]
    return d


def _check_json(v: Any, ptr: str, name: str) -> None:
    """json.loads' hooks carry no position, so walk once to name where a problem is."""
    if isinstance(v, dict):
        if isinstance(v, _DupDict):
            raise DocumentError(name, json_pointer(ptr, v.dup), f"duplicate key {v.dup!r}")
        for k, x in v.items():
            _check_json(x, json_pointer(ptr, k), name)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            _check_json(x, json_pointer(ptr, i), name)
    elif isinstance(v, float) and not math.isfinite(v):
        raise DocumentError(name, ptr, f"{v} is not a finite number; JSON has no NaN/Infinity")
    elif not isinstance(v, (str, int, float, bool, type(None))):
        raise DocumentError(name, ptr, f"{type(v).__name__} value {v!s} is not a JSON value")


_JSON_TOKEN_OR_COMMENT = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/', re.S)


def _strip_comments(text: str) -> str:
    """JSON with // and /* */ comments (tsconfig and friends): drop comments, keep strings."""
    return _JSON_TOKEN_OR_COMMENT.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", text)


def _load_json(text: str, name: str) -> Any:
    if not text.strip():
        raise DocumentError(name, "", "empty document")
    try:
        try:
            value = json.loads(text, object_pairs_hook=_pairs)
        except json.JSONDecodeError:
            if "//" not in text and "/*" not in text:
                raise
            value = json.loads(_strip_comments(text), object_pairs_hook=_pairs)
    except json.JSONDecodeError as e:
        raise DocumentError(name, "", f"JSON syntax error at line {e.lineno}, column {e.colno}: "
                                      f"{e.msg}") from None
    except RecursionError:
        raise DocumentError(name, "", "nesting too deep") from None
    _check_json(value, "", name)
    return value


def load_document_text(text: str, name: str = "<text>", fmt: str | None = None) -> Any:
    """Parse in-memory text as "yaml", "json", or (None) whichever it looks like.

    Guessing: text starting with `{` or `[` that parses as strict JSON is JSON; anything else
    goes through YAML (a superset of JSON, so a failed JSON guess still gets a fair reading).
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if fmt == "json":
        return _load_json(text, name)
    if fmt == "yaml":
        return _load_yaml(text, name)
    if fmt is not None:
        raise ValueError(f"fmt must be 'yaml', 'json' or None, not {fmt!r}")
    if text.lstrip()[:1] in ("{", "["):
        try:
            value = json.loads(text, object_pairs_hook=_pairs)
        except (json.JSONDecodeError, RecursionError):
            return _load_yaml(text, name)
        _check_json(value, "", name)
        return value
    return _load_yaml(text, name)


def load_document(path: str | Path) -> Any:
    """Read one file as a JSON value: .json strictly as JSON, .yml/.yaml as YAML 1.2, other
    suffixes by content. Raises DocumentError (file, JSON pointer, reason) on anything that is
    not exactly one JSON value."""
    p = Path(path)
    name = str(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise DocumentError(name, "", f"cannot read file: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DocumentError(name, "", f"not UTF-8 text (bad byte at offset {e.start})") from None
    suffix = p.suffix.lower()
    if suffix in TOML_SUFFIXES:
        import tomllib
        try:
            value = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise DocumentError(name, "", f"TOML syntax error: {e}") from None
        _check_json(value, "", name)  # TOML dates and times are not JSON values
        return value
    fmt = "json" if suffix in JSON_SUFFIXES else "yaml" if suffix in YAML_SUFFIXES else None
    return load_document_text(text, name, fmt)


# YAML 1.1 readers (PyYAML, many CI tools) turn these plain scalars into booleans or null;
# quoting them keeps a dumped document meaning the same everywhere.
# Characters a YAML plain, single-quoted or block scalar cannot hold as they are: outside YAML's
# printable set, or read as line breaks (CR, NEL, LS, PS) or a byte-order mark.
_NEEDS_ESCAPES = re.compile("[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_AMBIGUOUS = re.compile(r"(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|~|null|Null|NULL"
                        r"|true|True|TRUE|false|False|FALSE|[-+]?[0-9][0-9_:.eExXoObB+-]*|\.\w+|)\Z")


def dumps_document(doc: Any, fmt: str = "yaml") -> str:
    """Text of a JSON value as "json" (indented) or "yaml" (block style, key order kept)."""
    if fmt == "json":
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if fmt != "yaml":
        raise ValueError(f"fmt must be 'yaml' or 'json', not {fmt!r}")
    import io

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False
    yaml.width = 4096
    yaml.allow_unicode = True

    def represent_str(representer, value: str):
        style = None
        if _NEEDS_ESCAPES.search(value):
            style = '"'  # escapes such as \x11 or \N: the only style that keeps them exact
        elif "\n" in value:
            style = "|"
        elif _AMBIGUOUS.match(value) or value != value.strip() or value[:1] in "!&*{}[]|>'\"%@`#,?:-" \
                or ": " in value or " #" in value:
            style = '"'
        return representer.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    yaml.representer.add_representer(str, represent_str)
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()
