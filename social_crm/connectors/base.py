"""The base network client: ``HttpClient`` (requests, deadline, size cap, typed errors), ``PagingMixin`` (pages and
cursors) and ``PublishingMixin`` (posts), plus what every network implements: ``verify``, ``fetch``, ``reply``,
``thread``. The helpers of those modules stay importable from here."""

from . import errors, textlength
from .http import (  # noqa: F401 (re-exported for the clients)
    BACKOFF,
    DEADLINE,
    DEFAULT_RATE_LIMIT_WAIT,
    MAX_REDIRECTS,
    MAX_RESPONSE_BYTES,
    RETRIES,
    TIMEOUT,
    USER_AGENT,
    HttpClient,
    _within_deadline_call,
    _within_deadline_pages,
    never_reached,
    read_capped,
    retry_after_seconds,
)
from .paging import PagingMixin, dump_state, load_state, newer_than, sort_key  # noqa: F401
from .publishing import PublishingMixin
from .utils import safe_int


def engagement_counts(replies, likes, reposts, **more):
    """One post's counts as ``engagement`` gives them: whole numbers, ``None`` where the network gives none."""
    counts = {"replies": replies, "likes": likes, "reposts": reposts, **more}
    return {key: safe_int(value) for key, value in counts.items()}


class BaseClient(PublishingMixin, PagingMixin, HttpClient):
    """What every network client shares. Subclasses set the class attributes and
    implement ``verify``, ``fetch``, ``reply`` (and ``thread`` where the network has one);
    ``fetch``, ``verify``, ``reply``, ``thread``, ``publish`` and ``engagement`` run under the overall deadline.
    """

    max_length = 0
    can_reply = True

    def __init_subclass__(cls, **kwargs):
        if "fetch" in cls.__dict__:
            cls.fetch = _within_deadline_pages(cls.__dict__["fetch"])
        for name in ("verify", "reply", "thread", "publish", "engagement"):
            if name in cls.__dict__:
                setattr(cls, name, _within_deadline_call(cls.__dict__[name]))
        return super().__init_subclass__(**kwargs)

    def verify(self):
        raise NotImplementedError

    def fetch(self, cursor=None, keywords=(), max_pages=20):
        raise NotImplementedError

    def reply(self, text, parent_id, root_id=None, extra=None):
        raise errors.ApiError(f"{self.label} does not accept replies.", self.network)

    def thread(self, root_id):
        return []

    @_within_deadline_call
    def engagement(self, external_ids):
        """``{external_id: {"replies": n, "likes": n, "reposts": n}}`` for the account's own posts (``None``
        where the network does not give a count); ids the network no longer has are left out. Networks asked
        post by post implement ``_post_engagement``; those asked in batches override this."""
        counts = {}
        for external_id in dict.fromkeys(external_ids or ()):
            try:
                found = self._post_engagement(external_id)
            except errors.NotFound:
                continue  # deleted
            if found is not None:
                counts[external_id] = found
        return counts

    def _post_engagement(self, external_id):
        """One post's ``engagement_counts`` (``None``: the network gives none); ``errors.NotFound`` once deleted."""
        return None

    # Deletions (privacy): a network that can tell which posts were deleted sets ``deletion_batch`` (how many
    # posts one fetch re-checks) and implements ``_gone``.
    deletion_batch = 0

    @_within_deadline_call
    def gone(self, external_ids):
        """The ids among ``external_ids`` that the network no longer has (deleted by their author).

        Networks that cannot tell answer an empty set. An id that is not valid for the network is never
        reported deleted; any failure to ask raises a typed error (nothing is guessed)."""
        ids = [i for i in dict.fromkeys(external_ids) if i]
        if not ids or not self.deletion_batch:
            return set()
        return set(self._gone(ids)) & set(ids)

    def _gone(self, external_ids):
        return set()

    @classmethod
    def text_length(cls, text):
        """The length of ``text`` as this network counts it against ``max_length`` (see ``textlength``)."""
        return textlength.code_points(text)

    def check_reply_text(self, text):
        text = (text or "").strip()
        if not text:
            raise ValueError("The reply is empty.")
        length = self.text_length(text)
        if self.max_length and length > self.max_length:
            raise ValueError(
                f"The reply has {length} characters as {self.label} counts them; {self.label} allows {self.max_length}."
            )
        return text

    def own(self):
        if self._own is None:
            self._own = self.verify()
        return self._own
