"""The Python module through the engine: bad input, line endings, evidence, cross-file rules."""
from __future__ import annotations

import textwrap
from pathlib import Path

from segamp.config import Config
from segamp.engine import Engine
from segamp.languages.python import PythonHandler
from segamp.model import Kind
from segamp.source import decode


def run(tmp_path: Path, files: dict[str, str], **config) -> dict:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    cfg = Config()
    for k, v in config.items():
        setattr(cfg, k, v)
    engine = Engine(cfg)
    results = {str(Path(r.fs_path or r.path).resolve().relative_to(tmp_path.resolve())): r for r in engine.run([str(tmp_path)])}
    results["__engine__"] = engine
    return results


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def test_parse_error_is_reported_and_file_left_alone(tmp_path):
    res = run(tmp_path, {"app.py": "import segment.analytics as analytics\ndef f(:\n    pass\n"})["app.py"]
    assert res.error and "syntax error (line " in res.error and "parser error" not in res.error
    assert res.new_text is None and not res.changed


def test_parse_error_message_shape():
    handler = PythonHandler()
    assert handler.parse_error(decode("x.py", b"x = (\n")).startswith("line ")
    assert handler.parse_error(decode("x.py", b"x = 1\n")) is None


def test_crlf_file_keeps_crlf_everywhere(tmp_path):
    text = src('''
        import segment.analytics as analytics

        analytics.write_key = os.environ["SEGMENT_WRITE_KEY"]
        analytics.track("user-1", "Event Name That Is Quite Long", {"property": "value", "another": 2}, anonymous_id="d-1")
    ''').replace("\n", "\r\n")
    res = run(tmp_path, {"app.py": text})["app.py"]
    assert res.error is None and res.changed
    assert "\r\n" in res.new_text and "\n" not in res.new_text.replace("\r\n", "")
    assert "BaseEvent(\r\n" in res.new_text  # the multi-line call got the file's newline too


def test_files_without_markers_are_never_parsed(tmp_path):
    files = {f"m{i}.py": f"x = {i}\n" for i in range(20)}
    files["app.py"] = "import segment.analytics as analytics\nanalytics.write_key = 'k'\n"
    out = run(tmp_path, files)
    assert out["__engine__"].stats.parsed == 1


def test_legacy_client_needs_segment_evidence(tmp_path):
    code = src('''
        from analytics import Client

        client = Client(os.environ["SEGMENT_WRITE_KEY"])
        client.track("user-1", "Legacy")
    ''')
    without = run(tmp_path / "a", {"app.py": code})["app.py"]
    assert not without.changed  # could be anyone's `analytics` package
    with_req = run(tmp_path / "b", {"app.py": code, "requirements.txt": "analytics-python==1.4.0\n"})
    assert with_req["app.py"].changed and "Amplitude(" in with_req["app.py"].new_text
    assert with_req["requirements.txt"].new_text == "amplitude-analytics>=1.3.0\n"


def test_two_homes_share_one_client(tmp_path):
    """Issue 12 item 8: one project, one client. a.py (first by path) holds it; b.py sets the
    same key again, so it only imports the client; user.py imports it too."""
    home = "import os\nimport segment.analytics as analytics\nanalytics.write_key = os.environ['SEGMENT_WRITE_KEY']\n"
    user = "from segment import analytics\n\nanalytics.track('user-1', 'X')\n"
    out = run(tmp_path, {"a.py": home, "b.py": home, "user.py": user})
    assert "analytics = Amplitude(os.environ['AMPLITUDE_API_KEY'], Config(min_id_length=1))" in out["a.py"].new_text
    assert out["b.py"].new_text == "import os\nfrom a import analytics\n"
    assert "from a import analytics" in out["user.py"].new_text
    assert not [f for k, r in out.items() if k != "__engine__" for f in r.findings if f.kind == Kind.MANUAL]
    assert [f.rule for f in out["b.py"].findings] == ["client-shared"]


def test_entry_script_home_gets_a_created_module(tmp_path):
    """Issue 12 item 9: the client never lives in __main__; a module is created for it."""
    main = ("import os\nimport segment.analytics as analytics\nimport user\n"
            "analytics.write_key = os.environ['SEGMENT_WRITE_KEY']\n\nif __name__ == '__main__':\n    user.go()\n")
    user = "from segment import analytics\n\n\ndef go():\n    analytics.track('user-1', 'X')\n"
    out = run(tmp_path, {"main.py": main, "user.py": user})
    assert "from amplitude_client import analytics" in out["user.py"].new_text
    assert "from amplitude_client import analytics" in out["main.py"].new_text
    assert "analytics.configuration.api_key = os.environ['AMPLITUDE_API_KEY']" in out["main.py"].new_text
    created = out["amplitude_client.py"]
    assert created.created and 'analytics = Amplitude("", Config(min_id_length=1))' in created.new_text


def test_package_home_is_imported_by_dotted_name(tmp_path):
    out = run(tmp_path, {
        "shop/__init__.py": "",
        "shop/conf.py": "import segment.analytics as seg\nseg.write_key = os.environ['SEGMENT_WRITE_KEY']\n",
        "shop/views.py": "import segment.analytics as analytics\n\n\ndef v(u):\n    analytics.track(u, 'Viewed')\n",
    })
    new = out["shop/views.py"].new_text
    assert "from shop.conf import seg as analytics" in new
    assert "analytics.track(BaseEvent(event_type='Viewed', user_id=None if u is None else str(u)))" in new


def test_shadowing_parameter_is_not_a_client(tmp_path):
    code = src('''
        import segment.analytics as analytics

        analytics.write_key = os.environ["SEGMENT_WRITE_KEY"]


        def handler(analytics):
            analytics.track("user-1", "Not Segment")
    ''')
    new = run(tmp_path, {"app.py": code})["app.py"].new_text
    assert 'analytics.track("user-1", "Not Segment")' in new


def test_second_run_is_a_no_op(tmp_path):
    code = src('''
        from segment.analytics import Client

        client = Client(os.environ["SEGMENT_WRITE_KEY"])
        client.identify("user-1", traits)
        client.group("user-1", org_for("user-1"), {"n": 1})
        client.alias("a", "b")
    ''')
    first = run(tmp_path / "1", {"app.py": code})["app.py"]
    assert first.changed
    second = run(tmp_path / "2", {"app.py": first.new_text})["app.py"]
    assert not second.changed and second.error is None


def test_blocked_call_keeps_imports_honest(tmp_path):
    code = src('''
        import segment.analytics as analytics

        analytics.write_key = os.environ["SEGMENT_WRITE_KEY"]
        analytics.identify("user-1")
    ''')
    new = run(tmp_path, {"app.py": code}, partial=True)["app.py"].new_text
    assert "from amplitude import Amplitude, Config\n" in new  # no unused Identify/EventOptions
