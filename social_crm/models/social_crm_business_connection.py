# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Telegram Business: a Premium user connected the brand's bot to their own Telegram account.

Telegram sends ``business_connection`` when the user connects, changes the bot's rights or disconnects;
it is kept here (one row per account and connection id), and decides whether an answer may go out with
``business_connection_id``: only while the connection is enabled and the bot may reply, within 24 hours of
the customer's last message. The messages themselves are private mentions of the bot's account
(``connectors/telegram.py``).
"""

import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..connectors import errors as api_errors
from ..connectors import get_client_class
from ..connectors.utils import BadItem, scrub_fields

_logger = logging.getLogger(__name__)


class SocialCrmBusinessConnection(models.Model):
    _name = "social_crm.business.connection"
    _description = "Telegram Business Connection"
    _order = "connected_at desc, id desc"
    _rec_name = "user_name"
    _check_company_auto = True

    account_id = fields.Many2one(
        "social_crm.account", required=True, index=True, ondelete="cascade", readonly=True, check_company=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    connection_id = fields.Char(required=True, readonly=True, help="Telegram's id of the business connection.")
    user_external_id = fields.Char(string="Telegram user id", readonly=True)
    user_name = fields.Char(string="Business account", readonly=True)
    user_handle = fields.Char(string="Username", readonly=True)
    is_enabled = fields.Boolean(string="Enabled", readonly=True)
    can_reply = fields.Boolean(
        readonly=True,
        help="The Premium user lets the bot answer chats that had incoming messages in the last 24 hours.",
    )
    rights = fields.Char(readonly=True, help="The rights the Premium user gave the bot, as Telegram names them.")
    connected_at = fields.Datetime(readonly=True)

    _sql_constraints = [
        (
            "account_connection_uniq",
            "unique(account_id, connection_id)",
            "This business connection is already known for this account.",
        ),
    ]

    @api.model
    def _take_update(self, account, event):
        """If the stored webhook ``event`` is a ``business_connection`` update, keep it and mark the event done.

        Returns whether it was one (then it is not read as a message).
        """
        client_class = get_client_class(account.network)
        reader = getattr(client_class, "read_business_connection", None)
        if not reader or not isinstance((event.payload or {}).get("business_connection"), dict):
            return False
        try:
            connection = reader(event.payload)
        except (BadItem, ValueError, TypeError) as exc:
            event._fail(exc)
            return True
        record = self._keep(account, connection)
        state = self.env._("enabled") if record.is_enabled else self.env._("disabled")
        outcome = self.env._(
            "Telegram Business connection of %(user)s: %(state)s, %(reply)s",
            user=record.user_name or record.user_external_id,
            state=state,
            reply=self.env._("can reply") if record.can_reply else self.env._("cannot reply"),
        )
        event.write({"state": "done", "error": False, "outcome": outcome, "attempts": event.attempts + 1})
        return True

    @api.model
    def _keep(self, account, connection):
        """Create or update the row of a ``BusinessConnection`` (names are strangers' text: scrubbed)."""
        user = scrub_fields(connection.user)
        vals = {
            "user_external_id": user.external_id,
            "user_name": user.name,
            "user_handle": user.handle,
            "is_enabled": connection.is_enabled,
            "can_reply": connection.can_reply,
            "rights": ", ".join(sorted(connection.rights)),
            "connected_at": connection.date.replace(tzinfo=None),
        }
        record = self.sudo().search(
            [("account_id", "=", account.id), ("connection_id", "=", connection.connection_id)], limit=1
        )
        if record:
            record.write(vals)
        else:
            record = self.sudo().create({**vals, "account_id": account.id, "connection_id": connection.connection_id})
        return record

    @api.model
    def _check_can_reply(self, reply):
        """Refuse, in words, an answer through a business connection that is disabled, may not reply, or whose
        customer wrote more than 24 hours ago. An unknown connection is asked from Telegram first."""
        parent = reply.parent_mention_id.sudo()
        connection_id = (parent.external_data or {}).get("business_connection_id")
        if not connection_id:
            return
        account = reply.account_id.sudo()
        last_inbound = (
            self.env["social_crm.mention"]
            .sudo()
            .search_fetch(
                [("thread_id", "=", reply.thread_id.id), ("direction", "=", "inbound")],
                ["posted_at"],
                order="posted_at desc",
                limit=1,
            )
        )
        record = self.sudo().search([("account_id", "=", account.id), ("connection_id", "=", connection_id)], limit=1)
        if not record:
            try:
                record = self._keep(account, account._get_client().get_business_connection(connection_id))
            except api_errors.SocialApiError as exc:
                raise UserError(
                    self.env._(
                        "Telegram does not confirm the business connection of this chat: %(error)s",
                        error=account._error_text(exc),
                    )
                ) from exc
        who = record.user_name or record.user_handle or record.user_external_id
        if not record.is_enabled:
            raise UserError(
                self.env._(
                    "%(user)s disconnected the bot from their Telegram Business account: nothing was sent. The "
                    "answer can go out once they connect it again (Telegram Settings, Telegram Business, Chatbots).",
                    user=who,
                )
            )
        if not record.can_reply:
            raise UserError(
                self.env._(
                    "%(user)s lets the bot read this chat but not answer it: nothing was sent. They can allow it "
                    "in Telegram Settings, Telegram Business, Chatbots (Reply to messages).",
                    user=who,
                )
            )
        if get_client_class("telegram").business_window_closed(last_inbound.posted_at or None):
            raise UserError(
                self.env._(
                    "Telegram lets a business bot answer only within 24 hours of the customer's last message; that "
                    "time has passed. Nothing was sent: wait until the customer writes again."
                )
            )
