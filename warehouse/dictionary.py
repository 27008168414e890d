"""The data dictionary that travels with the data: descriptions of every published table and
column, read from the dbt project (models, seeds and sources in dbt's manifest) and from the
bookkeeping tables the Python loaders write, applied as DuckDB ``COMMENT``s, as Parquet field
metadata, and as a Frictionless ``datapackage.json``.

One place for the text: the dbt yml files (``dbt/models/**/_*__models.yml`` and
``_*__sources.yml``). Only the loaders' own bookkeeping tables, which are not dbt sources, are
described here (:data:`BOOKKEEPING`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from warehouse.settings import PROJECT_ROOT

MANIFEST = PROJECT_ROOT / "dbt" / "target" / "manifest.json"


@dataclass
class TableDoc:
    name: str  # schema.table
    description: str
    columns: dict[str, str] = field(default_factory=dict)
    origin: str = ""  # where the description comes from (dbt model, dbt source, loader)


# Tables written by warehouse/ for its own bookkeeping (not dbt sources: no Python asset
# materialises them on their own). Described here, beside nothing else.
BOOKKEEPING: dict[str, TableDoc] = {
    "raw.landing_manifest": TableDoc(
        "raw.landing_manifest",
        "One row per file brought into the landing zone: what it is (dataset, form, year, "
        "release), where it came from (address, HTTP validators), its sha256 and size. The "
        "bytes themselves are kept under data/landing/sha256/.",
        {
            "file_name": "the file's name in the catalogue (as published, or as bundled)",
            "sha256": "SHA-256 of the file's bytes (hex): the file's identity in the landing zone",
            "bytes": "size of the file in bytes",
            "landed_path": "where the file is kept in the landing zone",
            "dataset": "the catalogue dataset the file belongs to (revenue_outturn, reference…)",
            "form": "the published form (RS, RO1…), where the dataset has forms",
            "financial_year": "the financial year the file covers ('2017-18'), where it has one",
            "release": "the publisher's release: provisional, final or revised (or an edition)",
            "release_date": "the date the publisher released the file, where known",
            "copy_of": "the public address of the copy the bundled file was taken from",
            "url": "the address the file was fetched from, or the publisher's page for it",
            "etag": "the HTTP ETag the server sent (for conditional GETs), if any",
            "last_modified": "the HTTP Last-Modified the server sent, if any",
            "retrieved_at": "when the file was landed (UTC)",
        },
        "loader bookkeeping (warehouse/landing.py)",
    ),
    "raw.reference_load_log": TableDoc(
        "raw.reference_load_log",
        "One row per load of a reference or other non-partitioned table: which table, how many "
        "rows, from which files (sha256), when.",
        {
            "table_name": "the raw table loaded (without the raw. schema)",
            "rows": "rows loaded",
            "source_sha256": "SHA-256 of each source file the table was loaded from (a list)",
            "loaded_at": "when the load ran (UTC)",
        },
        "loader bookkeeping (warehouse/raw.py)",
    ),
}

META_TABLES: dict[str, TableDoc] = {
    "meta.publication": TableDoc(
        "meta.publication",
        "This publication: its version, content hash and when it was published. The release "
        "record (sources, row counts, changes) is release.json beside the exports.",
        {
            "version": "the publication's version: UTC date and the first 12 hex digits of the "
            "content hash (YYYYMMDD-hash); identical content gives the same hash",
            "content_hash": "SHA-256 over every published table's name, columns, row count and "
            "row checksum (load timestamps excluded)",
            "published_at": "when this content was first published (UTC)",
            "storage_version": "the DuckDB storage format of this file (readable by DuckDB 1.0+)",
            "tables": "number of published tables in the raw and marts schemas",
        },
        "publisher (warehouse/publish.py)",
    ),
}


class DictionaryError(Exception):
    """The dbt manifest is missing or unreadable."""


def load_dictionary(manifest: Path = MANIFEST) -> dict[str, TableDoc]:
    """Descriptions of every table dbt knows (models, seeds, sources), keyed 'schema.table',
    plus the bookkeeping and meta tables."""
    try:
        data = json.loads(Path(manifest).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DictionaryError(
            f"cannot read the dbt manifest {manifest} ({exc}): run `make setup` (dbt parse)"
        ) from exc
    docs: dict[str, TableDoc] = {}
    for node in data.get("nodes", {}).values():
        if node.get("resource_type") not in ("model", "seed", "snapshot"):
            continue
        name = f"{node['schema']}.{node.get('alias') or node['name']}"
        docs[name] = TableDoc(
            name,
            _clean(node.get("description", "")),
            {c: _clean(v.get("description", "")) for c, v in node.get("columns", {}).items()},
            f"dbt {node['resource_type']} {node['name']} ({node.get('original_file_path', '')})",
        )
    for source in data.get("sources", {}).values():
        name = f"{source['schema']}.{source.get('identifier') or source['name']}"
        docs[name] = TableDoc(
            name,
            _clean(source.get("description", "")),
            {c: _clean(v.get("description", "")) for c, v in source.get("columns", {}).items()},
            f"dbt source {source['source_name']}.{source['name']} "
            f"({source.get('original_file_path', '')})",
        )
    for extra in (BOOKKEEPING, META_TABLES):
        for name, doc in extra.items():
            docs.setdefault(name, doc)
    return docs


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def unit_of(column: str) -> str | None:
    """The unit a column's name carries, by the project's naming convention."""
    rules = (
        (r"_gbp_thousands$|_gbp_k$", "GBP thousand"),
        (r"_gbp_bn$", "GBP billion"),
        (r"_gbp_m$", "GBP million"),
        (r"_gbp$", "GBP"),
        (r"_pct$|_percent$|_share_pct$", "percent"),
        (r"_share$", "fraction (0-1)"),
        (r"(^|_)population$", "persons"),
        (r"_bytes$|^bytes$", "bytes"),
    )
    for pattern, unit in rules:
        if re.search(pattern, column):
            return unit
    return None


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def table_columns(con, catalog: str, schema: str, table: str) -> list[tuple[str, str]]:
    return [
        (c, t)
        for c, t in con.execute(
            "select column_name, data_type from duckdb_columns() "
            "where database_name = ? and schema_name = ? and table_name = ? "
            "order by column_index",
            [catalog, schema, table],
        ).fetchall()
    ]


def apply_comments(con, catalog: str, tables: list[str], docs: dict[str, TableDoc]) -> list[str]:
    """COMMENT ON every table and column of ``catalog`` listed in ``tables`` ('schema.table').
    Returns what had no description (table names, or 'schema.table.column')."""
    missing: list[str] = []
    for name in tables:
        schema, table = name.split(".", 1)
        doc = docs.get(name)
        if doc is None or not doc.description:
            missing.append(name)
        else:
            con.execute(
                f'comment on table {catalog}.{schema}."{table}" is {_sql_string(doc.description)}'
            )
        for column, _type in table_columns(con, catalog, schema, table):
            text = doc.columns.get(column, "") if doc else ""
            if not text:
                missing.append(f"{name}.{column}")
                continue
            con.execute(
                f'comment on column {catalog}.{schema}."{table}"."{column}" is {_sql_string(text)}'
            )
    return missing


def undocumented(con) -> list[str]:
    """Tables and columns of the connected (published) database with no comment."""
    tables = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() "
        "where not internal and database_name = current_database() and comment is null "
        "order by 1"
    ).fetchall()
    columns = con.execute(
        "select c.schema_name || '.' || c.table_name || '.' || c.column_name "
        "from duckdb_columns() c join duckdb_tables() t using (database_oid, table_oid) "
        "where not c.internal and c.database_name = current_database() "
        "and (c.comment is null or c.comment = '') order by 1"
    ).fetchall()
    return [r[0] for r in tables + columns]


def write_parquet(con, relation_sql: str, path: Path, doc: TableDoc | None) -> None:
    """Write a query's result to Parquet with each field's description (and unit) as field
    metadata and the table's description as schema metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    reader = con.sql(relation_sql).to_arrow_reader(100_000)
    fields = []
    for f in reader.schema:
        meta = {}
        text = doc.columns.get(f.name) if doc else None
        if text:
            meta["description"] = text
        unit = unit_of(f.name)
        if unit:
            meta["unit"] = unit
        fields.append(f.with_metadata(meta) if meta else f)
    table_meta = {"description": doc.description if doc else "", "name": doc.name if doc else ""}
    schema = pa.schema(fields, metadata=table_meta)
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in reader:
            writer.write_batch(pa.RecordBatch.from_arrays(batch.columns, schema=schema))


_FRICTIONLESS_TYPES = (
    (r"^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$", "integer"),
    (r"^(DOUBLE|FLOAT|REAL|DECIMAL.*)$", "number"),
    (r"^BOOLEAN$", "boolean"),
    (r"^DATE$", "date"),
    (r"^TIMESTAMP.*$", "datetime"),
    (r"^TIME$", "time"),
    (r"^(VARCHAR|TEXT|UUID)$", "string"),
    (r".*\[\]$|^(STRUCT|MAP|LIST).*", "array"),
)


def frictionless_type(duckdb_type: str) -> str:
    for pattern, kind in _FRICTIONLESS_TYPES:
        if re.match(pattern, duckdb_type.upper()):
            return "object" if duckdb_type.upper().startswith(("STRUCT", "MAP")) else kind
    return "any"


# Licences of the datasets the project loads (see the README's table and the samples' READMEs).
LICENCES = [
    {
        "name": "OGL-UK-3.0",
        "title": "Open Government Licence v3.0",
        "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    },
    {
        "name": "CC-BY-4.0",
        "title": "Creative Commons Attribution 4.0 (mySociety register of authorities)",
        "path": "https://creativecommons.org/licenses/by/4.0/",
    },
    {
        "name": "OPL",
        "title": "Open Parliament Licence (Hansard figures in the published benchmarks)",
        "path": "https://www.parliament.uk/site-information/copyright-parliament/open-parliament-licence/",
    },
]


def datapackage(
    con,
    catalog: str,
    tables: list[str],
    docs: dict[str, TableDoc],
    *,
    version: str,
    sources: list[dict],
    formats: dict[str, str],
) -> dict:
    """A Frictionless Data Package descriptor of the exported tables. ``formats`` maps a
    format ('parquet', 'csv') to its folder relative to the descriptor."""
    resources = []
    for name in tables:
        schema, table = name.split(".", 1)
        doc = docs.get(name) or TableDoc(name, "")
        fields = []
        for column, kind in table_columns(con, catalog, schema, table):
            entry = {
                "name": column,
                "type": frictionless_type(kind),
                "description": doc.columns.get(column, ""),
                "duckdb_type": kind,
            }
            unit = unit_of(column)
            if unit:
                entry["unit"] = unit
            fields.append(entry)
        for fmt, folder in formats.items():
            resources.append(
                {
                    "name": f"{table}-{fmt.split('.')[0]}".lower().replace("_", "-"),
                    "title": name,
                    "path": f"{folder}/{table}.{fmt}",
                    "format": fmt.split(".")[0],
                    "mediatype": "application/vnd.apache.parquet"
                    if fmt == "parquet"
                    else "text/csv",
                    **({"encoding": "utf-8", "compression": "gz"} if fmt != "parquet" else {}),
                    "description": doc.description,
                    "schema": {"fields": fields},
                }
            )
    return {
        "name": "lgf-warehouse",
        "title": "English local government finance: revenue outturn, savings and shared services",
        "version": version,
        "licenses": LICENCES,
        "sources": sources,
        "resources": resources,
    }


def table_keys(manifest: Path = MANIFEST) -> dict[str, list[str]]:
    """Each model's unique key, from its dbt uniqueness tests ('schema.table' -> columns)."""
    try:
        data = json.loads(Path(manifest).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    nodes = data.get("nodes", {})
    keys: dict[str, list[str]] = {}
    for node in nodes.values():
        meta = node.get("test_metadata") or {}
        if node.get("resource_type") != "test" or meta.get("name") not in (
            "unique",
            "unique_combination",
            "unique_combination_of_columns",
        ):
            continue
        target = nodes.get(node.get("attached_node") or "")
        if target is None:
            continue
        kwargs = meta.get("kwargs", {})
        columns = kwargs.get("columns") or kwargs.get("combination_of_columns")
        if not columns and node.get("column_name"):
            columns = [node["column_name"]]
        if columns:
            name = f"{target['schema']}.{target.get('alias') or target['name']}"
            keys.setdefault(name, list(columns))
    return keys
