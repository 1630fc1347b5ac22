# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The privacy guard's detection: e-mail addresses, phone numbers and card numbers in a text.

Pure Python (no ``odoo``). What the company publishes about itself (its phone and e-mail, its users'
and teams' addresses) is ``allowed`` and never reported; opening hours, times and dates are not phone
numbers. Web addresses are never reported.
"""

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().\-/]{6,}\d(?!\w)")
CARD = re.compile(r"\b(?:\d[ -]?){13,19}\b")
# Not phone numbers, taken out before phones are looked for (so that "9-18 (09.00-18.00)" is not read as one):
# dates ("2026-11-01", "01.11.2026", "1/11/2026"), clock times ("09.00", "18:30") and hour ranges ("9-18").
NOT_PHONE = re.compile(
    r"(?<![\d.:/-])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}"
    r"|(?:[01]?\d|2[0-4])\s*[-–]\s*(?:[01]?\d|2[0-4]))(?![\d.:/-])"
    r"|(?<![\d.:])\d{1,2}[.:]\d{2}(?![\d.:])"
)
PHONE_DIGITS = (8, 15)  # E.164 allows 15 digits; national numbers have at least 8 with their area code
SAME_NUMBER_DIGITS = 8  # "+66 2 123 4567" and "02 123 4567" end with the same eight digits
KINDS = ("email", "phone", "card")


def _digits(text):
    return re.sub(r"\D", "", text or "")


class _Allowed:
    """The company's own contact data: exact e-mail addresses and phone numbers."""

    def __init__(self, allowed):
        self.emails, self.phones = set(), set()
        for value in allowed or ():
            value = (value or "").strip()
            if not value:
                continue
            if EMAIL.fullmatch(value):
                self.emails.add(value.lower())
            elif len(_digits(value)) >= PHONE_DIGITS[0] and not re.search(r"[a-z]", value, re.IGNORECASE):
                self.phones.add(_digits(value)[-SAME_NUMBER_DIGITS:])

    def email(self, address):
        return address.lower() in self.emails

    def phone(self, digits):
        return digits[-SAME_NUMBER_DIGITS:] in self.phones


def _is_phone(candidate):
    return PHONE_DIGITS[0] <= len(_digits(candidate)) <= PHONE_DIGITS[1]


def find_private_data(text, allowed=()):
    """The kinds of private data ``text`` seems to contain, in the order of ``KINDS``.

    ``allowed``: the company's own e-mail addresses and phone numbers, which a public answer may give.
    Opening hours ("Mon-Fri 9-18", "09.00-18.00") and dates are not phones.
    """
    text = text or ""
    own = _Allowed(allowed)
    found = set()
    if any(not own.email(match.group()) for match in EMAIL.finditer(text)):
        found.add("email")
    # E-mail addresses are read first: their digits are no phone number.
    rest = EMAIL.sub(" ", text)
    phones = [match.group() for match in PHONE.finditer(NOT_PHONE.sub(" | ", rest)) if _is_phone(match.group())]
    if any(not own.phone(_digits(phone)) for phone in phones):
        found.add("phone")
    for match in CARD.finditer(rest):
        digits = _digits(match.group())
        if not own.phone(digits) and not any(_digits(phone) == digits for phone in phones):
            found.add("card")
            break
    return [kind for kind in KINDS if kind in found]


# In a private message a phone number or an e-mail address is normal; a card number still is not.
NORMAL_IN_PRIVATE = frozenset({"email", "phone"})


def find(text, private=False, allowed=()):
    """``find_private_data``, less what is normal in the answer to a private message (``private``)."""
    return [kind for kind in find_private_data(text, allowed) if not (private and kind in NORMAL_IN_PRIVATE)]
