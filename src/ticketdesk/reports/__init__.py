"""Reports: per-ticket metrics, daily rollups and the reports API."""
