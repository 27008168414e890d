"""The RS parser (sources.revenue_outturn.rs.parse_workbook) on every bundled real RS workbook.

For each edition in the bundled catalogue: the financial year, one cell per authority and line,
the authority count (dbt seed expected_authority_counts.csv), one England row per line, no
England row among the authorities, and the frame passing its pandera schema. Then the England
row against the sum of the authority rows (the publisher's imputation for councils that did not
submit, and the breaks listed in the seed known_reconciliation_breaks.csv); cells located by hand
with python_calamine (not through the parser) in workbooks of every era; the two 2017-18 editions
told apart; line numbers; and the parser's own release detection.

Each workbook is parsed once per session (lru_cache); tests only read the cached frames.
"""

from __future__ import annotations

import csv
import functools
import hashlib
from pathlib import Path

import pandas as pd
import pytest
import python_calamine

from sources.catalogue import BUNDLED_CATALOGUE, Release, load_catalogue
from sources.revenue_outturn.la_data import ParsedWorkbook
from sources.revenue_outturn.schema import (
    validate_revenue_outturn,
    validate_revenue_outturn_totals,
)
from tests.unit.parsed_workbooks import parsed_workbook

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "dbt" / "seeds"
SAMPLES = BUNDLED_CATALOGUE.parent
CATALOGUE = [r for r in load_catalogue() if r.form == "RS"]
EDITIONS = {(r.financial_year, r.release): r for r in CATALOGUE}

LINE = ["line_label", "line_occurrence"]
NO_RETURN = {"…", "[x]"}  # a council that did not submit its return
TOLERANCE = 1.5  # GBP thousand: rounding in the published England row
TSE = "TOTAL SERVICE EXPENDITURE (total of lines 190 to 698)"

# Lines whose England row exceeds (or falls short of) the authority sum because the publisher
# imputed figures for councils that did not submit; counts observed in the bundled files.
IMPUTATION_GAP_LINES = {
    ("2016-17", "final"): 59,  # Isles of Scilly, Dorset PCC: '…' on all 94 lines
    ("2017-18", "final"): 21,  # Copeland: '…' on all 95 lines
    ("2022-23", "final"): 134,  # '[x]': Birmingham, Woking, High Peak, ... (13 authorities)
    ("2023-24", "final"): 133,  # '[x]': Birmingham, Cambridge, ... (22 authorities)
}


def edition_id(release: Release) -> str:
    return f"{release.financial_year}-{release.release}"


@functools.lru_cache(maxsize=32)
def parsed(file_name: str, release: str | None) -> ParsedWorkbook:
    """parse_workbook on a bundled file, once per session; release=None lets the parser detect
    it."""
    return parsed_workbook(SAMPLES / file_name, release)


def edition(year: str, release: str) -> ParsedWorkbook:
    row = EDITIONS[(year, release)]
    return parsed(row.file_name, row.release)


def read_seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


EXPECTED_AUTHORITIES = {
    (r["financial_year"], r["release"]): int(r["authorities"])
    for r in read_seed("expected_authority_counts.csv")
    if r["form"] == "RS"
}
KNOWN_BREAKS: dict[tuple[str, str], dict[tuple[str, int], float]] = {}
for _b in read_seed("known_reconciliation_breaks.csv"):
    KNOWN_BREAKS.setdefault((_b["financial_year"], _b["release"]), {})[
        (_b["line_label"], int(_b["line_occurrence"]))
    ] = float(_b["difference_gbp_thousands"])


def england(p: ParsedWorkbook) -> pd.DataFrame:
    return p.totals[p.totals["total_scope"] == "england"]


@functools.lru_cache(maxsize=32)
def reconciliation(year: str, release: str) -> pd.DataFrame:
    """Per line: authority sum, number of no-return authorities, England value, difference."""
    p = edition(year, release)
    per_line = p.values.groupby(LINE, sort=False).agg(
        authority_sum=("value_gbp_thousands", "sum"),
        no_return=("value_marker", lambda m: int(m.isin(NO_RETURN).sum())),
    )
    eng = england(p).set_index(LINE)["value_gbp_thousands"].rename("england")
    out = per_line.join(eng, how="outer")
    out["difference"] = out["england"] - out["authority_sum"]
    return out


def off_lines(rec: pd.DataFrame) -> pd.DataFrame:
    """Lines where the England row does not equal the authority sum (or is not a number)."""
    return rec[rec["difference"].isna() | (rec["difference"].abs() > TOLERANCE)]


def gap_lines(year: str, release: str) -> set[tuple[str, int]]:
    off = off_lines(reconciliation(year, release))
    return set(off.index[off["no_return"] > 0])


# --- every edition -------------------------------------------------------------------------


def test_catalogue_and_seed_cover_the_same_editions():
    assert len(CATALOGUE) == 16
    assert set(EDITIONS) == set(EXPECTED_AUTHORITIES)


@pytest.mark.parametrize("row", CATALOGUE, ids=edition_id)
def test_financial_year_release_and_provenance(row):
    p = parsed(row.file_name, row.release)
    assert p.financial_year == row.financial_year
    assert p.release == row.release
    v = p.values
    assert set(v["financial_year"]) == {row.financial_year}
    assert set(v["release"]) == {row.release}
    assert set(v["form"]) == {"RS"}
    assert set(v["source_file"]) == {row.file_name}
    assert set(v["source_sheet"]) == {p.sheet}
    assert set(v["source_sha256"]) == {hashlib.sha256(row.path.read_bytes()).hexdigest()}
    assert (v["source_row"] > p.header_row).all()


@pytest.mark.parametrize("row", CATALOGUE, ids=edition_id)
def test_one_cell_per_authority_and_line(row):
    v = parsed(row.file_name, row.release).values
    dupes = v[v.duplicated(["ecode", *LINE], keep=False)]
    assert dupes.empty, dupes[["ecode", *LINE, "source_row", "source_column"]].head()
    n_lines = len(v[LINE].drop_duplicates())
    cells_per_ecode = v.groupby("ecode").size()
    assert set(cells_per_ecode) == {n_lines}
    # each authority sits on one spreadsheet row
    assert (v.groupby("ecode")["source_row"].nunique() == 1).all()


@pytest.mark.parametrize("row", CATALOGUE, ids=edition_id)
def test_authority_count_matches_seed(row):
    p = parsed(row.file_name, row.release)
    assert p.authority_count == EXPECTED_AUTHORITIES[(row.financial_year, row.release)]
    assert p.values["ecode"].str.fullmatch(r"E\d{4}").all()


@pytest.mark.parametrize("row", CATALOGUE, ids=edition_id)
def test_one_england_row_per_line_and_none_among_authorities(row):
    p = parsed(row.file_name, row.release)
    eng = england(p)
    assert set(eng["total_label"]) == {"ENGLAND"}
    assert eng["source_row"].nunique() == 1
    assert (eng.groupby(LINE).size() == 1).all()
    value_lines = set(map(tuple, p.values[LINE].drop_duplicates().to_numpy()))
    assert set(map(tuple, eng[LINE].to_numpy())) == value_lines
    v = p.values
    assert not v["ecode"].str.lower().isin(["eng", "e92000001"]).any()
    assert not (v["authority_name"].str.strip().str.upper() == "ENGLAND").any()
    assert eng["source_row"].iloc[0] not in set(v["source_row"])


@pytest.mark.parametrize("row", CATALOGUE, ids=edition_id)
def test_frame_passes_schema(row):
    v = parsed(row.file_name, row.release).values
    validate_revenue_outturn(v, row.edition)  # raises ValidationFailed otherwise
    totals = parsed(row.file_name, row.release).totals
    assert len(validate_revenue_outturn_totals(totals, row.edition)) == len(totals) > 500


def test_a_class_total_without_its_class_breaks_the_totals_contract():
    from sources.errors import ValidationFailed

    totals = parsed("RS_2017-18_data_by_LA.xlsx", "final").totals.copy()
    row = totals.index[totals["total_scope"] == "class"][0]
    totals.loc[row, "authority_class"] = None
    with pytest.raises(ValidationFailed) as info:
        validate_revenue_outturn_totals(totals, "RS 2017-18")
    assert "a total's class and scope differ" in str(info.value)
    assert "file 'RS_2017-18_data_by_LA.xlsx', sheet 'RS LA Data 2017-18'" in str(info.value)


def test_the_parser_writes_the_columns_of_the_models_in_their_order():
    """The pandera models are the contract; the parser's frames follow them column for column."""
    from sources.revenue_outturn.la_data import TOTAL_COLUMNS, VALUE_COLUMNS, _with_kind
    from sources.revenue_outturn.schema import raw_contracts

    contracts = raw_contracts()
    assert _with_kind(VALUE_COLUMNS) == [c for c, _, _ in contracts["revenue_outturn"]]
    assert _with_kind(TOTAL_COLUMNS) == [c for c, _, _ in contracts["revenue_outturn_totals"]]
    assert ("loaded_at", "timestamp", False) in contracts["load_log"]
    assert ("release_date", "date", True) in contracts["load_log"]


# --- reconciliation: England row vs the sum of authorities -----------------------------------


@pytest.mark.parametrize("row", CATALOGUE, ids=edition_id)
def test_england_row_reconciles_except_imputation_and_known_breaks(row):
    key = (row.financial_year, row.release)
    rec = reconciliation(*key)
    breaks = KNOWN_BREAKS.get(key, {})
    off = off_lines(rec)
    unexplained = off[(off["no_return"] == 0) & ~off.index.isin(list(breaks))]
    assert unexplained.empty, unexplained
    for line, difference in breaks.items():
        assert rec.loc[line, "no_return"] == 0
        assert rec.loc[line, "difference"] == pytest.approx(difference, abs=0.01), line


@pytest.mark.parametrize("row", CATALOGUE, ids=edition_id)
def test_imputation_gaps_only_in_editions_with_non_submitters(row):
    key = (row.financial_year, row.release)
    gaps = gap_lines(*key)
    assert bool(gaps) == (key in IMPUTATION_GAP_LINES)
    assert len(gaps) == IMPUTATION_GAP_LINES.get(key, 0)


def test_known_breaks_are_only_in_2017_18_revised():
    assert set(KNOWN_BREAKS) == {("2017-18", "revised")}
    assert len(KNOWN_BREAKS[("2017-18", "revised")]) == 8
    assert off_lines(reconciliation("2017-18", "revised")).shape[0] == 8


def test_2016_17_england_tse_includes_imputation():
    rec = reconciliation("2016-17", "final")
    line = (TSE, 1)
    assert rec.loc[line, "england"] == pytest.approx(90_443_502.7, abs=0.1)
    assert rec.loc[line, "authority_sum"] == pytest.approx(90_312_276.7, abs=0.1)
    assert rec.loc[line, "no_return"] == 2
    assert line in gap_lines("2016-17", "final")
    non_submitters = edition("2016-17", "final").values
    non_submitters = non_submitters[non_submitters["value_marker"] == "…"]
    assert set(non_submitters["ecode"]) == {"E4001", "E7012"}  # Isles of Scilly, Dorset PCC
    assert len(non_submitters) == 2 * 94


# --- cells located by hand with python_calamine -----------------------------------------------


@functools.lru_cache(maxsize=32)
def raw_sheet(file_name: str, sheet: str) -> tuple[tuple, ...]:
    wb = python_calamine.CalamineWorkbook.from_path(str(SAMPLES / file_name))
    rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return tuple(tuple(r) for r in rows)


def locate(file_name: str, sheet: str, who: str, label: str, occurrence: int):
    """(1-based row, 0-based column, raw cell): the row whose column A is ``who`` (or, for
    'ENGLAND', whose first four cells include it), the ``occurrence``-th header cell ``label``
    of the row whose column A is 'E-code'."""
    rows = raw_sheet(file_name, sheet)
    header = next(i for i, r in enumerate(rows) if r and r[0] == "E-code")
    col = [c for c, cell in enumerate(rows[header]) if cell == label][occurrence - 1]
    if who == "ENGLAND":
        r = next(i for i in range(header + 1, len(rows)) if "ENGLAND" in rows[i][:4])
    else:
        r = next(i for i in range(header + 1, len(rows)) if rows[i][0] == who)
    return r + 1, col, rows[r][col]


# (year, release, sheet, E-code or 'ENGLAND', line label, occurrence,
#  expected raw cell, 1-based row, 0-based column, column letters)
KNOWN_CELLS = [
    ("2007-08", "revised", "Net current expenditure (col 1)", "E0101", "Education services", 1,
     125570.0, 8, 4, "E"),
    ("2007-08", "revised", "Net current expenditure (col 1)", "E0101", "Education services", 2,
     125570.0, 8, 75, "BX"),
    ("2007-08", "revised", "Net current expenditure (col 1)", "ENGLAND", TSE, 1,
     94_297_367.0, 488, 16, "Q"),
    ("2010-11", "revised", "RS LA Data 2010-11 (1)", "E0101", "Education services", 2,
     146939.0, 8, 81, "CD"),
    ("2012-13", "revised", "RS LA Data 2012-13 (1)", "E4601", "Education services", 1,
     1020998.0, 316, 5, "F"),
    ("2016-17", "final", "RS LA Data 2016-17", "ENGLAND", TSE, 1,
     90443502.70933732, 456, 18, "S"),
    ("2017-18", "final", "RS LA Data 2017-18", "E0934", "Education services", 1,
     "…", 220, 5, "F"),
    ("2017-18", "final", "RS LA Data 2017-18", "E0934", TSE, 1,
     "…", 220, 18, "S"),
    ("2017-18", "revised", "RS_LA_Data_2017-18", "E0934", TSE, 1,
     10379.0, 218, 18, "S"),
    ("2022-23", "final", "RS_LA_Data_2022-23", "E4601", "Education services", 1,
     "[x]", 302, 7, "H"),
    ("2022-23", "final", "RS_LA_Data_2022-23", "ENGLAND", TSE, 1,
     113520282.60415901, 440, 20, "U"),
    ("2023-24", "final", "RS_LA_Data_2023-24", "E4601", TSE, 1,
     "[x]", 34, 20, "U"),
    ("2023-24", "final", "RS_LA_Data_2023-24", "ENGLAND", TSE, 1,
     123753650.8202507, 425, 20, "U"),
]  # fmt: skip


@pytest.mark.parametrize(
    "year, release, sheet, who, label, occ, raw, row_1, col_0, letters",
    KNOWN_CELLS,
    ids=[f"{c[0]}-{c[1]}-{c[3]}-{c[4][:9]}-{c[5]}" for c in KNOWN_CELLS],
)
def test_known_cell_read_independently(
    year, release, sheet, who, label, occ, raw, row_1, col_0, letters
):
    file_name = EDITIONS[(year, release)].file_name
    found_row, found_col, found_raw = locate(file_name, sheet, who, label, occ)
    assert (found_row, found_col, found_raw) == (row_1, col_0, raw)

    p = edition(year, release)
    assert p.sheet == sheet
    frame = england(p) if who == "ENGLAND" else p.values[p.values["ecode"] == who]
    cell = frame[(frame["line_label"] == label) & (frame["line_occurrence"] == occ)]
    assert len(cell) == 1
    cell = cell.iloc[0]
    assert cell["source_row"] == row_1
    assert cell["source_column"] == letters
    if isinstance(raw, str):
        assert pd.isna(cell["value_gbp_thousands"])
        assert cell["value_marker"] == raw
    else:
        assert cell["value_gbp_thousands"] == raw
        assert cell["value_marker"] is None


def test_copeland_2017_18_final_has_no_return_on_every_line():
    v = edition("2017-18", "final").values
    copeland = v[v["ecode"] == "E0934"]
    assert len(copeland) == 95
    assert set(copeland["value_marker"]) == {"…"}
    assert copeland["value_gbp_thousands"].isna().all()
    assert set(copeland["authority_name"]) == {"Copeland"}


def test_birmingham_2022_23_and_2023_24_did_not_submit():
    for year in ("2022-23", "2023-24"):
        v = edition(year, "final").values
        brum = v[v["ecode"] == "E4601"]
        assert len(brum) == 159
        assert set(brum["value_marker"]) == {"[x]"}
        assert set(brum["authority_name"]) == {"Birmingham"}


# --- the two 2017-18 editions ---------------------------------------------------------------


def test_2017_18_final_and_revised_are_told_apart():
    final, revised = edition("2017-18", "final"), edition("2017-18", "revised")
    assert (final.release, revised.release) == ("final", "revised")
    assert set(final.values["release"]) == {"final"}
    assert set(revised.values["release"]) == {"revised"}
    assert final.sha256 != revised.sha256
    assert final.sha256 == hashlib.sha256(final.path.read_bytes()).hexdigest()
    assert revised.sha256 == hashlib.sha256(revised.path.read_bytes()).hexdigest()
    assert (final.header_row, revised.header_row) == (7, 5)  # hidden helper rows removed
    assert set(final.values["ecode"]) == set(revised.values["ecode"])

    both = final.values.merge(revised.values, on=["ecode", *LINE], suffixes=("_f", "_r"))
    assert len(both) == len(final.values) == len(revised.values) == 42275
    vf, vr = both["value_gbp_thousands_f"], both["value_gbp_thousands_r"]
    numeric = vf.notna() & vr.notna()
    differ = numeric & ((vf - vr).abs() > 1e-6)
    assert differ.sum() == 167  # PROVENANCE.md: 167 numeric cells differ
    # two more cells (Enfield) differ only by float noise from the re-save
    noise = numeric & (vf != vr) & ~differ
    assert noise.sum() == 2
    assert set(both.loc[noise, "ecode"]) == {"E5037"}
    assert both.loc[differ, "ecode"].nunique() == 31

    # Copeland: '…' on all 95 lines in the original; 93 numbers and 2 '...' in the revision
    cop = both[both["ecode"] == "E0934"]
    assert set(cop["value_marker_f"]) == {"…"}
    assert cop["value_gbp_thousands_r"].notna().sum() == 93
    assert cop["value_marker_r"].value_counts().to_dict() == {"...": 2}


def test_2017_18_revision_examples_from_provenance():
    final, revised = edition("2017-18", "final"), edition("2017-18", "revised")

    def tse(p: ParsedWorkbook, ecode: str) -> pd.Series:
        v = p.values
        return v[(v["ecode"] == ecode) & (v["line_label"] == TSE)].iloc[0]

    east_hants_f, east_hants_r = tse(final, "E1732"), tse(revised, "E1732")
    assert east_hants_f["authority_name"] == "East Hampshire (e)"
    assert east_hants_r["authority_name"] == "East Hampshire"
    assert east_hants_f["value_gbp_thousands"] == pytest.approx(12_100.47, abs=0.01)
    assert east_hants_r["value_gbp_thousands"] == pytest.approx(12_945.48, abs=0.01)
    assert tse(final, "E1521")["value_gbp_thousands"] == pytest.approx(1_520_569, abs=0.5)
    assert tse(revised, "E1521")["value_gbp_thousands"] == pytest.approx(1_520_593, abs=0.5)

    rec_f = reconciliation("2017-18", "final").loc[(TSE, 1)]
    rec_r = reconciliation("2017-18", "revised").loc[(TSE, 1)]
    assert rec_f["england"] == pytest.approx(89_800_070.68, abs=0.01)
    assert rec_r["england"] == pytest.approx(89_802_865.97, abs=0.01)
    assert rec_r["authority_sum"] == pytest.approx(89_802_999.16, abs=0.01)


# --- line numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize("row", CATALOGUE, ids=edition_id)
def test_line_numbers_from_helper_row(row):
    p = parsed(row.file_name, row.release)
    v, eng = p.values, england(p)
    education = v[v["line_label"] == "Education services"]
    assert len(education) > 0
    if row.financial_year >= "2015-16":  # a hidden line-number row above the header
        assert (education["line_number"] == 190).all()
        eng_tse = eng[eng["line_label"] == TSE]
        assert eng_tse["line_number"].tolist() == [699]
    else:  # no line-number row: every line number is null
        assert v["line_number"].isna().all()
        assert eng["line_number"].isna().all()


# --- release detection -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "file_name, expected",
    [
        ("RS_2018-19_data_by_LA_provisional.xls", "provisional"),
        ("RS_2017-18_data_by_LA_revised_20-Mar-2019.xls", "revised"),
        ("RS_2017-18_data_by_LA.xlsx", "final"),
    ],
)
def test_release_detected_from_the_workbook(file_name, expected):
    p = parsed(file_name, None)  # no override: the parser reads the front page
    assert p.release == expected
    assert set(p.values["release"]) == {expected}


@pytest.mark.parametrize("row", CATALOGUE, ids=edition_id)
def test_class_totals_name_their_class_and_notes_are_not_totals(row):
    totals = parsed(row.file_name, row.release).totals
    classes = totals[totals["total_scope"] == "class"]
    assert classes["authority_class"].notna().all()
    assert set(classes["authority_class"]) <= {"L", "MD", "UA", "SC", "SD", "O"}
    assert not totals["total_label"].str.contains("http", case=False).any()
    per_line = classes.groupby(["line_label", "line_occurrence"]).size()
    # One row per class (6) in the older layouts; the accessible layout splits 'O' into
    # police, parks, fire, combined, waste authorities and the GLA (10 or 11 rows).
    assert set(per_line) <= {6, 10, 11}
