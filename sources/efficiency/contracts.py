"""The canonical CSV contracts for councils' efficiency returns, and their loaders.

No council-level table of Annual Efficiency Statements or NI 179 returns survives in any copy
available to this project (only the headline figures in ``published_headline_figures.csv``, read
by ``sources.efficiency.headline``). A user who has the returns - from the DCLG spreadsheets once
at communities.gov.uk/localgovernment/efficiencybetter/deliveringefficiency, from councils'
cabinet papers, or from an FOI answer - writes them in one of the two layouts below (one file per
layout; UTF-8; a header row with exactly these column names, in any order) and either drops the
file into ``<LGF_DATA_DIR>/drop/efficiency/`` or lists it in a catalogue (``LGF_CATALOGUE``) with
dataset ``efficiency`` and form ``aes_returns`` or ``ni179_returns`` and its address in ``url``.
Nothing is invented: a blank cell is "not published", never zero.

Amounts are **£ (pounds), cash**, as the statements were published (not £ thousand);
'1,234,567' and '£1,234,567' are read. Authorities are resolved to legal bodies through the
register (``sources.reference.resolve``): give the name as published, and optionally a code
(GSS code, E-code or register body_id) that wins over the name; 'England' (or code 'E92000001')
marks a national total.

AES returns (SR04 Annual Efficiency Statements; form ``aes_returns``), one row per authority x
statement x financial year x workstream, in the published form's column groups:
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sources.csv_table import CsvTable, read_header
from sources.efficiency.schema import (
    ENGLAND,
    TOTAL_WORKSTREAM,
    returns_frame,
)
from sources.efficiency.targets import CSR07, SR04
from sources.errors import SourceError, UnsupportedLayoutError
from sources.reference.resolve import AuthorityResolver

ENGLAND_CODE = "E92000001"

AES_CONTRACT: dict[str, str] = {
    "authority": "Council name as published (alternative names, 'DC'/'BC'/'CC' forms accepted); "
    "'England' for a national total. May be blank when authority_code is given.",
    "authority_code": "Optional. GSS code, E-code or register body_id; wins over the name.",
    "financial_year": "The year the statement covers, 'YYYY-YY' (2004-05 to 2007-08).",
    "statement": "'forward look' (April: gains planned for the year), 'mid-year update' "
    "(November), 'backward look' (June after the year: gains achieved).",
    "workstream": "Service area or cross-cutting workstream as published: 'Corporate "
    "services', 'Procurement', 'Productive time', 'Transactional services' (cross-cutting), "
    "'Adult social services', 'Children's services', 'Culture and sport', 'Environmental "
    "services', 'Local transport', 'Social housing', 'Supporting People', ... ; 'Total' for "
    "the statement's total row.",
    "sustained_total_gbp": "Ongoing gains sustained from earlier years: total, £.",
    "sustained_cashable_gbp": "Ongoing gains sustained from earlier years: of which cashable, £.",
    "further_total_gbp": "Further gains achieved in the year (planned, in a forward look): "
    "total, £.",
    "further_cashable_gbp": "Further gains in the year: of which cashable, £.",
    "further_ongoing_total_gbp": "Of the further gains, those expected to be ongoing: total, £.",
    "further_ongoing_cashable_gbp": "Of the further gains expected to be ongoing: of which "
    "cashable, £.",
    "cumulative_total_gbp": "Cumulative gains at the end of the year: total, £.",
    "cumulative_cashable_gbp": "Cumulative gains at the end of the year: of which cashable, £.",
    "quality_crosscheck": "Optional. The quality cross-check block as published (e.g. 'met', "
    "'not met', or its text): gains from cutting services do not count.",
    "baseline_gbp": "Optional. The 2004-05 baseline expenditure the statement uses, £.",
    "target_gbp": "Optional. The cumulative target for the end of the year, £.",
    "source_url": "Address of the published statement (http or https).",
    "note": "Optional free text (kept as source_note).",
}
AES_REQUIRED = ["authority", "financial_year", "statement", "workstream", "source_url"]
AES_GROUPS = {  # gain_type -> (total column, cashable column)
    "sustained": ("sustained_total_gbp", "sustained_cashable_gbp"),
    "further": ("further_total_gbp", "further_cashable_gbp"),
    "further_ongoing": ("further_ongoing_total_gbp", "further_ongoing_cashable_gbp"),
    "cumulative": ("cumulative_total_gbp", "cumulative_cashable_gbp"),
}
AES_STATEMENTS = {
    "forward look": "forward look",
    "mid-year update": "mid-year update",
    "mid-year": "mid-year update",
    "backward look": "backward look",
}
SR04_FINANCIAL_YEARS = ("2004-05", "2005-06", "2006-07", "2007-08")

NI179_CONTRACT: dict[str, str] = {
    "authority": "Council name as published; 'England' for a national total. May be blank "
    "when authority_code is given.",
    "authority_code": "Optional. GSS code, E-code or register body_id; wins over the name.",
    "financial_year": "The year reported, 'YYYY-YY' (2008-09 to 2010-11).",
    "statement": "'forecast' (October) or 'outturn' (July after the year); 'NI 179 forecast' "
    "and 'NI 179 outturn' are read too.",
    "ni179_gain_gbp": "The NI 179 value: total net value of ongoing cash-releasing value-for-"
    "money gains that have impacted since the start of 2008-09, £ (cumulative since "
    "1 April 2008, net of costs, cash-releasing only).",
    "target_gbp": "Optional. The authority's cumulative target for the end of the year, £.",
    "baseline_gbp": "Optional. The 2007-08 baseline the target is a percentage of, £.",
    "source_url": "Address of the published return or the paper reporting it (http or https).",
    "note": "Optional free text (kept as source_note).",
}
NI179_REQUIRED = ["authority", "financial_year", "statement", "ni179_gain_gbp", "source_url"]
NI179_STATEMENTS = {
    "forecast": "NI 179 forecast",
    "ni 179 forecast": "NI 179 forecast",
    "outturn": "NI 179 outturn",
    "ni 179 outturn": "NI 179 outturn",
}
CSR07_FINANCIAL_YEARS = ("2008-09", "2009-10", "2010-11")

CROSS_CUTTING = ("corporate services", "procurement", "productive time", "transactional services")

__doc__ += "".join(f"\n- ``{c}``: {m}" for c, m in AES_CONTRACT.items())
__doc__ += (
    "\n\nThe loader writes one raw.efficiency_returns row per non-blank column group (the "
    "'of which cashable' cell beside its total).\n\nNI 179 returns (CSR07 National Indicator 179, "
    "value for money; form ``ni179_returns``), one row per authority x financial year x "
    "statement:\n"
)
__doc__ += "".join(f"\n- ``{c}``: {m}" for c, m in NI179_CONTRACT.items())


def _contract_columns(contract: dict[str, str]) -> list[str]:
    return list(contract)


def detect_form(path: Path) -> str:
    """'aes_returns', 'ni179_returns' or 'headline_figures', from the header row."""
    header = set(read_header(path))
    if {"ni179_gain_gbp"} <= header:
        return "ni179_returns"
    if {"workstream", "statement"} <= header:
        return "aes_returns"
    if {"record_id", "topic", "measure", "value", "unit", "source_url"} <= header:
        return "headline_figures"
    raise UnsupportedLayoutError(
        f"{Path(path).name}: not an efficiency layout this project reads (the AES returns "
        "contract, the NI 179 returns contract or the headline-figures layout); header: "
        + ", ".join(sorted(header))
    )


def _authority(
    table: CsvTable,
    rec: dict,
    n: int,
    resolver: AuthorityResolver,
    financial_year: str,
) -> tuple[str, str | None]:
    """(scope, body_id) of a row."""
    name, code = rec.get("authority", ""), rec.get("authority_code", "")
    if name.casefold() == ENGLAND.casefold() or code == ENGLAND_CODE:
        return "england", None
    return "authority", resolver.resolve(
        name, code, financial_year=financial_year, where=table.where(n)
    )


def _source_url(table: CsvTable, rec: dict, n: int) -> str:
    url = rec.get("source_url", "")
    if not url.startswith(("http://", "https://")):
        raise table.error(f"{url!r} is not an http(s) address", n, "source_url")
    return url


def _base_row(table: CsvTable, rec: dict, n: int) -> dict:
    return {
        "record_id": f"{table.name}:{n}",
        "authority_as_published": rec.get("authority") or rec.get("authority_code"),
        "authority_code_as_published": rec.get("authority_code") or None,
        "target_cashable_gbp": None,
        "quality_crosscheck": None,
        "is_approximate": False,
        "is_derived": False,
        "derivation": None,
        "interpretation": None,
        "source_url": _source_url(table, rec, n),
        "source_type": None,
        "source_note": rec.get("note") or None,
        "source_file": table.name,
        "source_row": n,
    }


def _baseline(table: CsvTable, rec: dict, n: int) -> dict:
    baseline = table.money(rec, n, "baseline_gbp")
    if baseline is not None and baseline <= 0:
        raise table.error("a baseline must be positive", n, "baseline_gbp")
    return {
        "baseline_gbp": baseline,
        "baseline_basis": "published with the return" if baseline is not None else None,
        "baseline_priority": 1 if baseline is not None else None,
    }


def load_aes_returns(path: Path, resolver: AuthorityResolver) -> pd.DataFrame:
    """Rows of raw.efficiency_returns from a file in the AES returns contract (see module doc)."""
    table = CsvTable(
        Path(path),
        AES_REQUIRED,
        [c for c in AES_CONTRACT if c not in AES_REQUIRED],
        layout="AES returns contract",
    )
    rows: list[dict] = []
    for n, rec in table.records():
        fy = table.financial_year(rec, n, "financial_year")
        if fy not in SR04_FINANCIAL_YEARS:
            raise table.error(
                f"{fy} is not a year of the SR04 statements ({', '.join(SR04_FINANCIAL_YEARS)})",
                n,
                "financial_year",
            )
        statement = table.choice(rec, n, "statement", AES_STATEMENTS)
        scope, body_id = _authority(table, rec, n, resolver, fy)
        workstream = rec["workstream"]
        is_total = workstream.casefold() in ("total", "all", TOTAL_WORKSTREAM.casefold())
        ws_type = (
            "total"
            if is_total
            else "cross-cutting"
            if workstream.casefold() in CROSS_CUTTING
            else "service area"
        )
        base = {
            **_base_row(table, rec, n),
            "regime": SR04,
            "statement": statement,
            "financial_year": fy,
            "scope": scope,
            "body_id": body_id,
            "workstream": TOTAL_WORKSTREAM if is_total else workstream,
            "workstream_type": ws_type,
            "quality_crosscheck": rec.get("quality_crosscheck") or None,
            **_baseline(table, rec, n),
        }
        target = table.money(rec, n, "target_gbp")
        emitted = 0
        for gain_type, (total_col, cash_col) in AES_GROUPS.items():
            total = table.money(rec, n, total_col)
            cashable = table.money(rec, n, cash_col)
            if total is None and cashable is None:
                continue
            if total is None:
                raise table.error("an 'of which cashable' amount needs its total", n, total_col)
            rows.append(
                {
                    **base,
                    "gain_type": gain_type,
                    "gain_total_gbp": total,
                    "gain_cashable_gbp": cashable,
                    "is_cumulative": gain_type == "cumulative",
                    "target_gbp": target if gain_type == "cumulative" else None,
                    "target_is_cumulative": True
                    if (target is not None and gain_type == "cumulative")
                    else None,
                    "target_basis": "published with the return"
                    if (target is not None and gain_type == "cumulative")
                    else None,
                }
            )
            emitted += 1
        has_cumulative = any(table.money(rec, n, c) is not None for c in AES_GROUPS["cumulative"])
        if target is not None and not has_cumulative:
            rows.append(
                {
                    **base,
                    "statement": "target",
                    "gain_type": None,
                    "gain_total_gbp": None,
                    "gain_cashable_gbp": None,
                    "is_cumulative": False,
                    "target_gbp": target,
                    "target_is_cumulative": True,
                    "target_basis": f"published with the {statement}",
                }
            )
            emitted += 1
        if not emitted:
            raise table.error(
                "the row has no gain in any column group and no target", n, "workstream"
            )
    return returns_frame(rows)


def load_ni179_returns(path: Path, resolver: AuthorityResolver) -> pd.DataFrame:
    """Rows of raw.efficiency_returns from a file in the NI 179 returns contract."""
    table = CsvTable(
        Path(path),
        NI179_REQUIRED,
        [c for c in NI179_CONTRACT if c not in NI179_REQUIRED],
        layout="NI 179 returns contract",
    )
    rows: list[dict] = []
    for n, rec in table.records():
        fy = table.financial_year(rec, n, "financial_year")
        if fy not in CSR07_FINANCIAL_YEARS:
            raise table.error(
                f"{fy} is not a year of NI 179 ({', '.join(CSR07_FINANCIAL_YEARS)})",
                n,
                "financial_year",
            )
        statement = table.choice(rec, n, "statement", NI179_STATEMENTS)
        scope, body_id = _authority(table, rec, n, resolver, fy)
        gain = table.money(rec, n, "ni179_gain_gbp")
        if gain is None:
            raise table.error("the NI 179 value is blank", n, "ni179_gain_gbp")
        target = table.money(rec, n, "target_gbp")
        rows.append(
            {
                **_base_row(table, rec, n),
                **_baseline(table, rec, n),
                "regime": CSR07,
                "statement": statement,
                "financial_year": fy,
                "scope": scope,
                "body_id": body_id,
                "workstream": TOTAL_WORKSTREAM,
                "workstream_type": "total",
                "gain_type": "cumulative",
                "gain_total_gbp": gain,
                "gain_cashable_gbp": None,
                "is_cumulative": True,
                "target_gbp": target,
                "target_is_cumulative": True if target is not None else None,
                "target_basis": "published with the return" if target is not None else None,
            }
        )
    return returns_frame(rows)


LOADERS: dict[str, Callable[[Path, AuthorityResolver], pd.DataFrame]] = {
    "aes_returns": load_aes_returns,
    "ni179_returns": load_ni179_returns,
}


def load_returns(path: Path, form: str, resolver: AuthorityResolver) -> pd.DataFrame:
    """A file of either contract, by its catalogue form."""
    if form not in LOADERS:
        raise SourceError(f"{Path(path).name}: no efficiency returns loader for form {form!r}")
    return LOADERS[form](Path(path), resolver)
