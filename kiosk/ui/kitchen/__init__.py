"""The kitchen display: card grid, bump bar keys, all-day panel."""
