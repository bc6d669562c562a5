"""Every React Native fixture (fixtures/react-native, .ts/.tsx) type-checks with `tsc --strict`:
outputs against the real @amplitude/analytics-react-native 1.10.0, inputs against the real
@segment/analytics-react-native 2.24.1 (cases with tsc_sdk = "v1": 1.5.3, installed under the
npm alias @segment/analytics-react-native-v1), from tests/typecheck/package-lock.json. The
components the fixtures render come from a small react-native declaration
(tests/typecheck/react-native.d.ts): react-native itself is not installed.
"""
from __future__ import annotations

import json
import os

from fixturelib import load_cases
from test_typecheck import HERE, _project, _run_tsc, tsc  # noqa: F401  (the tsc fixture)

RN_CASES = [c for c in load_cases("react-native") if c.input.suffix in (".ts", ".tsx") and c.meta.get("tsc") != "skip"]
V1 = {"@segment/analytics-react-native": [str(HERE / "node_modules" / "@segment" / "analytics-react-native-v1")]}


def _rn_project(which: str, cases, tmp, paths: dict | None = None):
    proj, owner = _project(HERE, which, cases, tmp)
    config = json.loads((proj / "tsconfig.json").read_text())
    config["include"].append(str(HERE / "react-native.d.ts"))
    config["compilerOptions"]["paths"].update(paths or {})
    (proj / "tsconfig.json").write_text(json.dumps(config, indent=2))
    return proj, owner


def _errors(tsc, proj) -> list[str]:
    return [f"{e['file']}:{e['line']}: {e['code']} {e['msg']}" for e in _run_tsc(tsc, proj)]


def test_rn_outputs_typecheck_against_amplitude(tsc, tmp_path):
    """(A case the closure rule leaves unchanged still names Segment's v1 module: its own project.)"""
    assert len(RN_CASES) >= 15, "the React Native fixtures should be type-checked"
    for name, cases, paths in (("v2", [c for c in RN_CASES if c.meta.get("tsc_sdk") != "v1"], None),
                               ("v1", [c for c in RN_CASES if c.meta.get("tsc_sdk") == "v1"], V1)):
        (tmp_path / name).mkdir()
        proj, _ = _rn_project("outputs", cases, tmp_path / name, paths)
        errors = _errors(tsc, proj)
        assert not errors, "React Native output does not type-check:\n" + "\n".join(errors)


def test_rn_inputs_typecheck_against_segment_v2(tsc, tmp_path):
    cases = [c for c in RN_CASES if c.meta.get("tsc_sdk") != "v1"]
    proj, _ = _rn_project("inputs", cases, tmp_path)
    errors = _errors(tsc, proj)
    assert not errors, "React Native inputs do not type-check against analytics-react-native 2.24.1:\n" + "\n".join(errors)


def test_rn_v1_inputs_typecheck_against_segment_v1(tsc, tmp_path):
    cases = [c for c in RN_CASES if c.meta.get("tsc_sdk") == "v1"]
    assert cases, "no React Native case is marked tsc_sdk = 'v1'"
    proj, _ = _rn_project("inputs", cases, tmp_path, V1)
    errors = _errors(tsc, proj)
    assert not errors, "React Native v1 inputs do not type-check against analytics-react-native 1.5.3:\n" + "\n".join(errors)
