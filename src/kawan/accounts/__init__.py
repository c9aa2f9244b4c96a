"""Accounts: home users and their roles, API tokens, partner agencies.

Pure: `roles` (who may do what), `tokens` (format, hashing, checks), `passwords`
(argon2), `records` (the dataclasses). I/O: `service` (SQL in `kawan.store.accounts`).
"""
