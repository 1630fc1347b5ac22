"""Typed errors of the network clients, with messages a user understands."""


class SocialApiError(Exception):
    """Base class: ``str(error)`` is a sentence that can be shown to a user."""

    def __init__(self, message, network=None):
        super().__init__(message)
        self.message = message
        self.network = network

    def __str__(self):
        return self.message

    # Whether sending the same thing again later can succeed without a person changing anything first (the
    # network was busy, unreachable or answered garbage). Refused credentials, a closed reply window, a deleted
    # post or a refused text need a person first: reconnect the account, revise the text.
    retry_helps = False


class AuthenticationFailed(SocialApiError):
    """The credentials were refused: the user must log in again or fix the token."""


class RateLimited(SocialApiError):
    """The network asks us to slow down; ``retry_after`` is the wait in seconds."""

    def __init__(self, message, network=None, retry_after=60.0, reset_at=None):
        super().__init__(message, network)
        self.retry_after = float(retry_after)
        self.reset_at = reset_at

    retry_helps = True


class NotFound(SocialApiError):
    """The account, post or endpoint does not exist (or was deleted)."""


class BadPayload(SocialApiError):
    """The network answered something we cannot read (not JSON, wrong shape, too big)."""

    retry_helps = True


class ConnectionFailed(SocialApiError):
    """The network could not be reached, or its answer was lost: timeout, refused connection, DNS failure.

    ``never_reached``: the request certainly never left (no address, refused connection, TLS failure before
    sending): what was sent is a plain failure. Otherwise the network may have received it (a lost answer).
    """

    never_reached = False
    retry_helps = True


class NotSent(ConnectionFailed):
    """The request never reached the network (DNS failure, connection refused or timed out, TLS handshake
    failed): nothing was sent, so sending again cannot publish twice."""

    never_reached = True


class ApiError(SocialApiError):
    """Any other error answer of the API."""

    def __init__(self, message, network=None, status=None, code=None):
        super().__init__(message, network)
        self.status = status
        self.code = code

    @property
    def retry_helps(self):
        return not self.status or self.status >= 500 or self.status == 429


class DeadlineExceeded(ConnectionFailed):
    """One fetch (or call) ran past its overall deadline; pages already handed over stay valid."""


class UnsafeAddress(SocialApiError, ValueError):
    """A URL the client refuses to reach: a private address, plain http, another host for credentials.

    Also a ``ValueError``, so callers that validate URLs keep working.
    """


class UnsafeId(ApiError, ValueError):
    """A network id that would change the host or the path of a request (``/``, ``..``, an absolute URL)."""

    retry_helps = False


class Unsigned(SocialApiError):
    """A webhook delivery without its signature (answered 401, nothing stored)."""


class BadSignature(SocialApiError):
    """A webhook delivery whose signature does not match the account's secret (answered 403, nothing stored)."""


class WindowExpired(ApiError):
    """The network no longer lets the business answer this person (reply window closed)."""

    retry_helps = False


class RecipientUnavailable(ApiError):
    """The person blocked the account, left the chat or cannot receive messages."""

    retry_helps = False


class InvalidPost(ApiError, ValueError):
    """A post the network would refuse before it is sent: too long, no image where one is needed, too many or
    too large images, a link that is not a web address. Nothing was published."""

    retry_helps = False


class GrantRevoked(AuthenticationFailed):
    """The authorization server refused the grant for good (``invalid_grant``): a refresh token that was spent,
    revoked or expired, or a consent withdrawn. Only a new consent (*Reconnect*) helps; never retried."""


class PartlySent(ApiError):
    """A message in several parts (a text, then files) failed after a part went out: ``sent`` is the first part
    the network received. Sending again would repeat that part, so a person settles it first."""

    def __init__(self, message, network=None, sent=None):
        super().__init__(message, network)
        self.sent = sent

    retry_helps = False  # sending again would repeat the part that went out


def retry_helps(exc):
    """``exc.retry_helps`` for the clients' typed errors; an unexpected crash may pass, a refused value will not."""
    if isinstance(exc, SocialApiError):
        return exc.retry_helps
    return not isinstance(exc, ValueError)
