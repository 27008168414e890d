"""When the dbt docs site must be made again: a SYNTHETIC database (made up here) changes its
rows, then its columns and comments, under one manifest and then another."""

import duckdb

from warehouse.dbt_docs import KEY_FILE, catalog_key, docs_current


def test_the_catalog_key_follows_the_schema_and_the_manifest_not_the_rows(tmp_path):
    manifest = tmp_path / "manifest.json"
    manifest.write_text('{"nodes": {}}')
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    con.execute("create schema marts")
    con.execute("create table marts.t as select range as a from range(3)")
    con.execute("create view marts.v as select a from marts.t")
    first = catalog_key(con, manifest)
    con.execute("insert into marts.t select range from range(10)")
    assert catalog_key(con, manifest) == first  # rows are not in the catalog
    con.execute("alter table marts.t add column b varchar")
    with_column = catalog_key(con, manifest)
    assert with_column != first
    con.execute("comment on column marts.t.b is 'a description'")
    assert catalog_key(con, manifest) != with_column
    commented = catalog_key(con, manifest)
    manifest.write_text('{"nodes": {"model.x.t": {}}}')
    assert catalog_key(con, manifest) != commented
    con.close()


def test_a_site_is_current_only_with_its_page_and_the_same_key(tmp_path):
    docs = tmp_path / "docs"
    assert not docs_current(docs, "k1")
    docs.mkdir()
    (docs / KEY_FILE).write_text("k1")
    assert not docs_current(docs, "k1")  # no page
    (docs / "index.html").write_text("<html></html>")
    assert docs_current(docs, "k1")
    assert not docs_current(docs, "k2")
