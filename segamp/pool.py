"""The candidate files analysed on several cores, once the project model is built.

Workers are forked after the model exists, so each inherits it (the parsed trees, the project
context) instead of receiving it: only the file list goes out and only FileResults come back.
The results are put back in candidate order, so the output is byte-identical to a one-worker
run. Where fork is not available (or one core), the caller analyses in process."""
from __future__ import annotations

import multiprocessing
import os
import signal
from typing import Callable, Optional

# fewer files than this: forking costs more than it saves
MIN_FILES_PER_WORKER = 16

# what the forked workers read: set just before the pool forks, cleared after
_job: Optional[Callable[[int], tuple]] = None


def _quiet_worker() -> None:
    # Ctrl-C reaches the whole process group: the parent stops the pool and says how far it
    # got; a worker printing its own KeyboardInterrupt traceback would only be noise
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_chunk(indexes: list[int]) -> list[tuple]:
    assert _job is not None
    return [_job(i) for i in indexes]


def default_workers() -> int:
    try:
        return max(1, min(len(os.sched_getaffinity(0)), 8))
    except (AttributeError, OSError):
        return max(1, min(os.cpu_count() or 1, 8))


def run_all(count: int, job: Callable[[int], tuple], workers: int,
            on_progress: Optional[Callable[[int, int], None]] = None) -> Optional[list[tuple]]:
    """job(i) for i in range(count), on `workers` forked processes, in order; None when a pool
    is not worth it or not possible here (the caller then runs the jobs itself)."""
    global _job
    workers = min(workers, count // MIN_FILES_PER_WORKER)
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    size = max(1, -(-count // (workers * 4)))   # a few chunks per worker: even load, ordered output
    chunks = [list(range(i, min(i + size, count))) for i in range(0, count, size)]
    _job = job
    out: list[tuple] = []
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_quiet_worker) as pool:
            for part in pool.imap(_run_chunk, chunks):
                out += part
                if on_progress:
                    on_progress(len(out), count)
    finally:
        _job = None
    return out
