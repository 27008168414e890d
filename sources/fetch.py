"""Fetching published files over HTTP(S): what belongs here is getting the right bytes to disk.

Conditional GETs (ETag / Last-Modified) so an unchanged release costs one request, retries with
backoff on connection errors and 5xx, connect/read timeouts, streaming to a temporary file with a
size cap and a Content-Length check, TLS verification always on, and a check that the bytes are
the format promised (an HTML error page saved as .xlsx is an error). Also resolving gov.uk
attachment addresses through the content API, because they change when a page is republished.
Nothing here stores anything: the caller lands the downloaded file and keeps the validators.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import inspect
import json
import os
import re
import socket
import tempfile
import threading
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

from sources.errors import SourceError

DEFAULT_USER_AGENT = "lgf-warehouse/0.1 (+open data warehouse)"
DEFAULT_TIMEOUT = (10.0, 60.0)  # (connect, read) seconds; read is per socket read, not total
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
# Seconds for the whole fetch (headers, retries and body): a server trickling one byte inside
# every read timeout cannot hold a refresh for longer than this.
DEFAULT_DEADLINE = 600.0
RETRY_STATUSES = (500, 502, 503, 504)
RETRY_AFTER_MAX = 60  # never sleep longer than this because a server's Retry-After said so
CHUNK = 64 * 1024
SNIFF_BYTES = 64 * 1024

GOVUK_HOSTS = frozenset({"www.gov.uk", "gov.uk"})
GOVUK_API = "https://www.gov.uk/api/content"
GOVUK_WEB = "https://www.gov.uk"
GOVUK_ASSETS = "https://assets.publishing.service.gov.uk"

EXPECTABLE_FORMATS = frozenset({"xls", "xlsx", "ods", "csv", "json"})
FORMAT_LABELS = {
    "xls": "xls (OLE2 workbook)",
    "xlsx": "xlsx",
    "xlsb": "xlsb (binary workbook)",
    "ods": "ods",
    "docx": "docx (a Word document)",
    "pptx": "pptx (a PowerPoint file)",
    "zip": "a ZIP archive that is not a spreadsheet",
    "ole2": "an OLE2 file",
    "encrypted": "an encrypted (password-protected) workbook",
    "pdf": "PDF",
    "html": "HTML (an error or landing page?)",
    "xml": "XML",
    "json": "JSON",
    "csv": "plain text (csv)",
    "text": "text that is not valid JSON",
    "empty": "an empty file",
    "damaged_zip": "a damaged or truncated ZIP container (an incomplete copy of an xlsx?)",
    "binary": "unrecognised binary data",
}

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"


class FetchError(SourceError):
    """A published file could not be fetched, or what came back is not what was promised.

    ``url`` is the address asked for (None when no single address is involved), ``status`` the
    HTTP status when the server answered with an unusable one.
    """

    def __init__(self, reason: str, *, url: str | None = None, status: int | None = None):
        self.reason = reason
        self.url = url
        self.status = status
        super().__init__(f"{url}: {reason}" if url else reason)


@dataclass(frozen=True)
class Validators:
    """What the server said about the file last time; sent back to make the GET conditional."""

    etag: str | None = None
    last_modified: str | None = None

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)

    def headers(self) -> dict[str, str]:
        h = {}
        if self.etag:
            h["If-None-Match"] = self.etag
        if self.last_modified:
            h["If-Modified-Since"] = self.last_modified
        return h


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one fetch.

    ``status`` 'downloaded': ``path`` is the complete, format-checked file in ``dest_dir``.
    'not_modified': the server answered 304, nothing was written; ``path``, ``bytes``,
    ``sha256`` and ``format`` are None and the copy the caller already has is current.
    """

    url: str
    final_url: str  # after redirects
    status: Literal["downloaded", "not_modified"]
    path: Path | None
    etag: str | None
    last_modified: str | None
    bytes: int | None
    sha256: str | None
    content_type: str | None
    format: str | None

    @property
    def validators(self) -> Validators:
        return Validators(self.etag, self.last_modified)


@dataclass(frozen=True)
class Attachment:
    """One file attached to a gov.uk page, as the content API lists it."""

    title: str
    url: str
    content_type: str | None
    filename: str
    page_url: str  # the gov.uk page it was listed on


class _Retry(Retry):
    """urllib3 Retry that never sleeps more than RETRY_AFTER_MAX for a Retry-After header."""

    def get_retry_after(self, response):  # type: ignore[override]
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, RETRY_AFTER_MAX)


def make_session(
    retries: int = 3, backoff: float = 0.5, user_agent: str = DEFAULT_USER_AGENT
) -> requests.Session:
    """A session retrying connection errors, read timeouts and 5xx on GET/HEAD, with backoff.

    A 5xx still there after the last retry is returned (not raised) so ``fetch`` can name it.
    """
    kwargs: dict = {}
    if "retry_after_max" in inspect.signature(Retry.__init__).parameters:
        kwargs["retry_after_max"] = RETRY_AFTER_MAX
    retry = _Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        redirect=10,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        backoff_factor=backoff,
        respect_retry_after_header=True,
        raise_on_status=False,
        **kwargs,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent
    return session


def _describe(exc: requests.RequestException, *, retried: bool = True) -> str:
    """A short human reason for a requests exception, naming timeouts as such."""
    reason: object = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    after = " (after retries)" if retried else ""
    # NewConnectionError (refused, unreachable, DNS) is a subclass of ConnectTimeoutError
    if isinstance(reason, NewConnectionError):
        return f"connection failed{after}: {reason}"
    if isinstance(exc, requests.ConnectTimeout) or isinstance(reason, ConnectTimeoutError):
        return f"timeout connecting{after}: {reason}"
    if isinstance(exc, requests.ReadTimeout) or isinstance(reason, ReadTimeoutError):
        return f"timeout waiting for the server{after}: {reason}"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS error (certificate verification is always on): {reason}"
    if isinstance(exc, requests.ConnectionError):
        return f"connection failed{after}: {reason}"
    return f"request failed: {reason}"


def _verify(session: requests.Session) -> bool | str:
    """Always verify: True, or the CA bundle path the session names; never False."""
    return session.verify if isinstance(session.verify, str) and session.verify else True


def _check_no_downgrade(url: str, response: requests.Response) -> None:
    """An https address must not be followed, through redirects, to plain http."""
    if urlsplit(url).scheme != "https":
        return
    for hop in [*response.history, response]:
        if urlsplit(hop.url).scheme != "https":
            raise FetchError(f"redirected from https to plain http ({hop.url})", url=url)


def _file_name(url: str, expected_format: str) -> str:
    """A safe local file name from the last segment of the URL's path."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "download"
    if "." not in name:
        name = f"{name}.{expected_format}"
    return name


def _header_int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def fetch(
    url: str,
    dest_dir: Path,
    *,
    expected_format: str,
    validators: Validators | None = None,
    session: requests.Session | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    deadline: float = DEFAULT_DEADLINE,
) -> FetchResult:
    """GET ``url`` into ``dest_dir`` (or learn it is unchanged), checking it is ``expected_format``.

    With ``validators`` the GET is conditional and a 304 writes nothing. A 200 is streamed to a
    ``*.part`` file, hashed on the way, checked against Content-Length and ``max_bytes``, sniffed,
    and only then renamed to the URL's file name; on any failure no file is left behind.
    TLS certificates are always verified (``session.verify`` may name a CA bundle; False is
    ignored) and an https address redirected to plain http is refused. The whole fetch must end
    within ``deadline`` seconds (``timeout`` bounds each connect and each read; a server sending
    a byte just inside every read timeout is stopped by the deadline). Raises FetchError.
    """
    if expected_format not in EXPECTABLE_FORMATS:
        raise ValueError(
            f"expected_format must be one of {', '.join(sorted(EXPECTABLE_FORMATS))}, "
            f"got {expected_format!r}"
        )
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    job = _Job()
    worker = threading.Thread(
        target=job.run,
        args=(_fetch, url, dest_dir, expected_format, validators, session, timeout, max_bytes),
        name=f"fetch {url}",
        daemon=True,  # a worker stuck on a dead socket never keeps the process alive
    )
    worker.start()
    worker.join(deadline)
    if worker.is_alive():
        job.cancel()
        worker.join(5)
        raise FetchError(
            f"overall deadline exceeded: no complete answer within {deadline:g} s "
            f"({job.received} bytes of the body received)",
            url=url,
        )
    if job.error is not None:
        raise job.error
    return job.result


class _Job:
    """One fetch run in a worker thread so the caller can give up at a deadline: cancelling
    sets a flag the streaming loop checks and shuts the response's socket, which wakes a
    blocked read."""

    def __init__(self):
        self.cancelled = threading.Event()
        self.response: requests.Response | None = None
        self.received = 0
        self.result: FetchResult | None = None
        self.error: BaseException | None = None

    def run(self, fn, *args):
        try:
            self.result = fn(self, *args)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            self.error = exc

    def cancel(self) -> None:
        self.cancelled.set()
        raw = getattr(self.response, "raw", None)
        sock = getattr(getattr(raw, "connection", None), "sock", None)
        if sock is None:  # http.client hands the socket to the response it is reading
            fp = getattr(getattr(raw, "_fp", None), "fp", None)
            sock = getattr(getattr(fp, "raw", None), "_sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _fetch(
    job: _Job,
    url: str,
    dest_dir: Path,
    expected_format: str,
    validators: Validators | None,
    session: requests.Session | None,
    timeout: tuple[float, float],
    max_bytes: int,
) -> FetchResult:
    own_session = session is None
    session = session or make_session()
    sent = validators or Validators()
    conditional = sent.headers()
    try:
        try:
            response = session.get(
                url, headers=conditional, stream=True, timeout=timeout, verify=_verify(session)
            )
        except requests.RequestException as exc:
            raise FetchError(_describe(exc), url=url) from exc
        job.response = response
        with response:
            if job.cancelled.is_set():
                raise FetchError("cancelled at the overall deadline", url=url)
            _check_no_downgrade(url, response)
            etag = response.headers.get("ETag")
            last_modified = response.headers.get("Last-Modified")
            content_type = response.headers.get("Content-Type")
            if response.status_code == 304:
                if not conditional:
                    raise FetchError("HTTP 304 to an unconditional request", url=url, status=304)
                return FetchResult(
                    url=url,
                    final_url=response.url,
                    status="not_modified",
                    path=None,
                    etag=etag or sent.etag,
                    last_modified=last_modified or sent.last_modified,
                    bytes=None,
                    sha256=None,
                    content_type=content_type,
                    format=None,
                )
            if response.status_code != 200:
                reason = " ".join(
                    part
                    for part in (
                        f"HTTP {response.status_code}",
                        response.reason or "",
                        "(after retries)" if response.status_code in RETRY_STATUSES else "",
                    )
                    if part
                )
                raise FetchError(
                    reason,
                    url=url,
                    status=response.status_code,
                )
            path, size, sha = _stream_to_disk(
                response, url, dest_dir, expected_format, max_bytes, job
            )
    finally:
        if own_session:
            session.close()
    return FetchResult(
        url=url,
        final_url=response.url,
        status="downloaded",
        path=path,
        etag=etag,
        last_modified=last_modified,
        bytes=size,
        sha256=sha,
        content_type=content_type,
        format=expected_format,
    )


def _stream_to_disk(
    response: requests.Response,
    url: str,
    dest_dir: Path,
    expected_format: str,
    max_bytes: int,
    job: _Job | None = None,
) -> tuple[Path, int, str]:
    encoded = response.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
    expected_len = _header_int(response.headers.get("Content-Length"))
    if expected_len is not None and not encoded and expected_len > max_bytes:
        raise FetchError(
            f"size cap exceeded: Content-Length {expected_len} bytes > max_bytes {max_bytes}",
            url=url,
        )
    name = _file_name(url, expected_format)
    fd, tmp_name = tempfile.mkstemp(dir=dest_dir, prefix=f".{name}.", suffix=".part")
    tmp = Path(tmp_name)
    h = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                for chunk in response.iter_content(CHUNK):
                    if job is not None:
                        if job.cancelled.is_set():
                            raise FetchError("cancelled at the overall deadline", url=url)
                        job.received += len(chunk)
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError(
                            f"size cap exceeded: more than max_bytes {max_bytes} bytes", url=url
                        )
                    h.update(chunk)
                    out.write(chunk)
            except requests.RequestException as exc:
                wire = _wire_bytes(response, size)
                why = _describe(exc, retried=False)
                if expected_len is not None and wire < expected_len:
                    raise FetchError(
                        f"truncated: expected {expected_len} bytes, got {wire} ({why})", url=url
                    ) from exc
                raise FetchError(f"{why}, after {wire} bytes of the body", url=url) from exc
        wire = _wire_bytes(response, size)
        if expected_len is not None and wire != expected_len:
            raise FetchError(f"truncated: expected {expected_len} bytes, got {wire}", url=url)
        found = sniff_format(tmp)
        if found != expected_format:
            raise FetchError(
                f"wrong format: expected {expected_format}, got {FORMAT_LABELS.get(found, found)}",
                url=url,
            )
        target = dest_dir / name
        if target.resolve().parent != dest_dir.resolve():  # _file_name keeps it a base name
            raise FetchError(f"unsafe file name {name!r} from the address", url=url)
        if job is not None and job.cancelled.is_set():
            raise FetchError("cancelled at the overall deadline", url=url)
        os.replace(tmp, target)
    except BaseException:
        _remove(tmp)
        raise
    return target, size, h.hexdigest()


def _wire_bytes(response: requests.Response, fallback: int) -> int:
    """Bytes received on the wire (differs from bytes written when Content-Encoding is used)."""
    tell = getattr(response.raw, "tell", None)
    try:
        return int(tell()) if tell else fallback
    except Exception:  # noqa: BLE001 - a raw stream without a usable tell()
        return fallback


def sniff_format(path: Path) -> str:
    """What a file's bytes are, whatever its name says.

    Returns 'xls' (OLE2 workbook), 'xlsx', 'xlsb', 'ods', 'docx', 'pptx', 'zip', 'ole2',
    'encrypted' (an OLE2 container holding an encrypted Office package), 'damaged_zip' (starts
    like a ZIP but cannot be opened: truncated), 'pdf',
    'html', 'xml', 'json', 'csv' (any plain text in utf-8 / utf-8-sig / cp1252 that is not
    markup or JSON), 'text' (starts like JSON but does not parse), 'empty' or 'binary'.
    """
    path = Path(path)
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head:
        return "empty"
    if head.startswith(OLE2_MAGIC):
        return _sniff_ole2(head)
    if head.startswith(ZIP_MAGIC):
        return _sniff_zip(path)
    if head.startswith(b"%PDF-"):
        return "pdf"
    text = _decode_head(head)
    if text is None:
        return "binary"
    start = text.lstrip("\ufeff \t\r\n").lower()
    if start.startswith(("<!doctype html", "<html")) or (
        start.startswith("<") and re.search(r"<(html|head|body)[\s>]", start[:4096])
    ):
        return "html"
    if start.startswith("<"):
        return "xml"
    if start.startswith(("{", "[")):
        try:
            with path.open(encoding="utf-8-sig") as fh:
                json.load(fh)
        except (ValueError, UnicodeDecodeError):
            return "text"
        return "json"
    return "csv"


def _sniff_ole2(head: bytes) -> str:
    # OLE2 is also the container of old Word files: call it 'ole2' when the directory (if it is
    # within the first bytes) names a Word stream and no workbook stream; otherwise an xls.
    if "EncryptedPackage".encode("utf-16-le") in head:  # an Office file saved with a password
        return "encrypted"
    word = "WordDocument".encode("utf-16-le") in head
    book = "Workbook".encode("utf-16-le") in head or "Book".encode("utf-16-le") in head
    return "ole2" if word and not book else "xls"


def _sniff_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                mimetype = zf.read("mimetype").decode("ascii", "replace").strip()
                return "ods" if mimetype == ODS_MIMETYPE else "zip"
            if "[Content_Types].xml" in names:
                if "xl/workbook.bin" in names:
                    return "xlsb"
                if any(n.startswith("xl/") for n in names):
                    return "xlsx"
                if any(n.startswith("word/") for n in names):
                    return "docx"
                if any(n.startswith("ppt/") for n in names):
                    return "pptx"
            return "zip"
    except (zipfile.BadZipFile, OSError, EOFError):
        return "damaged_zip"


def _decode_head(head: bytes) -> str | None:
    """The head as text if it is text in utf-8, utf-8-sig or cp1252 (no NULs or odd controls)."""
    if b"\x00" in head:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f")
        return text if controls <= len(text) // 100 else None
    return None


# --- gov.uk content API -------------------------------------------------------------------------


def govuk_content_api_url(page_url: str, api_base: str = GOVUK_API) -> str:
    """'https://www.gov.uk/<path>' -> '<api_base>/<path>' (the page's content API item)."""
    parts = urlsplit(page_url)
    if parts.scheme not in ("http", "https") or parts.hostname not in GOVUK_HOSTS:
        raise ValueError(f"not a gov.uk page address: {page_url!r}")
    path = parts.path.rstrip("/")
    if not path:
        raise ValueError(f"gov.uk page address has no path: {page_url!r}")
    return api_base.rstrip("/") + path


def _absolute_attachment_url(url: str) -> str:
    if urlsplit(url).scheme:
        return url
    base = GOVUK_ASSETS if url.startswith(("/media/", "/government/uploads/")) else GOVUK_WEB
    return urljoin(base, url)


def resolve_govuk_attachments(
    page_url: str,
    *,
    session: requests.Session | None = None,
    api_base: str = GOVUK_API,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    max_bytes: int = 20 * 1024 * 1024,
) -> list[Attachment]:
    """The attachments a gov.uk page lists now (details.attachments[] of its content API item)."""
    api_url = govuk_content_api_url(page_url, api_base)
    own_session = session is None
    session = session or make_session()
    try:
        document = _get_json(session, api_url, timeout, max_bytes)
    finally:
        if own_session:
            session.close()
    details = document.get("details") if isinstance(document, Mapping) else None
    raw = details.get("attachments") if isinstance(details, Mapping) else None
    if not isinstance(raw, list):
        kind = document.get("document_type") if isinstance(document, Mapping) else None
        raise FetchError(
            f"no details.attachments in the content API item (document_type {kind!r})",
            url=api_url,
        )
    attachments = []
    for n, item in enumerate(raw):
        if not isinstance(item, Mapping) or not item.get("url"):
            raise FetchError(f"details.attachments[{n}] has no url", url=api_url)
        url = _absolute_attachment_url(str(item["url"]))
        filename = item.get("filename") or unquote(urlsplit(url).path.rsplit("/", 1)[-1])
        attachments.append(
            Attachment(
                title=str(item.get("title") or ""),
                url=url,
                content_type=item.get("content_type"),
                filename=str(filename),
                page_url=page_url,
            )
        )
    return attachments


def _get_json(session: requests.Session, url: str, timeout: tuple[float, float], max_bytes: int):
    try:
        with session.get(
            url,
            headers={"Accept": "application/json"},
            stream=True,
            timeout=timeout,
            verify=_verify(session),
        ) as response:
            _check_no_downgrade(url, response)
            if response.status_code != 200:
                raise FetchError(
                    f"HTTP {response.status_code} {response.reason or ''}".strip(),
                    url=url,
                    status=response.status_code,
                )
            body = bytearray()
            for chunk in response.iter_content(CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise FetchError(f"size cap exceeded: more than {max_bytes} bytes", url=url)
    except requests.RequestException as exc:
        raise FetchError(_describe(exc), url=url) from exc
    try:
        return json.loads(bytes(body).decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        kind = "HTML" if bytes(body[:512]).lstrip().startswith(b"<") else "not JSON"
        raise FetchError(f"wrong format: expected json, got {kind}", url=url) from exc


def pick_attachment(attachments: Iterable[Attachment], pattern: str) -> Attachment:
    """The one attachment whose filename or title matches ``pattern`` (re.search, ignoring case)."""
    attachments = list(attachments)
    regex = re.compile(pattern, re.IGNORECASE)
    matches = [a for a in attachments if regex.search(a.filename) or regex.search(a.title)]
    if len(matches) == 1:
        return matches[0]
    page = attachments[0].page_url if attachments else None
    listed = "\n  ".join(f"{a.filename} ({a.title})" for a in (matches or attachments))
    if not attachments:
        raise FetchError(f"no attachments to match /{pattern}/ against", url=page)
    if not matches:
        raise FetchError(f"no attachment matches /{pattern}/; available:\n  {listed}", url=page)
    raise FetchError(
        f"{len(matches)} attachments match /{pattern}/, make it narrower:\n  {listed}", url=page
    )
