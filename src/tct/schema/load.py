"""Find a schema (built-in name, file, or dict), index its subschemas and resolve `$ref`s.

Every subschema gets an integer id and the JSON pointer it came from, so that the compiler can
name exactly where a keyword it cannot enforce lives. A `$ref` into this document is resolved
here; one to another document goes through a `referencing` registry (the one jsonschema
uses), never the network: check-jsonschema's vendored SchemaStore copies, the JSON Schema
meta-schemas, a local folder or a registry the caller passes.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

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


def local_registry(folder=None, registry=None, default_specification=None):
    """A `referencing.Registry` that finds documents by URL, offline: in `registry` (a
    referencing.Registry), then under `folder` (by the URL's path, e.g. http://host/a/b.json ->
    folder/a/b.json), then check-jsonschema's vendored SchemaStore copies (by file name), then
    the meta-schemas. A document without `$schema` is read as `default_specification`
    (draft 7 if None)."""
    import jsonschema_specifications
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource
    from referencing.jsonschema import DRAFT7

    roots = [Path(folder)] if folder is not None else []

    def retrieve(uri: str):
        path = unquote(urlparse(uri).path).lstrip("/")
        stem = Path(path).stem  # SchemaStore URLs: name.json, name-2.0.json, github-workflow.json
        names = {stem, re.sub(r"-v?[0-9.]+$", "", stem)}
        names |= {_ALIASES[n] for n in list(names) if n in _ALIASES}
        candidates = [r / path for r in roots] + [_vendor_dir() / f"{n}.json" for n in sorted(names)]
        for c in candidates:
            if path and c.is_file():
                try:
                    return Resource.from_contents(json.loads(c.read_text(encoding="utf-8")),
                                                  default_specification=default_specification or DRAFT7)
                except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                    break
        raise NoSuchResource(ref=uri)

    base = Registry(retrieve=retrieve).combine(jsonschema_specifications.REGISTRY)
    return base.combine(registry) if registry is not None else base


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
    bases: list = field(default_factory=list)         # id -> base URI its relative refs use
    uri: str = ""                                     # this document's own URI ("" if none)
    registry: object = None                           # referencing.Registry for other documents

    def node_id(self, obj, pointer: str, base: str | None = None) -> int:
        key = id(obj) if isinstance(obj, dict) else ("bool", obj)
        nid = self._ids.get(key)
        if nid is None:
            nid = len(self.nodes)
            self._ids[key] = nid
            self.nodes.append(_plain_unevaluated(obj, self.draft) if isinstance(obj, dict) else obj)
            self.pointers.append(pointer)
            base = self.uri if base is None else base
            sid = obj.get("$id") if isinstance(obj, dict) and nid else None
            if self.draft not in MODERN_DRAFTS and isinstance(obj, dict) and "$ref" in obj:
                sid = None  # before 2019-09 a $ref hides its siblings, $id included
            if isinstance(sid, str) and not sid.startswith("#"):
                base = urljoin(base, urldefrag(sid)[0])  # a subschema with its own $id
            self.bases.append(base)
        return nid

    @property
    def modern(self) -> bool:
        return self.draft in MODERN_DRAFTS

    def resolve(self, ref: str, at: str, base: str | None = None) -> int:
        """Id of the node a `$ref` found under base URI `base` points to."""
        base = self.uri if base is None else base
        if base == self.uri and ref.startswith("#"):
            return self._resolve_local(ref, at)
        target, frag = urldefrag(urljoin(base, ref))
        if target == self.uri and (base == self.uri or not ref.startswith("#")):
            return self._resolve_local("#" + frag, at)
        if self.registry is None:
            raise SchemaError(at, f"$ref {ref!r} points to another document; pass a registry "
                                  f"(a folder or a referencing.Registry) to resolve it", "$ref")
        from referencing.exceptions import Unresolvable
        try:
            resolved = self.registry.resolver(base_uri=base).lookup(ref)
        except Unresolvable as exc:
            raise SchemaError(at, f"$ref {ref!r} cannot be resolved: {exc}", "$ref") from None
        except Exception as exc:  # a malformed remote document
            raise SchemaError(at, f"$ref {ref!r} cannot be resolved: {type(exc).__name__}: {exc}", "$ref") from None
        if not isinstance(resolved.contents, (dict, bool)):
            raise SchemaError(at, f"$ref {ref!r} does not point to a schema", "$ref")
        return self.node_id(resolved.contents, f"{target}#{frag}", base=target)

    def _resolve_local(self, ref: str, at: str) -> int:
        if ref in self._anchors:
            return self._anchors[ref]
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


_IN_PLACE = ("allOf", "anyOf", "oneOf", "if", "then", "else", "$ref", "$dynamicRef", "$recursiveRef",
             "dependentSchemas", "dependencies")


def _plain_unevaluated(node: dict, draft: str) -> dict:
    """`unevaluatedProperties`/`unevaluatedItems` next to no in-place applicator only see the
    keywords beside them: then they are exactly `additionalProperties` / the items after the
    tuple, and are rewritten so. With applicators they stay, and the compiler refuses them."""
    if draft not in MODERN_DRAFTS or any(k in node for k in _IN_PLACE):
        return node
    out = node
    if "unevaluatedProperties" in node:
        out = {k: v for k, v in out.items() if k != "unevaluatedProperties"}
        out.setdefault("additionalProperties", node["unevaluatedProperties"])
    if "unevaluatedItems" in node and "contains" not in node:
        rest = node["unevaluatedItems"]
        out = {k: v for k, v in out.items() if k != "unevaluatedItems"}
        if draft == "2020-12" or not isinstance(node.get("items"), list):
            out.setdefault("items", rest)
        else:
            out.setdefault("additionalItems", rest)
    return out


def draft_of(root) -> str:
    """The draft a schema declares in `$schema` (draft 7 when it names none)."""
    draft = "draft-07"
    if isinstance(root, dict):
        uri = str(root.get("$schema", ""))
        for d in ("draft-04", "draft-06", "draft-07", "2019-09", "2020-12"):
            if d in uri:
                draft = d
    return draft


def index_schema(root, registry=None) -> SchemaIndex:
    """`registry`: None (local refs only), a folder, or a referencing.Registry."""
    if not isinstance(root, (dict, bool)):
        raise SchemaError("", "a schema must be an object or a boolean")
    draft = draft_of(root)
    own = ""
    if isinstance(root, dict):
        sid = root.get("$id", root.get("id"))
        own = urldefrag(sid)[0] if isinstance(sid, str) and not sid.startswith("#") else ""
    idx = SchemaIndex(root=root, draft=draft, uri=own)
    # Other documents: the caller's registry or folder, vendored schemas, meta-schemas.
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7, specification_with
    spec = specification_with(root.get("$schema", "") if isinstance(root, dict) else "", default=DRAFT7)
    reg = local_registry(None if isinstance(registry, Registry) else registry,
                         registry if isinstance(registry, Registry) else None, spec)
    idx.registry = reg.with_resource(own or "urn:tct:schema", Resource(contents=root, specification=spec))
    try:
        idx.registry = idx.registry.crawl()  # embedded $id resources
    except Exception:  # noqa: BLE001 - referencing cannot walk some odd schemas; local refs still work
        pass
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


def schema_patterns(node) -> set[str]:
    """Every `pattern` and `patternProperties` key written anywhere in a schema."""
    out, stack = set(), [node]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                out.add(node["pattern"])
            if isinstance(node.get("patternProperties"), dict):
                out.update(node["patternProperties"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return out
