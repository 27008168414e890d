"""The published headline figures (``published_headline_figures.csv``): national SR04 totals and
trajectory, named councils' statements and NI 179 figures, LGA shared-services map counts.

Layout (one row per figure, each with its own source address): ``record_id, topic, scope,
authority, period, measure, value, unit, source_url, source_type, note``. The figures were
transcribed from stored copies of public pages (Hansard, council cabinet papers, LGA pages,
trade press): self-reported by councils, unaudited. The project brief's two 2007 survey
percentages are kept in ``brief_benchmarks.csv`` in the same layout, with no source address
(their original publication was not identified), and are marked unverified.

Two readings of the same file:

1. :func:`benchmark_rows` -> ``raw.published_benchmarks``: every record as published, plus the
   figures its ``note`` states (listed in BENCHMARK_NOTE_FIGURES, each with the text it was
   read from, which must still be in the note), with a stable ``metric_code``.
2. :func:`efficiency_rows` -> ``raw.efficiency_returns``: the records that are an efficiency
   figure or target of England or of a named council, by topic:

   ==============================  ===============================================================
   topic                           becomes
   ==============================  ===============================================================
   AES backward look cumulative    England/council SR04 backward look, cumulative gains
   AES backward look               ... backward look, gains reported for the year (a record whose
                                   measure says 'cashable' is the 'of which cashable' of its pair)
   AES backward look row           ... backward look, one workstream row of the AES form
                                   ('<workstream> - <column group> ...')
   AES forward look                ... forward look, planned further gains; a 'requirement' is a
                                   target
   AES target                      ... a published cumulative target
   SR04 outturn                    ... backward look, cumulative gains at the end of the period
   NI 179 outturn / forecast       CSR07 NI 179 outturn / forecast (cumulative since April 2008)
   ==============================  ===============================================================

   Other topics (programme-wide targets, the Gershon UK figure, LGA counts) are benchmarks only.
   Figures stated in a record's note (a cashable share, a target, the percentage of the
   baseline) are applied as listed in RETURN_NOTE_FIGURES, each checked against the note text,
   and labelled ``is_derived`` with the quoted text.

   Baselines are derived and labelled, never invented: a gain or target divided by the
   percentage of the baseline the source states (priority 2: Hansard's 1.89% / 4.81% / 7.63% of
   the 2004-05 baseline; Hampshire's "7.5% of 2004-05 outturn"), or a published cumulative target
   divided by the rule's percentage (priority 3; sources.efficiency.targets), except for CSR07
   2010-11 targets, where it is not known whether the Budget 2009 extra 1% is included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sources.catalogue import SAMPLES_DIR
from sources.csv_table import CsvTable
from sources.efficiency import targets
from sources.efficiency.schema import (
    TOTAL_WORKSTREAM,
    benchmarks_frame,
    returns_frame,
)
from sources.errors import ParseError, SourceError
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
ENGLAND_SCOPES = ("english councils", "england", "england local government")
AUTHORITY_SCOPES = ("council",)
UNVERIFIED_SOURCE = "lgf-warehouse project brief"
CROSS_CUTTING = ("corporate services", "procurement", "productive time", "transactional services")


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


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _quoted(record: Record, quote: str) -> None:
    if _fold(quote) not in _fold(record.note):
        raise ParseError(
            f"record {record.record_id}: its note no longer says {quote!r} (note: "
            f"{record.note!r}); the figure read from it cannot be kept"
        )


# -- benchmarks ----------------------------------------------------------------------------------

METRIC_CODES = {
    "AES-01": "sr04_local_government_efficiency_target",
    "AES-02": "gershon_public_sector_annual_savings",
    "AES-03": "aes_england_cumulative_gains",
    "AES-04": "aes_england_cumulative_gains",
    "AES-05": "aes_england_cumulative_gains",
    "AES-06": "aes_england_gains_reported_for_year",
    "AES-07": "aes_england_cashable_gains_reported_for_year",
    "AES-08": "aes_england_planned_gains",
    "AES-09": "aes_england_planned_gains",
    "AES-10": "sr04_england_total_savings",
    "AES-11": "csr07_local_government_cash_releasing_savings_expected",
    "SS-01": "lga_map_councils_sharing",
    "SS-02": "lga_map_arrangements",
    "SS-03": "lga_map_savings",
    "SS-04": "lga_map_savings",
    "SS-05": "lga_map_cumulative_savings",
    "SS-06": "lga_map_cumulative_savings",
    "SS-07": "lga_map_operational_arrangements",
    "SS-08": "shared_service_case_study_savings",
    "BRIEF-01": "survey_2007_councils_shared_procurement_pct",
    "BRIEF-02": "survey_2007_councils_operational_shared_service_pct",
}


@dataclass(frozen=True)
class NoteFigure:
    """A figure a record's note states, with the text it is read from."""

    record_id: str
    quote: str
    metric_code: str
    measure: str
    value: float  # in the normalised unit
    unit: str  # normalised unit
    is_approximate: bool = False
    is_lower_bound: bool = False


BENCHMARK_NOTE_FIGURES = [
    NoteFigure("AES-03", "1.89% of 2004-05 baseline", "aes_england_cumulative_gains_pct",
               "cumulative gains, % of 2004-05 baseline", 1.89, "percent"),
    NoteFigure("AES-04", "4.81% of 2004-05 baseline", "aes_england_cumulative_gains_pct",
               "cumulative gains, % of 2004-05 baseline", 4.81, "percent"),
    NoteFigure("AES-05", "7.63% of 2004-05 baseline", "aes_england_cumulative_gains_pct",
               "cumulative gains, % of 2004-05 baseline", 7.63, "percent"),
    NoteFigure("AES-06", "(72.6%)", "aes_england_cashable_share_pct",
               "cashable share of gains reported for the year", 72.6, "percent"),
    NoteFigure("AES-06", "adult social services just over GBP 202m",
               "aes_england_adult_social_services_gains",
               "adult social services gains reported for the year", 202e6, "GBP",
               is_lower_bound=True),
    NoteFigure("AES-08", "government target for the year GBP 1.03bn",
               "aes_england_annual_target", "government efficiency target for the year",
               1.03e9, "GBP"),
    NoteFigure("AES-10", "of which back office GBP 1.2bn", "sr04_england_back_office_savings",
               "back-office savings over three years", 1.2e9, "GBP"),
    NoteFigure("SS-01", "at least 95% of English councils sharing",
               "lga_map_councils_sharing_pct", "English councils sharing services", 95,
               "percent", is_lower_bound=True),
    NoteFigure("SS-04", "96% of councils", "lga_map_councils_sharing_pct",
               "councils sharing services", 96, "percent"),
    NoteFigure("SS-04", "337 councils in 383 arrangements", "lga_map_councils_sharing",
               "councils engaged in shared service arrangements", 337, "councils"),
    NoteFigure("SS-04", "337 councils in 383 arrangements", "lga_map_arrangements",
               "shared service arrangements", 383, "arrangements"),
    NoteFigure("SS-05", "from over 559 partnerships", "lga_map_partnerships",
               "partnerships behind the savings", 559, "partnerships", is_lower_bound=True),
    NoteFigure("SS-06", "from 626 partnerships", "lga_map_partnerships",
               "partnerships behind the savings", 626, "partnerships"),
    NoteFigure("SS-06", "nearly GBP 200m in 2018-19 alone", "lga_map_savings_in_year",
               "savings in 2018-19", 200e6, "GBP", is_approximate=True),
    NoteFigure("SS-07", "projected savings GBP 240m a year", "lga_map_projected_annual_savings",
               "projected savings a year", 240e6, "GBP"),
    NoteFigure("SS-07", "revenues & benefits 32", "lga_map_arrangements_revenues_and_benefits",
               "operational arrangements: revenues and benefits", 32, "arrangements"),
    NoteFigure("SS-07", "legal 27", "lga_map_arrangements_legal",
               "operational arrangements: legal", 27, "arrangements"),
    NoteFigure("SS-07", "chief exec/management teams 25", "lga_map_arrangements_management",
               "operational arrangements: chief executive / management teams", 25,
               "arrangements"),
    NoteFigure("SS-07", "building control/regulatory 23",
               "lga_map_arrangements_building_control_and_regulatory",
               "operational arrangements: building control / regulatory", 23, "arrangements"),
    NoteFigure("SS-07", "procurement 21", "lga_map_arrangements_procurement",
               "operational arrangements: procurement", 21, "arrangements"),
    NoteFigure("SS-07", "district-district 92", "lga_map_arrangements_district_district",
               "operational arrangements between districts", 92, "arrangements"),
    NoteFigure("SS-07", "district-county/unitary 56",
               "lga_map_arrangements_district_county_or_unitary",
               "operational arrangements between a district and a county or unitary", 56,
               "arrangements"),
]  # fmt: skip


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")[:60]


def _metric_code(r: Record) -> str:
    """The stable code of a record's figure: listed, or from its scope, topic and measure."""
    if r.record_id in METRIC_CODES:
        return METRIC_CODES[r.record_id]
    if r.scope.casefold() in AUTHORITY_SCOPES:
        return f"council_{_slug(r.topic)}"
    return f"{_slug(r.topic)}_{_slug(r.measure)}"[:60].strip("_")


def benchmark_rows(
    records: list[Record], resolver: AuthorityResolver | None = None
) -> pd.DataFrame:
    """raw.published_benchmarks: every record, and the figures its note states."""
    rows = []
    by_id = {r.record_id: r for r in records}
    for r in records:
        multiplier, unit = normalise_unit(r.unit)
        body_id = None
        if resolver is not None and r.scope.casefold() in AUTHORITY_SCOPES and r.authority:
            body_id = resolver.resolve(
                r.authority, financial_year=period_financial_year(r.period),
                where=f"file {r.source_file!r}, row {r.source_row}",
            )  # fmt: skip
        rows.append(
            _benchmark(
                r,
                benchmark_id=r.record_id,
                metric_code=_metric_code(r),
                measure=r.measure,
                value=r.value,
                value_normalised=r.value * multiplier,
                unit=unit,
                body_id=body_id,
                approximate=is_approximate(r),
                lower_bound=False,
                quote=None,
            )
        )
    for f in BENCHMARK_NOTE_FIGURES:
        r = by_id.get(f.record_id)
        if r is None or r.source_url is None:
            continue
        _quoted(r, f.quote)
        rows.append(
            _benchmark(
                r,
                benchmark_id=f"{f.record_id}/{f.metric_code}",
                metric_code=f.metric_code,
                measure=f.measure,
                value=f.value,
                value_normalised=f.value,
                unit=f.unit,
                body_id=None,
                approximate=f.is_approximate,
                lower_bound=f.is_lower_bound,
                quote=f.quote,
            )
        )
    return benchmarks_frame(rows)


def _benchmark(r: Record, **k) -> dict:
    return {
        "benchmark_id": k["benchmark_id"],
        "record_id": r.record_id,
        "metric_code": k["metric_code"],
        "topic": r.topic,
        "scope": r.scope,
        "authority_as_published": r.authority or None,
        "body_id": k["body_id"],
        "period_as_published": r.period,
        "financial_year": period_financial_year(r.period),
        "year": period_year(r.period),
        "measure": k["measure"],
        "value": float(k["value"]),
        "unit_as_published": r.unit if k["quote"] is None else f"{k['unit']} (from the note)",
        "value_normalised": float(k["value_normalised"]),
        "unit_normalised": k["unit"],
        "is_approximate": bool(k["approximate"]),
        "is_lower_bound": bool(k["lower_bound"]),
        "is_from_note": k["quote"] is not None,
        "note_quote": k["quote"],
        "is_source_verified": r.source_url is not None,
        "source_url": r.source_url,
        "source_type": r.source_type,
        "source_note": r.note or None,
        "source_file": r.source_file,
        "source_row": r.source_row,
    }


# -- efficiency returns --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnNote:
    """A figure of a record's note that changes or adds an efficiency row.

    kind: 'cashable' (the 'of which cashable' of the record's own gain), 'ongoing' (a
    'further_ongoing' row beside a further-gains row), 'pct_of_baseline' (the percentage of the
    baseline the record's gain is), 'target' (a target; on the record's own row when the year
    is the record's, else a target row), 'target_cashable', 'gain' (another gain row: a year, a
    statement and a gain type).
    """

    record_id: str
    quote: str
    kind: str
    value: float
    financial_year: str | None = None
    statement: str | None = None
    gain_type: str | None = None
    is_cumulative: bool = True
    basis: str | None = None


RETURN_NOTE_FIGURES = [
    ReturnNote("AES-03", "1.89% of 2004-05 baseline", "pct_of_baseline", 1.89),
    ReturnNote("AES-04", "4.81% of 2004-05 baseline", "pct_of_baseline", 4.81),
    ReturnNote("AES-05", "7.63% of 2004-05 baseline", "pct_of_baseline", 7.63),
    ReturnNote("AES-08", "government target for the year GBP 1.03bn", "target", 1.03e9,
               is_cumulative=False, basis="government target for the year (annual gains)"),
    ReturnNote("AES-14", "GBP 12.4m achieved in 2004-05", "gain", 12.4e6,
               financial_year="2004-05", statement="backward look", gain_type="cumulative",
               basis="gains achieved in 2004-05, the first year counted towards SR04: "
                     "cumulative at its end"),
    ReturnNote("AES-15", "cashable 720336", "cashable", 720336),
    ReturnNote("AES-16", "cashable 4690000", "cashable", 4690000),
    ReturnNote("AES-16", "of which expected to be ongoing 4690000", "ongoing", 4690000),
    ReturnNote("AES-17", "cashable 5410336", "cashable", 5410336),
    ReturnNote("AES-18", "50% cashable = GBP 7.1m", "target_cashable", 7.1e6),
    ReturnNote("AES-19", "cumulative target at end of 2006-07 GBP 629000", "target", 629000,
               financial_year="2006-07", basis="cumulative target at the end of 2006-07"),
    ReturnNote("NI179-01", "target 2008-09 GBP 8.9m", "target", 8.9e6,
               financial_year="2008-09", basis="NI 179 target for 2008-09 (first year)"),
    ReturnNote("NI179-01", "targets 2009-10 8.9", "target", 8.9e6, financial_year="2009-10",
               is_cumulative=False, basis="annual target for 2009-10 (the year's increment)"),
    ReturnNote("NI179-01", "2010-11 10.1 (13.1 with extra 1%)", "target", 13.1e6,
               financial_year="2010-11", is_cumulative=False,
               basis="annual target for 2010-11 with the Budget 2009 extra 1% (10.1m before)"),
    ReturnNote("NI179-03", "3-year target 2008-11 revised to GBP 31m", "target", 31e6,
               financial_year="2010-11", basis="three-year target 2008-11, revised"),
    ReturnNote("NI179-03", "forecast GBP 29.1m by March 2011", "gain", 29.1e6,
               financial_year="2010-11", statement="NI 179 forecast", gain_type="cumulative",
               basis="forecast NI 179 value by March 2011"),
]  # fmt: skip

# topic -> (regime, statement, gain_type); gain_type None: decided by the measure.
TOPICS = {
    "aes backward look cumulative": (targets.SR04, "backward look", "cumulative"),
    "aes backward look": (targets.SR04, "backward look", "reported_for_year"),
    "aes backward look row": (targets.SR04, "backward look", None),
    "aes forward look": (targets.SR04, "forward look", "further"),
    "aes target": (targets.SR04, "target", None),
    "sr04 outturn": (targets.SR04, "backward look", "cumulative"),
    "ni 179 outturn": (targets.CSR07, "NI 179 outturn", "cumulative"),
    "ni 179 forecast": (targets.CSR07, "NI 179 forecast", "cumulative"),
}
COLUMN_GROUPS = (  # phrase in an AES form row's measure -> gain type
    ("ongoing gains sustained", "sustained"),
    ("further gains", "further"),
    ("expected to be ongoing", "further_ongoing"),
    ("cumulative gains", "cumulative"),
)
INTERPRETATIONS = {
    "reported_for_year": "the source reports a total for the year without saying whether gains "
    "sustained from earlier years are in it",
    "sr04 outturn": "the Audit Commission's 'total efficiency savings over three years' "
    "(2005-06 to 2007-08), taken as the cumulative gains at the end of 2007-08 reported in the "
    "backward looks; whether 2004-05 gains are included is not stated",
}
PCT_IN_MEASURE = re.compile(r"(\d+(?:\.\d+)?)%")


def _scope(r: Record) -> str | None:
    s = r.scope.casefold()
    if s in ENGLAND_SCOPES:
        return "england"
    if s in AUTHORITY_SCOPES:
        return "authority"
    return None


def _workstream(r: Record) -> tuple[str, str, str]:
    """(workstream, workstream_type, gain_type) of an 'AES backward look row' record."""
    if " - " not in r.measure:
        raise ParseError(
            f"record {r.record_id}: an AES form row's measure must read '<workstream> - <column "
            f"group>', got {r.measure!r}"
        )
    name, group = r.measure.split(" - ", 1)
    for phrase, gain_type in COLUMN_GROUPS:
        if phrase in group.casefold():
            ws_type = "cross-cutting" if name.casefold() in CROSS_CUTTING else "service area"
            return name.strip(), ws_type, gain_type
    raise ParseError(f"record {r.record_id}: no AES column group named in {r.measure!r}")


def _row(r: Record, regime: str, statement: str, fy: str, scope: str, body_id, **k) -> dict:
    return {
        "record_id": k.pop("record_id", r.record_id),
        "regime": regime,
        "statement": statement,
        "financial_year": fy,
        "scope": scope,
        "authority_as_published": r.authority or r.scope,
        "authority_code_as_published": None,
        "body_id": body_id,
        "workstream": k.pop("workstream", TOTAL_WORKSTREAM),
        "workstream_type": k.pop("workstream_type", "total"),
        "gain_type": None,
        "gain_total_gbp": None,
        "gain_cashable_gbp": None,
        "is_cumulative": False,
        "target_gbp": None,
        "target_cashable_gbp": None,
        "target_is_cumulative": None,
        "target_basis": None,
        "baseline_gbp": None,
        "baseline_basis": None,
        "baseline_priority": None,
        "quality_crosscheck": None,
        "is_approximate": is_approximate(r),
        "is_derived": False,
        "derivation": None,
        "interpretation": None,
        "source_url": r.source_url,
        "source_type": r.source_type,
        "source_note": r.note or None,
        "source_file": r.source_file,
        "source_row": r.source_row,
        **k,
    }


def _rule_baseline(row: dict) -> None:
    """A published cumulative target implies the baseline under the rule (priority 3)."""
    if row["baseline_gbp"] is not None or not row["target_is_cumulative"]:
        return
    if row["regime"] == targets.CSR07 and row["financial_year"] in targets.CSR07_EXTRA_PCT:
        return  # is the Budget 2009 extra 1% in it? not known
    baseline = targets.implied_baseline_gbp(row["regime"], row["financial_year"], row["target_gbp"])
    if baseline is None:
        return
    pct = targets.cumulative_target_pct(row["regime"], row["financial_year"])
    row["baseline_gbp"] = baseline
    row["baseline_priority"] = 3
    row["baseline_basis"] = (
        f"derived: the published cumulative target {row['target_gbp']:,.0f} divided by the "
        f"{row['regime']} rule's {pct:g}% for {row['financial_year']}"
    )


def efficiency_rows(records: list[Record], resolver: AuthorityResolver) -> pd.DataFrame:
    """raw.efficiency_returns rows from the headline records (see module doc)."""
    rows: dict[str, dict] = {}  # by record id
    extra: list[dict] = []
    notes = {}
    for f in RETURN_NOTE_FIGURES:
        notes.setdefault(f.record_id, []).append(f)

    records = [r for r in records if r.topic.casefold() in TOPICS and _scope(r)]
    pairs = _cashable_pairs(records)
    for r in records:
        if r.record_id in pairs.values():
            continue  # the 'of which cashable' of another record
        regime, statement, gain_type = TOPICS[r.topic.casefold()]
        scope = _scope(r)
        fy = period_financial_year(r.period)
        if fy is None:
            raise ParseError(
                f"record {r.record_id} (file {r.source_file!r}, row {r.source_row}): period "
                f"{r.period!r} names no financial year"
            )
        body_id = None
        if scope == "authority":
            body_id = resolver.resolve(
                r.authority, financial_year=fy,
                where=f"file {r.source_file!r}, row {r.source_row}",
            )  # fmt: skip
        multiplier, unit = normalise_unit(r.unit)
        if unit != "GBP":
            raise ParseError(f"record {r.record_id}: an efficiency figure must be in GBP")
        amount = r.value * multiplier
        k: dict = {}
        measure = r.measure.casefold()
        is_target = statement == "target" or "requirement" in measure or "target" in measure
        if r.topic.casefold() == "aes backward look row":
            k["workstream"], k["workstream_type"], gain_type = _workstream(r)
        if is_target:
            stated = PCT_IN_MEASURE.search(r.measure)
            cumulative = "cumulative" in measure or r.period.casefold().startswith("by ")
            k.update(
                target_gbp=amount,
                target_is_cumulative=cumulative,
                target_basis=r.measure,
            )
            if stated:
                pct = float(stated.group(1))
                k.update(
                    baseline_gbp=amount * 100 / pct,
                    baseline_priority=2,
                    baseline_basis=f"derived: the published target {amount:,.0f} divided by "
                    f"the {pct:g}% the source states ({r.measure})",
                )
            row = _row(r, regime, "target", fy, scope, body_id, **k)
        else:
            k.update(
                gain_type=gain_type,
                gain_total_gbp=amount,
                is_cumulative=gain_type == "cumulative",
                interpretation=INTERPRETATIONS.get(r.topic.casefold())
                or INTERPRETATIONS.get(gain_type),
            )
            if r.record_id in pairs:
                cash = next(c for c in records if c.record_id == pairs[r.record_id])
                cm, _ = normalise_unit(cash.unit)
                k.update(
                    record_id=f"{r.record_id}+{cash.record_id}",
                    gain_cashable_gbp=cash.value * cm,
                )
            row = _row(r, regime, statement, fy, scope, body_id, **k)
        rows[r.record_id] = row
        for f in notes.get(r.record_id, []):
            _quoted(r, f.quote)
            made = _apply_note(r, row, f, resolver_body=body_id, scope=scope, regime=regime)
            if made is not None:
                extra.append(made)
    out = list(rows.values()) + extra
    for row in out:
        _rule_baseline(row)
    return returns_frame(out)


def _cashable_pairs(records: list[Record]) -> dict[str, str]:
    """{total record id: its 'of which cashable' record id}: same topic, scope, authority and
    period, and a measure that says 'cashable'."""
    pairs = {}
    for c in records:
        if "cashable" not in c.measure.casefold() or c.topic.casefold() == "aes backward look row":
            continue
        for t in records:
            if (
                t is not c
                and "cashable" not in t.measure.casefold()
                and (t.topic, t.scope, t.authority, t.period)
                == (c.topic, c.scope, c.authority, c.period)
            ):
                pairs[t.record_id] = c.record_id
    return pairs


def _label(row: dict, text: str) -> None:
    row["is_derived"] = True
    row["derivation"] = f"{row['derivation']}; {text}" if row["derivation"] else text


def _apply_note(r: Record, row: dict, f: ReturnNote, *, resolver_body, scope, regime):
    quoted = f"read from the record's note: {f.quote!r}"
    if f.kind == "cashable":
        row["gain_cashable_gbp"] = f.value
        _label(row, f"of which cashable {quoted}")
        return None
    if f.kind == "pct_of_baseline":
        row["baseline_gbp"] = row["gain_total_gbp"] * 100 / f.value
        row["baseline_priority"] = 2
        row["baseline_basis"] = (
            f"derived: the published gain {row['gain_total_gbp']:,.0f} divided by the "
            f"{f.value:g}% of the baseline the source states"
        )
        return None
    if f.kind == "target_cashable":
        row["target_cashable_gbp"] = f.value
        _label(row, f"cashable target {quoted}")
        return None
    fy = f.financial_year or row["financial_year"]
    if f.kind == "target" and fy == row["financial_year"] and row["gain_type"] is not None:
        row["target_gbp"] = f.value
        row["target_is_cumulative"] = f.is_cumulative
        row["target_basis"] = f.basis
        _label(row, f"target {quoted}")
        return None
    common = dict(
        record_id=f"{r.record_id}/note",
        is_derived=True,
        derivation=quoted,
        is_approximate=False,
    )
    if f.kind == "target":
        return _row(
            r, regime, "target", fy, scope, resolver_body,
            target_gbp=f.value, target_is_cumulative=f.is_cumulative, target_basis=f.basis,
            **{**common, "record_id": f"{r.record_id}/note:target {fy}"},
        )  # fmt: skip
    if f.kind == "ongoing":
        return _row(
            r, regime, row["statement"], fy, scope, resolver_body,
            workstream=row["workstream"], workstream_type=row["workstream_type"],
            gain_type="further_ongoing", gain_total_gbp=f.value, is_cumulative=False,
            **{**common, "record_id": f"{r.record_id}/note:ongoing"},
        )  # fmt: skip
    if f.kind == "gain":
        return _row(
            r, regime, f.statement, fy, scope, resolver_body,
            gain_type=f.gain_type, gain_total_gbp=f.value,
            is_cumulative=f.gain_type == "cumulative", interpretation=f.basis,
            **{**common, "record_id": f"{r.record_id}/note:{f.statement} {fy}"},
        )  # fmt: skip
    raise SourceError(f"unknown note figure kind {f.kind!r}")


def bundled_records() -> list[Record]:
    """The bundled headline figures and the brief's two survey figures."""
    return read_records(BUNDLED_HEADLINE) + read_records(BUNDLED_BRIEF)
