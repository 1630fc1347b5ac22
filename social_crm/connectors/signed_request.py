"""Meta's ``signed_request`` (data-deletion and deauthorize callbacks): verified, then decoded.

``<base64url HMAC-SHA256 of the payload part>.<base64url JSON payload>``, signed with the
app secret. Pure Python: the Odoo route only decides what to do with the answer.
"""

import base64
import binascii
import hashlib
import hmac
import json
import time

MAX_LENGTH = 4096  # a real one is a few hundred characters
MAX_AGE = 3600  # seconds: a signed_request issued longer ago is a replay, not Meta's call
CLOCK_SKEW = 300  # seconds of clock difference tolerated for one "issued" in the future


class InvalidSignedRequest(ValueError):
    """Not a signed_request this app secret signed (forged, damaged or for another app)."""


def _b64url_decode(text):
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidSignedRequest("not base64url") from exc


def parse_signed_request(signed_request, app_secret):
    """The payload (a dict with at least ``user_id``) when ``app_secret`` signed it, else ``InvalidSignedRequest``.

    The signature is compared in constant time, before the payload is read.
    """
    if not app_secret:
        raise InvalidSignedRequest("no app secret to check the signature with")
    if not isinstance(signed_request, str) or len(signed_request) > MAX_LENGTH or signed_request.count(".") != 1:
        raise InvalidSignedRequest("not a signed_request")
    encoded_signature, encoded_payload = signed_request.split(".")
    if not encoded_signature.isascii() or not encoded_payload.isascii():
        raise InvalidSignedRequest("not base64url")
    signature = _b64url_decode(encoded_signature)
    expected = hmac.new(app_secret.encode(), encoded_payload.encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(signature, expected):
        raise InvalidSignedRequest("bad signature")
    try:
        payload = json.loads(_b64url_decode(encoded_payload))
    except (ValueError, RecursionError) as exc:
        raise InvalidSignedRequest("payload is not JSON") from exc
    if not isinstance(payload, dict) or str(payload.get("algorithm", "")).upper() != "HMAC-SHA256":
        raise InvalidSignedRequest("unknown algorithm")
    user_id = payload.get("user_id")
    if isinstance(user_id, int) and not isinstance(user_id, bool):
        user_id = str(user_id)
    if not isinstance(user_id, str) or not user_id or len(user_id) > 64:
        raise InvalidSignedRequest("no user_id")
    return {**payload, "user_id": user_id}


def check_issued_at(payload, now=None, max_age=MAX_AGE, skew=CLOCK_SKEW):
    """``InvalidSignedRequest`` unless the payload's ``issued_at`` is within ``max_age`` seconds before ``now``.

    A captured request replayed later is refused; one dated in the future beyond ``skew`` too.
    """
    issued_at = payload.get("issued_at")
    if isinstance(issued_at, bool) or not isinstance(issued_at, (int, float)):
        raise InvalidSignedRequest("no issued_at")
    now = time.time() if now is None else now
    if issued_at < now - max_age:
        raise InvalidSignedRequest("issued too long ago (replayed?)")
    if issued_at > now + skew:
        raise InvalidSignedRequest("issued in the future")
    return payload


def digest(signed_request):
    """A fingerprint of one signed_request, to answer a repeated one without acting twice."""
    return hashlib.sha256(signed_request.encode()).hexdigest()


def make_signed_request(payload, app_secret):
    """A signed_request as Meta builds it (for tests and for checking a callback by hand)."""
    encoded_payload = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    signature = hmac.new(app_secret.encode(), encoded_payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(signature).rstrip(b"=").decode() + "." + encoded_payload
