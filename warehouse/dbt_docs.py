"""The dbt docs site of a publication: `dbt docs generate --static` over the working database,
swapped into the published folder (one self-contained index.html, manifest.json, catalog.json).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from warehouse.settings import PROJECT_ROOT

DBT_DIR = PROJECT_ROOT / "dbt"


def build_dbt_docs(work_db: Path, work_dir: Path, docs_dir: Path) -> Path:
    """`dbt docs generate --static` over the working database, swapped into ``docs_dir``:
    index.html (one self-contained page), manifest.json and catalog.json."""
    target = work_dir / "dbt_docs"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    # --no-compile documents the parsed project (`make` runs `dbt parse`) without compiling
    # every model again; dbt reads that manifest from the target folder.
    shutil.copyfile(DBT_DIR / "target" / "manifest.json", target / "manifest.json")
    dbt = str(Path(sys.executable).with_name("dbt"))
    env = {**os.environ, "LGF_WORK_DB": str(work_db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    result = subprocess.run(
        [dbt, "docs", "generate", "--static", "--no-compile", "--quiet"]
        + ["--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR)]
        + ["--target-path", str(target)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0 or not (target / "static_index.html").exists():
        raise RuntimeError(f"dbt docs generate failed:\n{result.stdout[-2000:]}{result.stderr}")
    staged = docs_dir.with_name(f".{docs_dir.name}.{os.getpid()}.tmp")
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    shutil.copyfile(target / "static_index.html", staged / "index.html")
    for name in ("manifest.json", "catalog.json"):
        shutil.copyfile(target / name, staged / name)
    old = docs_dir.with_name(f".{docs_dir.name}.{os.getpid()}.old.tmp")
    if docs_dir.exists():
        docs_dir.rename(old)
    staged.rename(docs_dir)
    shutil.rmtree(old, ignore_errors=True)
    return docs_dir / "index.html"
