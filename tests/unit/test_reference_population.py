"""ONS mid-year population estimates (sources.reference.population) on the bundled real files.

MYE 5 of the mid-2019 workbook (April 2020 boundaries) and the mid-2018 ONS API V4 CSV: row
counts, values checked against cells read independently with python_calamine and the csv
module, England equal to the sum of its districts and unitaries in every year, the two files
agreeing on mid-2018, and both header spellings of the V4 layout.
"""

from __future__ import annotations

import csv
import functools

import pandas as pd
import pytest
import python_calamine

from sources.catalogue import BUNDLED_CATALOGUE
from sources.errors import ParseError, UnsupportedLayoutError
from sources.reference.population import (
    BUNDLED_API_V4,
    BUNDLED_MYE,
    COLUMNS,
    GEOGRAPHY_BY_PREFIX,
    parse_mye5,
    parse_ons_api_v4,
)

HYPHENATED_HEADER = "v4_0,calendar-years,Time,administrative-geography,Geography,sex,Sex,age,Age"


@functools.lru_cache(maxsize=1)
def _mye5() -> pd.DataFrame:
    return parse_mye5(BUNDLED_MYE)


@functools.lru_cache(maxsize=1)
def _v4() -> pd.DataFrame:
    return parse_ons_api_v4(BUNDLED_API_V4)


def _cell_by_hand(code: str, header: str):
    """A cell of sheet 'MYE 5' located by its row's code and its column's header text."""
    wb = python_calamine.CalamineWorkbook.from_path(str(BUNDLED_MYE))
    rows = wb.get_sheet_by_name("MYE 5").to_python(skip_empty_area=False)
    head = next(r for r in rows if r and r[0] == "Code")
    row = next(r for r in rows if r and r[0] == code)
    return row[head.index(header)]


def test_mye5_shape_and_edition():
    df = _mye5()
    assert list(df.columns) == COLUMNS
    assert len(df) == 7885  # 415 areas x 19 mid-years
    assert df["gss_code"].nunique() == 415
    assert sorted(df["mid_year"].unique()) == list(range(2001, 2020))
    assert set(df["edition"]) == {"ONS mid-2019 (April 2020 boundaries)"}
    assert set(df["source_sheet"]) == {"MYE 5"}
    assert df["geography"].value_counts()["Non-metropolitan District"] == 188 * 19


@pytest.mark.parametrize(
    ("code", "name", "year", "expected"),
    [
        ("E06000052", "Cornwall", 2019, 569578),
        ("E08000035", "Leeds", 2019, 793139),
        ("E09000001", "City of London", 2019, 9721),
        ("E06000053", "Isles of Scilly", 2001, 2140),
        ("E10000023", "North Yorkshire", 2019, 618054),
    ],
)
def test_mye5_values_match_cells_read_by_hand(code, name, year, expected):
    by_hand = _cell_by_hand(code, f"Estimated Population mid-{year}")
    assert int(by_hand) == expected
    df = _mye5()
    row = df[(df["gss_code"] == code) & (df["mid_year"] == year)]
    assert len(row) == 1
    assert row["area_name"].iloc[0] == name
    assert row["population"].iloc[0] == expected


def test_mye5_rows_carry_their_cell():
    df = _mye5()
    row = df[(df["gss_code"] == "E06000052") & (df["mid_year"] == 2019)].iloc[0]
    assert (row["source_row"], row["source_column"]) == (334, "E")
    row = df[(df["gss_code"] == "E06000052") & (df["mid_year"] == 2001)].iloc[0]
    assert row["source_column"] == "AO"


def test_mye5_england_is_the_sum_of_its_districts_and_unitaries_every_year():
    df = _mye5()
    lower = df[df["gss_code"].str[:3].isin(["E06", "E07", "E08", "E09"])]
    sums = lower.groupby("mid_year")["population"].sum().sort_index()
    england = df[df["gss_code"] == "E92000001"].set_index("mid_year")["population"].sort_index()
    pd.testing.assert_series_equal(sums, england, check_names=False)
    assert england[2019] == 56286961


def test_v4_shape_and_values():
    df = _v4()
    assert list(df.columns) == COLUMNS
    assert len(df) == 382
    assert df["gss_code"].is_unique
    assert set(df["mid_year"]) == {2018}
    assert set(df["edition"]) == {"ONS mid-2018 (API V4 CSV)"}
    leeds = df[df["gss_code"] == "E08000035"].iloc[0]
    assert (leeds["area_name"], leeds["population"]) == ("Leeds", 789194)
    assert leeds["source_row"] == 111 and leeds["source_column"] == "A"
    with BUNDLED_API_V4.open(newline="", encoding="utf-8") as fh:
        raw = list(csv.reader(fh))
    assert raw[110][3] == "E08000035" and int(raw[110][0]) == 789194


def test_v4_and_mye5_agree_on_mid_2018():
    v4, mye = _v4(), _mye5()
    joined = v4.merge(mye[mye["mid_year"] == 2018], on="gss_code", suffixes=("_v4", "_mye"))
    assert len(joined) == 367
    assert (joined["population_v4"] == joined["population_mye"]).all()
    # the V4 geography label, derived from the code prefix, is the one MYE 5 prints
    assert (joined["geography_v4"] == joined["geography_mye"]).all()
    assert set(v4["geography"]) <= set(GEOGRAPHY_BY_PREFIX.values())


def test_v4_hyphenated_header_gives_the_same_frame(tmp_path):
    lines = BUNDLED_API_V4.read_text(encoding="utf-8").splitlines()
    other = tmp_path / "v4_hyphenated.csv"
    other.write_text("\n".join([HYPHENATED_HEADER, *lines[1:]]) + "\n", encoding="utf-8")
    a = _v4().drop(columns="source_file")
    b = parse_ons_api_v4(other).drop(columns="source_file")
    pd.testing.assert_frame_equal(a, b)


def test_v4_keeps_only_all_persons_all_ages(tmp_path):
    lines = BUNDLED_API_V4.read_text(encoding="utf-8").splitlines()
    extra = [
        "75000,2018,2018,E08000035,Leeds,1,Male,total,Total",
        "9000,2018,2018,E08000035,Leeds,0,All,5,5",
    ]
    path = tmp_path / "v4_mixed.csv"
    path.write_text("\n".join([*lines, *extra]) + "\n", encoding="utf-8")
    df = parse_ons_api_v4(path)
    assert len(df) == 382
    assert df.loc[df["gss_code"] == "E08000035", "population"].tolist() == [789194]


def test_v4_bad_value_names_row_and_column(tmp_path):
    lines = BUNDLED_API_V4.read_text(encoding="utf-8").splitlines()
    lines[2] = "n/a" + lines[2][lines[2].index(",") :]
    path = tmp_path / "v4_bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ParseError, match=r"v4_bad.csv', row 3, column A: population cell"):
        parse_ons_api_v4(path)


def test_v4_unknown_dimension_is_unsupported(tmp_path):
    path = tmp_path / "v4_other.csv"
    path.write_text(
        "v4_0,calendar-years,Time,administrative-geography,Geography,ethnicity,Ethnicity\n"
        "100,2018,2018,E08000035,Leeds,1,White\n",
        encoding="utf-8",
    )
    with pytest.raises(UnsupportedLayoutError, match="column F 'ethnicity'"):
        parse_ons_api_v4(path)


def test_not_a_v4_csv_is_unsupported():
    with pytest.raises(UnsupportedLayoutError, match="v4_N"):
        parse_ons_api_v4(BUNDLED_CATALOGUE)


def test_workbook_without_mye5_is_unsupported():
    rs = BUNDLED_CATALOGUE.parent / "RS_2019-20_data_by_LA.xls"
    with pytest.raises(UnsupportedLayoutError, match="MYE 5"):
        parse_mye5(rs)
