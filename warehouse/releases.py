"""Versioned publications: content fingerprints, release records, the kept releases, switching
the published warehouse to one of them (publish, rollback), and differences between two.

Layout under the published folder (``<LGF_DATA_DIR>/published``)::

    lgf.duckdb                the current release's database (a hard link into releases/)
    current -> releases/V     which release is current (a relative symlink, swapped atomically)
    parquet -> current/parquet, csv -> current/csv, datapackage.json, release.json,
    report.html               (each a symlink into the current release)
    releases/V/               one folder per kept publication: lgf.duckdb, release.json,
                              datapackage.json, parquet/, csv/, report.html

A version is ``YYYYMMDD-<first 12 hex digits of the content hash>``. The content hash is a
SHA-256 over every published table's name, columns, row count and an order-independent checksum
of its rows; load timestamps (TIMESTAMP columns named ``*_at``) are left out, since they record
when the pipeline ran, not what was published. Identical content gives the same hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

from warehouse.dictionary import table_columns
from warehouse.lock import process_alive

RELEASES = "releases"
CURRENT = "current"
RECORD = "release.json"
# Entries of the published folder that point into the current release.
CURRENT_ENTRIES = ("parquet", "csv", "datapackage.json", RECORD, "report.html")


class ReleaseError(Exception):
    """A release asked for does not exist or is damaged."""


def is_process_column(column: str, data_type: str) -> bool:
    """A load timestamp: recorded when the pipeline ran, left out of the content hash."""
    return column.endswith("_at") and data_type.upper().startswith("TIMESTAMP")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _ref(catalog: str, name: str) -> str:
    schema, table = name.split(".", 1)
    return f"{_q(catalog)}.{_q(schema)}.{_q(table)}"


def _row_hash(columns: list[tuple[str, str]], alias: str = "") -> str:
    content = [c for c, t in columns if not is_process_column(c, t)]
    prefix = f"{alias}." if alias else ""
    return "hash(" + ", ".join(prefix + _q(c) for c in content) + ")" if content else "0"


def fingerprints(con, catalog: str, tables: list[str]) -> dict[str, dict]:
    """Per table: columns, row count and an order-independent checksum of the rows."""
    out = {}
    for name in tables:
        schema, table = name.split(".", 1)
        columns = table_columns(con, catalog, schema, table)
        rows, checksum = con.execute(
            f"select count(*), coalesce(sum({_row_hash(columns)}), 0)::varchar "
            f"from {_ref(catalog, name)}"
        ).fetchone()
        out[name] = {"rows": rows, "checksum": checksum, "columns": [list(c) for c in columns]}
    return out


def content_hash(prints: dict[str, dict]) -> str:
    canonical = json.dumps(
        {k: [v["rows"], v["checksum"], v["columns"]] for k, v in sorted(prints.items())},
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def version_of(hash_: str, published_at) -> str:
    return f"{published_at:%Y%m%d}-{hash_[:12]}"


# ---- the kept releases ------------------------------------------------------------------


def releases_dir(published_dir: Path) -> Path:
    return Path(published_dir) / RELEASES


def read_record(published_dir: Path, version: str) -> dict:
    path = releases_dir(published_dir) / version / RECORD
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        known = ", ".join(r["version"] for r in list_releases(published_dir)) or "none"
        raise ReleaseError(f"no release {version!r} (kept releases: {known})") from None
    except ValueError as exc:
        raise ReleaseError(f"the release record {path} is damaged: {exc}") from exc


def current_version(published_dir: Path) -> str | None:
    link = Path(published_dir) / CURRENT
    if not link.is_symlink():
        return None
    return Path(os.readlink(link)).name


def resolve(published_dir: Path, name: str) -> str:
    """A version from a name: a version itself, ``current`` (the published release) or
    ``previous`` (the one published before it, if still kept)."""
    if name not in ("current", "previous"):
        return name
    current = current_version(published_dir)
    if current is None:
        raise ReleaseError(f"no current release in {published_dir}")
    if name == "current":
        return current
    previous = read_record(published_dir, current).get("previous")
    if not previous:
        raise ReleaseError(f"release {current} is the first publication: it has no previous")
    return previous


def list_releases(published_dir: Path) -> list[dict]:
    """Every kept release's record, newest first, each with ``is_current``."""
    folder = releases_dir(published_dir)
    current = current_version(published_dir)
    records = []
    for path in sorted(folder.glob(f"*/{RECORD}")) if folder.exists() else []:
        if path.parent.name.startswith("."):
            continue
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        record["is_current"] = record.get("version") == current
        records.append(record)
    records.sort(key=lambda r: (r.get("published_at", ""), r.get("version", "")), reverse=True)
    return records


def _replace_symlink(link: Path, target: str) -> None:
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(target, tmp)
    if link.is_dir() and not link.is_symlink():  # a folder from before releases existed
        old = link.with_name(f".{link.name}.{os.getpid()}.old.tmp")
        link.rename(old)
        os.replace(tmp, link)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, link)


def activate(published_dir: Path, version: str, db_name: str = "lgf.duckdb") -> None:
    """Make a kept release the published one: its database replaces the published file in one
    atomic rename (readers see the old file or the new one), then ``current`` is swapped."""
    published_dir = Path(published_dir)
    source = releases_dir(published_dir) / version / db_name
    if not source.is_file():
        raise ReleaseError(f"release {version} has no database ({source})")
    target = published_dir / db_name
    tmp = published_dir / f".{db_name}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    try:
        os.link(source, tmp)  # no second copy on disk
    except OSError:
        shutil.copy2(source, tmp)
        os.chmod(tmp, 0o444)
    os.replace(tmp, target)
    _replace_symlink(published_dir / CURRENT, f"{RELEASES}/{version}")
    for entry in CURRENT_ENTRIES:
        link = published_dir / entry
        if not (link.is_symlink() and os.readlink(link) == f"{CURRENT}/{entry}"):
            if link.is_file() and not link.is_symlink():
                link.unlink()
            _replace_symlink(link, f"{CURRENT}/{entry}")


def prune(published_dir: Path, keep: int) -> list[str]:
    """Remove all but the newest ``keep`` releases (never the current one)."""
    records = list_releases(published_dir)
    removed = []
    for record in records[max(keep, 1) :]:
        if record["is_current"]:
            continue
        shutil.rmtree(releases_dir(published_dir) / record["version"], ignore_errors=True)
        removed.append(record["version"])
    return removed


_TMP = re.compile(r"^\..*\.(\d+)(\.old)?\.tmp$")


def cleanup_temporaries(published_dir: Path) -> list[Path]:
    """Remove temporary copies left by a publish that was killed (``.<name>.<pid>.tmp``, in the
    published folder and its releases folder) whose process is gone."""
    removed = []
    for folder in (Path(published_dir), releases_dir(published_dir)):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            match = _TMP.match(path.name)
            if not match or process_alive(int(match.group(1))):
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed


# ---- differences ------------------------------------------------------------------------


def diff_catalogs(
    con,
    old: str,
    new: str,
    old_prints: dict[str, dict],
    new_prints: dict[str, dict],
    keys: dict[str, list[str]],
) -> dict:
    """What changed from catalog ``old`` to ``new`` (both attached to ``con``): tables added,
    removed and changed; for a changed table with the same columns, rows added, removed and
    changed per financial year (by the table's dbt unique key where it has one; without a key
    a changed row counts as one removed and one added)."""
    added = sorted(set(new_prints) - set(old_prints))
    removed = sorted(set(old_prints) - set(new_prints))
    changed: dict[str, dict] = {}
    for name in sorted(set(old_prints) & set(new_prints)):
        before, after = old_prints[name], new_prints[name]
        if before["checksum"] == after["checksum"] and before["columns"] == after["columns"]:
            continue
        entry: dict = {"rows_before": before["rows"], "rows_after": after["rows"]}
        old_cols = {c for c, _ in before["columns"]}
        new_cols = {c for c, _ in after["columns"]}
        if old_cols != new_cols:
            entry["columns_added"] = sorted(new_cols - old_cols)
            entry["columns_removed"] = sorted(old_cols - new_cols)
        if before["columns"] == after["columns"]:
            entry.update(_row_changes(con, old, new, name, before["columns"], keys.get(name)))
        changed[name] = entry
    return {
        "tables_added": added,
        "tables_removed": removed,
        "tables_changed": changed,
        "tables_unchanged": len(set(old_prints) & set(new_prints)) - len(changed),
    }


def _row_changes(con, old, new, name, columns, key) -> dict:
    names = [c for c, _ in columns]
    by = "financial_year" if "financial_year" in names else None
    by_expr = f"coalesce(n.{_q(by)}, o.{_q(by)})" if by else "'all'"
    row_hash = _row_hash([tuple(c) for c in columns])
    if key and all(k in names for k in key):
        cols = ", ".join(_q(c) for c in dict.fromkeys([*key, *([by] if by else [])]))
        on = " and ".join(f"o.{_q(k)} is not distinct from n.{_q(k)}" for k in key)
        rows = con.execute(
            f"""
            with o as (select {cols}, {row_hash} as h from {_ref(old, name)}),
                 n as (select {cols}, {row_hash} as h from {_ref(new, name)})
            select {by_expr}::varchar as fy,
                   count(*) filter (where o.h is null) as added,
                   count(*) filter (where n.h is null) as removed,
                   count(*) filter (where o.h is not null and n.h is not null and o.h <> n.h)
            from o full outer join n on {on}
            group by 1 order by 1
            """
        ).fetchall()
        method = "key " + ", ".join(key)
    else:
        select_by = f"{_q(by)}, " if by else ""
        group = f"group by {_q(by)}, h" if by else "group by h"
        on = (f"o.{_q(by)} is not distinct from n.{_q(by)} and " if by else "") + "o.h = n.h"
        rows = con.execute(
            f"""
            with o as (select {select_by}{row_hash} as h, count(*) as c
                       from {_ref(old, name)} {group}),
                 n as (select {select_by}{row_hash} as h, count(*) as c
                       from {_ref(new, name)} {group})
            select {by_expr}::varchar as fy,
                   sum(greatest(coalesce(n.c, 0) - coalesce(o.c, 0), 0))::bigint as added,
                   sum(greatest(coalesce(o.c, 0) - coalesce(n.c, 0), 0))::bigint as removed,
                   0 as changed
            from o full outer join n on {on}
            group by 1 order by 1
            """
        ).fetchall()
        method = "row content (no unique key: a changed row is one removed and one added)"
    per_year = {
        (fy if fy is not None else "(none)"): {"added": a, "removed": r, "changed": c}
        for fy, a, r, c in rows
        if a or r or c
    }
    return {"compared_by": method, "rows_by_financial_year": per_year}


def diff_releases(published_dir: Path, a: str, b: str, keys: dict[str, list[str]]) -> dict:
    """Differences from kept release ``a`` to ``b``."""
    import duckdb

    from warehouse.db import SAFE_CONFIG

    records = {v: read_record(published_dir, v) for v in (a, b)}
    con = duckdb.connect(config=dict(SAFE_CONFIG))
    try:
        for alias, version in (("rel_a", a), ("rel_b", b)):
            path = releases_dir(published_dir) / version / "lgf.duckdb"
            con.execute(f"attach '{path}' as {alias} (read_only)")
        prints = {v: records[v]["tables"] for v in (a, b)}
        result = diff_catalogs(con, "rel_a", "rel_b", prints[a], prints[b], keys)
    finally:
        con.close()
    return {"from": a, "to": b, **result}


def describe_changes(changes: dict | None) -> list[str]:
    """Human-readable lines for a changes summary (release record or diff)."""
    if changes is None:
        return ["first publication: nothing to compare with"]
    lines = []
    for name in changes.get("tables_added", []):
        lines.append(f"+ table {name}")
    for name in changes.get("tables_removed", []):
        lines.append(f"- table {name}")
    for name, entry in changes.get("tables_changed", {}).items():
        lines.append(f"~ table {name}: {entry['rows_before']:,} -> {entry['rows_after']:,} rows")
        if entry.get("columns_added") or entry.get("columns_removed"):
            lines.append(
                f"    columns added {entry.get('columns_added') or '-'}, "
                f"removed {entry.get('columns_removed') or '-'}"
            )
        for fy, n in entry.get("rows_by_financial_year", {}).items():
            lines.append(
                f"    {fy}: {n['added']:,} added, {n['removed']:,} removed, "
                f"{n['changed']:,} changed"
            )
    if not lines:
        lines.append("no table changed")
    lines.append(f"{changes.get('tables_unchanged', 0)} tables unchanged")
    return lines
