"""Ingestion: sources, polite fetching, feed parsing, dedup, harvest runs and source health."""
