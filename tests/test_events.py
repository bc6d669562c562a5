"""`segamp events`: the tracking plan before and after the rewrite, on fixture projects in each
language segamp migrates (TypeScript, HTML, Python), as CSV and JSON."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _events(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "segamp", "events", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def _rows(cwd: Path, *args: str) -> list[dict]:
    run = _events(cwd, *args)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    return list(csv.DictReader(io.StringIO(run.stdout)))


def _pick(rows, **want):
    return [r for r in rows if all(r[k] == v for k, v in want.items())]


def test_typescript_html_and_python_of_the_demo(tmp_path):
    rows = _rows(ROOT / "examples")
    [page] = _pick(rows, path="shop/web/src/components/Checkout.tsx", segment_call="page")
    assert page["segment_event"] == "Shop Checkout" and page["segment_properties"] == "cartId"
    assert page["amplitude_event_type"] == "Viewed Checkout"   # the destination's "Viewed {name}"
    assert page["amplitude_event_properties"].split(";")[:5] == ["path", "referrer", "search", "title", "url"]
    order = _pick(rows, path="shop/web/src/components/Checkout.tsx", segment_event="Order Completed")
    assert [r["amplitude_event_type"] for r in order] == ["Order Completed", "Product Purchased"]
    [html] = _pick(rows, language="html", segment_call="track")
    assert (html["segment_event"], html["amplitude_event_type"], html["amplitude_event_properties"]) == \
        ("CTA Clicked", "CTA Clicked", "placement")
    [signup] = _pick(rows, language="python", segment_call="track")
    assert (signup["segment_event"], signup["segment_properties"], signup["amplitude_event_properties"]) == \
        ("Signed Up", "source", "source")
    groups = _pick(rows, language="python", segment_call="group")
    assert {r["amplitude_event_type"] for r in groups} == {"$identify", "$groupidentify"}
    assert {r["amplitude_group"] for r in groups} == {"[Segment] Group=<org_id>"}
    [ident] = _pick(rows, path="shop/web/src/lib/analytics.ts", segment_call="identify")
    assert ident["segment_traits"] == ident["amplitude_user_properties"] == "email;plan"
    assert all(r["converted"] == "yes" for r in rows)


def test_python_project_json_and_a_call_that_stays(tmp_path):
    doc = json.loads(_events(ROOT / "fixtures" / "projects" / "py_result_used_left" / "input", "--format", "json").stdout)
    assert doc["schema"] == 1
    by_event = {r["event"]: r for r in doc["events"]}
    assert by_event["Project Created"]["amplitude"] == [{"event_type": "Project Created", "event_properties": ["name"]}]
    assert by_event["Project Deleted"]["amplitude"] is None   # its result is read: left on Segment


def test_django_project_ids_and_traits():
    rows = _rows(ROOT / "fixtures" / "projects" / "py_django_app" / "input")
    [order] = _pick(rows, segment_event="Order Placed")
    assert order["amplitude_event_properties"] == order["segment_properties"]
    [ident] = _pick(rows, segment_call="identify")
    assert ident["amplitude_user_properties"] == ident["segment_traits"] != ""


def test_react_project_and_a_missing_path():
    rows = _rows(ROOT / "fixtures" / "projects" / "react_hook_context" / "input")
    assert _pick(rows, segment_call="track", amplitude_event_type="Order Completed")
    run = _events(ROOT, "no/such/dir")
    assert run.returncode == 2 and "no such file or directory" in run.stderr
