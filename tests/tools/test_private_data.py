# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from social_crm.tools.private_data import find


def test_public_text_with_contact_data_is_flagged():
    assert find("Write to jane.doe@example.com or call +66 81 234 5678") == ["email", "phone"]


def test_card_numbers_are_flagged_even_in_private_answers():
    assert find("Your card 4111 1111 1111 1111 is blocked", private=True) == ["card"]


def test_a_private_answer_may_carry_a_phone_number():
    assert find("Call us back on 02-123-4567 please", private=True) == []


def test_plain_text_is_clean():
    assert find("Thanks for your patience, the parcel left today.") == []
    assert find(None) == []
