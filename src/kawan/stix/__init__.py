"""Pure STIX 2.1: ids, timestamps, canonical JSON, validation, markings. No I/O."""
