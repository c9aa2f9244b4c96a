"""The tokens this node uses at its partners' nodes, sealed at rest (Fernet).

They cannot be hashed (we must send them), so they are encrypted with a key kept apart
from the database: `KAWAN_SYNC_KEY` (a Fernet key), else the file `$KAWAN_HOME/sync.key`,
created (mode 0600) on first use. A database dump alone does not reveal them.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from kawan.errors import CannotRun

KEY_ENV = "KAWAN_SYNC_KEY"
KEY_FILE = "sync.key"


def key_for(home: Path, given: str | None = None) -> bytes:
    """The sealing key: `given` (the KAWAN_SYNC_KEY setting), else the node's key file
    (made if absent)."""
    if given:
        return given.encode()
    path = home / KEY_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(Fernet.generate_key())
    return path.read_bytes().strip()


def seal(key: bytes, token: str) -> str:
    return Fernet(key).encrypt(token.encode()).decode()


def unseal(key: bytes, sealed: str) -> str:
    try:
        return Fernet(key).decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        raise CannotRun(
            f"cannot decrypt a partner token: the key ({KEY_ENV} or {KEY_FILE}) is not "
            "the one it was sealed with; run `kawan partner add NAME --url URL --token T` again"
        ) from None
