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
# The bundled dataset folders whose catalogue.csv lists releases in this module's columns.
BUNDLED_CATALOGUES = [
    SAMPLES_DIR / folder / "catalogue.csv"
    for folder in (
        "revenue_outturn",
        "reference",
        "population",
        "deflators",
        "efficiency",
        "shared_services",
        "national_series",
    )
] + [SAMPLES_DIR / "revenue_outturn" / "timeseries_catalogue.csv"]  # the multi-year CSV
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
    url: str = ""  # the file's own address at the publisher, where stable
    statistics_page: str = ""  # a gov.uk statistics page whose attachments include the file
    attachment_pattern: str = ""  # regex picking the file among that page's attachments

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
                    url=row.get("url", "") or "",
                    statistics_page=row.get("statistics_page", "") or "",
                    attachment_pattern=row.get("attachment_pattern", "") or "",
                )
            )
    return releases


def financial_years(releases: list[Release]) -> list[str]:
    return sorted({r.financial_year for r in releases if r.financial_year})


def bundled_releases() -> list[Release]:
    """Every release of every bundled catalogue."""
    return [r for path in BUNDLED_CATALOGUES for r in load_catalogue(path)]


def releases_with(override: Path | None) -> list[Release]:
    """The bundled releases, where a user's catalogue replaces those of each dataset it lists
    (so a folder of new revenue outturn releases leaves the reference data as bundled)."""
    bundled = bundled_releases()
    if override is None:
        return bundled
    theirs = load_catalogue(override)
    replaced = {r.dataset for r in theirs}
    return [r for r in bundled if r.dataset not in replaced] + theirs
