"""Event pages. The views live in modules by page; this module gathers them for the URLconf."""

from .views_detail import detail  # noqa: F401
from .views_list import event_list, export  # noqa: F401
from .views_map import event_map  # noqa: F401
from .views_report import report, report_check, report_done  # noqa: F401
