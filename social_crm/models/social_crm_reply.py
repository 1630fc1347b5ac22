# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import re

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..connectors import errors as api_errors
from ..connectors import get_client_class

_logger = logging.getLogger(__name__)

PRIVATE_DATA_PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "email address"),
    (re.compile(r"(?<!\w)\+?\d[\d\s().-]{7,}\d(?!\w)"), "phone number"),
    (re.compile(r"\b(?:\d[ -]?){13,19}\b"), "card or account number"),
]


class SocialCrmReply(models.Model):
    _name = "social_crm.reply"
    _description = "Social Reply"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    thread_id = fields.Many2one(
        "social_crm.thread", required=True, index=True, ondelete="cascade", check_company=True
    )
    ticket_id = fields.Many2one("helpdesk.ticket", index="btree_not_null", ondelete="set null")
    account_id = fields.Many2one(related="thread_id.account_id", store=True, index=True)
    company_id = fields.Many2one(related="thread_id.company_id", store=True, index=True)
    network = fields.Selection(related="thread_id.network")
    parent_mention_id = fields.Many2one(
        "social_crm.mention", string="In reply to", required=True, index=True, ondelete="cascade"
    )
    parent_body = fields.Text(related="parent_mention_id.body", string="Customer wrote")
    template_id = fields.Many2one("social_crm.canned.reply", string="Canned reply")
    body = fields.Text(string="Reply", required=True, tracking=True)
    char_count = fields.Integer(compute="_compute_limits")
    max_length = fields.Integer(compute="_compute_limits")
    too_long = fields.Boolean(compute="_compute_limits")
    privacy_warning = fields.Char(compute="_compute_privacy_warning")
    privacy_acknowledged = fields.Boolean(
        string="Post anyway", help="I checked that this public reply may contain this data."
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_approve", "Waiting for approval"),
            ("posted", "Posted"),
            ("failed", "Failed"),
            ("rejected", "Rejected"),
        ],
        default="draft",
        required=True,
        index=True,
        tracking=True,
        copy=False,
    )
    author_id = fields.Many2one(
        "res.users", string="Written by", default=lambda self: self.env.user, required=True, index=True
    )
    approver_id = fields.Many2one("res.users", string="Approved by", readonly=True, copy=False)
    reject_reason = fields.Text(readonly=True, copy=False)
    error_message = fields.Text(readonly=True, copy=False)
    posted_mention_id = fields.Many2one("social_crm.mention", readonly=True, copy=False, index="btree_not_null")
    posted_at = fields.Datetime(readonly=True, copy=False)

    @api.depends("body", "network")
    def _compute_limits(self):
        for reply in self:
            reply.char_count = len(reply.body or "")
            client_class = get_client_class(reply.network) if reply.network else None
            reply.max_length = getattr(client_class, "max_length", 0) or 0
            reply.too_long = bool(reply.max_length and reply.char_count > reply.max_length)

    @api.depends("body")
    def _compute_privacy_warning(self):
        for reply in self:
            found = [label for pattern, label in PRIVATE_DATA_PATTERNS if pattern.search(reply.body or "")]
            reply.privacy_warning = (
                _("This public reply seems to contain private data (%(what)s).", what=", ".join(found))
                if found
                else False
            )

    @api.onchange("template_id")
    def _onchange_template_id(self):
        if self.template_id:
            self.body = self.template_id._render_for(self.thread_id, self.ticket_id)

    # ------------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------------

    def _is_publisher(self):
        return self.env.user.has_group("social_crm.group_social_manager")

    def action_submit(self):
        """Managers post at once; other users' drafts wait for a manager's approval."""
        for reply in self:
            reply._check_postable()
            if reply._is_publisher():
                reply._post()
            else:
                reply.state = "to_approve"
                reply._schedule_approval_activities()
        return self._close_or_reload()

    def action_approve(self):
        if not self._is_publisher():
            raise AccessError(_("Only Social Managers can approve replies."))
        for reply in self:
            if reply.state != "to_approve":
                raise UserError(_("Only replies waiting for approval can be approved."))
            reply.approver_id = self.env.user
            reply.activity_unlink(["social_crm.mail_activity_reply_approval"])
            reply._post()
        return True

    def action_reject(self, reason=None):
        if not self._is_publisher():
            raise AccessError(_("Only Social Managers can reject replies."))
        for reply in self:
            reply.write({"state": "rejected", "reject_reason": reason or False, "approver_id": self.env.user.id})
            reply.activity_unlink(["social_crm.mail_activity_reply_approval"])
            reply.message_post(
                body=_("Reply rejected: %(reason)s", reason=reason or _("no reason given")),
                partner_ids=reply.author_id.partner_id.ids,
            )
        return True

    def action_open_reject_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": "social_crm.reply.reject",
            "view_mode": "form",
            "target": "new",
            "context": {"default_reply_ids": self.ids},
        }

    def action_retry(self):
        self.filtered(lambda r: r.state == "failed").write({"state": "draft", "error_message": False})
        return True

    def _close_or_reload(self):
        return {"type": "ir.actions.act_window_close"}

    # ------------------------------------------------------------------
    # POSTING
    # ------------------------------------------------------------------

    def _check_postable(self):
        self.ensure_one()
        if self.state not in ("draft", "failed", "to_approve"):
            raise UserError(_("This reply was already %(state)s.", state=self.state))
        if not (self.body or "").strip():
            raise UserError(_("Write a reply first."))
        if self.too_long:
            raise UserError(
                _("The reply has %(count)s characters; %(network)s allows %(max)s.",
                  count=self.char_count, network=self.account_id._network_label(), max=self.max_length)
            )
        if self.privacy_warning and not self.privacy_acknowledged:
            raise UserError(
                _("%(warning)s Remove it, or tick “Post anyway” if it is meant to be public.",
                  warning=self.privacy_warning)
            )

    def _post(self):
        """Post through the network client; a failure keeps the draft with a clear error."""
        self.ensure_one()
        # Lock the reply so a double click or a second worker cannot post it twice.
        self.flush_recordset(["state"])
        self.env.cr.execute("SELECT state FROM social_crm_reply WHERE id = %s FOR UPDATE", [self.id])
        if self.env.cr.fetchone()[0] == "posted":
            return False
        self._check_postable()
        parent = self.parent_mention_id
        account = self.account_id
        try:
            item = account._get_client().reply(
                self.body.strip(),
                parent_id=parent.external_id,
                root_id=parent.root_external_id or self.thread_id.root_external_id,
                extra=parent.external_data or {},
            )
        except (api_errors.SocialApiError, ValueError) as exc:
            _logger.warning("social_crm: reply %s to %s failed: %s", self.id, parent.external_id, exc)
            self.write({"state": "failed", "error_message": account._error_text(exc)})
            return False
        if not item.parent_id:
            item.parent_id = parent.external_id
        if not item.root_id:
            item.root_id = parent.root_external_id or self.thread_id.root_external_id
        item.is_own = True
        mention = self.env["social_crm.mention"]._ingest_items(account, [item])
        mention = mention or self.env["social_crm.mention"].sudo().search(
            [("account_id", "=", account.id), ("external_id", "=", item.external_id)], limit=1
        )
        mention.sudo().write({"ticket_id": self.ticket_id.id or self.thread_id.ticket_id.id or False})
        self.write({
            "state": "posted",
            "error_message": False,
            "posted_mention_id": mention.id,
            "posted_at": fields.Datetime.now(),
        })
        self._audit_posted(mention)
        return True

    def _audit_posted(self, mention):
        ticket = self.ticket_id or self.thread_id.ticket_id
        body = Markup("<p>%s</p><blockquote>%s</blockquote>") % (
            _("Reply posted on %(network)s by %(author)s%(approver)s",
              network=self.account_id._network_label(), author=self.author_id.name,
              approver=_(", approved by %s", self.approver_id.name) if self.approver_id else ""),
            self.body,
        )
        if mention.url:
            body += Markup('<p><a href="%s" target="_blank" rel="noopener">%s</a></p>') % (mention.url, _("Open"))
        self.message_post(body=body)
        self.thread_id.message_post(body=body)
        if ticket:
            ticket.message_post(body=body, author_id=self.author_id.partner_id.id)
            if not ticket.social_first_response_at:
                ticket.social_first_response_at = fields.Datetime.now()

    def _schedule_approval_activities(self):
        managers = self.env.ref("social_crm.group_social_manager").users.filtered(
            lambda user: self.company_id in user.company_ids and not user.share
        )
        for manager in managers:
            self.activity_schedule(
                "social_crm.mail_activity_reply_approval",
                user_id=manager.id,
                note=_("%(author)s wrote a reply to approve: %(body)s", author=self.author_id.name, body=self.body),
            )
