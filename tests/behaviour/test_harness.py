"""Self-tests for the behaviour harness (capture server, runner, comparison).

Every Segment/Amplitude program pair below is written BY HAND - none is codemod
output - so a failure here is a harness bug, not a codemod bug.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import textwrap

import pytest

try:  # imported as part of a package (tests/behaviour/__init__.py present)
    from . import capture, compare, runner  # type: ignore[no-redef]
except ImportError:  # pytest "prepend"/"importlib" import modes without __init__.py
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import capture  # type: ignore[no-redef]
    import compare  # type: ignore[no-redef]
    import runner  # type: ignore[no-redef]


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


_MISSING = [
    dist
    for mod, dist in (("segment.analytics", "segment-analytics-python"), ("amplitude", "amplitude-analytics"))
    if not _importable(mod)
]
needs_sdks = pytest.mark.skipif(
    bool(_MISSING),
    reason="behaviour harness needs the real SDKs; not importable in %s: %s (pip install -e '.[test]')"
    % (sys.executable, ", ".join(_MISSING)),
)


def _src(text: str) -> str:
    return textwrap.dedent(text).lstrip()


def _run_pair(segment_src: str, amplitude_src: str):
    """Run both programs against one capture server; return (messages, events, options)."""
    with capture.CaptureServer() as server:
        env = runner.capture_env(server)
        runner.run_program(segment_src, env)
        runner.run_program(amplitude_src, env)
        return (
            capture.segment_messages(server),
            capture.amplitude_events(server),
            capture.amplitude_options(server),
        )


# --------------------------------------------------------------------------- pairs
# 2024-01-02T03:04:05.123Z == 1704164645123 ms
TRACK_SEGMENT = _src('''
    import os
    from datetime import datetime, timezone
    import segment.analytics as analytics

    analytics.write_key = "seg-write-key"
    analytics.host = os.environ["SEGMENT_HOST"]

    analytics.track(
        "user-123",
        "Order Completed",
        {"order_id": "o-1", "total": 42.5, "items": ["a", "b"], "coupon": None, "meta": {"n": 1}},
        timestamp=datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=timezone.utc),
        anonymous_id="anon-456",
        message_id="msg-track-1",
    )
    analytics.flush()
''')

TRACK_AMPLITUDE = _src('''
    import os
    from datetime import datetime, timezone
    from amplitude import Amplitude, BaseEvent, Config

    client = Amplitude("amp-api-key", Config(server_url=os.environ["AMPLITUDE_SERVER_URL"],
                                             flush_interval_millis=50))
    ts = datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=timezone.utc)
    client.track(BaseEvent(
        "Order Completed",
        user_id="user-123",
        device_id="anon-456",
        time=int(ts.timestamp() * 1000),
        insert_id="msg-track-1",
        event_properties={"order_id": "o-1", "total": 42.5, "items": ["a", "b"], "coupon": None, "meta": {"n": 1}},
    ))
    client.shutdown()
''')

IDENTIFY_SEGMENT = _src('''
    import os
    from segment.analytics import Client

    client = Client("seg-write-key", host=os.environ["SEGMENT_HOST"], upload_interval=0.05, gzip=True)
    client.identify("user-123", {"email": "ada@example.com", "plan": "pro", "age": 36, "beta": True})
    client.flush()
''')

IDENTIFY_AMPLITUDE = _src('''
    import os
    from amplitude import Amplitude, Config, EventOptions, Identify

    client = Amplitude("amp-api-key", Config(server_url=os.environ["AMPLITUDE_SERVER_URL"],
                                             flush_interval_millis=50))
    identify = Identify()
    for key, value in {"email": "ada@example.com", "plan": "pro", "age": 36, "beta": True}.items():
        identify.set(key, value)
    client.identify(identify, EventOptions(user_id="user-123"))
    client.shutdown()
''')

GROUP_SEGMENT = _src('''
    import os
    import segment.analytics as analytics

    analytics.write_key = "seg-write-key"
    analytics.host = os.environ["SEGMENT_HOST"]
    analytics.sync_mode = True   # post inline; no consumer thread

    analytics.group("user-123", "acme-co", {"name": "Acme", "employees": 250})
''')

GROUP_AMPLITUDE = _src('''
    import os
    from amplitude import Amplitude, Config, EventOptions, Identify

    client = Amplitude("amp-api-key", Config(server_url=os.environ["AMPLITUDE_SERVER_URL"],
                                             flush_interval_millis=50))
    client.set_group("[Segment] Group", "acme-co", EventOptions(user_id="user-123"))
    client.group_identify("[Segment] Group", "acme-co",
                          Identify().set("name", "Acme").set("employees", 250),
                          EventOptions(user_id="user-123"))
    client.shutdown()
''')

# Short ids, no explicit timestamp, page call; the Amplitude side relies on the
# SDK's own exit hook instead of an explicit shutdown().
PAGE_SEGMENT = _src('''
    import os
    from segment.analytics import Client

    client = Client("seg-write-key", host=os.environ["SEGMENT_HOST"], upload_interval=0.05)
    client.page("u1", "Docs", "Pricing", {"path": "/pricing"})
    client.alias("u0", "u1")
    client.shutdown()
''')

PAGE_AMPLITUDE = _src('''
    import os
    from amplitude import Amplitude, BaseEvent, Config

    client = Amplitude("amp-api-key", Config(server_url=os.environ["AMPLITUDE_SERVER_URL"],
                                             flush_interval_millis=50, min_id_length=1))
    client.track(BaseEvent("Viewed Pricing", user_id="u1",
                           event_properties={"path": "/pricing", "name": "Pricing", "category": "Docs"}))
''')


# --------------------------------------------------------------------------- tests
@needs_sdks
def test_track_pair_with_properties_and_explicit_timestamp():
    messages, events, options = _run_pair(TRACK_SEGMENT, TRACK_AMPLITUDE)
    assert [m["type"] for m in messages] == ["track"]
    assert messages[0]["timestamp"] == "2024-01-02T03:04:05.123+00:00"
    assert len(events) == 1
    assert events[0]["time"] == 1704164645123
    assert options == [None]
    # explicit timestamp and messageId -> both compared (auto mode decides True)
    compare.assert_equivalent(messages, events, amplitude_options=options)
    compare.assert_equivalent(messages, events, compare_time=True, compare_insert_id=True, time_tolerance_ms=0)


@needs_sdks
def test_identify_pair_with_traits_gzip():
    with capture.CaptureServer() as server:
        env = runner.capture_env(server)
        runner.run_program(IDENTIFY_SEGMENT, env)
        runner.run_program(IDENTIFY_AMPLITUDE, env)
        seg_reqs = capture.segment_requests(server)
        assert seg_reqs and seg_reqs[0].headers.get("Content-Encoding") == "gzip"
        assert seg_reqs[0].path == "/v1/batch"
        amp_reqs = capture.amplitude_requests(server)
        assert amp_reqs and amp_reqs[0].path == "/2/httpapi"
        assert amp_reqs[0].body["api_key"] == "amp-api-key"
        messages, events = capture.segment_messages(server), capture.amplitude_events(server)
    assert [e["event_type"] for e in events] == ["$identify"]
    assert events[0]["user_properties"] == {
        "$set": {"email": "ada@example.com", "plan": "pro", "age": 36, "beta": True}}
    compare.assert_equivalent(messages, events)


@needs_sdks
def test_group_pair_with_traits():
    messages, events, options = _run_pair(GROUP_SEGMENT, GROUP_AMPLITUDE)
    assert [m["type"] for m in messages] == ["group"]
    assert [e["event_type"] for e in events] == ["$identify", "$groupidentify"]
    compare.assert_equivalent(messages, events, ordered=True, amplitude_options=options)


@needs_sdks
def test_page_pair_short_ids_and_exit_hook_flush():
    messages, events, options = _run_pair(PAGE_SEGMENT, PAGE_AMPLITUDE)
    assert [m["type"] for m in messages] == ["page", "alias"]
    assert options == [{"min_id_length": 1}]
    # no explicit timestamp / messageId: auto mode must ignore time and insert_id
    compare.assert_equivalent(messages, events, amplitude_options=options)
    with pytest.raises(AssertionError, match="min_id_length 5"):
        compare.assert_equivalent(messages, events, amplitude_options=[None])


@needs_sdks
def test_assert_equivalent_fails_when_a_property_differs():
    wrong = TRACK_AMPLITUDE.replace('"total": 42.5', '"total": 40.0')
    assert wrong != TRACK_AMPLITUDE
    messages, events, _ = _run_pair(TRACK_SEGMENT, wrong)
    with pytest.raises(AssertionError) as info:
        compare.assert_equivalent(messages, events)
    text = str(info.value)
    assert "event_properties.total: expected 42.5, got 40.0" in text
    assert "Order Completed" in text


def test_expected_mapping_shapes_without_sdks():
    ts = "2024-01-02T03:04:05.123+00:00"
    msgs = [
        {"type": "track", "event": "E", "userId": "user-1", "properties": {"a": 1, "b": None},
         "timestamp": ts, "messageId": "m-1"},
        {"type": "identify", "anonymousId": "anon-1", "traits": {"x": "y"}, "timestamp": ts},
        {"type": "identify", "userId": "user-1", "traits": {}},
        {"type": "group", "userId": "user-1", "groupId": "g-1", "traits": {"t": 1}, "messageId": "m-3"},
        {"type": "screen", "userId": "user-1", "name": "Home", "properties": {}},
        {"type": "alias", "userId": "user-1", "previousId": "anon-1"},
    ]
    assert compare.expected_amplitude_from_segment(msgs, group_type="org") == [
        {"event_type": "E", "event_properties": {"a": 1}, "user_id": "user-1", "time": 1704164645123,
         "insert_id": "m-1"},
        {"event_type": "$identify", "user_properties": {"$set": {"x": "y"}}, "device_id": "anon-1",
         "time": 1704164645123},
        {"event_type": "$identify", "groups": {"org": "g-1"}, "user_properties": {"$set": {"org": "g-1"}},
         "user_id": "user-1"},
        {"event_type": "$groupidentify", "groups": {"org": "g-1"}, "group_properties": {"$set": {"t": 1}},
         "user_id": "user-1"},
        {"event_type": "Viewed Home", "event_properties": {"name": "Home"}, "user_id": "user-1"},
    ]
    assert compare.iso_to_millis("2024-01-02T03:04:05.123456Z") == 1704164645123
    # an unexpected extra Amplitude event is reported
    with pytest.raises(AssertionError, match="unexpected Amplitude event"):
        compare.assert_equivalent([], [{"event_type": "E", "user_id": "user-1"}])
