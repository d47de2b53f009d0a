"""Writing results: atomic output folders, CSV/JSON/PNG reports."""

from spareplan.reports.atomic import atomic_folder, write_csv, write_json

__all__ = ["atomic_folder", "write_csv", "write_json"]
