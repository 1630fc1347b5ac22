"""Each network's length, counted the way the network counts it, in one place (``client.text_length``)."""

import pytest

from social_crm.connectors import get_client, get_client_class, textlength

THAI_SYLLABLE = "ที่"  # consonant + vowel + tone mark: three code points, one grapheme
FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # seven code points joined by ZWJ: one grapheme
SAMPLES = [
    ("", 0),
    ("abc", 3),
    (THAI_SYLLABLE, 1),
    ("น้ำ", 1),
    (FAMILY, 1),
    ("🇹🇭🇮🇷", 2),
    ("👍🏽", 1),
    ("e\u0301", 1),
    ("❤️", 1),
    ("\r\n", 1),
    ("한국어", 3),
    ("\u1100\u1161\u11a8", 1),
    ("سلام", 4),
]


@pytest.fixture(params=["regex", "approximation"])
def segmenter(request, monkeypatch):
    if request.param == "approximation":
        monkeypatch.setattr(textlength, "_regex", None)
    elif textlength._regex is None:
        pytest.skip("the regex module is not installed")
    return request.param


@pytest.mark.parametrize(("text", "expected"), SAMPLES)
def test_graphemes(segmenter, text, expected):
    assert textlength.grapheme_length(text) == expected


def test_bluesky_counts_graphemes_not_code_points(segmenter):
    bluesky = get_client("bluesky", login="acme.test", token="pw")
    thai = THAI_SYLLABLE * 300  # 900 code points, 300 graphemes: Bluesky accepts it
    assert get_client_class("bluesky").text_length(thai) == 300
    assert bluesky.check_reply_text(thai) == thai
    with pytest.raises(ValueError, match="301 characters as Bluesky counts them; Bluesky allows 300"):
        bluesky.check_reply_text(thai + "ก")
    with pytest.raises(ValueError, match="bytes; Bluesky allows 3000"):
        bluesky.check_reply_text(FAMILY * 130)  # 130 graphemes but 3250 UTF-8 bytes


def test_x_weighted_length(segmenter):
    x = get_client_class("x")
    assert x.text_length("a" * 280) == 280
    assert x.text_length("你好") == 4 and x.text_length("한") == 2
    assert x.text_length("สวัสดี") == 6 and x.text_length("سلام") == 4  # Thai and Persian weigh 1 per code point
    assert x.text_length("—“quoted”…") == 10 - 1 + 2  # U+2026 (…) lies outside the light ranges
    assert x.text_length("😀") == 2 and x.text_length(FAMILY) == 2 and x.text_length("👍🏽") == 2
    assert x.text_length("see https://example.com/a/very/long/path?with=query&and=more") == 4 + 23
    client = get_client("x", token="t")
    assert client.check_reply_text("你" * 140)
    with pytest.raises(ValueError, match="282 characters as X counts them; X allows 280"):
        client.check_reply_text("你" * 141)


def test_mastodon_counts_urls_as_23_and_remote_mentions_by_user():
    mastodon = get_client_class("mastodon")
    assert mastodon.text_length("@sara@persian.social hi") == len("@sara hi")
    assert mastodon.text_length("https://example.com/" + "x" * 200) == 23
    client = get_client("mastodon", token="t")
    assert client.check_reply_text("https://example.com/" + "x" * 600 + " " + "a" * 470)


def test_other_networks_count_code_points():
    for network in ("facebook", "instagram", "reddit", "youtube", "linkedin"):
        assert get_client_class(network).text_length(THAI_SYLLABLE) == 3
