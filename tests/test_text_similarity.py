# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from social_crm.tools.text_similarity import normalize, similarity


def test_same_complaint_from_two_people_is_similar():
    first = "@acme.test The app is down again, I cannot log in! https://x.example/1"
    second = "@acme.test the app is down again... cannot log in"
    assert similarity(first, second) > 0.6


def test_different_topics_are_not_similar():
    assert similarity("The app is down, I cannot log in", "Thanks for the fast delivery, great service") < 0.2


def test_thai_without_spaces_is_compared_by_characters():
    assert similarity("แอปล่มอีกแล้ว เข้าระบบไม่ได้เลย", "แอปล่มอีกแล้ว เข้าระบบไม่ได้") > 0.7


def test_links_handles_and_punctuation_do_not_count():
    assert normalize("@acme HELLO, World!! https://t.co/abc") == "hello world"
    assert similarity("", "anything") == 0.0
