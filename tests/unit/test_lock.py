"""The data folder's writer lock (warehouse.lock): one holder across processes, re-entrant in
one, a clear message naming the holder, and a killed writer's leftovers removed."""

import subprocess
import sys

import pytest

from warehouse.lock import WarehouseBusy, remove_leftovers, writer_lock
from warehouse.settings import PROJECT_ROOT


def test_another_process_holding_the_lock_keeps_a_writer_out(tmp_path):
    path = tmp_path / "writer.lock"
    code = (
        "import time; from warehouse.lock import writer_lock; "
        f"lock = writer_lock({str(path)!r}, what='the other writer'); lock.__enter__(); "
        "print('held', flush=True); time.sleep(60)"
    )
    other = subprocess.Popen(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert other.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseBusy) as info, writer_lock(path, timeout=0):
            pass
        assert f"pid {other.pid} (the other writer)" in str(info.value)
        said = []
        with pytest.raises(WarehouseBusy), writer_lock(path, timeout=0.3, say=said.append):
            pass
        assert said and said[0].startswith("waiting for the writer lock")
    finally:
        other.kill()
        other.wait()
    with writer_lock(path, timeout=5) as first:  # the holder died: the lock is free
        assert first


def test_the_lock_is_reentrant_within_a_process(tmp_path):
    path = tmp_path / "writer.lock"
    with writer_lock(path, timeout=0) as outer, writer_lock(path, timeout=0) as inner:
        assert outer and not inner


def test_leftovers_of_a_killed_writer_are_removed(tmp_path):
    work, landing = tmp_path / "work", tmp_path / "landing"
    (work / "fetch-abc").mkdir(parents=True)
    (work / "fetch-abc" / "x.xls.part").write_bytes(b"half")
    part = landing / "sha256" / "ab" / ("ab" * 32) / ".RS.xls.123.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"half")
    kept = part.with_name("RS.xls")
    kept.write_bytes(b"whole")
    removed = remove_leftovers(work, landing)
    assert len(removed) == 2 and not part.exists() and kept.exists()
    assert not (work / "fetch-abc").exists()
