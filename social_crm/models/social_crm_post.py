# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import threading

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..connectors import get_client_class
from ..connectors.base import BaseClient
from ..connectors.models import Media
from ..tools.titles import shorten

_logger = logging.getLogger(__name__)

IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
# Networks that fetch each image themselves from a public address (``Media.url``).
PUBLIC_IMAGE_NETWORKS = {"instagram", "threads", "tiktok"}
PUBLIC_IMAGE_LINK_HOURS = 24
# Posts handled per cron run: each is committed on its own, the next run takes the rest.
PUBLISH_BATCH = 20


class SocialCrmPost(models.Model):
    _name = "social_crm.post"
    _description = "Social Post"
    _inherit = ["social_crm.approval.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "scheduled_at desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["body"]

    # With the mixin's approval fields: set by the workflow only.
    _workflow_fields = frozenset({"approved_link"})
    # Everything that is sent: changing one after submission sends the post back to draft.
    _content_fields = frozenset(
        {"body", "link", "image_ids", "image_alt", "account_ids", "privacy_acknowledged", "scheduled_at"}
    )
    _approval_activity = "social_crm.mail_activity_post_approval"
    _policy_field = "post_policy"

    body = fields.Text(string="Text", required=True, tracking=True)
    link = fields.Char(
        tracking=True, help="A link published with the post (in the text where the network has no link field)."
    )
    image_ids = fields.Many2many(
        "ir.attachment",
        "social_crm_post_image_rel",
        "post_id",
        "attachment_id",
        string="Images",
        help="Images published with the post, where the network takes them (5 MB each at most).",
    )
    image_alt = fields.Char(string="Image description", help="Read aloud to people who cannot see the image.")
    account_ids = fields.Many2many(
        "social_crm.account",
        "social_crm_post_account_rel",
        "post_id",
        "account_id",
        string="Accounts",
        required=True,
        check_company=True,
        domain="[('company_id', 'in', [company_id, False])]",
    )
    scheduled_at = fields.Datetime(
        string="Publish at", index=True, tracking=True, help="Empty: published as soon as it is approved."
    )
    state = fields.Selection(
        selection_add=[("scheduled", "Scheduled"), ("posting",)], ondelete={"scheduled": "set default"}
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=True
    )
    approved_body = fields.Text(help="The exact text the approver accepted; only this text can be published.")
    approved_link = fields.Char(readonly=True, copy=False)
    result_ids = fields.One2many("social_crm.post.result", "post_id", string="Results", readonly=True, copy=False)
    privacy_acknowledged = fields.Boolean(help="I checked that this public post may contain this data.")
    preview_html = fields.Html(string="Previews", compute="_compute_preview", sanitize=False)
    account_warning = fields.Text(compute="_compute_preview")
    outcome_unknown = fields.Boolean(compute="_compute_outcome_unknown")
    color = fields.Integer(compute="_compute_color")
    calendar_at = fields.Datetime(
        string="On the calendar",
        compute="_compute_calendar_at",
        store=True,
        index=True,
        help="Its time of publication, else when it was approved (then published at once); empty: not scheduled.",
    )
    account_networks = fields.Char(compute="_compute_account_networks", help="The networks of its accounts.")

    @api.depends("body", "link")
    @api.depends_context("lang")
    def _compute_privacy_warning(self):
        for post in self:
            found = self._private_data_found(f"{post.body or ''}\n{post.link or ''}")
            post.privacy_warning = (
                _("This public post seems to contain private data (%(what)s).", what=", ".join(found))
                if found
                else False
            )

    @api.depends("body", "link", "image_ids", "account_ids")
    @api.depends_context("lang")
    def _compute_preview(self):
        for post in self:
            blocks, warnings = [], []
            for account in post.account_ids:
                client_class = get_client_class(account.network) or BaseClient
                limits = post._limits_of(account)
                count = client_class.text_length(post._text_for(account))
                issues = post._account_issues(account)
                warnings += [f"{account.name}: {issue}" for issue in issues]
                counter = f"{count} / {limits['max_length']}" if limits["max_length"] else str(count)
                blocks.append(
                    Markup(
                        '<div class="o_social_crm_preview border rounded p-2 mb-2" data-network="%s">'
                        '<div class="d-flex justify-content-between"><strong>%s</strong>'
                        '<span class="o_social_crm_counter badge %s">%s</span></div>'
                        '<div style="white-space: pre-wrap;">%s</div>%s%s</div>'
                    )
                    % (
                        account.network,
                        f"{account._network_label()} · {account.name}",
                        "text-bg-danger" if issues else "text-bg-light",
                        counter,
                        post._text_for(account),
                        Markup('<div class="text-muted small">%s</div>')
                        % _("%(count)s image(s)", count=len(post.image_ids))
                        if post.image_ids and limits["max_images"]
                        else "",
                        Markup("").join(Markup('<div class="text-danger small">%s</div>') % issue for issue in issues),
                    )
                )
            post.preview_html = Markup("").join(blocks) if blocks else False
            post.account_warning = "\n".join(warnings) or False

    @api.depends("result_ids.outcome_unknown", "result_ids.state")
    def _compute_outcome_unknown(self):
        for post in self:
            post.outcome_unknown = any(result._outcome_is_unknown() for result in post.result_ids)

    @api.depends("state")
    def _compute_color(self):
        colors = {"draft": 0, "to_approve": 3, "scheduled": 4, "posting": 2, "posted": 10, "failed": 1}
        for post in self:
            post.color = colors.get(post.state, 0)

    @api.depends("scheduled_at", "approved_at")
    def _compute_calendar_at(self):
        for post in self:
            post.calendar_at = post.scheduled_at or post.approved_at

    @api.depends("account_ids.network")
    def _compute_account_networks(self):
        for post in self:
            post.account_networks = " ".join(sorted(set(post.account_ids.mapped("network"))))

    @api.constrains("image_ids")
    def _check_images(self):
        for attachment in self.sudo().image_ids:
            if not (attachment.mimetype or "").startswith("image/"):
                raise ValidationError(_("%(name)s is not an image.", name=attachment.name))
            if attachment.file_size > IMAGE_MAX_BYTES:
                raise ValidationError(
                    _("%(name)s is larger than %(max)s MB.", name=attachment.name, max=IMAGE_MAX_BYTES // 1024 // 1024)
                )

    @api.constrains("link")
    def _check_link(self):
        for post in self:
            if post.link and not post.link.strip().lower().startswith(("https://", "http://")):
                raise ValidationError(_("The link must start with https:// or http://."))

    # ------------------------------------------------------------------
    # What each network takes
    # ------------------------------------------------------------------

    @api.model
    def _limits_of(self, account):
        client_class = get_client_class(account.network) or BaseClient
        limits = dict(BaseClient.publish_limits, **(client_class.publish_limits or {}))
        limits["max_length"] = limits["max_length"] or client_class.max_length
        limits["can_publish"] = client_class.can_publish
        return limits

    def _text_for(self, account, approved=False):
        """The text as ``account`` will show it: clients that take the link in the text append it (``link_in_text``)."""
        body = ((self.approved_body if approved else self.body) or "").strip()
        link = ((self.approved_link if approved else self.link) or "").strip()
        client_class = get_client_class(account.network) or BaseClient
        if link and getattr(client_class, "link_in_text", True) and link not in body:
            return f"{body}\n\n{link}" if body else link
        return body

    def _account_issues(self, account):
        """Why this post cannot go out through ``account``, in words (empty when it can)."""
        limits = self._limits_of(account)
        network = account._network_label()
        if not limits["can_publish"]:
            return [_("%(network)s cannot publish posts: this account only listens.", network=network)]
        issues = []
        client_class = get_client_class(account.network) or BaseClient
        count = client_class.text_length(self._text_for(account))
        if limits["max_length"] and count > limits["max_length"]:
            issues.append(
                _(
                    "%(count)s characters as %(network)s counts them; it allows %(max)s.",
                    count=count,
                    network=network,
                    max=limits["max_length"],
                )
            )
        if limits["needs_image"] and not self.image_ids:
            issues.append(_("%(network)s publishes only with an image.", network=network))
        if self.link and not limits["link"]:
            issues.append(_("%(network)s does not take links in posts.", network=network))
        image_types = getattr(client_class, "image_types", IMAGE_TYPES)
        max_bytes = getattr(client_class, "max_image_bytes", IMAGE_MAX_BYTES)
        for image in self.image_ids if limits["max_images"] else ():
            if image.mimetype not in image_types:
                issues.append(
                    _(
                        "%(network)s does not take %(name)s (%(type)s).",
                        network=network,
                        name=image.name,
                        type=image.mimetype,
                    )
                )
            elif image.file_size > max_bytes:
                issues.append(
                    _(
                        "%(name)s is too large for %(network)s (%(max)s MB at most).",
                        name=image.name,
                        network=network,
                        max=round(max_bytes / 1e6, 1),
                    )
                )
        if self.image_ids and len(self.image_ids) > limits["max_images"]:
            issues.append(
                _("%(network)s takes at most %(max)s image(s) per post.", network=network, max=limits["max_images"])
            )
        return issues + account._publish_issues(self)

    def _check_publishable(self):
        self.ensure_one()
        if not (self.body or "").strip():
            raise UserError(_("Write the post first."))
        if not self.account_ids:
            raise UserError(_("Choose at least one account to publish with."))
        if self.account_warning:
            raise UserError(_("This post cannot be published as it is:\n%(issues)s", issues=self.account_warning))
        self._check_privacy_acknowledged()

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------

    def write(self, vals):
        if "company_id" in vals and not self.env.su:
            self._check_company_move(vals["company_id"])
        res = super().write(vals)
        if "scheduled_at" in vals:
            self.filtered(lambda post: post.state == "scheduled")._wake_cron()
        return res

    def _check_company_move(self, company_id):
        """A post moves only to a company its writer belongs to, and only as a draft (its accounts follow the
        company check)."""
        moving = self.filtered(lambda post: post.company_id.id != company_id)
        if not moving:
            return
        if not company_id or company_id not in self.env.user.company_ids.ids:
            raise AccessError(_("You can only move a post to a company you belong to."))
        if moving.filtered(lambda post: post.state != "draft" or post.result_ids):
            raise UserError(_("Only a draft that was never published can move to another company."))

    # --- approval mixin ------------------------------------------------------------------------------

    def _content_changes(self, vals):
        content = super()._content_changes(vals)
        if content == {"scheduled_at"} and self._is_publisher():
            return set()  # a manager moves an approved post in the calendar: no new approval needed
        return content

    def _approval_accounts(self):
        return self.account_ids

    def _approval_depends(self):
        return ("account_ids",)

    def _is_public(self):
        return True  # a post is published on the account's public profile

    def _approval_payload(self):
        return {
            "body": self.body or "",
            "link": self.link or "",
            "accounts": sorted(self.account_ids.ids),
            "images": [[image.id, image.checksum or ""] for image in self.image_ids.sorted("id")],
            "image_alt": self.image_alt or "",
        }

    def _approved_before_fingerprints(self):
        return super()._approved_before_fingerprints() and (self.approved_link or False) == (self.link or False)

    def _freeze_extra(self):
        return {"approved_link": self.link or False}

    def _locked_message(self):
        return _("A post that is published, or being published, cannot be changed.")

    def _changed_message(self):
        return _("The post was changed after it was submitted: it is a draft again and must be submitted again.")

    def _back_to_draft_extra(self):
        return {"approved_link": False}

    @api.ondelete(at_uninstall=False)
    def _unlink_except_published(self):
        """What reached a network keeps its record (ids, links, engagement)."""
        if self.result_ids.filtered(lambda result: result.state in ("posting", "posted") or result.outcome_unknown):
            raise UserError(_("A post that was published, or may have been, cannot be deleted."))

    def _back_to_draft(self, message):
        res = super()._back_to_draft(message)
        self.sudo().result_ids.filtered(lambda result: result.state == "queued").unlink()
        return res

    @api.depends("body")
    def _compute_display_name(self):
        for post in self:
            post.display_name = shorten(post.body, 50) or _("New post")

    # ------------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------------

    def action_submit(self):
        """Scheduled at once where no approval is needed (``needs_approval``); else it waits for a manager."""
        self.check_access("write")
        for post in self:
            if post.state not in ("draft", "failed"):
                raise UserError(_("Only drafts can be submitted."))
            post._check_publishable()
            if not post.needs_approval():
                post._approve(approved=post._is_publisher())
            else:
                post._send_for_approval(_("%(author)s wrote a post to approve:", author=post.author_id.name))
        if all(post.state == "to_approve" for post in self):
            return self._sent_for_approval_notice(
                _("Sent for approval: a Social Manager will review your post."),
                {"type": "ir.actions.client", "tag": "soft_reload"},
            )
        return True

    def action_approve(self):
        self._check_decision(
            _("Only Social Managers can approve posts."), _("Only posts waiting for approval can be approved.")
        )
        for post in self:
            post._check_publishable()
            post._approve()
        return True

    def _approve(self, approved=True):
        """Freeze what goes out (and who approved it) and queue one result per account; the cron publishes
        exactly this."""
        self.ensure_one()
        self._freeze(approved=approved)
        self.sudo().state = "scheduled"
        self.sudo().activity_unlink(["social_crm.mail_activity_post_approval"])
        self._queue_results()
        when = (
            _("at %(when)s", when=fields.Datetime.to_string(self.scheduled_at)) + " (UTC)"
            if self.scheduled_at
            else _("now")
        )
        self.message_post(
            body=_("Approved by %(user)s; published %(when)s.", user=self.env.user.name, when=when)
            if approved
            else _(
                "Scheduled by %(user)s without approval (the accounts' policy allows it); published %(when)s.",
                user=self.env.user.name,
                when=when,
            ),
            partner_ids=self._author_partner_if_not_me(),
        )
        self._wake_cron()

    def _queue_results(self):
        """One result per account that has none yet; failed ones (with a known outcome) are tried again."""
        Result = self.env["social_crm.post.result"].sudo()
        done = {result.account_id: result for result in self.result_ids}
        Result.create(
            [{"post_id": self.id, "account_id": account.id} for account in self.account_ids if account not in done]
        )
        self.sudo().result_ids.filtered(
            lambda result: (
                result.state == "failed" and not result.outcome_unknown and result.account_id in self.account_ids
            )
        ).write({"state": "queued", "error": False})

    def _wake_cron(self):
        cron = self.env.ref("social_crm.ir_cron_publish_posts", raise_if_not_found=False)
        if cron:
            for post in self:
                cron.sudo()._trigger(at=post.scheduled_at or None)

    def _reject_refusals(self):
        return _("Only Social Managers can reject posts."), _("Only posts waiting for approval can be rejected.")

    def _rejection_texts(self, reason):
        return _("Post rejected"), _("Post rejected: %(reason)s", reason=reason)

    def action_open_reject_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Reject post"),
            "res_model": "social_crm.post.reject",
            "view_mode": "form",
            "target": "new",
            "context": {"default_post_ids": self.ids},
        }

    def action_cancel(self):
        """Take a post back before it is published: a draft again (results already published stay)."""
        self.check_access("write")
        for post in self:
            if post.state in ("posting", "posted"):
                raise UserError(_("A post that is published, or being published, cannot be cancelled."))
        self.filtered(lambda post: post.state != "draft")._back_to_draft(
            _("%(user)s cancelled the publication: the post is a draft again.", user=self.env.user.name)
        )
        return True

    def action_retry(self):
        """Publish again to the failed accounts only, with the text that was approved."""
        self.check_access("write")
        for post in self:
            if post.state != "failed":
                raise UserError(_("Only failed posts can be retried."))
            if not post._still_as_approved():
                raise UserError(_("The post changed since it was approved: submit it again."))
            retryable = post.result_ids.filtered(lambda result: result.state == "failed" and not result.outcome_unknown)
            if not retryable:
                raise UserError(
                    _("No account can be retried: check first whether the unsettled posts reached the network.")
                )
            retryable.sudo().write({"state": "queued", "error": False})
            post.sudo().write({"state": "scheduled"})
            post.message_post(
                body=_(
                    "%(user)s retries %(accounts)s.",
                    user=self.env.user.name,
                    accounts=", ".join(retryable.account_id.mapped("name")),
                )
            )
            post.sudo()._wake_cron()
        return True

    # ------------------------------------------------------------------
    # PUBLISHING
    # ------------------------------------------------------------------

    @api.model
    def _cron_publish(self, limit=PUBLISH_BATCH):
        """Publish approved posts whose time has come, each account once (see ``social_crm.post.result``)."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        self.env["social_crm.post.result"]._settle_stale()
        self.env["social_crm.post.result"]._cron_settle_pending()
        if auto_commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        posts = self.sudo().search(
            [
                ("state", "in", ("scheduled", "posting")),
                "|",
                ("scheduled_at", "=", False),
                ("scheduled_at", "<=", fields.Datetime.now()),
            ],
            order="scheduled_at, id",
            limit=limit,
        )
        for post in posts:
            try:
                post._publish(auto_commit=auto_commit)
            except Exception:  # a post must never stop the others
                _logger.exception("social_crm: post %s could not be published", post.id)
                if auto_commit:
                    self.env.cr.rollback()
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        if len(posts) == limit:
            self.env.ref("social_crm.ir_cron_publish_posts")._trigger()
        return posts

    def _publish(self, auto_commit=False):
        self.ensure_one()
        if not self._claim_post():
            return
        if auto_commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        for result in self.result_ids.filtered(lambda r: r.state == "queued"):
            result._publish(auto_commit=auto_commit)
        self._settle_state()

    def _claim_post(self):
        """Only a post still as approved moves to "posting" (one compare-and-set UPDATE); one changed behind the
        approval (an image's bytes rewritten) goes back to draft."""
        if self.state == "scheduled" and not self._still_as_approved():
            self._back_to_draft(
                _(
                    "What was approved changed before it was published (text, link, accounts or images): it is a "
                    "draft again and must be submitted again."
                )
            )
            self._tell_author(_("Post not published"), _("It changed after its approval: submit it again."))
            return False
        self.flush_recordset()
        self.env.cr.execute(
            """
            UPDATE social_crm_post
               SET state = 'posting'
             WHERE id = %s
               AND state IN ('scheduled', 'posting')
               AND approved_body IS NOT NULL AND approved_body = body
               AND approved_link IS NOT DISTINCT FROM link
         RETURNING id
            """,
            [self.id],
        )
        claimed = bool(self.env.cr.fetchone())
        self.invalidate_recordset(["state"])
        return claimed

    def _settle_state(self):
        """The post's state from its results; a failure goes back to the author with the errors in words."""
        self.ensure_one()
        states = set(self.result_ids.mapped("state"))
        if states & {"queued", "posting"}:
            return
        if "failed" in states:
            self.sudo().state = "failed"
            failed = self.result_ids.filtered(lambda r: r.state == "failed")
            lines = Markup("").join(
                Markup("<li>%s: %s</li>") % (result.account_id.name, result.error or "") for result in failed
            )
            self.message_post(
                body=Markup("<p>%s</p><ul>%s</ul>") % (_("The post could not be published everywhere:"), lines),
                partner_ids=self.author_id.partner_id.ids,
            )
            self._tell_author(
                _("Post not published"), "\n".join(f"{r.account_id.name}: {r.error or ''}" for r in failed)
            )
        elif states == {"posted"}:
            self.sudo().state = "posted"
            links = Markup("").join(
                Markup('<li><a href="%s" target="_blank" rel="noopener">%s</a></li>') % (r.url, r.account_id.name)
                if r.url
                else Markup("<li>%s</li>") % r.account_id.name
                for r in self.result_ids
            )
            self.message_post(body=Markup("<p>%s</p><ul>%s</ul>") % (_("Published:"), links))

    def _media(self, account):
        """The approved images; for networks that fetch them, with a public address (a token-protected link)."""
        public = account.network in PUBLIC_IMAGE_NETWORKS and "url" in getattr(Media, "__dataclass_fields__", {})
        media = []
        for image in self.sudo().image_ids.sorted("id"):
            vals = {"filename": image.name, "mimetype": image.mimetype, "data": image.raw, "alt": self.image_alt or ""}
            if public:
                # Signed, bound to these bytes, expiring: Instagram fetches it while the container is created.
                vals["url"] = image._social_public_url(PUBLIC_IMAGE_LINK_HOURS)
            media.append(Media(**vals))
        return media

    # ------------------------------------------------------------------
    # Outcome unknown: managers settle
    # ------------------------------------------------------------------

    def action_view_results(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Results"),
            "res_model": "social_crm.post.result",
            "view_mode": "list,form",
            "domain": [("post_id", "in", self.ids)],
        }
