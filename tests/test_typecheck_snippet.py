"""The snippet global's TypeScript output type-checks where the fixture type-check cannot show it.

tests/test_typecheck.py compiles every fixture with `moduleDetection: force`, where every file is
a module. A real project's .ts file without import or export is a script, and there the
declaration of window.amplitude has another form (a top-level `declare var`, not
`declare global`). This compiles both, and a module that holds an npm client as well, under
TypeScript's default module detection with `--strict`, against the real @amplitude/analytics-browser.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from test_typecheck import ERROR_RE, _npm_ready  # noqa: E402

SCRIPT = """\
function onBuy(sku: string) {
  window.analytics.track('Bought', { sku })
}
"""
MIXED = """\
import { AnalyticsBrowser } from '@segment/analytics-next'

export const analytics = AnalyticsBrowser.load({ writeKey: process.env.NEXT_PUBLIC_SEGMENT_WRITE_KEY! })

export function both(id: string, traits: Record<string, unknown>) {
  analytics.track('From npm')
  window.analytics.identify(id, traits)
  if (window.analytics) window.analytics.page('Account')
}
"""


def test_snippet_global_outputs_typecheck_as_scripts_and_modules(tmp_path):
    tsc = _npm_ready()
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "package.json").write_text('{"name": "app", "private": true}\n')
    (proj / "legacy.ts").write_text(SCRIPT)
    (proj / "mixed.ts").write_text(MIXED)
    proc = subprocess.run([sys.executable, "-m", "segamp", "rewrite", str(proj), "--no-progress"],
                          cwd=HERE.parent, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    legacy, mixed = (proj / "legacy.ts").read_text(), (proj / "mixed.ts").read_text()
    assert "window.amplitude.track(" in legacy and "declare var amplitude:" in legacy, legacy
    assert "declare global" in mixed and "new window.amplitude.Identify()" in mixed, mixed
    config = json.loads((HERE / "typecheck" / "tsconfig.base.json").read_text())
    config["compilerOptions"]["moduleDetection"] = "auto"   # TypeScript's default: no import/export = script
    config["compilerOptions"]["typeRoots"] = [str(HERE / "typecheck" / "node_modules" / "@types")]
    config["include"] = ["legacy.ts", "mixed.ts", str(HERE / "typecheck" / "globals.d.ts")]
    (proj / "tsconfig.json").write_text(json.dumps(config))
    (proj / "node_modules").symlink_to(HERE / "typecheck" / "node_modules")
    out = subprocess.run(["node", str(tsc), "-p", str(proj / "tsconfig.json"), "--pretty", "false"], cwd=proj,
                         capture_output=True, text=True, timeout=300)
    errors = [line for line in out.stdout.splitlines() if ERROR_RE.match(line.strip())]
    assert out.returncode == 0 and not errors, textwrap.indent(out.stdout + out.stderr, "  ") + legacy + mixed
