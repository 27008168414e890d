"""Discovering every published revenue outturn release through the gov.uk content API.

The collection page (local-authority-revenue-expenditure-and-financing) lists its statistics
pages under ``links.documents``; each page lists its files under ``details.attachments``.
Every attachment named like a 'data by LA' workbook (RS, RSX, RA, RO1-RO6 with a
financial year) or the multi-year CSV becomes a catalogue row with its statistics page and an
attachment pattern, so later fetches resolve the current address (attachment addresses change
when a page is republished). The release is read from the page title (provisional, final,
revised; 'first/second/third release' from 2022-23 on are final editions, the later ones
recorded in the note).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from sources.fetch import (
    GOVUK_API,
    GOVUK_WEB,
    _get_json,
    govuk_content_api_url,
    make_session,
    resolve_govuk_attachments,
)

COLLECTION = (
    "https://www.gov.uk/government/collections/local-authority-revenue-expenditure-and-financing"
)
WORKBOOK = re.compile(
    r"(?<![A-Za-z])(RSX|RS|RA|RO[1-6])[_ ]+(?:data[_ ]+)?(20\d\d)[-_](\d\d)", re.IGNORECASE
)
WORKBOOK_OLD = re.compile(  # 'Revenue_Outturn_Summary__RS__data_2010-11_by_LA'
    r"\((RSX|RS|RO[1-6])\)|__(RSX|RS|RO[1-6])__", re.IGNORECASE
)
YEAR = re.compile(r"(20\d\d)[-_ ](\d\d)(?!\d)")
TIMESERIES = re.compile(r"Revenue_Outturn_time_series", re.IGNORECASE)
FIELDS = [
    "file_name", "dataset", "form", "financial_year", "release", "release_date", "release_note",
    "publisher", "publisher_page", "copy_of", "licence", "url", "statistics_page",
    "attachment_pattern",
]  # fmt: skip


@dataclass(frozen=True)
class Discovered:
    file_name: str
    form: str
    financial_year: str
    release: str
    statistics_page: str
    attachment_pattern: str
    title: str

    def as_row(self) -> dict:
        return {
            "file_name": self.file_name,
            "dataset": "revenue_outturn" if self.form != "multi_year_csv" else "revenue_outturn_ts",
            "form": self.form,
            "financial_year": self.financial_year,
            "release": self.release,
            "release_date": "",
            "release_note": f"discovered on {self.statistics_page}: {self.title}",
            "publisher": "MHCLG",
            "publisher_page": COLLECTION,
            "copy_of": "",
            "licence": "OGL-UK-3.0",
            "url": "",
            "statistics_page": self.statistics_page,
            "attachment_pattern": self.attachment_pattern,
        }


def base_name(name: str) -> str | None:
    """The last path segment of a server-supplied name, or None when nothing safe is left
    ('../../etc/passwd' -> 'passwd', '..' -> None)."""
    last = re.split(r"[/\\]", name.strip())[-1].replace("\x00", "")
    return None if last.strip(".") == "" or ":" in last else last


def release_of(title: str) -> str:
    t = title.lower()
    if "provisional" in t:
        return "provisional"
    if "revised" in t:
        return "revised"
    return "final"  # 'first/second/third release' (2022-23 on): editions of the final outturn


def _classify(filename: str, title: str) -> tuple[str, str] | None:
    """(form, financial_year) of a 'data by LA' workbook, ('multi_year_csv', '') of the CSV."""
    if TIMESERIES.search(filename):
        return ("multi_year_csv", "")
    m = WORKBOOK.search(filename)
    if m:
        return (m.group(1).upper(), f"{m.group(2)}-{m.group(3)}")
    old = WORKBOOK_OLD.search(filename)
    year = YEAR.search(filename) or YEAR.search(title)
    if old and year and "by_la" in filename.lower().replace(" ", "_"):
        form = (old.group(1) or old.group(2)).upper()
        return (form, f"{year.group(1)}-{year.group(2)}")
    return None


def discover(
    collection_url: str = COLLECTION, *, session=None, api_base: str = GOVUK_API
) -> list[Discovered]:
    """Every workbook and multi-year CSV the collection's statistics pages list now."""
    session = session or make_session()
    collection = _get_json(
        session, govuk_content_api_url(collection_url, api_base), (10, 60), 20 << 20
    )
    documents = (collection.get("links") or {}).get("documents") or []
    found: list[Discovered] = []
    for document in documents:
        base_path = document.get("base_path") or ""
        if not base_path.startswith("/government/statistics/"):
            continue
        page = GOVUK_WEB + base_path
        title = str(document.get("title") or "")
        for attachment in resolve_govuk_attachments(page, session=session, api_base=api_base):
            # A server-supplied name becomes a catalogue file name: its base name only.
            filename = base_name(attachment.filename)
            if filename is None:
                continue
            kind = _classify(filename, attachment.title)
            if kind is None:
                continue
            form, year = kind
            found.append(
                Discovered(
                    file_name=filename,
                    form=form,
                    financial_year=year,
                    release=release_of(title),
                    statistics_page=page,
                    # The name without its suffix: a republished page may swap xlsx for ods.
                    attachment_pattern="^" + re.escape(Path(filename).stem) + r"\.",
                    title=title,
                )
            )
    return found


def write_catalogue(found: list[Discovered], path: Path) -> None:
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for item in found:
            writer.writerow(item.as_row())
