"""Releases of a dataset whose catalogue is not one of sources.catalogue's bundled ones (the
efficiency and shared-services datasets): the bundled catalogue of its samples folder, a
user's catalogue replacing it when it lists the dataset (as sources.catalogue.releases_with
does), and every CSV file in a drop folder, its layout (form) read from its header.

The drop folder is ``<LGF_DATA_DIR>/drop/<dataset>/``: a user copies files written in one of
the dataset's contracts there and refreshes; no catalogue row is needed (the file's rows carry
their own source addresses). Spend files are taken whatever their name or format
(``patterns=("*",)``, no ``detect``): the spend parser reads the bytes, so a file is landed
before it is judged. Where ``detect`` refuses a file, ``on_reject`` (if given) is called with
its path first, so a caller can keep the rejected file in the landing zone like any other; what
it returns (where the file is kept) is added to the message.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sources.catalogue import Release, load_catalogue
from sources.errors import SourceError

DROP_NOTE = "dropped into the drop folder"


def drop_dir(data_dir: Path, dataset: str) -> Path:
    return Path(data_dir) / "drop" / dataset


def dropped_files(folder: Path, patterns: tuple[str, ...] = ("*.csv",)) -> list[Path]:
    """The files in a drop folder matching ``patterns`` (hidden and partial files left out)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = {p for pattern in patterns for p in folder.glob(pattern)}
    return sorted(
        p for p in found if p.is_file() and not p.name.startswith(".") and p.suffix != ".part"
    )


def drop_releases(
    folder: Path,
    dataset: str,
    detect: Callable[[Path], str] | None,
    *,
    patterns: tuple[str, ...] = ("*.csv",),
    on_reject: Callable[[Path], str] | None = None,
) -> list[Release]:
    """One release per file in ``folder`` (none if it does not exist); its form from
    ``detect``, or the dataset's name when there is no ``detect``."""
    folder = Path(folder)
    releases = []
    for path in dropped_files(folder, patterns):
        try:
            form = detect(path) if detect is not None else dataset
        except SourceError as exc:
            kept = f"\n{on_reject(path)}" if on_reject is not None else ""
            raise SourceError(f"drop folder {folder}: {exc}{kept}") from exc
        releases.append(
            Release(
                file_name=path.name,
                dataset=dataset,
                form=form,
                financial_year="",
                release="final",
                release_date=None,
                release_note=f"{DROP_NOTE} {folder}",
                publisher="",
                publisher_page="",
                copy_of="",
                licence="",
                path=path,
            )
        )
    return releases


def dataset_releases(
    dataset: str,
    bundled_catalogue: Path,
    *,
    override: Path | None = None,
    drop: Path | None = None,
    detect: Callable[[Path], str] | None = None,
    on_reject: Callable[[Path], str] | None = None,
) -> list[Release]:
    """The bundled releases of ``dataset`` (or the user's, where their catalogue lists it), plus
    the drop folder's files."""
    releases = [r for r in load_catalogue(bundled_catalogue) if r.dataset == dataset]
    if override is not None:
        theirs = [r for r in load_catalogue(override) if r.dataset == dataset]
        if theirs:
            releases = theirs
    if drop is not None and detect is not None:
        releases += drop_releases(drop, dataset, detect, on_reject=on_reject)
    return releases


def is_dropped(release: Release) -> bool:
    return release.release_note.startswith(DROP_NOTE)
