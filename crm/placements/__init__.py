"""Placements: each paid post with its plan, price, links and ad label; its measured results
(several per placement, each with its provenance); screenshots kept as evidence; UTM links."""

from crm.placements.evidence import (
    MAX_BYTES,
    attach_evidence,
    delete_evidence,
    evidence_bytes,
    evidence_frame,
)
from crm.placements.placements import (
    ERID_PLATFORMS,
    FLAGS_SQL,
    PLACEMENT_DATE_SQL,
    STATUSES,
    Placement,
    PlacementFilter,
    cancel_placement,
    check_content_type,
    delete_placement,
    filter_sql,
    flags,
    get_placement,
    log_placement,
    placements_frame,
    placements_sql,
    update_placement,
)
from crm.placements.results import (
    METRIC_FIELDS,
    delete_result,
    latest_results_sql,
    record_result,
    results_frame,
)
from crm.placements.utm import set_utm, slug, utm_link

__all__ = [
    "ERID_PLATFORMS",
    "MAX_BYTES",
    "FLAGS_SQL",
    "METRIC_FIELDS",
    "PLACEMENT_DATE_SQL",
    "STATUSES",
    "Placement",
    "PlacementFilter",
    "attach_evidence",
    "cancel_placement",
    "check_content_type",
    "delete_evidence",
    "delete_placement",
    "delete_result",
    "evidence_bytes",
    "evidence_frame",
    "filter_sql",
    "flags",
    "get_placement",
    "latest_results_sql",
    "log_placement",
    "placements_frame",
    "placements_sql",
    "record_result",
    "results_frame",
    "set_utm",
    "slug",
    "update_placement",
    "utm_link",
]
