"""The Hansard national series read from the bundled transcription: figures as published, in
pounds, years normalised, gaps left as gaps, and bad rows refused with file, row and column."""

import pytest

from sources.errors import ParseError
from sources.national_series.hansard import BUNDLED, read_series


@pytest.fixture(scope="module")
def series():
    return read_series(BUNDLED)


def test_every_figure_as_published_in_pounds(series):
    assert len(series) == 34
    by = series.set_index(["financial_year", "measure"])["value_gbp"]
    assert by[("1982-83", "la_revenue_expenditure_england")] == 19_737e6
    assert by[("1992-93", "la_revenue_expenditure_england")] == 38_945e6
    # Hansard writes '1999-2000': normalised to the warehouse's 'YYYY-YY'
    assert by[("1999-00", "revenue_expenditure_to_compare_with_TSS")] == pytest.approx(53.651e9)
    assert series.loc[series.financial_year == "2001-02", "is_budget"].all()
    assert not series.loc[series.financial_year == "2000-01", "is_budget"].any()


def test_the_gaps_are_not_filled(series):
    years = set(series.financial_year)
    for gap in ["1993-94", "1996-97", "2002-03", "2004-05", "2006-07"]:
        assert gap not in years
    assert series.source_url.str.startswith("http").all()
    assert (series.source_row >= 2).all()


def test_a_bad_unit_is_refused_with_its_location(tmp_path):
    text = BUNDLED.read_text(encoding="utf-8").replace(",19737,GBP million,", ",19737,furlongs,", 1)
    bad = tmp_path / "series.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError) as err:
        read_series(bad)
    message = str(err.value)
    assert "series.csv" in message and "unit" in message and "2" in message
