"""The catalogue of releases the project knows, and where each release's file is found.

A catalogue is a CSV (``file_name, dataset, form, financial_year, release, release_date, ...``)
whose files sit in the same folder. The bundled one lists the real samples shipped with the
project; a user can point the pipeline at another (a mirror, or a folder of new releases).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
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


REQUIRED_COLUMNS = ("file_name", "dataset", "form", "financial_year", "release")
YEAR_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def safe_file_name(name: str, folder: Path, *, where: str) -> Path:
    """``folder / name`` when ``name`` is a plain file name that stays inside ``folder``.

    A name with a directory part (``../../etc/passwd``, ``sub/x.xls``, ``C:\\x``), a name that
    is only dots, or one that resolves (through a symlink) outside the folder is refused:
    catalogue and server-supplied names are never allowed to point elsewhere on the machine.
    """
    plain = name.strip()
    if (
        not plain
        or plain != Path(plain).name
        or "/" in plain
        or "\\" in plain
        or plain.strip(".") == ""
        or ":" in plain
        or "\x00" in plain
    ):
        raise SourceError(
            f"{where}: file_name {name!r} is not a plain file name; a catalogue names files in "
            "its own folder (no directories, no '..')"
        )
    path = Path(folder) / plain
    if path.exists() and not path.resolve().is_relative_to(Path(folder).resolve()):
        raise SourceError(f"{where}: file_name {name!r} leads outside the folder {folder}")
    return path


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"catalogue {path}, line {line}: not UTF-8 (byte 0x{data[exc.start]:02x}; saved as "
            "cp1252/Latin-1?); save the catalogue as UTF-8"
        ) from None


def load_catalogue(path: Path = BUNDLED_CATALOGUE) -> list[Release]:
    """Every row of a catalogue CSV, checked: the columns are there, each row names a plain
    file in the catalogue's folder, a known release, a 'YYYY-YY' year and an ISO release date,
    and no two rows claim the same (dataset, form, financial year, release). Raises SourceError
    naming the catalogue, row and column."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"catalogue {path} does not exist")
    try:
        text = _read_text(path)
    except OSError as exc:
        raise SourceError(f"catalogue {path} cannot be read: {exc.strerror}") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise SourceError(
            f"catalogue {path}: missing column(s) {', '.join(missing)} in its header row "
            f"(found: {', '.join(columns) or 'nothing'}); needed: {', '.join(REQUIRED_COLUMNS)}"
        )
    reader.fieldnames = columns
    releases = []
    seen: dict[tuple, int] = {}
    try:
        rows = list(enumerate(reader, start=2))
    except csv.Error as exc:
        raise SourceError(f"catalogue {path}: not a readable CSV ({exc})") from None
    for n, raw in enumerate_rows(rows):
        row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        where = f"catalogue {path}, row {n}"
        for column in REQUIRED_COLUMNS[:2] + ("release",):
            if not row.get(column):
                raise SourceError(f"{where}, column {column}: empty")
        if row["release"] not in RELEASE_RANK:
            raise SourceError(
                f"{where}, column release: {row['release']!r} is not one of "
                f"{', '.join(RELEASE_RANK)}"
            )
        year = row.get("financial_year", "")
        m = YEAR_PATTERN.match(year)
        if year and not (m and (int(m.group(1)) + 1) % 100 == int(m.group(2))):
            raise SourceError(
                f"{where}, column financial_year: {year!r} is not a financial year like 2017-18"
            )
        release_date = row.get("release_date") or None
        if release_date:
            try:
                date.fromisoformat(release_date)
            except ValueError:
                raise SourceError(
                    f"{where}, column release_date: {release_date!r} is not a date YYYY-MM-DD"
                ) from None
        if year:
            key = (row["dataset"], row.get("form", ""), year, row["release"])
            if key in seen:
                raise SourceError(
                    f"{where}: the same edition ({' '.join(k for k in key if k)}) as row "
                    f"{seen[key]}; an edition is one file"
                )
            seen[key] = n
        file_path = safe_file_name(row["file_name"], path.parent, where=where)
        releases.append(
            Release(
                file_name=file_path.name,
                dataset=row["dataset"],
                form=row.get("form", ""),
                financial_year=year,
                release=row["release"],
                release_date=release_date,
                release_note=row.get("release_note", ""),
                publisher=row.get("publisher", ""),
                publisher_page=row.get("publisher_page", ""),
                copy_of=row.get("copy_of", ""),
                licence=row.get("licence", ""),
                path=file_path,
                url=row.get("url", ""),
                statistics_page=row.get("statistics_page", ""),
                attachment_pattern=row.get("attachment_pattern", ""),
            )
        )
    return releases


def enumerate_rows(rows):
    """Rows with their line numbers, skipping wholly blank lines (a trailing empty row)."""
    for n, raw in rows:
        if any((v or "").strip() for k, v in raw.items() if k is not None):
            yield n, raw


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
