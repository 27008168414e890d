"""The published warehouse as readers get it: every table and column described (DuckDB
COMMENTs, Parquet field metadata, datapackage.json), the dbt docs beside it, and versioned
releases that can be listed, compared and rolled back."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from sources.catalogue import SAMPLES_DIR
from warehouse.dictionary import undocumented
from warehouse.publish import publish
from warehouse.releases import current_version, list_releases

LGF = str(Path(sys.executable).with_name("lgf"))


def lgf(settings, *args):
    env = {**os.environ, "LGF_DATA_DIR": str(settings.data_dir)}
    result = subprocess.run([LGF, *args], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def published(settings):
    return duckdb.connect(str(settings.published_db), read_only=True)


def test_every_published_table_and_column_is_described(built):
    con = published(built)
    try:
        assert undocumented(con) == []
        described = con.execute(
            "select count(*) from duckdb_columns() where not internal and comment <> ''"
        ).fetchone()[0]
        comment = con.execute(
            "select comment from duckdb_columns() where schema_name = 'raw' "
            "and table_name = 'revenue_outturn' and column_name = 'source_sha256'"
        ).fetchone()[0]
        marts = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'marts'"
        ).fetchone()[0]
    finally:
        con.close()
    assert described > 500  # 0 of 539 before
    from warehouse.suites import SUITES

    assert len(SUITES) == marts  # every mart is audited
    assert "sha256" in comment.lower()
    parquet = sorted(built.exports_dir.glob("*.parquet"))
    assert len(parquet) == marts >= 14
    for path in parquet:
        schema = pq.read_schema(path)
        assert schema.metadata[b"description"], path.name
        for field in schema:
            assert (field.metadata or {}).get(b"description"), f"{path.name}: {field.name}"
    report = (built.published_dir / "report.html").read_text(encoding="utf-8")
    assert "England spending by service" in report  # each publication writes its report
    docs = (built.published_dir / "docs" / "index.html").read_text(encoding="utf-8")
    assert "mart_spending_growth" in docs and len(docs) > 100_000


def test_datapackage_lists_tables_fields_licences_and_source_files(built):
    package = json.loads((built.published_dir / "datapackage.json").read_text())
    marts = len(list(built.exports_dir.glob("*.parquet")))
    assert marts >= 14 and len(package["resources"]) == 2 * marts  # Parquet and CSV
    assert {r["format"] for r in package["resources"]} == {"parquet", "csv"}
    for resource in package["resources"]:
        assert (built.published_dir / resource["path"]).exists(), resource["path"]
        assert all(f["description"] and f["type"] for f in resource["schema"]["fields"])
    nce = next(
        r for r in package["resources"] if r["path"].endswith("fct_net_current_expenditure.parquet")
    )
    unit = {f["name"]: f.get("unit") for f in nce["schema"]["fields"]}
    assert unit["net_current_expenditure_gbp_thousands"] == "GBP thousand"
    assert "OGL-UK-3.0" in {lic["name"] for lic in package["licenses"]}
    rs = SAMPLES_DIR / "revenue_outturn" / "RS_2019-20_data_by_LA.xls"
    digest = hashlib.sha256(rs.read_bytes()).hexdigest()
    source = next(s for s in package["sources"] if s["sha256"] == digest)
    assert source["file_name"] == rs.name and source["financial_year"] == "2019-20"
    assert not any("landed_path" in s for s in package["sources"])  # no machine paths


def test_release_record_counts_every_table(built):
    version = current_version(built.published_dir)
    record = json.loads((built.published_dir / "release.json").read_text())
    assert record["version"] == version and record["changes"] is None  # first publication
    con = published(built)
    try:
        for name, rows in record["row_counts"].items():
            assert con.execute(f"select count(*) from {name}").fetchone()[0] == rows, name
        assert con.execute("select version from meta.publication").fetchone()[0] == version
    finally:
        con.close()
    listed = json.loads(lgf(built, "releases", "--json"))
    assert [r["version"] for r in listed] == [version] and listed[0]["is_current"]
    status = json.loads(lgf(built, "status", "--json"))
    editions = record["row_counts"]["raw.load_log"]
    assert status["version"] == version and len(status["editions"]) == editions >= 17


def test_new_release_diff_and_rollback(built_copy):
    settings = built_copy
    first = current_version(settings.published_dir)
    first_bytes = hashlib.sha256(settings.published_db.read_bytes()).digest()
    again = publish(settings.work_db, settings.published_dir)
    assert not again.changed and again.version == first  # same content, same hash
    con = duckdb.connect(str(settings.work_db))
    try:
        removed = con.execute(
            "delete from marts.fct_net_current_expenditure "
            "where financial_year = '2010-11' and authority_class = 'SD'"
        ).fetchone()[0]
        con.execute(
            "update marts.fct_net_current_expenditure "
            "set net_current_expenditure_gbp_thousands = net_current_expenditure_gbp_thousands + 1 "
            "where financial_year = '2019-20' and ecode = 'E4705' and service_code = 'education'"
        )
    finally:
        con.close()
    second = publish(settings.work_db, settings.published_dir)
    assert second.changed and second.version != first
    nce = second.changes["tables_changed"]["marts.fct_net_current_expenditure"]
    assert nce["rows_by_financial_year"] == {
        "2010-11": {"added": 0, "removed": removed, "changed": 0},
        "2019-20": {"added": 0, "removed": 0, "changed": 1},
    }
    assert removed > 2000  # every district's lines that year
    assert len(second.changes["tables_changed"]) == 1
    out = lgf(settings, "diff", first, second.version)
    assert f"2010-11: 0 added, {removed:,} removed, 0 changed" in out
    assert [r["version"] for r in list_releases(settings.published_dir)] == [second.version, first]
    out = lgf(settings, "publish", "--rollback", first)
    assert f"is now release {first}" in out
    assert hashlib.sha256(settings.published_db.read_bytes()).digest() == first_bytes
    assert current_version(settings.published_dir) == first
