"""Bale (بله) Bot API: Telegram's Bot API as Bale serves it, at ``https://tapi.bale.ai/bot<token>/<method>``.

What differs from Telegram (docs.bale.ai, and the Bale clients that follow it: python-bale-bot,
Balethon), and what this client therefore does differently:

- ``setWebhook`` takes only ``url``: no ``secret_token``, no ``allowed_updates``. Bale sends no secret
  header, so a delivery cannot be told from a forgery by its content: the random key in the webhook
  address (``/social_crm/webhook/<key>``, 256 bits) is the only secret, as Bale's documentation itself
  advises ("a secret path in the URL"). ``check_signature`` has nothing to check; SECURITY.md says so.
- ``getUpdates`` takes ``offset`` and ``limit`` (1-100); Bale keeps undelivered updates 24 hours.
- ``sendMessage`` names the message answered with ``reply_to_message_id`` (Bale has no
  ``reply_parameters``); text up to 4096 characters; inline keyboards (``callback_data``) and
  ``answerCallbackQuery`` as Telegram's, so satisfaction surveys ask with buttons.
- Updates: ``message``, ``edited_message``, ``callback_query`` (no channel posts to a bot, no Telegram
  Business). ``getFile`` and downloads under ``/file/bot<token>/<file_path>``, as Telegram's.
- Errors: ``{"ok": false, "error_code", "description"}`` with Bale's own descriptions: ``no such group or
  user`` (recipient gone), ``bot limit exceed`` (rate limit), ``Token not found`` (bad token),
  ``permission_denied`` (the person never started the bot or blocked it).
"""

from . import errors
from .telegram import TelegramClient
from .utils import as_dict, safe_int

UNREACHABLE = ("no such group or user", "permission_denied", "forbidden", "blocked", "chat not found")


class BaleClient(TelegramClient):
    network = "bale"
    label = "Bale"
    default_base_url = "https://tapi.bale.ai"
    max_length = 4096
    profile_base = "https://ble.ir/"

    @classmethod
    def check_signature(cls, raw_body, headers, secret):
        """Bale signs nothing and sends no secret header: the delivery reached the account's unguessable
        webhook address, which is the check (the route found the account by that key)."""
        return None

    def _updates_query(self, limit):
        """``getUpdates`` (``poll``, as Telegram's) takes ``offset`` and ``limit`` only: no long polling, no
        ``allowed_updates``; Bale, like Telegram, forgets what comes before the offset."""
        return {"limit": limit}

    def set_webhook(self, url, secret_token=None):
        """``setWebhook`` with the address only (Bale takes no secret token): ``getUpdates`` stops while it is set."""
        return self.call("setWebhook", {"url": url})

    def delete_webhook(self):
        """``deleteWebhook``: back to polling with ``getUpdates``."""
        return self.call("deleteWebhook", {})

    def _reply_to(self, message_id):
        return {"reply_to_message_id": message_id}

    def get_business_connection(self, connection_id):
        raise errors.ApiError("Bale has no business connections.", self.network)

    @classmethod
    def _author(cls, raw):
        author = super()._author(raw)
        if author.handle:
            author.profile_url = f"{cls.profile_base}{author.handle}"
        return author

    def raise_for_error(self, response, payload):
        payload = as_dict(payload)
        description = str(payload.get("description") or response.reason or "")
        status = safe_int(payload.get("error_code")) or response.status_code
        lowered = description.lower()
        if status == 429 or "limit exceed" in lowered:
            wait = safe_int(as_dict(payload.get("parameters")).get("retry_after"))
            raise self.rate_limited(response, wait=wait)
        if status == 401 or "token not found" in lowered:
            raise errors.AuthenticationFailed(f"Bale rejected the bot token ({description}).", self.network)
        if status in (400, 403, 404) and any(word in lowered for word in UNREACHABLE):
            raise errors.RecipientUnavailable(
                f"Bale cannot deliver to this person: they never started the bot, blocked it or the chat is gone "
                f"({description}).",
                self.network,
                status=status,
            )
        raise errors.ApiError(f"Bale answered {status}: {description}.", self.network, status=status)
