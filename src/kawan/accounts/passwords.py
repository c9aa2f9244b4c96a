"""Passwords (for the pages, later): argon2id through argon2-cffi's PasswordHasher."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kawan.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 1024


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"a password needs at least {MIN_LENGTH} characters", field="password")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"a password has at most {MAX_LENGTH} characters", field="password")
    return PasswordHasher().hash(password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    if stored_hash is None:
        return False
    try:
        return PasswordHasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
