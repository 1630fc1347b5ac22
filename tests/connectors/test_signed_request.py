"""Meta's signed_request, as its data-deletion callback sends it."""

import base64
import hashlib
import hmac
import json

import pytest

from social_crm.connectors.signed_request import (
    InvalidSignedRequest,
    check_issued_at,
    digest,
    make_signed_request,
    parse_signed_request,
)

SECRET = "3f1c0ffee5ecret0fthe4pp"
PAYLOAD = {"algorithm": "HMAC-SHA256", "expires": 1291840400, "issued_at": 1291836800, "user_id": "218471"}


def by_hand(payload, secret):
    """Built the way Meta's documentation shows (independent of make_signed_request)."""
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")
    sig = base64.urlsafe_b64encode(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()).decode()
    return sig.rstrip("=") + "." + body


def test_a_request_signed_with_the_app_secret_is_read():
    assert parse_signed_request(by_hand(PAYLOAD, SECRET), SECRET)["user_id"] == "218471"
    assert parse_signed_request(make_signed_request(PAYLOAD, SECRET), SECRET) == PAYLOAD


def test_numeric_user_id_becomes_text():
    assert parse_signed_request(by_hand({**PAYLOAD, "user_id": 218471}, SECRET), SECRET)["user_id"] == "218471"


@pytest.mark.parametrize(
    "signed",
    [
        by_hand(PAYLOAD, "another app's secret"),
        by_hand(PAYLOAD, SECRET).split(".")[0] + "." + by_hand({**PAYLOAD, "user_id": "1"}, SECRET).split(".")[1],
        "." + by_hand(PAYLOAD, SECRET).split(".")[1],
        by_hand(PAYLOAD, SECRET) + ".x",
        "not a signed request",
        "",
        None,
        "é" + by_hand(PAYLOAD, SECRET),
        "a" * 5000,
        by_hand({**PAYLOAD, "algorithm": "none"}, SECRET),
        by_hand({**PAYLOAD, "user_id": ""}, SECRET),
        by_hand({k: v for k, v in PAYLOAD.items() if k != "user_id"}, SECRET),
        by_hand(["HMAC-SHA256"], SECRET),
    ],
)
def test_forged_or_damaged_requests_are_refused(signed):
    with pytest.raises(InvalidSignedRequest):
        parse_signed_request(signed, SECRET)


def test_no_secret_refuses_everything():
    with pytest.raises(InvalidSignedRequest):
        parse_signed_request(by_hand(PAYLOAD, ""), "")


def test_issued_at_within_the_hour_is_fresh():
    issued = PAYLOAD["issued_at"]
    assert check_issued_at(PAYLOAD, now=issued) == PAYLOAD
    assert check_issued_at(PAYLOAD, now=issued + 3599)
    assert check_issued_at(PAYLOAD, now=issued - 299), "a clock a little behind Meta's"


@pytest.mark.parametrize(
    ("payload", "now"),
    [
        (PAYLOAD, PAYLOAD["issued_at"] + 3601),  # replayed after the hour
        (PAYLOAD, PAYLOAD["issued_at"] - 3600),  # dated an hour ahead
        ({**PAYLOAD, "issued_at": None}, PAYLOAD["issued_at"]),
        ({k: v for k, v in PAYLOAD.items() if k != "issued_at"}, PAYLOAD["issued_at"]),
        ({**PAYLOAD, "issued_at": "1291836800"}, PAYLOAD["issued_at"]),
        ({**PAYLOAD, "issued_at": True}, 1),
    ],
)
def test_stale_future_or_undated_requests_are_refused(payload, now):
    with pytest.raises(InvalidSignedRequest):
        check_issued_at(payload, now=now)


def test_digest_tells_requests_apart():
    one = make_signed_request(PAYLOAD, SECRET)
    other = make_signed_request({**PAYLOAD, "issued_at": PAYLOAD["issued_at"] + 1}, SECRET)
    assert digest(one) == digest(one)
    assert digest(one) != digest(other)
    assert len(digest(one)) == 64
