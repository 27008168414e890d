"""Typed settings read from the environment in this one place.

``LGF_DATA_DIR`` (default ``./data``) holds every runtime file: the private working database,
the landing zone, the published database and its exports. ``LGF_CATALOGUE`` points at a
catalogue CSV that replaces the bundled one for the datasets it lists (a folder of new
releases). ``LGF_SOURCE`` says where files come from: ``samples`` (the bundled real files, the
default), ``live`` (the publishers), or a mirror: a directory or an http(s) base URL.
``LGF_KEEP_RELEASES`` (default 3) is how many publications are kept for rollback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    catalogue: Path | None = None
    source: str = "samples"
    keep_releases: int = 3

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("LGF_DATA_DIR", PROJECT_ROOT / "data")).resolve()
        catalogue = os.environ.get("LGF_CATALOGUE")
        source = os.environ.get("LGF_SOURCE", "samples").strip() or "samples"
        if source not in ("samples", "live") and not source.startswith(("http://", "https://")):
            source = str(Path(source).resolve())  # a mirror directory
        keep = os.environ.get("LGF_KEEP_RELEASES", "").strip()
        if keep and not (keep.isdigit() and int(keep) >= 1):
            raise ValueError(
                f"LGF_KEEP_RELEASES must be a whole number of at least 1, got {keep!r}"
            )
        return cls(
            data_dir=data_dir,
            catalogue=Path(catalogue).resolve() if catalogue else None,
            source=source,
            keep_releases=int(keep) if keep else 3,
        )

    @property
    def work_dir(self) -> Path:
        return self.data_dir / "work"

    @property
    def work_db(self) -> Path:
        """The private database the pipeline builds in; readers never open it."""
        return self.work_dir / "lgf_work.duckdb"

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def published_dir(self) -> Path:
        return self.data_dir / "published"

    @property
    def published_db(self) -> Path:
        """The audited, read-only database that analysts and BI tools open."""
        return self.published_dir / "lgf.duckdb"

    @property
    def exports_dir(self) -> Path:
        return self.published_dir / "parquet"

    @property
    def docs_dir(self) -> Path:
        """The dbt docs site of the current publication."""
        return self.published_dir / "docs"

    @property
    def audit_dir(self) -> Path:
        return self.published_dir / "audit"

    def ensure_dirs(self) -> None:
        for d in (self.work_dir, self.landing_dir, self.published_dir):
            d.mkdir(parents=True, exist_ok=True)
