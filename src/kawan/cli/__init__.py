"""The `kawan` command: thin commands (parse -> service -> print).

Exit codes: 0 success; 1 the work was done but something was rejected or found wrong;
2 usage error; 3 cannot run (no database, partner unreachable).
"""

from __future__ import annotations

from kawan.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
