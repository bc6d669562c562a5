"""Fixture projects, proven by running both real SDKs: the project's input/ with
segment-analytics-python, and input/ overlaid with expected/ (the rewrite the fixture states)
with amplitude-analytics, each driven by the same calls against its own capture server.

A driver stands in for the app's entry point (a scheduler, Django's request cycle); only its
last lines differ, pointing each SDK at its capture server and draining it, as the harness
notes in runner.py say each SDK needs.
"""
from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import capture  # noqa: E402
import compare  # noqa: E402
from test_python_behaviour import _run_folder  # noqa: E402

PROJECTS = HERE.parent.parent / "fixtures" / "projects"
_MISSING = [d for m, d in (("segment", "segment-analytics-python"), ("amplitude", "amplitude-analytics"))
            if importlib.util.find_spec(m) is None]
pytestmark = pytest.mark.skipif(bool(_MISSING), reason=f"needs the real SDKs (pip install -e '.[test]'): {_MISSING}")

# Flask is not a test dependency: the few names the Flask fixture uses, as a module
_FLASK_STUB = '''
        import sys, types
        class _Config(dict):
            def from_mapping(self, **values): self.update(values)
        class Flask:
            def __init__(self, name):
                self.config, self.extensions, self.teardowns = _Config(), {{}}, []
            def teardown_appcontext(self, f): self.teardowns.append(f)
            def register_blueprint(self, bp): pass
        class Blueprint:
            def __init__(self, *a, **k): pass
            def post(self, *a, **k): return lambda f: f
        flask = types.ModuleType("flask")
        flask.Flask, flask.Blueprint, flask.request = Flask, Blueprint, types.SimpleNamespace(form={{}})
        sys.modules["flask"] = flask
'''

# Django likewise: an AppConfig base and the settings the fixture's ready() reads
_DJANGO_STUB = '''
        import sys, types
        for name in ("django", "django.apps", "django.conf"):
            sys.modules[name] = types.ModuleType(name)
        sys.modules["django.apps"].AppConfig = type("AppConfig", (), {{}})
        sys.modules["django.conf"].settings = types.SimpleNamespace(
            SEGMENT_WRITE_KEY=__import__("os").environ["SEGMENT_WRITE_KEY"], DEBUG=False)
'''

# FastAPI likewise: routers and an app whose decorators return the function
_FASTAPI_STUB = '''
        import sys, types
        class APIRouter:
            def __init__(self, *a, **k): pass
            def include_router(self, *a, **k): pass
            def __getattr__(self, name): return lambda *a, **k: (lambda f: f)
        fastapi = types.ModuleType("fastapi")
        fastapi.APIRouter, fastapi.FastAPI = APIRouter, type("FastAPI", (APIRouter,), {{}})
        sys.modules["fastapi"] = fastapi
'''

# project -> (driver, setup for Segment, setup for Amplitude); {setup} runs before the first call
# legacy analytics-python (`import analytics`) is not a test dependency: its 1.x module API is
# segment.analytics', so the original runs on that module under the legacy name
_LEGACY_ALIAS = '''
        import sys
        import segment.analytics
        sys.modules["analytics"] = segment.analytics
'''

DRIVERS = {
    "py_getter_factory": ('''
        from myapp.jobs import nightly
        {setup}
        nightly([("user-1", "a@example.com"), ("user-22", "b@example.com")])
        from myapp.analytics_client import get_analytics
        get_analytics().{drain}()
    ''', "", ""),
    "py_django_settings": ('''
        from decimal import Decimal
        from shop import settings
        {setup}
        from shop.services import accounts, billing
        accounts.register("user-7", "c@example.com", referrer="ads")
        accounts.join_team("user-7", "team-3", "Platform")
        billing.charge("user-7", Decimal("12.50"))
        billing.refund("user-7", "ch_1")
        settings.analytics.{drain}()
    ''', 'settings.analytics.host = __import__("os").environ["SEGMENT_HOST"]',
        'settings.analytics.configuration.server_url = __import__("os").environ["AMPLITUDE_SERVER_URL"]'),
    "py_imported_functions": ('''
        from app import conf
        {setup}
        from app.views import signup
        signup("user-1", "pro")
        signup(42, None)
        conf.drain()
        conf.analytics.{drain}()
    ''', 'conf.analytics.host = __import__("os").environ["SEGMENT_HOST"]',
        'conf.analytics.configuration.server_url = __import__("os").environ["AMPLITUDE_SERVER_URL"]'),
    "py_many_homes": ('''
        import app.auth as home
        {setup}
        from app import admin, billing, cart, emails, orders, reports, search, signup, views
        signup.configure()
        home.logged_in("user-1", "a@example.com")
        cart.add_item("user-1", "sku-9", 2)
        orders.place(7, 3)
        billing.charged("acct-4", 1250)
        emails.opened("user-1", "spring")
        search.searched("user-1", "red shoes")
        signup.signed_up(8, "pro")
        admin.impersonated("admin-1", "user-1")
        views.product_page("user-1", "sku-9")
        home.analytics.{drain}()
    ''', 'home.analytics.host = __import__("os").environ["SEGMENT_HOST"]',
        'home.analytics.configuration.server_url = __import__("os").environ["AMPLITUDE_SERVER_URL"]'),
    "py_entry_script_home": ('''
        import main
        {setup}
        from worker import notify
        main.main()
        notify.owner_changed(101, "owner@example.com")
        main.analytics.{drain}()
    ''', 'main.analytics.host = __import__("os").environ["SEGMENT_HOST"]',
        'main.analytics.configuration.server_url = __import__("os").environ["AMPLITUDE_SERVER_URL"]'),
    "py_flask_factory": (_FLASK_STUB + '''
        from shop import create_app
        app = create_app()
        import shop.extensions as ext
        {setup}
        from flask import request
        from shop import accounts, checkout
        request.form = {{"id": "7", "email": "a@example.com"}}
        accounts.signup()
        request.form = {{"user": "7", "total": "12.50"}}
        checkout.checkout()
        for teardown in app.teardowns:
            teardown(None)
        ext.analytics.{drain}()
    ''', 'ext.analytics.host = __import__("os").environ["SEGMENT_HOST"]',
        'ext.analytics.configuration.server_url = __import__("os").environ["AMPLITUDE_SERVER_URL"]'),
    "py_django_app": (_DJANGO_STUB + '''
        import datetime, types
        from decimal import Decimal
        from shop.apps import ShopConfig
        import shop.apps as home
        {setup}
        ShopConfig().ready()
        from shop import tracking
        placed = datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.timezone.utc)
        order = types.SimpleNamespace(pk=41, customer_id=7, total=Decimal("19.90"), created_at=placed,
                                      shipped_on=datetime.date(2024, 5, 3))
        tracking.order_placed(order)
        user = types.SimpleNamespace(pk=7, email="c@example.com", date_joined=datetime.datetime(2023, 1, 2, 3, 4, 5),
                                     is_staff=False, company_id=3, company_name="Acme")
        tracking.customer_seen(user)
        home.analytics.{drain}()
    ''', 'home.analytics.host = __import__("os").environ["SEGMENT_HOST"]',
        'home.analytics.configuration.server_url = __import__("os").environ["AMPLITUDE_SERVER_URL"]'),
    "py_home_imports_users": (_FASTAPI_STUB + '''
        import app as home
        {setup}
        from routers import items, users
        items.read_item(5, 42)
        users.change_plan(42, "team")
        home.flush_analytics()
        home.analytics.{drain}()
    ''', 'home.analytics.host = __import__("os").environ["SEGMENT_HOST"]',
        'home.analytics.configuration.server_url = __import__("os").environ["AMPLITUDE_SERVER_URL"]'),
    "py_legacy_sibling_analytics_module": (_LEGACY_ALIAS + '''
        from loocal import settings
        {setup}
        from loocal.analytics import track_event
        track_event("user-1", "Signed Up", {{"plan": "free"}})
        track_event(42, "Order Completed")
        settings.analytics.{drain}()
    ''', 'settings.analytics.host = __import__("os").environ["SEGMENT_HOST"]',
        'settings.analytics.configuration.server_url = __import__("os").environ["AMPLITUDE_SERVER_URL"]'),
    "py_namespace_package_home": (_LEGACY_ALIAS + '''
        from shop import settings
        {setup}
        import types
        from shop.orders.views import checkout
        checkout(types.SimpleNamespace(user=types.SimpleNamespace(pk=7)), types.SimpleNamespace(total=12))
        settings.analytics.{drain}()
    ''', 'settings.analytics.host = __import__("os").environ["SEGMENT_HOST"]',
        'settings.analytics.configuration.server_url = __import__("os").environ["AMPLITUDE_SERVER_URL"]'),
    # the home imports Segment only inside functions: before the rewrite the module has no
    # client attribute (the SDK's module is the client), after it the one Amplitude client
    "py_lazy_import_home": ('''
        import app.telemetry as home
        from app import accounts
        client = getattr(home, "analytics", None) or __import__("segment.analytics", fromlist=["_"])
        {setup}
        home.track("user-1", "Searched", {{"query": "red shoes", "page": 2}})
        accounts.signed_up(42, "a@example.com")
        home.track("user-1", "Searched", {{"query": "blue"}})
        client.{drain}()
    ''', 'client.host = __import__("os").environ["SEGMENT_HOST"]',
        'client.configuration.server_url = __import__("os").environ["AMPLITUDE_SERVER_URL"]'),
}


def _tree(project: str, rewritten: bool, into: Path) -> None:
    shutil.copytree(PROJECTS / project / "input", into, dirs_exist_ok=True)
    if rewritten and (PROJECTS / project / "expected").is_dir():
        shutil.copytree(PROJECTS / project / "expected", into, dirs_exist_ok=True)


def _drive(project: str, rewritten: bool, server) -> None:
    driver, seg_setup, amp_setup = DRIVERS[project]
    base = server.url.rstrip("/")
    env = {"SEGMENT_WRITE_KEY": "WRITEKEY", "AMPLITUDE_API_KEY": "APIKEY", "SEGMENT_REPORTS_WRITE_KEY": "WRITEKEY",
           "SEGMENT_HOST": base, "AMPLITUDE_SERVER_URL": base + "/2/httpapi"}
    code = textwrap.dedent(driver).format(setup=amp_setup if rewritten else seg_setup,
                                          drain="shutdown" if rewritten else "flush")
    with tempfile.TemporaryDirectory(prefix="segamp-project-") as tmp:
        _tree(project, rewritten, Path(tmp))
        Path(tmp, "drive_project.py").write_text(code, encoding="utf-8")
        _run_folder(tmp, "drive_project.py", env)


@pytest.mark.parametrize("project", sorted(DRIVERS))
def test_rewritten_project_sends_what_the_original_sent(project):
    with capture.CaptureServer() as seg, capture.CaptureServer() as amp:
        _drive(project, False, seg)
        _drive(project, True, amp)
        sent = capture.segment_messages(seg)
        assert sent, "the original project sent nothing to Segment"
        compare.assert_equivalent(sent, capture.amplitude_events(amp), amplitude_options=capture.amplitude_options(amp))
