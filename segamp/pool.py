"""The candidate files indexed and analysed on several cores.

Each worker process owns a fixed share of the candidates for the whole run (the shares are
balanced by size): it parses its files once, indexes them round after round, and analyses them,
keeping its trees between the steps. Only file numbers, the project's facts and results cross
between processes. Nothing a worker computes depends on which files it owns: a file's index
sees the facts of the previous round only (ProjectContext.recording), and results are put back
in file order, so the output is byte-identical to a one-worker run, which runs the very same
steps in this process (InProcess)."""
from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
from typing import Any, Callable, Optional, Protocol

# fewer files than this a worker: forking costs more than it saves
MIN_FILES_PER_WORKER = 16
PROGRESS_EVERY = 10


class Work(Protocol):
    """What a share of the files goes through: load() a step's input once, then do() each file."""

    def load(self, step: str, payload: Any) -> None: ...

    def do(self, step: str, i: int) -> Any: ...


def default_workers() -> int:
    try:
        return max(1, min(len(os.sched_getaffinity(0)), 8))
    except (AttributeError, OSError):
        return max(1, min(os.cpu_count() or 1, 8))


def start(work: Work, sizes: list[int], workers: int) -> "InProcess":
    """A runner for len(sizes) files: forked workers when they are worth it and possible."""
    workers = min(workers, len(sizes) // MIN_FILES_PER_WORKER)
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return InProcess(work)
    return Forked(work, sizes, workers)


class InProcess:
    def __init__(self, work: Work):
        self.work = work

    def run(self, step: str, payload: Any, indexes: list[int],
            on_progress: Optional[Callable[[int, int], None]] = None) -> dict[int, Any]:
        """work.do(step, i) for each i, after work.load(step, payload): {i: its result}."""
        self.work.load(step, payload)
        out = {}
        for n, i in enumerate(indexes, 1):
            out[i] = self.work.do(step, i)
            if on_progress and n % PROGRESS_EVERY == 0:
                on_progress(n, len(indexes))
        return out

    def assign(self, sizes: dict[int, int]) -> None:
        """Files added after the start (file -> size): nothing to do in process."""

    def close(self, now: bool = False) -> None:
        pass


class Forked(InProcess):
    def __init__(self, work: Work, sizes: list[int], workers: int):
        super().__init__(work)
        self.owner: dict[int, int] = {}
        self.weight = [0] * workers
        self.assign(dict(enumerate(sizes)))
        self.conns: list[multiprocessing.connection.Connection] = []
        self.procs: list[multiprocessing.process.BaseProcess] = []
        context = multiprocessing.get_context("fork")
        for _ in range(workers):
            parent, child = context.Pipe()
            self.conns.append(parent)
            # the child closes the parent ends forked so far: a worker must see EOF when the
            # parent goes, not be kept waiting by a sibling holding the other end
            proc = context.Process(target=_serve, args=(child, list(self.conns), work), daemon=True)
            proc.start()
            child.close()
            self.procs.append(proc)

    def assign(self, sizes: dict[int, int]) -> None:
        # largest first to the least loaded worker: even shares, the same for the same files
        for i in sorted(sizes, key=lambda i: (-sizes[i], i)):
            w = min(range(len(self.weight)), key=lambda w: (self.weight[w], w))
            self.owner[i] = w
            self.weight[w] += sizes[i] + 1

    def run(self, step: str, payload: Any, indexes: list[int],
            on_progress: Optional[Callable[[int, int], None]] = None) -> dict[int, Any]:
        shares: list[list[int]] = [[] for _ in self.conns]
        for i in indexes:
            shares[self.owner[i]].append(i)
        busy = {}
        for conn, share in zip(self.conns, shares):
            # every worker gets every step's payload, with files or not: it carries the files
            # added since the start, which later steps may give that worker
            conn.send((step, payload, share))
            busy[conn] = share
        out: dict[int, Any] = {}
        done, problem = 0, None
        while busy:
            for conn in multiprocessing.connection.wait(list(busy)):
                try:
                    kind, value = conn.recv()
                except EOFError:
                    raise RuntimeError("a worker process stopped unexpectedly") from None
                if kind == "progress":
                    done += value
                    if on_progress:
                        on_progress(done, len(indexes))
                    continue
                busy.pop(conn)
                if kind == "error":
                    problem = problem or value
                else:
                    out.update(value)
        if problem:
            raise RuntimeError(problem)
        return out

    def close(self, now: bool = False) -> None:
        """Stop the workers: asked to when the run is over, at once when it is interrupted."""
        for conn in self.conns:
            try:
                if not now:
                    conn.send(None)
                conn.close()
            except OSError:
                pass
        for proc in self.procs:
            if now:
                proc.terminate()
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join()
        self.conns, self.procs = [], []


def _serve(conn, parents: list, work: Work) -> None:
    # Ctrl-C reaches the whole process group: the parent stops the workers and says how far
    # it got; a worker printing its own KeyboardInterrupt traceback would only be noise
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for parent in parents:
        parent.close()
    while True:
        try:
            message = conn.recv()
        except EOFError:
            break
        if message is None:
            break
        step, payload, share = message
        try:
            work.load(step, payload)
            out = {}
            for n, i in enumerate(share, 1):
                out[i] = work.do(step, i)
                if n % PROGRESS_EVERY == 0:
                    conn.send(("progress", PROGRESS_EVERY))
            conn.send(("progress", len(share) % PROGRESS_EVERY))
            conn.send(("done", out))
        except Exception as exc:   # the parent raises it: one worker's bug is one run's bug
            conn.send(("error", f"in a worker: {type(exc).__name__}: {exc}"))
    conn.close()
    os._exit(0)
