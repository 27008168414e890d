"""``raw.gdp_deflator``: the GDP deflator by calendar year, quarter and financial year.

Layouts:

- the ONS time-series CSV (series YBGB, 'Gross domestic product at market prices: Implied
  deflator: SA'): metadata rows ('Title', 'CDID', 'Source dataset ID', 'PreUnit', 'Unit',
  'Release date', 'Next release', 'Important notes') then annual rows ('1948') and quarterly
  rows ('1955 Q1') in one two-column file. The edition is 'ONS <CDID>, release <date>'. The
  file does not state the base year: it is the calendar year whose published index is exactly
  100 (passing ``base`` overrides; no such year and no ``base`` is an error);
- HM Treasury calendar-year tables, in two layouts seen in copies of the GDP deflator release:
  'year,value' and 'Calendar year,GDP deflator at market prices,per cent change on previous
  year'. Rows whose index is 'NA' (forecast years that carry only a growth rate) are skipped,
  never read as zero. These files do not name their edition: pass ``edition``; the bundled
  copies are recognised by checksum (``KNOWN_HMT_EDITIONS``).

Financial years (April to March) are *derived*, never published here: ``derive_financial_years``
takes the mean of Q2, Q3 and Q4 of year Y and Q1 of Y+1 for 'Y-(Y+1)', only where all four
quarters are published, unrounded, with ``is_derived`` True and the quarters named in
``derivation``. HM Treasury's own financial-year table is not among the bundled files.

``period`` is '2019' (calendar_year), '2019 Q2' (quarter) or '2019-20' (financial_year).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from sources.catalogue import SAMPLES_DIR
from sources.errors import Location, ParseError, UnsupportedLayoutError, column_letter
from sources.workbook import sha256_file

DEFLATORS_DIR = SAMPLES_DIR / "deflators"
BUNDLED_YBGB = DEFLATORS_DIR / "ons_ybgb_gdp_deflator_2022eq100.csv"
BUNDLED_HMT_2024 = DEFLATORS_DIR / "hmt_gdp_deflator_calendar_2024eq100.csv"
BUNDLED_HMT_2015 = DEFLATORS_DIR / "hmt_gdp_deflator_calendar_2015eq100.csv"

# The bundled HM Treasury copies (sha256 -> edition); sources/samples/deflators/README.md says
# where each came from. The 2015=100 edition is the one its copy's package documentation cites.
KNOWN_HMT_EDITIONS = {
    "6227d2c2b782741d77948c38491028a84cb490fc99df5afab6da1bdf1433b73c": (
        "HM Treasury GDP deflator, December 2025 update (calendar year)"
    ),
    "978dbebc651214e9eefcd3ca08d326631bace4c2500ab2ec5ea51a24a2cee5be": (
        "HM Treasury GDP deflator, September 2016 update (calendar year)"
    ),
}

PERIOD_TYPES = ("calendar_year", "quarter", "financial_year")
ANNUAL = re.compile(r"^(\d{4})$")
QUARTER = re.compile(r"^(\d{4}) Q([1-4])$")
MISSING = {"", "na", "n/a", "..", "x", "[x]", ":"}

COLUMNS = [
    "period_type",
    "period",
    "index_value",
    "base",
    "edition",
    "is_derived",
    "derivation",
    "source_file",
    "source_row",
]


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["index_value"] = df["index_value"].astype("float64")
    df["is_derived"] = df["is_derived"].astype("bool")
    df["source_row"] = df["source_row"].astype("Int64")
    return df


def _number(value: str, location: Location) -> float | None:
    s = value.strip()
    if s.lower() in MISSING:
        return None
    try:
        return float(s.replace(",", ""))
    except ValueError:
        raise ParseError(f"index value {value!r} is not a number", location) from None


def _read_rows(path: Path) -> list[tuple[int, list[str]]]:
    if not path.exists():
        raise ParseError("file does not exist", Location(str(path)))
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return [
            (n, [c.strip() for c in row])
            for n, row in enumerate(csv.reader(fh), start=1)
            if any(c.strip() for c in row)
        ]


def _base_from_rows(rows: list[dict], path: Path) -> str:
    hundreds = [
        r["period"]
        for r in rows
        if r["period_type"] == "calendar_year" and r["index_value"] == 100.0
    ]
    if len(hundreds) != 1:
        raise ParseError(
            "cannot tell the base year: "
            + ("no calendar year" if not hundreds else f"{len(hundreds)} calendar years")
            + " with an index of exactly 100; pass base='YYYY=100'",
            Location(path.name),
        )
    return f"{hundreds[0]}=100"


def parse_ons_timeseries_csv(
    path: str | Path, base: str | None = None, *, derive: bool = True
) -> pd.DataFrame:
    """An ONS time-series CSV (YBGB) -> calendar-year and quarterly rows, plus derived
    financial years (``derive=False`` leaves them out)."""
    path = Path(path)
    meta: dict[str, str] = {}
    rows: list[dict] = []
    for n, cells in _read_rows(path):
        label = cells[0]
        value = cells[1] if len(cells) > 1 else ""
        loc = Location(path.name, row=n, column="B")
        if m := ANNUAL.match(label):
            period_type, period = "calendar_year", m.group(1)
        elif m := QUARTER.match(label):
            period_type, period = "quarter", f"{m.group(1)} Q{m.group(2)}"
        elif not rows:
            meta[label.lower()] = value
            continue
        else:
            raise ParseError(
                f"row label {label!r} is neither a year ('1948') nor a quarter ('1955 Q1')",
                Location(path.name, row=n, column="A"),
            )
        number = _number(value, loc)
        if number is None:
            continue
        rows.append(
            {
                "period_type": period_type,
                "period": period,
                "index_value": number,
                "is_derived": False,
                "derivation": None,
                "source_file": path.name,
                "source_row": n,
            }
        )
    if "cdid" not in meta or "release date" not in meta:
        raise UnsupportedLayoutError(
            f"{path.name}: no 'CDID' and 'Release date' metadata rows above the data; "
            "not an ONS time-series CSV"
        )
    if not rows:
        raise ParseError("no annual or quarterly rows", Location(path.name))
    base = base or _base_from_rows(rows, path)
    edition = f"ONS {meta['cdid']}, release {meta['release date']}"
    for r in rows:
        r["base"], r["edition"] = base, edition
    frame = _frame(rows)
    return derive_financial_years(frame) if derive else frame


def derive_financial_years(frame: pd.DataFrame) -> pd.DataFrame:
    """Append financial years 'Y-(Y+1)' = mean of Y Q2..Q4 and (Y+1) Q1, per edition, where all
    four quarters exist; existing financial-year rows are kept, not recomputed."""
    quarters = frame[(frame["period_type"] == "quarter") & ~frame["is_derived"]]
    derived = []
    for (edition, base), group in quarters.groupby(["edition", "base"], sort=False):
        by_period = dict(zip(group["period"], group.itertuples(index=False), strict=True))
        years = sorted({int(p[:4]) for p in by_period})
        for y in years:
            wanted = [f"{y} Q2", f"{y} Q3", f"{y} Q4", f"{y + 1} Q1"]
            if not all(q in by_period for q in wanted):
                continue
            parts = [by_period[q] for q in wanted]
            mean = sum(p.index_value for p in parts) / 4
            period = f"{y}-{(y + 1) % 100:02d}"
            existing = frame[
                (frame["edition"] == edition)
                & (frame["period_type"] == "financial_year")
                & (frame["period"] == period)
            ]
            if len(existing):
                continue
            rows_text = ", ".join(
                f"{q} (row {p.source_row})" for q, p in zip(wanted, parts, strict=True)
            )
            derived.append(
                {
                    "period_type": "financial_year",
                    "period": period,
                    "index_value": mean,
                    "base": base,
                    "edition": edition,
                    "is_derived": True,
                    "derivation": f"derived: mean of {rows_text} of {parts[0].source_file}",
                    "source_file": parts[0].source_file,
                    "source_row": pd.NA,
                }
            )
    if not derived:
        return frame.reset_index(drop=True)
    return pd.concat([frame, _frame(derived)], ignore_index=True)


def _hmt_columns(header: list[str], path: Path) -> tuple[int, int]:
    folded = [h.lower() for h in header]
    year = next((i for i, h in enumerate(folded) if h in ("year", "calendar year")), None)
    value = next(
        (i for i, h in enumerate(folded) if h == "value" or h.startswith("gdp deflator")), None
    )
    if year is None or value is None:
        raise UnsupportedLayoutError(
            f"{path.name}: header {', '.join(header)} has no year column ('year', 'Calendar "
            "year') and index column ('value', 'GDP deflator at market prices')"
        )
    return year, value


def parse_hmt_calendar_csv(
    path: str | Path, edition: str | None = None, base: str | None = None
) -> pd.DataFrame:
    """An HM Treasury calendar-year GDP deflator CSV -> calendar-year rows (NA rows skipped)."""
    path = Path(path)
    rows_in = _read_rows(path)
    if not rows_in:
        raise UnsupportedLayoutError(f"{path.name}: the file is empty")
    (_, header), data = rows_in[0], rows_in[1:]
    c_year, c_value = _hmt_columns(header, path)
    rows = []
    for n, cells in data:
        year = cells[c_year] if c_year < len(cells) else ""
        if not ANNUAL.match(year):
            raise ParseError(
                f"year {year!r} is not a calendar year",
                Location(path.name, row=n, column=column_letter(c_year)),
            )
        loc = Location(path.name, row=n, column=column_letter(c_value))
        number = _number(cells[c_value] if c_value < len(cells) else "", loc)
        if number is None:
            continue  # a forecast year with a growth rate but no index
        rows.append(
            {
                "period_type": "calendar_year",
                "period": year,
                "index_value": number,
                "is_derived": False,
                "derivation": None,
                "source_file": path.name,
                "source_row": n,
            }
        )
    if not rows:
        raise ParseError("no calendar-year rows with an index value", Location(path.name))
    base = base or _base_from_rows(rows, path)
    if edition is None:
        edition = KNOWN_HMT_EDITIONS.get(sha256_file(path)) or (
            f"HM Treasury GDP deflator, calendar year ({path.name}; edition not stated in file)"
        )
    for r in rows:
        r["base"], r["edition"] = base, edition
    return _frame(rows)
