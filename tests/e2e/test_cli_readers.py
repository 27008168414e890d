"""The CLI behaves: --version, environment documented in --help, --json, a closed pipe."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

LGF = str(Path(sys.executable).with_name("lgf"))


def run(*args, data_dir=None, **kw):
    env = {**os.environ}
    if data_dir is not None:
        env["LGF_DATA_DIR"] = str(data_dir)
    return subprocess.run([LGF, *args], capture_output=True, text=True, env=env, **kw)


def test_version_and_help_document_the_environment():
    version = run("--version")
    assert version.returncode == 0 and version.stdout.startswith("lgf 0.")
    help_text = run("--help").stdout
    for name in ("LGF_DATA_DIR", "LGF_SOURCE", "LGF_CATALOGUE", "LGF_KEEP_RELEASES"):
        assert name in help_text
    assert "exit codes" in help_text
    for command in ("releases", "publish", "diff", "report"):
        assert f"usage: lgf {command}" in run(command, "--help").stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("publish",), 2, "give --rollback VERSION"),
        (("publish", "--rollback", "19990101-000000000000"), 2, "no release '19990101"),
        (("releases",), 1, "no releases in"),
        (("status",), 1, "no published warehouse"),
    ],
)
def test_clear_messages_without_a_warehouse(tmp_path, args, code, message):
    result = run(*args, data_dir=tmp_path)
    assert result.returncode == code and message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_closed_pipe_is_a_clean_exit(built):
    env = {**os.environ, "LGF_DATA_DIR": str(built.data_dir)}
    result = subprocess.run(
        f"'{LGF}' sql 'select * from marts.fct_net_current_expenditure' --format csv | head -2",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        env=env,
    )
    assert len(result.stdout.splitlines()) == 2
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr
    piped = subprocess.run(
        [
            "bash",
            "-o",
            "pipefail",
            "-c",
            f"'{LGF}' sql 'select 1 from range(200000)' --format csv | head -1",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert piped.returncode == 0, piped.stderr


def test_status_json(built):
    status = json.loads(run("status", "--json", data_dir=built.data_dir).stdout)
    editions = {(e["financial_year"], e["release"]) for e in status["editions"]}
    assert {("2017-18", "final"), ("2017-18", "revised")} <= editions
    assert all(len(e["source_sha256"]) == 64 for e in status["editions"])
