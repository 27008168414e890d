"""The README is true: every ```sh block in it is run here exactly as written, and so is every
```python block.

The rule (also stated in the README): blocks run with bash (`-e -o pipefail`) from a folder
laid out like the project's root (`.venv`, `sources`, `dbt` linked in, `data` a private copy
of the test warehouse, with LGF_DATA_DIR pointing at it), so relative paths resolve as they do
for a reader in a clone after `make run`. A block is skipped only when the line just above it
is `<!-- readme-test: skip (reason) -->`, and the reason must be given: `make run` and
`make test` (CI runs those itself), a long-running server, installs from a registry (tests run
offline), commands that need state the test cannot set up honestly. The SQL block is run by
tests/integration/test_spending_growth.py.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = re.compile(r"<!-- readme-test: skip \((?P<reason>[^)]+)\) -->\s*$")


def readme_blocks(language: str) -> list[tuple[int, str, str | None]]:
    """(line number, code, skip reason or None) of every fenced block in that language."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    blocks, i = [], 0
    while i < len(lines):
        if lines[i].strip() == f"```{language}":
            start = i
            j = i + 1
            while lines[j].strip() != "```":
                j += 1
            above = lines[start - 1] if start else ""
            match = SKIP.search(above)
            blocks.append((start + 1, "\n".join(lines[start + 1 : j]), match and match["reason"]))
            i = j
        i += 1
    return blocks


def test_the_readme_rule_holds():
    sh = readme_blocks("sh")
    assert len(sh) >= 5
    run = [b for b in sh if b[2] is None]
    assert len(run) >= 2  # most commands are run, not excused
    for line, _code, reason in sh:
        assert reason is None or len(reason) > 20, f"README line {line}: say why it is skipped"
    commands = "\n".join(code for _, code, reason in run)
    for needed in (
        "lgf sql",
        "lgf status",
        "lgf parse",
        "lgf refresh",
        "lgf releases",
        "lgf report",
    ):
        assert needed in commands


@pytest.fixture
def project_like(built_copy, tmp_path):
    """A folder laid out like the project's root after `make run`."""
    root = tmp_path / "clone"
    root.mkdir()
    for name in (".venv", "sources", "dbt", "warehouse", "dagster_project"):
        (root / name).symlink_to(ROOT / name)
    (root / "data").symlink_to(built_copy.data_dir)
    env = {**os.environ, "LGF_DATA_DIR": str(built_copy.data_dir)}
    return root, env


def test_every_sh_block_runs_as_written(project_like):
    root, env = project_like
    bash = shutil.which("bash")
    for line, code, reason in readme_blocks("sh"):
        if reason is not None:
            continue
        result = subprocess.run(
            [bash, "-e", "-o", "pipefail", "-c", code],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert result.returncode == 0, f"README line {line}:\n{code}\n{result.stderr[-3000:]}"
        assert "Traceback" not in result.stderr, f"README line {line}: {result.stderr[-3000:]}"
    # what the commands made, where the README says
    assert (root / "rs.parquet").stat().st_size > 10_000
    assert "data-status='loading'" in (root / "report.html").read_text(encoding="utf-8")


def test_every_python_block_runs_as_written(project_like):
    root, env = project_like
    blocks = readme_blocks("python")
    assert blocks
    for line, code, reason in blocks:
        if reason is not None:
            continue
        result = subprocess.run(
            [str(root / ".venv" / "bin" / "python"), "-c", code],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"README line {line}:\n{result.stderr[-3000:]}"
