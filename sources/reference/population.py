"""``raw.population``: ONS mid-year population estimates, one row per area and mid-year.

Two published layouts, one long contract (``COLUMNS``):

- the MYE workbook (e.g. 'ukmidyearestimates20192020ladcodes.xls'), sheet 'MYE 5': one row per
  area with 'Estimated Population mid-20xx' columns (beside 'people per sq. km' columns, which
  are not kept), all back-cast on the boundaries of the edition. The header row is found by
  content ('Code', 'Name', 'Geography...'); the edition is read from the Contents sheet title
  ('Mid-2019, using April 2020 local authority district codes' -> 'ONS mid-2019 (April 2020
  boundaries)');
- the ONS API "V4" CSV (``v4_N`` value column, N observation-metadata columns, then a code and a
  label column per dimension). Header spellings differ between downloads ('calendar_years,
  time,admin_geography,geography,...' or 'calendar-years,Time,administrative-geography,
  Geography,...'), so dimensions are recognised by their code column's name, in position.
  Only all-persons, all-ages rows are kept.

``geography`` is the area type as MYE 5 labels it; for the V4 CSV, which does not say, it is
derived from the GSS code prefix (``GEOGRAPHY_BY_PREFIX``, the labels MYE 5 uses).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from sources.catalogue import SAMPLES_DIR
from sources.errors import Location, ParseError, UnsupportedLayoutError, column_letter
from sources.workbook import open_workbook, read_sheet, text

POPULATION_DIR = SAMPLES_DIR / "population"
BUNDLED_MYE = POPULATION_DIR / "ukmidyearestimates20192020ladcodes.xls"
BUNDLED_API_V4 = POPULATION_DIR / "ons_api_v4_mid2018_population.csv"

MYE5_SHEET = "MYE 5"
HEADER_SEARCH_ROWS = 30
GSS_CODE = re.compile(r"^[EKNSW]\d{8}$")
POPULATION_HEADER = re.compile(r"^estimated population mid-?\s*(\d{4})$", re.IGNORECASE)
EDITION_TITLE = re.compile(
    r"mid-(\d{4}),?\s+using\s+(\w+\s+\d{4})\s+local authority district codes", re.IGNORECASE
)

# GSS prefix -> the area type as MYE 5 labels it (N09 is not in MYE 5: ONS's own label).
GEOGRAPHY_BY_PREFIX = {
    "K02": "Country",
    "K03": "Country",
    "K04": "Country",
    "E92": "Country",
    "W92": "Country",
    "S92": "Country",
    "N92": "Country",
    "E12": "Region",
    "E10": "County",
    "E11": "Metropolitan County",
    "E06": "Unitary Authority",
    "W06": "Unitary Authority",
    "E07": "Non-metropolitan District",
    "E08": "Metropolitan District",
    "E09": "London Borough",
    "S12": "Council Area",
    "N09": "Local Government District",
}

COLUMNS = [
    "gss_code",
    "area_name",
    "geography",
    "mid_year",
    "population",
    "edition",
    "source_file",
    "source_sheet",
    "source_row",
    "source_column",
]


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["mid_year"] = df["mid_year"].astype("int64")
    df["population"] = df["population"].astype("int64")
    df["source_row"] = df["source_row"].astype("int64")
    return df


def _count(cell, location: Location) -> int:
    """A population cell: a whole number (calamine gives 320530.0 or 66796807)."""
    if isinstance(cell, bool) or cell is None or text(cell) == "":
        raise ParseError("population cell is empty", location)
    if isinstance(cell, int | float):
        if float(cell).is_integer():
            return int(cell)
        raise ParseError(f"population {cell!r} is not a whole number", location)
    s = text(cell).replace(",", "")
    if re.fullmatch(r"-?\d+", s):
        return int(s)
    raise ParseError(f"population cell holds {text(cell)!r}, not a number", location)


def _mye_edition(path: Path, workbook, latest_year: int) -> str:
    for name in workbook.sheet_names:
        if name.strip().lower() != "contents":
            continue
        for row in read_sheet(workbook, path, name)[:10]:
            for cell in row:
                m = EDITION_TITLE.search(text(cell))
                if m:
                    return f"ONS mid-{m.group(1)} ({m.group(2).title()} boundaries)"
    return f"ONS mid-{latest_year}"


def parse_mye5(path: str | Path, edition: str | None = None) -> pd.DataFrame:
    """Sheet 'MYE 5' of an ONS MYE workbook -> one row per area and mid-year."""
    path = Path(path)
    workbook = open_workbook(path)
    if MYE5_SHEET not in workbook.sheet_names:
        raise UnsupportedLayoutError(
            f"{path.name}: no sheet {MYE5_SHEET!r} (sheets: {', '.join(workbook.sheet_names)})"
        )
    rows = read_sheet(workbook, path, MYE5_SHEET)
    header_row = None
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        folded = [text(c).lower() for c in row]
        if (
            "code" in folded
            and "name" in folded
            and any(POPULATION_HEADER.match(c) for c in folded)
        ):
            header_row = r
            break
    if header_row is None:
        raise UnsupportedLayoutError(
            f"{path.name}, sheet {MYE5_SHEET!r}: no header row with 'Code', 'Name' and "
            f"'Estimated Population mid-YYYY' in the first {HEADER_SEARCH_ROWS} rows"
        )
    header = [text(c) for c in rows[header_row]]
    folded = [h.lower() for h in header]
    c_code, c_name = folded.index("code"), folded.index("name")
    c_geo = next((i for i, h in enumerate(folded) if h.startswith("geography")), None)
    years = [
        (i, int(m.group(1))) for i, h in enumerate(header) if (m := POPULATION_HEADER.match(h))
    ]
    edition = edition or _mye_edition(path, workbook, max(y for _, y in years))

    out = []
    for r in range(header_row + 1, len(rows)):
        row = rows[r]
        code = text(row[c_code]) if c_code < len(row) else ""
        if not GSS_CODE.match(code):
            continue  # blank rows and the notes below the table
        name = text(row[c_name])
        geography = text(row[c_geo]) if c_geo is not None else None
        for c, year in years:
            loc = Location(path.name, MYE5_SHEET, r + 1, column_letter(c))
            out.append(
                {
                    "gss_code": code,
                    "area_name": name,
                    "geography": geography or None,
                    "mid_year": year,
                    "population": _count(row[c] if c < len(row) else None, loc),
                    "edition": edition,
                    "source_file": path.name,
                    "source_sheet": MYE5_SHEET,
                    "source_row": r + 1,
                    "source_column": column_letter(c),
                }
            )
    if not out:
        raise ParseError(
            "the header row was found but no area rows (GSS codes) follow it",
            Location(path.name, MYE5_SHEET, header_row + 1),
        )
    return _frame(out)


def _dimension(code_column: str) -> str | None:
    """The dimension a V4 code column holds: 'mid_year_pop_sex' is sex, not a year."""
    name = code_column.strip().lower().replace("-", "_").replace(" ", "_")
    if "geography" in name:
        return "geography"
    if re.search(r"(?:^|_)sex$", name):
        return "sex"
    if re.search(r"(?:^|_)age$", name):
        return "age"
    if "year" in name or name == "time":
        return "time"
    return None


def parse_ons_api_v4(path: str | Path, edition: str | None = None) -> pd.DataFrame:
    """An ONS API V4 CSV of mid-year estimates -> all-persons, all-ages rows per area."""
    path = Path(path)
    if not path.exists():
        raise ParseError("file does not exist", Location(str(path)))
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise UnsupportedLayoutError(f"{path.name}: the file is empty") from None
        body = [(n, row) for n, row in enumerate(reader, start=2) if any(c.strip() for c in row)]
    m = re.fullmatch(r"v4_(\d+)", header[0].lower()) if header else None
    if not m:
        raise UnsupportedLayoutError(
            f"{path.name}: first column is {header[0] if header else ''!r}, not 'v4_N' "
            "(not an ONS API V4 CSV)"
        )
    first_dim = 1 + int(m.group(1))
    dims: dict[str, tuple[int, int]] = {}
    for c in range(first_dim, len(header) - 1, 2):
        kind = _dimension(header[c])
        if kind is None or kind in dims:
            raise UnsupportedLayoutError(
                f"{path.name}: column {column_letter(c)} {header[c]!r} is not a dimension this "
                "parser knows (time, geography, sex, age), or repeats one"
            )
        dims[kind] = (c, c + 1)  # (code column, label column)
    missing = [d for d in ("time", "geography") if d not in dims]
    if missing:
        raise UnsupportedLayoutError(
            f"{path.name}: no {' or '.join(missing)} dimension among columns "
            f"{', '.join(header[first_dim:])}"
        )

    def cell(row, c):
        return row[c].strip() if c < len(row) else ""

    def is_total(row, kind, totals):
        if kind not in dims:
            return True
        code, label = (cell(row, c).lower() for c in dims[kind])
        return code in totals or label in totals

    out = []
    years: set[int] = set()
    for n, row in body:
        if not is_total(row, "sex", {"0", "all", "persons", "all persons"}):
            continue
        if not is_total(row, "age", {"total", "all ages", "all"}):
            continue
        loc_time = Location(path.name, row=n, column=column_letter(dims["time"][0]))
        year_text = cell(row, dims["time"][0]) or cell(row, dims["time"][1])
        if not re.fullmatch(r"\d{4}", year_text):
            raise ParseError(f"time {year_text!r} is not a year", loc_time)
        code = cell(row, dims["geography"][0])
        loc = Location(path.name, row=n, column="A")
        out.append(
            {
                "gss_code": code,
                "area_name": cell(row, dims["geography"][1]),
                "geography": GEOGRAPHY_BY_PREFIX.get(code[:3]),
                "mid_year": int(year_text),
                "population": _count(cell(row, 0), loc),
                "edition": None,
                "source_file": path.name,
                "source_sheet": None,
                "source_row": n,
                "source_column": "A",
            }
        )
        years.add(int(year_text))
    if not out:
        raise ParseError("no all-persons, all-ages rows", Location(path.name))
    frame = _frame(out)
    frame["edition"] = edition or f"ONS mid-{max(years)} (API V4 CSV)"
    return frame
