"""Live mode says so when it reads a bundled copy instead of the publisher's file."""

from dagster_project.acquisition import land_release
from sources.catalogue import bundled_releases
from warehouse.settings import Settings


class Log:
    def __init__(self):
        self.warnings = []

    def warning(self, message):
        self.warnings.append(message)

    def info(self, message):
        pass


def test_live_mode_warns_when_it_uses_the_bundled_copy(tmp_path, capsys):
    release = next(
        r
        for r in bundled_releases()
        if not r.url and not (r.statistics_page and r.attachment_pattern) and r.path.is_file()
    )
    log = Log()
    landed = land_release(release, Settings(data_dir=tmp_path, source="live"), log)
    assert landed.path.exists()
    err = capsys.readouterr().err
    assert f"LGF_SOURCE=live but {release.file_name}" in err and "bundled copy" in err
    assert len(log.warnings) == 1


def test_samples_mode_is_quiet(tmp_path, capsys):
    release = bundled_releases()[0]
    log = Log()
    land_release(release, Settings(data_dir=tmp_path, source="samples"), log)
    assert "warning" not in capsys.readouterr().err and log.warnings == []
