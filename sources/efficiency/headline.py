"""The published headline figures (``published_headline_figures.csv``; the project brief's two
2007 survey percentages in ``brief_benchmarks.csv``, same layout) -> ``raw.headline_figures``:
one tidy row per record, with provenance, and nothing read into it.

Layout (one row per figure, each with its own source address): ``record_id, topic, scope,
authority, period, measure, value, unit, source_url, source_type, note``. The figures were
transcribed from stored copies of public pages (Hansard, council cabinet papers, LGA pages,
trade press): self-reported by councils, unaudited. The brief's figures have no source address
(their original publication was not identified) and must say they come from the brief.

This module reads, checks and types: the value in a normalised unit (GBP, percent, a count),
the financial year or calendar year the period names, a named council's legal body. What the
figures mean is dbt's: the figures a record's note states are the seeds ``headline_note_*``,
metric codes ``headline_metric_codes``, which topics are efficiency figures
``efficiency_headline_topics``; the benchmarks and the efficiency rows are derived in
``int_efficiency__published_benchmarks`` and ``int_efficiency__headline_returns``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sources.catalogue import SAMPLES_DIR
from sources.csv_table import CsvTable
from sources.efficiency.schema import figures_frame
from sources.errors import SourceError
from sources.reference.resolve import AuthorityResolver

SAMPLES = SAMPLES_DIR / "efficiency"
BUNDLED_HEADLINE = SAMPLES / "published_headline_figures.csv"
BUNDLED_BRIEF = SAMPLES / "brief_benchmarks.csv"
COLUMNS = [
    "record_id",
    "topic",
    "scope",
    "authority",
    "period",
    "measure",
    "value",
    "unit",
    "source_url",
    "source_type",
    "note",
]
AUTHORITY_SCOPES = ("council",)
UNVERIFIED_SOURCE = "lgf-warehouse project brief"


@dataclass(frozen=True)
class Record:
    """One row of the headline-figures layout."""

    record_id: str
    topic: str
    scope: str
    authority: str
    period: str
    measure: str
    value: float
    unit: str
    source_url: str | None
    source_type: str
    note: str
    source_file: str
    source_row: int


def read_records(path: Path = BUNDLED_HEADLINE) -> list[Record]:
    """Every row of a headline-figures file; a record without a source address must say it
    comes from the project brief."""
    table = CsvTable(Path(path), COLUMNS, layout="headline figures")
    records, seen = [], set()
    for n, rec in table.records():
        if not rec["record_id"]:
            raise table.error("record_id is blank", n, "record_id")
        if rec["record_id"] in seen:
            raise table.error(f"{rec['record_id']} appears twice", n, "record_id")
        seen.add(rec["record_id"])
        value = table.money(rec, n, "value")
        if value is None:
            raise table.error("the value is blank", n, "value")
        url = rec["source_url"] or None
        if url is None and not rec["source_type"].startswith(UNVERIFIED_SOURCE):
            raise table.error(
                "a figure needs its source address (or a source_type saying it comes from the "
                "project brief)",
                n,
                "source_url",
            )
        if url is not None and not url.startswith(("http://", "https://")):
            raise table.error(f"{url!r} is not an http(s) address", n, "source_url")
        for col in ("topic", "scope", "period", "measure", "unit", "source_type"):
            if not rec[col]:
                raise table.error(f"{col} is blank", n, col)
        records.append(
            Record(
                record_id=rec["record_id"],
                topic=rec["topic"],
                scope=rec["scope"],
                authority=rec["authority"],
                period=rec["period"],
                measure=rec["measure"],
                value=value,
                unit=rec["unit"],
                source_url=url,
                source_type=rec["source_type"],
                note=rec["note"],
                source_file=table.name,
                source_row=n,
            )
        )
    return records


# -- units and periods ---------------------------------------------------------------------------


def normalise_unit(unit: str) -> tuple[float, str]:
    """(multiplier, normalised unit) of a published unit: 'GBP million a year' -> (1e6, 'GBP')."""
    u = unit.casefold().strip()
    if u.startswith("gbp billion"):
        return 1e9, "GBP"
    if u.startswith("gbp million"):
        return 1e6, "GBP"
    if u.startswith("gbp"):
        return 1.0, "GBP"
    if u.startswith("%"):
        return 1.0, "percent"
    for word in ("councils", "arrangements", "partnerships"):
        if u.startswith(word):
            return 1.0, word
    raise SourceError(f"unit {unit!r} is not one this reader knows")


def is_approximate(record: Record) -> bool:
    return "approx" in record.unit.casefold() or record.note.casefold().startswith("approx")


FY_IN_TEXT = re.compile(r"\b(\d{4}-\d{2})\b")
YEAR_IN_TEXT = re.compile(r"\b((?:19|20)\d{2})\b")


def period_financial_year(period: str) -> str | None:
    """The financial year a period names ('end of 2004-05', 'by 2007-08'; the last of a
    range '2005-06 to 2007-08')."""
    found = FY_IN_TEXT.findall(period)
    return found[-1] if found else None


def period_year(period: str) -> int | None:
    """The calendar year a period names ('March 2013', '2019'); None for a range or where the
    page did not show a date."""
    if period_financial_year(period) or "not shown" in period.casefold():
        return None
    years = set(YEAR_IN_TEXT.findall(period))
    return int(years.pop()) if len(years) == 1 else None


# -- tidy rows -----------------------------------------------------------------------------------


def figure_rows(records: list[Record], resolver: AuthorityResolver | None = None) -> pd.DataFrame:
    """raw.headline_figures: one tidy row per record, its value in a normalised unit, the
    financial or calendar year its period names and, for a named council, its legal body."""
    rows = []
    for r in records:
        multiplier, unit = normalise_unit(r.unit)
        fy = period_financial_year(r.period)
        body_id = None
        if resolver is not None and r.scope.casefold() in AUTHORITY_SCOPES and r.authority:
            body_id = resolver.resolve(
                r.authority, financial_year=fy, where=f"file {r.source_file!r}, row {r.source_row}"
            )
        rows.append(
            {
                "record_id": r.record_id,
                "topic": r.topic,
                "scope": r.scope,
                "authority_as_published": r.authority or None,
                "body_id": body_id,
                "period_as_published": r.period,
                "financial_year": fy,
                "year": period_year(r.period),
                "measure": r.measure,
                "value": r.value,
                "unit_as_published": r.unit,
                "value_normalised": r.value * multiplier,
                "unit_normalised": unit,
                "is_approximate": is_approximate(r),
                "source_url": r.source_url,
                "source_type": r.source_type,
                "source_note": r.note or None,
                "source_file": r.source_file,
                "source_row": r.source_row,
            }
        )
    return figures_frame(rows)


def bundled_records() -> list[Record]:
    """The bundled headline figures and the brief's two survey figures."""
    return read_records(BUNDLED_HEADLINE) + read_records(BUNDLED_BRIEF)
