"""The audit trail: append-only entries, each carrying the hash of the one before.

Pure: `chain` (hashing and verification). I/O: `trail` (record, list, verify the stored
trail in batches; SQL in `kawan.store.audit`).
"""
