"""Reading a file into text we can edit, and writing it back exactly as it was shaped.

A file keeps its encoding, BOM, line endings and mode. Writes are atomic: the new bytes go
to an unnamed temporary file in the same folder (O_TMPFILE where the OS has it, so a kill -9
leaves nothing behind) and are linked over the original in one rename.
"""
from __future__ import annotations

import codecs
import errno
import glob
import os
import stat
import tempfile
from dataclasses import dataclass
from typing import Optional

BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
TEMP_PREFIX = ".segamp-"
TEMP_SUFFIX = ".tmp"


class SourceError(Exception):
    """A file we cannot process; the message is one line for the user."""


@dataclass
class SourceFile:
    path: str
    text: str            # decoded, BOM removed, line endings as in the file
    bom: bytes
    encoding: str
    newline: str         # the file's dominant line ending, used for inserted lines
    mode: int

    def __post_init__(self) -> None:
        self.data = self.text.encode("utf-8")
        self._ascii = len(self.data) == len(self.text)
        self._line_starts: Optional[list[int]] = None

    # --- offsets -----------------------------------------------------------------------
    def byte_offset(self, char_offset: int) -> int:
        if self._ascii:
            return char_offset
        return len(self.text[:char_offset].encode("utf-8"))

    def char_offset(self, byte_offset: int) -> int:
        if self._ascii:
            return byte_offset
        return len(self.data[:byte_offset].decode("utf-8", errors="replace"))

    def line_col(self, byte_offset: int) -> tuple[int, int]:
        """1-based line and character column of a byte offset."""
        if self._line_starts is None:
            starts = [0]
            pos = self.data.find(b"\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = self.data.find(b"\n", pos + 1)
            self._line_starts = starts
        import bisect

        line = bisect.bisect_right(self._line_starts, byte_offset) - 1
        start = self._line_starts[line]
        col = len(self.data[start:byte_offset].decode("utf-8", errors="replace"))
        return line + 1, col + 1

    def line_indent(self, byte_offset: int) -> str:
        """The leading whitespace of the line that holds byte_offset."""
        start = self.data.rfind(b"\n", 0, byte_offset) + 1
        end = start
        while end < len(self.data) and self.data[end:end + 1] in (b" ", b"\t"):
            end += 1
        return self.data[start:end].decode("utf-8")

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.encoding)


def decode(path: str, raw: bytes, mode: int = 0o644) -> SourceFile:
    bom, encoding = b"", "utf-8"
    for candidate, name in BOMS:
        if raw.startswith(candidate):
            bom, encoding = candidate, name
            break
    body = raw[len(bom):]
    if not bom and b"\x00" in raw[:8192]:
        raise SourceError("binary file (contains NUL bytes); skipped")
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"not valid {encoding.upper()} (byte 0x{body[exc.start]:02x} at offset {exc.start + len(bom)});"
            " skipped — re-encode it as UTF-8 to migrate it"
        ) from None
    crlf = text.count("\r\n")
    newline = "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"
    return SourceFile(path=path, text=text, bom=bom, encoding=encoding, newline=newline, mode=mode)


def read_source(path: str) -> SourceFile:
    try:
        st = os.stat(path)
        with open(path, "rb") as fh:
            raw = fh.read()
    except PermissionError:
        raise SourceError("permission denied while reading; skipped") from None
    except FileNotFoundError:
        raise SourceError("file disappeared while running; skipped") from None
    except IsADirectoryError:
        raise SourceError("is a directory; skipped") from None
    except OSError as exc:
        raise SourceError(f"cannot read ({exc.strerror or exc}); skipped") from None
    return decode(path, raw, stat.S_IMODE(st.st_mode))


def is_read_only(path: str) -> bool:
    # Mode bits, not os.access: as root os.access says yes to everything, and a file the
    # user marked read-only should stay untouched either way.
    try:
        return not (os.stat(path).st_mode & stat.S_IWUSR)
    except OSError:
        return False


def atomic_write(path: str, data: bytes, mode: int) -> None:
    """Replace path with data in one rename; never leaves a torn or stray file on failure."""
    folder = os.path.dirname(os.path.abspath(path)) or "."
    base = os.path.basename(path)
    remove_stale_temps(folder, base)
    if hasattr(os, "O_TMPFILE"):
        try:
            _write_via_tmpfile(folder, base, path, data, mode)
            return
        except OSError as exc:
            # EOPNOTSUPP, EINVAL, EISDIR: fs lacks O_TMPFILE; ENOENT, EXDEV, EPERM: no usable
            # /proc link (no /proc, or a sandbox that refuses it). The mkstemp path still works.
            if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.EISDIR, errno.ENOENT, errno.EXDEV, errno.EPERM):
                raise
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{base}.", suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def remove_stale_temps(folder: str, base: str) -> None:
    """A SIGKILL in the one-link window of _write_via_tmpfile leaves `.segamp-<base>.<pid>.tmp`
    (complete, never the file itself torn): the next write of that file removes it when its
    process is gone."""
    pattern = glob.escape(os.path.join(folder, f"{TEMP_PREFIX}{base}.")) + "*" + TEMP_SUFFIX
    for stale in glob.glob(pattern):
        pid = stale[len(os.path.join(folder, f"{TEMP_PREFIX}{base}.")):-len(TEMP_SUFFIX)]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue   # its process still runs (another segamp writing this tree)
        except ProcessLookupError:
            pass
        except OSError:
            continue
        try:
            os.unlink(stale)
        except OSError:
            pass


def _write_via_tmpfile(folder: str, base: str, path: str, data: bytes, mode: int) -> None:
    fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY, mode)
    tmp = None
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
        os.fchmod(fd, mode)
        # The file has no name until here; the named window is one link + one rename long.
        tmp = os.path.join(folder, f"{TEMP_PREFIX}{base}.{os.getpid()}{TEMP_SUFFIX}")
        # A dir_fd makes CPython call linkat(AT_SYMLINK_FOLLOW); without one it calls link(2),
        # which links the /proc magic symlink itself and fails with EXDEV.
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.link(f"/proc/self/fd/{fd}", os.path.basename(tmp), dst_dir_fd=dir_fd, follow_symlinks=True)
        finally:
            os.close(dir_fd)
        os.replace(tmp, path)
        tmp = None
    finally:
        os.close(fd)
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def indent_unit(text: str) -> str:
    """One level of the file's own indentation, for code a printer writes over several lines:
    a tab when more lines are indented with tabs than with spaces, else the smallest space
    indentation the file uses (2 when it has none), so new lines match the lines around them."""
    tabs = spaces = 0
    smallest = 0
    for line in text.splitlines():
        if line.startswith("\t"):
            tabs += 1
        elif line.startswith(" ") and line.strip():
            spaces += 1
            width = len(line) - len(line.lstrip(" "))
            smallest = width if not smallest else min(smallest, width)
    if tabs > spaces:
        return "\t"
    return " " * smallest if smallest in (2, 4) else "  "
