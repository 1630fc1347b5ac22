# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Telegram and Bale bots on the account: how updates arrive (webhook or polling), the buttons that set the
webhook at the network, and Telegram Business connections.

Polling itself is intake to the webhook events' queue: ``social_crm.event._cron_poll_telegram()``.
"""

import secrets

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..connectors import CLIENTS
from ..connectors import errors as api_errors

# Networks whose account is a Bot API bot (``connectors/telegram.py``, ``connectors/bale.py``).
BOT_NETWORKS = tuple(network for network, client in CLIENTS.items() if hasattr(client, "set_webhook"))


class SocialCrmAccount(models.Model):
    _inherit = "social_crm.account"

    telegram_mode = fields.Selection(
        [("webhook", "Webhook (Odoo reachable from the internet)"), ("polling", "Polling (on-premise)")],
        string="Updates by",
        default="webhook",
        help="Telegram and Bale bots. Polling asks the network for new messages every minute: no public address "
        "needed.",
    )
    telegram_offset = fields.Integer(readonly=True, copy=False, groups="base.group_system")
    business_connection_ids = fields.One2many(
        "social_crm.business.connection",
        "account_id",
        string="Telegram Business connections",
        help="Premium users who connected this bot to their own Telegram account (Settings, Telegram Business, "
        "Chatbots): their customers' chats arrive here as private messages.",
    )

    def _check_bot(self):
        if self.network not in BOT_NETWORKS:
            raise UserError(_("Only Telegram and Bale accounts have a webhook to set or remove here."))

    def action_telegram_set_webhook(self):
        """Tell Telegram (or Bale) to deliver this bot's updates to the account's webhook address.

        Telegram sends the account's secret back in a header; Bale takes no secret, so its address is the secret.
        """
        self.ensure_one()
        self._check_manager()
        self._check_bot()
        account = self.sudo()
        if account.network == "telegram" and not account.secret:
            account.secret = secrets.token_urlsafe(32)  # Telegram takes A-Z, a-z, 0-9, _ and -
        return self._telegram_webhook_call(
            lambda client: client.set_webhook(account.webhook_url, account.secret),
            "webhook",
            _(
                "%(network)s now delivers this bot's messages to %(url)s.",
                network=self._network_label(),
                url=account.webhook_url,
            ),
        )

    def action_telegram_remove_webhook(self):
        """Remove the webhook at the network and switch to polling (``getUpdates``)."""
        self.ensure_one()
        self._check_manager()
        self._check_bot()
        return self._telegram_webhook_call(
            lambda client: client.delete_webhook(),
            "polling",
            _(
                "The webhook was removed: Odoo asks %(network)s for new messages every minute.",
                network=self._network_label(),
            ),
        )

    def _telegram_webhook_call(self, call, mode, done_text):
        client = self._get_client()
        network = self._network_label()
        try:
            author = client.verify()
            call(client)
        except api_errors.SocialApiError as exc:
            self._mark_failed(exc)
            return self._notification(
                "danger",
                _("%(network)s refused", network=network),
                _("%(network)s refused: %(error)s", network=network, error=self._error_text(exc)),
            )
        self.sudo().write(
            {
                "telegram_mode": mode,
                "state": "connected",
                "last_error": False,
                "own_external_id": author.external_id,
                "own_handle": author.handle or author.name,
                **self._connected_since_vals(),
            }
        )
        self.message_post(body=done_text)
        return self._notification("success", network, done_text)

    def _notification(self, kind, title, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": kind,
                "title": title,
                "message": message,
                "sticky": kind == "danger",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
