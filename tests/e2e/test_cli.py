"""The `lgf` command as a user runs it, in a subprocess."""

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sources.catalogue import SAMPLES_DIR

LGF = str(Path(sys.executable).with_name("lgf"))
RS = SAMPLES_DIR / "revenue_outturn"


def lgf(*args, data_dir=None, check=True, **kw):
    env = {**os.environ}
    if data_dir is not None:
        env["LGF_DATA_DIR"] = str(data_dir)
    result = subprocess.run([LGF, *args], capture_output=True, text=True, env=env, **kw)
    if check and result.returncode != 0:
        raise AssertionError(f"lgf {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.mark.parametrize("command", ["refresh", "status", "parse", "sql", "discover"])
def test_help_explains_each_command(command):
    out = lgf(command, "--help").stdout
    assert "usage: lgf " + command in out
    assert len(out.splitlines()) > 4


def test_parse_writes_tidy_csv_and_parquet(tmp_path):
    path = RS / "RS_2022-23_data_by_LA.xlsx"
    result = lgf("parse", str(path), "--output", str(tmp_path / "rs.csv"))
    assert "426 authorities" in result.stderr
    frame = pd.read_csv(tmp_path / "rs.csv", low_memory=False)
    assert frame["ecode"].nunique() == 426
    assert len(frame) == 426 * 159
    assert frame.duplicated(["ecode", "line_label", "line_occurrence"]).sum() == 0
    assert (frame["value_marker"] == "[x]").sum() == 669
    lgf("parse", str(path), "--totals", "--output", str(tmp_path / "totals.parquet"))
    totals = pd.read_parquet(tmp_path / "totals.parquet")
    assert set(totals["total_scope"]) == {"england", "class"}


def test_parse_to_stdout_and_clear_error_on_unsupported_file(tmp_path):
    result = lgf("parse", str(RS / "RS_2008-09_data_by_LA.xls"))
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert frame["ecode"].nunique() == 478
    html = tmp_path / "page.xlsx"
    html.write_text("<html><body>Not found</body></html>")
    bad = lgf("parse", str(html), check=False)
    assert bad.returncode == 2
    assert "page.xlsx" in bad.stderr and "cannot be read as a spreadsheet" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_sql_and_status_on_the_published_warehouse(built):
    out = lgf(
        "sql",
        "select financial_year, round(england_published_gbp_thousands) as nce "
        "from marts.mart_england_net_current_expenditure "
        "where service_code = 'net_current_expenditure' order by 1",
        "--format",
        "csv",
        data_dir=built.data_dir,
    ).stdout
    frame = pd.read_csv(io.StringIO(out))
    assert dict(zip(frame.financial_year, frame.nce, strict=True))["2019-20"] == 110_330_326
    status = lgf("status", data_dir=built.data_dir).stdout
    assert "2017-18  RS   revised" in status and "2017-18  RS   final" in status
    assert status.count(" RS ") == 16
    bad = lgf("sql", "select * from no_such_table", data_dir=built.data_dir, check=False)
    assert bad.returncode == 1 and "no_such_table" in bad.stderr


def test_sql_without_a_warehouse_says_how_to_build_one(tmp_path):
    result = lgf("sql", "select 1", data_dir=tmp_path, check=False)
    assert result.returncode == 1
    assert "make run" in result.stderr


def test_sql_reads_the_published_file_while_refresh_runs(built_copy):
    """Readers open only the published copy, so they work during a whole refresh."""
    env = {**os.environ, "LGF_DATA_DIR": str(built_copy.data_dir)}
    refresh = subprocess.Popen(
        [LGF, "refresh", "2017-18", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    answers = []
    try:
        while refresh.poll() is None:
            result = lgf(
                "sql",
                "select count(*) from marts.fct_net_current_expenditure",
                "--format",
                "csv",
                data_dir=built_copy.data_dir,
            )
            answers.append(int(result.stdout.splitlines()[1]))
            time.sleep(0.2)
    finally:
        out, err = refresh.communicate(timeout=300)
    assert refresh.returncode == 0, err
    assert len(answers) >= 3  # queried repeatedly while the refresh ran
    assert len(set(answers)) == 1  # every answer came from a complete publication


def test_parse_accepts_the_multi_year_csv_and_ro_workbooks(tmp_path):
    csv_file = RS / "Revenue_Outturn_time_series_RS_services_subset_2017-18_to_2023-24.csv"
    result = lgf("parse", str(csv_file), "-o", str(tmp_path / "ts.parquet"))
    assert "RS 2017-18 to 2023-24 (revised)" in result.stderr
    frame = pd.read_parquet(tmp_path / "ts.parquet")
    assert len(frame) == 42280 and (frame["value_marker"] == "not submitted").sum() == 252
    ro2 = RS / "Revenue_Outturn__RO2__data_2008-09_by_LA_-_Revised_17-Nov-2011.xls"
    result = lgf("parse", str(ro2), "-o", str(tmp_path / "ro2.csv"))
    assert "RO2 2008-09 (revised)" in result.stderr
    assert "279 of 279 lines equal the sum of authority rows" in result.stderr
    assert "arithmetic:" not in result.stderr


def test_parse_accepts_spend_files_and_names_unknown_layouts(tmp_path):
    spend = SAMPLES_DIR / "spend_over_500" / "odileeds_darlington_2021-07.csv"
    result = lgf("parse", str(spend), "-o", str(tmp_path / "d.csv"))
    assert "1753 transaction lines" in result.stderr and "NEPO" not in result.stderr
    frame = pd.read_csv(tmp_path / "d.csv")
    assert len(frame) == 1753 and int(frame["is_buying_organisation"].sum()) == 13
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("Foo,Bar\n1,2\n")  # synthetic: a layout nobody publishes
    bad = lgf("parse", str(unknown), check=False)
    assert bad.returncode == 2 and "['Foo', 'Bar']" in bad.stderr
