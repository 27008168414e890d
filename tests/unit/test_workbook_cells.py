"""Pure helpers: spreadsheet column letters and cell interpretation (sources.errors,
sources.workbook), the bundled catalogue of releases (sources.catalogue), and the landing zone
that keeps every source file once under its sha256 (warehouse.landing.land).

The cell values and markers used here are ones seen in the bundled RS workbooks.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import stat

import pytest

from sources.catalogue import BUNDLED_CATALOGUE, financial_years, load_catalogue
from sources.errors import Location, ParseError, SourceError, column_letter
from sources.workbook import Cell, as_int, parse_value, text
from warehouse import landing

SAMPLES = BUNDLED_CATALOGUE.parent
LOC = Location("RS_2017-18_data_by_LA.xlsx", "RS LA Data 2017-18", 220, "F")

# --- column letters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "index, letters",
    [(0, "A"), (4, "E"), (25, "Z"), (26, "AA"), (75, "BX"), (81, "CD"), (701, "ZZ"), (702, "AAA")],
)
def test_column_letter(index, letters):
    assert column_letter(index) == letters


def test_column_letter_rejects_negative_index():
    with pytest.raises(ValueError, match="column index must be >= 0, got -1"):
        column_letter(-1)


def test_location_reads_like_a_spreadsheet():
    assert str(LOC) == (
        "file 'RS_2017-18_data_by_LA.xlsx', sheet 'RS LA Data 2017-18', row 220, column F"
    )


# --- cell interpretation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell, expected",
    [
        (125570.0, Cell(125570.0, None)),  # RS 2007-08, Bath & NE Somerset, education
        (1023271, Cell(1023271.0, None)),  # an int cell (RS 2007-08, Birmingham, education)
        (-2547.896579634696, Cell(-2547.896579634696, None)),
        (0.0, Cell(0.0, None)),
        ("1,234.5", Cell(1234.5, None)),
        ("(12)", Cell(-12.0, None)),
        ("-12", Cell(-12.0, None)),
        ("…", Cell(None, "…", "not_available")),  # RS 2017-18: Copeland, no return
        ("...", Cell(None, "...", "not_available")),  # RS 2017-18: not collected
        ("[x]", Cell(None, "[x]", "not_available")),  # RS 2022-23 on: did not submit
        ("[note 7]", Cell(None, "[note 7]", "note_reference")),  # RS 2022-23, E2338
        ("[n][Note 12]", Cell(None, "[n][Note 12]", "note_reference")),
        ("#DIV/0!", Cell(None, "#DIV/0!", "not_available")),
        ("n/a", Cell(None, "n/a", "annotation")),  # RO2 2012-13, memorandum columns
        (
            "new item - no England estimate",
            Cell(None, "new item - no England estimate", "annotation"),
        ),
        ("", Cell(None, None)),
        ("   ", Cell(None, None)),
        (None, Cell(None, None)),
    ],
)
def test_parse_value(cell, expected):
    assert parse_value(cell, LOC) == expected


def test_markers_learned_from_a_notes_sheet_are_not_available_markers():
    # RSX 2022-23's Notes sheet defines 'M' (return not received); elsewhere 'M' is free text
    assert parse_value("M", LOC) == Cell(None, "M", "annotation")
    assert parse_value("M", LOC, learned=frozenset({"M"})) == Cell(None, "M", "not_available")


@pytest.mark.parametrize(
    "cell, what",
    [
        (True, "a true/false value"),
        (float("inf"), "not a finite"),
        (float("nan"), "not a finite"),
        ("inf", "not a finite number"),
        ("nan", "not a finite number"),
        ("1e400", "not a finite"),
        (2e10, "not a finite"),
    ],
)
def test_booleans_and_non_finite_numbers_are_parse_errors_naming_the_cell(cell, what):
    with pytest.raises(ParseError, match=what) as excinfo:
        parse_value(cell, LOC)
    assert str(excinfo.value).startswith(
        "file 'RS_2017-18_data_by_LA.xlsx', sheet 'RS LA Data 2017-18', row 220, column F: "
    )
    assert excinfo.value.location == LOC


def test_text_folds_whitespace_and_whole_floats():
    assert text("TOTAL SERVICE EXPENDITURE\n(total of lines 190 to 698) ") == (
        "TOTAL SERVICE EXPENDITURE (total of lines 190 to 698)"
    )
    assert text(190.0) == "190"
    assert text(None) == ""


@pytest.mark.parametrize(
    "cell, expected",
    [(190.0, 190), (699, 699), ("190", 190), (5.5, None), (True, None), ("", None)],
)
def test_as_int(cell, expected):
    assert as_int(cell) == expected


# --- catalogue -------------------------------------------------------------------------------


def test_bundled_catalogue_lists_22_releases_whose_files_exist():
    releases = load_catalogue()
    assert len(releases) == 22
    assert len({r.file_name for r in releases}) == 22
    missing = [r.file_name for r in releases if not r.path.is_file()]
    assert missing == []
    assert {r.dataset for r in releases} == {"revenue_outturn"}
    assert sorted(r.form for r in releases).count("RS") == 16
    assert [r.financial_year for r in releases if r.form == "RO2"] == [
        "2008-09",
        "2012-13",
        "2016-17",
    ]
    assert [r.financial_year for r in releases if r.form == "RO3"] == ["2008-09", "2010-11"]
    assert [r.financial_year for r in releases if r.form == "RSX"] == ["2022-23"]
    years = financial_years(releases)
    assert len(years) == 15
    assert (years[0], years[-1]) == ("2007-08", "2023-24")
    assert "2013-14" not in years and "2021-22" not in years


def test_bundled_catalogue_has_both_2017_18_editions():
    editions = {r.release: r for r in load_catalogue() if r.financial_year == "2017-18"}
    assert set(editions) == {"final", "revised"}
    assert editions["final"].file_name == "RS_2017-18_data_by_LA.xlsx"
    assert editions["revised"].file_name == "RS_2017-18_data_by_LA_revised_20-Mar-2019.xls"
    assert editions["final"].edition == "2017-18 final (2018-11-15)"
    assert editions["revised"].edition == "2017-18 revised (2019-03-20)"


def test_catalogue_release_without_date():
    (r2021,) = [r for r in load_catalogue() if r.financial_year == "2020-21"]
    assert r2021.release_date is None
    assert r2021.edition == "2020-21 final"


def test_catalogue_with_unknown_release_names_row_and_column(tmp_path):
    with BUNDLED_CATALOGUE.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows = rows[:3]
    rows[1]["release"] = "draft"  # the second data row: line 3 of the file
    path = tmp_path / "catalogue.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(SourceError) as excinfo:
        load_catalogue(path)
    assert str(excinfo.value) == (
        f"catalogue {path}, row 3, column release: 'draft' is not one of "
        "provisional, final, revised"
    )


def test_missing_catalogue_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="does not exist"):
        load_catalogue(tmp_path / "nowhere.csv")


# --- landing zone ----------------------------------------------------------------------------

SOURCE = SAMPLES / "RS_2015-16_data_by_LA.xlsx"
SOURCE_SHA256 = "4a4b811a33fb96cd4fbd58be28e3fec2caa7b44385947ae497c99cb523082cae"


def test_land_stores_bytes_under_their_sha256_read_only(tmp_path):
    data = SOURCE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == SOURCE_SHA256

    landed = landing.land(tmp_path / "landing", SOURCE)
    assert landed.is_new is True
    assert landed.sha256 == SOURCE_SHA256
    assert landed.bytes == len(data) == 485093
    assert landed.path == (
        tmp_path / "landing" / "sha256" / "4a" / SOURCE_SHA256 / "RS_2015-16_data_by_LA.xlsx"
    )
    assert landed.path.read_bytes() == data
    assert stat.S_IMODE(landed.path.stat().st_mode) == 0o444
    assert sorted(p.name for p in landed.path.parent.iterdir()) == [SOURCE.name]  # no .part


def test_second_landing_of_same_file_does_not_copy(tmp_path, monkeypatch):
    first = landing.land(tmp_path / "landing", SOURCE)
    before = first.path.stat()

    def no_copy(*args, **kwargs):
        raise AssertionError("land() copied a file that was already landed")

    monkeypatch.setattr(landing.shutil, "copyfile", no_copy)
    second = landing.land(tmp_path / "landing", SOURCE)
    assert second.is_new is False
    assert (second.sha256, second.bytes, second.path) == (first.sha256, 485093, first.path)
    after = second.path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert stat.S_IMODE(after.st_mode) == 0o444
    assert sorted(p.name for p in second.path.parent.iterdir()) == [SOURCE.name]


def test_same_bytes_under_another_name_are_not_stored_twice(tmp_path):
    renamed = tmp_path / "rs2015_16.xlsx"
    shutil.copyfile(SOURCE, renamed)
    first = landing.land(tmp_path / "landing", SOURCE)
    second = landing.land(tmp_path / "landing", renamed)
    assert second.sha256 == first.sha256
    assert second.is_new is False
    assert len(os.listdir(first.path.parent)) == 1


@pytest.mark.parametrize("published", ["(-12)", "12)", "(12", "1,2,3", ",5", "12.", "X", "£"])
def test_malformed_numbers_are_kept_as_annotations_not_read_as_numbers(published):
    assert parse_value(published, Location("f.xlsx", "Sheet1", 8, "F")) == Cell(
        None, published, "annotation"
    )
