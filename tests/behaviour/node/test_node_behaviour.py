"""segamp's Node rewrite, proven by running both real SDKs (issue 10, acceptance 3).

For each small server program: run the original with the real @segment/analytics-node (or the
legacy analytics-node) pointed at a capture server on 127.0.0.1 (its `host` is read from
SEGMENT_HOST, which segamp renames to AMPLITUDE_SERVER_URL, so the rewritten program's
serverUrl points at the capture server the same way); rewrite a copy with `python -m segamp
rewrite`; run the output with the real @amplitude/analytics-node; assert that every Segment
message has the Amplitude event Segment's Amplitude (Actions) destination produced from it
(event type, user and device ids, properties as sent, $set traits, groups, time and insert id
where the program set them), and nothing more. The SDKs come from tests/behaviour/node/
package-lock.json (`npm ci`).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
sys.path.insert(0, str(HERE.parent))

import browser_compare  # noqa: E402
import capture  # noqa: E402
from compare import iso_to_millis  # noqa: E402

GROUP_TYPE = "[Segment] Group"
EXPLICIT_MESSAGE_ID = re.compile(r"^msg-")   # the programs' own message ids (the SDK's are random)
COMPARED = ("event_type", "user_id", "device_id", "event_properties", "user_properties", "groups", "group_properties")
# compared where the destination set them: the logPurchase preset's fields on 'Order Completed'
OPTIONAL = ("time", "insert_id", "revenue", "price", "quantity", "productId", "revenueType")


def _node_ready() -> None:
    if (HERE / "node_modules" / "@amplitude" / "analytics-node").exists() and shutil.which("node"):
        return
    if shutil.which("node") is None or shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail("node and npm are required in CI to run the Node behaviour suite")
        pytest.skip("node/npm not found: the Node rewrite was NOT run against the real SDKs "
                    "(install Node.js + npm, then `cd tests/behaviour/node && npm ci`)")
    proc = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        pytest.fail("npm ci failed in tests/behaviour/node:\n" + proc.stdout[-2000:] + proc.stderr[-2000:])


@dataclass
class Program:
    source: str
    entry: str = "app.js"
    package: str = "@segment/analytics-node"


SEGMENT = "const { Analytics } = require('@segment/analytics-node')\n\n" \
          "const analytics = new Analytics({ writeKey: process.env.SEGMENT_WRITE_KEY, host: process.env.SEGMENT_HOST, flushInterval: 200 })\n"
LEGACY = "const Analytics = require('analytics-node')\n\n" \
         "const analytics = new Analytics(process.env.SEGMENT_WRITE_KEY, { host: process.env.SEGMENT_HOST, flushInterval: 200 })\n"


def _p(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


PROGRAMS = {
    "track_user_and_anonymous": Program(SEGMENT + _p("""
        async function main() {
          analytics.track({ userId: 'user-1', event: 'Order Placed', properties: { orderId: 'o-1', total: 42.5 } })
          analytics.track({ anonymousId: 'anon-1', event: 'Landing Viewed' })
          analytics.track({ userId: 'user-2', anonymousId: 'anon-2', event: 'Signed Up', properties: { plan: 'pro' } })
          await analytics.closeAndFlush()
        }
        main()
    """)),
    "identify_traits": Program(SEGMENT + _p("""
        async function main() {
          analytics.identify({ userId: 'user-1', traits: { email: 'a@example.com', plan: 'pro', seats: 3 } })
          analytics.identify({ anonymousId: 'anon-9', traits: { employer: 'Acme' } })
          await analytics.closeAndFlush()
        }
        main()
    """)),
    "identify_runtime_traits": Program(SEGMENT + _p("""
        async function main() {
          const traits = JSON.parse('{"email": "b@example.com", "age": 41, "beta": true}')
          analytics.identify({ userId: 'user-3', traits })
          await analytics.closeAndFlush()
        }
        main()
    """)),
    "group_with_traits": Program(SEGMENT + _p("""
        async function main() {
          analytics.group({ userId: 'user-1', groupId: 'org-1', traits: { name: 'Acme', plan: 'enterprise' } })
          analytics.group({ anonymousId: 'anon-7', groupId: 'team-7' })
          await analytics.closeAndFlush()
        }
        main()
    """)),
    "page_and_screen": Program(SEGMENT + _p("""
        async function main() {
          analytics.page({ userId: 'user-1', category: 'Docs', name: 'Install', properties: { path: '/docs/install' } })
          analytics.page({ userId: 'user-1', name: 'Home' })
          analytics.screen({ anonymousId: 'device-3', name: 'Settings', properties: { tab: 'privacy' } })
          analytics.page({ userId: 'user-1' })
          await analytics.closeAndFlush()
        }
        main()
    """)),
    "timestamp_and_message_id": Program(SEGMENT + _p("""
        async function main() {
          analytics.track({ userId: 'user-1', event: 'Imported', timestamp: new Date('2024-01-02T03:04:05.678Z'), messageId: 'msg-import-1' })
          analytics.track({ userId: 'user-1', event: 'Replayed', timestamp: '2024-03-04T05:06:07.000Z', messageId: 'msg-replay-1' })
          analytics.identify({ userId: 'user-1', traits: { imported: true }, timestamp: new Date('2024-01-02T00:00:00Z') })
          await analytics.closeAndFlush()
        }
        main()
    """)),
    "callback_and_flush": Program(SEGMENT + _p("""
        async function main() {
          await new Promise((resolve) => analytics.track({ userId: 'user-1', event: 'Called Back' }, (err) => {
            if (err) throw err
            resolve()
          }))
          analytics.track({ userId: 'user-1', event: 'After Callback' })
          await analytics.flush()
          analytics.track({ userId: 'user-1', event: 'After Flush' })
          await analytics.closeAndFlush({ timeout: 5000 })
        }
        main()
    """)),
    "class_field_client": Program(_p("""
        const { Analytics } = require('@segment/analytics-node')

        class Tracker {
          constructor() {
            this.analytics = new Analytics({ writeKey: process.env.SEGMENT_WRITE_KEY, host: process.env.SEGMENT_HOST, flushAt: 2, flushInterval: 200 })
          }

          shipped(userId, orderId) {
            this.analytics.track({ userId, event: 'Order Shipped', properties: { orderId } })
          }

          async close() {
            await this.analytics.closeAndFlush()
          }
        }

        async function main() {
          const tracker = new Tracker()
          tracker.shipped('user-5', 'o-5')
          tracker.shipped('user-6', 'o-6')
          tracker.shipped('user-7', 'o-7')
          await tracker.close()
        }
        main()
    """)),
    "alias_sends_nothing": Program(SEGMENT + _p("""
        async function main() {
          analytics.alias({ userId: 'user-1', previousId: 'anon-1' })
          analytics.track({ userId: 'user-1', event: 'Merged' })
          await analytics.closeAndFlush()
        }
        main()
    """)),
    "esm_module": Program(_p("""
        import { Analytics } from '@segment/analytics-node'

        const analytics = new Analytics({ writeKey: process.env.SEGMENT_WRITE_KEY, host: process.env.SEGMENT_HOST, flushInterval: 200 })

        analytics.track({ userId: 'user-8', event: 'From ESM', properties: { ok: true } })
        analytics.identify({ userId: 'user-8', traits: { module: 'esm' } })
        await analytics.closeAndFlush()
    """), entry="app.mjs"),
    "order_completed": Program(SEGMENT + _p("""
        async function main() {
          analytics.track({
            userId: 'user-1',
            event: 'Order Completed',
            properties: { orderId: 'o-9', revenue: 30, products: [{ productId: 'p-1', price: 10, quantity: 2 }, { productId: 'p-2', price: 10, quantity: 1 }] },
          })
          await analytics.closeAndFlush()
        }
        main()
    """)),
    "legacy_track_identify": Program(LEGACY + _p("""
        analytics.identify({ userId: 'user-1', traits: { email: 'c@example.com' } })
        analytics.track({ userId: 'user-1', event: 'Legacy Event', properties: { n: 1 } })
        analytics.track({ anonymousId: 'anon-4', event: 'Legacy Anonymous' })
        analytics.flush(() => {})
    """), package="analytics-node"),
    "legacy_page_group_numeric_id": Program(LEGACY + _p("""
        const user = { id: 12345 }
        analytics.page({ userId: user.id, name: 'Dashboard', category: 'App', properties: { path: '/dash' } })
        analytics.group({ userId: user.id, groupId: 'org-2', traits: { name: 'Beta Inc' } })
        analytics.flush()
    """), package="analytics-node"),
}


# --- what Segment's Amplitude (Actions) destination produced ----------------------------------
def _ids(msg: dict) -> dict:
    out = {}
    if msg.get("userId") is not None:
        out["user_id"] = str(msg["userId"])
    if msg.get("anonymousId") is not None:
        out["device_id"] = str(msg["anonymousId"])
    return out


def _explicit_time(msg: dict) -> bool:
    # a timestamp the program set: far from when the batch was sent
    sent = msg.get("sentAt") or msg.get("_sentAt")
    ts = msg.get("timestamp")
    return bool(ts and sent and abs(iso_to_millis(ts) - iso_to_millis(sent)) > 60_000)


def expected_events(messages: list[dict]) -> list[dict]:
    """The destination's presets: track → the event; identify → $set traits; group → the user's
    group + $groupidentify of its traits; page/screen → 'Viewed {name}' with the properties as
    sent (@segment/analytics-node had already copied category into page properties); alias → none."""
    out = []
    for msg in messages:
        kind, events = msg.get("type"), []
        if kind == "track":
            props = msg.get("properties") or {}
            events.append({"event_type": msg["event"], "event_properties": props})
            if msg["event"] == "Order Completed":   # the Actions destination's logPurchase preset
                events[0].update(browser_compare._revenue_fields(props))
                events += [{"event_type": "Product Purchased",
                            "event_properties": {k: p[k] for k in browser_compare.REVENUE_KEYS if p.get(k) is not None}}
                           for p in props.get("products") or []]
        elif kind == "identify" and msg.get("traits"):
            events.append({"event_type": "$identify", "user_properties": {"$set": dict(msg["traits"])}})
        elif kind == "group":
            gid = str(msg["groupId"])
            events.append({"event_type": "$identify", "groups": {GROUP_TYPE: gid},
                           "user_properties": {"$set": {GROUP_TYPE: gid}}})
            if msg.get("traits"):
                events.append({"event_type": "$groupidentify", "groups": {GROUP_TYPE: gid},
                               "group_properties": {"$set": dict(msg["traits"])}})
        elif kind in ("page", "screen"):
            events.append({"event_type": f"Viewed {msg.get('name') or ''}", "event_properties": msg.get("properties") or {}})
        for ev in events:
            ev.update(_ids(msg))
            if _explicit_time(msg):
                ev["time"] = iso_to_millis(msg["timestamp"])
            if EXPLICIT_MESSAGE_ID.match(str(msg.get("messageId", ""))) and kind != "group":
                ev["insert_id"] = msg["messageId"]
            out.append(ev)
    return out


def _view(ev: dict, keys) -> str:
    return json.dumps({k: ev.get(k) or ({} if k in COMPARED[3:] else None) for k in keys}, sort_keys=True)


def assert_equivalent(messages: list[dict], events: list[dict]) -> None:
    expected = expected_events(messages)
    keys = lambda ev: COMPARED + tuple(k for k in OPTIONAL if k in ev)  # noqa: E731
    want = Counter(_view(ev, keys(ev)) for ev in expected)
    # each actual event is viewed with the fields its expected twin compares (time, insert_id)
    got = Counter()
    for ev in events:
        candidates = [_view(ev, keys(x)) for x in expected]
        got[next((c for c in candidates if want[c] > got[c]), _view(ev, COMPARED))] += 1
    missing, extra = want - got, got - want
    assert not missing and not extra, ("Amplitude events differ from what Segment's destination sent:\n"
                                       f"missing: {list(missing.elements())}\nextra: {list(extra.elements())}")


# --- running ---------------------------------------------------------------------------------
def _run(folder: Path, entry: str, env: dict) -> subprocess.CompletedProcess:
    proc = subprocess.run(["node", entry], cwd=folder, env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, f"{folder.name}/{entry} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    return proc


def _segment_messages(server) -> list[dict]:
    out = []
    for req in capture.segment_requests(server):
        for msg in req.body.get("batch", []):
            out.append({**msg, "_sentAt": req.body.get("sentAt") or msg.get("sentAt")})
    return out


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_node_program_behaves_the_same(name: str, tmp_path: Path):
    _node_ready()
    program = PROGRAMS[name]
    before, after = tmp_path / "before", tmp_path / "after"
    for folder in (before, after):
        folder.mkdir()
        (folder / program.entry).write_text(program.source, encoding="utf-8")
        (folder / "package.json").write_text(json.dumps({"name": "app", "private": True,
                                                         "dependencies": {program.package: "*"}}), encoding="utf-8")
        (folder / "node_modules").symlink_to(HERE / "node_modules")
    with capture.CaptureServer() as server:
        _run(before, program.entry, {"SEGMENT_WRITE_KEY": "WRITEKEY1", "SEGMENT_HOST": server.url})
        segment = _segment_messages(server)
    rewrite = subprocess.run([sys.executable, "-m", "segamp", "rewrite", str(after), "--no-progress", "--format", "json"],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert rewrite.returncode in (0, 1) and "Traceback" not in rewrite.stderr, rewrite.stderr
    report = json.loads(rewrite.stdout)
    output = (after / program.entry).read_text(encoding="utf-8")
    assert "@amplitude/analytics-node" in output and "process.env.SEGMENT" not in output, output
    assert not [f for r in report["files"] for f in r["findings"] if f["rule"] == "client-left"], report
    with capture.CaptureServer() as server:
        _run(after, program.entry, {"AMPLITUDE_API_KEY": "APIKEY1", "AMPLITUDE_SERVER_URL": server.amplitude_url})
        amplitude = capture.amplitude_events(server)
        options = capture.amplitude_options(server)
    assert segment, f"{name}: the Segment program sent nothing"
    assert all(o is not None and o.get("min_id_length") == 1 for o in options), options
    assert_equivalent(segment, amplitude)
