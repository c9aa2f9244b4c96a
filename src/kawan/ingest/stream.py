"""Stream STIX objects out of a file without holding the file in memory.

Accepted: a STIX bundle, a TAXII envelope (`{"objects": [...]}`), a JSON array of objects,
a single object, or JSON Lines (one object per line; `.jsonl` / `.ndjson`). Each yielded
`Item` carries its position (object number, or line for JSON Lines) so that errors can say
where the bad object was. A syntax error ends the stream with a final error item.
"""

from __future__ import annotations

import io
from collections.abc import Generator, Iterator
from typing import IO, Any, NamedTuple

import ijson
import orjson

from kawan.errors import InvalidInput


class Item(NamedTuple):  # a named tuple: one per object read, half the cost of a dataclass
    number: int  # 1-based object number in the file
    obj: Any = None
    error: InvalidInput | None = None
    line: int | None = None  # JSON Lines only


def items(stream: IO[bytes], *, name: str = "") -> Iterator[Item]:
    """Every object in `stream` (binary, seekable); see the module docstring."""
    if name.endswith((".jsonl", ".ndjson")):
        yield from _json_lines(stream)
        return
    first = _first_byte(stream)
    if first == b"[":
        yield from _array(stream, "item")
    elif first == b"{":
        yield from _container_or_object(stream)
    elif first == b"":
        return
    else:
        yield Item(
            1,
            error=InvalidInput(
                f"not JSON: the file starts with {first.decode('latin-1')!r}", line=1
            ),
        )


def _first_byte(stream: IO[bytes]) -> bytes:
    while True:
        chunk = stream.read(1)
        if chunk == b"\xef":  # a UTF-8 byte order mark
            stream.read(2)
            continue
        if not chunk or not chunk.isspace():
            stream.seek(stream.tell() - len(chunk))
            return chunk


def _array(stream: IO[bytes], prefix: str) -> Generator[Item, None, int]:
    """The items under `prefix`; returns how many it yielded (a syntax error's item too)."""
    number = 0
    try:
        for obj in ijson.items(stream, prefix, use_float=True):
            number += 1
            yield Item(number, obj)
    except (ijson.JSONError, ijson.IncompleteJSONError) as exc:
        yield Item(
            number + 1,
            error=InvalidInput(f"JSON syntax error after object {number}: {_short(exc)}"),
        )
        return number + 1
    return number


def _container_or_object(stream: IO[bytes]) -> Iterator[Item]:
    start = stream.tell()
    if (yield from _array(stream, "objects.item")):  # `yield from`: no loop of our own
        return
    stream.seek(start)
    try:
        whole = next(ijson.items(stream, "", use_float=True))
    except (ijson.JSONError, ijson.IncompleteJSONError, StopIteration) as exc:
        yield Item(1, error=InvalidInput(f"JSON syntax error: {_short(exc)}"))
        return
    if isinstance(whole, dict) and isinstance(whole.get("objects"), list):
        return  # an empty bundle or envelope
    yield Item(1, whole)


def _json_lines(stream: IO[bytes]) -> Iterator[Item]:
    number = 0
    for line_no, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        number += 1
        try:
            yield Item(number, orjson.loads(raw), line=line_no)
        except orjson.JSONDecodeError as exc:
            yield Item(number, error=InvalidInput(f"not JSON: {exc}", line=line_no), line=line_no)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def seekable(stream: IO[bytes]) -> IO[bytes]:
    """A seekable copy of a pipe (spooled to disk past 64 MB); seekable streams as they are."""
    if stream.seekable():
        return stream
    import tempfile

    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=64 << 20)
    while chunk := stream.read(1 << 20):
        spool.write(chunk)
    spool.seek(0)
    return spool


def from_bytes(data: bytes, name: str = "") -> Iterator[Item]:
    return items(io.BytesIO(data), name=name)
