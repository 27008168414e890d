"""`lgf sql` and every reader opened for users is sandboxed: it reads the published warehouse
and nothing else. Each way out the issue found (COPY TO, read_csv/glob of a system file,
ATTACH, INSTALL/LOAD, SET) is tried through the real command and must be refused with exit 3."""

import os
import sys

import duckdb
import pytest

from dagster_project.cli import EXIT_SANDBOX, main
from warehouse.db import connect_sandboxed
from warehouse.settings import Settings


@pytest.fixture
def published(tmp_path, monkeypatch):
    settings = Settings(data_dir=tmp_path / "data")
    settings.published_dir.mkdir(parents=True)
    con = duckdb.connect(str(settings.published_db))
    con.execute("create schema marts")
    con.execute("create table marts.t as select 42 as answer")
    con.close()
    # a second database file beside it that a query must not be able to reach
    other = duckdb.connect(str(tmp_path / "data" / "work.duckdb"))
    other.execute("create table secret as select 'unaudited' as s")
    other.close()
    monkeypatch.setenv("LGF_DATA_DIR", str(settings.data_dir))
    return settings


def test_a_query_of_the_published_warehouse_works(published, capsys):
    assert main(["sql", "select answer from marts.t", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["answer", "42"]


ESCAPES = {
    "copy_to": "copy (select 1) to '{tmp}/out.csv'",
    "copy_to_site_packages": "copy (select 'import os') to '{site}/evil.pth' (header false)",
    "export_database": "export database '{tmp}/exported'",
    "read_csv_system_file": "select * from read_csv('/etc/passwd')",
    "read_text_system_file": "select * from read_text('/etc/hostname')",
    "glob": "select * from glob('/etc/*')",
    "attach_working_db": "attach '{tmp}/data/work.duckdb' as w",
    "install": "install httpfs",
    "load": "load httpfs",
    "load_file": "load '{tmp}/evil.duckdb_extension'",
    "set_external_access": "set enable_external_access = true",
    "set_memory": "set memory_limit = '100GB'",
    "reset_lock": "reset lock_configuration",
}


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_every_way_out_is_refused(published, tmp_path, capsys, name):
    site = next(p for p in sys.path if p.endswith("site-packages"))
    query = ESCAPES[name].format(tmp=tmp_path, site=site)
    before = sorted(os.listdir(tmp_path))
    assert main(["sql", query]) == EXIT_SANDBOX
    err = capsys.readouterr().err
    assert err.startswith("lgf sql: refused:")
    assert "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == before  # nothing written
    assert not os.path.exists(os.path.join(site, "evil.pth"))


def test_the_sandboxed_connection_reads_only_its_file(published, tmp_path):
    con = connect_sandboxed(published.published_db)
    try:
        assert con.execute("select answer from marts.t").fetchone() == (42,)
        with pytest.raises(duckdb.PermissionException):
            con.execute(f"attach '{tmp_path}/data/work.duckdb' as w")
        with pytest.raises(duckdb.Error):
            con.execute("create table marts.x (a int)")  # read-only
        settings = dict(
            con.execute(
                "select name, value from duckdb_settings() "
                "where name in ('enable_external_access', 'lock_configuration')"
            ).fetchall()
        )
        assert settings == {"enable_external_access": "false", "lock_configuration": "true"}
    finally:
        con.close()


def test_an_ordinary_sql_error_is_a_message_with_exit_1(published, capsys):
    assert main(["sql", "select * from no_such_table"]) == 1
    err = capsys.readouterr().err
    assert "no_such_table" in err and "Traceback" not in err
