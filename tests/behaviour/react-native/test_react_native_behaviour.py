"""segamp's React Native rewrite, proven by running both real SDKs in plain Node (issue 10,
acceptance 4).

Each program is an app module written against @segment/analytics-react-native 2.24.1 (two are
components under <AnalyticsProvider> calling useAnalytics(), rendered with react-test-renderer,
their JSX compiled by TypeScript's transpileModule before each run). It runs
in Node with react-native replaced by a stub (stubs/react-native.js: no native module but
Segment's context one, as its own test helpers mock it) and AsyncStorage by the package's own
jest mock, kept in a JSON file between runs (stubs/register.js), so that runs on one "device"
see the storage the earlier ones left, as an app update does:

1. install: the Segment program runs once on a fresh device (what users already had);
2. before: the Segment program runs again on that device, pointed at a capture server on
   127.0.0.1 through its `proxy` / `cdnProxy` settings: what Segment received;
3. after: segamp rewrites a copy, and the output runs with the real
   @amplitude/analytics-react-native 1.10.0 on a copy of the device as step 1 left it, its
   serverUrl pointed at a capture server.

Every Segment message of step 2 must have the Amplitude event Segment's Amplitude (Actions)
destination produced from it, none extra, compared by the Node suite's comparator (event type,
user id, device id = anonymousId, properties, $set traits, groups). The device id matching the
Segment anonymousId is keep_identity at work: the rewritten init waited for what
analytics-react-native stored. v1 (1.x) cannot run here: its calls go to the native
analytics-ios/analytics-android bridge (NativeModules.RNAnalytics), so nothing leaves
JavaScript to capture; its output is proven by type-check and the fixtures.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "node"))

import capture  # noqa: E402
from test_node_behaviour import _segment_messages, assert_equivalent  # noqa: E402

RUN_MS = "3500"


class Capture(capture.CaptureServer):
    """The capture server, also answering analytics-react-native's settings request (cdnProxy)."""

    def respond(self, req):
        if req.method == "GET" and "/cdn" in req.path:
            return 200, {"integrations": {"Segment.io": {}}}
        return super().respond(req)


def _ready() -> None:
    if (HERE / "node_modules" / "@amplitude" / "analytics-react-native").exists() and shutil.which("node"):
        return
    if shutil.which("node") is None or shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail("node and npm are required in CI to run the React Native behaviour suite")
        pytest.skip("node/npm not found: the React Native rewrite was NOT run against the real SDKs")
    proc = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        pytest.fail("npm ci failed in tests/behaviour/react-native:\n" + proc.stdout[-2000:] + proc.stderr[-2000:])


def _p(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


CLIENT = _p("""
    import { createClient } from '@segment/analytics-react-native'

    export const segmentClient = createClient({
      writeKey: process.env.SEGMENT_WRITE_KEY,
      proxy: process.env.SEGMENT_PROXY,
      cdnProxy: process.env.SEGMENT_CDN_PROXY,
      allowInsecureProxy: true,
      flushAt: 1,
      flushInterval: 1,
    })
""")

# Components: <AnalyticsProvider client> and useAnalytics(), rendered with react-test-renderer
# (their JSX compiled by TypeScript's transpileModule before each run, stubs/jsx.js).
COMPONENTS = {
    "provider_and_hook": _p("""
        import React, { useEffect } from 'react'
        import TestRenderer from 'react-test-renderer'
        import { AnalyticsProvider, useAnalytics } from '@segment/analytics-react-native'
        import { segmentClient } from './analytics.mjs'

        function Home() {
          const { screen, track, identify } = useAnalytics()
          useEffect(() => {
            identify('user-11', { plan: 'trial' })
            screen('Home', { tab: 'feed' })
            track('Feed Loaded', { items: 3 })
          }, [screen, track, identify])
          return null
        }

        TestRenderer.create(
          <AnalyticsProvider client={segmentClient}>
            <Home />
          </AnalyticsProvider>
        )
    """),
    "hook_object": _p("""
        import React, { useEffect } from 'react'
        import TestRenderer from 'react-test-renderer'
        import { AnalyticsProvider, useAnalytics } from '@segment/analytics-react-native'
        import { segmentClient } from './analytics.mjs'

        function Cart({ items }) {
          const analytics = useAnalytics()
          useEffect(() => {
            analytics.track('Cart Viewed', { items })
            analytics.group('team-2', { name: 'Beta' })
          }, [analytics, items])
          return null
        }

        TestRenderer.create(
          <AnalyticsProvider client={segmentClient}>
            <Cart items={2} />
          </AnalyticsProvider>
        )
    """),
}

PROGRAMS = {
    "track_and_screen": _p("""
        import { segmentClient } from './analytics.mjs'

        segmentClient.track('App Started', { coldStart: true })
        segmentClient.screen('Home', { tab: 'feed' })
        segmentClient.track('Product Viewed', { sku: 'A1', price: 9.5 })
    """),
    "identify_and_group": _p("""
        import { segmentClient } from './analytics.mjs'

        segmentClient.identify('user-42', { email: 'a@example.com', plan: 'pro' })
        segmentClient.group('org-7', { name: 'Acme', seats: 12 })
        segmentClient.track('Invite Sent', { count: 2 })
    """),
    "track_then_identify": _p("""
        import { segmentClient } from './analytics.mjs'

        segmentClient.track('Landing Viewed')
        segmentClient.identify('user-7', { plan: 'free' })
        segmentClient.track('Signed Up', { method: 'email' })
    """),
    "later_calls": _p("""
        import { segmentClient } from './analytics.mjs'

        setTimeout(() => {
          segmentClient.identify('user-3')
          segmentClient.screen('Settings')
          segmentClient.track('Toggle Changed', { on: true })
        }, 500)
    """),
    "reset_false_keeps_the_device": _p("""
        import { segmentClient } from './analytics.mjs'

        segmentClient.identify('user-5', { plan: 'pro' })
        setTimeout(async () => {
          await segmentClient.reset(false)
          segmentClient.track('Signed Out')
        }, 500)
    """),
    "order_completed": _p("""
        import { segmentClient } from './analytics.mjs'

        segmentClient.track('Order Completed', {
          orderId: 'o-1',
          revenue: 30,
          products: [{ productId: 'p-1', price: 10, quantity: 2 }, { productId: 'p-2', price: 10, quantity: 1 }],
        })
    """),
    "alias_sets_the_user": _p("""
        import { segmentClient } from './analytics.mjs'

        segmentClient.alias('user-9')
        segmentClient.track('Merged')
        await segmentClient.flush()
    """),
}


def _run(folder: Path, env: dict) -> None:
    if (folder / "app.jsx").exists():
        compiled = subprocess.run(["node", str(HERE / "stubs" / "jsx.js"), str(folder)], capture_output=True, text=True,
                                  timeout=60)
        assert compiled.returncode == 0, compiled.stderr
    proc = subprocess.run(["node", "-r", str(HERE / "stubs" / "register.js"), "app.mjs"], cwd=folder,
                          env={**os.environ, "RN_RUN_MS": RUN_MS, **env}, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"{folder.name} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"


def _layout(folder: Path, source: str, entry: str = "app.mjs") -> None:
    folder.mkdir()
    (folder / entry).write_text(source, encoding="utf-8")
    (folder / "analytics.mjs").write_text(CLIENT, encoding="utf-8")
    (folder / "package.json").write_text(json.dumps({"name": "app", "private": True, "type": "module",
                                                     "dependencies": {"@segment/analytics-react-native": "*"}}))
    (folder / "node_modules").symlink_to(HERE / "node_modules")


@pytest.mark.parametrize("name", sorted(PROGRAMS) + sorted(COMPONENTS))
def test_react_native_program_behaves_the_same(name: str, tmp_path: Path):
    _ready()
    before, after = tmp_path / "before", tmp_path / "after"
    source, entry = (PROGRAMS[name], "app.mjs") if name in PROGRAMS else (COMPONENTS[name], "app.jsx")
    _layout(before, source, entry)
    _layout(after, source, entry)
    device, device_after = tmp_path / "device.json", tmp_path / "device-after.json"
    with Capture() as server:
        segment_env = {"SEGMENT_WRITE_KEY": "WRITEKEY1", "SEGMENT_PROXY": server.url + "/v1/batch",
                       "SEGMENT_CDN_PROXY": server.url + "/cdn"}
        _run(before, {**segment_env, "RN_STORAGE": str(device)})          # 1. install
        shutil.copy(device, device_after)
        server.clear()
        _run(before, {**segment_env, "RN_STORAGE": str(device)})          # 2. before
        segment = _segment_messages(server)
    rewrite = subprocess.run([sys.executable, "-m", "segamp", "rewrite", str(after), "--no-progress", "--format", "json"],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert rewrite.returncode in (0, 1) and "Traceback" not in rewrite.stderr, rewrite.stderr
    report = json.loads(rewrite.stdout)
    output = (after / "analytics.mjs").read_text(encoding="utf-8")
    assert "@amplitude/analytics-react-native" in output and "segmentStoredIdentity" in output, output
    assert not [f for r in report["files"] for f in r["findings"] if f["rule"] == "client-left"], report
    if entry == "app.jsx":   # the provider and the hook are gone: the component reads the default instance
        component = (after / entry).read_text(encoding="utf-8")
        assert "AnalyticsProvider" not in component and "useAnalytics" not in component, component
    with Capture() as server:                                              # 3. after
        _run(after, {"AMPLITUDE_API_KEY": "APIKEY1234567", "AMPLITUDE_SERVER_URL": server.amplitude_url,
                     "RN_STORAGE": str(device_after)})
        amplitude = capture.amplitude_events(server)
    assert segment, f"{name}: the Segment program sent nothing"
    assert_equivalent(segment, amplitude)
