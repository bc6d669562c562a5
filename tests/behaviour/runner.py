"""Run a small analytics program in a subprocess, pointed at a capture server.

``run_program(source_text, env)`` writes ``source_text`` to a fresh temporary
directory as ``program_under_test.py`` (a name that cannot shadow ``segment``,
``amplitude`` or ``analytics``), runs it with ``sys.executable`` (so the same
interpreter / venv as the test run, with whatever SDKs are installed there),
waits at most 30 s, and raises :class:`ProgramFailed` (an ``AssertionError``)
with the program's stdout/stderr if it exits non-zero or times out.

``env`` is *added to* a copy of ``os.environ``; use ``capture_env(server)``
to get the two variables below.  ``NO_PROXY``/``no_proxy`` are extended with
``127.0.0.1,localhost`` so an ambient HTTP proxy can never swallow the uploads.

Environment seen by the program
-------------------------------
``SEGMENT_HOST``
    ``http://127.0.0.1:<port>`` - base URL only.  The Segment SDK itself appends
    ``/v1/batch``.
``AMPLITUDE_SERVER_URL``
    ``http://127.0.0.1:<port>/2/httpapi`` - the *full* endpoint URL.  The
    Amplitude SDK posts to ``Config.server_url`` verbatim and appends nothing
    (``server_url`` overrides both ``server_zone`` and ``use_batch``).

What a test program must contain
--------------------------------
Segment (``segment-analytics-python``, import ``segment.analytics``):

* point the SDK at the capture server, either module-level::

      import os
      import segment.analytics as analytics
      analytics.write_key = "WRITE_KEY"
      analytics.host = os.environ["SEGMENT_HOST"]

  (both must be assigned *before* the first call: the module-level default
  client is built lazily by the first ``track``/``identify``/... call and reads
  ``analytics.host`` only then), or with an explicit client::

      client = Client("WRITE_KEY", host=os.environ["SEGMENT_HOST"],
                      upload_interval=0.05)   # optional; default 0.5 s

* every call needs ``user_id`` or ``anonymous_id`` (the SDK raises
  ``AssertionError`` otherwise);
* end with ``analytics.flush()`` (or ``client.flush()`` /
  ``analytics.shutdown()`` / ``client.shutdown()``).  The SDK's own atexit hook
  only *pauses and joins* the consumer thread after its current batch; it does
  not drain the queue, so without an explicit flush everything past the batch
  in flight is lost (350 tracks at exit -> only the first 100 arrive).  ``sync_mode=True``
  (``analytics.sync_mode = True``) also works: each call POSTs inline.

Amplitude (``amplitude-analytics``, import ``amplitude``) - the line that
corresponds to ``analytics.host = os.environ["SEGMENT_HOST"]`` is the
``server_url`` of the ``Config`` passed to the client::

      import os
      from amplitude import Amplitude, Config, BaseEvent, EventOptions, Identify
      client = Amplitude("API_KEY", Config(
          server_url=os.environ["AMPLITUDE_SERVER_URL"],
          flush_interval_millis=50,      # strongly recommended, see below
          min_id_length=1,               # only if any user/device id < 5 chars
      ))

  (equivalently ``client.configuration.server_url = os.environ[...]`` after
  construction, before the first event).

* every event needs ``user_id`` or ``device_id``; the SDK silently drops (logs
  "Invalid event") a tracked/identify event with neither.  ``$groupidentify``
  events are exempt from that check;
* the real Amplitude API rejects ids shorter than 5 characters unless the upload
  carries ``options.min_id_length``; the capture server accepts everything but
  records ``options`` (see ``capture.amplitude_options``) and
  ``compare.assert_equivalent(..., amplitude_options=...)`` checks it;
* end with ``client.shutdown()`` (drains the buffer and waits for the HTTP
  worker pool).  ``client.flush()`` alone only *submits* the upload and returns
  futures.  The SDK also registers ``shutdown`` via
  ``threading._register_atexit``, so a program that simply ends still uploads,
  but: the SDK's buffer-consumer thread is non-daemon and sleeps
  ``flush_interval_millis`` (default 10 000 ms) before it notices it has nothing
  to do, so every program exit is delayed by up to that interval.  Set
  ``flush_interval_millis`` small in test programs to keep tests fast.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from typing import Dict, Mapping, Optional

__all__ = ["run_program", "capture_env", "ProgramFailed", "PROGRAM_FILENAME", "DEFAULT_TIMEOUT"]

DEFAULT_TIMEOUT = 30.0
PROGRAM_FILENAME = "program_under_test.py"


class ProgramFailed(AssertionError):
    """The program exited non-zero or timed out."""


def capture_env(server) -> Dict[str, str]:
    """``{"SEGMENT_HOST": ..., "AMPLITUDE_SERVER_URL": ...}`` for a CaptureServer."""
    base = server.url.rstrip("/")
    return {"SEGMENT_HOST": base, "AMPLITUDE_SERVER_URL": base + "/2/httpapi"}


def _no_proxy(existing: Optional[str]) -> str:
    items = [p for p in (existing or "").split(",") if p.strip()]
    for host in ("127.0.0.1", "localhost"):
        if host not in items:
            items.append(host)
    return ",".join(items)


def run_program(source_text: str, env: Mapping[str, str], timeout: float = DEFAULT_TIMEOUT) -> None:
    """Run ``source_text`` as a Python program with ``env`` added to the environment.

    Returns ``None`` on exit status 0; raises :class:`ProgramFailed` otherwise.
    """
    child_env = dict(os.environ)
    child_env.update({str(k): str(v) for k, v in env.items()})
    child_env["NO_PROXY"] = child_env["no_proxy"] = _no_proxy(
        child_env.get("NO_PROXY") or child_env.get("no_proxy")
    )
    child_env.setdefault("PYTHONIOENCODING", "utf-8")
    child_env.pop("PYTHONSTARTUP", None)

    with tempfile.TemporaryDirectory(prefix="segamp-behaviour-") as tmp:
        path = os.path.join(tmp, PROGRAM_FILENAME)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(source_text)
        try:
            proc = subprocess.run(
                [sys.executable, path],
                cwd=tmp,
                env=child_env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise ProgramFailed(
                "program timed out after %ss\n--- stdout ---\n%s\n--- stderr ---\n%s\n--- program ---\n%s"
                % (timeout, _text(exc.stdout), _text(exc.stderr), _numbered(source_text))
            ) from None
        if proc.returncode != 0:
            raise ProgramFailed(
                "program exited with status %d\n--- stdout ---\n%s\n--- stderr ---\n%s\n--- program ---\n%s"
                % (proc.returncode, _text(proc.stdout), _text(proc.stderr), _numbered(source_text))
            )
    return None


def _text(data) -> str:
    if data is None:
        return ""
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data


def _numbered(src: str) -> str:
    return "\n".join("%4d  %s" % (i, line) for i, line in enumerate(src.splitlines(), 1))
