"""Booth content edits: validated, partial, precise errors."""

from __future__ import annotations

import pytest

from world.booths import (
    BoothRecord,
    BoothRuleError,
    apply_patch,
    check_owner,
    content_after_assign,
)
from world.protocol.messages import BoothContent, BoothPatch, Link, Product


def record() -> BoothRecord:
    return BoothRecord("b01", "798-art-zone", 7, "Acme Design",
                       BoothContent(name="Acme", tagline="Design studio", logo="https://acme.example/logo.png"))


def test_partial_patch_keeps_other_fields() -> None:
    rec = record()
    content = apply_patch(rec, BoothPatch(tagline="  New tagline\x00 ", video="https://v.example/a.mp4"))
    assert content.name == "Acme" and content.tagline == "New tagline" and content.video == "https://v.example/a.mp4"
    assert rec.content.tagline == "Design studio"  # the record is not changed


@pytest.mark.parametrize(("patch", "field"), [
    (BoothPatch(logo="javascript:alert(1)"), "logo"),
    (BoothPatch(image="ftp://x.example/a.png"), "image"),
    (BoothPatch(video="https://"), "video"),
    (BoothPatch(links=(Link(label="ok", url="https://a.example"), Link(label="x", url="data:text/html,hi"))), "links[1].url"),
    (BoothPatch(links=(Link(label=" ", url="https://a.example"),)), "links[0].label"),
    (BoothPatch(products=(Product(name="p", image="file:///etc/passwd"),)), "products[0].image"),
])
def test_bad_urls_and_empty_labels_are_refused_naming_the_field(patch: BoothPatch, field: str) -> None:
    with pytest.raises(BoothRuleError) as info:
        apply_patch(record(), patch)
    assert info.value.field == field


def test_empty_url_clears_a_field() -> None:
    assert apply_patch(record(), BoothPatch(logo="")).logo == ""


def test_view_and_summary() -> None:
    rec = record()
    rec.staff_on_duty.update({"u-lee": "Lee", "u-ann": "Ann"})
    rec.likes = 3
    assert rec.view(liked=True).staff == ["Ann", "Lee"]
    assert rec.summary().likes == 3 and rec.summary().name == "Acme"


def test_only_enterprises_can_own_a_booth() -> None:
    check_owner(7, "enterprise", "Acme Design")
    with pytest.raises(BoothRuleError, match="is a park") as not_enterprise:
        check_owner(3, "park", "798-art-zone")
    assert not_enterprise.value.field == "owner"


def test_a_slot_given_to_another_enterprise_starts_empty() -> None:
    rec = BoothRecord("b1", "p", owner_org=7, owner_name="Acme", content=BoothContent(name="Acme stand"))
    assert content_after_assign(rec, 7).name == "Acme stand"
    assert content_after_assign(rec, 8) == BoothContent()
    assert content_after_assign(rec, None) == BoothContent()


@pytest.mark.parametrize(("patch", "field"), [
    (BoothPatch(logo="http://["), "logo"),
    (BoothPatch(image="https://]x"), "image"),
    (BoothPatch(video="http://a:99999/"), "video"),
    (BoothPatch(links=(Link(label="l", url="http://a＃b/"),)), "links[0].url"),
    (BoothPatch(products=(Product(name="p", image="https://]x"),)), "products[0].image"),
    (BoothPatch(products=(Product(name="p", url="http://a℀/"),)), "products[0].url"),
    (BoothPatch(logo="https://acme.example/\x00logo.png"), "logo"),
    (BoothPatch(logo="https://acme.example/\u202egnp.exe"), "logo"),
])
def test_urls_python_cannot_even_split_are_refused_naming_the_field(patch: BoothPatch, field: str) -> None:
    with pytest.raises(BoothRuleError) as info:
        apply_patch(record(), patch)
    assert info.value.field == field
    assert "URL" in info.value.problem


def test_booth_texts_go_through_the_one_text_cleaner() -> None:
    content = apply_patch(record(), BoothPatch(
        name="Acme\u202e\nDesign", tagline="\u200bnew", description="line 1\r\n\x00line 2\u2066",
        links=(Link(label="Si\u200bte\n", url="https://acme.example/"),),
        products=(Product(name="Ink\tbot", price="¥9\u202e", description="a\n\n\n\nb"),)))
    assert (content.name, content.tagline, content.description) == ("Acme Design", "new", "line 1\nline 2")
    assert content.links[0].label == "Site"
    assert (content.products[0].name, content.products[0].price, content.products[0].description) == (
        "Ink bot", "¥9", "a\n\nb")
