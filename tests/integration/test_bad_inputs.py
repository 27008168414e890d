"""The bad-input corpus against a built warehouse: each case is refused with its message, the
file is kept in the landing zone, and the published warehouse is byte-identical afterwards.

Every case is built from the real bundled files (the 2016-17 RS workbook, a year in which two
authorities made no return, edited cell by cell in its sheet XML) and loaded through the real
refresh with a one-off catalogue (LGF_CATALOGUE) or mirror (LGF_SOURCE). One built warehouse is
copied once for the module; most refusals happen while loading the partition, before dbt, so
they are cheap. Also here: `lgf forget` undoing a bad 'revised' edition, and two refreshes of
unchanged inputs publishing identical tables (per-table checksums).
"""

from __future__ import annotations

import hashlib
import http.server
import io
import shutil
import threading
import zipfile
from pathlib import Path

import duckdb
import pytest

from dagster_project.cli import main
from dagster_project.pipeline import RefreshFailed, run_refresh
from sources.catalogue import SAMPLES_DIR
from sources.errors import SourceError
from sources.revenue_outturn.la_data import parse_workbook
from sources.revenue_outturn.schema import validate_revenue_outturn
from tests.conftest import catalogue_row, make_catalogue
from warehouse.settings import Settings

RS = SAMPLES_DIR / "revenue_outturn"
NAME = "RS_2016-17_data_by_LA.xlsx"
SOURCE = RS / NAME
SHEET_XML = "xl/worksheets/sheet3.xml"  # 'RS LA Data 2016-17'
# Row 102 is Tendring (E1542); column L its 'Cultural and related services', 2355 (GBP thousand).
ECODE_CELL = b'<c r="A102" s="137" t="s"><v>241</v></c>'
VALUE_CELL = b'<c r="L102" s="92"><v>2355</v></c>'


def edited(*edits: tuple[bytes, bytes]) -> bytes:
    """The real workbook with cells of its data sheet replaced (each old cell occurs once)."""
    out = io.BytesIO()
    with zipfile.ZipFile(SOURCE) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == SHEET_XML:
                for old, new in edits:
                    assert data.count(old) == 1, old
                    data = data.replace(old, new)
            zout.writestr(info, data)
    return out.getvalue()


def inline(cell: bytes, text: str) -> bytes:
    """The same cell holding an inline string instead."""
    head = cell.split(b">", 1)[0].replace(b' t="s"', b"")
    return head + f' t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def _zip_of_text() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("readme.txt", "this is not a spreadsheet")
    return out.getvalue()


ENCRYPTED = (
    bytes.fromhex("D0CF11E0A1B11AE1")
    + bytes(504)
    + "EncryptionInfo".encode("utf-16-le")
    + "EncryptedPackage".encode("utf-16-le")
    + bytes(4096)
)
REAL = SOURCE.read_bytes()
ROW = catalogue_row(NAME)

# name: (file bytes, catalogue row, expected message fragments)
CASES: dict[str, tuple[bytes, str, list[str]]] = {
    "empty_file": (b"", ROW, [f"{NAME} is named as a workbook but is an empty file"]),
    "html_posing_as_workbook": (
        b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>Sign in</body></html>",
        ROW,
        ["is named as a workbook but is HTML (an error or landing page?)"],
    ),
    "zip_posing_as_workbook": (
        _zip_of_text(),
        ROW,
        ["is named as a workbook but is a ZIP archive that is not a spreadsheet"],
    ),
    "csv_posing_as_workbook": (
        b"ecode,authority,value\nE1542,Tendring,2355\n",
        ROW,
        ["is named as a workbook but is plain text (csv)"],
    ),
    "encrypted_workbook": (
        ENCRYPTED,
        ROW,
        ["is named as a workbook but is an encrypted (password-protected) workbook"],
    ),
    "truncated_workbook": (
        REAL[: len(REAL) // 2],
        ROW,
        ["is named as a workbook but is a damaged or truncated ZIP container"],
    ),
    "year_contradicts_catalogue": (
        REAL,
        ROW.replace(",2016-17,", ",2017-18,", 1),
        ["the workbook is RS 2016-17, but the catalogue says RS 2017-18"],
    ),
    "unknown_authority": (
        edited((ECODE_CELL, inline(ECODE_CELL, "E9999"))),
        ROW,
        ["row 102: E-code E9999 ('Tendring') is not in the authority register"],
    ),
    "duplicated_authority": (
        edited((ECODE_CELL, inline(ECODE_CELL, "E0101"))),
        ROW,
        ["row 102", "row 8", "multiple_fields_uniqueness"],
    ),
    "boolean_in_value_cell": (
        edited((VALUE_CELL, VALUE_CELL.replace(b'"><v>2355', b'" t="b"><v>1'))),
        ROW,
        ["row 102, column L: cell holds a true/false value, not a number in £ thousand"],
    ),
    "number_too_large_1e400": (
        edited((VALUE_CELL, VALUE_CELL.replace(b"2355", b"1e400"))),
        ROW,
        ["row 102, column L: cell holds", "which is not a finite £ thousand figure"],
    ),
    "text_1e400": (
        edited((VALUE_CELL, inline(VALUE_CELL, "1e400"))),
        ROW,
        ["row 102, column L: cell holds", "which is not a finite £ thousand figure"],
    ),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def warehouse(built, tmp_path_factory) -> Settings:
    """One private copy of the built warehouse for the whole module."""
    target = tmp_path_factory.mktemp("bad_inputs") / "data"
    shutil.copytree(built.data_dir, target, symlinks=True)
    return Settings(data_dir=target)


def landed_names(settings: Settings) -> set[str]:
    return {p.name for p in settings.landing_dir.glob("sha256/*/*/*")}


def refuse(settings: Settings, expected: list[str], years=None) -> str:
    before = sha256(settings.published_db)
    with pytest.raises((RefreshFailed, SourceError)) as info:
        run_refresh(settings, years=years, say=lambda _: None, log_level="CRITICAL")
    message = str(info.value)
    for fragment in expected:
        assert fragment in message, message
    assert "Traceback" not in message
    assert sha256(settings.published_db) == before  # the publication was not touched
    return message


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_bad_file_is_refused_with_its_message(warehouse, tmp_path, case):
    body, row, expected = CASES[case]
    name = f"{case}_{NAME}"
    catalogue = make_catalogue(tmp_path / "cat", {name: body}, [row.replace(NAME, name, 1)])
    settings = Settings(data_dir=warehouse.data_dir, catalogue=catalogue)
    refuse(settings, expected)
    landed = (warehouse.landing_dir / "sha256").glob(f"*/{hashlib.sha256(body).hexdigest()}/*")
    assert any(landed)  # refused on sight or after reading: the bytes are kept for a look


def test_an_unedited_rewrite_of_the_workbook_is_accepted(tmp_path):
    """The control: the rewriting alone changes nothing the parser reads."""
    path = tmp_path / NAME
    path.write_bytes(edited())
    ours, theirs = parse_workbook(path), parse_workbook(SOURCE)
    assert ours.authority_count == theirs.authority_count
    assert len(ours.values) == len(theirs.values) == theirs.authority_count * 94
    assert ours.values["value_gbp_thousands"].sum() == theirs.values["value_gbp_thousands"].sum()
    assert (ours.values["value_marker"] == "…").sum() == 2 * 94  # the two non-returns


def test_text_in_a_value_cell_is_kept_verbatim_never_read_as_a_number(tmp_path):
    """Accepted correctly: 'two thousand' where Tendring's 2355 was is kept as the publisher's
    text (an annotation), the value is missing, not zero and not a guess."""
    path = tmp_path / NAME
    path.write_bytes(edited((VALUE_CELL, inline(VALUE_CELL, "two thousand"))))
    values = validate_revenue_outturn(parse_workbook(path).values, NAME)
    cell = values[(values["source_row"] == 102) & (values["source_column"] == "L")]
    assert cell[["ecode", "value_marker"]].values.tolist() == [["E1542", "two thousand"]]
    assert cell["value_gbp_thousands"].isna().all()


def test_a_catalogue_climbing_out_of_its_folder_is_refused(warehouse, tmp_path):
    catalogue = make_catalogue(tmp_path / "cat", {}, [ROW.replace(NAME, "../../../../etc/passwd")])
    settings = Settings(data_dir=warehouse.data_dir, catalogue=catalogue)
    refuse(settings, ["file_name '../../../../etc/passwd' is not a plain file name"])
    assert "passwd" not in landed_names(warehouse)


def test_a_mirror_without_the_file_is_a_message(warehouse, tmp_path):
    catalogue = make_catalogue(tmp_path / "cat", {NAME: SOURCE}, [ROW])
    (tmp_path / "mirror").mkdir()
    settings = Settings(
        data_dir=warehouse.data_dir, catalogue=catalogue, source=str(tmp_path / "mirror")
    )
    refuse(settings, [f"the mirror {tmp_path / 'mirror'} has no {NAME} (2016-17 final"])


class Failing(http.server.BaseHTTPRequestHandler):
    body: dict[str, tuple[int, bytes]] = {}

    def do_GET(self):  # noqa: N802
        status, body = Failing.body.get(self.path.lstrip("/"), (404, b""))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def failing_mirror():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "status, body, expected",
    [
        (500, b"", "HTTP 500"),
        (200, b"<html><body>Please sign in</body></html>", "wrong format: expected xlsx, got HTML"),
        (200, ENCRYPTED, "wrong format: expected xlsx, got an encrypted (password-protected)"),
    ],
    ids=["server_500", "server_html_as_workbook", "server_encrypted_workbook"],
)
def test_failing_mirror_servers_are_refused(
    warehouse, tmp_path, failing_mirror, status, body, expected
):
    Failing.body = {NAME: (status, body)}
    catalogue = make_catalogue(tmp_path / "cat", {NAME: SOURCE}, [ROW])
    settings = Settings(data_dir=warehouse.data_dir, catalogue=catalogue, source=failing_mirror)
    refuse(settings, [f"{failing_mirror}{NAME}: {expected}"])


def test_one_council_times_1000_in_a_year_with_non_returns_is_refused(warehouse, tmp_path):
    """The case the issue found published: Tendring's 2355 as 2355000 in 2016-17 (two
    authorities made no return). The gap is not plausible as imputation for those two, so the
    reconciliation test fails, naming the file, line and council, and nothing is published."""
    name = f"x1000_{NAME}"
    body = edited((VALUE_CELL, VALUE_CELL.replace(b"2355", b"2355000")))
    catalogue = make_catalogue(tmp_path / "cat", {name: body}, [ROW.replace(NAME, name, 1)])
    settings = Settings(data_dir=warehouse.data_dir, catalogue=catalogue)
    refuse(
        settings,
        [
            "FAIL reconciliation to the England row",
            f"{name} (2016-17 RS final), line",
            "'Cultural and related services'",
            "is not plausible as imputation for the 2 authorities that made no return",
            "E1542 Tendring: 2015-16",
            "-> 2355000.0",
        ],
    )


# --- undoing a load, and idempotency -----------------------------------------------------------


def published(settings: Settings, sql: str):
    con = duckdb.connect(str(settings.published_db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


CHECKSUMS = """
    select table_schema || '.' || table_name from information_schema.tables
    where table_schema in ('raw', 'marts') order by 1
"""


def checksums(settings: Settings) -> dict[str, tuple]:
    con = duckdb.connect(str(settings.published_db), read_only=True)
    try:
        tables = [t for (t,) in con.execute(CHECKSUMS).fetchall()]
        return {
            t: con.execute(
                f"select count(*), md5(coalesce(string_agg(md5(x::varchar), '' "
                f"order by md5(x::varchar)), '')) from {t} as x"
            ).fetchone()
            for t in tables
        }
    finally:
        con.close()


def test_two_refreshes_of_unchanged_inputs_publish_identical_tables(built_copy):
    """Every published table (raw and marts) is identical between refreshes of unchanged
    inputs. After a fresh build, the first refresh reloads tables resolved through the register
    that were loaded before it in the same run (their reference_load_log time moves, nothing
    else); from then on nothing changes at all."""
    first = checksums(built_copy)
    assert len(first) > 20 and {"raw.landing_manifest", "marts.fct_revenue_outturn"} <= set(first)
    run_refresh(built_copy, say=lambda _: None, log_level="CRITICAL")
    second = checksums(built_copy)
    assert {t for t, v in second.items() if first.get(t) != v} <= {"raw.reference_load_log"}
    run_refresh(built_copy, say=lambda _: None, log_level="CRITICAL")
    third = checksums(built_copy)
    assert {t: v for t, v in third.items() if second.get(t) != v} == {}
    manifest = published(
        built_copy,
        "select count(*), count(distinct (dataset, form, financial_year, release, url, sha256)), "
        "count(*) filter (where landed_path like '/%') from raw.landing_manifest",
    )
    rows, distinct, absolute = manifest[0]
    assert rows == distinct and absolute == 0


def test_forget_undoes_a_bad_revised_edition_and_republishes_without_it(
    built_copy, tmp_path, monkeypatch, capsys
):
    """A one-off catalogue loads a 'revised' 2016-17 edition, which becomes current; `lgf forget
    2016-17 revised` removes it and republishes with the final edition current again."""
    name = f"one_off_{NAME}"
    revised = ROW.replace(NAME, name, 1).replace(",final,", ",revised,", 1)
    catalogue = make_catalogue(tmp_path / "cat", {name: edited()}, [revised])
    run_refresh(
        Settings(data_dir=built_copy.data_dir, catalogue=catalogue),
        say=lambda _: None,
        log_level="CRITICAL",
    )
    current = (
        "select distinct release from marts.fct_net_current_expenditure "
        "where financial_year = '2016-17'"
    )
    assert published(built_copy, current) == [("revised",)]
    # a later ordinary refresh keeps it: nothing else would ever remove it
    monkeypatch.setenv("LGF_DATA_DIR", str(built_copy.data_dir))
    monkeypatch.delenv("LGF_CATALOGUE", raising=False)
    monkeypatch.setenv("LGF_SOURCE", "samples")
    assert main(["forget", "2016-17", "revised"]) == 0
    err = capsys.readouterr().err
    assert f"forgot 2016-17 revised RS ({name}" in err
    assert published(built_copy, current) == [("final",)]
    assert published(
        built_copy, "select count(*) from raw.load_log where release = 'revised' "
        "and financial_year = '2016-17'"
    ) == [(0,)]  # fmt: skip
    assert published(
        built_copy, f"select count(*) from raw.landing_manifest where file_name = '{name}'"
    ) == [(0,)]
    assert name in landed_names(built_copy)  # the bytes stay in the landing zone
    # forgetting what the catalogue still lists is refused: the next refresh would reload it
    assert main(["forget", "2016-17", "final", "--no-rebuild"]) == 2
    assert "is still listed in the bundled catalogue" in capsys.readouterr().err
