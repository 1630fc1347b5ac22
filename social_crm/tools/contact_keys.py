# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The normalized keys contact matching compares (plain Python, no Odoo).

Python computes them for what strangers write (bios, handles, profile links); the
contacts' side is stored or indexed with the same definition (res.partner's
``social_handle_keys`` and the SQL expressions below, indexed by res.partner's
``init()``), so a lookup reads an index instead of every contact.
"""

import re
import unicodedata
from urllib.parse import urlsplit

# A phone's key in SQL: its last 9 digits, as ``phone_key`` computes it in Python.
PHONE_KEY_SQL = "right(regexp_replace(%s, '\\D', '', 'g'), 9)"
# The domain of a contact's normalized e-mail.
EMAIL_DOMAIN_SQL = "split_part(email_normalized, '@', 2)"
# The stored handle keys as an array, for the GIN index and the overlap (&&) lookup.
HANDLE_KEYS_SQL = "string_to_array(social_handle_keys, ' ')"

ENTRY_SEPARATORS = re.compile(r"[\s,;]+")


def phone_key(phone):
    """The last 9 digits (local "081-234-5678" and international "+66 81 234 5678" agree; Thai and Persian
    digits read as 0-9); "" under 8 digits."""
    digits = "".join(str(unicodedata.decimal(char)) for char in re.sub(r"\D", "", phone or ""))
    return digits[-9:] if len(digits) >= 8 else ""


def domain_key(value):
    """The host of a link or the domain of an e-mail, lowercase, without "www."."""
    value = (value or "").strip().lower()
    if not value:
        return ""
    if "@" in value and "/" not in value:
        value = value.rsplit("@", 1)[1]
    else:
        value = urlsplit(value if "//" in value else "//" + value).hostname or ""
    return value[4:] if value.startswith("www.") else value


def handle_key(handle):
    return (handle or "").strip().lstrip("@").lower()


def url_key(url):
    """A profile link without scheme, "www." and trailing slash: what an employee may have pasted."""
    url = (url or "").strip().lower()
    if "/" not in url:
        return ""
    parts = urlsplit(url if "//" in url else "//" + url)
    host = parts.hostname or ""
    return (host[4:] if host.startswith("www.") else host) + parts.path.rstrip("/")


def handle_keys(text):
    """Every key of a contact's "social handles" list (handles and profile links), space separated, sorted."""
    keys = {key for entry in ENTRY_SEPARATORS.split(text or "") for key in (handle_key(entry), url_key(entry)) if key}
    return " ".join(sorted(keys))
