"""Which manifest keeps the Segment package: each one decides from the code it governs.

A manifest governs the code files whose nearest folder holding a manifest (of its ecosystem) is
its own; a file under no manifest's folder counts for every manifest. A manifest that keeps a
Segment package (code it governs still uses it) while code it governs was converted also lists
the Amplitude package, right after the kept entry and written as the swap would have written it.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from segamp.config import Config, load_config
from segamp.edits import apply_edits
from segamp.engine import Engine
from segamp.languages.base import ProjectContext
from segamp.manifests import ManifestScope
from segamp.manifests.package_json import PackageJsonHandler
from segamp.manifests.python_deps import LooseRequirementsHandler, PythonManifestHandler
from segamp.source import decode

PY = "segment-analytics-python"
NODE = "@segment/analytics-node"


def _run(handler, path: Path, text: str, scope: ManifestScope) -> tuple[str, list]:
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = text.encode()
    path.write_bytes(raw)
    source = decode(str(path), raw)
    ctx = ProjectContext(config=Config(), roots=[str(path.parent)])
    ctx.manifest_scopes = {os.path.abspath(str(path)): scope}
    analysis = handler.analyze(source, ctx)
    return apply_edits(source, analysis.edits), analysis.findings


KEEP_PY_ADD = ManifestScope(kept=frozenset({PY}), add=frozenset({"amplitude-analytics"}))
KEEP_NODE_ADD = ManifestScope(kept=frozenset({NODE}), add=frozenset({"@amplitude/analytics-node"}))


# --- the added entry, per manifest format ------------------------------------------------------
@pytest.mark.parametrize("name, before, after", [
    ("requirements.txt",
     "flask>=3\nsegment-analytics-python==2.3.2  # pinned\nredis\n",
     "flask>=3\nsegment-analytics-python==2.3.2  # pinned\namplitude-analytics>=1.3.0\nredis\n"),
    ("requirements.txt",   # markers are kept, a bare name stays bare (what the swap writes)
     "segment-analytics-python ; python_version >= '3.8'\n",
     "segment-analytics-python ; python_version >= '3.8'\namplitude-analytics ; python_version >= '3.8'\n"),
    ("requirements.txt",   # the last line without a newline
     "flask\nsegment-analytics-python>=2.2",
     "flask\nsegment-analytics-python>=2.2\namplitude-analytics>=1.3.0"),
    ("requirements-dev.in",
     "  segment-analytics-python>=2.2\n",
     "  segment-analytics-python>=2.2\n  amplitude-analytics>=1.3.0\n"),
    ("pyproject.toml",     # PEP 621, one line
     '[project]\nname = "x"\ndependencies = ["flask", "segment-analytics-python>=2.3"]\n',
     '[project]\nname = "x"\ndependencies = ["flask", "segment-analytics-python>=2.3", "amplitude-analytics>=1.3.0"]\n'),
    ("pyproject.toml",     # PEP 621, one item a line, a comma after it
     '[project]\ndependencies = [\n    "segment-analytics-python>=2.3",  # why\n    "flask",\n]\n',
     '[project]\ndependencies = [\n    "segment-analytics-python>=2.3",  # why\n    "amplitude-analytics>=1.3.0",\n    "flask",\n]\n'),
    ("pyproject.toml",     # PEP 621, the last item without a comma
     "[project]\ndependencies = [\n  'flask',\n  'segment-analytics-python>=2.3'\n]\n",
     "[project]\ndependencies = [\n  'flask',\n  'segment-analytics-python>=2.3',\n  'amplitude-analytics>=1.3.0'\n]\n"),
    ("pyproject.toml",     # Poetry
     '[tool.poetry.dependencies]\npython = "^3.10"\nsegment-analytics-python = "^2.3"  # note\n',
     '[tool.poetry.dependencies]\npython = "^3.10"\nsegment-analytics-python = "^2.3"  # note\namplitude-analytics = ">=1.3.0"\n'),
    ("pyproject.toml",     # Poetry, an inline table
     '[tool.poetry.dependencies]\nsegment-analytics-python = { version = "^2.3", optional = true }\n',
     '[tool.poetry.dependencies]\nsegment-analytics-python = { version = "^2.3", optional = true }\n'
     'amplitude-analytics = { version = ">=1.3.0", optional = true }\n'),
    ("Pipfile",
     '[packages]\n"segment-analytics-python" = "*"\nflask = "*"\n',
     '[packages]\n"segment-analytics-python" = "*"\n"amplitude-analytics" = ">=1.3.0"\nflask = "*"\n'),
    ("setup.cfg",
     "[options]\ninstall_requires =\n    flask\n    segment-analytics-python>=2.2\n",
     "[options]\ninstall_requires =\n    flask\n    segment-analytics-python>=2.2\n    amplitude-analytics>=1.3.0\n"),
    ("setup.cfg",          # the one requirement on the key's line: the list continues below
     "[options]\ninstall_requires = segment-analytics-python>=2.2\n",
     "[options]\ninstall_requires = segment-analytics-python>=2.2\n    amplitude-analytics>=1.3.0\n"),
    ("setup.py",
     'from setuptools import setup\nsetup(name="x", install_requires=["segment-analytics-python>=2.2"])\n',
     'from setuptools import setup\nsetup(name="x", install_requires=["segment-analytics-python>=2.2", "amplitude-analytics>=1.3.0"])\n'),
])
def test_python_manifest_keeps_and_adds(tmp_path: Path, name: str, before: str, after: str):
    handler = LooseRequirementsHandler() if name.endswith(".in") else PythonManifestHandler()
    text, found = _run(handler, tmp_path / name, before, KEEP_PY_ADD)
    assert text == after
    assert handler.parse_error(decode(name, text.encode())) is None
    rules = sorted(f.rule for f in found)
    assert rules == ["dependency-note", "dependency-replaced"], rules
    note = next(f for f in found if f.rule == "dependency-note")
    assert "amplitude-analytics" in note.message
    added = next(f for f in found if f.rule == "dependency-replaced")
    assert "amplitude-analytics" in text.splitlines()[added.line - 1]


def test_requirements_crlf_kept(tmp_path: Path):
    text, _ = _run(PythonManifestHandler(), tmp_path / "requirements.txt",
                   "flask\r\nsegment-analytics-python>=2.2\r\nredis\r\n", KEEP_PY_ADD)
    assert text == "flask\r\nsegment-analytics-python>=2.2\r\namplitude-analytics>=1.3.0\r\nredis\r\n"


@pytest.mark.parametrize("before", [
    "segment-analytics-python>=2.2\namplitude-analytics>=1.3\n",   # listed already
])
def test_python_target_listed_is_not_added_again(tmp_path: Path, before: str):
    text, found = _run(PythonManifestHandler(), tmp_path / "requirements.txt", before, KEEP_PY_ADD)
    assert text == before
    assert [f.rule for f in found] == ["dependency-note"]


def test_python_kept_without_add_is_as_before(tmp_path: Path):
    before = "flask\nsegment-analytics-python>=2.2\n"
    text, found = _run(PythonManifestHandler(), tmp_path / "requirements.txt", before,
                       ManifestScope(kept=frozenset({PY})))
    assert text == before
    assert [f.rule for f in found] == ["dependency-note"]
    assert "added" not in found[0].message


def test_python_one_kept_one_swapped_to_the_same_target(tmp_path: Path):
    # analytics-python is swapped to amplitude-analytics: nothing more to add after the kept one
    before = "segment-analytics-python>=2.2\nanalytics-python==1.4\n"
    text, found = _run(PythonManifestHandler(), tmp_path / "requirements.txt", before, KEEP_PY_ADD)
    assert text == "segment-analytics-python>=2.2\namplitude-analytics>=1.3.0\n"
    assert text.count("amplitude-analytics") == 1


@pytest.mark.parametrize("before, after", [
    ('{\n  "dependencies": {\n    "@segment/analytics-node": "^3.1.0",\n    "express": "^4"\n  }\n}\n',
     '{\n  "dependencies": {\n    "@segment/analytics-node": "^3.1.0",\n    "@amplitude/analytics-node": "^1.5.73",\n'
     '    "express": "^4"\n  }\n}\n'),
    ('{\n\t"dependencies": {\n\t\t"express": "^4",\n\t\t"@segment/analytics-node": "^3.1.0"\n\t}\n}\n',
     '{\n\t"dependencies": {\n\t\t"express": "^4",\n\t\t"@segment/analytics-node": "^3.1.0",\n'
     '\t\t"@amplitude/analytics-node": "^1.5.73"\n\t}\n}\n'),
    ('{"dependencies": {"@segment/analytics-node":"^3.1.0","express":"^4"}}\n',
     '{"dependencies": {"@segment/analytics-node":"^3.1.0","@amplitude/analytics-node":"^1.5.73","express":"^4"}}\n'),
    ('{"dependencies": {"express": "^4", "@segment/analytics-node": "^3.1.0"}}\n',
     '{"dependencies": {"express": "^4", "@segment/analytics-node": "^3.1.0", "@amplitude/analytics-node": "^1.5.73"}}\n'),
])
def test_package_json_keeps_and_adds(tmp_path: Path, before: str, after: str):
    handler = PackageJsonHandler()
    text, found = _run(handler, tmp_path / "package.json", before, KEEP_NODE_ADD)
    assert text == after
    assert handler.parse_error(decode("package.json", text.encode())) is None
    assert sorted(f.rule for f in found) == ["dependency-note", "dependency-replaced"]
    added = next(f for f in found if f.rule == "dependency-replaced")
    line = text.splitlines()[added.line - 1]
    assert line[added.column - 1:].startswith('"@amplitude/analytics-node"')


def test_package_json_add_next_to_a_removed_last_entry(tmp_path: Path):
    # the entry after the kept one is removed with the comma before it: the two edits fit
    before = ('{\n  "dependencies": {\n    "@segment/analytics-react-native": "^2.24.1",\n'
              '    "@segment/analytics-react-native-plugin-amplitude-session": "^1"\n  }\n}\n')
    scope = ManifestScope(kept=frozenset({"@segment/analytics-react-native"}),
                          add=frozenset({"@amplitude/analytics-react-native"}))
    text, found = _run(PackageJsonHandler(), tmp_path / "package.json", before, scope)
    assert text == ('{\n  "dependencies": {\n    "@segment/analytics-react-native": "^2.24.1",\n'
                    '    "@amplitude/analytics-react-native": "^1.10.0"\n  }\n}\n')


def test_package_json_target_listed_is_not_added_again(tmp_path: Path):
    before = '{\n  "dependencies": {\n    "@amplitude/analytics-node": "^1.5.0",\n    "@segment/analytics-node": "^3.1.0"\n  }\n}\n'
    text, found = _run(PackageJsonHandler(), tmp_path / "package.json", before, KEEP_NODE_ADD)
    assert text == before
    assert [f.rule for f in found] == ["dependency-note"]


# --- the nearest-manifest rule, through the engine -----------------------------------------------
def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def _rewrite(root: Path) -> dict[str, str]:
    engine = Engine(load_config((str(root),)))
    out = {}
    for result in engine.run([str(root)]):
        if result.fs_path and result.new_text is not None:
            out[os.path.relpath(result.fs_path, root)] = result.new_text
    return out


CONVERTS = ('import os\n\nfrom segment.analytics import Client\n\nclient = Client(os.environ["SEGMENT_WRITE_KEY"])\n\n\n'
            'def signed_up(user_id):\n    client.track(user_id, "Signed Up")\n')
LEFT = ('import os\n\nfrom segment.analytics import Client\n\naudit = Client(os.environ["SEGMENT_WRITE_KEY"])\n\n\n'
        'def deleted(user_id):\n    ok, message = audit.track(user_id, "Deleted")\n    return ok\n')


def test_each_service_manifest_follows_its_own_code(tmp_path: Path):
    _write(tmp_path, {
        "services/a/requirements.txt": "segment-analytics-python>=2.2\n",
        "services/a/a/__init__.py": "", "services/a/a/track.py": CONVERTS,
        "services/b/requirements.txt": "segment-analytics-python>=2.2\n",
        "services/b/b/__init__.py": "", "services/b/b/audit.py": LEFT,
    })
    out = _rewrite(tmp_path)
    assert out["services/a/requirements.txt"] == "amplitude-analytics>=1.3.0\n"
    assert out["services/b/requirements.txt"] == "segment-analytics-python>=2.2\n"


def test_code_under_no_manifest_counts_for_every_manifest(tmp_path: Path):
    # the left client lives in a folder no manifest governs: every manifest keeps the package,
    # and the one whose service converted also lists amplitude-analytics
    _write(tmp_path, {
        "services/a/requirements.txt": "segment-analytics-python>=2.2\n",
        "services/a/a/__init__.py": "", "services/a/a/track.py": CONVERTS,
        "services/b/requirements.txt": "segment-analytics-python>=2.2\n",
        "tools/audit.py": LEFT,
    })
    out = _rewrite(tmp_path)
    assert out["services/a/requirements.txt"] == "segment-analytics-python>=2.2\namplitude-analytics>=1.3.0\n"
    assert out["services/b/requirements.txt"] == "segment-analytics-python>=2.2\n"


def test_nested_manifest_governs_its_folder_only(tmp_path: Path):
    # a root manifest and a nested one: the nested folder's left code keeps only the nested one
    _write(tmp_path, {
        "requirements.txt": "segment-analytics-python>=2.2\n",
        "app/__init__.py": "", "app/track.py": CONVERTS,
        "plugins/audit/requirements.txt": "segment-analytics-python>=2.2\n",
        "plugins/audit/audit.py": LEFT,
    })
    out = _rewrite(tmp_path)
    assert out["requirements.txt"] == "amplitude-analytics>=1.3.0\n"
    assert out["plugins/audit/requirements.txt"] == "segment-analytics-python>=2.2\n"


def test_single_manifest_nothing_left_is_a_plain_swap(tmp_path: Path):
    _write(tmp_path, {"requirements.txt": "flask\nsegment-analytics-python>=2.2  # analytics\n",
                      "app/__init__.py": "", "app/track.py": CONVERTS})
    out = _rewrite(tmp_path)
    assert out["requirements.txt"] == "flask\namplitude-analytics>=1.3.0  # analytics\n"


def test_quoted_toml_key_swap_keeps_its_closing_quote(tmp_path: Path):
    # the swap wrote `"amplitude-analytics = ">=1.3.0"` (no closing quote: not TOML, so the
    # Pipfile was left with an internal error)
    text, found = _run(PythonManifestHandler(), tmp_path / "Pipfile", '[packages]\n"segment-analytics-python" = "*"\n',
                       ManifestScope())
    assert text == '[packages]\n"amplitude-analytics" = ">=1.3.0"\n'
    assert [f.rule for f in found] == ["dependency-replaced"]


def test_no_certain_place_says_what_to_add(tmp_path: Path):
    # a continued requirement line: no place for the new one that is certain; the note says so
    before = "segment-analytics-python>=2.2 \\\n    ; python_version >= '3.8'\n"
    text, found = _run(PythonManifestHandler(), tmp_path / "requirements.txt", before, KEEP_PY_ADD)
    assert text == before
    assert [f.rule for f in found] == ["dependency-note"]
    assert "amplitude-analytics" in found[0].suggestion
