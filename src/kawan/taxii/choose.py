"""Which versions of each object `match[version]` picks (pure).

An object's version is `modified`, else `created`, else its `date_added`
(`StoredVersion.version`); `last` and `first` are taken among the versions the caller may
see in the collection, whenever they entered it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from kawan.stix.timestamps import format_us
from kawan.store.records import StoredVersion
from kawan.taxii.query import VersionMatch


def chosen(versions: Iterable[StoredVersion], match: VersionMatch) -> set[int]:
    """The `date_added` of every version picked, over all the objects given."""
    by_id: defaultdict[str, list[StoredVersion]] = defaultdict(list)
    for version in versions:
        by_id[version.id].append(version)
    picked: set[int] = set()
    for group in by_id.values():
        picked |= _pick(group, match)
    return picked


def _pick(group: list[StoredVersion], match: VersionMatch) -> set[int]:
    if match.everything:
        return {v.date_added for v in group}
    ranked = sorted(group, key=rank)
    picked = {v.date_added for v in group if v.version in match.stamps}
    if "last" in match.keywords:
        picked.add(ranked[-1].date_added)
    if "first" in match.keywords:
        picked.add(ranked[0].date_added)
    return picked


def rank(version: StoredVersion) -> tuple[int, int]:
    return (version.version, version.date_added)


def version_text(version: StoredVersion) -> str:
    """The version as TAXII shows it: as the object writes it, else its date_added."""
    if version.modified is not None and version.version_text:
        return version.version_text
    return format_us(version.date_added)
