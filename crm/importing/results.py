"""What an import did: counts, rejected rows with their line and reason, duplicates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class RejectedRow:
    """A file row that was not imported: its spreadsheet line number and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class DuplicateRow:
    """A row whose platform + handle occurs again later in the file (the later row won)."""

    line: int
    key: str
    kept_line: int


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do)."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicates: int = 0
    rejects: list[RejectedRow] = field(default_factory=list)
    duplicate_rows: list[DuplicateRow] = field(default_factory=list)
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)  # the plan's: how the file was read

    def summary(self) -> str:
        """One line: the counts, and the duplicates if there were any."""
        text = (
            f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.rejected} rejected"
        )
        if self.duplicates:
            rows = "row" if self.duplicates == 1 else "rows"
            text += f"; {self.duplicates} duplicate {rows} in the file (the later row won)"
        if self.dry_run:
            text += " (dry run: nothing written)"
        return text


class HasRejects(Protocol):
    """Anything that carries rejected rows: an import's result or its plan."""

    @property
    def rejects(self) -> list[RejectedRow]: ...
