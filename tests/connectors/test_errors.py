"""Which failures are worth sending again (``retry_helps``): a property of each typed error."""

import pytest

from social_crm.connectors import errors


@pytest.mark.parametrize(
    "error, helps",
    [
        (errors.ConnectionFailed("lost", "x"), True),
        (errors.NotSent("refused", "x"), True),
        (errors.DeadlineExceeded("slow", "x"), True),
        (errors.RateLimited("busy", "x", retry_after=5), True),
        (errors.BadPayload("garbage", "x"), True),
        (errors.ApiError("server", "x", status=502), True),
        (errors.ApiError("throttled", "x", status=429), True),
        (errors.ApiError("no status", "x"), True),
        (errors.ApiError("unprocessable", "x", status=422), False),
        (errors.AuthenticationFailed("token", "x"), False),
        (errors.GrantRevoked("revoked", "x"), False),
        (errors.NotFound("deleted", "x"), False),
        (errors.WindowExpired("24 h passed", "x", status=400), False),
        (errors.RecipientUnavailable("blocked", "x", status=400), False),
        (errors.UnsafeAddress("private address", "x"), False),
        (errors.UnsafeId("../etc", "x"), False),
        (errors.InvalidPost("too long", "x"), False),
    ],
)
def test_retry_helps_is_decided_by_the_error(error, helps):
    assert error.retry_helps is helps
    assert errors.retry_helps(error) is helps


def test_unexpected_crash_may_pass_but_a_refused_value_will_not():
    assert errors.retry_helps(RuntimeError("worker killed")) is True
    assert errors.retry_helps(ValueError("The reply is empty.")) is False
