# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from social_crm.tools.csv_cells import csv_text, safe_cell
from social_crm.tools.person_text import PersonText, handle_forms, html_to_text, identifiers_of, like

ERASED = "[erased]"


def anna():
    return identifiers_of(
        [
            {
                "handle": "anna",
                "name": "Anna",
                "profile_url": "https://bsky.app/profile/anna",
                "avatar_url": None,
                "external_id": "did:plc:anna-w",
                "bio": "Baker in Lodz",
            }
        ],
        [
            {
                "author_name": "Anna",
                "author_handle": "anna",
                "url": "https://bsky.app/profile/anna/post/1",
                "external_id": "at://did:plc:anna-w/post/1",
                "body": "My parcel never came",
            }
        ],
    )


def test_a_plain_word_handle_is_unique_only_with_its_at_sign():
    assert handle_forms("@anna") == (["@anna"], ["anna"])
    assert handle_forms("janina.test") == (["@janina.test", "janina.test"], [])
    assert handle_forms("a") == ([], [])


def test_names_and_words_are_kept_apart_from_unique_identifiers():
    unique, names, words = anna()
    assert "Anna" not in unique and "anna" not in unique
    assert {"@anna", "https://bsky.app/profile/anna", "did:plc:anna-w"} <= set(unique)
    assert set(names) == {"Anna", "anna"}
    assert set(words) == {"Baker in Lodz", "My parcel never came"}


def test_outside_the_scope_another_anna_stays():
    unique, names, words = anna()
    outside = PersonText(unique, [], ERASED)
    inside = PersonText(unique + names, words, ERASED)
    note = "Call Anna back tomorrow about the invoice"
    assert not outside.quotes(note)
    assert outside.scrub(note) == note
    assert outside.scrub("@anna did they answer you?") == f"{ERASED} did they answer you?"
    assert inside.scrub(note) == f"Call {ERASED} back tomorrow about the invoice"


def test_quotes_of_the_persons_words_are_replaced_inside():
    _unique, names, words = anna()
    inside = PersonText(names, words, ERASED)
    assert inside.quotes("She wrote: my parcel never came!")
    assert inside.scrub("She wrote: my parcel never came!") == f"She wrote: {ERASED}!"
    assert inside.scrub_data({"a": ["Anna says hi", 3]}) == {"a": [f"{ERASED} says hi", 3]}
    assert inside.scrub(False) is False


def test_identifiers_match_whole_words_only():
    person = PersonText(["@anna"], [], ERASED)
    assert person.scrub("@annabelle is here") == "@annabelle is here"
    assert person.scrub("hi @anna.") == f"hi {ERASED}."


def test_html_is_read_as_text():
    assert html_to_text("<p>Caf&eacute; <b>Anna</b></p>") == "Café Anna"
    assert PersonText(["Anna"], [], ERASED).quotes_html("<p>Dear <b>Anna</b></p>")


def test_like_escapes_wildcards():
    assert like("50%_a\\b") == "%50\\%\\_a\\\\b%"


def test_csv_cells_starting_a_formula_are_quoted():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("fine = ok") == "fine = ok"
    assert safe_cell(-3) == -3
    out = csv_text(["id", "body"], [{"id": 1, "body": '=HYPERLINK("http://x")'}])
    assert out.splitlines()[1] == '1,"\'=HYPERLINK(""http://x"")"'
