"""Releases on a small SYNTHETIC working database (made up here, not real figures): content
hashes, release records, differences, rollback, pruning and clean-up after a killed publish."""

import hashlib
import json
import os
from datetime import datetime

import duckdb
import pyarrow.parquet as pq
import pytest

from warehouse import releases as rel
from warehouse.dictionary import undocumented
from warehouse.publish import publish, rollback


@pytest.fixture
def manifest(tmp_path):
    """A dbt-manifest-shaped file describing the synthetic tables."""
    columns = {"financial_year": "year", "ecode": "E-code", "value_gbp_thousands": "GBP k"}
    data = {
        "nodes": {
            "model.x.fct_spend": {
                "resource_type": "model",
                "name": "fct_spend",
                "schema": "marts",
                "description": "synthetic spend",
                "columns": {k: {"description": v} for k, v in columns.items()},
            },
            "test.x.unique": {
                "resource_type": "test",
                "attached_node": "model.x.fct_spend",
                "test_metadata": {
                    "name": "unique_combination",
                    "kwargs": {"columns": ["financial_year", "ecode"]},
                },
            },
        },
        "sources": {
            "source.x.raw.cells": {
                "schema": "raw",
                "name": "cells",
                "source_name": "raw",
                "description": "synthetic raw cells",
                "columns": {
                    "financial_year": {"description": "year"},
                    "value": {"description": "a value"},
                    "loaded_at": {"description": "when loaded"},
                },
            }
        },
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def work(tmp_path):
    path = tmp_path / "work.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema marts; create schema raw")
    con.execute(
        "create table marts.fct_spend as select * from (values "
        "('2019-20', 'E0101', 10.0), ('2019-20', 'E0102', 20.0), ('2020-21', 'E0101', 11.0)) "
        "t(financial_year, ecode, value_gbp_thousands)"
    )
    con.execute(
        "create table raw.cells as select '2019-20' as financial_year, range as value, "
        "now()::timestamp as loaded_at from range(5)"
    )
    con.close()
    return path


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_identical_content_is_not_republished(work, manifest, tmp_path):
    published = tmp_path / "published"
    first = publish(work, published, manifest=manifest, now=datetime(2026, 1, 2))
    assert first.changed and first.version.startswith("20260102-")
    assert first.undocumented == []
    before = sha256(published / "lgf.duckdb")
    # a reload changes only the load timestamp: the same content
    con = duckdb.connect(str(work))
    con.execute("update raw.cells set loaded_at = loaded_at + interval 1 day")
    con.close()
    second = publish(work, published, manifest=manifest, now=datetime(2026, 1, 3))
    assert not second.changed and second.version == first.version
    assert "nothing changed" in second.note
    assert sha256(published / "lgf.duckdb") == before
    assert [r["version"] for r in rel.list_releases(published)] == [first.version]


def test_release_record_comments_exports_and_diff(work, manifest, tmp_path):
    published = tmp_path / "published"
    first = publish(work, published, manifest=manifest, now=datetime(2026, 1, 2))
    con = duckdb.connect(str(work))
    con.execute("update marts.fct_spend set value_gbp_thousands = 12 where ecode = 'E0102'")
    con.execute("insert into marts.fct_spend values ('2020-21', 'E0102', 21.0)")
    con.execute("delete from marts.fct_spend where financial_year = '2020-21' and ecode = 'E0101'")
    con.execute("insert into raw.cells values ('2020-21', 99, now())")
    con.close()
    second = publish(work, published, manifest=manifest, now=datetime(2026, 1, 5))
    assert second.changed and second.version != first.version
    record = json.loads((published / "release.json").read_text())
    assert record["version"] == second.version and record["previous"] == first.version
    assert record["row_counts"] == {"marts.fct_spend": 3, "raw.cells": 6}
    spend = record["changes"]["tables_changed"]["marts.fct_spend"]
    assert spend["compared_by"] == "key financial_year, ecode"
    assert spend["rows_by_financial_year"] == {
        "2019-20": {"added": 0, "removed": 0, "changed": 1},
        "2020-21": {"added": 1, "removed": 1, "changed": 0},
    }
    cells = record["changes"]["tables_changed"]["raw.cells"]
    assert cells["rows_by_financial_year"] == {"2020-21": {"added": 1, "removed": 0, "changed": 0}}
    # the dictionary travels with the data
    ro = duckdb.connect(str(published / "lgf.duckdb"), read_only=True)
    try:
        assert undocumented(ro) == []
        comment = ro.execute(
            "select comment from duckdb_columns() where table_name = 'fct_spend' "
            "and column_name = 'value_gbp_thousands'"
        ).fetchone()[0]
        assert comment == "GBP k"
        assert ro.execute("select version from meta.publication").fetchone()[0] == second.version
    finally:
        ro.close()
    schema = pq.read_schema(published / "parquet" / "fct_spend.parquet")
    assert schema.metadata[b"description"] == b"synthetic spend"
    assert schema.field("value_gbp_thousands").metadata == {
        b"description": b"GBP k",
        b"unit": b"GBP thousand",
    }
    package = json.loads((published / "datapackage.json").read_text())
    assert package["version"] == second.version
    assert {r["path"] for r in package["resources"]} == {
        "parquet/fct_spend.parquet",
        "csv/fct_spend.csv.gz",
    }
    fields = package["resources"][0]["schema"]["fields"]
    assert [f["type"] for f in fields] == ["string", "string", "number"]
    assert all(f["description"] for f in fields)
    assert (published / "csv" / "fct_spend.csv.gz").stat().st_size > 0
    # diff of the two kept releases says the same as the record
    diff = rel.diff_releases(published, first.version, second.version, rel_keys(manifest))
    assert diff["tables_changed"]["marts.fct_spend"] == spend


def rel_keys(manifest):
    from warehouse.dictionary import table_keys

    return table_keys(manifest)


def test_rollback_restores_a_kept_release_byte_for_byte(work, manifest, tmp_path):
    published = tmp_path / "published"
    first = publish(work, published, manifest=manifest, now=datetime(2026, 1, 2))
    first_bytes = sha256(published / "lgf.duckdb")
    con = duckdb.connect(str(work))
    con.execute("delete from marts.fct_spend where ecode = 'E0102'")
    con.close()
    second = publish(work, published, manifest=manifest, now=datetime(2026, 1, 5))
    assert sha256(published / "lgf.duckdb") != first_bytes
    assert rel.resolve(published, "previous") == first.version
    assert rel.resolve(published, "current") == second.version
    rollback(published, rel.resolve(published, "previous"))
    assert rel.current_version(published) == first.version
    with pytest.raises(rel.ReleaseError, match="first publication"):
        rel.resolve(published, "previous")
    assert sha256(published / "lgf.duckdb") == first_bytes
    assert pq.read_table(published / "parquet" / "fct_spend.parquet").num_rows == 3
    with pytest.raises(rel.ReleaseError, match="no release 'nope'.*" + second.version):
        rollback(published, "nope")
    # publishing the newer content again makes its kept release current, not a new one
    again = publish(work, published, manifest=manifest, now=datetime(2026, 1, 9))
    assert again.version == second.version and not again.changed
    assert rel.current_version(published) == second.version


def test_only_the_last_n_releases_are_kept(work, manifest, tmp_path):
    published = tmp_path / "published"
    versions = []
    for day in range(1, 5):
        con = duckdb.connect(str(work))
        con.execute(f"insert into marts.fct_spend values ('2021-22', 'E{day:04d}', {day})")
        con.close()
        versions.append(
            publish(work, published, keep=2, manifest=manifest, now=datetime(2026, 1, day)).version
        )
    kept = [r["version"] for r in rel.list_releases(published)]
    assert kept == versions[:-3:-1]  # the two newest, newest first
    assert sorted(p.name for p in (published / "releases").iterdir()) == sorted(kept)


def test_temporaries_of_a_killed_publish_are_removed(work, manifest, tmp_path):
    published = tmp_path / "published"
    (published / "releases").mkdir(parents=True)
    dead = 2**22 + 12345  # above the kernel's default pid_max: no such process
    leftovers = [
        published / f".lgf.duckdb.{dead}.tmp",
        published / "releases" / f".20260101-abc.{dead}.tmp",
        published / f".parquet.{dead}.tmp",
    ]
    leftovers[0].write_bytes(b"x" * 1000)
    leftovers[1].mkdir()
    (leftovers[1] / "lgf.duckdb").write_bytes(b"x")
    leftovers[2].mkdir()
    alive = published / f".lgf.duckdb.{os.getppid()}.tmp"  # a live process's copy stays
    alive.write_bytes(b"x")
    publish(work, published, manifest=manifest)
    assert not any(p.exists() for p in leftovers)
    assert alive.exists()


def test_units_and_types_follow_the_naming_convention():
    from warehouse.dictionary import frictionless_type, unit_of

    assert unit_of("net_current_expenditure_gbp_thousands") == "GBP thousand"
    assert unit_of("real_per_head_gbp") == "GBP"
    assert unit_of("yoy_change_pct") == "percent"
    assert unit_of("ecode") is None
    assert [frictionless_type(t) for t in ("BIGINT", "DOUBLE", "VARCHAR", "DATE", "VARCHAR[]")] == [
        "integer",
        "number",
        "string",
        "date",
        "array",
    ]


def test_unchanged_tables_reuse_the_previous_exports(work, manifest, tmp_path):
    con = duckdb.connect(str(work))
    con.execute(
        "create table marts.dim_year as select * from (values ('2019-20'), ('2020-21')) t(y)"
    )
    con.close()
    published = tmp_path / "published"
    first = publish(work, published, manifest=manifest, now=datetime(2026, 1, 2))
    assert first.reused_exports == []
    con = duckdb.connect(str(work))
    con.execute("update marts.fct_spend set value_gbp_thousands = 12 where ecode = 'E0102'")
    con.close()
    second = publish(work, published, manifest=manifest, now=datetime(2026, 1, 5))
    assert second.changed and second.reused_exports == ["marts.dim_year"]
    old, new = (published / "releases" / v for v in (first.version, second.version))
    for kind, ext in (("parquet", ".parquet"), ("csv", ".csv.gz")):
        # the unchanged table's files are the previous release's (hard links), the changed
        # table's are written again, with its new figure
        assert os.path.samefile(old / kind / f"dim_year{ext}", new / kind / f"dim_year{ext}")
        assert not os.path.samefile(old / kind / f"fct_spend{ext}", new / kind / f"fct_spend{ext}")
    spend = pq.read_table(new / "parquet" / "fct_spend.parquet").to_pylist()
    assert {
        r["ecode"]: r["value_gbp_thousands"] for r in spend if r["financial_year"] == "2019-20"
    } == {
        "E0101": 10.0,
        "E0102": 12.0,
    }
    csv = new / "csv" / "dim_year.csv.gz"
    assert duckdb.connect().execute(f"select count(*) from '{csv}'").fetchone() == (2,)
    # a new description of the table is new Parquet field metadata: written again
    data = json.loads(manifest.read_text())
    data["nodes"]["model.x.fct_spend"]["description"] = "synthetic spend, described anew"
    data["nodes"]["model.x.dim_year"] = {
        "resource_type": "model", "name": "dim_year", "schema": "marts", "description": "years",
        "columns": {"y": {"description": "a year"}},
    }  # fmt: skip
    manifest.write_text(json.dumps(data))
    con = duckdb.connect(str(work))
    con.execute("update marts.fct_spend set value_gbp_thousands = 13 where ecode = 'E0102'")
    con.close()
    third = publish(work, published, manifest=manifest, now=datetime(2026, 1, 6))
    assert third.changed and third.reused_exports == []
    meta = pq.read_schema(published / "releases" / third.version / "parquet" / "dim_year.parquet")
    assert meta.field("y").metadata[b"description"] == b"a year"
