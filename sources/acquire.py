"""Getting a catalogued release's bytes onto this machine, whatever the source mode.

Modes (one setting, `LGF_SOURCE`):

- ``samples`` (default): the real files bundled with the project, next to their catalogue.
- a directory: a local mirror holding files under their catalogue file names.
- an ``http(s)://`` base URL: a mirror (e.g. an organisation's internal one) serving the files
  under their catalogue names; fetched with conditional GETs.
- ``live``: the publisher. A catalogue row's ``url`` is fetched directly; otherwise its
  ``statistics_page`` is resolved through the gov.uk content API and the attachment whose name
  matches ``attachment_pattern`` is fetched (attachment addresses change on republication).
  Rows with neither (the project's transcribed tables and hand-checked supplements) are read
  from their bundled copy.

Nothing here stores anything: the caller lands the file and keeps the validators.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sources.catalogue import Release, safe_file_name
from sources.errors import SourceError
from sources.fetch import (
    FORMAT_LABELS,
    Validators,
    fetch,
    pick_attachment,
    resolve_govuk_attachments,
    sniff_format,
)

SAMPLES = "samples"
LIVE = "live"


@dataclass(frozen=True)
class Acquired:
    """Where a release's bytes are now, and how they were got."""

    release: Release
    path: Path | None  # None when the server said the copy we have is current (304)
    url: str | None
    status: str  # 'local', 'downloaded' or 'not_modified'
    etag: str | None = None
    last_modified: str | None = None


KNOWN_FORMATS = ("xls", "xlsx", "ods", "csv", "json")
WORKBOOKS = frozenset({"xls", "xlsx", "ods", "xlsb"})


def check_local_format(release: Release, path: Path) -> Path:
    """A local file promised as a workbook must be one (any workbook format: the reader opens
    them all); an empty file, an HTML page, a plain ZIP or an encrypted package saved under a
    workbook's name is refused here, naming what it really is."""
    if expected_format(release) in WORKBOOKS:
        found = sniff_format(path)
        if found not in WORKBOOKS:
            raise SourceError(
                f"{release.edition} {release.form}: {path.name} is named as a workbook but is "
                f"{FORMAT_LABELS.get(found, found)}"
            )
    return path


def expected_format(release: Release, url: str | None = None) -> str:
    """The format promised: the address's own suffix where it has one (the publisher may serve
    ODS where the bundled copy is an xlsx conversion), else the catalogue file name's."""
    for name in (url or "", release.file_name):
        suffix = Path(name.split("?")[0]).suffix.lower().lstrip(".")
        if suffix in KNOWN_FORMATS:
            return suffix
    return Path(release.file_name).suffix.lower().lstrip(".")


def source_url(release: Release, mode: str, session=None) -> str | None:
    """The address a release is fetched from in this mode (None for local modes)."""
    if mode.startswith(("http://", "https://")):
        return mode.rstrip("/") + "/" + quote(release.file_name)
    if mode != LIVE:
        return None
    if release.url:
        return release.url
    if release.statistics_page and release.attachment_pattern:
        attachments = resolve_govuk_attachments(release.statistics_page, session=session)
        return pick_attachment(attachments, release.attachment_pattern).url
    if release.path.is_file():
        return None  # no live address (a transcribed table, the E-code supplement): bundled copy
    raise SourceError(
        f"{release.edition} {release.form} ({release.file_name}): the catalogue has no live "
        "address (url, or statistics_page + attachment_pattern); point LGF_SOURCE at a mirror "
        "that holds the file, or add the address to the catalogue"
    )


def acquire(
    release: Release,
    mode: str,
    scratch_dir: Path,
    validators: Validators | None = None,
    session=None,
) -> Acquired:
    """Bring the release's file here: a local path, a download, or 'not modified'. A local file
    is not judged here: the caller lands it first (so a refused file is kept in the landing
    zone), then calls `check_local_format`."""
    if mode == SAMPLES:
        if not release.path.is_file():
            raise SourceError(
                f"{release.edition} {release.form}: the catalogue names {release.file_name}, "
                f"which is not in its folder {release.path.parent}"
            )
        return Acquired(release, release.path, None, "local")
    url = source_url(release, mode, session=session)
    if url is None and mode == LIVE:  # nothing to fetch: the project's own copy
        return Acquired(release, release.path, None, "local")
    if url is None:  # a mirror directory
        path = safe_file_name(release.file_name, Path(mode), where=f"the mirror {mode}")
        if not path.is_file():
            raise SourceError(f"the mirror {mode} has no {release.file_name} ({release.edition})")
        return Acquired(release, path, None, "local")
    result = fetch(
        url,
        scratch_dir,
        expected_format=expected_format(release, url),
        validators=validators,
        session=session,
    )
    return Acquired(
        release,
        result.path,
        url,
        result.status,
        etag=result.etag,
        last_modified=result.last_modified,
    )
