"""The project's own exceptions: each carries a message a user understands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class CrmError(Exception):
    """Base class: the message is meant to be shown to a user as it is."""


class ValidationError(CrmError):
    """Input was refused; nothing was written."""


class ConstraintViolation(ValidationError):
    """The database refused a change that breaks one of its rules (a duplicate, a missing
    required value); nothing was written."""


class NotFound(CrmError):
    """The record asked for does not exist."""


@dataclass(frozen=True)
class Conflict:
    """One field both you and someone else changed since the form was opened."""

    field: str
    seen: Any
    current: Any
    yours: Any


class StaleEdit(CrmError):
    """The record changed since the form was opened; the edit was refused.

    ``conflicts`` lists the fields that both sides changed, when the edit knew what the user
    saw; it is empty when the refusal is only that the record moved on.
    """

    def __init__(self, message: str, conflicts: list[Conflict] | None = None) -> None:
        super().__init__(message)
        self.conflicts: list[Conflict] = list(conflicts or [])


class DatabaseLocked(CrmError):
    """Another process holds the database file."""


class ImportRefused(CrmError):
    """A file could not be imported at all; nothing was written."""


class MigrationError(CrmError):
    """The database schema could not be brought up to date; the message names the file."""


class MigrationFailed(MigrationError):
    """A migration failed; the database was left exactly as it was before it."""


class MigrationEdited(MigrationError):
    """A migration file changed after it was applied to this database."""


class SchemaTooNew(MigrationError):
    """The database was made by a newer version of the app than this one."""
