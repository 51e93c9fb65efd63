"""Find a schema (built-in name, file, or dict), index its subschemas and resolve local `$ref`s.

Every subschema gets an integer id and the JSON pointer it came from, so that the compiler can
name exactly where a keyword it cannot enforce lives.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from tct.errors import SchemaError

# check-jsonschema vendors SchemaStore copies; these names map onto its files.
_ALIASES = {
    "github-workflow": "github-workflows",
    "github-workflows": "github-workflows",
    "github-action": "github-actions",
    "github-actions": "github-actions",
}

MODERN_DRAFTS = ("2019-09", "2020-12")


def _vendor_dir() -> Path:
    import check_jsonschema

    return Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor"


def builtin_names() -> list[str]:
    return sorted(p.stem for p in _vendor_dir().glob("*.json"))


def read_schema(source) -> tuple[dict | bool, str]:
    """Return (schema, name) for a built-in name, a path, or an already parsed schema."""
    if isinstance(source, (dict, bool)):
        return source, "<dict>"
    text = str(source)
    path = Path(text)
    if not path.exists():
        stem = _ALIASES.get(text, text)
        candidate = _vendor_dir() / f"{stem}.json"
        if not candidate.exists():
            raise SchemaError("", f"no schema file {text!r} and no built-in schema of that name "
                                  f"(built-ins: {', '.join(builtin_names())})")
        path, name = candidate, text
    else:
        name = path.name
    try:
        return json.loads(path.read_text(encoding="utf-8")), name
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SchemaError("", f"cannot read schema {path}: {exc}") from None


def schema_sha256(schema) -> str:
    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()


def _pointer_escape(part: str) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


@dataclass
class SchemaIndex:
    """All subschemas of one root, by id; id 0 is the root."""

    root: dict | bool
    draft: str
    nodes: list = field(default_factory=list)        # id -> dict | bool
    pointers: list = field(default_factory=list)     # id -> JSON pointer
    _ids: dict = field(default_factory=dict)          # id(obj) -> node id
    _anchors: dict = field(default_factory=dict)      # "$id"/"$anchor" fragment -> node id

    def node_id(self, obj, pointer: str) -> int:
        key = id(obj) if isinstance(obj, dict) else ("bool", obj)
        nid = self._ids.get(key)
        if nid is None:
            nid = len(self.nodes)
            self._ids[key] = nid
            self.nodes.append(obj)
            self.pointers.append(pointer)
        return nid

    @property
    def modern(self) -> bool:
        return self.draft in MODERN_DRAFTS

    def resolve(self, ref: str, at: str) -> int:
        """Id of the node a local `$ref` points to."""
        if ref in self._anchors:
            return self._anchors[ref]
        if not ref.startswith("#"):
            raise SchemaError(at, f"$ref {ref!r} points outside this document; only local refs are supported",
                              "$ref")
        target = self.root
        pointer = "#"
        frag = ref[1:]
        if frag and not frag.startswith("/"):
            if "#" + frag in self._anchors:
                return self._anchors["#" + frag]
            raise SchemaError(at, f"$ref {ref!r}: unknown anchor", "$ref")
        for raw in (frag.split("/")[1:] if frag else []):
            part = unquote(raw).replace("~1", "/").replace("~0", "~")
            try:
                target = target[int(part)] if isinstance(target, list) else target[part]
            except (KeyError, IndexError, ValueError, TypeError):
                raise SchemaError(at, f"$ref {ref!r} does not resolve", "$ref") from None
            pointer += "/" + _pointer_escape(part)
        if not isinstance(target, (dict, bool)):
            raise SchemaError(at, f"$ref {ref!r} does not point to a schema", "$ref")
        return self.node_id(target, pointer)


def index_schema(root) -> SchemaIndex:
    if not isinstance(root, (dict, bool)):
        raise SchemaError("", "a schema must be an object or a boolean")
    draft = "draft-07"
    if isinstance(root, dict):
        uri = str(root.get("$schema", ""))
        for d in ("draft-04", "draft-06", "draft-07", "2019-09", "2020-12"):
            if d in uri:
                draft = d
    idx = SchemaIndex(root=root, draft=draft)
    idx.node_id(root, "#")
    # Anchors ($id "#foo" in old drafts, $anchor in new ones) for refs by name.
    stack = [(root, "#")]
    while stack:
        obj, ptr = stack.pop()
        if isinstance(obj, dict):
            anchor = obj.get("$anchor")
            if isinstance(anchor, str):
                idx._anchors["#" + anchor] = idx.node_id(obj, ptr)
            sid = obj.get("$id", obj.get("id"))
            if isinstance(sid, str) and sid.startswith("#") and len(sid) > 1:
                idx._anchors[sid] = idx.node_id(obj, ptr)
            for k, v in obj.items():
                if k in ("enum", "const", "default", "examples"):
                    continue
                if isinstance(v, (dict, list)):
                    stack.append((v, f"{ptr}/{_pointer_escape(k)}"))
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                if isinstance(v, (dict, list)):
                    stack.append((v, f"{ptr}/{i}"))
    return idx
