"""Shared fixtures: one warehouse built and published from the bundled real data per session."""

import shutil
from pathlib import Path

import pytest

from sources.catalogue import BUNDLED_CATALOGUE, load_catalogue
from warehouse.settings import Settings


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue(BUNDLED_CATALOGUE)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Settings:
    """Every bundled release loaded, built, audited and published into a temporary data dir."""
    from dagster_project.pipeline import run_refresh

    settings = Settings(data_dir=tmp_path_factory.mktemp("warehouse"), catalogue=None)
    run_refresh(settings, say=lambda _: None, log_level="CRITICAL")
    return settings


@pytest.fixture
def built_copy(built, tmp_path) -> Settings:
    """A private copy of the built data dir, for tests that refresh it again."""
    target = tmp_path / "data"
    shutil.copytree(built.data_dir, target, symlinks=True)
    return Settings(data_dir=target, catalogue=None)


def make_catalogue(folder: Path, files: dict[str, bytes | Path], rows: list[str]) -> Path:
    """A catalogue CSV in `folder` with the given files (bytes, or a path to copy)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if isinstance(content, Path):
            shutil.copyfile(content, folder / name)
        else:
            (folder / name).write_bytes(content)
    header = BUNDLED_CATALOGUE.read_text(encoding="utf-8").splitlines()[0]
    path = folder / "catalogue.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def catalogue_row(file_name: str) -> str:
    for line in BUNDLED_CATALOGUE.read_text(encoding="utf-8").splitlines():
        if line.startswith(file_name + ","):
            return line
    raise KeyError(file_name)
