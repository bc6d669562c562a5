"""Targets are data: a second, test-only JS profile (another package, another creation and init
form, other option and type names, other page-context expressions) gives that profile's output
for the same Segment code, with no code change."""
from __future__ import annotations

from pathlib import Path

import pytest

from segamp.core import profiles
from fixturelib import load_cases, run_case

LITE = Path(__file__).parent / "profiles" / "test-lite.toml"


@pytest.fixture
def lite_profile(monkeypatch):
    lite = profiles.load_file(str(LITE))
    real = profiles.load

    def load(name: str):
        return lite if name == "browser" else real(name)

    monkeypatch.setattr(profiles, "load", load)
    return lite


def _case(name: str):
    return next(c for c in load_cases("typescript") if c.name == name)


def test_client_creation_and_init_follow_the_profile(tmp_path, lite_profile):
    _, text = run_case(_case("load_export_const"), tmp_path)
    assert "import * as ampLite from '@acme/amp-lite'" in text
    assert "export const analytics = ampLite.newClient()" in text
    assert "analytics.setup(process.env.NEXT_PUBLIC_AMPLITUDE_API_KEY!, undefined, " \
           "{ autocapture: false, batching: true, minimumIdLength: 1 })" in text
    assert "@amplitude/analytics-browser" not in text and "createInstance" not in text


def test_page_context_and_types_follow_the_profile(tmp_path, lite_profile):
    _, text = run_case(_case("page_variants"), tmp_path)
    assert "path: window.location.pathname" in text and "document.referrer" not in text
    _, typed = run_case(_case("typed_parameter"), tmp_path)
    assert "ampLite.Lite.Client" in typed and "BrowserClient" not in typed


def test_literal_key_uses_the_profile_placeholder(tmp_path, lite_profile):
    _, text = run_case(_case("literal_write_key"), tmp_path)
    assert "'<LITE_KEY>'" in text


def test_the_real_profile_is_back_afterwards(tmp_path):
    _, text = run_case(_case("load_export_const"), tmp_path)
    assert "amplitude.createInstance()" in text


def test_page_context_reads_no_document_where_there_is_none(tmp_path):
    """A converted page() runs where analytics.js's call never read the page itself: server
    rendering, a test in Node. Its properties come from the helper, which must answer there
    (empty) instead of throwing `document is not defined`."""
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        pytest.skip("needs node")
    from segamp import tables

    helper = tables.load("targets/browser")["helpers"]["page_context"]["js"]
    program = tmp_path / "ssr.js"
    page = ("globalThis.document = {referrer: 'https://ref.example/', title: 'Shop', querySelector: () => null};"
            "globalThis.location = {pathname: '/p', search: '?q=1', href: 'https://shop.example/p?q=1#top'};")
    program.write_text(helper + "\nconsole.log(JSON.stringify(segmentPageContext()))\n" + page +
                       "\nconsole.log(JSON.stringify(segmentPageContext()))\n", encoding="utf-8")
    run = subprocess.run([node, str(program)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    without, within = run.stdout.split("\n")[:2]
    assert without == '{"path":"","referrer":"","search":"","title":"","url":""}'
    assert within == ('{"referrer":"https://ref.example/","search":"?q=1","title":"Shop","path":"/p",'
                      '"url":"https://shop.example/p?q=1"}')
