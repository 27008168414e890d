"""The published headline figures (sources.efficiency.headline) read from the real bundled file:
efficiency rows, derived baselines, benchmarks, and what is refused."""

from __future__ import annotations

import functools
import shutil

import pandas as pd
import pytest

from sources.efficiency.headline import (
    BUNDLED_BRIEF,
    BUNDLED_HEADLINE,
    benchmark_rows,
    bundled_records,
    efficiency_rows,
    read_records,
)
from sources.efficiency.schema import validate_efficiency_returns, validate_published_benchmarks
from sources.errors import ParseError, SourceError, ValidationFailed
from sources.reference.authorities import bundled_register
from sources.reference.resolve import AuthorityResolver


@functools.lru_cache(maxsize=1)
def resolver() -> AuthorityResolver:
    return AuthorityResolver(bundled_register())


@functools.lru_cache(maxsize=1)
def _returns() -> pd.DataFrame:
    return efficiency_rows(bundled_records(), resolver())


def returns() -> pd.DataFrame:
    return _returns().copy()


def test_the_real_file_has_thirty_records_and_the_brief_two():
    records = read_records(BUNDLED_HEADLINE)
    assert len(records) == 30
    assert [r.record_id for r in records[:3]] == ["AES-01", "AES-02", "AES-03"]
    assert all(r.source_url.startswith("http") for r in records)
    brief = read_records(BUNDLED_BRIEF)
    assert [(r.record_id, r.value, r.source_url) for r in brief] == [
        ("BRIEF-01", 32.0, None),
        ("BRIEF-02", 20.0, None),
    ]


def test_efficiency_rows_pass_their_schema():
    df = returns()
    validate_efficiency_returns(df)
    assert len(df) == 24
    assert (df["source_url"].str.startswith("http")).all()
    assert df.groupby("regime").size().to_dict() == {"CSR07 NI 179": 7, "SR04 AES": 17}


def test_national_sr04_trajectory_and_its_implied_baselines():
    df = returns()
    england = df[(df["scope"] == "england") & (df["gain_type"] == "cumulative")]
    got = dict(zip(england["financial_year"], england["gain_total_gbp"], strict=True))
    assert got == {"2004-05": 760e6, "2005-06": 1931e6, "2006-07": 3064e6, "2007-08": 4300e6}
    hansard = england[england["baseline_gbp"].notna()].set_index("financial_year")
    pct = (100 * hansard["gain_total_gbp"] / hansard["baseline_gbp"]).round(2).to_dict()
    assert pct == {"2004-05": 1.89, "2005-06": 4.81, "2006-07": 7.63}
    assert (hansard["baseline_priority"] == 2).all()
    assert hansard["baseline_basis"].str.startswith("derived:").all()
    # one 2004-05 baseline, about GBP 40.2bn, whichever year it is implied from
    assert hansard["baseline_gbp"].between(40.1e9, 40.3e9).all()
    # the Audit Commission's three-year total is classified, and says how
    ac = england.set_index("financial_year").loc["2007-08"]
    assert "Audit Commission" in ac["interpretation"]


def test_cashable_pairs_and_note_figures_are_joined_and_labelled():
    df = returns().set_index("record_id")
    national = df.loc["AES-06+AES-07"]
    assert (national["gain_total_gbp"], national["gain_cashable_gbp"]) == (1237.6e6, 898.7e6)
    assert national["gain_type"] == "reported_for_year"
    bath = df.loc["AES-12+AES-13"]
    assert (bath["body_id"], bath["gain_total_gbp"], bath["gain_cashable_gbp"]) == (
        "BAS",
        2977392.0,
        2184902.0,
    )
    hampshire_asc = df.loc["AES-16"]
    assert hampshire_asc["workstream"] == "Adult social services"
    assert hampshire_asc["workstream_type"] == "service area"
    assert hampshire_asc["gain_cashable_gbp"] == 4690000.0
    assert hampshire_asc["is_derived"] and "cashable 4690000" in hampshire_asc["derivation"]
    ongoing = df.loc["AES-16/note:ongoing"]
    assert (ongoing["gain_type"], ongoing["gain_total_gbp"]) == ("further_ongoing", 4690000.0)


def test_named_councils_resolve_to_their_legal_bodies():
    df = returns()
    bodies = df.dropna(subset=["body_id"]).groupby("authority_as_published")["body_id"].unique()
    assert {k: list(v) for k, v in bodies.items()} == {
        "Bath & North East Somerset": ["BAS"],
        "Hampshire County Council": ["HAM"],
        "Leicestershire County Council": ["LEC"],
        "Plymouth City Council": ["PLY"],
        "Staffordshire Moorlands District Council": ["STF"],
    }


def test_ni179_figures_targets_and_baselines():
    df = returns()
    ni = df[df["regime"] == "CSR07 NI 179"].set_index("record_id")
    leics = ni.loc["NI179-01"]
    assert (leics["statement"], leics["financial_year"], leics["gain_total_gbp"]) == (
        "NI 179 outturn",
        "2008-09",
        12e6,
    )
    assert leics["target_gbp"] == 8.9e6 and leics["target_is_cumulative"]
    assert leics["baseline_gbp"] == pytest.approx(8.9e6 / 0.03)
    assert leics["baseline_priority"] == 3
    assert ni.loc["NI179-02", "gain_total_gbp"] == 5.4e6
    assert ni.loc["NI179-03", "gain_total_gbp"] == 9.9e6
    forecast = ni.loc["NI179-03/note:NI 179 forecast 2010-11"]
    assert (forecast["statement"], forecast["gain_total_gbp"]) == ("NI 179 forecast", 29.1e6)
    # a 2010-11 CSR07 target implies no baseline: the Budget 2009 extra 1% may or may not be in it
    plymouth_target = ni.loc["NI179-03/note:target 2010-11"]
    assert plymouth_target["target_gbp"] == 31e6 and pd.isna(plymouth_target["baseline_gbp"])
    assert ni["is_cumulative"][ni["gain_type"].notna()].all()


def test_no_council_row_is_invented():
    df = returns()
    # every authority row comes from a record of the file (or its note) naming that council
    records = {r.record_id: r for r in bundled_records()}
    for row in df[df["scope"] == "authority"].itertuples():
        first = row.record_id.split("+")[0].split("/")[0]
        assert records[first].authority == row.authority_as_published


def test_benchmarks_every_record_and_note_figure_with_its_source():
    b = benchmark_rows(bundled_records(), resolver())
    validate_published_benchmarks(b)
    assert len(b) == 32 + 22
    assert set(b["record_id"]) >= {f"SS-0{i}" for i in range(1, 9)} | {"AES-01", "BRIEF-01"}
    by_id = b.set_index("benchmark_id")
    assert by_id.loc["AES-01", "value_normalised"] == 6.45e9
    assert by_id.loc["SS-01", ["value_normalised", "year"]].tolist() == [337, 2013]
    assert by_id.loc["SS-02", "value_normalised"] == 325
    assert by_id.loc["SS-03", "value_normalised"] == 278e6
    assert by_id.loc["SS-06", "value_normalised"] == 1.34e9
    assert by_id.loc["SS-06/lga_map_partnerships", ["value_normalised", "year"]].tolist() == [
        626,
        2019,
    ]
    assert by_id.loc["SS-06/lga_map_partnerships", "note_quote"] == "from 626 partnerships"
    assert by_id.loc["SS-05/lga_map_partnerships", "is_lower_bound"]
    brief = by_id.loc["BRIEF-01"]
    assert (brief["value_normalised"], brief["unit_normalised"], brief["year"]) == (
        32.0,
        "percent",
        2007,
    )
    assert not brief["is_source_verified"] and brief["source_url"] is None
    assert by_id.loc["SS-04", "year"] is pd.NA  # 'date not shown': no year is guessed


def _copy_with(tmp_path, old: str, new: str):
    path = tmp_path / BUNDLED_HEADLINE.name
    shutil.copyfile(BUNDLED_HEADLINE, path)
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return path


def test_a_changed_note_is_refused_rather_than_misread(tmp_path):
    path = _copy_with(tmp_path, "from 626 partnerships", "from 600 partnerships")
    with pytest.raises(ParseError, match="SS-06.*626 partnerships"):
        benchmark_rows(read_records(path))


def test_a_figure_without_its_source_address_is_refused(tmp_path):
    path = _copy_with(
        tmp_path,
        "5.4,GBP million,https://democracy.plymouth.gov.uk/mgAi.aspx?ID=44287",
        "5.4,GBP million,",
    )
    with pytest.raises(ParseError, match="row 22, column I.*source address"):
        read_records(path)


def test_an_unknown_council_is_an_error_naming_it(tmp_path):
    path = _copy_with(tmp_path, "Plymouth City Council", "Plymoth City Council")
    with pytest.raises(SourceError, match="Plymoth City Council"):
        efficiency_rows(read_records(path), resolver())


def test_schema_rejects_bad_rows_naming_file_row_and_record():
    df = returns()
    df.loc[0, "regime"] = "CSR10"
    df.loc[1, "gain_cashable_gbp"] = df.loc[1, "gain_total_gbp"] * 2
    df.loc[2, "body_id"] = "HAM"  # an England row with a body
    with pytest.raises(ValidationFailed) as err:
        validate_efficiency_returns(df)
    text = "\n".join(err.value.failures)
    assert "record AES-03" in text and "column regime" in text
    assert "cashable gain exceeds the total gain" in text
    assert "an England row has a body_id" in text


def test_schema_rejects_a_duplicate_key():
    df = returns()
    dup = pd.concat([df, df.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValidationFailed, match="duplicate key"):
        validate_efficiency_returns(dup)
