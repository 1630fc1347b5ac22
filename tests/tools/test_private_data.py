# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from social_crm.tools.private_data import find, find_private_data

OWN = ("+66 2 123 4567", "support@acme.example", "sam.agent@acme.example")


def test_a_customers_email_and_phone_are_found():
    assert find_private_data("Write to jane.doe@example.com or call 081 234 5678") == ["email", "phone"]


def test_a_card_number_is_found():
    assert find_private_data("Your card 4111 1111 1111 1111 was charged") == ["card"]


def test_opening_hours_are_not_a_phone_number():
    for text in (
        "We are open Mon-Fri 9-18",
        "Open Mon-Fri 09.00-18.00, Sat 10.00 - 14.00",
        "Mon-Fri 9:00-18:00",
        "We are open Mon-Fri 9-18 (09.00-18.00), Sat 10-14",
        "Hours: 9 - 18 / 10 – 16",
        "Your parcel left on 2026-11-01 and arrives 03.11.2026",
    ):
        assert find_private_data(text) == [], text


def test_the_companys_own_contact_data_is_allowed():
    text = "Call our support on 02 123 4567 or write to support@acme.example (or Sam: sam.agent@acme.example)"
    assert find_private_data(text, allowed=OWN) == []
    assert find_private_data(text) == ["email", "phone"], "without the company's data it is flagged"


def test_only_the_companys_exact_addresses_are_allowed():
    assert find_private_data("Write to billing@acme.example", allowed=OWN) == ["email"], "another address"
    assert find_private_data("Write to SUPPORT@acme.example", allowed=OWN) == [], "in any case"


def test_own_data_does_not_hide_the_customers():
    text = "Our number is +66 2 123 4567; yours is 089 999 8888"
    assert find_private_data(text, allowed=OWN) == ["phone"]


def test_phone_numbers_with_dots_and_international_prefix_are_still_found():
    assert find_private_data("Tel. 01.23.45.67.89") == ["phone"]
    assert find_private_data("Call +44 20 7946 0958") == ["phone"]
    assert find_private_data("โทร 081-234-5678 ได้เลย") == ["phone"]
    assert find_private_data("Call (02) 123-4567 from 9-18") == ["phone"]


def test_empty_and_plain_text():
    assert find_private_data("") == []
    assert find_private_data(None) == []
    assert find_private_data("Order #42 is late, sorry!") == []


def test_public_text_with_contact_data_is_flagged():
    assert find("Write to jane.doe@example.com or call +66 81 234 5678") == ["email", "phone"]


def test_card_numbers_are_flagged_even_in_private_answers():
    assert find("Your card 4111 1111 1111 1111 is blocked", private=True) == ["card"]


def test_a_private_answer_may_carry_a_phone_number():
    assert find("Call us back on 02-123-4567 please", private=True) == []


def test_plain_text_is_clean():
    assert find("Thanks for your patience, the parcel left today.") == []
    assert find(None) == []
