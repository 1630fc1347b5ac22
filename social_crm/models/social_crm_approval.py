# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import json

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools import private_data

APPROVAL_ACTIVITY_TYPES = ("social_crm.mail_activity_reply_approval", "social_crm.mail_activity_post_approval")


class SocialCrmApprovalMixin(models.AbstractModel):
    """What a text that may need a manager's approval before it goes out shares (replies and posts).

    - one decision, ``needs_approval()``: the account's policy (company default), the writer's groups;
    - fields only the workflow sets (``_approval_workflow_fields`` + the model's ``_workflow_fields``);
    - approval *freezes* what is sent (``_approval_payload()``: text, link, accounts, image checksums, image
      description) as ``approved_fingerprint``; posting compares it, and changing a ``_content_fields`` field
      after submission sends the record back to draft;
    - one approval request per record: an activity for the account's approver, else for the least busy
      manager of the company (any manager settles it: see ``mail_activity.py``);
    - the privacy guard's words and the authors told of rejections.

    A model sets ``_approval_activity`` (activity type xmlid), ``_policy_field`` (``reply_policy`` or
    ``post_policy`` on ``social_crm.account``) and implements ``_approval_accounts()``, ``_is_public()`` and
    ``_approval_payload()``.
    """

    _name = "social_crm.approval.mixin"
    _description = "Social CRM: approval of outgoing texts"

    _approval_workflow_fields = frozenset(
        {
            "state",
            "author_id",
            "approver_id",
            "approved_body",
            "approved_at",
            "approved_fingerprint",
            "submitted_at",
            "rejected_by_id",
            "reject_reason",
        }
    )
    _workflow_fields = frozenset()
    _content_fields = frozenset()
    _approval_activity = ""
    _policy_field = ""

    # The lifecycle every outgoing text shares; a model adds its own states (``selection_add``).
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_approve", "Waiting for approval"),
            ("posting", "Posting"),
            ("posted", "Posted"),
            ("failed", "Failed"),
        ],
        default="draft",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
        copy=False,
    )
    author_id = fields.Many2one(
        "res.users", string="Written by", default=lambda self: self.env.user, required=True, index=True, readonly=True
    )
    approver_id = fields.Many2one("res.users", string="Approved by", readonly=True, copy=False)
    approved_body = fields.Text(
        string="Approved text",
        readonly=True,
        copy=False,
        help="The exact text the approver accepted; only this text can be posted.",
    )
    approved_at = fields.Datetime(readonly=True, copy=False)
    rejected_by_id = fields.Many2one("res.users", string="Rejected by", readonly=True, copy=False)
    reject_reason = fields.Text(readonly=True, copy=False)
    submitted_at = fields.Datetime(
        string="Sent for approval", readonly=True, copy=False, help="When it started to wait for approval."
    )
    approved_fingerprint = fields.Char(
        readonly=True,
        copy=False,
        help="Digest of everything that was approved (text, link, accounts, images, image description).",
    )
    approval_note = fields.Char(compute="_compute_approval_note", string="Approval")
    needs_approval_now = fields.Boolean(compute="_compute_approval_note")
    publish_warning = fields.Text(
        compute="_compute_publish_warning", help="Accounts that cannot publish now (not connected, in error)."
    )
    # Each model computes it from what it sends (``_compute_privacy_warning``) and says what is acknowledged.
    privacy_warning = fields.Char(compute="_compute_privacy_warning")
    privacy_acknowledged = fields.Boolean(string="Post anyway")

    # ------------------------------------------------------------------
    # The one decision
    # ------------------------------------------------------------------

    @api.model
    def _policy_of(self, account):
        policy = account[self._policy_field] if account else "company"
        if policy in (False, "company"):
            company = account.company_id if account else self.env.company
            policy = company[f"social_{self._policy_field}"] or "public"
        return policy

    def needs_approval(self, user=None):
        """Whether this record waits for a manager's approval when ``user`` (the current user) sends it.

        Managers and Publishers never wait; otherwise the strictest policy of the record's accounts decides:
        *direct* never waits, *public* waits for public texts only, *always* always waits.
        """
        self.ensure_one()
        user = user or self.env.user
        if user.has_group("social_crm.group_social_manager") or user.has_group("social_crm.group_social_publisher"):
            return False
        accounts = self._approval_accounts().sudo()
        policies = {self._policy_of(account) for account in accounts} or {self._policy_of(accounts)}
        if "always" in policies:
            return True
        return "public" in policies and self._is_public()

    def _approval_accounts(self):
        raise NotImplementedError

    def _is_public(self):
        raise NotImplementedError

    def _approval_payload(self):
        """Everything the network receives, as JSON-able values (frozen at approval)."""
        raise NotImplementedError

    def _approval_depends(self):
        """The fields the approval decision reads (the model's accounts and visibility)."""
        return ()

    @api.depends(lambda self: self._approval_depends())
    @api.depends_context("uid", "lang")
    def _compute_approval_note(self):
        for record in self:
            waits = record.needs_approval()
            record.needs_approval_now = waits
            if not waits:
                record.approval_note = _("Sent at once: no approval is needed.")
                continue
            approver = record._approval_assignee()
            record.approval_note = (
                _("Waits for the approval of %(approver)s.", approver=approver.name)
                if approver and record._account_approvers()
                else _("Waits for the approval of a Social Manager of %(company)s.", company=record.company_id.name)
            )

    @api.depends(lambda self: self._approval_depends())
    @api.depends_context("lang")
    def _compute_publish_warning(self):
        for record in self:
            lines = [
                self.env._("%(account)s cannot publish now: %(why)s", account=account.name, why=why)
                for account, why in record._accounts_unable_now()
            ]
            record.publish_warning = "\n".join(lines) or False

    def _accounts_unable_now(self):
        """[(account, why)] of the accounts that cannot send now: not connected or in error."""
        states = dict(self.env["social_crm.account"]._fields["state"]._description_selection(self.env))
        found = []
        for account in self._approval_accounts().sudo():
            if account.state == "connected":
                continue
            why = states.get(account.state, account.state)
            if account.state == "error" and account.last_error:
                why = f"{why} ({account.last_error[:200]})"
            found.append((account, why))
        return found

    def _check_privacy_acknowledged(self):
        """Private data in a public text goes out only when its writer ticked "Post anyway"."""
        if self.privacy_warning and not self.privacy_acknowledged:
            raise UserError(
                _(
                    "%(warning)s Remove it, or tick “Post anyway” if it is meant to be public.",
                    warning=self.privacy_warning,
                )
            )

    # ------------------------------------------------------------------
    # Frozen at approval
    # ------------------------------------------------------------------

    def _approval_fingerprint(self):
        self.ensure_one()
        payload = json.dumps(self.sudo()._approval_payload(), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()

    def _freeze(self, approved=True):
        """Record what goes out, and who approved it (``approved``: False when no approval was needed): posting
        sends exactly this (see ``_still_as_approved``)."""
        for record in self:
            record.sudo().write(
                {
                    "approver_id": self.env.user.id if approved else False,
                    "approved_body": record.body,
                    "approved_at": fields.Datetime.now(),
                    "approved_fingerprint": record._approval_fingerprint(),
                    "rejected_by_id": False,
                    "reject_reason": False,
                    **record._freeze_extra(),
                }
            )

    def _freeze_extra(self):
        return {}

    def _still_as_approved(self):
        """Everything that is sent is what was approved (images' bytes included)."""
        self.ensure_one()
        frozen = self.sudo().approved_fingerprint
        if not frozen:
            # Approved before approvals were frozen as a whole (an upgraded database): the text decides.
            return self._approved_before_fingerprints()
        return frozen == self._approval_fingerprint()

    def _approved_before_fingerprints(self):
        return bool(self.approved_body) and bool(self.approved_at) and self.approved_body == self.body

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------

    def _all_workflow_fields(self):
        return self._approval_workflow_fields | self._workflow_fields

    def _check_workflow_fields(self, vals, allowed=lambda name, value: False):
        """Users never set workflow fields (``allowed`` lets harmless values through at create)."""
        if self.env.su:
            return
        forced = sorted(name for name in self._all_workflow_fields() & set(vals) if not allowed(name, vals[name]))
        if forced:
            raise AccessError(_("These fields are set by the approval workflow: %(fields)s", fields=", ".join(forced)))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_workflow_fields(
                vals,
                allowed=lambda name, value: (
                    not value
                    or (name == "state" and value == "draft")
                    or (name == "author_id" and value == self.env.uid)
                ),
            )
            self._check_attachments_readable(vals)
        records = super().create(vals_list)
        for record, vals in zip(records, vals_list, strict=True):
            if record._attachment_ids_in(vals):
                record._adopt_attachments(vals)
        return records

    def write(self, vals):
        self._check_workflow_fields(vals)
        self._check_attachments_readable(vals)
        if self._content_changes(vals):
            if any(record._approval_locked() for record in self):
                raise UserError(self._locked_message())
            submitted = self.filtered(lambda record: record.state != "draft")
            res = super().write(vals)
            submitted._back_to_draft(self._changed_message())
        else:
            res = super().write(vals)
        if self._attachment_ids_in(vals):
            for record in self:
                record._adopt_attachments(vals)
        return res

    def _content_changes(self, vals):
        return self._content_fields & set(vals)

    def _approval_locked(self):
        return self.state in ("posting", "posted")

    def _locked_message(self):
        raise NotImplementedError

    def _changed_message(self):
        raise NotImplementedError

    def _attachment_ids_in(self, vals):
        """Ids of the attachments that ``vals`` links (many2many commands of ``ir.attachment`` fields)."""
        ids = set()
        for name, field in self._fields.items():
            if name in vals and field.type == "many2many" and field.comodel_name == "ir.attachment":
                for command in vals[name] or ():
                    if isinstance(command, int):
                        ids.add(command)
                    elif command[0] == 4:
                        ids.add(command[1])
                    elif command[0] == 6:
                        ids.update(command[2] or ())
        return self.env["ir.attachment"].browse(sorted(ids))

    def _check_attachments_readable(self, vals):
        """Users attach only files they may read themselves (ids are sequential)."""
        attachments = self._attachment_ids_in(vals)
        if attachments and not self.env.su:
            attachments.check("read")

    def _adopt_attachments(self, vals):
        """Files uploaded for this record (no document yet) become its own: whoever may read the record (its
        approver) reads them; files of another document stay that document's."""
        self.ensure_one()
        orphans = self._attachment_ids_in(vals).sudo().filtered(lambda attachment: not attachment.res_id)
        if orphans:
            orphans.write({"res_model": self._name, "res_id": self.id})

    def _back_to_draft(self, message):
        """The approval no longer holds: a draft again, the request withdrawn, the author told why."""
        if not self:
            return
        self.sudo().activity_unlink([self._approval_activity])
        self.sudo().write(
            {
                "state": "draft",
                "approver_id": False,
                "approved_body": False,
                "approved_at": False,
                "approved_fingerprint": False,
                "submitted_at": False,
                **self._back_to_draft_extra(),
            }
        )
        for record in self:
            record.message_post(body=message, partner_ids=record._author_partner_if_not_me())

    def _back_to_draft_extra(self):
        return {}

    def _author_partner_if_not_me(self):
        self.ensure_one()
        return self.author_id.partner_id.ids if self.author_id != self.env.user else []

    # ------------------------------------------------------------------
    # Who approves
    # ------------------------------------------------------------------

    def _is_publisher(self):
        """Managers approve, settle and post without approval."""
        return self.env.user.has_group("social_crm.group_social_manager")

    def _check_publisher(self, message):
        """``message``: the whole translated sentence shown to a user who is not a Social Manager."""
        if not self.env.su and not self._is_publisher():
            raise AccessError(message)

    def _approval_managers(self):
        self.ensure_one()
        return self.env.ref("social_crm.group_social_manager").users.filtered(
            lambda user: self.company_id in user.company_ids and not user.share and user.active
        )

    def _account_approvers(self):
        managers = self._approval_managers()
        return self._approval_accounts().sudo().approver_id.filtered(lambda user: user in managers)

    def _approval_assignee(self):
        """The account's approver when its accounts name exactly one; else the least busy manager (the pool)."""
        self.ensure_one()
        approvers = self._account_approvers()
        if len(approvers) == 1:
            return approvers
        managers = self._approval_managers()
        if not managers:
            return managers
        types = [self.env.ref(xmlid).id for xmlid in APPROVAL_ACTIVITY_TYPES]
        load = dict(
            self.env["mail.activity"]
            .sudo()
            ._read_group([("activity_type_id", "in", types), ("user_id", "in", managers.ids)], ["user_id"], ["__count"])
        )
        return min(managers, key=lambda user: (load.get(user, 0), user.id))

    def _request_approval(self, what):
        """One approval request for this record (``what``: the translated sentence above the quoted text)."""
        self.ensure_one()
        self.sudo().activity_unlink([self._approval_activity])
        assignee = self._approval_assignee()
        if not assignee:
            return
        # The body is the author's text: escaped, so no markup (remote images, links) reaches the approver.
        note = Markup("<p>%s</p><blockquote>%s</blockquote>") % (what, self.body)
        if self.publish_warning:
            note += Markup("<p>%s</p>") % self.publish_warning
        self.sudo().activity_schedule(self._approval_activity, user_id=assignee.id, note=note)

    def _send_for_approval(self, what, extra=None):
        """The record waits for a manager: one approval request (``what``: the translated sentence above the
        quoted text) and a chatter line saying who decides (``extra``: the model's own values to reset)."""
        self.ensure_one()
        self.sudo().write(
            {
                "state": "to_approve",
                "submitted_at": fields.Datetime.now(),
                "rejected_by_id": False,
                "reject_reason": False,
                **(extra or {}),
            }
        )
        self._request_approval(what)
        self.message_post(body=_("Sent for approval: %(note)s", note=self.approval_note))

    @api.model
    def _sent_for_approval_notice(self, message, next_action):
        """The notification shown to a writer whose texts all wait for approval, then ``next_action``."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "info", "message": message, "next": next_action},
        }

    def _check_decision(self, denied, not_waiting):
        """Only Social Managers approve or reject, and only what waits for approval (``denied`` and
        ``not_waiting``: the translated sentences shown otherwise)."""
        self._check_publisher(denied)
        self.check_access("read")
        if any(record.state != "to_approve" for record in self):
            raise UserError(not_waiting)

    def action_reject(self, reason=None):
        """Managers: the record goes back to its author, who is told why (``reason``)."""
        self._check_decision(*self._reject_refusals())
        for record in self:
            record.sudo().write(record._reject_vals(reason))
            record.sudo().activity_unlink([self._approval_activity])
            summary, why = record._rejection_texts(reason or _("no reason given"))
            record.message_post(body=why, partner_ids=record.author_id.partner_id.ids)
            record._tell_author(summary, why)
        return True

    def _reject_refusals(self):
        """(to a user who may not reject, for records that do not wait for approval): translated sentences."""
        raise NotImplementedError

    def _reject_vals(self, reason):
        return {"state": "draft", "reject_reason": reason or False, "rejected_by_id": self.env.user.id}

    def _rejection_texts(self, reason):
        """(summary, chatter line) telling the author of the rejection and its ``reason``."""
        raise NotImplementedError

    def _tell_author(self, summary, note):
        """The author hears of a rejection or a failure: a to-do activity (and the chatter message posted)."""
        self.ensure_one()
        author = self.author_id
        if author.active and not author.share and author != self.env.user:
            self.sudo().activity_schedule("mail.mail_activity_data_todo", user_id=author.id, summary=summary, note=note)

    # ------------------------------------------------------------------
    # Privacy guard
    # ------------------------------------------------------------------

    @api.model
    def _private_data_found(self, text, private=False):
        """The kinds of private data (in words) that ``text`` seems to contain (``private``: a private answer)."""
        labels = {"email": _("email address"), "phone": _("phone number"), "card": _("card or account number")}
        own = (self[:1].company_id or self.env.company)._social_own_contact_data()
        return [labels[kind] for kind in private_data.find(text, private=private, allowed=own)]
