"""`segamp events`: the tracking plan the code implements, before and after the rewrite.

Every Segment track/page/screen/identify/group call with its event name, property keys and
traits, per file and line, and what Amplitude will receive for it once rewritten (event type,
event and user properties, groups), as CSV or JSON, so a team can check in Amplitude that
every event arrives (the migration guide's "Validate events" step). The rows come from the
mapping (segamp.core.tracking); every client is mapped as if it could be converted (partial),
and a call segamp cannot convert has no Amplitude side."""
from __future__ import annotations

import csv
import json
import sys
from typing import Iterable, Optional, TextIO

from .engine import Engine

COLUMNS = ("path", "line", "language", "segment_call", "segment_event", "segment_properties", "segment_traits",
           "segment_group", "amplitude_event_type", "amplitude_event_properties", "amplitude_user_properties",
           "amplitude_group", "converted")


def collect(engine: Engine, paths: list[str]) -> list[dict]:
    engine.config.partial = True   # the plan of every call, whether or not its client migrates
    rows = []
    for result in engine.run(paths):
        for f in result.findings:
            raw = f.params.get("tracking")
            if raw:
                row = json.loads(raw)
                rows.append({"path": result.path, "line": f.line, "language": result.language, **row})
    return sorted(rows, key=lambda r: (r["path"], r["line"]))


def _join(items: Iterable[str]) -> str:
    return ";".join(items or ())


def write_csv(rows: list[dict], out: Optional[TextIO] = None) -> None:
    out = out or sys.stdout   # looked up now: a test runner may have swapped it
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rows:
        head = [r["path"], r["line"], r["language"], r["kind"], r.get("event") or "", _join(r.get("properties", [])),
                _join(r.get("traits", [])), r.get("group") or ""]
        sent = r.get("amplitude")
        if not sent:
            w.writerow(head + ["", "", "", "", "no" if sent is None else "yes"])
            continue
        for ev in sent:
            w.writerow(head + [ev.get("event_type") or "", _join(ev.get("event_properties", [])),
                               _join(ev.get("user_properties", []) or ev.get("group_properties", [])),
                               "=".join(x for x in (ev.get("group_type"), ev.get("group")) if x), "yes"])


def write_json(rows: list[dict], out: Optional[TextIO] = None) -> None:
    out = out or sys.stdout   # looked up now: a test runner may have swapped it
    json.dump({"schema": 1, "events": rows}, out, indent=2, ensure_ascii=False)
    out.write("\n")
