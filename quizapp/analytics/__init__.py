"""Read-side queries: weak areas, item statistics, dashboards."""
