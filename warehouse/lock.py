"""The one-writer rule of a data folder: a file lock (filelock) that every writer of the working
database holds, whatever process it runs in (the CLI, the Dagster UI or daemon), and the clean-up
of what a killed writer left behind, done by the next one to take the lock.

The lock is re-entrant within a process: a refresh holds it and the assets it runs take it again.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout

_LOCKS: dict[Path, FileLock] = {}
_GUARD = threading.Lock()


class WarehouseBusy(Exception):
    """Another process holds the data folder's writer lock."""


def _lock(path: Path) -> FileLock:
    path = Path(path).resolve()
    with _GUARD:
        if path not in _LOCKS:
            path.parent.mkdir(parents=True, exist_ok=True)
            _LOCKS[path] = FileLock(str(path), thread_local=False, is_singleton=False)
        return _LOCKS[path]


def holder(path: Path) -> str:
    """Who holds the lock, as its holder wrote it (pid and start time), or ''."""
    try:
        return Path(f"{path}.holder").read_text().strip()
    except OSError:
        return ""


@contextlib.contextmanager
def writer_lock(
    path: Path,
    *,
    timeout: float = -1,
    what: str = "a writer",
    say: Callable[[str], None] | None = None,
) -> Iterator[bool]:
    """Hold the writer lock at `path`; yields True when this call took it first (so it may clean
    up), False when this process already held it. Waits up to `timeout` seconds (-1: forever);
    then raises WarehouseBusy naming the holder."""
    lock = _lock(path)
    first = not lock.is_locked
    if first and say is not None:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if timeout == 0:
                raise WarehouseBusy(_busy(path)) from None
            say(f"waiting for the writer lock: {_busy(path)}")
        else:
            lock.release()
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise WarehouseBusy(_busy(path)) from None
    try:
        if first:
            Path(f"{path}.holder").write_text(
                f"pid {os.getpid()} ({what}), since {time.strftime('%Y-%m-%d %H:%M:%S')}\n"
            )
        yield first
    finally:
        if first:
            Path(f"{path}.holder").unlink(missing_ok=True)
        lock.release()


def _busy(path: Path) -> str:
    who = holder(path)
    return (
        f"another process is writing this data folder ({who or 'holder unknown'}); "
        f"only one refresh runs at a time (lock: {path})"
    )


def remove_leftovers(work_dir: Path, landing_dir: Path) -> list[Path]:
    """Temporary files a killed writer left (download scratch folders, half-copied landing
    files). Call only while holding the writer lock. The publish step's own temporary copies are
    warehouse.publish's business."""
    removed: list[Path] = []
    if work_dir.exists():
        for scratch in work_dir.glob("fetch-*"):
            shutil.rmtree(scratch, ignore_errors=True)
            removed.append(scratch)
    if landing_dir.exists():
        for part in landing_dir.glob("sha256/*/*/.*.part"):
            part.unlink(missing_ok=True)
            removed.append(part)
    return removed


def process_alive(pid: int) -> bool:
    """True when a process with this pid exists (this process included): a lock holder, a run
    or a temporary file's writer that may still be working."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
