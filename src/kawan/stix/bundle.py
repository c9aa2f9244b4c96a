"""Write a STIX 2.1 bundle as a stream of already-serialised objects (bounded memory)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import IO


def write_bundle(out: IO[bytes], objects_json: Iterable[str]) -> int:
    """Write `{"type":"bundle","id":…,"objects":[…]}`; return how many objects."""
    out.write(b'{"type":"bundle","id":"bundle--' + str(uuid.uuid4()).encode() + b'","objects":[')
    count = 0
    for text in objects_json:
        if count:
            out.write(b",\n")
        out.write(text.encode("utf-8"))
        count += 1
    out.write(b"]}\n")
    return count
