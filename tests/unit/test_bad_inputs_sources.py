"""The cheap half of the bad-input corpus: faults refused before anything is parsed or built.

Catalogue faults (built from the real bundled catalogue and workbooks), file names that try to
leave their folder, and servers that fail, trickle or lie (a real HTTP server on 127.0.0.1 with
small limits). Each case has its expected message; none may end in a traceback. The cases that
need a built warehouse (and check it is byte-identical after each refusal) are in
tests/integration/test_bad_inputs.py.
"""

from __future__ import annotations

import contextlib
import http.server
import io
import threading
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

from dagster_project.cli import EXIT_BAD_INPUT, main
from sources.acquire import acquire
from sources.catalogue import BUNDLED_CATALOGUE, SAMPLES_DIR, load_catalogue, safe_file_name
from sources.discover import base_name
from sources.errors import SourceError
from sources.fetch import FetchError, _file_name, fetch, make_session
from warehouse import landing

RS = SAMPLES_DIR / "revenue_outturn"
REAL_XLSX = RS / "RS_2016-17_data_by_LA.xlsx"
LINES = BUNDLED_CATALOGUE.read_text(encoding="utf-8").splitlines()
HEADER = LINES[0]


def row_for(file_name: str) -> str:
    return next(line for line in LINES if line.startswith(file_name + ","))


def write_catalogue(folder: Path, header: str, rows: list[str], encoding="utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "catalogue.csv"
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


ROW_2016 = row_for("RS_2016-17_data_by_LA.xlsx")


def _replace_field(row: str, index: int, value: str) -> str:
    import csv

    fields = next(csv.reader([row]))
    fields[index] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    return out.getvalue()


COLUMNS = HEADER.split(",")
CATALOGUE_CASES = {
    # name: (header, rows, encoding, expected message fragment)
    "missing_file_name_column": (
        ",".join(COLUMNS[1:]),
        [ROW_2016.split(",", 1)[1]],
        "utf-8",
        "missing column(s) file_name in its header row",
    ),
    "empty_file_name": (
        HEADER,
        [_replace_field(ROW_2016, 0, "")],
        "utf-8",
        "row 2, column file_name: empty",
    ),
    "release_draft": (
        HEADER,
        [_replace_field(ROW_2016, COLUMNS.index("release"), "draft")],
        "utf-8",
        "row 2, column release: 'draft' is not one of provisional, final, revised",
    ),
    "cp1252_catalogue": (
        HEADER,
        [_replace_field(ROW_2016, COLUMNS.index("release_note"), "Final outturn £ – revised")],
        "cp1252",
        "line 2: not UTF-8 (byte 0xa3",
    ),
    "year_not_a_financial_year": (
        HEADER,
        [_replace_field(ROW_2016, COLUMNS.index("financial_year"), "2016/17")],
        "utf-8",
        "column financial_year: '2016/17' is not a financial year like 2017-18",
    ),
    "year_not_consecutive": (
        HEADER,
        [_replace_field(ROW_2016, COLUMNS.index("financial_year"), "2016-18")],
        "utf-8",
        "'2016-18' is not a financial year",
    ),
    "release_date_not_iso": (
        HEADER,
        [_replace_field(ROW_2016, COLUMNS.index("release_date"), "20-Mar-2019")],
        "utf-8",
        "column release_date: '20-Mar-2019' is not a date YYYY-MM-DD",
    ),
    "same_edition_twice": (
        HEADER,
        [ROW_2016, ROW_2016],
        "utf-8",
        "row 3: the same edition (revenue_outturn RS 2016-17 final) as row 2",
    ),
    "traversal_file_name": (
        HEADER,
        [_replace_field(ROW_2016, 0, "../../../../etc/passwd")],
        "utf-8",
        "file_name '../../../../etc/passwd' is not a plain file name",
    ),
    "absolute_file_name": (
        HEADER,
        [_replace_field(ROW_2016, 0, "/etc/passwd")],
        "utf-8",
        "file_name '/etc/passwd' is not a plain file name",
    ),
    "windows_traversal_file_name": (
        HEADER,
        [_replace_field(ROW_2016, 0, "..\\..\\secrets.xlsx")],
        "utf-8",
        "is not a plain file name",
    ),
    "dots_only_file_name": (
        HEADER,
        [_replace_field(ROW_2016, 0, "..")],
        "utf-8",
        "file_name '..' is not a plain file name",
    ),
}


@pytest.mark.parametrize("case", sorted(CATALOGUE_CASES))
def test_catalogue_faults_are_messages_naming_the_catalogue_row(tmp_path, case):
    header, rows, encoding, expected = CATALOGUE_CASES[case]
    path = write_catalogue(tmp_path / "cat", header, rows, encoding)
    with pytest.raises(SourceError) as info:
        load_catalogue(path)
    assert expected in str(info.value)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("case", sorted(CATALOGUE_CASES))
def test_catalogue_faults_end_lgf_refresh_with_exit_2_and_no_traceback(
    tmp_path, monkeypatch, capsys, case
):
    header, rows, encoding, expected = CATALOGUE_CASES[case]
    path = write_catalogue(tmp_path / "cat", header, rows, encoding)
    monkeypatch.setenv("LGF_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LGF_CATALOGUE", str(path))
    assert main(["refresh", "--quiet"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("lgf refresh: ") and expected in err
    assert "Traceback" not in err
    assert not list((tmp_path / "data").glob("published/**/*.duckdb"))  # nothing published


def test_a_missing_catalogue_and_a_missing_file_are_messages(tmp_path):
    with pytest.raises(SourceError, match="does not exist"):
        load_catalogue(tmp_path / "nope.csv")
    path = write_catalogue(tmp_path / "cat", HEADER, [ROW_2016])  # the workbook is not there
    (release,) = load_catalogue(path)
    with pytest.raises(SourceError, match="RS_2016-17_data_by_LA.xlsx, which is not in its folder"):
        acquire(release, "samples", tmp_path / "scratch")


def test_the_real_catalogues_still_load(tmp_path):
    releases = load_catalogue(BUNDLED_CATALOGUE)
    assert len(releases) == len(LINES) - 1 >= 17  # every row, none refused
    assert all(r.path.is_file() for r in releases)


def test_a_symlink_out_of_the_folder_is_refused(tmp_path):
    folder = tmp_path / "cat"
    folder.mkdir()
    (folder / "RS_2016-17_data_by_LA.xlsx").symlink_to("/etc/passwd")
    with pytest.raises(SourceError, match="leads outside the folder"):
        safe_file_name("RS_2016-17_data_by_LA.xlsx", folder, where="test")


def test_a_mirror_directory_is_never_left(tmp_path):
    path = write_catalogue(tmp_path / "cat", HEADER, [ROW_2016])
    (release,) = load_catalogue(path)
    bad = release.__class__(**{**release.__dict__, "file_name": "../../etc/passwd"})
    with pytest.raises(SourceError, match="is not a plain file name"):
        acquire(bad, str(tmp_path / "mirror"), tmp_path / "scratch")


def test_server_supplied_names_are_reduced_to_safe_base_names():
    assert base_name("../../etc/passwd") == "passwd"
    assert base_name("..\\..\\RS_2016-17_data_by_LA.xlsx") == "RS_2016-17_data_by_LA.xlsx"
    assert base_name("..") is None and base_name("a/..") is None
    assert _file_name("http://127.0.0.1/files/..%2F..%2Fetc%2Fpasswd", "xlsx") == (
        "etc_passwd.xlsx"
    )
    assert _file_name("http://127.0.0.1/%2E%2E", "xls") == "download.xls"


# --- servers: failing, trickling, lying -----------------------------------------------------

BODY = REAL_XLSX.read_bytes()


def _zip_not_a_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("readme.txt", "not a spreadsheet")
    return out.getvalue()


class Server(http.server.BaseHTTPRequestHandler):
    hits: dict[str, int] = {}

    def do_GET(self):  # noqa: N802
        Server.hits[self.path] = Server.hits.get(self.path, 0) + 1
        kind = self.path.strip("/").split(".")[0]
        if kind == "error500":
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if kind == "trickle":  # a byte inside every read timeout, forever
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            try:
                for byte in BODY:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.3)
            except OSError:
                pass
            return
        body = {
            "truncated": BODY[: len(BODY) // 2],
            "html": b"<!DOCTYPE html><html><body>Sign in</body></html>",
            "zip": _zip_not_a_workbook(),
            "empty": b"",
            "good": BODY,
        }[kind]
        self.send_response(200)
        length = len(BODY) if kind == "truncated" else len(body)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Server)
    srv.daemon_threads = True
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


SERVER_CASES = {
    "error500": "HTTP 500",
    "truncated": "truncated: expected",
    "html": "wrong format: expected xlsx, got HTML",
    "zip": "wrong format: expected xlsx, got a ZIP archive that is not a spreadsheet",
    "empty": "wrong format: expected xlsx, got an empty file",
}


@pytest.mark.parametrize("kind", sorted(SERVER_CASES))
def test_failing_and_lying_servers_are_refused_with_their_reason(server, tmp_path, kind):
    with pytest.raises(FetchError) as info:
        fetch(
            f"{server}/{kind}.xlsx",
            tmp_path,
            expected_format="xlsx",
            session=make_session(retries=1, backoff=0),
            timeout=(2, 2),
            deadline=20,
        )
    assert SERVER_CASES[kind] in str(info.value)
    assert f"{server}/{kind}.xlsx" in str(info.value)
    assert list(tmp_path.iterdir()) == []  # nothing left behind


def test_a_trickling_server_is_stopped_by_the_overall_deadline(server, tmp_path):
    """One byte every 0.3 s never trips a 2 s read timeout; the 1.5 s deadline stops it."""
    with pytest.raises(FetchError) as info:
        fetch(
            f"{server}/trickle.xlsx",
            tmp_path,
            expected_format="xlsx",
            session=make_session(retries=0),
            timeout=(2, 2),
            deadline=1.5,
        )
    assert "overall deadline exceeded: no complete answer within 1.5 s" in str(info.value)
    time.sleep(0.5)  # the worker saw the shut socket and removed its partial file
    assert list(tmp_path.iterdir()) == []


def test_a_good_server_still_delivers_the_real_workbook(server, tmp_path):
    result = fetch(f"{server}/good.xlsx", tmp_path, expected_format="xlsx", deadline=20)
    assert result.path.read_bytes() == BODY and result.path.parent == tmp_path


# --- the manifest: each file once, no machine paths -------------------------------------------


def test_the_manifest_records_each_file_once_with_a_relative_path(tmp_path):
    data = tmp_path / "data"
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    fields = {"dataset": "revenue_outturn", "form": "RS", "financial_year": "2016-17"}
    for _ in range(3):  # three refreshes of the same file
        landed = landing.land(data / "landing", REAL_XLSX)
        landing.record(con, landed, data, release="final", url="https://x/RS.xlsx", **fields)
    rows = con.execute("select landed_path, sha256 from raw.landing_manifest").fetchall()
    assert len(rows) == 1
    path, sha = rows[0]
    assert path == f"landing/sha256/{sha[:2]}/{sha}/RS_2016-17_data_by_LA.xlsx"
    assert landing.resolve_landed_path(path, data).read_bytes() == BODY
    # new validators update the row, they do not add one
    landing.record(
        con, landed, data, release="final", url="https://x/RS.xlsx", etag='"e2"', **fields
    )
    assert con.execute("select count(*), any_value(etag) from raw.landing_manifest").fetchone() == (
        1,
        '"e2"',
    )
    # a different release of the same bytes is another file of the catalogue: its own row
    landing.record(con, landed, data, release="revised", url="https://x/RS.xlsx", **fields)
    assert con.execute("select count(*) from raw.landing_manifest").fetchone() == (2,)


def test_old_manifests_are_deduplicated_and_lose_their_machine_paths(tmp_path):
    data = tmp_path / "data"
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema raw")
    con.execute(landing.MANIFEST_DDL)
    landed = landing.land(data / "landing", REAL_XLSX)
    for _ in range(4):  # what a working database from before held: a row per refresh
        con.execute(
            "insert into raw.landing_manifest values ('revenue_outturn', 'RS', '2016-17', "
            "'final', null, 'x.xlsx', 'u', '', null, null, ?, 1, ?, now())",
            [landed.sha256, str(landed.path)],
        )
    landing.record(con, landed, data, dataset="revenue_outturn", form="RS",
                   financial_year="2016-17", release="final", url="u")  # fmt: skip
    (path,) = con.execute("select landed_path from raw.landing_manifest").fetchall()
    assert not path[0].startswith("/") and path[0].startswith("landing/sha256/")


# --- CLI arguments ------------------------------------------------------------------------------


def test_bad_cli_arguments_are_usage_messages_with_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["forget", "2017-18", "draft"])
    assert info.value.code == EXIT_BAD_INPUT
    assert "invalid choice: 'draft'" in capsys.readouterr().err


def test_forget_with_nothing_loaded_is_a_message(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LGF_DATA_DIR", str(tmp_path))
    assert main(["forget", "2017-18", "revised"]) == 1
    assert "nothing is loaded" in capsys.readouterr().err


def test_the_exit_codes_are_documented_in_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for code in ("0 ", "1 ", "2 ", "3 ", "70 ", "130 "):
        assert f"\n  {code}" in out
