"""The catalogue of releases the project knows, and where each release's file is found.

A catalogue is a CSV (``file_name, dataset, form, financial_year, release, release_date, ...``)
whose files sit in the same folder. The bundled one lists the real samples shipped with the
project; a user can point the pipeline at another (a mirror, or a folder of new releases).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sources.errors import SourceError

SAMPLES_DIR = Path(__file__).parent / "samples"
BUNDLED_CATALOGUE = SAMPLES_DIR / "revenue_outturn" / "catalogue.csv"
RELEASE_RANK = {"provisional": 1, "final": 2, "revised": 3}


@dataclass(frozen=True)
class Release:
    """One published file of one dataset release."""

    file_name: str
    dataset: str
    form: str
    financial_year: str
    release: str
    release_date: str | None
    release_note: str
    publisher: str
    publisher_page: str
    copy_of: str
    licence: str
    path: Path

    @property
    def edition(self) -> str:
        """A readable name for this vintage: '2017-18 revised (2019-03-20)'."""
        date = f" ({self.release_date})" if self.release_date else ""
        return f"{self.financial_year} {self.release}{date}"


def load_catalogue(path: Path = BUNDLED_CATALOGUE) -> list[Release]:
    path = Path(path)
    if not path.exists():
        raise SourceError(f"catalogue {path} does not exist")
    releases = []
    with path.open(newline="", encoding="utf-8") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            if row["release"] not in RELEASE_RANK:
                raise SourceError(
                    f"catalogue {path}, row {n}, column release: {row['release']!r} is not one "
                    f"of {', '.join(RELEASE_RANK)}"
                )
            releases.append(
                Release(
                    file_name=row["file_name"],
                    dataset=row["dataset"],
                    form=row["form"],
                    financial_year=row["financial_year"],
                    release=row["release"],
                    release_date=row.get("release_date") or None,
                    release_note=row.get("release_note", ""),
                    publisher=row.get("publisher", ""),
                    publisher_page=row.get("publisher_page", ""),
                    copy_of=row.get("copy_of", ""),
                    licence=row.get("licence", ""),
                    path=path.parent / row["file_name"],
                )
            )
    return releases


def financial_years(releases: list[Release]) -> list[str]:
    return sorted({r.financial_year for r in releases})
