"""The findings catalog is the one source of finding ids and wording.

- every id the code can emit is in rules/findings.toml (the ids are collected from the source);
- every entry is complete; the README's table is the catalog's;
- `segamp rules` and `segamp explain ID` work.
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from segamp.core import findings
from segamp.explain import readme_table

ROOT = Path(__file__).resolve().parent.parent
# functions whose first argument is a finding id
EMITTERS = {"make", "_issue", "Issue", "found", "finding", "report", "leave_with", "block", "_finding"}


def emitted_ids() -> dict[str, str]:
    out: dict[str, str] = {}
    for path in (ROOT / "segamp").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""
            first = node.args[0]
            if name in EMITTERS and isinstance(first, ast.Constant) and isinstance(first.value, str) \
                    and re.fullmatch(r"[a-z][a-z0-9-]*", first.value):
                out.setdefault(first.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return out


def test_every_emitted_id_is_in_the_catalog():
    ids = emitted_ids()
    assert len(ids) > 20, "the collector found too few ids: did the emitter names change?"
    missing = {rid: where for rid, where in ids.items() if rid not in findings.catalog()}
    assert not missing, f"finding ids used in code but missing from rules/findings.toml: {missing}"


def test_no_language_prefixed_ids():
    for rid in emitted_ids():
        assert "/" not in rid, rid


def test_catalog_entries_are_complete():
    for rid, e in findings.catalog().items():
        assert e["kind"] in ("converted", "manual", "unsupported"), rid
        for key in ("title", "message", "why", "safety"):
            assert e.get(key), f"{rid} lacks {key}"
        assert e["safety"] in ("safe", "documented", "none"), rid


def test_catalog_entries_are_used():
    unused = set(findings.catalog()) - set(emitted_ids())
    assert not unused, f"catalog entries nothing emits (remove them or emit them): {sorted(unused)}"


def test_readme_table_is_the_catalog():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- findings:start -->\n(.*?)\n<!-- findings:end -->", text, re.S)
    assert m, "README has no findings table markers"
    assert m.group(1) == readme_table(), "README findings table is stale: regenerate it from segamp.explain.readme_table()"


def test_make_uses_catalog_wording():
    f = findings.make("write-key-expression", 3, 5, "python", text="settings.KEY")
    assert f.kind.value == "manual" and "settings.KEY" in f.message and f.language == "python"
    with pytest.raises(findings.UnknownRule):
        findings.make("no-such-id", 1, 1)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "segamp", *args], capture_output=True, text=True, cwd=ROOT)


def test_cli_rules_lists_catalog_and_mapping():
    out = _cli("rules")
    assert out.returncode == 0, out.stderr
    for rid in findings.catalog():
        assert rid in out.stdout
    assert "Viewed {name}" in out.stdout and "[Segment] Group" in out.stdout
    assert "@amplitude/analytics-browser" in out.stdout and "amplitude-analytics" in out.stdout
    # every source SDK segamp migrates has its mapping listed (a method may have a second row:
    # the case of it that is left, e.g. browser setAnonymousId() without an id)
    for sdk in ("browser", "node", "react_native", "react_native_v1", "python"):
        assert f"Mapping in force: Segment {sdk} →" in out.stdout


def test_cli_rules_reflects_config(tmp_path):
    cfg = tmp_path / "segamp.toml"
    cfg.write_text('group_type = "company"\npage_event = "Viewed {name} Page"\n')
    out = _cli("rules", "--config", str(cfg))
    assert out.returncode == 0, out.stderr
    assert "'company'" in out.stdout and "Viewed {name} Page" in out.stdout


def test_cli_explain():
    out = _cli("explain", "alias")
    assert out.returncode == 0 and "User Mapping API" in out.stdout and "kind: manual" in out.stdout
    bad = _cli("explain", "no-such-id")
    assert bad.returncode == 2 and "no finding" in bad.stderr and "Traceback" not in bad.stderr


def test_a_report_shows_the_mapping_of_the_targets_its_clients_become():
    from segamp.explain import TARGETS, targets_for

    assert targets_for({"@segment/analytics-react-native"}) == {"react_native"}
    assert targets_for({"segment-analytics-python", "@segment/analytics-next"}) == {"python", "browser"}
    assert targets_for(set()) == set(TARGETS.values())   # no client known (Swift only): all of them
