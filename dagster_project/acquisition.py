"""Bringing a catalogued release into the landing zone, whatever LGF_SOURCE says: composes
sources.acquire (where the bytes come from) with warehouse.landing (where they are kept)."""

import shutil
import sys
import tempfile
from pathlib import Path

from sources.acquire import acquire, check_local_format, source_url
from sources.catalogue import Release
from sources.errors import SourceError
from sources.fetch import Validators, make_session
from warehouse import landing
from warehouse.db import connect
from warehouse.settings import Settings


def warn_live_fallback(release: Release, log) -> None:
    """Live mode read a bundled copy (the catalogue row has no publisher address): say so, on
    stderr as well as in the run log, since the CLI hides Dagster's log by default."""
    message = (
        f"warning: LGF_SOURCE=live but {release.file_name} ({release.dataset} "
        f"{release.edition}) has no publisher address in the catalogue: using the bundled copy"
    )
    log.warning(message)
    print(f"lgf: {message}", file=sys.stderr)


def land_release(release: Release, settings: Settings, log) -> landing.LandedFile:
    """Acquire the release's file (a conditional GET when fetched before), land it under its
    sha256 and record it in the manifest (once per file: a no-op refresh adds no row). A 304
    reuses the bytes already landed for that URL."""
    settings.ensure_dirs()
    con = connect(settings.work_db)
    try:
        validators, seen, session = None, None, None
        if settings.source != "samples":
            session = make_session()
            url = source_url(release, settings.source, session=session)
            seen = landing.last_landed(con, url) if url else None
            if (
                seen
                and landing.resolve_landed_path(seen["landed_path"], settings.data_dir).exists()
            ):
                validators = Validators(seen["etag"], seen["last_modified"])
        scratch = Path(tempfile.mkdtemp(prefix="fetch-", dir=settings.work_dir))
        try:
            got = acquire(release, settings.source, scratch, validators=validators, session=session)
            if settings.source == "live" and got.status == "local":
                warn_live_fallback(release, log)
            if got.status == "not_modified":
                landed_path = landing.resolve_landed_path(seen["landed_path"], settings.data_dir)
                landed = landing.LandedFile(
                    seen["sha256"], landed_path.stat().st_size, landed_path, is_new=False
                )
                log.info(f"{release.edition} {release.form}: not modified since last fetched")
            else:
                landed = landing.land(settings.landing_dir, got.path)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        landing.record(
            con,
            landed,
            settings.data_dir,
            dataset=release.dataset,
            form=release.form,
            financial_year=release.financial_year or None,
            release=release.release,
            release_date=release.release_date,
            copy_of=release.copy_of,
            url=got.url or release.url or release.publisher_page or None,
            etag=got.etag,
            last_modified=got.last_modified,
        )
    finally:
        con.close()
    log.info(
        f"{release.file_name}: {'landed' if landed.is_new else 'already landed'} "
        f"(sha256 {landed.sha256[:12]}, {got.status})"
    )
    if got.status == "local":
        try:
            check_local_format(release, landed.path)
        except SourceError as exc:
            raise SourceError(
                f"{exc}. The file is kept in the landing zone at {landed.path}"
            ) from exc
    return landed
