"""The landing zone: every source file kept once, immutable, under its sha256.

``landing/sha256/<first two hex>/<sha256>/<file name>``; one manifest row per file in
``raw.landing_manifest`` says which dataset and release the bytes are and where they came from.
A refresh that lands the same bytes again for the same release adds no row (the row keeps the
first retrieval and the newest validators), so the published manifest does not change on a
no-op refresh. ``landed_path`` is relative to the data dir: machine paths are never published.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class LandedFile:
    sha256: str
    bytes: int
    path: Path
    is_new: bool


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def land(landing_dir: Path, source: Path) -> LandedFile:
    """Copy ``source`` into the landing zone unless the same bytes are already there."""
    sha = _sha256(source)
    folder = landing_dir / "sha256" / sha[:2] / sha
    existing = (
        sorted(p for p in folder.glob("*") if not p.name.startswith(".")) if folder.exists() else []
    )
    if existing:  # the same bytes, perhaps under another name: keep the first copy only
        return LandedFile(sha, existing[0].stat().st_size, existing[0], is_new=False)
    target = folder / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    shutil.copyfile(source, tmp)
    if _sha256(tmp) != sha:  # the source changed while we copied it
        tmp.unlink()
        raise OSError(f"{source} changed while it was being copied to the landing zone")
    os.chmod(tmp, 0o444)
    os.replace(tmp, target)
    return LandedFile(sha, target.stat().st_size, target, is_new=True)


MANIFEST_DDL = """
create table if not exists raw.landing_manifest (
    dataset varchar not null,
    form varchar,
    financial_year varchar,
    release varchar,
    release_date date,
    file_name varchar not null,
    url varchar,
    copy_of varchar,
    etag varchar,
    last_modified varchar,
    sha256 varchar not null,
    bytes bigint not null,
    landed_path varchar not null,
    retrieved_at timestamp not null
)
"""


MANIFEST_KEY = ("dataset", "form", "financial_year", "release", "url", "sha256")


def relative_landed_path(path: Path, data_dir: Path | None) -> str:
    """``landing/sha256/..`` relative to the data dir (as POSIX), never an absolute path."""
    path = Path(path)
    if data_dir is not None:
        try:
            return path.resolve().relative_to(Path(data_dir).resolve()).as_posix()
        except ValueError:
            pass
    parts = path.parts
    if "landing" in parts:  # a landing zone outside the data dir: from 'landing' on
        return Path(*parts[len(parts) - parts[::-1].index("landing") - 1 :]).as_posix()
    return path.name


def resolve_landed_path(value: str, data_dir: Path) -> Path:
    """A manifest's ``landed_path`` back to a path on this machine (old rows held absolute
    paths; they still resolve)."""
    return Path(data_dir) / value


def record(con, landed: LandedFile, data_dir: Path | None = None, **fields) -> bool:
    """Record a landed file once: a row per (dataset, form, year, release, url, sha256).

    When that row exists already, only changed validators (etag, last-modified) are updated and
    False is returned; otherwise a row is added and True returned.
    """
    con.execute("create schema if not exists raw")
    con.execute(MANIFEST_DDL)
    row = {
        "dataset": fields.get("dataset"),
        "form": fields.get("form"),
        "financial_year": fields.get("financial_year"),
        "release": fields.get("release"),
        "release_date": fields.get("release_date"),
        "file_name": landed.path.name,
        "url": fields.get("url"),
        "copy_of": fields.get("copy_of"),
        "etag": fields.get("etag"),
        "last_modified": fields.get("last_modified"),
        "sha256": landed.sha256,
        "bytes": landed.bytes,
        "landed_path": relative_landed_path(landed.path, data_dir),
        "retrieved_at": datetime.now(UTC).replace(tzinfo=None),
    }
    _dedupe(con)
    where = " and ".join(f"{k} is not distinct from ?" for k in MANIFEST_KEY)
    key = [row[k] for k in MANIFEST_KEY]
    found = con.execute(f"select etag, last_modified from raw.landing_manifest where {where}", key)
    existing = found.fetchone()
    if existing is not None:
        etag = row["etag"] or existing[0]
        last_modified = row["last_modified"] or existing[1]
        if (etag, last_modified) != tuple(existing):
            con.execute(
                f"update raw.landing_manifest set etag = ?, last_modified = ? where {where}",
                [etag, last_modified, *key],
            )
        return False
    cols = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    con.execute(f"insert into raw.landing_manifest ({cols}) values ({marks})", list(row.values()))
    return True


def _dedupe(con) -> None:
    """Working databases from before this rule hold a row per no-op refresh: keep the first of
    each file, and make their machine paths relative."""
    key = ", ".join(MANIFEST_KEY)
    con.execute(
        f"""delete from raw.landing_manifest where rowid not in (
                select min(rowid) from raw.landing_manifest group by {key})"""
    )
    con.execute(
        """update raw.landing_manifest
           set landed_path = regexp_extract(landed_path, '(landing/sha256/.*)$', 1)
           where landed_path like '/%' and landed_path like '%/landing/sha256/%'"""
    )


def forget(con, *, dataset: str, form: str, financial_year: str, release: str) -> int:
    """Drop the manifest rows of one edition (its bytes stay in the landing zone); returns how
    many rows went."""
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = 'landing_manifest'"
    ).fetchone()[0]
    if not exists:
        return 0
    key = [dataset, form, financial_year, release]
    where = "dataset = ? and form = ? and financial_year = ? and release = ?"
    n = con.execute(f"select count(*) from raw.landing_manifest where {where}", key).fetchone()[0]
    con.execute(f"delete from raw.landing_manifest where {where}", key)
    return n


def last_landed(con, url: str) -> dict | None:
    """The newest manifest row for a URL (its validators and where its bytes are), if any."""
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = 'landing_manifest'"
    ).fetchone()[0]
    if not exists:
        return None
    row = con.execute(
        """select etag, last_modified, sha256, landed_path from raw.landing_manifest
           where url = ? order by retrieved_at desc, rowid desc limit 1""",
        [url],
    ).fetchone()
    if row is None:
        return None
    return dict(zip(["etag", "last_modified", "sha256", "landed_path"], row, strict=True))
