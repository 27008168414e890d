"""sources.fetch against a real HTTP server on 127.0.0.1 serving the real bundled workbooks.

Each test gets its own ThreadingHTTPServer on an ephemeral port whose answer per path is a small
function the test chooses (a file with ETag/Last-Modified honouring conditional GETs, a status,
a truncated body, a slow answer, an HTML error page, a gov.uk content API document). The server
records every request it saw, so the tests count requests and read the headers that were sent.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from sources.catalogue import BUNDLED_CATALOGUE
from sources.fetch import (
    Attachment,
    FetchError,
    FetchResult,
    Validators,
    fetch,
    make_session,
    pick_attachment,
    resolve_govuk_attachments,
    sniff_format,
)

SAMPLES = BUNDLED_CATALOGUE.parent
XLSX = SAMPLES / "RS_2015-16_data_by_LA.xlsx"
XLS = SAMPLES / "RS_2008-09_data_by_LA.xls"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HTML_ERROR_PAGE = (
    b"<!DOCTYPE html>\n<html lang='en'><head><title>Page not found - GOV.UK</title></head>"
    b"<body><h1>Page not found</h1><p>If you entered a web address, check it is correct.</p>"
    b"</body></html>\n"
)
GOVUK_PAGE = "https://www.gov.uk/government/statistics/some-slug"

Route = Callable[["Handler"], None]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Handler(BaseHTTPRequestHandler):
    server: LocalServer.HTTPServer

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        with owner.lock:
            owner.seen.append((path, dict(self.headers.items())))
        route = owner.routes.get(path)
        try:
            if route is None:
                send(self, 404, b"not found", "text/plain")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeouts, size cap): nothing to answer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class LocalServer:
    """A ThreadingHTTPServer on 127.0.0.1:<ephemeral> with per-path routes and a request log."""

    class HTTPServer(ThreadingHTTPServer):
        daemon_threads = True
        owner: LocalServer

    def __init__(self, tls: ssl.SSLContext | None = None):
        self.routes: dict[str, Route] = {}
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()  # set at teardown: wakes handlers that are 'sleeping'
        self.httpd = self.HTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.owner = self
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.scheme = "https" if tls else "http"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def hits(self, path: str) -> list[dict[str, str]]:
        with self.lock:
            return [headers for p, headers in self.seen if p == path]

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


# --- routes ---------------------------------------------------------------------------------


def send(
    h: BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
    length: bool = True,
) -> None:
    h.send_response(status)
    if content_type:
        h.send_header("Content-Type", content_type)
    if length:
        h.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    h.end_headers()
    h.wfile.write(body)


def file_route(
    data: bytes, content_type: str = XLSX_MIME, etag: str | None = "auto", last_modified=True
) -> Route:
    """200 with the bytes and validators; 304 when the request's validators match."""
    tag = f'"{sha256(data)[:16]}"' if etag == "auto" else etag
    modified = formatdate(1_700_000_000, usegmt=True) if last_modified else None
    validators = {"ETag": tag, "Last-Modified": modified}
    validators = {k: v for k, v in validators.items() if v}

    def route(h: BaseHTTPRequestHandler) -> None:
        inm, ims = h.headers.get("If-None-Match"), h.headers.get("If-Modified-Since")
        if (inm is not None and inm == tag) or (inm is None and ims and ims == modified):
            send(h, 304, headers=validators, length=False)
        else:
            send(h, 200, data, content_type, validators)

    return route


def status_route(status: int, headers: dict[str, str] | None = None) -> Route:
    return lambda h: send(h, status, f"error {status}".encode(), "text/plain", headers)


def sequence(*routes: Route) -> Route:
    """The n-th request gets the n-th route (the last one repeats)."""
    calls = iter(range(10_000))

    def route(h: BaseHTTPRequestHandler) -> None:
        routes[min(next(calls), len(routes) - 1)](h)

    return route


def truncated_route(data: bytes) -> Route:
    """Content-Length of the whole file, then half the bytes, then the connection closes."""

    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", XLSX_MIME)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data[: len(data) // 2])
        h.wfile.flush()
        h.close_connection = True

    return route


def slow_route(server: LocalServer, seconds: float, data: bytes) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        server.stop.wait(seconds)
        send(h, 200, data, XLSX_MIME)

    return route


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as s:
        yield s


@pytest.fixture
def session() -> Iterator[requests.Session]:
    s = make_session(retries=3, backoff=0.01)
    s.trust_env = False  # never route 127.0.0.1 through a proxy from the environment
    yield s
    s.close()


def quick_session(retries: int) -> requests.Session:
    s = make_session(retries=retries, backoff=0.01)
    s.trust_env = False
    return s


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- fetch ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("sample", "fmt"), [(XLSX, "xlsx"), (XLS, "xls")])
def test_200_downloads_real_file_with_its_hash_and_validators(
    server, session, tmp_path, sample, fmt
):
    data = sample.read_bytes()
    server.routes[f"/media/abc/{sample.name}"] = file_route(data)
    url = server.url(f"/media/abc/{sample.name}")

    result = fetch(url, tmp_path, expected_format=fmt, session=session)

    assert result.status == "downloaded"
    assert result.path == tmp_path / sample.name
    assert result.path.read_bytes() == data
    assert result.bytes == len(data) == sample.stat().st_size
    assert result.sha256 == sha256(data)
    assert result.format == fmt == sniff_format(result.path)
    assert result.etag == f'"{sha256(data)[:16]}"'
    assert result.last_modified == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert result.content_type == XLSX_MIME
    assert result.url == result.final_url == url
    assert listing(tmp_path) == [sample.name]  # the .part file was renamed, nothing else
    hits = server.hits(f"/media/abc/{sample.name}")
    assert len(hits) == 1
    assert "If-None-Match" not in hits[0] and "If-Modified-Since" not in hits[0]
    assert hits[0]["User-Agent"].startswith("lgf-warehouse/")


@pytest.mark.parametrize("with_etag", [True, False], ids=["etag", "last-modified-only"])
def test_unchanged_release_costs_one_conditional_request(server, session, tmp_path, with_etag):
    data = XLSX.read_bytes()
    server.routes["/rs.xlsx"] = file_route(data, etag="auto" if with_etag else None)
    first = fetch(server.url("/rs.xlsx"), tmp_path / "a", expected_format="xlsx", session=session)
    assert first.status == "downloaded"
    stored = Validators(etag=first.etag, last_modified=first.last_modified)  # as a manifest would
    assert stored == first.validators
    assert (stored.etag is not None) == with_etag

    second_dir = tmp_path / "b"
    second = fetch(
        server.url("/rs.xlsx"),
        second_dir,
        expected_format="xlsx",
        validators=stored,
        session=session,
    )

    assert second.status == "not_modified"
    assert second.path is None and second.bytes is None and second.sha256 is None
    assert second.validators == stored
    assert listing(second_dir) == []  # nothing written, not even a .part file
    hits = server.hits("/rs.xlsx")
    assert len(hits) == 2  # one for the first download, exactly one for the re-check
    assert hits[1].get("If-None-Match") == stored.etag
    assert hits[1]["If-Modified-Since"] == "Tue, 14 Nov 2023 22:13:20 GMT"


def test_404_is_an_error_naming_status_and_url_without_retries(server, session, tmp_path):
    url = server.url("/media/gone/RS_2015-16_data_by_LA.xlsx")

    with pytest.raises(FetchError) as err:
        fetch(url, tmp_path, expected_format="xlsx", session=session)

    assert "404" in str(err.value) and url in str(err.value)
    assert err.value.status == 404 and err.value.url == url
    assert len(server.hits("/media/gone/RS_2015-16_data_by_LA.xlsx")) == 1
    assert listing(tmp_path) == []


def test_500_then_200_succeeds_after_one_retry(server, session, tmp_path):
    data = XLSX.read_bytes()
    server.routes["/rs.xlsx"] = sequence(status_route(500), file_route(data))

    result = fetch(server.url("/rs.xlsx"), tmp_path, expected_format="xlsx", session=session)

    assert result.status == "downloaded"
    assert result.sha256 == sha256(data)
    assert len(server.hits("/rs.xlsx")) == 2


def test_persistent_503_gives_up_after_the_retries(server, tmp_path):
    server.routes["/rs.xlsx"] = status_route(503, {"Retry-After": "0"})
    with quick_session(retries=2) as s, pytest.raises(FetchError) as err:
        fetch(server.url("/rs.xlsx"), tmp_path, expected_format="xlsx", session=s)

    assert "HTTP 503" in str(err.value) and err.value.status == 503
    assert len(server.hits("/rs.xlsx")) == 3  # first try + 2 retries
    assert listing(tmp_path) == []


def test_truncated_body_is_an_error_and_leaves_no_file(server, session, tmp_path):
    data = XLSX.read_bytes()
    server.routes["/rs.xlsx"] = truncated_route(data)

    with pytest.raises(FetchError) as err:
        fetch(server.url("/rs.xlsx"), tmp_path, expected_format="xlsx", session=session)

    message = str(err.value)
    assert "truncated" in message
    assert f"expected {len(data)} bytes, got {len(data) // 2}" in message
    assert listing(tmp_path) == []
    assert len(server.hits("/rs.xlsx")) == 1


def test_read_timeout_is_an_error_within_bounded_time_and_retries(server, tmp_path):
    server.routes["/slow.xlsx"] = slow_route(server, 2.0, XLSX.read_bytes())
    started = time.monotonic()
    with quick_session(retries=2) as s, pytest.raises(FetchError) as err:
        fetch(
            server.url("/slow.xlsx"), tmp_path, expected_format="xlsx", session=s, timeout=(1, 0.5)
        )
    elapsed = time.monotonic() - started

    assert "timeout" in str(err.value)
    assert 1.4 < elapsed < 4.0  # 3 attempts x 0.5 s read timeout, small backoff
    assert len(server.hits("/slow.xlsx")) == 3
    assert listing(tmp_path) == []


def test_body_that_stalls_is_a_timeout_and_not_retried(server, session, tmp_path):
    data = XLSX.read_bytes()

    def stall(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data[:1000])
        h.wfile.flush()
        server.stop.wait(2.0)

    server.routes["/rs.xlsx"] = stall
    started = time.monotonic()
    with pytest.raises(FetchError) as err:
        fetch(
            server.url("/rs.xlsx"),
            tmp_path,
            expected_format="xlsx",
            session=session,
            timeout=(1, 0.3),
        )

    assert time.monotonic() - started < 2.0
    # 'got' counts bytes handed over by urllib3, which reads in 64 KiB chunks: here 0, not 1000
    assert f"truncated: expected {len(data)} bytes, got " in str(err.value)
    assert "timeout" in str(err.value)
    assert len(server.hits("/rs.xlsx")) == 1  # urllib3 retries stop once the headers arrived
    assert listing(tmp_path) == []


def test_connection_refused_is_an_error(tmp_path):
    with socket.socket() as sock:  # a port that was free a moment ago and has no listener
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with quick_session(retries=1) as s, pytest.raises(FetchError) as err:
        fetch(f"http://127.0.0.1:{port}/rs.xlsx", tmp_path, expected_format="xlsx", session=s)
    assert "connection failed" in str(err.value)
    assert listing(tmp_path) == []


@pytest.mark.parametrize(
    ("body", "content_type", "expected", "found"),
    [
        (HTML_ERROR_PAGE, "text/html; charset=utf-8", "xlsx", "HTML"),
        (HTML_ERROR_PAGE, "application/octet-stream", "csv", "HTML"),
        (XLS.read_bytes(), "application/vnd.ms-excel", "xlsx", "xls"),
        (XLSX.read_bytes(), XLSX_MIME, "xls", "xlsx"),
        (b'{"error": "not found"}', "application/json", "csv", "JSON"),
        (b"", XLSX_MIME, "xlsx", "empty"),
    ],
    ids=["html-as-xlsx", "html-as-csv", "xls-as-xlsx", "xlsx-as-xls", "json-as-csv", "empty"],
)
def test_bytes_not_in_the_promised_format_are_an_error(
    server, session, tmp_path, body, content_type, expected, found
):
    server.routes["/RS_2015-16_data_by_LA.file"] = file_route(body, content_type)

    with pytest.raises(FetchError) as err:
        fetch(
            server.url("/RS_2015-16_data_by_LA.file"),
            tmp_path,
            expected_format=expected,
            session=session,
        )

    message = str(err.value)
    assert f"expected {expected}" in message and found in message
    assert listing(tmp_path) == []
    assert len(server.hits("/RS_2015-16_data_by_LA.file")) == 1


@pytest.mark.parametrize("content_length", [True, False], ids=["declared", "undeclared"])
def test_size_cap_aborts_and_leaves_no_file(server, session, tmp_path, content_length):
    data = XLSX.read_bytes()
    server.routes["/rs.xlsx"] = lambda h: send(h, 200, data, XLSX_MIME, length=content_length)

    with pytest.raises(FetchError) as err:
        fetch(
            server.url("/rs.xlsx"),
            tmp_path,
            expected_format="xlsx",
            session=session,
            max_bytes=len(data) // 4,
        )

    assert "size cap exceeded" in str(err.value) and str(len(data) // 4) in str(err.value)
    assert listing(tmp_path) == []


def test_gzip_content_encoding_checks_wire_length_and_hashes_decoded_bytes(
    server, session, tmp_path
):
    data = BUNDLED_CATALOGUE.read_bytes()
    packed = gzip.compress(data)
    server.routes["/catalogue.csv"] = lambda h: send(
        h, 200, packed, "text/csv", {"Content-Encoding": "gzip"}
    )

    result = fetch(server.url("/catalogue.csv"), tmp_path, expected_format="csv", session=session)

    assert result.status == "downloaded"
    assert result.path.read_bytes() == data
    assert result.bytes == len(data) and result.sha256 == sha256(data)


def test_json_and_csv_are_accepted_when_promised(server, session, tmp_path):
    server.routes["/data.json"] = file_route(b'{"rows": [1, 2]}', "application/json")
    server.routes["/catalogue.csv"] = file_route(BUNDLED_CATALOGUE.read_bytes(), "text/csv")
    as_json = fetch(server.url("/data.json"), tmp_path, expected_format="json", session=session)
    as_csv = fetch(server.url("/catalogue.csv"), tmp_path, expected_format="csv", session=session)
    assert (as_json.format, as_json.bytes) == ("json", 16)
    assert as_csv.sha256 == sha256(BUNDLED_CATALOGUE.read_bytes())
    assert listing(tmp_path) == ["catalogue.csv", "data.json"]


def test_unknown_expected_format_is_rejected_before_any_request(server, session, tmp_path):
    with pytest.raises(ValueError, match="expected_format"):
        fetch(server.url("/x.pdf"), tmp_path, expected_format="pdf", session=session)
    assert server.seen == []


@pytest.fixture(scope="module")
def tls(tmp_path_factory) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1, and its path."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context, cert


def test_tls_is_verified_even_when_the_session_says_not_to(tls, tmp_path):
    with LocalServer(tls=tls[0]) as tls_server, quick_session(retries=3) as s:
        tls_server.routes["/rs.xlsx"] = file_route(XLSX.read_bytes())
        s.verify = False  # a caller's session cannot turn verification off
        with pytest.raises(FetchError) as err:
            fetch(tls_server.url("/rs.xlsx"), tmp_path, expected_format="xlsx", session=s)
        assert "TLS" in str(err.value) and "CERTIFICATE_VERIFY_FAILED" in str(err.value)
        assert tls_server.seen == []  # the handshake failed: no request was ever made
    assert listing(tmp_path) == []


def test_tls_with_a_trusted_ca_bundle_downloads(tls, tmp_path):
    data = XLSX.read_bytes()
    with LocalServer(tls=tls[0]) as tls_server, quick_session(retries=0) as s:
        tls_server.routes["/rs.xlsx"] = file_route(data)
        s.verify = str(tls[1])  # a CA bundle (e.g. a corporate proxy's) is still verification
        result = fetch(tls_server.url("/rs.xlsx"), tmp_path, expected_format="xlsx", session=s)
    assert result.url.startswith("https://") and result.sha256 == sha256(data)


def test_https_redirected_to_plain_http_is_refused(tls, server, tmp_path):
    server.routes["/rs.xlsx"] = file_route(XLSX.read_bytes())
    with LocalServer(tls=tls[0]) as tls_server, quick_session(retries=0) as s:
        tls_server.routes["/rs.xlsx"] = lambda h: send(
            h, 302, headers={"Location": server.url("/rs.xlsx")}
        )
        s.verify = str(tls[1])
        with pytest.raises(FetchError) as err:
            fetch(tls_server.url("/rs.xlsx"), tmp_path, expected_format="xlsx", session=s)
    assert "redirected from https to plain http" in str(err.value)
    assert listing(tmp_path) == []


# --- gov.uk content API ---------------------------------------------------------------------


def content_item(attachments: list[dict]) -> bytes:
    """A document shaped like https://www.gov.uk/api/content/government/statistics/<slug>."""
    return json.dumps(
        {
            "base_path": "/government/statistics/some-slug",
            "document_type": "official_statistics",
            "schema_name": "publication",
            "title": "Local authority revenue expenditure and financing England: 2015 to 2016",
            "details": {"attachments": attachments, "documents": ["<div>...</div>"]},
        }
    ).encode()


ATTACHMENTS = [
    {
        "attachment_type": "file",
        "title": "Revenue outturn (RS) 2015 to 2016: data by local authority",
        "url": "https://assets.publishing.service.gov.uk/media/abc/RS_2015-16_data_by_LA.xlsx",
        "content_type": XLSX_MIME,
        "filename": "RS_2015-16_data_by_LA.xlsx",
    },
    {
        "attachment_type": "file",
        "title": "Revenue outturn (RS) 2015 to 2016: data by local authority (CSV)",
        "url": "/media/def/RS_2015-16_data_by_LA.csv",
        "content_type": "text/csv",
        "filename": "RS_2015-16_data_by_LA.csv",
    },
    {
        "attachment_type": "html",
        "title": "Local authority revenue expenditure 2015-16: statistical release",
        "url": "/government/statistics/some-slug/statistical-release",
        "content_type": "text/html",
    },
]


def test_govuk_attachments_are_resolved_through_the_content_api(server, session):
    api_path = "/api/content/government/statistics/some-slug"
    server.routes[api_path] = file_route(content_item(ATTACHMENTS), "application/json")

    found = resolve_govuk_attachments(
        GOVUK_PAGE, session=session, api_base=server.url("/api/content")
    )

    assert found == [
        Attachment(
            title="Revenue outturn (RS) 2015 to 2016: data by local authority",
            url="https://assets.publishing.service.gov.uk/media/abc/RS_2015-16_data_by_LA.xlsx",
            content_type=XLSX_MIME,
            filename="RS_2015-16_data_by_LA.xlsx",
            page_url=GOVUK_PAGE,
        ),
        Attachment(
            title="Revenue outturn (RS) 2015 to 2016: data by local authority (CSV)",
            url="https://assets.publishing.service.gov.uk/media/def/RS_2015-16_data_by_LA.csv",
            content_type="text/csv",
            filename="RS_2015-16_data_by_LA.csv",
            page_url=GOVUK_PAGE,
        ),
        Attachment(
            title="Local authority revenue expenditure 2015-16: statistical release",
            url="https://www.gov.uk/government/statistics/some-slug/statistical-release",
            content_type="text/html",
            filename="statistical-release",
            page_url=GOVUK_PAGE,
        ),
    ]
    hits = server.hits(api_path)
    assert len(hits) == 1 and hits[0]["Accept"] == "application/json"

    assert pick_attachment(found, r"\.xlsx$") is found[0]
    assert pick_attachment(found, r"\(csv\)") is found[1]  # titles match too, ignoring case
    with pytest.raises(FetchError) as ambiguous:
        pick_attachment(found, r"RS_2015-16")
    message = str(ambiguous.value)
    assert "2 attachments match" in message and GOVUK_PAGE in message
    assert "RS_2015-16_data_by_LA.xlsx" in message and "RS_2015-16_data_by_LA.csv" in message
    with pytest.raises(FetchError) as none:
        pick_attachment(found, r"\.ods$")
    assert "no attachment matches" in str(none.value)
    assert all(a.filename in str(none.value) for a in found)


def test_resolve_pick_and_fetch_end_to_end(server, session, tmp_path):
    data = XLSX.read_bytes()
    server.routes["/media/xyz/RS_2015-16_data_by_LA.xlsx"] = file_route(data)
    item = [dict(ATTACHMENTS[0], url=server.url("/media/xyz/RS_2015-16_data_by_LA.xlsx"))]
    item += ATTACHMENTS[1:]
    server.routes["/api/content/government/statistics/some-slug"] = file_route(
        content_item(item), "application/json"
    )

    attachments = resolve_govuk_attachments(
        GOVUK_PAGE + "/", session=session, api_base=server.url("/api/content/")
    )
    chosen = pick_attachment(attachments, r"RS_\d{4}-\d{2}_data_by_LA\.xlsx$")
    result = fetch(chosen.url, tmp_path, expected_format="xlsx", session=session)

    assert isinstance(result, FetchResult)
    assert result.sha256 == sha256(data) and result.path.name == chosen.filename
    assert len(server.seen) == 2


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        (status_route(404), "HTTP 404"),
        (file_route(HTML_ERROR_PAGE, "text/html"), "expected json, got HTML"),
        (file_route(b'{"document_type": "redirect"}', "application/json"), "'redirect'"),
    ],
    ids=["404", "html", "no-attachments"],
)
def test_content_api_problems_are_errors(server, session, route, reason):
    server.routes["/api/content/government/statistics/some-slug"] = route
    with pytest.raises(FetchError) as err:
        resolve_govuk_attachments(GOVUK_PAGE, session=session, api_base=server.url("/api/content"))
    assert reason in str(err.value)
    assert server.url("/api/content/government/statistics/some-slug") in str(err.value)


def test_only_govuk_pages_are_resolved(session):
    with pytest.raises(ValueError, match="not a gov.uk page"):
        resolve_govuk_attachments("https://example.org/government/statistics/x", session=session)


# --- sniff_format ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sample",
    sorted(p for p in SAMPLES.iterdir() if p.suffix in (".xls", ".xlsx", ".csv")),
    ids=lambda p: p.name,
)
def test_sniff_format_of_every_bundled_sample(sample):
    assert sniff_format(sample) == sample.suffix.lstrip(".")


def _zip(path: Path, entries: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in entries.items():
            zf.writestr(name, text)
    return path


def test_sniff_format_of_other_shapes(tmp_path):
    def write(name: str, data: bytes) -> Path:
        (tmp_path / name).write_bytes(data)
        return tmp_path / name

    ods = {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}
    docx = {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}
    cases = {
        "ods": _zip(tmp_path / "a.ods", ods),
        "docx": _zip(tmp_path / "a.docx", docx),
        "zip": _zip(tmp_path / "a.zip", {"readme.txt": "hello"}),
        "html": write("error.xlsx", b"  \r\n" + HTML_ERROR_PAGE),
        "xml": write("a.xml", b'<?xml version="1.0"?><Workbook/>'),
        "json": write("a.json", b'\xef\xbb\xbf[{"a": 1}]'),
        "text": write("broken.json", b'{"a": '),
        "csv": write(
            "cp1252.csv", "code,name\nE06000022,Bath & N\u00e9 Somerset\n".encode("cp1252")
        ),
        "pdf": write("a.pdf", b"%PDF-1.7\n"),
        "empty": write("empty.xlsx", b""),
        "binary": write("noise.bin", bytes(range(256)) * 4),
    }
    assert {fmt: sniff_format(path) for fmt, path in cases.items()} == {f: f for f in cases}


def test_live_mode_reads_bundled_copies_of_files_without_an_address(tmp_path):
    from sources.acquire import LIVE, acquire
    from sources.catalogue import bundled_releases

    supplement = next(r for r in bundled_releases() if r.file_name == "ecode_supplement.csv")
    got = acquire(supplement, LIVE, tmp_path)
    assert (got.status, got.path, got.url) == ("local", supplement.path, None)
