"""The GDP deflator (sources.reference.deflator) on the bundled real files.

ONS YBGB (release 30-06-2025, 2022 = 100): metadata, annual and quarterly rows, and financial
years derived as the mean of four quarters, checked against a mean computed here from the raw
CSV lines. HM Treasury's two calendar-year layouts: base years, values, and forecast rows with
no index skipped rather than read as zero.
"""

from __future__ import annotations

import csv
import functools

import pandas as pd
import pytest

from sources.errors import ParseError, UnsupportedLayoutError
from sources.reference.deflator import (
    BUNDLED_HMT_2015,
    BUNDLED_HMT_2024,
    BUNDLED_YBGB,
    COLUMNS,
    derive_financial_years,
    parse_hmt_calendar_csv,
    parse_ons_timeseries_csv,
)


@functools.lru_cache(maxsize=1)
def _ybgb() -> pd.DataFrame:
    return parse_ons_timeseries_csv(BUNDLED_YBGB)


def _raw_ybgb() -> dict[str, float]:
    with BUNDLED_YBGB.open(newline="", encoding="utf-8") as fh:
        return {row[0]: float(row[1]) for row in csv.reader(fh) if row[0][:1].isdigit()}


def _value(df: pd.DataFrame, period_type: str, period: str) -> float:
    hit = df[(df["period_type"] == period_type) & (df["period"] == period)]
    assert len(hit) == 1, (period_type, period)
    return float(hit["index_value"].iloc[0])


def test_ybgb_rows_edition_and_base():
    df = _ybgb()
    assert list(df.columns) == COLUMNS
    assert df["period_type"].value_counts().to_dict() == {
        "quarter": 281,  # 1955 Q1 .. 2025 Q1
        "calendar_year": 77,  # 1948 .. 2024
        "financial_year": 70,  # 1955-56 .. 2024-25, derived
    }
    assert set(df["edition"]) == {"ONS YBGB, release 30-06-2025"}
    assert set(df["base"]) == {"2022=100"}
    assert _value(df, "calendar_year", "2022") == 100.0
    assert _value(df, "calendar_year", "1948") == 2.7
    assert _value(df, "quarter", "2025 Q1") == 114.1
    first = df[df["period_type"] == "calendar_year"].iloc[0]
    assert (first["period"], first["source_row"]) == ("1948", 9)  # below 8 metadata rows


def test_ybgb_financial_year_is_the_mean_of_its_four_quarters():
    raw = _raw_ybgb()
    df = _ybgb()
    for start in (1955, 1999, 2019, 2024):
        quarters = [f"{start} Q2", f"{start} Q3", f"{start} Q4", f"{start + 1} Q1"]
        by_hand = sum(raw[q] for q in quarters) / 4
        period = f"{start}-{(start + 1) % 100:02d}"
        assert _value(df, "financial_year", period) == pytest.approx(by_hand, abs=1e-12)
    fy = df[df["period"] == "2019-20"].iloc[0]
    assert bool(fy["is_derived"]) and pd.isna(fy["source_row"])
    assert fy["derivation"].startswith("derived: mean of 2019 Q2 (row ")
    assert "2020 Q1" in fy["derivation"]
    # 2025-26 would need 2025 Q2..2026 Q1, not yet published; 1954-55 lacks 1954's quarters
    assert not ((df["period"] == "2025-26") | (df["period"] == "1954-55")).any()


def test_published_rows_are_not_derived():
    df = _ybgb()
    published = df[df["period_type"] != "financial_year"]
    assert not published["is_derived"].any()
    assert published["derivation"].isna().all()
    assert published["source_row"].notna().all()
    assert df[df["period_type"] == "financial_year"]["is_derived"].all()


def test_derive_needs_all_four_quarters():
    published = parse_ons_timeseries_csv(BUNDLED_YBGB, derive=False)
    assert (published["period_type"] != "financial_year").all()
    gap = published[published["period"] != "2019 Q3"]
    derived = derive_financial_years(gap)
    fy = set(derived.loc[derived["period_type"] == "financial_year", "period"])
    assert "2019-20" not in fy and "2018-19" in fy and "2020-21" in fy
    assert len(fy) == 69


def test_hmt_2015_base_skips_forecast_rows_without_an_index():
    df = parse_hmt_calendar_csv(BUNDLED_HMT_2015)
    assert len(df) == 61  # 1955 .. 2015; 2016-2020 carry only a growth rate
    assert df["period"].tolist()[0] == "1955" and df["period"].tolist()[-1] == "2015"
    assert _value(df, "calendar_year", "2015") == 100.0
    assert _value(df, "calendar_year", "1955") == 4.383
    assert set(df["base"]) == {"2015=100"}
    assert (df["index_value"] > 0).all()
    assert set(df["edition"]) == {"HM Treasury GDP deflator, September 2016 update (calendar year)"}


def test_hmt_2024_base():
    df = parse_hmt_calendar_csv(BUNDLED_HMT_2024)
    assert len(df) == 35  # 1990 .. 2024
    assert _value(df, "calendar_year", "2024") == 100.0
    assert _value(df, "calendar_year", "2023") == 96.2507
    assert _value(df, "calendar_year", "1990") == 42.7537
    assert set(df["base"]) == {"2024=100"}
    assert set(df["edition"]) == {"HM Treasury GDP deflator, December 2025 update (calendar year)"}
    assert df["source_row"].tolist()[0] == 2


def test_hmt_unknown_copy_says_its_edition_is_not_stated(tmp_path):
    path = tmp_path / "deflator.csv"
    path.write_text("year,value\n2023,96.25\n2024,100\n", encoding="utf-8")
    df = parse_hmt_calendar_csv(path)
    assert "edition not stated" in df["edition"].iloc[0]
    assert parse_hmt_calendar_csv(path, edition="HMT March 2025")["edition"].iloc[0] == (
        "HMT March 2025"
    )


def test_hmt_without_a_base_year_needs_one(tmp_path):
    path = tmp_path / "deflator.csv"
    path.write_text("year,value\n2023,96.25\n2024,99.9\n", encoding="utf-8")
    with pytest.raises(ParseError, match="base year"):
        parse_hmt_calendar_csv(path)
    assert set(parse_hmt_calendar_csv(path, base="2025=100")["base"]) == {"2025=100"}


def test_hmt_bad_index_names_row_and_column(tmp_path):
    path = tmp_path / "deflator.csv"
    path.write_text("year,value\n2023,abc\n2024,100\n", encoding="utf-8")
    with pytest.raises(ParseError, match=r"deflator.csv', row 2, column B: index value 'abc'"):
        parse_hmt_calendar_csv(path)


def test_hmt_unknown_layout_is_unsupported(tmp_path):
    path = tmp_path / "deflator.csv"
    path.write_text("when,what\n2024,100\n", encoding="utf-8")
    with pytest.raises(UnsupportedLayoutError, match="no year column"):
        parse_hmt_calendar_csv(path)


def test_ons_csv_without_metadata_is_unsupported():
    with pytest.raises(UnsupportedLayoutError, match="CDID"):
        parse_ons_timeseries_csv(BUNDLED_HMT_2024)
