"""Errors raised while reading and validating published files.

Every error names where the problem is (file, sheet, row, column) so a user can open the file
and look; rows and columns are given as a spreadsheet shows them (row 1-based, column letters).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@lru_cache(maxsize=4096)
def column_letter(index: int) -> str:
    """0-based column index -> spreadsheet letters (0 -> 'A', 27 -> 'AB')."""
    if index < 0:
        raise ValueError(f"column index must be >= 0, got {index}")
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


@dataclass(frozen=True)
class Location:
    """Where in a published file something was found."""

    file: str
    sheet: str | None = None
    row: int | None = None  # 1-based, as a spreadsheet shows it
    column: str | None = None  # letters, as a spreadsheet shows it

    def __str__(self) -> str:
        parts = [f"file {self.file!r}"]
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts)


class SourceError(Exception):
    """Base class for problems with a published file."""


class UnsupportedLayoutError(SourceError):
    """The file is readable but is not a layout this project knows how to parse."""


class ParseError(SourceError):
    """The file could not be read or a cell could not be interpreted."""

    def __init__(self, message: str, location: Location | None = None):
        self.location = location
        super().__init__(f"{location}: {message}" if location else message)


class ValidationFailed(SourceError):
    """A parsed frame broke its schema; ``failures`` lists each broken rule with its location."""

    def __init__(self, dataset: str, failures: list[str]):
        self.dataset = dataset
        self.failures = failures
        shown = "\n  ".join(failures[:20])
        more = f"\n  ... and {len(failures) - 20} more" if len(failures) > 20 else ""
        super().__init__(f"{dataset}: {len(failures)} validation failure(s):\n  {shown}{more}")
