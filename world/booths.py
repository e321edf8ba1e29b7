"""Booth records and the rules for editing their content.

A booth stands in one of a park's booth slots (``id`` is the slot id, unique within a
park). ``apply_patch`` returns the content after an edit, or raises ``BoothRuleError``
naming the field and what is wrong: URLs must be ``http://`` or ``https://`` with a
host (or empty), with no spaces, control or invisible characters; text goes through
``world.text.clean_text`` (one line for names, taglines, labels and prices; the
descriptions keep their lines). Types and lengths are already checked by the codec
(``messages.BoothPatch``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import msgspec

from world.field_error import FieldError
from world.permissions import Resource
from world.protocol.messages import BoothContent, BoothPatch, BoothSummary, BoothView, Link, Product
from world.text import clean_text


class BoothRuleError(FieldError):
    """An edit breaks a content rule; ``field`` names the offending field."""


@dataclass(slots=True, eq=False)
class BoothRecord:
    id: str
    park_id: str
    owner_org: int | None = None  # the enterprise (organization id) that owns the slot
    owner_name: str = ""  # that organization's name, for display only
    content: BoothContent = field(default_factory=BoothContent)
    likes: int = 0
    staff_on_duty: dict[str, str] = field(default_factory=dict)  # user id -> display name
    updated: float = 0.0  # when the stored row last changed (newer rows replace this record)

    @property
    def resource(self) -> Resource:
        return Resource(park_id=self.park_id, booth_id=self.id, owner_org=self.owner_org)

    def view(self, liked: bool = False) -> BoothView:
        return BoothView(id=self.id, owner=self.owner_name, content=self.content, likes=self.likes,
                         staff=sorted(self.staff_on_duty.values()), liked=liked)

    def summary(self) -> BoothSummary:
        return BoothSummary(id=self.id, name=self.content.name, owner=self.owner_name, likes=self.likes)


def check_owner(org_id: int, kind: str, name: str) -> None:
    """A booth's owner is an organization of kind ``enterprise``; raises
    ``BoothRuleError`` (field ``owner``) saying what is wrong otherwise."""
    if kind != "enterprise":
        raise BoothRuleError("owner", f"organization {org_id} ({name}) is a {kind}; booths go to enterprises",
                             "not_enterprise", org=org_id, name=name, kind=kind)


def content_after_assign(record: BoothRecord, new_org: int | None) -> BoothContent:
    """A slot handed to another enterprise (or freed) starts empty; the same enterprise keeps it."""
    if new_org is not None and new_org == record.owner_org:
        return record.content
    return BoothContent()


def check_url(value: str, where: str) -> str:
    """``value`` trimmed, or "" for an empty value; raises ``BoothRuleError`` (field
    ``where``) unless it is an ``http://`` or ``https://`` URL with a host, a valid port
    if any, and no spaces, control or invisible formatting characters."""
    value = value.strip()
    if not value:
        return ""
    for c in value:
        if c.isspace():
            raise BoothRuleError(where, "URL must not contain spaces", "url_spaces")
        if unicodedata.category(c) in ("Cc", "Cf", "Cs"):
            raise BoothRuleError(where, f"URL must not contain control or invisible characters (U+{ord(c):04X})",
                                 "url_invisible", char=f"U+{ord(c):04X}")
    try:
        parts = urlsplit(value)
        host, _port = parts.hostname, parts.port  # .port raises for a port that is not 0..65535
    except ValueError as exc:  # e.g. "http://[" (bad IPv6 brackets), "http://a＃b" (NFKC), bad port
        raise BoothRuleError(where, f"URL cannot be parsed ({exc}): {value[:60]!r}", "url_parse",
                             value=value[:60]) from None
    if parts.scheme not in ("http", "https"):
        raise BoothRuleError(where, f"URL must start with http:// or https:// (got {value[:60]!r})", "url_scheme",
                             value=value[:60])
    if not parts.netloc or not host:
        raise BoothRuleError(where, f"URL has no host: {value[:60]!r}", "url_host", value=value[:60])
    return value


def _link(link: Link, where: str) -> Link:
    label = clean_text(link.label, multiline=False)
    if not label:
        raise BoothRuleError(where + ".label", "a link needs a label")
    url = check_url(link.url, where + ".url")
    if not url:
        raise BoothRuleError(where + ".url", "a link needs a URL")
    return Link(label=label, url=url)


def _product(p: Product, where: str) -> Product:
    name = clean_text(p.name, multiline=False)
    if not name:
        raise BoothRuleError(where + ".name", "a product needs a name")
    return Product(name=name, description=clean_text(p.description), price=clean_text(p.price, multiline=False),
                   image=check_url(p.image, where + ".image"), url=check_url(p.url, where + ".url"))


def apply_patch(record: BoothRecord, patch: BoothPatch) -> BoothContent:
    """The booth's content with ``patch`` applied (the record itself is not changed)."""
    changes: dict[str, object] = {}
    for name in ("name", "tagline", "description"):
        value = getattr(patch, name)
        if value is not None:
            changes[name] = clean_text(value, multiline=name == "description")
    for name in ("logo", "image", "video"):
        value = getattr(patch, name)
        if value is not None:
            changes[name] = check_url(value, name)
    if patch.links is not None:
        changes["links"] = tuple(_link(lk, f"links[{i}]") for i, lk in enumerate(patch.links))
    if patch.products is not None:
        changes["products"] = tuple(_product(p, f"products[{i}]") for i, p in enumerate(patch.products))
    return msgspec.structs.replace(record.content, **changes)
