"""Validation of one STIX 2.1 object: the rules a node must enforce before it stores it.

`check(obj)` returns the object's `Meta` (what the store records beside the JSON) or raises
`InvalidInput` naming the object id and the property at fault. Cheap by design: it runs on
every object ingested, so it checks structure, not vocabularies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from kawan.errors import InvalidInput
from kawan.stix.ids import ID_RE, TYPE_RE
from kawan.stix.timestamps import parse_us

SCO_TYPES = frozenset(
    {
        "artifact",
        "autonomous-system",
        "directory",
        "domain-name",
        "email-addr",
        "email-message",
        "file",
        "ipv4-addr",
        "ipv6-addr",
        "mac-addr",
        "mutex",
        "network-traffic",
        "process",
        "software",
        "url",
        "user-account",
        "windows-registry-key",
        "x509-certificate",
        # OpenCTI's observables
        "phone-number",
        "cryptocurrency-wallet",
        "bank-account",
        "payment-card",
        "hostname",
        "text",
        "user-agent",
        "credential",
        "tracking-number",
        "cryptographic-key",
        "ssh-key",
        "imei",
        "iccid",
        "imsi",
        "media-content",
        "persona",
        "ai-prompt",
    }
)

# Properties each type requires beyond the common ones (STIX 2.1 §4–§7).
REQUIRED: dict[str, tuple[str, ...]] = {
    "attack-pattern": ("name",),
    "campaign": ("name",),
    "course-of-action": ("name",),
    "grouping": ("context", "object_refs"),
    "identity": ("name",),
    "incident": ("name",),
    "indicator": ("pattern", "pattern_type", "valid_from"),
    "infrastructure": ("name",),
    "intrusion-set": ("name",),
    "malware": ("is_family",),
    "malware-analysis": ("product",),
    "note": ("content", "object_refs"),
    "observed-data": ("first_observed", "last_observed", "number_observed"),
    "opinion": ("opinion", "object_refs"),
    "report": ("name", "published", "object_refs"),
    "threat-actor": ("name",),
    "tool": ("name",),
    "vulnerability": ("name",),
    "relationship": ("relationship_type", "source_ref", "target_ref"),
    "sighting": ("sighting_of_ref",),
    "kawan-tombstone": ("object_ref", "object_type", "created_by_ref"),
    "language-content": ("object_ref", "contents"),
    "extension-definition": ("name", "schema", "version", "extension_types", "created_by_ref"),
    "domain-name": ("value",),
    "email-addr": ("value",),
    "ipv4-addr": ("value",),
    "ipv6-addr": ("value",),
    "mac-addr": ("value",),
    "url": ("value",),
    "autonomous-system": ("number",),
    "directory": ("path",),
    "mutex": ("name",),
    "software": ("name",),
    "network-traffic": ("protocols",),
    "email-message": ("is_multipart",),
    "phone-number": ("value",),
    "cryptocurrency-wallet": ("value",),
}
TIMESTAMP_PROPS = (
    "valid_from",
    "valid_until",
    "first_seen",
    "last_seen",
    "published",
    "first_observed",
    "last_observed",
)
_REF_SUFFIXES = ("_ref", "_refs")
OPINIONS = frozenset({"strongly-disagree", "disagree", "neutral", "agree", "strongly-agree"})


class Meta(NamedTuple):
    """What the store records beside an object version's JSON.

    A named tuple: immutable, and cheap to make (once per object ingested, and again where
    a worker process's answer is received).
    """

    id: str
    type: str
    spec_version: str
    created: int | None  # microseconds since the epoch
    modified: int | None
    modified_text: str | None  # the version as written (TAXII matches it exactly)
    revoked: bool
    created_by_ref: str | None
    is_sco: bool
    valid_from: int | None  # an indicator's validity (microseconds); None for other types
    valid_until: int | None


def check(obj: Any) -> Meta:
    """Validate one STIX 2.1 object; raise InvalidInput naming its id and the property."""
    if type(obj) is not dict and not isinstance(obj, Mapping):  # the ABC check is slow
        raise InvalidInput(f"a STIX object must be a JSON object, not {_kind(obj)}")
    oid = obj.get("id")
    where = oid if isinstance(oid, str) else None
    otype = _type_and_id(obj, where)
    is_sco = _is_sco(otype, obj)
    spec = _spec_version(obj, where, is_sco)
    _required(obj, otype, where)
    times = _times(obj, where, is_sco or otype == "marking-definition")
    created, modified, modified_text, stamps = times
    indicator = otype == "indicator"
    _refs(obj, where)
    _specifics(obj, otype, where)
    return Meta(
        id=str(oid),
        type=otype,
        spec_version=spec,
        created=created,
        modified=modified,
        modified_text=modified_text,
        revoked=obj.get("revoked") is True,
        created_by_ref=obj.get("created_by_ref"),
        is_sco=is_sco,
        valid_from=stamps.get("valid_from") if indicator else None,
        valid_until=stamps.get("valid_until") if indicator else None,
    )


def _kind(value: object) -> str:
    return {
        list: "an array",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "a boolean",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _type_and_id(obj: Mapping[str, Any], where: str | None) -> str:
    otype = obj.get("type")
    if not isinstance(otype, str) or not TYPE_RE.match(otype):
        raise InvalidInput("missing or malformed 'type'", object_id=where, field="type")
    oid = obj.get("id")
    if not isinstance(oid, str):
        raise InvalidInput("missing 'id'", object_id=where, field="id")
    m = ID_RE.match(oid)
    if m is None:
        raise InvalidInput(f"malformed id {oid!r}: must be TYPE--UUID", object_id=oid, field="id")
    if m.group(1) != otype:
        raise InvalidInput(
            f"id prefix {m.group(1)!r} differs from type {otype!r}", object_id=oid, field="id"
        )
    return otype


def _is_sco(otype: str, obj: Mapping[str, Any]) -> bool:
    if otype in SCO_TYPES:
        return True
    if otype in REQUIRED or otype == "marking-definition":
        return False
    return "created" not in obj  # a custom type without created/modified versions like an SCO


def _spec_version(obj: Mapping[str, Any], where: str | None, is_sco: bool) -> str:
    spec = obj.get("spec_version")
    if spec is None and is_sco:
        return "2.1"
    if spec is None:
        raise InvalidInput(
            "missing 'spec_version' (kawan stores STIX 2.1 objects)",
            object_id=where,
            field="spec_version",
        )
    if spec != "2.1":
        raise InvalidInput(
            f"spec_version {spec!r} is not supported; kawan stores STIX 2.1",
            object_id=where,
            field="spec_version",
        )
    return "2.1"


def _required(obj: Mapping[str, Any], otype: str, where: str | None) -> None:
    for name in REQUIRED.get(otype, ()):
        if obj.get(name) is None:
            raise InvalidInput(
                f"required property {name!r} of {otype} is missing", object_id=where, field=name
            )


def _times(
    obj: Mapping[str, Any], where: str | None, optional: bool
) -> tuple[int | None, int | None, str | None, dict[str, int]]:
    """created, the version (modified, else created) as microseconds and as written, and
    the other timestamp properties present, parsed (by name)."""
    created_text, modified_text = obj.get("created"), obj.get("modified")
    if not optional:
        for name in ("created", "modified"):
            if obj.get(name) is None:
                raise InvalidInput(
                    f"required property {name!r} is missing", object_id=where, field=name
                )
    parsed: dict[str, int] = {}  # each distinct text once: `modified` often repeats `created`
    created = _stamp(created_text, "created", where, parsed)
    modified = _stamp(modified_text, "modified", where, parsed)
    if created is not None and modified is not None and modified < created:
        raise InvalidInput(
            "'modified' is earlier than 'created'", object_id=where, field="modified"
        )
    stamps: dict[str, int] = {}
    for name in TIMESTAMP_PROPS:
        if name in obj:
            stamp = _stamp(obj[name], name, where, parsed)
            if stamp is not None:
                stamps[name] = stamp
    version_text = modified_text if modified_text is not None else created_text
    version = modified if modified is not None else created
    return created, version, version_text, stamps


def _stamp(text: object, name: str, where: str | None, parsed: dict[str, int]) -> int | None:
    """`text` parsed as a timestamp (None stays None), remembered in `parsed`."""
    if text is None:
        return None
    if isinstance(text, str) and text in parsed:
        return parsed[text]
    value = parse_us(text, field=name, object_id=where)
    parsed[str(text)] = value
    return value


def _refs(obj: Mapping[str, Any], where: str | None) -> None:
    for name, value in obj.items():
        if not name.endswith(_REF_SUFFIXES):
            continue
        if name.endswith("_ref"):
            _one_ref(value, name, where)
        else:
            if not isinstance(value, list):
                raise InvalidInput("must be a list of STIX ids", object_id=where, field=name)
            for item in value:
                _one_ref(item, name, where)
    cbr = obj.get("created_by_ref")
    if cbr is not None and not cbr.startswith("identity--"):
        raise InvalidInput("must reference an identity", object_id=where, field="created_by_ref")
    for ref in obj.get("object_marking_refs") or ():
        if not ref.startswith("marking-definition--"):
            raise InvalidInput(
                f"{ref!r} is not a marking-definition", object_id=where, field="object_marking_refs"
            )
    for i, granular in enumerate(obj.get("granular_markings") or ()):
        if not isinstance(granular, Mapping) or not isinstance(granular.get("selectors"), list):
            raise InvalidInput(
                "needs 'selectors' and 'marking_ref' or 'lang'",
                object_id=where,
                field=f"granular_markings[{i}]",
            )
        if "marking_ref" in granular:
            _one_ref(granular["marking_ref"], f"granular_markings[{i}].marking_ref", where)


def _one_ref(value: object, name: str, where: str | None) -> None:
    if not isinstance(value, str) or ID_RE.match(value) is None:
        raise InvalidInput(f"not a STIX id: {value!r}", object_id=where, field=name)


def _specifics(obj: Mapping[str, Any], otype: str, where: str | None) -> None:
    if otype == "indicator" and not isinstance(obj["pattern"], str):
        raise InvalidInput("must be a string", object_id=where, field="pattern")
    if otype == "opinion" and obj["opinion"] not in OPINIONS:
        raise InvalidInput(f"must be one of {sorted(OPINIONS)}", object_id=where, field="opinion")
    if otype == "marking-definition":
        _marking_definition(obj, where)
    if otype == "observed-data" and not (obj.get("objects") or obj.get("object_refs")):
        raise InvalidInput(
            "needs 'object_refs' (or the deprecated 'objects')",
            object_id=where,
            field="object_refs",
        )
    if otype == "file" and not (obj.get("hashes") or obj.get("name")):
        raise InvalidInput("a file needs 'hashes' or 'name'", object_id=where, field="hashes")
    for name in ("object_refs",):
        if name in obj and not obj[name] and otype in ("report", "grouping", "note", "opinion"):
            raise InvalidInput("must not be empty", object_id=where, field=name)


def _marking_definition(obj: Mapping[str, Any], where: str | None) -> None:
    if obj.get("created") is None:
        raise InvalidInput(
            "required property 'created' is missing", object_id=where, field="created"
        )
    has_definition = "definition_type" in obj and "definition" in obj
    if not has_definition and not obj.get("extensions"):
        raise InvalidInput(
            "needs 'definition_type' and 'definition', or 'extensions'",
            object_id=where,
            field="definition",
        )
