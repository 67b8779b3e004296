"""List checks shared by forms and bulk edits: the field type's normaliser run on one value, so a
form and an import can never disagree about what is valid (other fields: ``crm.fields.Field.check``).
"""

from __future__ import annotations

from crm.parsing.types import check_value


def split_list(value: object) -> list[str]:
    """Tags or niches from a list or from text separated by commas, semicolons or bars."""
    out: list[str] | None = check_value("list", value, "list")
    return out or []
