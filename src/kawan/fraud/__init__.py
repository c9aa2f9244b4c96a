"""Identifiers of fraud and threat: normalisation (pure), STIX observable types, check.

Start at `kawan.fraud.identifiers` (`normalise`, `guess`) and `kawan.fraud.observables`
(`to_sco`, `index_keys`, `key_for_path`); `docs/identifiers.md` lists every kind.
"""
