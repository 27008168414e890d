"""The drop folder (sources.drop_folder): spend files of any name and format are listed for
landing before they are read; a file refused by a dataset's detector is handed to ``on_reject``
(which keeps it in the landing zone) and the message says where it is kept."""

import shutil

import pytest

from sources.drop_folder import drop_releases, dropped_files, is_dropped
from sources.errors import SourceError
from sources.spend.catalogue import SPEND_SAMPLES


def test_spend_drop_files_of_any_name_are_listed(tmp_path):
    shutil.copyfile(SPEND_SAMPLES / "odileeds_salford_2017-02.csv", tmp_path / "feb.csv")
    (tmp_path / "march.xlsx").write_bytes(b"PK\x03\x04 not really")
    (tmp_path / "april").write_text("no suffix")
    (tmp_path / ".hidden.csv").write_text("x")
    (tmp_path / "copying.csv.part").write_text("x")
    (tmp_path / "sub").mkdir()
    names = [p.name for p in dropped_files(tmp_path, ("*",))]
    assert names == ["april", "feb.csv", "march.xlsx"]
    releases = drop_releases(tmp_path, "spend", None, patterns=("*",))
    assert [(r.file_name, r.form) for r in releases] == [
        ("april", "spend"),
        ("feb.csv", "spend"),
        ("march.xlsx", "spend"),
    ]
    assert all(is_dropped(r) for r in releases)
    assert drop_releases(tmp_path / "absent", "spend", None) == []


def test_a_refused_drop_file_is_handed_to_on_reject_first(tmp_path):
    (tmp_path / "bad.csv").write_text("Widget,Colour\n")
    kept = []

    def detect(path):
        raise SourceError(f"{path.name}: not in any contract")

    def keep(path):
        kept.append(path.name)
        return f"The file is kept in the landing zone at /landing/{path.name}"

    with pytest.raises(SourceError) as info:
        drop_releases(tmp_path, "efficiency", detect, on_reject=keep)
    assert kept == ["bad.csv"]
    assert "bad.csv: not in any contract" in str(info.value)
    assert "kept in the landing zone at /landing/bad.csv" in str(info.value)
