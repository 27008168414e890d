"""The benchmark harness at its tiny scale, quick (no pipeline run): every section is reported
with sane numbers, and the synthetic England it measures is labelled, deterministic and
reconciles. Timings are reported, never asserted."""

import csv
import math

import pytest
import python_calamine

from sources.catalogue import SAMPLES_DIR
from sources.revenue_outturn.la_data import parse_workbook, reconciliation
from tests.bench import harness
from tests.bench.synthetic import MARK, write_workbook
from warehouse.settings import PROJECT_ROOT
from warehouse.synthetic_guard import BENCHMARK_MARKER


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    report = out / "BENCHMARKS.md"
    report.write_text("# Benchmarks\n\nhand-written analysis kept\n")
    harness.main(["--scale", "tiny", "--quick", "--repeats", "1", "--out", str(out),
                  "--write", str(report)])  # fmt: skip
    return out, report.read_text()


def test_every_section_is_reported_with_sane_numbers(smoke):
    out, text = smoke
    assert "hand-written analysis kept" in text and harness.BEGIN in text
    for name in harness.SECTIONS:
        assert f"### {name}\n" in text
    assert "nproc" in text and "duckdb" in text and "command:" in text
    rows = [line.split("|")[1:-1] for line in text.splitlines() if line.startswith("| ")]
    measured = [r for r in rows if r[0].strip() != "measured"]
    parse_rows = [r for r in measured if "synthetic" in r[0] or "real" in r[0]]
    assert len(parse_rows) >= 6  # three real workbooks, each synthetic layout, the CSV
    for r in measured:
        this, base = r[1].strip(), r[3].strip()
        if this:
            assert 0 < float(this) < 3600, r
        if base:
            assert 0 < float(base) < 3600 and math.isfinite(float(r[4].strip(" ×"))), r
    assert "not measured in this run: quick run" in text  # refresh and dbt say why
    assert "failed:" not in text  # no section failed
    assert (out / BENCHMARK_MARKER).exists()


def test_synthetic_files_are_labelled_and_reconcile(smoke, tmp_path):
    out, _ = smoke
    folder = out / "synthetic"
    with (folder / "catalogue.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["synthetic"] == "true" for r in rows)
    assert all(r["file_name"].startswith("SYNTHETIC_") for r in rows)
    assert all(r["release_note"].startswith("SYNTHETIC") for r in rows)
    by_form = {(r["form"], r["financial_year"]): folder / r["file_name"] for r in rows}

    rs = parse_workbook(write_workbook(tmp_path, "RS", "2008-09").path)  # .xls-era layout
    book = python_calamine.CalamineWorkbook.from_path(str(rs.path))
    for name in book.sheet_names:
        assert str(book.get_sheet_by_name(name).to_python()[0][0]).startswith(MARK)
    assert rs.authority_count == 478  # the councils of 2008-09, as in the real workbook
    rec = reconciliation(rs)
    assert rec["reconciles"].all() and len(rec) > 40

    ro2 = parse_workbook(by_form[("RO2", "2022-23")])
    assert ro2.form == "RO2" and ro2.arithmetic_breaks == []
    assert set(ro2.values["column_code"].dropna()) >= {"C1", "C3", "C6", "C7"}
    assert reconciliation(ro2)["reconciles"].all()

    for year, councils in (("2022-23", 426), ("2023-24", 411)):
        accessible = parse_workbook(by_form[("RS", year)])
        assert accessible.path.suffix == ".ods" and accessible.authority_count == councils
        assert reconciliation(accessible)["reconciles"].all()
        assert _numbered_totals(accessible) >= _numbered_totals(_real_rs(year))
    # the real 2017-18 England and class rows print 0 over authority cells that are all '...'
    later = parse_workbook(write_workbook(tmp_path, "RS", "2017-18").path)
    real = _numbered_totals(_real_rs("2017-18"))
    assert len(real) == 665 and _numbered_totals(later) >= real


def _real_rs(year: str):
    return parse_workbook(SAMPLES_DIR / "revenue_outturn" / f"RS_{year}_data_by_LA.xlsx")


def _numbered_totals(parsed) -> set[tuple]:
    """The England and class-row cells holding a number: the audit refuses a published total
    without one, so a synthetic workbook has a number wherever the real layout does."""
    t = parsed.totals[parsed.totals["value_gbp_thousands"].notna()]
    keys = ["total_scope", "authority_class", "line_label", "line_occurrence", "column_code"]
    return set(t[keys].astype(str).itertuples(index=False, name=None))


def test_generation_is_deterministic(smoke, tmp_path):
    out, _ = smoke
    again = write_workbook(tmp_path, "RS", "2023-24")
    first = python_calamine.CalamineWorkbook.from_path(str(out / "synthetic" / again.path.name))
    second = python_calamine.CalamineWorkbook.from_path(str(again.path))
    for name in first.sheet_names:
        assert (
            first.get_sheet_by_name(name).to_python() == second.get_sheet_by_name(name).to_python()
        )


def test_pandas_baseline_england_row_is_the_workbooks(smoke):
    import duckdb

    out, _ = smoke
    con = duckdb.connect(str(out / "pandas_baseline" / "pandas_baseline.duckdb"), read_only=True)
    got = dict(
        con.execute(
            "select financial_year, england_published_gbp_thousands "
            "from marts.mart_england_net_current_expenditure "
            "where service_code = 'net_current_expenditure'"
        ).fetchall()
    )
    sums = dict(
        con.execute(
            "select financial_year, sum(net_current_expenditure_gbp_thousands) "
            "from marts.fct_net_current_expenditure "
            "where service_code = 'net_current_expenditure' group by 1"
        ).fetchall()
    )
    con.close()
    assert set(got) == {"2022-23", "2023-24"}
    for year, england in got.items():
        assert abs(england - sums[year]) <= 1.5  # synthetic England is the sum of its councils


@pytest.mark.parametrize(("form", "year"), [("RO1", "2007-08"), ("RO6", "2016-17")])
def test_detail_forms_written_in_ro2_layout_read_as_their_own_form(tmp_path, form, year):
    """England scale writes RO1, RO3-RO6 in RO2's layout: sheet names and titles carry the
    form and year written, so the reader takes the file as that form and year (a sheet still
    named 'RO2 LA Data 2008-09' made the England run refuse every RO1 file)."""
    f = write_workbook(tmp_path, form, year)
    parsed = parse_workbook(f.path, release=f.release)
    assert (parsed.form, parsed.financial_year) == (form, year)
    assert all(sheet.startswith(f"{form} LA Data {year}") for sheet in parsed.sheets)
    assert len(parsed.values) > 80_000
    assert reconciliation(parsed)["reconciles"].all()


def test_synthetic_detail_editions_have_their_published_authority_counts(tmp_path):
    """Where the bundle holds a real edition of a detail form and year (RO2, RO3), the
    synthetic one has that edition's councils: the warehouse's own dbt test compares each
    edition's authorities with expected_authority_counts (it failed the England run when RO3
    2008-09 was written with RO2's 405 councils instead of its own 388)."""
    seed = PROJECT_ROOT / "dbt" / "seeds" / "expected_authority_counts.csv"
    with seed.open() as fh:
        expected = [r for r in csv.DictReader(fh) if r["form"].startswith("RO")]
    assert {r["form"] for r in expected} >= {"RO2", "RO3"}
    for row in expected:
        f = write_workbook(tmp_path, row["form"], row["financial_year"])
        parsed = parse_workbook(f.path, release=f.release)
        assert (parsed.form, parsed.financial_year, parsed.release) == (
            row["form"], row["financial_year"], row["release"]
        )  # fmt: skip
        assert parsed.authority_count == int(row["authorities"]), row
