# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import threading
import uuid

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..connectors import errors as api_errors
from ..connectors import get_client_class
from ..connectors.base import BaseClient
from ..connectors.meta_messaging import MetaMessaging, window_closed
from ..tools.titles import shorten

_logger = logging.getLogger(__name__)


class SocialCrmReply(models.Model):
    _name = "social_crm.reply"
    _description = "Social Reply"
    _inherit = ["social_crm.approval.mixin", "social_crm.outgoing.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    # Set by the posting workflow only (under sudo, after its own checks), with the mixin's approval fields.
    _workflow_fields = frozenset(
        {
            "error_message",
            "outcome_unknown",
            "posting_started_at",
            "posted_mention_id",
            "posted_external_id",
            "posted_at",
            "can_retry",
        }
    )
    # Changing one of these after submission sends the reply back to draft: what was approved is what is posted.
    _content_fields = frozenset(
        {"body", "parent_mention_id", "thread_id", "ticket_id", "privacy_acknowledged", "template_id"}
    )
    _approval_activity = "social_crm.mail_activity_reply_approval"
    _policy_field = "reply_policy"
    _claim_states = ("draft", "to_approve", "failed")

    thread_id = fields.Many2one("social_crm.thread", required=True, index=True, ondelete="cascade", check_company=True)
    ticket_id = fields.Many2one("helpdesk.ticket", index="btree_not_null", ondelete="set null", check_company=True)
    account_id = fields.Many2one(related="thread_id.account_id", store=True, index=True)
    company_id = fields.Many2one(related="thread_id.company_id", store=True, index=True)
    network = fields.Selection(related="thread_id.network")
    parent_mention_id = fields.Many2one(
        "social_crm.mention",
        string="In reply to",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    # Read with the user's rights: a related field is computed as superuser by default.
    parent_body = fields.Text(related="parent_mention_id.body", string="Customer wrote", compute_sudo=False)
    template_id = fields.Many2one("social_crm.canned.reply", string="Canned reply", check_company=True)
    body = fields.Text(string="Reply", required=True, tracking=True)
    char_count = fields.Integer(compute="_compute_limits")
    max_length = fields.Integer(compute="_compute_limits")
    too_long = fields.Boolean(compute="_compute_limits")
    delivery_note = fields.Char(compute="_compute_delivery_note")
    privacy_acknowledged = fields.Boolean(help="I checked that this public reply may contain this data.")
    state = fields.Selection(selection_add=[("rejected", "Rejected")], ondelete={"rejected": "set default"})
    error_message = fields.Text(readonly=True, copy=False)
    can_retry = fields.Boolean(
        readonly=True, copy=False, help="Posting the same text again may work (the network was busy or unreachable)."
    )
    customer_lang = fields.Char(related="parent_mention_id.lang", string="Customer language")
    account_state = fields.Selection(related="thread_id.account_id.state", string="Account status")
    posted_mention_id = fields.Many2one("social_crm.mention", readonly=True, copy=False, index="btree_not_null")
    posted_external_id = fields.Char(string="Id on the network", readonly=True, copy=False)
    posted_at = fields.Datetime(readonly=True, copy=False)

    @api.depends("body", "network")
    def _compute_limits(self):
        """Length counted the way the network counts it (graphemes for Bluesky, weighted for X, ...)."""
        for reply in self:
            client_class = get_client_class(reply.network) if reply.network else None
            text = (reply.body or "").strip()
            reply.char_count = client_class.text_length(text) if client_class else len(text)
            reply.max_length = getattr(client_class, "max_length", 0) or 0
            reply.too_long = bool(reply.max_length and reply.char_count > reply.max_length)

    @api.depends("body", "thread_id.visibility")
    @api.depends_context("lang")
    def _compute_privacy_warning(self):
        for reply in self:
            # In a private message a phone number or an email address is normal; a card number still is not.
            found = reply._private_data_found(reply.body, private=not reply._is_public())
            reply.privacy_warning = (
                _("This public reply seems to contain private data (%(what)s).", what=", ".join(found))
                if found
                else False
            )

    @api.depends("parent_mention_id", "thread_id.visibility")
    @api.depends_context("lang")
    def _compute_delivery_note(self):
        """Say when a LINE answer goes by push, which counts against the channel's monthly quota."""
        line = get_client_class("line")
        for reply in self:
            parent = reply.parent_mention_id.sudo()
            reply.delivery_note = (
                _(
                    "LINE's free reply token of this message has expired: this answer will be sent with the push "
                    "API, which counts against the channel's monthly message quota."
                )
                if reply.network == "line"
                and reply.thread_id.sudo().visibility == "private"
                and not line.reply_token_fresh(parent.external_data or {})
                else False
            )

    @api.constrains("thread_id", "parent_mention_id", "ticket_id")
    def _check_target(self):
        """A reply goes only where its conversation lives."""
        for reply in self.sudo():
            if reply.parent_mention_id.thread_id != reply.thread_id:
                raise ValidationError(_("A reply must answer a message of its own conversation."))
            if reply.parent_mention_id.account_id != reply.thread_id.account_id:
                raise ValidationError(_("A reply must go out through the account of its conversation."))
            ticket = reply.ticket_id
            if ticket and (
                ticket.company_id != reply.thread_id.company_id
                or ticket.social_thread_id not in (reply.thread_id, ticket.social_thread_id.browse())
            ):
                raise ValidationError(_("A reply can only be filed on the ticket of its own conversation."))

    @api.onchange("template_id")
    def _onchange_template_id(self):
        if self.template_id:
            self.body = self.template_id._render_for(self.thread_id, self.ticket_id)

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------

    # --- approval mixin ------------------------------------------------------------------------------

    def _approval_accounts(self):
        return self.thread_id.account_id

    def _approval_depends(self):
        return ("thread_id", "thread_id.visibility", "thread_id.account_id")

    def _is_public(self):
        return self.thread_id.sudo().visibility != "private"

    def _approval_payload(self):
        return {
            "body": self.body or "",
            "account": self.thread_id.account_id.id,
            "thread": self.thread_id.id,
            "parent": self.parent_mention_id.id,
        }

    def _approval_locked(self):
        # A reply that may be on the network is settled first: an edit would let it be posted twice.
        return self.state in ("posting", "posted") or self.outcome_unknown

    def _locked_message(self):
        return _("A reply that is posted, being posted, or whose outcome is unknown cannot be changed.")

    def _changed_message(self):
        return _("The reply was changed after it was submitted: it is a draft again and must be submitted again.")

    def _back_to_draft_extra(self):
        return {"outcome_unknown": False}

    def _claim_condition(self):
        return "approved_body IS NOT NULL AND approved_body = body"

    @api.model
    def _count_to_approve(self, field, records):
        """{record: replies waiting for approval} for ``records`` (tickets or conversations, by ``field``)."""
        return dict(self._read_group([(field, "in", records.ids), ("state", "=", "to_approve")], [field], ["__count"]))

    @api.model
    def _action_to_approve(self, field, record):
        """The replies waiting for approval of ``record`` (a ticket, a conversation..., by ``field``)."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Replies waiting for approval"),
            "res_model": "social_crm.reply",
            "view_mode": "list,form",
            "domain": [(field, "=", record.id), ("state", "=", "to_approve")],
        }

    @api.depends("body")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for reply in self:
            text = shorten(reply.body, 50)
            reply.display_name = _("Reply: %(text)s", text=text) if text else _("New reply")

    # ------------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------------

    def action_submit(self):
        """Post at once where no approval is needed (``needs_approval``); else wait for a manager's approval.

        A failed reply whose approved text is unchanged is posted again without a new approval.
        """
        self.check_access("write")
        for reply in self:
            reply._check_postable()
            if reply.state == "failed" and reply.approved_body and reply.approved_body == reply.body:
                # Managers may insist (the administrator fixed the account since); others revise.
                if not reply.can_retry and not reply._is_publisher():
                    raise UserError(
                        _(
                            "Posting this reply again cannot help: %(error)s Revise it, or ask an administrator to "
                            "fix the account first.",
                            error=reply.error_message or "",
                        )
                    )
                reply._post()
            elif not reply.needs_approval():
                reply._freeze(approved=reply._is_publisher())
                reply._post()
            elif reply.state != "to_approve":
                reply._send_for_approval(
                    _("%(author)s wrote a reply to approve:", author=reply.author_id.name), {"error_message": False}
                )
                reply._log_on_ticket(
                    _(
                        "%(author)s wrote a reply on %(network)s; it waits for a manager's approval.",
                        author=reply.author_id.name,
                        network=reply.account_id._network_label(),
                    )
                )
        if all(reply.state == "to_approve" for reply in self):
            return self._sent_for_approval_notice(
                _("Sent for approval: a Social Manager will review your reply."),
                {"type": "ir.actions.act_window_close"},
            )
        return self._close_or_reload()

    def _log_on_ticket(self, text):
        ticket = (self.ticket_id or self.thread_id.ticket_id).sudo()
        if ticket:
            ticket.message_post(body=text, subtype_xmlid="mail.mt_note")

    def action_approve(self):
        self._check_decision(
            _("Only Social Managers can approve replies."), _("Only replies waiting for approval can be approved.")
        )
        for reply in self:
            reply._check_postable()
            reply._approve()
            reply.activity_unlink(["social_crm.mail_activity_reply_approval"])
            reply._post()
        return True

    def _approve(self):
        """Record who approved what: posting sends exactly this."""
        self._freeze()

    def _reject_refusals(self):
        return _("Only Social Managers can reject replies."), _("Only replies waiting for approval can be rejected.")

    def _reject_vals(self, reason):
        return dict(super()._reject_vals(reason), state="rejected", approver_id=False)

    def _rejection_texts(self, reason):
        return _("Reply rejected"), _("Reply rejected: %(reason)s", reason=reason)

    def action_open_reject_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": "social_crm.reply.reject",
            "view_mode": "form",
            "target": "new",
            "context": {"default_reply_ids": self.ids},
        }

    def action_retry(self):
        """Back to draft to revise a failed or rejected reply."""
        self.check_access("write")
        self.filtered(lambda r: r.state in ("failed", "rejected"))._back_to_draft(
            _("%(user)s takes the reply back to revise it: it is a draft again.", user=self.env.user.name)
        )
        return True

    def action_check_posted(self):
        """Managers: settle a reply whose outcome is unknown by looking for it on the network."""
        self._check_publisher(_("Only Social Managers can settle a reply whose outcome is unknown."))
        for reply in self.filtered(lambda r: r._outcome_is_unknown()):
            found = reply._find_on_network()
            if found is None:
                raise UserError(
                    _(
                        "%(network)s cannot be searched for this reply. Open the conversation on the network: if the "
                        "reply is not there, use “Not posted” and post it again.",
                        network=reply.account_id._network_label(),
                    )
                )
            if found:
                reply._record_posted(found)
            else:
                reply.sudo().write(
                    {
                        "state": "failed",
                        "outcome_unknown": False,
                        "can_retry": True,
                        "error_message": _("The reply is not on the network: it can be posted again."),
                    }
                )
        return True

    def action_confirm_not_posted(self):
        """Managers: the reply is not on the network (checked by a person); it may be posted again."""
        self._check_publisher(_("Only Social Managers can settle a reply whose outcome is unknown."))
        for reply in self.filtered(lambda r: r._outcome_is_unknown()):
            reply.sudo().write({"state": "failed", "outcome_unknown": False, "can_retry": True})
            reply.message_post(
                body=_("%(user)s checked that the reply is not on the network.", user=self.env.user.name)
            )
        return True

    def _close_or_reload(self):
        return {"type": "ir.actions.act_window_close"}

    # ------------------------------------------------------------------
    # POSTING
    # ------------------------------------------------------------------

    def _check_messaging_window(self):
        """Meta answers private messages only within 24 hours of the person's message: say so before anyone
        approves or sends, rather than failing after approval."""
        client_class = get_client_class(self.network) if self.network else None
        parent = self.parent_mention_id.sudo()
        self.env["social_crm.business.connection"]._check_can_reply(self)  # Telegram Business chats
        if (
            client_class
            and issubclass(client_class, MetaMessaging)
            and self.thread_id.sudo().visibility == "private"
            and window_closed(parent.external_data or {})
        ):
            raise UserError(
                _(
                    "%(network)s allows answering only within 24 hours of the person's last message; that time has "
                    "passed. Nothing was sent: wait until the person writes again.",
                    network=self.account_id._network_label(),
                )
            )
        # Networks with a window of their own say whether it closed (TikTok: 48 hours).
        closed = getattr(client_class, "reply_window_closed", None)
        if closed and self.thread_id.sudo().visibility == "private" and closed(parent.external_data or {}):
            raise UserError(
                _(
                    "%(network)s allows answering only within %(hours)s hours of the person's message; that time "
                    "has passed. Nothing was sent: wait until the person writes again.",
                    network=self.account_id._network_label(),
                    hours=int(client_class.reply_window.total_seconds() // 3600),
                )
            )

    def _check_postable(self):
        self.ensure_one()
        if self.state not in ("draft", "failed", "to_approve"):
            raise UserError(
                _(
                    "This reply cannot be posted now (%(state)s).",
                    state=dict(self._fields["state"]._description_selection(self.env))[self.state],
                )
            )
        if self.outcome_unknown:
            raise UserError(_("The last attempt may have posted this reply: check it on the network first."))
        if not (self.body or "").strip():
            raise UserError(_("Write a reply first."))
        self._check_messaging_window()
        if self.too_long:
            raise UserError(
                _(
                    "The reply has %(count)s characters; %(network)s allows %(max)s.",
                    count=self.char_count,
                    network=self.account_id._network_label(),
                    max=self.max_length,
                )
            )
        self._check_privacy_acknowledged()

    def _post(self, auto_commit=None):
        """Post the approved reply once (``social_crm.outgoing.mixin``); a failure keeps it with a clear error."""
        self.ensure_one()
        if auto_commit is None:
            auto_commit = not getattr(threading.current_thread(), "testing", False)
        if self.state == "posted":
            return False
        if not self._still_as_approved():
            raise UserError(_("This reply changed since it was approved: it must be approved again."))
        sent = self._send_once(auto_commit=auto_commit)
        if sent is None:
            if self.state == "posted":
                return False
            raise UserError(_("This reply is already being posted, or its text changed since it was approved."))
        return sent

    def _outgoing_send(self):
        parent = self.parent_mention_id.sudo()
        client = self.account_id._get_client()
        if self.thread_id.sudo().visibility == "private":
            return self._send_private(client, parent)
        return client.reply(
            self.approved_body.strip(),
            parent_id=parent.external_id,
            root_id=parent.root_external_id or self.thread_id.root_external_id,
            extra=parent.external_data or {},
        )

    def _send_private(self, client, parent):
        """A private conversation is answered through the network's messaging API, to the customer."""
        customer = parent.identity_id if parent.direction == "inbound" else self.thread_id.sudo().identity_id
        context = dict(parent.external_data or {})
        # A stable retry key: a network that honours one (LINE) never delivers this reply twice.
        context["retry_key"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.env.cr.dbname}/social_crm.reply/{self.id}"))
        return client.send(self.approved_body.strip(), customer.external_id, context)

    def _record_failure(self, exc, unknown=False):
        """The reply goes back to its author: an activity, a chatter line, the error in words."""
        message = self.account_id._error_text(exc)
        if unknown:
            message = _(
                "%(error)s The network may have received the reply: Odoo checks before posting it again.", error=message
            )
        self.sudo().write(
            {
                "state": "failed",
                "error_message": message,
                "outcome_unknown": unknown,
                "can_retry": api_errors.retry_helps(exc),
            }
        )
        self.message_post(
            body=_("Posting failed: %(error)s", error=message), partner_ids=self._author_partner_if_not_me()
        )
        self._log_on_ticket(_("A reply could not be posted: %(error)s", error=message))
        self._tell_author(_("Reply not posted"), message)

    def _record_posted(self, item, auto_commit=False):
        """The network has the reply: say so first (committed), then store it as an outbound mention."""
        self.sudo().write(
            {
                "state": "posted",
                "error_message": False,
                "outcome_unknown": False,
                "posted_external_id": item.external_id,
                "posted_at": fields.Datetime.now(),
            }
        )
        if auto_commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        parent = self.parent_mention_id.sudo()
        account = self.account_id
        if not item.parent_id:
            item.parent_id = parent.external_id
        if not item.root_id:
            item.root_id = parent.root_external_id or self.thread_id.root_external_id
        item.is_own = True
        Mention = self.env["social_crm.mention"].sudo()
        try:
            with self.env.cr.savepoint():
                mention = Mention._ingest_items(account, [item]) or Mention.search(
                    [("account_id", "=", account.id), ("external_id", "=", item.external_id)], limit=1
                )
                mention.write({"ticket_id": self.ticket_id.id or self.thread_id.ticket_id.id or False})
                self.sudo().posted_mention_id = mention
        except Exception:
            _logger.exception(
                "social_crm: reply %s was posted as %s but could not be stored as a mention", self.id, item.external_id
            )
            mention = Mention.browse()
        self._audit_posted(mention)
        self.thread_id._on_agent_answer(self.author_id)

    def _find_on_network(self):
        """The brand's reply with this text under the parent, as an item; False if absent; None if unknowable."""
        self.ensure_one()
        parent = self.parent_mention_id.sudo()
        account = self.account_id.sudo()
        client = account._get_client()
        if type(client).thread is BaseClient.thread:
            return None  # this network has no way to list a conversation
        try:
            items = client.thread(parent.root_external_id or self.thread_id.root_external_id)
        except (api_errors.SocialApiError, ValueError) as exc:
            raise UserError(
                _(
                    "Could not look for the reply on %(network)s: %(error)s",
                    network=account._network_label(),
                    error=account._error_text(exc),
                )
            ) from exc
        text = " ".join((self.approved_body or self.body or "").split())
        for item in items or []:
            own = item.is_own or (item.author and item.author.external_id == account.own_external_id)
            # Networks may put the customer's handle in front of the text (Mastodon's @acct).
            if own and item.parent_id == parent.external_id and " ".join((item.text or "").split()).endswith(text):
                return item
        return False

    def _audit_posted(self, mention):
        ticket = self.ticket_id or self.thread_id.ticket_id
        approver = self.approver_id if self.approver_id != self.author_id else self.env["res.users"]
        network, author = self.account_id._network_label(), self.author_id.name
        if approver:
            said = _(
                "Reply posted on %(network)s by %(author)s, approved by %(approver)s",
                network=network,
                author=author,
                approver=approver.name,
            )
        elif self.approver_id:
            said = _("Reply posted on %(network)s by %(author)s", network=network, author=author)
        else:
            said = _(
                "Reply posted on %(network)s by %(author)s without approval (the account's policy allows it)",
                network=network,
                author=author,
            )
        body = Markup("<p>%s</p><blockquote>%s</blockquote>") % (said, self.approved_body or self.body)
        if mention.url:
            body += Markup('<p><a href="%s" target="_blank" rel="noopener">%s</a></p>') % (mention.url, _("Open"))
        self.message_post(body=body)
        self.thread_id.sudo().message_post(body=body)
        if ticket:
            ticket.sudo().message_post(body=body, author_id=self.author_id.partner_id.id)
            if not ticket.social_first_response_at:
                ticket.sudo().social_first_response_at = fields.Datetime.now()
