"""pandera schemas of raw.authorities, raw.population and raw.gdp_deflator
(sources.reference.schema): every bundled frame passes, and bad frames are rejected with one
message per failure naming the file, sheet, row and column.
"""

from __future__ import annotations

import functools

import pandas as pd
import pytest

from sources.errors import ValidationFailed
from sources.reference.authorities import bundled_register
from sources.reference.deflator import (
    BUNDLED_HMT_2015,
    BUNDLED_HMT_2024,
    BUNDLED_YBGB,
    parse_hmt_calendar_csv,
    parse_ons_timeseries_csv,
)
from sources.reference.population import BUNDLED_API_V4, BUNDLED_MYE, parse_mye5, parse_ons_api_v4
from sources.reference.schema import (
    validate_authorities,
    validate_gdp_deflator,
    validate_population,
)


@functools.lru_cache(maxsize=1)
def _mye5() -> pd.DataFrame:
    return parse_mye5(BUNDLED_MYE)


@functools.lru_cache(maxsize=1)
def _ybgb() -> pd.DataFrame:
    return parse_ons_timeseries_csv(BUNDLED_YBGB)


def _failures(validate, df) -> list[str]:
    with pytest.raises(ValidationFailed) as err:
        validate(df)
    return err.value.failures


def test_bundled_frames_pass():
    validate_authorities(bundled_register())
    validate_population(_mye5())
    validate_population(parse_ons_api_v4(BUNDLED_API_V4))
    validate_gdp_deflator(_ybgb())
    validate_gdp_deflator(parse_hmt_calendar_csv(BUNDLED_HMT_2015))
    validate_gdp_deflator(parse_hmt_calendar_csv(BUNDLED_HMT_2024))


# --- raw.authorities --------------------------------------------------------------------------


def test_register_bad_gss_code_names_file_row_and_column():
    df = bundled_register()
    df.loc[df["body_id"] == "CON", "gss_code"] = "E0600052"  # one digit short
    assert _failures(validate_authorities, df) == [
        "file 'uk_local_authorities.csv', row 85, column gss_code: fails "
        "str_matches('^E\\d{8}$'): 'E0600052'"
    ]


def test_register_duplicate_body_and_unknown_successor():
    df = bundled_register()
    df.loc[df["body_id"] == "ECODE-E0831", "replaced_by"] = "CORNWALL"
    df = pd.concat([df, df[df["body_id"] == "LDS"]], ignore_index=True)
    failures = _failures(validate_authorities, df)
    assert (
        "file 'reorganisation_2009_ecode_crosswalk.csv', row 16, column replaced_by: "
        "replaced_by names a body_id that is not in the register"
    ) in failures
    dupes = [f for f in failures if "field_uniqueness" in f]
    assert (
        dupes
        == [
            "file 'uk_local_authorities.csv', row 212, column body_id: "
            "fails field_uniqueness: 'LDS'"
        ]
        * 2
    )


def test_register_ecode_claimed_twice_in_a_year_is_rejected():
    df = bundled_register()
    # without its first year, WECA's E6354 would clash with Tees Valley's 2016-17 use of it
    df.loc[df["body_id"] == "WECA", "ecode_first_year"] = None
    failures = _failures(validate_authorities, df)
    assert len(failures) == 2
    assert all(
        f.endswith(
            "column ecode: an E-code is claimed by two bodies valid in the same financial year"
        )
        for f in failures
    )


def test_register_successor_overlap_is_rejected():
    df = bundled_register()
    df.loc[df["body_id"] == "ALL", "end_date"] = pd.Timestamp("2023-04-01")
    assert _failures(validate_authorities, df) == [
        "file 'uk_local_authorities.csv', row 8, column end_date: a replaced body does not end "
        "before its successor starts"
    ]


# --- raw.population ---------------------------------------------------------------------------


def test_population_negative_and_bad_code_name_the_cell():
    df = _mye5().copy()
    cornwall = df.index[(df["gss_code"] == "E06000052") & (df["mid_year"] == 2019)][0]
    df.loc[cornwall, "population"] = -569578
    leeds = df.index[(df["gss_code"] == "E08000035") & (df["mid_year"] == 2018)][0]
    df.loc[leeds, "gss_code"] = "E0800035"
    failures = _failures(validate_population, df)
    assert (
        "file 'ukmidyearestimates20192020ladcodes.xls', sheet 'MYE 5', row 334, column "
        "population (sheet column E): fails greater_than_or_equal_to(0): -569578"
    ) in failures
    assert any(
        f.startswith("file 'ukmidyearestimates20192020ladcodes.xls', sheet 'MYE 5', row ")
        and "column gss_code: fails str_matches" in f
        and f.endswith("'E0800035'")
        for f in failures
    )
    assert len(failures) == 2


def test_population_duplicate_key_is_rejected():
    df = parse_ons_api_v4(BUNDLED_API_V4)
    df = pd.concat([df, df[df["gss_code"] == "E08000035"]], ignore_index=True)  # Leeds twice
    failures = _failures(validate_population, df)
    assert (
        failures
        == [
            "file 'ons_api_v4_mid2018_population.csv', row 111, "
            "column edition, gss_code, mid_year: "
            "duplicate key ('ONS mid-2018 (API V4 CSV)', 'E08000035', 2018)"
        ]
        * 2
    )


# --- raw.gdp_deflator -------------------------------------------------------------------------


def test_deflator_bad_rows_are_rejected():
    df = _ybgb().copy()
    i2022 = df.index[df["period"] == "2022"][0]
    df.loc[i2022, "index_value"] = 0.0
    fy = df.index[df["period"] == "2019-20"][0]
    df.loc[fy, "derivation"] = None  # a derived row that does not say how
    failures = _failures(validate_gdp_deflator, df)
    assert failures == [
        "file 'ons_ybgb_gdp_deflator_2022eq100.csv', derived row (financial_year 2019-20), "
        "column is_derived: a derived row needs a derivation note and no source row; a "
        "published row needs a source row and no derivation note",
        "file 'ons_ybgb_gdp_deflator_2022eq100.csv', row 83, column index_value: fails "
        "greater_than(0): 0.0",
    ]


def test_deflator_duplicate_period_and_bad_financial_year():
    df = parse_hmt_calendar_csv(BUNDLED_HMT_2024)
    df = pd.concat([df, df.iloc[[0]]], ignore_index=True)
    df.loc[1, ["period_type", "period"]] = ["financial_year", "1991-93"]
    failures = _failures(validate_gdp_deflator, df)
    assert (
        "file 'hmt_gdp_deflator_calendar_2024eq100.csv', row 3, column period: financial year "
        "is not two consecutive years"
    ) in failures
    assert (
        failures.count(
            "file 'hmt_gdp_deflator_calendar_2024eq100.csv', row 2, column edition, period_type, "
            "period: duplicate key ('HM Treasury GDP deflator, December 2025 update (calendar "
            "year)', 'calendar_year', '1990')"
        )
        == 2
    )
