# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The keys contact matching compares: the same definition on both sides (stored on contacts, computed for authors)."""

from social_crm.tools.contact_keys import domain_key, handle_key, handle_keys, phone_key, url_key


def test_phone_key_agrees_between_local_and_international_formats():
    assert phone_key("+66 81 234 5678") == phone_key("081-234-5678") == "812345678"
    assert phone_key("+98 912 345 6789") == phone_key("0912 345 6789") == "123456789"
    assert phone_key("۰۹۱۲ ۳۴۵ ۶۷۸۹") == "123456789", "Persian digits"
    assert phone_key("๐๘๑ ๒๓๔ ๕๖๗๘") == "812345678", "Thai digits"
    assert phone_key("12-34") == "", "too short to be a phone number"


def test_handle_keys_list_every_handle_and_link_once():
    keys = handle_keys("@Somchai.test, @somchai@mastodon.social;https://www.bsky.app/profile/Somchai.test/ x")
    assert keys.split() == sorted(keys.split())
    assert set(keys.split()) == {
        "somchai.test",
        "somchai@mastodon.social",
        "https://www.bsky.app/profile/somchai.test/",
        "bsky.app/profile/somchai.test",
        "x",
    }
    assert handle_keys("") == handle_keys(None) == ""


def test_an_authors_keys_are_found_among_the_contacts_keys():
    typed = set(handle_keys("@jane.test, https://forum.example.com/u/jane/").split())
    assert handle_key("@Jane.test") in typed
    assert url_key("http://forum.example.com/u/jane") in typed
    assert url_key("jane.test") == "", "a handle is no link"


def test_domain_key():
    assert domain_key("https://www.Cooper-Design.com/about") == "cooper-design.com"
    assert domain_key("hello@cooper-design.com") == "cooper-design.com"
    assert domain_key("") == ""
