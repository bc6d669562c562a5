"""Which project module an import names, and what it exports (JavaScript / TypeScript).

Exports are recorded per module key (absolute path without extension; a folder for its
index file) in ProjectContext.exports. A barrel's re-exports (`export { x } from './a'`,
`export * from './a'`) are recorded as references and followed when a name is looked up, so
the result never depends on the order in which files were indexed. Import specifiers resolve
as relative paths, through the nearest tsconfig.json / jsconfig.json `paths` (and baseUrl), and
last by a unique path suffix (`@/lib/analytics`) when neither names a file of the project; a
suffix that matches several modules is reported by the caller, never guessed.
"""
from __future__ import annotations

import functools
import json
import os
import re
from typing import Optional

from ..reads import export_keys_ending

MODULE_EXTS = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
CONFIG_NAMES = ("tsconfig.json", "jsconfig.json")
STAR = "*from:"          # exported-name prefix of an `export * from` reference
ACCEPTS = "accepts:"     # exported-name prefix of a function's typed client parameters


def module_keys(path: str) -> list[str]:
    base, _ = os.path.splitext(os.path.abspath(path))
    keys = [base]
    if os.path.basename(base) == "index":
        keys.append(os.path.dirname(base))
    return keys


def strip_ext(path: str) -> str:
    return os.path.splitext(path)[0] if path.endswith(MODULE_EXTS) else path


def relative_key(from_path: str, spec: str) -> str:
    return strip_ext(os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(from_path)), spec)))


# --- tsconfig / jsconfig paths ------------------------------------------------------------------
_COMMENT = re.compile(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', re.S)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


@functools.lru_cache(maxsize=256)
def _read_config(path: str) -> dict:
    """paths and the folder they are relative to ("_base") from a tsconfig (comments and trailing
    commas allowed, as tsc does), following a relative `extends` for them."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        data = json.loads(_TRAILING_COMMA.sub(r"\1", _COMMENT.sub(lambda m: m.group(1) or "", text)))
    except (OSError, ValueError):
        return {}
    options = data.get("compilerOptions") or {}
    here = os.path.dirname(path)
    out = {"paths": options.get("paths") or {}, "baseUrl": options.get("baseUrl"),
           "_base": os.path.normpath(os.path.join(here, options.get("baseUrl") or "."))}
    parent = data.get("extends")
    if isinstance(parent, str) and parent.startswith(".") and not out["paths"]:
        parent = os.path.normpath(os.path.join(here, parent))
        inherited = _read_config(parent if parent.endswith(".json") else parent + ".json")
        if inherited.get("paths"):
            out = dict(inherited, baseUrl=out["baseUrl"] or inherited.get("baseUrl"))
    return out


def _nearest_config(path: str, roots: tuple[str, ...]) -> Optional[str]:
    folder = os.path.dirname(os.path.abspath(path))
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                return candidate
        parent = os.path.dirname(folder)
        if parent == folder or any(os.path.abspath(r) == folder for r in roots):
            return None
        folder = parent


def alias_targets(path: str, spec: str, roots: tuple[str, ...]) -> list[str]:
    """Module keys a non-relative specifier names through the tsconfig `paths` in force."""
    config = _nearest_config(path, roots)
    if config is None:
        return []
    options = _read_config(config)
    paths = options.get("paths") or {}
    base = options.get("_base", "")
    out = []
    for pattern, targets in paths.items():
        if not isinstance(targets, list):
            continue
        if "*" in pattern:
            head, _, tail = pattern.partition("*")
            if not (spec.startswith(head) and spec.endswith(tail) and len(spec) >= len(head) + len(tail)):
                continue
            middle = spec[len(head):len(spec) - len(tail)]
            out += [strip_ext(os.path.normpath(os.path.join(base, t.replace("*", middle)))) for t in targets]
        elif pattern == spec:
            out += [strip_ext(os.path.normpath(os.path.join(base, t))) for t in targets]
    if options.get("baseUrl") and not out:
        out.append(strip_ext(os.path.normpath(os.path.join(base, spec))))
    return out


# --- lookups ------------------------------------------------------------------------------------
def _known(exports, key: str) -> bool:
    return key in exports or bool(disk_reexports(key))


def resolve_module(exports, path: str, spec: str, roots: tuple[str, ...]) -> tuple[Optional[str], list[str]]:
    """(module key, []) for the module `spec` names when it exports something; (None, hits)
    when a path suffix matches several modules."""
    if spec.startswith("."):
        key = relative_key(path, spec)
        return (key if _known(exports, key) else None), []
    targets = alias_targets(path, spec, roots)
    for key in targets:
        if _known(exports, key):
            return key, []
    if any(module_file(key) for key in targets):
        return None, []   # the alias names a module of the project that exports no client
    # Path aliases without a config we can read (@/lib/analytics, ~/lib/analytics): by suffix.
    tail = re.sub(r"^(@|~|#)/", "", spec)
    hits = export_keys_ending(exports, ("/" + tail,))
    if len(hits) == 1:
        return hits[0], []
    return None, hits if len(hits) > 1 else []


def lookup(exports, key: str, name: str, seen: Optional[set] = None) -> Optional[dict]:
    """What module `key` exports as `name`, following re-exports."""
    seen = seen if seen is not None else set()
    if (key, name) in seen:
        return None
    seen.add((key, name))
    table = exports.get(key)
    if table is None:
        table = disk_reexports(key)
    if not table:
        return None
    entry = table.get(name)
    if entry is not None and entry.get("t") == "reexport":
        return lookup(exports, entry["from"], entry["name"], seen)
    if entry is not None:
        return entry
    if name == "default":
        return None
    for ref_name, ref in table.items():   # export * from './a' never re-exports a default
        if ref_name.startswith(STAR):
            hit = lookup(exports, ref["from"], name, seen)
            if hit is not None:
                return hit
    return None


def module_file(key: str) -> Optional[str]:
    """The file a module key names (key.ts, …, key/index.ts, …), if there is one."""
    for candidate in [key + ext for ext in MODULE_EXTS] + [os.path.join(key, "index" + ext) for ext in MODULE_EXTS]:
        if os.path.isfile(candidate):
            return candidate
    return None


_REEXPORT = re.compile(r"""^\s*export\s+(?:type\s+)?(\*|\{([^}]*)\})\s*from\s*['"]([^'"]+)['"]""", re.M)


def disk_reexports(key: str) -> dict[str, dict]:
    """The re-exports of a barrel no marker made a candidate (`export { useAnalytics } from
    '../context'` names no Segment word): read from the file itself, which is small and only
    read when an import of a client module goes through it."""
    candidate = module_file(key)
    if candidate is None:
        return {}
    try:
        with open(candidate, encoding="utf-8") as fh:
            text = fh.read(200_000)
    except (OSError, UnicodeDecodeError):
        return {}
    out: dict[str, dict] = {}
    for m in _REEXPORT.finditer(text):
        if not m.group(3).startswith("."):
            continue
        target = relative_key(candidate, m.group(3))
        if m.group(1) == "*":
            out[STAR + target] = {"t": "star", "from": target}
            continue
        for part in m.group(2).split(","):
            names = part.strip().split(" as ")
            if names[0].strip():
                local, exported = names[0].strip(), names[-1].strip()
                out[exported] = {"t": "reexport", "from": target, "name": local}
                out[ACCEPTS + exported] = {"t": "reexport", "from": target, "name": ACCEPTS + local}
    return out


def reexports(text, stmt, path: str, roots: tuple[str, ...], exports) -> dict[str, dict]:
    """The references an `export … from '…'` statement adds to its module's table."""
    from .syntax import import_source

    spec = import_source(stmt)
    if not spec:
        return {}
    target = relative_key(path, spec) if spec.startswith(".") else next(iter(alias_targets(path, spec, roots)), None)
    if target is None:
        return {}
    clause = next((c for c in stmt.named_children if c.type == "export_clause"), None)
    if clause is None:
        if any(c.type == "namespace_export" for c in stmt.named_children):
            return {}   # export * as ns from: a namespace object, not followed
        return {STAR + target: {"t": "star", "from": target}}
    out = {}
    for spec_node in clause.named_children:
        if spec_node.type != "export_specifier":
            continue
        local = spec_node.child_by_field_name("name")
        exported = spec_node.child_by_field_name("alias") or local
        out[text(exported)] = {"t": "reexport", "from": target, "name": text(local)}
        out[ACCEPTS + text(exported)] = {"t": "reexport", "from": target, "name": ACCEPTS + text(local)}
    return out


# --- what one file exports ----------------------------------------------------------------------
def file_exports(jf) -> dict[str, dict]:
    """The export table of a bound JsFile: kinds (as JSON), typed client parameters of exported
    functions (ACCEPTS + name) and re-export references."""
    from .kinds import kind_to_json

    out: dict[str, dict] = {}

    def put(name: str, ident) -> None:
        kind = jf.kinds.get(ident.id) if ident.type == "identifier" else None
        if kind is None and ident.type == "identifier":
            kind = jf.kind_of(ident)
        if kind is not None and kind_to_json(kind):
            out[name] = kind_to_json(kind)
        slots = jf.accepts.get(ident.id) or (jf.accepts_of(ident) if ident.type == "identifier" else None)
        if slots:
            out[ACCEPTS + name] = {"t": "accepts", "slots": sorted(slots)}

    for stmt in jf.root.named_children:
        if stmt.type == "expression_statement":
            _commonjs_export(jf, stmt, out)
        if stmt.type != "export_statement":
            continue
        if stmt.child_by_field_name("source") is not None:
            out.update(reexports(jf.text, stmt, jf.path, tuple(jf.ctx.roots), jf.ctx.exports))
            continue
        decl = stmt.child_by_field_name("declaration")
        value = stmt.child_by_field_name("value")
        is_default = any(c.type == "default" for c in stmt.children)
        if decl is not None and decl.type in ("lexical_declaration", "variable_declaration"):
            for d in decl.named_children:
                if d.type == "variable_declarator" and d.child_by_field_name("name").type == "identifier":
                    put(jf.text(d.child_by_field_name("name")), d.child_by_field_name("name"))
        elif decl is not None and decl.child_by_field_name("name") is not None:   # function, class
            name = decl.child_by_field_name("name")
            put("default" if is_default else jf.text(name), name)
        elif value is not None and is_default:
            k = jf.kind_of(value)
            if k is not None and kind_to_json(k):
                out["default"] = kind_to_json(k)
            if value.type == "identifier":
                put("default", value)
        else:
            clause = next((c for c in stmt.named_children if c.type == "export_clause"), None)
            for spec in clause.named_children if clause else []:
                local = spec.child_by_field_name("name") if spec.type == "export_specifier" else None
                if local is not None and local.type == "identifier":
                    put(jf.text(spec.child_by_field_name("alias") or local), local)
    return out


def _commonjs_export(jf, stmt, out: dict) -> None:
    from .kinds import kind_to_json

    expr = stmt.named_children[0] if stmt.named_children else None
    if expr is None or expr.type != "assignment_expression":
        return
    left = jf.text(expr.child_by_field_name("left"))
    k = jf.kind_of(expr.child_by_field_name("right"))
    if k is None or not kind_to_json(k):
        return
    if left == "module.exports":
        out["default"] = kind_to_json(k)
    elif left.startswith(("exports.", "module.exports.")):
        out[left.rsplit(".", 1)[1]] = kind_to_json(k)
