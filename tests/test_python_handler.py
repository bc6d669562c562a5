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


# --- one module client per distribution ------------------------------------------------------
# A repository of separately installed services: each is its own program, with its own sys.path.

_HOME = "import os\n\nimport segment.analytics as analytics\n\nanalytics.write_key = os.environ['SEGMENT_WRITE_KEY']\n"
_USER = "import segment.analytics as analytics\n\n\ndef go(user_id: str) -> None:\n    analytics.track(user_id, 'Went')\n"


def test_project_root_names_the_distribution(tmp_path):
    from segamp.languages.python.paths import project_root

    files = {
        "svc/billing/pyproject.toml": "", "svc/billing/billing/__init__.py": "", "svc/billing/billing/conf.py": "",
        "svc/api/setup.cfg": "", "svc/api/src/api/__init__.py": "", "svc/api/src/api/views.py": "",
        "svc/api/tests/test_views.py": "",
        "site_a/manage.py": "", "site_a/shop/settings.py": "",
        "backend/requirements.txt": "", "backend/app/__init__.py": "", "backend/app/deep/x.py": "",
        "loose/tool.py": "",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / ".git").mkdir()
    root = lambda p: project_root(str(tmp_path / p))  # noqa: E731
    assert root("svc/billing/billing/conf.py") == str(tmp_path / "svc/billing")
    # the src layout and its tests are one distribution: the tests import the installed package
    assert root("svc/api/src/api/views.py") == root("svc/api/tests/test_views.py") == str(tmp_path / "svc/api")
    assert root("site_a/shop/settings.py") == str(tmp_path / "site_a")        # manage.py
    assert root("backend/app/deep/x.py") == str(tmp_path / "backend")         # requirements.txt
    assert root("loose/tool.py") == ""                                         # no project file above


def test_two_django_projects_each_get_their_own_client(tmp_path):
    """Two Django projects in one repository, each with its own manage.py: each settings module
    holds its project's client; no view imports the other project's settings."""
    files = {}
    for site, pkg in (("site_a", "shop"), ("site_b", "blog")):
        files[f"{site}/manage.py"] = "import sys\n\nif __name__ == '__main__':\n    print(sys.argv)\n"
        files[f"{site}/{pkg}/__init__.py"] = ""
        files[f"{site}/{pkg}/settings.py"] = _HOME
        files[f"{site}/{pkg}/views.py"] = _USER
    out = run(tmp_path, files)
    assert "from shop.settings import analytics" in out["site_a/shop/views.py"].new_text
    assert "from blog.settings import analytics" in out["site_b/blog/views.py"].new_text
    for home in ("site_a/shop/settings.py", "site_b/blog/settings.py"):
        assert "analytics = Amplitude(os.environ['AMPLITUDE_API_KEY'], Config(min_id_length=1))" in out[home].new_text
        assert [f.rule for f in out[home].findings if f.rule.startswith("client")] == ["client-converted"]
    assert not [f for k, r in out.items() if k != "__engine__" for f in r.findings if f.kind == Kind.MANUAL]


def test_service_without_a_home_is_left_not_given_another_services_client(tmp_path):
    """backend/ sets the key, worker/ only uses the module: worker is left (default-client),
    as a single project with no home is, and never imports backend's module."""
    out = run(tmp_path, {
        "backend/requirements.txt": "segment-analytics-python\n",
        "backend/app/__init__.py": "", "backend/app/conf.py": _HOME, "backend/app/views.py": _USER,
        "worker/requirements.txt": "segment-analytics-python\n",
        "worker/jobs/__init__.py": "", "worker/jobs/tasks.py": _USER,
    })
    assert "from app.conf import analytics" in out["backend/app/views.py"].new_text
    tasks = out["worker/jobs/tasks.py"]
    assert not tasks.changed
    left = [f for f in tasks.findings if f.rule == "default-client"]
    assert left and left[0].kind == Kind.MANUAL and "no file of its distribution (worker)" in left[0].message
    assert "app/conf.py sets it for another distribution" in left[0].message


def test_three_services_import_their_own_client_from_their_own_root(tmp_path):
    """Three services (a pyproject package, a src layout with setup.cfg, a requirements.txt
    service whose only configuring file is an entry script): each rewritten module imports, with
    only its own service's root on sys.path and the real amplitude-analytics installed."""
    import importlib.util
    import os
    import subprocess
    import sys

    import pytest

    if importlib.util.find_spec("amplitude") is None:
        pytest.skip("needs amplitude-analytics (pip install -e '.[test]')")
    main = ("import os\n\nimport segment.analytics as analytics\n\nfrom jobs import tasks\n\n"
            "analytics.write_key = os.environ['SEGMENT_WRITE_KEY']\n\n"
            "if __name__ == '__main__':\n    tasks.go('user-1')\n")
    out = run(tmp_path, {
        "services/billing/pyproject.toml": "[project]\nname = 'billing'\ndependencies = ['segment-analytics-python']\n",
        "services/billing/billing/__init__.py": "", "services/billing/billing/conf.py": _HOME,
        "services/billing/billing/invoices.py": _USER,
        "services/api/setup.cfg": "[options]\ninstall_requires =\n    segment-analytics-python\n",
        "services/api/src/api/__init__.py": "", "services/api/src/api/settings.py": _HOME,
        "services/api/src/api/views.py": _USER,
        "services/worker/requirements.txt": "segment-analytics-python\n",
        "services/worker/main.py": main,
        "services/worker/jobs/__init__.py": "", "services/worker/jobs/tasks.py": _USER,
    })
    assert "from billing.conf import analytics" in out["services/billing/billing/invoices.py"].new_text
    assert "from api.settings import analytics" in out["services/api/src/api/views.py"].new_text
    assert "from amplitude_client import analytics" in out["services/worker/jobs/tasks.py"].new_text
    assert out["services/worker/amplitude_client.py"].created
    assert not [f for k, r in out.items() if k != "__engine__" for f in r.findings if f.kind == Kind.MANUAL]
    for rel, res in out.items():
        if rel != "__engine__" and res.new_text is not None:
            (tmp_path / rel).write_text(res.new_text, encoding="utf-8")
    env = dict(os.environ, SEGMENT_WRITE_KEY="k", AMPLITUDE_API_KEY="k", PYTHONDONTWRITEBYTECODE="1")
    for root, modules in (("services/billing", ["billing.conf", "billing.invoices"]),
                          ("services/api/src", ["api.settings", "api.views"]),
                          ("services/worker", ["amplitude_client", "jobs.tasks", "main"])):
        env["PYTHONPATH"] = str(tmp_path / root)
        code = "import importlib\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules)
        done = subprocess.run([sys.executable, "-c", code], cwd=str(tmp_path / root), env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{root}: {done.stderr}"
