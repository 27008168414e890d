"""The dbt docs site of a publication: `dbt docs generate --static` over the working database,
swapped into the published folder (one self-contained index.html, manifest.json, catalog.json).

The site is made of the dbt project (its manifest) and the catalog (every relation's columns,
types and comments; dbt-duckdb records no row counts), never of the rows: when neither changed
since the site was made (``catalog_key``), it is kept as it is. dbt runs on the profile's
``docs`` target, which opens the database read-only, so it can run beside the publish step; its
target folder is kept between runs, so dbt parses the project partially, not from scratch.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from warehouse.settings import PROJECT_ROOT

DBT_DIR = PROJECT_ROOT / "dbt"
KEY_FILE = "catalog_key.txt"
OUTPUTS = ("static_index.html", "index.html", "catalog.json")


def catalog_key(con, manifest: Path | None = None) -> str:
    """A hash of what the docs site shows: the dbt manifest and every relation's name, type,
    comment and columns (name, position, type, comment) in the database ``con`` is on."""
    manifest = manifest or DBT_DIR / "target" / "manifest.json"
    h = hashlib.sha256(Path(manifest).read_bytes())
    rows = con.execute(
        """
        select schema_name, table_name, 'table', comment from duckdb_tables()
        where database_name = current_database() and not internal
        union all
        select schema_name, view_name, 'view', comment from duckdb_views()
        where database_name = current_database() and not internal
        union all
        select schema_name, table_name || '.' || column_name,
               column_index::varchar || ' ' || data_type, comment
        from duckdb_columns()
        where database_name = current_database() and not internal
        order by all
        """
    ).fetchall()
    h.update(repr(rows).encode())
    return h.hexdigest()


def docs_current(docs_dir: Path, key: str) -> bool:
    """Whether the published site was made from exactly this manifest and catalog."""
    path = docs_dir / KEY_FILE
    return (docs_dir / "index.html").exists() and path.exists() and path.read_text() == key


def build_dbt_docs(work_db: Path, work_dir: Path, docs_dir: Path, key: str = "") -> Path:
    """`dbt docs generate --static` over the working database, swapped into ``docs_dir``:
    index.html (one self-contained page), manifest.json and catalog.json (and ``key``, the
    catalog_key it was made from)."""
    return install_dbt_docs(generate_dbt_docs(work_db, work_dir), docs_dir, key)


def generate_dbt_docs(work_db: Path, work_dir: Path) -> Path:
    """`dbt docs generate --static` over the working database (read-only) into its target
    folder under ``work_dir``; returns that folder."""
    target = work_dir / "dbt_docs"
    target.mkdir(parents=True, exist_ok=True)
    for name in OUTPUTS:  # never publish a previous run's page
        (target / name).unlink(missing_ok=True)
    # --no-compile documents the parsed project (`make` runs `dbt parse`) without compiling
    # every model again; dbt reads that manifest from the target folder.
    shutil.copyfile(DBT_DIR / "target" / "manifest.json", target / "manifest.json")
    dbt = str(Path(sys.executable).with_name("dbt"))
    env = {**os.environ, "LGF_WORK_DB": str(work_db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    result = subprocess.run(
        [dbt, "docs", "generate", "--static", "--no-compile", "--quiet", "--target", "docs"]
        + ["--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR)]
        + ["--target-path", str(target)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0 or not (target / "static_index.html").exists():
        raise RuntimeError(f"dbt docs generate failed:\n{result.stdout[-2000:]}{result.stderr}")
    return target


def install_dbt_docs(target: Path, docs_dir: Path, key: str = "") -> Path:
    """The site dbt wrote in ``target`` swapped into ``docs_dir``."""
    staged = docs_dir.with_name(f".{docs_dir.name}.{os.getpid()}.tmp")
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    shutil.copyfile(target / "static_index.html", staged / "index.html")
    for name in ("manifest.json", "catalog.json"):
        shutil.copyfile(target / name, staged / name)
    if key:
        (staged / KEY_FILE).write_text(key)
    old = docs_dir.with_name(f".{docs_dir.name}.{os.getpid()}.old.tmp")
    if docs_dir.exists():
        docs_dir.rename(old)
    staged.rename(docs_dir)
    shutil.rmtree(old, ignore_errors=True)
    return docs_dir / "index.html"
