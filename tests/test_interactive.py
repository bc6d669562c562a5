"""rewrite --interactive driven through a real pseudo-terminal: accept one file, skip one, quit;
exactly the accepted file changes. A hunk-by-hunk choice is written only if it still parses."""
from __future__ import annotations

import fcntl
import os
import pty
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

CLIENT = '''import {{ AnalyticsBrowser }} from '@segment/analytics-next'

const analytics{n} = AnalyticsBrowser.load({{ writeKey: process.env.SEGMENT_WRITE_KEY! }})

export function clicked{n}() {{
  analytics{n}.track('Clicked {n}')
}}
'''


def _drive(cwd: Path, args: list[str], keys: list[str], timeout: float = 90) -> tuple[int, str]:
    """Run segamp on a pty; each time it asks (its key legend ends in '? '), send the next key."""
    master, slave = pty.openpty()
    # the pty is the child's controlling terminal, so /dev/tty (what click.getchar reads) is it
    proc = subprocess.Popen([sys.executable, "-m", "segamp", *args], cwd=cwd, stdin=slave, stdout=slave,
                            stderr=slave, close_fds=True, env=dict(os.environ, COLUMNS="120", TERM="xterm"),
                            start_new_session=True, preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
    os.close(slave)
    out, pending, deadline = b"", list(keys), time.monotonic() + timeout
    asked = 0
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        prompts = out.count(b"[q] quit ? ") + out.count(b"of this file ? ")
        if prompts > asked and pending:
            asked = prompts
            time.sleep(0.4)   # as a person would: click puts the tty in raw mode just after the prompt
            os.write(master, pending.pop(0).encode())
        if proc.poll() is not None and not ready:
            break
    proc.wait(timeout=30)
    os.close(master)
    return proc.returncode, out.decode("utf-8", "replace")


def _project(tmp_path: Path) -> Path:
    for n in (1, 2, 3):
        (tmp_path / f"f{n}.ts").write_text(CLIENT.format(n=n))
    return tmp_path


def test_accept_one_skip_one_quit(tmp_path):
    root = _project(tmp_path)
    code, out = _drive(root, ["rewrite", ".", "--interactive", "--no-progress", "--format", "diff"], ["y", "n", "q"])
    assert code == 0, out
    assert "f1.ts  (1 of 3)" in out and "f2.ts  (2 of 3)" in out and "f3.ts  (3 of 3)" in out
    assert "@amplitude/analytics-browser" in (root / "f1.ts").read_text()
    assert (root / "f2.ts").read_text() == CLIENT.format(n=2)
    assert (root / "f3.ts").read_text() == CLIENT.format(n=3)


def test_hunk_choice_that_does_not_parse_is_not_written(tmp_path):
    root = _project(tmp_path)
    # f1: take only the first hunk (the import) and not the calls: if that text does not parse
    # it is refused; whatever happens, the file is either whole-old, whole-new or a parsed mix
    code, out = _drive(root, ["rewrite", "f1.ts", "--interactive", "--no-progress", "--format", "diff"],
                       ["h", "y", "n", "n", "n", "n"])
    assert code == 0, out
    text = (root / "f1.ts").read_text()
    assert "hunk 1 of" in out
    if "do not parse" not in out:
        assert text != CLIENT.format(n=1)
    else:
        assert text == CLIENT.format(n=1)


def test_interactive_needs_a_terminal(tmp_path):
    root = _project(tmp_path)
    run = subprocess.run([sys.executable, "-m", "segamp", "rewrite", ".", "--interactive"], cwd=root,
                         capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert run.returncode == 2 and "--interactive asks on a terminal" in run.stderr
    assert (root / "f1.ts").read_text() == CLIENT.format(n=1)
