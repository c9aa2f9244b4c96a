"""The matcher: the node's indicators against an agency's own logs.

    index.py    the compiled indicator index (pure): exact keys, CIDR tables, the fast filter
    tokens.py   what a log value holds (pure): words, URLs, e-mail, phones, IPv6 -> keys
    fast.py     the prefilter over a whole chunk of bytes (C in _prefilter.c; numpy oracle)
    formats.py  log formats: zeek, zeek-json, squid, combined, csv, jsonl, syslog, text
    scan.py     one chunk: prefilter, then exact matching of the candidate lines (pure)
    parallel.py chunks of files across all cores (I/O)
    compile.py  the index from the store, cached on disk and updated incrementally (I/O)
    sightings.py  hits aggregated into STIX sightings (pure)
    run.py      the service behind `kawan match` (I/O)

See docs/match.md for the semantics.
"""
