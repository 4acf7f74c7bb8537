"""Records of several editions -> links between their entries and a risk_uid per record.

match knows nothing of PDFs or files, except the analysts' overrides CSV.
"""

from match.link import LinkResult, link_records
from match.overrides import OverridesError, read_overrides
from match.report import format_summary

__all__ = ["LinkResult", "OverridesError", "format_summary", "link_records", "read_overrides"]
