"""Strangers' text made storable at the boundary: NUL and lone surrogates go, everything else stays."""

from social_crm.connectors.models import Author, Item
from social_crm.connectors.utils import scrub_fields, scrub_item, storable


def test_nul_and_lone_surrogates_go_the_rest_stays():
    assert storable("a\x00b") == "ab"
    assert storable("broken \ud83d parcel \udc00") == "broken  parcel "
    assert storable("emoji \U0001f600 ไทย فارسی") == "emoji \U0001f600 ไทย فارسی"
    assert storable("tab\tand\nnewline") == "tab\tand\nnewline"


def test_payloads_are_cleaned_all_the_way_down_keys_included():
    payload = {"events": [{"text\x00": "x\x00", "n": 1, "deep": [["\ud800"]], "none": None, "ok": True}]}
    assert storable(payload) == {"events": [{"text": "x", "n": 1, "deep": [[""]], "none": None, "ok": True}]}
    assert storable(payload) is not payload


def test_a_clean_string_is_returned_as_is():
    text = "nothing to clean"
    assert storable(text) is text


def test_profile_answers_and_items_are_scrubbed():
    author = scrub_fields(Author(external_id="U1", name="Som\x00chai\ud800", bio="\x00", avatar_url="https://a/b"))
    assert (author.name, author.bio, author.avatar_url) == ("Somchai", "", "https://a/b")
    item = Item(
        external_id="m\x001",
        author=Author(external_id="U1", handle="h\x00"),
        text="t\x00",
        posted_at=None,
        extra={"k": "v\x00"},
    )
    scrub_item(item)
    assert (item.external_id, item.text, item.author.handle, item.extra) == ("m1", "t", "h", {"k": "v"})
