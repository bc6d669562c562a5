"""The shape design.md asks for, checked: mapping decisions live only in the core mapping,
modules stay small, functions stay short."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "segamp"
# Config fields that are mapping decisions: only segamp/core/mapping.py may read them.
MAPPING_OPTIONS = {"page_event", "screen_event", "group_type", "page_context_properties", "api_key_env", "min_id_length"}
MAPPING_ONLY = {PACKAGE / "core" / "mapping.py", PACKAGE / "config.py"}
FRONT_ENDS = [PACKAGE / "languages", PACKAGE / "manifests", PACKAGE / "render"]
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 80


def _sources(*roots: Path):
    for root in roots:
        yield from sorted(root.rglob("*.py")) if root.is_dir() else [root]


def test_only_the_mapping_reads_mapping_options():
    offenders = []
    for path in _sources(PACKAGE):
        if path in MAPPING_ONLY:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in MAPPING_OPTIONS and _is_config(node.value):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} reads .{node.attr}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr" and \
                    len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and node.args[1].value in MAPPING_OPTIONS:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} getattr {node.args[1].value}")
    assert not offenders, "mapping options read outside segamp/core/mapping.py:\n" + "\n".join(offenders)


def _is_config(node: ast.AST) -> bool:
    """config.x, self.config.x, ctx.config.x, cfg.x: a Config, not a Plan field of the same name."""
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return name.lower() in ("config", "cfg", "conf", "_config", "settings_config")


def test_front_ends_build_no_event_names_and_rename_no_keys():
    offenders = []
    for path in _sources(*FRONT_ENDS):
        text = path.read_text(encoding="utf-8")
        for needle in ("Viewed ", "rename_env_var", "SEGMENT_WRITE", "AMPLITUDE_API_KEY", "[Segment] Group"):
            if needle in text:
                offenders.append(f"{path.relative_to(ROOT)} contains {needle!r}")
    assert not offenders, "mapping decisions in a front end or printer:\n" + "\n".join(offenders)


def test_modules_are_small():
    big = [f"{p.relative_to(ROOT)}: {n} lines" for p in _sources(PACKAGE)
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]
    assert not big, "modules over ~800 lines:\n" + "\n".join(big)


def test_functions_are_short():
    long_ = []
    for path in _sources(PACKAGE):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    long_.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {n} lines")
    assert not long_, "functions over 80 lines:\n" + "\n".join(long_)
