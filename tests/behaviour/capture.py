"""A local HTTP capture server that both analytics SDKs can deliver to.

``CaptureServer`` listens on 127.0.0.1 (ephemeral port), records every request
it receives and answers each one the way the real service would answer a good
upload, so that neither SDK retries, drops or logs an error:

* **Segment** (``segment-analytics-python``): the SDK POSTs to
  ``<host>/v1/batch`` (``host`` is ``analytics.host`` or ``Client(host=...)``;
  the SDK strips one trailing ``/`` and appends ``/v1/batch``).  The body is
  ``{"batch": [msg, ...], "sentAt": iso, "writeKey": key}``, optionally gzipped
  (``Content-Encoding: gzip`` when ``gzip=True``), with
  ``Authorization: Basic base64("<writeKey>:")``.  Any 2xx status is success;
  the body is not read.  We answer ``200 {"success": true}``.

* **Amplitude** (``amplitude-analytics``): the SDK POSTs to
  ``Config.server_url`` *verbatim* (it is the full endpoint URL, no path is
  appended) a body ``{"api_key": key, "events": [...], "options":
  {"min_id_length": n}}`` (``options`` only when ``min_id_length`` is set).
  The SDK ignores the HTTP status on success and parses the JSON body: it
  needs ``{"code": 200, ...}``.  A non-JSON 2xx body makes ``json.loads`` raise
  inside a worker future, so the batch is silently lost - hence we always answer
  with the shape of the real HTTP V2 API:
  ``{"code": 200, "events_ingested": n, "payload_size_bytes": b,
  "server_upload_time": ms}``.

One server can serve both SDKs at once: requests are classified by their
decoded body (Segment batches carry ``"batch"``, Amplitude uploads carry
``"api_key"`` and ``"events"``), not by port.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional

__all__ = [
    "CapturedRequest",
    "CaptureServer",
    "AMPLITUDE_PATH",
    "segment_messages",
    "segment_requests",
    "amplitude_events",
    "amplitude_requests",
    "amplitude_options",
]

#: Path we recommend appending to the capture URL for Amplitude's ``server_url``
#: (mirrors the real HTTP V2 endpoint ``https://api2.amplitude.com/2/httpapi``).
AMPLITUDE_PATH = "/2/httpapi"


@dataclass
class CapturedRequest:
    """One HTTP request as the capture server saw it."""

    method: str
    path: str
    headers: Dict[str, str]
    raw_body: bytes  # as received on the wire (possibly gzipped)
    body: Any  # decoded JSON, or None when the body was not JSON
    received_at: float  # time.time() when recorded
    response_status: int = 200
    response_body: Any = None

    @property
    def kind(self) -> str:
        """``"segment"``, ``"amplitude"`` or ``"other"``, judged from the body."""
        if isinstance(self.body, dict):
            if isinstance(self.body.get("batch"), list):
                return "segment"
            if "api_key" in self.body and isinstance(self.body.get("events"), list):
                return "amplitude"
        return "other"


def _decode_body(raw: bytes, encoding: str) -> Any:
    data = raw
    encoding = (encoding or "").strip().lower()
    if encoding == "gzip" or data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    elif encoding == "deflate":
        data = zlib.decompress(data)
    if not data:
        return None
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _read_chunked(rfile) -> bytes:
    out = bytearray()
    while True:
        line = rfile.readline()
        size = int(line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            # trailer section, ends with an empty line
            while rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return bytes(out)
        out += rfile.read(size)
        rfile.readline()  # CRLF after each chunk


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"  # keep-alive, as both SDKs' HTTP stacks expect

    def log_message(self, format, *args):  # noqa: A002 - silence stderr logging
        pass

    def _handle(self) -> None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            raw = _read_chunked(self.rfile)
        else:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        req = CapturedRequest(
            method=self.command,
            path=self.path,
            headers={k: v for k, v in self.headers.items()},
            raw_body=raw,
            body=_decode_body(raw, self.headers.get("Content-Encoding", "")),
            received_at=time.time(),
        )
        status, payload = self.server.capture.respond(req)
        req.response_status, req.response_body = status, payload
        # Record before answering: once the SDK has its response (and the
        # program has exited) the request is guaranteed to be in the log.
        self.server.capture._record(req)
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_POST = _handle
    do_PUT = _handle
    do_GET = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    capture: "CaptureServer"


class CaptureServer:
    """Threaded HTTP server on 127.0.0.1 recording what the SDKs send.

    Use as a context manager::

        with CaptureServer() as server:
            run_program(src, capture_env(server))
            msgs = segment_messages(server)

    Attributes/properties:
        ``url``            ``http://127.0.0.1:<port>`` (no trailing slash) - the
                           Segment ``host``.
        ``amplitude_url``  ``url + "/2/httpapi"`` - the Amplitude ``server_url``.
        ``requests``       snapshot list of :class:`CapturedRequest`, in arrival
                           order.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._requests: List[CapturedRequest] = []
        self._httpd: Optional[_Server] = None
        self._thread: Optional[threading.Thread] = None

    # -- lifecycle -----------------------------------------------------
    def start(self) -> "CaptureServer":
        httpd = _Server((self._host, self._port), _Handler)
        httpd.capture = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "CaptureServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------
    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("CaptureServer is not running")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return "http://%s:%d" % (self._host, self.port)

    @property
    def segment_host(self) -> str:
        return self.url

    @property
    def amplitude_url(self) -> str:
        return self.url + AMPLITUDE_PATH

    def env(self) -> Dict[str, str]:
        """The environment variables ``runner.run_program`` programs read."""
        return {"SEGMENT_HOST": self.segment_host, "AMPLITUDE_SERVER_URL": self.amplitude_url}

    # -- recording -----------------------------------------------------
    def _record(self, req: CapturedRequest) -> None:
        with self._lock:
            self._requests.append(req)

    @property
    def requests(self) -> List[CapturedRequest]:
        with self._lock:
            return list(self._requests)

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()

    def respond(self, req: CapturedRequest):
        """Return ``(status, json_payload)`` for a request (override to inject faults)."""
        kind = req.kind
        if kind == "segment":
            return 200, {"success": True}
        if kind == "amplitude":
            return 200, {
                "code": 200,
                "events_ingested": len(req.body["events"]),
                "payload_size_bytes": len(req.raw_body),
                "server_upload_time": int(req.received_at * 1000),
            }
        if req.path.rstrip("/").endswith("/v1/batch"):
            return 400, {"success": False, "code": "invalid_request", "message": "body is not a Segment batch"}
        return 400, {"code": 400, "error": "capture server: unrecognised request body"}


# -- extraction helpers ------------------------------------------------------
def segment_requests(server: CaptureServer) -> List[CapturedRequest]:
    return [r for r in server.requests if r.kind == "segment"]


def segment_messages(server: CaptureServer) -> List[Dict[str, Any]]:
    """All Segment messages, flattened from batches in arrival order.

    Each message is returned as the SDK sent it, plus - like Segment's own
    tracking API does - ``sentAt`` copied from its batch and ``receivedAt``
    (ISO-8601 UTC) if the message does not already carry them.  ``compare``
    uses these to tell SDK-generated timestamps from explicit ones.
    """
    out: List[Dict[str, Any]] = []
    for req in segment_requests(server):
        sent_at = req.body.get("sentAt")
        received = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(req.received_at))
        received += ".%03dZ" % int((req.received_at % 1) * 1000)
        for msg in req.body["batch"]:
            msg = dict(msg)
            if sent_at is not None:
                msg.setdefault("sentAt", sent_at)
            msg.setdefault("receivedAt", received)
            out.append(msg)
    return out


def amplitude_requests(server: CaptureServer) -> List[CapturedRequest]:
    return [r for r in server.requests if r.kind == "amplitude"]


def amplitude_events(server: CaptureServer) -> List[Dict[str, Any]]:
    """All Amplitude events, flattened from uploads in arrival order."""
    out: List[Dict[str, Any]] = []
    for req in amplitude_requests(server):
        out.extend(dict(e) for e in req.body["events"])
    return out


def amplitude_options(server: CaptureServer) -> List[Optional[Dict[str, Any]]]:
    """The ``options`` object of every Amplitude upload (``None`` where absent).

    ``[{"min_id_length": 1}, ...]`` means the program configured
    ``Config(min_id_length=1)``; ``None`` means the server default (5) applies.
    """
    return [r.body.get("options") for r in amplitude_requests(server)]
