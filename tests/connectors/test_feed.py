import pytest

from social_crm.connectors import errors, get_client

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Acme forum</title>
<item><guid>https://forum.example/t/1</guid><title>Broken charger</title><link>https://forum.example/t/1</link>
<description>&lt;p&gt;My Acme charger &lt;b&gt;broke&lt;/b&gt;&lt;script&gt;evil()&lt;/script&gt;&lt;/p&gt;</description>
<pubDate>Thu, 15 Jan 2026 10:30:00 +0000</pubDate><dc:creator>jane</dc:creator></item>
<item><guid>https://forum.example/t/2</guid><title>ชอบมาก</title><link>https://forum.example/t/2</link>
<description>สินค้าดีมาก</description><pubDate>Thu, 15 Jan 2026 11:00:00 +0000</pubDate></item>
<item><guid>https://forum.example/t/3</guid><title>no date</title><description>x</description><pubDate>someday</pubDate></item>
</channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title>
<id>urn:blog</id><updated>2026-01-15T10:00:00Z</updated>
<entry><id>urn:blog:1</id><title>Hello</title><link rel="alternate" href="https://blog.example/1"/>
<updated>2026-01-15T10:00:00Z</updated><author><name>Sara</name><uri>https://blog.example/sara</uri></author>
<content type="html">&lt;p&gt;سلام acme&lt;/p&gt;</content></entry></feed>"""


def feed(server, path="/feed"):
    return get_client("feed", base_url=server.url + path, allowed_hosts="127.0.0.1")


def test_rss_items_html_stripped_bad_one_skipped(server):
    server.route("GET", "/feed", (200, {"Content-Type": "application/rss+xml"}, RSS))
    page = list(feed(server).fetch())[0]
    assert [i.external_id for i in page.items] == ["https://forum.example/t/1", "https://forum.example/t/2"]
    assert page.items[0].text == "Broken charger\nMy Acme charger broke"
    assert page.items[0].author.name == "jane"
    assert page.skipped and "invalid date" in page.skipped[0]


def test_atom_and_keywords(server):
    server.route("GET", "/feed", (200, {}, ATOM))
    items = list(feed(server).fetch(keywords=["ACME"]))[0].items
    assert items[0].text == "Hello\nسلام acme" and items[0].url == "https://blog.example/1"
    assert items[0].author.external_id == "https://blog.example/sara"
    assert list(feed(server).fetch(keywords=["nothing"]))[0].items == []


def test_conditional_get(server):
    def answer(request):
        if request["headers"].get("If-None-Match") == '"v1"':
            return 304, {}, b""
        return 200, {"ETag": '"v1"', "Last-Modified": "Thu, 15 Jan 2026 10:00:00 GMT"}, ATOM

    server.route("GET", "/feed", answer)
    cursor = list(feed(server).fetch())[0].cursor
    page = list(feed(server).fetch(cursor=cursor))[0]
    assert page.items == [] and page.cursor == cursor
    assert server.requests[-1]["headers"]["If-Modified-Since"] == "Thu, 15 Jan 2026 10:00:00 GMT"


def test_refetch_without_etag_returns_only_new(server):
    server.route("GET", "/feed", (200, {}, ATOM))
    cursor = list(feed(server).fetch())[0].cursor
    assert list(feed(server).fetch(cursor=cursor))[0].items == []


@pytest.mark.parametrize(
    "payload",
    [
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel><item>'
        "<title>&x;</title></item></channel></rss>",
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        "<rss><channel><item><title>&lol2;</title></item></channel></rss>",
    ],
)
def test_entities_refused(server, payload):
    server.route("GET", "/feed", (200, {}, payload))
    with pytest.raises(errors.BadPayload, match="refused for safety"):
        list(feed(server).fetch())


def test_broken_encoding_and_not_a_feed(server):
    broken = RSS.replace("สินค้าดีมาก", "").encode("utf-8").replace(b"My Acme", b"My \xff\xfe Acme")
    server.route("GET", "/feed", (200, {}, broken))
    items = list(feed(server).fetch())[0].items
    assert "\ufffd" in items[0].text and len(items) == 2
    server.route("GET", "/html", (200, {}, "<html><body>hi</body></html>"))
    with pytest.raises(errors.BadPayload, match="neither an RSS nor an Atom"):
        list(feed(server, "/html").fetch())
    server.route("GET", "/junk", (200, {}, "not xml at all <<<"))
    with pytest.raises(errors.BadPayload):
        list(feed(server, "/junk").fetch())


def test_feeds_cannot_be_answered(server):
    with pytest.raises(errors.ApiError):
        feed(server).reply("hi", parent_id="x")
