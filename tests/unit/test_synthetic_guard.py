"""The warehouse refuses to publish synthetic benchmark data outside a benchmark folder, and
leaves the last publication as it was."""

import pytest

from warehouse.db import connect
from warehouse.publish import publish
from warehouse.synthetic_guard import SyntheticDataError, mark_benchmark_folder


def _work_db(path, source_file):
    con = connect(path)
    con.execute("create schema raw; create schema marts")
    con.execute("create table raw.load_log (source_file varchar, authority_rows integer)")
    con.execute("insert into raw.load_log values (?, 3)", [source_file])
    con.execute("create table marts.t as select 1 as x")
    con.close()
    return path


def test_synthetic_data_is_not_published_outside_a_benchmark_folder(tmp_path):
    published = tmp_path / "published" / "lgf.duckdb"
    real = _work_db(tmp_path / "real.duckdb", "RS_2023-24_data_by_LA.xlsx")
    publish(real, published, tmp_path / "published" / "parquet")
    before = published.read_bytes()

    work = _work_db(tmp_path / "work.duckdb", "SYNTHETIC_RS_2023-24_data_by_LA.ods")
    with pytest.raises(SyntheticDataError, match="SYNTHETIC_RS_2023-24_data_by_LA.ods"):
        publish(work, published, tmp_path / "published" / "parquet")
    assert published.read_bytes() == before  # the last publication is untouched
    assert not list(published.parent.glob(".*.tmp"))


def test_synthetic_data_is_published_inside_a_benchmark_folder(tmp_path):
    bench = tmp_path / "bench"
    mark_benchmark_folder(bench)
    work = _work_db(tmp_path / "work.duckdb", "SYNTHETIC_RS_2008-09_data_by_LA.xlsx")
    pub = publish(work, bench / "data" / "published" / "lgf.duckdb", bench / "data" / "pq")
    con = connect(pub.path, read_only=True)
    assert (
        con.execute("select source_file from raw.load_log").fetchone()[0].startswith("SYNTHETIC_")
    )
    con.close()
