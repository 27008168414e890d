"""The canonical CSV contracts of councils' efficiency returns (sources.efficiency.contracts).

No council-level AES or NI 179 table survives in the bundled material, so these tests write
small files in the contracts' layouts. They are SYNTHETIC: the amounts are made up to exercise
the loaders and are never loaded into the warehouse.
"""

from __future__ import annotations

import csv
import functools

import pytest

from sources.efficiency.contracts import (
    AES_CONTRACT,
    NI179_CONTRACT,
    detect_form,
    load_aes_returns,
    load_ni179_returns,
)
from sources.efficiency.headline import BUNDLED_HEADLINE
from sources.efficiency.schema import validate_efficiency_returns
from sources.errors import ParseError, SourceError, UnsupportedLayoutError
from sources.reference.authorities import bundled_register
from sources.reference.resolve import AuthorityResolver

URL = "https://example.org/synthetic-test-statement"


@functools.lru_cache(maxsize=1)
def resolver() -> AuthorityResolver:
    return AuthorityResolver(bundled_register())


def write(tmp_path, name: str, header: list[str], rows: list[list[str]]):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


AES_HEADER = [
    "authority",
    "authority_code",
    "financial_year",
    "statement",
    "workstream",
    "sustained_total_gbp",
    "sustained_cashable_gbp",
    "further_total_gbp",
    "further_cashable_gbp",
    "cumulative_total_gbp",
    "cumulative_cashable_gbp",
    "quality_crosscheck",
    "target_gbp",
    "source_url",
]


def test_contracts_are_documented_column_by_column():
    assert "cumulative_cashable_gbp" in AES_CONTRACT and "quality_crosscheck" in AES_CONTRACT
    assert "ni179_gain_gbp" in NI179_CONTRACT
    assert all(len(m) > 10 for m in [*AES_CONTRACT.values(), *NI179_CONTRACT.values()])
    import sources.efficiency.contracts as c

    for column in [*AES_CONTRACT, *NI179_CONTRACT]:
        assert f"``{column}``" in c.__doc__


def test_aes_rows_become_one_row_per_column_group(tmp_path):
    # SYNTHETIC amounts
    path = write(
        tmp_path,
        "aes.csv",
        AES_HEADER,
        [
            ["Worthing BC", "", "2005-06", "backward look", "Procurement",
             "100", "100", "250", "200", "350", "300", "met", "", URL],
            ["", "E10000014", "2006-07", "Backward look", "Total",
             "", "", "", "", "1,000,000", "£600,000", "", "1200000", URL],
            ["England", "", "2006-07", "forward look", "Total",
             "", "", "5", "", "", "", "", "", URL],
        ],
    )  # fmt: skip
    df = load_aes_returns(path, resolver())
    validate_efficiency_returns(df)
    assert len(df) == 5
    worthing = df[df["body_id"] == "WOT"]
    assert sorted(worthing["gain_type"]) == ["cumulative", "further", "sustained"]
    assert set(worthing["workstream_type"]) == {"cross-cutting"}
    assert set(worthing["quality_crosscheck"]) == {"met"}
    hants = df[df["body_id"] == "HAM"].iloc[0]  # resolved by GSS code alone
    assert (hants["gain_total_gbp"], hants["gain_cashable_gbp"]) == (1e6, 6e5)
    assert hants["target_gbp"] == 1.2e6 and hants["workstream"] == "All workstreams"
    england = df[df["scope"] == "england"].iloc[0]
    assert england["body_id"] is None and england["statement"] == "forward look"
    assert df["record_id"].iloc[0] == "aes.csv:2"


def test_ni179_rows(tmp_path):
    # SYNTHETIC amounts
    path = write(
        tmp_path,
        "ni179.csv",
        ["authority", "authority_code", "financial_year", "statement", "ni179_gain_gbp",
         "target_gbp", "baseline_gbp", "source_url"],
        [
            ["Leicestershire CC", "E2421", "2009-10", "outturn", "20000000", "", "300000000", URL],
            ["Plymouth", "", "2010-11", "forecast", "1", "", "", URL],
        ],
    )  # fmt: skip
    assert detect_form(path) == "ni179_returns"
    df = load_ni179_returns(path, resolver())
    validate_efficiency_returns(df)
    assert list(df["body_id"]) == ["LEC", "PLY"]
    assert list(df["statement"]) == ["NI 179 outturn", "NI 179 forecast"]
    assert df["is_cumulative"].all()
    assert df.loc[0, "baseline_priority"] == 1


def test_detect_form():
    assert detect_form(BUNDLED_HEADLINE) == "headline_figures"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["Nowhere DC", "", "2005-06", "backward look", "Total", "", "", "1", "", "", "", "",
          "", URL], "Nowhere DC"),
        (["Adur DC", "", "2005-06", "looking back", "Total", "", "", "1", "", "", "", "", "", URL],
         "row 2, column D: statement"),
        (["Adur DC", "", "2008-09", "backward look", "Total", "", "", "1", "", "", "", "", "", URL],
         "not a year of the SR04 statements"),
        (["Adur DC", "", "2005-06", "backward look", "Total", "", "", "", "5", "", "", "", "", URL],
         "needs its total"),
        (["Adur DC", "", "2005-06", "backward look", "Total", "", "", "lots", "", "", "", "", "",
          URL], "'lots' is not an amount"),
        (["Adur DC", "", "2005-06", "backward look", "Total", "", "", "1", "", "", "", "", "",
          "www.example.org"], "not an http"),
        (["Adur DC", "E10000014", "2005-06", "backward look", "Total", "", "", "1", "", "", "",
          "", "", URL], "denotes ADU .* but code 'E10000014' denotes HAM"),
    ],
)  # fmt: skip
def test_aes_rejections_name_the_problem(tmp_path, row, message):
    path = write(tmp_path, "bad.csv", AES_HEADER, [row])
    with pytest.raises(SourceError, match=message):
        load_aes_returns(path, resolver())


def test_a_column_outside_the_contract_is_refused(tmp_path):
    path = write(tmp_path, "bad.csv", [*AES_HEADER, "comments"], [])
    with pytest.raises(UnsupportedLayoutError, match="comments"):
        load_aes_returns(path, resolver())


def test_a_missing_column_is_refused(tmp_path):
    path = write(tmp_path, "bad.csv", [c for c in AES_HEADER if c != "workstream"], [])
    with pytest.raises(UnsupportedLayoutError, match="workstream"):
        load_aes_returns(path, resolver())


def test_ni179_blank_value_is_refused(tmp_path):
    path = write(
        tmp_path,
        "bad.csv",
        ["authority", "financial_year", "statement", "ni179_gain_gbp", "source_url"],
        [["Plymouth", "2009-10", "outturn", "", URL]],
    )
    with pytest.raises(ParseError, match="row 2, column D"):
        load_ni179_returns(path, resolver())
