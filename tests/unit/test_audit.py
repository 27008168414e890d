"""Tests for warehouse.audit: Great Expectations suites run on small, realistic mart frames."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from warehouse.audit import MAX_EXAMPLES, AuditResult, ExpectationSpec, run_audit

ECODE = r"^E\d{4}$"
YEAR = r"^\d{4}-\d{2}$"


def outturn_frame() -> pd.DataFrame:
    """A few revenue-outturn-like rows, with dtypes as DuckDB's ``.df()`` gives them."""
    return pd.DataFrame(
        {
            "financial_year": ["2017-18", "2017-18", "2018-19", "2018-19", "2018-19"],
            "ecode": ["E0101", "E0102", "E0101", "E0102", "E0203"],
            "service": ["education", "highways", "education", "highways", "social_care"],
            "value": [125570.0, 30211.5, 127003.0, 29875.25, 88120.0],
        }
    )


def outturn_suite() -> list[ExpectationSpec]:
    return [
        ExpectationSpec("ExpectTableRowCountToBeBetween", {"min_value": 1}),
        ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": "financial_year"}),
        ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": "ecode"}),
        ExpectationSpec(
            "ExpectColumnValuesToMatchRegex", {"column": "financial_year", "regex": YEAR}
        ),
        ExpectationSpec("ExpectColumnValuesToMatchRegex", {"column": "ecode", "regex": ECODE}),
        ExpectationSpec(
            "ExpectColumnValuesToBeInSet",
            {"column": "service", "value_set": ["education", "highways", "social_care"]},
        ),
        ExpectationSpec("ExpectColumnValuesToBeBetween", {"column": "value", "min_value": 0}),
        ExpectationSpec(
            "ExpectCompoundColumnsToBeUnique", {"column_list": ["financial_year", "ecode"]}
        ),
    ]


def assert_no_progress_bars(capfd: pytest.CaptureFixture[str]) -> None:
    out, err = capfd.readouterr()
    for text in (out, err):
        assert "Calculating Metrics" not in text
        assert "%|" not in text
        assert "it/s" not in text


def test_import_is_cheap_and_dagster_free() -> None:
    code = (
        "import sys, warehouse.audit; "
        "print(sorted(m for m in ('great_expectations', 'dagster') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_passing_suite(capfd: pytest.CaptureFixture[str]) -> None:
    result = run_audit(outturn_frame(), "mart_outturn", outturn_suite())

    assert isinstance(result, AuditResult)
    assert result.success is True
    assert result.suite_name == "mart_outturn"
    assert result.evaluated == 8
    assert result.failures == []
    assert result.statistics["successful_expectations"] == 8
    assert result.statistics["row_count"] == 5
    assert result.summary() == (
        "GX audit 'mart_outturn' passed: 8 of 8 expectations met on 5 rows."
    )
    assert_no_progress_bars(capfd)


def test_failing_suite_names_check_column_and_offenders(
    capfd: pytest.CaptureFixture[str],
) -> None:
    df = outturn_frame()
    df.loc[1, "ecode"] = "X0102"
    df.loc[3, "ecode"] = "e0102"
    df.loc[4, "value"] = -88120.0

    result = run_audit(df, "mart_outturn", outturn_suite())

    assert result.success is False
    assert result.evaluated == 8
    assert result.statistics["unsuccessful_expectations"] == 2
    # In the order the expectations were given, not GX's internal order.
    regex, between = result.failures
    assert regex["kind"] == "ExpectColumnValuesToMatchRegex"
    assert regex["column"] == "ecode"
    assert regex["columns"] == ["ecode"]
    assert regex["kwargs"] == {"column": "ecode", "regex": ECODE}
    assert regex["unexpected_count"] == 2
    assert regex["element_count"] == 5
    assert regex["partial_unexpected_list"] == ["X0102", "e0102"]
    assert regex["exception"] is None
    assert between["kind"] == "ExpectColumnValuesToBeBetween"
    assert between["column"] == "value"
    assert between["unexpected_count"] == 1
    assert between["partial_unexpected_list"] == [-88120.0]
    assert "\n" not in regex["message"]

    summary = result.summary()
    lines = summary.splitlines()
    assert lines[0] == "GX audit 'mart_outturn' FAILED: 2 of 8 expectations failed on 5 rows."
    assert len(lines) == 3
    assert "ExpectColumnValuesToMatchRegex on column 'ecode'" in lines[1]
    assert "2 of 5 values unexpected" in lines[1]
    assert "'X0102', 'e0102'" in lines[1]
    assert "ExpectColumnValuesToBeBetween on column 'value' (min_value=0)" in lines[2]
    assert "-88120.0" in lines[2]
    assert_no_progress_bars(capfd)


def test_compound_uniqueness_and_row_count_failures() -> None:
    df = pd.concat([outturn_frame(), outturn_frame().iloc[[0]]], ignore_index=True)
    specs = [
        ExpectationSpec(
            "ExpectCompoundColumnsToBeUnique", {"column_list": ["financial_year", "ecode"]}
        ),
        ExpectationSpec("ExpectTableRowCountToBeBetween", {"min_value": 100}),
    ]

    result = run_audit(df, "mart_outturn_keys", specs)

    unique, rows = result.failures
    assert unique["kind"] == "ExpectCompoundColumnsToBeUnique"
    assert unique["column"] is None
    assert unique["columns"] == ["financial_year", "ecode"]
    assert unique["unexpected_count"] == 2  # both copies of the duplicated key
    assert rows["kind"] == "ExpectTableRowCountToBeBetween"
    assert rows["observed_value"] == 6
    assert rows["unexpected_count"] is None
    assert "columns 'financial_year', 'ecode'" in result.summary()
    assert "on the table (min_value=100): observed 6" in result.summary()


def test_examples_are_capped() -> None:
    df = pd.DataFrame({"ecode": [f"X{i:04d}" for i in range(30)]})
    spec = ExpectationSpec("ExpectColumnValuesToMatchRegex", {"column": "ecode", "regex": ECODE})

    (failure,) = run_audit(df, "many_bad", [spec]).failures

    assert failure["unexpected_count"] == 30
    assert len(failure["partial_unexpected_list"]) == MAX_EXAMPLES


def test_duckdb_dtypes_with_nulls() -> None:
    """DECIMAL comes back as float64, INTEGER with NULLs as pandas' nullable Int32."""
    df = duckdb.sql(
        """
        select * from (values
            ('2017-18', 'E0101', 125570.00::decimal(18, 2), 3::integer),
            ('2018-19', null, -12.50::decimal(18, 2), null::integer),
            ('2019-20', 'E0102', null::decimal(18, 2), 7::integer)
        ) as t(financial_year, ecode, value, authorities)
        """
    ).df()
    assert str(df["authorities"].dtype) == "Int32"
    specs = [
        ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": "ecode"}),
        ExpectationSpec("ExpectColumnValuesToBeBetween", {"column": "value", "min_value": 0}),
        ExpectationSpec("ExpectColumnValuesToBeBetween", {"column": "authorities", "min_value": 1}),
    ]

    result = run_audit(df, "duckdb_frame", specs)

    assert [(f["kind"], f["column"], f["unexpected_count"]) for f in result.failures] == [
        ("ExpectColumnValuesToNotBeNull", "ecode", 1),
        ("ExpectColumnValuesToBeBetween", "value", 1),
    ]
    assert result.failures[1]["partial_unexpected_list"] == [-12.5]
    assert "1 of 2 non-null values unexpected (50.00%)" in result.failures[1]["message"]


def test_missing_column_is_a_failure_not_a_crash() -> None:
    specs = [ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": "authority_code"})]

    result = run_audit(outturn_frame(), "mart_outturn", specs)

    assert result.success is False
    (failure,) = result.failures
    assert failure["column"] == "authority_code"
    assert "authority_code" in failure["exception"]
    assert "raised an error" in result.summary()


def test_bad_specs_are_rejected() -> None:
    frame = outturn_frame()
    with pytest.raises(ValueError, match="no expectations"):
        run_audit(frame, "empty", [])
    with pytest.raises(ValueError, match="unknown Great Expectations expectation"):
        run_audit(frame, "typo", [ExpectationSpec("ExpectColumnValuesToBeNotNull", {})])
    with pytest.raises(ValueError, match="max_vlue"):
        bad = {"column": "value", "min_value": 0, "max_vlue": 1}
        run_audit(frame, "typo", [ExpectationSpec("ExpectColumnValuesToBeBetween", bad)])


def test_docs_dir_gets_html_report_and_raw_json(tmp_path, capfd) -> None:
    df = outturn_frame()
    df.loc[2, "service"] = "<script>"
    docs = tmp_path / "docs" / "mart_outturn"

    result = run_audit(df, "mart_outturn", outturn_suite(), docs_dir=docs)

    page = (docs / "index.html").read_text(encoding="utf-8")
    assert "mart_outturn" in page
    assert "FAILED" in page
    assert "ExpectColumnValuesToBeInSet" in page
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert "http" not in page  # self-contained: no external assets
    raw = json.loads((docs / "validation.json").read_text(encoding="utf-8"))
    assert raw["suite_name"] == "mart_outturn"
    assert raw["success"] is False
    assert len(raw["results"]) == result.evaluated == 8
    assert_no_progress_bars(capfd)


def test_columns_read_are_the_named_and_conditioned_columns_in_table_order():
    from warehouse.audit import columns_read

    specs = [
        ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": "ecode"}),
        ExpectationSpec("ExpectCompoundColumnsToBeUnique", {"column_list": ["year", "ecode"]}),
        ExpectationSpec(
            "ExpectColumnValuesToBeBetween",
            {"column": "gbp", "min_value": 0, "row_condition": 'kind=="total" and flag==True'},
        ),
    ]
    table = ["year", "name", "ecode", "kind", "gbp", "flag", "note"]
    assert columns_read(specs, table) == ["year", "ecode", "kind", "gbp", "flag"]
    # a row count reads no column: one is kept so the frame has its rows
    count = [ExpectationSpec("ExpectTableRowCountToBeBetween", {"min_value": 1})]
    assert columns_read(count, table) == ["year"]
    # an expectation on the table's columns needs all of them
    whole = [ExpectationSpec("ExpectTableColumnsToMatchSet", {"column_set": table})]
    assert columns_read(whole, table) == table


def test_read_for_audit_reports_the_same_as_python_strings() -> None:
    """The mart read as Arrow with categorical text (warehouse.audit.read_for_audit) gives GX
    the same values: the same failures, counts and examples as the object-string frame, for
    every kind of expectation the suites use (regex, set, not null, between, unique, compound
    unique, row count, row conditions on text)."""
    from warehouse.audit import read_for_audit

    frame = outturn_frame()
    frame.loc[1, "ecode"] = "X0102"
    frame.loc[3, "ecode"] = None
    frame.loc[4, "value"] = -88120.0
    frame.loc[4, "service"] = "parks"
    frame = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    specs = [
        *outturn_suite(),
        ExpectationSpec("ExpectColumnValuesToBeUnique", {"column": "ecode"}),
        ExpectationSpec(
            "ExpectColumnValuesToBeBetween",
            {"column": "value", "min_value": 100_000, "row_condition": 'service=="education"'},
        ),
        ExpectationSpec("ExpectTableRowCountToBeBetween", {"min_value": 10}),
    ]
    con = duckdb.connect()
    con.execute("create table mart as select * from frame")

    read = read_for_audit(con, "mart", specs)

    assert str(read["ecode"].dtype) == "category" and str(read["value"].dtype) == "float64"
    expected = run_audit(con.execute("select * from mart").df(), "object", specs)
    got = run_audit(read, "categorical", specs)
    assert len(expected.failures) == 7
    keys = ("kind", "column", "unexpected_count", "element_count", "missing_count")
    assert [[f[k] for k in keys] for f in got.failures] == [
        [f[k] for k in keys] for f in expected.failures
    ]
    assert [sorted(map(str, f["partial_unexpected_list"] or [])) for f in got.failures] == [
        sorted(map(str, f["partial_unexpected_list"] or [])) for f in expected.failures
    ]


def test_a_large_frame_split_by_expectation_reports_the_same(monkeypatch) -> None:
    """Above SPLIT_ROWS each expectation is validated alone on the columns it reads (bounded
    memory): the failures, counts, examples and statistics are those of the whole suite."""
    import warehouse.audit as audit

    frame = outturn_frame()
    frame.loc[1, "ecode"] = "X0102"
    frame.loc[4, "value"] = -88120.0
    frame = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    specs = [
        *outturn_suite(),
        ExpectationSpec(
            "ExpectColumnValuesToBeBetween",
            {"column": "value", "min_value": 200_000, "row_condition": 'service=="education"'},
        ),
    ]
    whole = run_audit(frame, "whole", specs)
    monkeypatch.setattr(audit, "SPLIT_ROWS", 1)
    split = run_audit(frame, "split", specs)
    monkeypatch.setattr(audit, "CHUNK_ROWS", 2)  # and each value-wise check over 3 chunks
    chunked = run_audit(frame, "chunked", specs)

    keys = ("kind", "column", "unexpected_count", "element_count", "missing_count",
            "unexpected_percent", "partial_unexpected_list")  # fmt: skip
    assert len(whole.failures) == 4
    for result in (split, chunked):
        assert [[f[k] for k in keys] for f in result.failures] == [
            [f[k] for k in keys] for f in whole.failures
        ]
        assert [f["message"] for f in result.failures] == [f["message"] for f in whole.failures]
        assert (result.success, result.evaluated) == (False, len(specs))
        for key in ("evaluated_expectations", "successful_expectations", "row_count"):
            assert result.statistics[key] == whole.statistics[key]
