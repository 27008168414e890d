"""The published headline figures (sources.efficiency.headline) read from the real bundled file
into tidy rows (raw.headline_figures), and what is refused. What the figures mean (efficiency
rows, benchmarks, derived baselines) is dbt's: tests/integration/test_savings_marts.py."""

from __future__ import annotations

import functools
import shutil

import pandas as pd
import pytest

from sources.efficiency.headline import (
    BUNDLED_BRIEF,
    BUNDLED_HEADLINE,
    bundled_records,
    figure_rows,
    read_records,
)
from sources.efficiency.schema import validate_headline_figures
from sources.errors import ParseError, SourceError, ValidationFailed
from sources.reference.authorities import bundled_register
from sources.reference.resolve import AuthorityResolver


@functools.lru_cache(maxsize=1)
def resolver() -> AuthorityResolver:
    return AuthorityResolver(bundled_register())


@functools.lru_cache(maxsize=1)
def _figures() -> pd.DataFrame:
    return figure_rows(bundled_records(), resolver())


def figures() -> pd.DataFrame:
    return _figures().copy()


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


def test_tidy_rows_pass_their_schema_with_values_normalised():
    df = figures()
    validate_headline_figures(df)
    assert len(df) == 32
    by_id = df.set_index("record_id")
    assert by_id.loc["AES-01", "value_normalised"] == 6.45e9
    assert by_id.loc["AES-03", ["value_normalised", "financial_year"]].tolist() == [
        760e6,
        "2004-05",
    ]
    assert by_id.loc["AES-10", "financial_year"] == "2007-08"  # the last year of a range
    assert by_id.loc["SS-01", ["value_normalised", "unit_normalised", "year"]].tolist() == [
        337,
        "councils",
        2013,
    ]
    assert by_id.loc["SS-06", "value_normalised"] == 1.34e9
    assert by_id.loc["SS-04", "year"] is pd.NA  # 'date not shown': no year is guessed
    assert by_id.loc["AES-09", "is_approximate"] and not by_id.loc["AES-08", "is_approximate"]
    brief = by_id.loc["BRIEF-01"]
    assert (brief["value_normalised"], brief["unit_normalised"], brief["year"]) == (
        32.0,
        "percent",
        2007,
    )
    assert brief["source_url"] is None
    assert (
        df["source_file"].isin(["published_headline_figures.csv", "brief_benchmarks.csv"])
    ).all()


def test_named_councils_resolve_to_their_legal_bodies():
    df = figures()
    bodies = df.dropna(subset=["body_id"]).groupby("authority_as_published")["body_id"].unique()
    assert {k: list(v) for k, v in bodies.items()} == {
        "Bath & North East Somerset": ["BAS"],
        "Hampshire County Council": ["HAM"],
        "Leicestershire County Council": ["LEC"],
        "Plymouth City Council": ["PLY"],
        "Staffordshire Moorlands District Council": ["STF"],
    }
    # a partnership is not a council: not resolved
    assert df.set_index("record_id").loc["SS-08", "body_id"] is None


def _copy_with(tmp_path, old: str, new: str):
    path = tmp_path / BUNDLED_HEADLINE.name
    shutil.copyfile(BUNDLED_HEADLINE, path)
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return path


def test_a_figure_without_its_source_address_is_refused(tmp_path):
    path = _copy_with(
        tmp_path,
        "5.4,GBP million,https://democracy.plymouth.gov.uk/mgAi.aspx?ID=44287",
        "5.4,GBP million,",
    )
    with pytest.raises(ParseError, match="row 22, column I.*source address"):
        read_records(path)


def test_an_unknown_unit_is_refused(tmp_path):
    path = _copy_with(tmp_path, "337,councils,", "337,parishes,")
    with pytest.raises(SourceError, match="unit 'parishes'"):
        figure_rows(read_records(path))


def test_an_unknown_council_is_an_error_naming_it(tmp_path):
    path = _copy_with(tmp_path, "Plymouth City Council", "Plymoth City Council")
    with pytest.raises(SourceError, match="Plymoth City Council"):
        figure_rows(read_records(path), resolver())


def test_schema_rejects_bad_rows_naming_file_row_and_record():
    df = figures()
    df.loc[0, "unit_normalised"] = "furlongs"
    df.loc[1, "source_url"] = "ftp://example.org"
    df.loc[2, "body_id"] = "not a body"
    with pytest.raises(ValidationFailed) as err:
        validate_headline_figures(df)
    text = "\n".join(err.value.failures)
    assert "record AES-01" in text and "column unit_normalised" in text
    assert "record AES-02" in text and "column source_url" in text
    assert "record AES-03" in text and "column body_id" in text


def test_schema_rejects_a_record_twice():
    df = figures()
    with pytest.raises(ValidationFailed, match="record_id"):
        validate_headline_figures(pd.concat([df, df.iloc[[0]]], ignore_index=True))
