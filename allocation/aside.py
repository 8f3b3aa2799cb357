"""Work done on the second core while the batch is solved: a forked child computes, the parent collects.

The child shares the parent's arrays as they were at the fork (copy-on-write),
so nothing big is sent either way; only its result comes back, pickled. Used
for work whose result is optional, such as a stronger bound: when there is no
second core, no `fork`, or the child fails or is late, `result` says None and
the caller goes on without it.

When the parent is ready for the result it asks the child to stop
(`stop_requested` turns true in the child): work that improves a result step
by step checks it between steps and answers with what it has, so the parent
waits for at most one step.
"""
from __future__ import annotations

import logging
import multiprocessing as mp
import os
from typing import Any, Callable

log = logging.getLogger(__name__)
_stop: Any = None  # in a child: the event the parent sets when it wants the result


def stop_requested() -> bool:
    """True in a child whose parent now waits for its result (always False elsewhere)."""
    return _stop is not None and _stop.is_set()


class Aside:
    """`fn(*args)` started in a forked child; `result(timeout)` collects it once."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self._proc = self._conn = self._stop = None
        self.started = False
        if (os.cpu_count() or 1) < 2 or "fork" not in mp.get_all_start_methods():
            return
        ctx = mp.get_context("fork")
        try:
            recv, send = ctx.Pipe(duplex=False)
            stop = ctx.Event()
            proc = ctx.Process(target=_child, args=(send, stop, fn, args))
            proc.start()
        except (OSError, AssertionError, ValueError) as exc:  # e.g. inside a daemonic worker process
            log.info("aside work not started: %s", exc)
            return
        send.close()
        self._proc, self._conn, self._stop, self.started = proc, recv, stop, True

    def result(self, timeout: float) -> Any | None:
        """The child's result, waiting at most `timeout` seconds; None if none came (the child is stopped)."""
        if self._proc is None:
            return None
        proc, conn, self._proc = self._proc, self._conn, None
        self._stop.set()
        try:
            if conn.poll(max(timeout, 0.0)):
                out = conn.recv()
                return None if isinstance(out, _Failed) else out
            log.info("aside work not done in %.1f s; going on without it", timeout)
            return None
        except (EOFError, OSError):  # the child died before answering
            return None
        finally:
            conn.close()
            if proc.is_alive():
                proc.terminate()
            proc.join()


class _Failed:
    def __init__(self, why: str) -> None:
        self.why = why


def _child(conn, stop, fn: Callable[..., Any], args: tuple) -> None:
    global _stop
    _stop = stop
    try:
        out = fn(*args)
    except BaseException as exc:  # the parent goes on without it
        out = _Failed(f"{type(exc).__name__}: {exc}")
    try:
        conn.send(out)
    finally:
        conn.close()
