"""The project's own exceptions: each carries a message a user understands."""


class CrmError(Exception):
    """Base class: the message is meant to be shown to a user as it is."""


class ValidationError(CrmError):
    """Input was refused; nothing was written."""


class NotFound(CrmError):
    """The record asked for does not exist."""


class StaleEdit(CrmError):
    """The record changed since the form was opened; the edit was refused."""


class DatabaseLocked(CrmError):
    """Another process holds the database file."""


class ImportRefused(CrmError):
    """A file could not be imported at all; nothing was written."""
