"""The landing zone: every source file kept once, immutable, under its sha256.

``landing/sha256/<first two hex>/<sha256>/<file name>``; a manifest row per landing in
``raw.landing_manifest`` says which dataset and release the bytes are and where they came from.
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


def record(con, landed: LandedFile, **fields) -> None:
    """Add a manifest row (one per landing event; identical bytes are stored only once)."""
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
        "landed_path": str(landed.path),
        "retrieved_at": datetime.now(UTC).replace(tzinfo=None),
    }
    cols = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    con.execute(f"insert into raw.landing_manifest ({cols}) values ({marks})", list(row.values()))


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
           where url = ? order by retrieved_at desc limit 1""",
        [url],
    ).fetchone()
    if row is None:
        return None
    return dict(zip(["etag", "last_modified", "sha256", "landed_path"], row, strict=True))
