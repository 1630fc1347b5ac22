# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from social_crm.tools.titles import shorten


def test_short_texts_stay_whole_on_one_line():
    assert shorten("  Where is\nmy   order? ", 50) == "Where is my order?"
    assert shorten(None, 10) == ""


def test_words_are_cut_at_a_space_near_the_end():
    title = shorten("My parcel arrived broken and nobody answers the phone", 30)
    assert title == "My parcel arrived broken and…"
    assert len(title) <= 30


def test_a_thai_sentence_without_spaces_keeps_its_start():
    text = "สั่งของไปสองอาทิตย์แล้วยังไม่ได้รับเลยค่ะช่วยตรวจสอบให้หน่อย"
    title = shorten(text, 20)
    assert title == text[:19] + "…"


def test_a_persian_sentence_is_cut_at_a_word():
    title = shorten("سفارشم هنوز نرسیده و کسی جواب تلفن را نمی دهد", 25)
    assert title.endswith("…") and len(title) <= 25
    assert title[:-1] == title[:-1].rstrip() and "سفارشم هنوز نرسیده" in title
