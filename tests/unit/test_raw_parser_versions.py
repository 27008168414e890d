"""warehouse.raw.parser_versions: which parser versions a raw table was loaded by."""

import duckdb

from warehouse.raw import parser_versions


def test_parser_versions_of_a_table():
    con = duckdb.connect()
    con.execute("create schema raw")
    assert parser_versions(con, "spend_files") == set()  # not created yet
    con.execute("create table raw.spend_files (source_file varchar, parser_version varchar)")
    assert parser_versions(con, "spend_files") == set()  # no file loaded
    con.execute("insert into raw.spend_files values ('a.csv', '3'), ('b.csv', '3'), ('c.csv', '2')")
    assert parser_versions(con, "spend_files") == {"2", "3"}
    con.execute("create table raw.older (source_file varchar)")
    assert parser_versions(con, "older") == set()  # loaded before versions were kept
