"""Capture server for the browser SDKs (extends capture.CaptureServer, which stays as it is).

What analytics.js 2.0 (``@segment/analytics-next`` 1.84.3) asks for and sends:

* ``GET {cdnURL}/v1/projects/{writeKey}/settings`` (``browser/index.js: loadCDNSettings``).
  We answer settings with one integration, ``Segment.io``, whose ``apiHost`` is
  ``127.0.0.1:PORT/v1`` and ``protocol`` ``http`` (``plugins/segmentio/index.js``: the
  destination posts to ``{protocol}://{apiHost}/{first letter of the type}``), no remote
  plugins, no legacy destinations, and ``metrics.sampleRate: 0`` (no ``/v1/m`` metrics posts).
* ``POST /v1/t|i|p|s|g|a`` — one message per request (the default fetch dispatcher); a body
  ``{...message, writeKey, sentAt}``. ``/v1/b`` or ``/v1/batch`` (batching strategy) carry
  ``{batch: [...]}``. Any 2xx is success.

Amplitude (``@amplitude/analytics-browser`` 2.40.0) posts ``{api_key, events, options}`` to
``serverUrl``, as the Python SDK does: ``capture.CaptureServer`` already answers it.
"""
from __future__ import annotations

import re
import time
from typing import Any, Dict, List

from capture import CaptureServer, CapturedRequest

SETTINGS_RE = re.compile(r"^/v1/projects/(?P<key>[^/]+)/settings/?$")
MESSAGE_RE = re.compile(r"^/v1/(?P<kind>[tipsga])/?$")


def segment_settings(write_key: str, api_host: str) -> Dict[str, Any]:
    return {
        "integrations": {
            "Segment.io": {
                "apiKey": write_key,
                "apiHost": api_host,
                "protocol": "http",
                "unbundledIntegrations": [],
                "addBundledMetadata": True,
                "maybeBundledConfigIds": {},
            }
        },
        "plan": {"track": {"__default": {"enabled": True, "integrations": {}}},
                 "identify": {"__default": {"enabled": True}}, "group": {"__default": {"enabled": True}}},
        "edgeFunction": {},
        "analyticsNextEnabled": True,
        "middlewareSettings": {},
        "enabledMiddleware": {},
        "metrics": {"sampleRate": 0},
        "legacyVideoPluginsEnabled": False,
        "remotePlugins": [],
    }


class BrowserCaptureServer(CaptureServer):
    """Serves the Segment settings CDN and captures both browser SDKs' uploads."""

    def respond(self, req: CapturedRequest):
        path = req.path.split("?", 1)[0]
        m = SETTINGS_RE.match(path)
        if req.method == "GET" and m:
            return 200, segment_settings(m.group("key"), "127.0.0.1:%d/v1" % self.port)
        if req.method == "POST" and MESSAGE_RE.match(path) and isinstance(req.body, dict):
            return 200, {"success": True}
        return super().respond(req)


def segment_messages(server: CaptureServer) -> List[Dict[str, Any]]:
    """Every Segment message the browser SDK posted, in arrival order, with ``receivedAt``."""
    out: List[Dict[str, Any]] = []
    for req in server.requests:
        path = req.path.split("?", 1)[0]
        if req.method != "POST" or not isinstance(req.body, dict):
            continue
        received = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(req.received_at))
        received += ".%03dZ" % int((req.received_at % 1) * 1000)
        if MESSAGE_RE.match(path):
            batch = [req.body]
        elif isinstance(req.body.get("batch"), list):
            batch = req.body["batch"]
        else:
            continue
        for msg in batch:
            msg = dict(msg)
            msg.setdefault("receivedAt", received)
            out.append(msg)
    return out


def settings_requests(server: CaptureServer) -> List[CapturedRequest]:
    return [r for r in server.requests if SETTINGS_RE.match(r.path.split("?", 1)[0])]
