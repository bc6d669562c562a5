"""Every TypeScript fixture output type-checks with `tsc --strict` against the real
@amplitude/analytics-browser and @amplitude/analytics-node (and every input against the real
@segment/analytics-next, @segment/analytics-node and analytics-node with its @types), installed
from tests/typecheck/package-lock.json with `npm ci`. fixtures/typescript and fixtures/node
share one tsc project, each case in a folder of its own.

case.toml `tsc = "errors"`: the case leaves a Segment call with no Amplitude equivalent in
place on purpose; tsc must then fail ONLY on the statements segamp marked with TODO(segamp).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from typing import Optional

import pytest

from fixturelib import load_cases

HERE = Path(__file__).resolve().parent / "typecheck"
ALL_TS = [c for lang in ("typescript", "node") for c in load_cases(lang)
          if c.input.suffix in (".ts", ".tsx") and c.meta.get("tsc") != "skip"]
# case.toml tsc_module = "commonjs": code only a CommonJS project compiles (`import x = require()`)
TS_CASES = [c for c in ALL_TS if c.meta.get("tsc_module") != "commonjs"]
CJS_CASES = [c for c in ALL_TS if c.meta.get("tsc_module") == "commonjs"]
# what a CommonJS TypeScript project (a Node server) compiles with
COMMONJS = {"module": "commonjs", "moduleResolution": "node10"}
ERROR_RE = re.compile(r"^(?P<file>[^(\s][^(]*)\((?P<line>\d+),(?P<col>\d+)\): error (?P<code>TS\d+): (?P<msg>.*)$")


def _npm_ready() -> Path:
    tsc = HERE / "node_modules" / "typescript" / "bin" / "tsc"
    if tsc.exists():
        return tsc
    if shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail("npm is required in CI to type-check fixture outputs")
        pytest.skip("npm not found: TypeScript output was NOT type-checked (install Node.js + npm to run this)")
    proc = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        pytest.fail("npm ci failed in tests/typecheck:\n" + proc.stdout[-2000:] + proc.stderr[-2000:])
    return tsc


@pytest.fixture(scope="module")
def tsc():
    return _npm_ready()


def _project(root: Path, which: str, cases, tmp: Path, options: Optional[dict] = None) -> tuple[Path, dict]:
    """Write each case's files (outputs or inputs) into one tsc project; return it and file→case."""
    proj = tmp / which
    proj.mkdir()
    owner = {}
    paths = {}
    from fixturelib import run_case
    for case in cases:
        folder = proj / f"{case.language}_{case.name}"
        sandbox = tmp / "runs" / which / case.language
        sandbox.mkdir(parents=True, exist_ok=True)
        run_case(case, sandbox)  # lays the case out (app.* plus its sibling modules)
        shutil.copytree(sandbox / case.name, folder)
        if which == "outputs":
            from segamp.config import Config
            from segamp.engine import Engine
            config = Config()
            for k, v in case.meta.get("config", {}).items():
                setattr(config, k, v)
            for result in Engine(config).run([str(folder)]):
                if result.changed:
                    Path(result.fs_path).write_text(result.new_text, encoding="utf-8")
            # the case's main file is exactly the committed expected output
            main = next(folder.glob("app.*"))
            assert main.read_text(encoding="utf-8") == case.expected.read_text(encoding="utf-8")
        for f in folder.rglob("*.ts*"):
            owner[str(f.relative_to(proj))] = case
        if any(str(case.input.read_text()).count(m) for m in ("'@/", '"@/')):
            paths["@/*"] = [f"./{folder.name}/*"]
    config = json.loads((HERE / "tsconfig.base.json").read_text())
    config["compilerOptions"]["typeRoots"] = [str(HERE / "node_modules" / "@types")]
    config["compilerOptions"]["baseUrl"] = "."
    config["compilerOptions"]["paths"] = paths
    config["compilerOptions"].update(options or {})
    config["include"] = ["**/*.ts", "**/*.tsx", str(HERE / "globals.d.ts"), str(HERE / "ambient.d.ts")]
    (proj / "tsconfig.json").write_text(json.dumps(config, indent=2))
    # resolve packages from tests/typecheck/node_modules
    (proj / "node_modules").symlink_to(HERE / "node_modules")
    return proj, owner


def _run_tsc(tsc: Path, proj: Path) -> list[dict]:
    proc = subprocess.run(["node", str(tsc), "-p", str(proj / "tsconfig.json"), "--pretty", "false"],
                          cwd=proj, capture_output=True, text=True, timeout=600)
    errors = []
    for line in proc.stdout.splitlines():
        m = ERROR_RE.match(line.strip())
        if m:
            errors.append(m.groupdict())
    if proc.returncode != 0 and not errors:
        pytest.fail("tsc failed without parseable errors:\n" + proc.stdout[-3000:] + proc.stderr[-3000:])
    return errors


def test_outputs_typecheck_against_amplitude(tsc, tmp_path):
    proj, owner = _project(HERE, "outputs", TS_CASES, tmp_path)
    errors = _run_tsc(tsc, proj)
    unexpected = []
    for e in errors:
        case = owner.get(os.path.normpath(e["file"]))
        text = (proj / e["file"]).read_text(encoding="utf-8").splitlines()
        line = int(e["line"])
        flagged = any("TODO(segamp)" in text[i] for i in (line - 2, line - 1) if 0 <= i < len(text))
        if case is not None and case.meta.get("tsc") == "errors" and flagged:
            continue
        unexpected.append(f"{e['file']}:{e['line']}: {e['code']} {e['msg']}")
    assert not unexpected, "segamp output does not type-check:\n" + "\n".join(unexpected)
    # the "errors" cases must really fail where they say, or the marker means nothing
    for case in [c for c in TS_CASES if c.meta.get("tsc") == "errors"]:
        assert any(owner.get(os.path.normpath(e["file"])) is case for e in errors), \
            f"{case.id} is marked tsc = 'errors' but type-checks; drop the marker"


def test_inputs_typecheck_against_segment(tsc, tmp_path):
    """The fixtures are real Segment code: they compile against @segment/analytics-next."""
    proj, owner = _project(HERE, "inputs", TS_CASES, tmp_path)
    errors = _run_tsc(tsc, proj)
    assert not errors, "fixture inputs do not type-check against Segment:\n" + "\n".join(
        f"{e['file']}:{e['line']}: {e['code']} {e['msg']}" for e in errors)


def test_commonjs_cases_typecheck(tsc, tmp_path):
    """Cases only a CommonJS project compiles: inputs against Segment, outputs against Amplitude."""
    assert CJS_CASES, "no case has tsc_module = 'commonjs'"
    for which in ("inputs", "outputs"):
        proj, _ = _project(HERE, which, CJS_CASES, tmp_path, COMMONJS)
        errors = _run_tsc(tsc, proj)
        assert not errors, f"CommonJS fixture {which} do not type-check:\n" + "\n".join(
            f"{e['file']}:{e['line']}: {e['code']} {e['msg']}" for e in errors)
