"""Ingest: pure parsers (STIX bundles and envelopes streamed, free text) and the ingest run."""
