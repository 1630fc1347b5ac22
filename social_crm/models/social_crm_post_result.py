# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from odoo import _, api, fields, models

from ..connectors import errors as api_errors

_logger = logging.getLogger(__name__)

# Engagement is refreshed for posts published this recently, this many per run.
ENGAGEMENT_DAYS = 30
ENGAGEMENT_BATCH = 200
# Posts a network still processes (TikTok), looked up per run.
PENDING_BATCH = 50


class SocialCrmPostResult(models.Model):
    """One account of a post: published once at most.

    The unique (post, account) row is the claim: the cron moves it from
    "queued" to "posting" with one compare-and-set UPDATE, committed before the
    network call. A crash after the call leaves "posting": the outcome is then
    unknown, and a manager settles it; the row is never queued again blindly.
    """

    _name = "social_crm.post.result"
    _description = "Social Post Result"
    _inherit = ["social_crm.outgoing.mixin"]
    _order = "post_id desc, id"
    _claim_states = ("queued",)
    _outgoing_error_field = "error"

    post_id = fields.Many2one("social_crm.post", required=True, index=True, ondelete="cascade", readonly=True)
    account_id = fields.Many2one("social_crm.account", required=True, index=True, ondelete="restrict", readonly=True)
    company_id = fields.Many2one(related="post_id.company_id", store=True, index=True)
    network = fields.Selection(related="account_id.network")
    state = fields.Selection(
        [("queued", "Waiting"), ("posting", "Posting"), ("posted", "Posted"), ("failed", "Failed")],
        default="queued",
        required=True,
        readonly=True,
        index=True,
    )
    external_id = fields.Char(string="Id on the network", readonly=True, index="btree_not_null")
    publish_id = fields.Char(
        string="Publish id",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="TikTok: the publishing task the network is still processing or reviewing; the post's id replaces "
        "it once the network gives it.",
    )
    url = fields.Char(readonly=True)
    error = fields.Text(readonly=True)
    posted_at = fields.Datetime(readonly=True)
    mention_id = fields.Many2one("social_crm.mention", string="Mention", readonly=True, index="btree_not_null")
    thread_id = fields.Many2one(related="mention_id.thread_id", string="Conversation")
    reply_count = fields.Integer(string="Replies", readonly=True)
    like_count = fields.Integer(string="Likes", readonly=True)
    repost_count = fields.Integer(string="Reposts", readonly=True)
    engagement_at = fields.Datetime(string="Engagement updated", readonly=True)

    _sql_constraints = [
        ("post_account_unique", "unique(post_id, account_id)", "A post is published once per account."),
    ]

    @api.depends("post_id", "account_id")
    def _compute_display_name(self):
        for result in self:
            result.display_name = f"{result.post_id.display_name} · {result.account_id.name}"

    # ------------------------------------------------------------------
    # Publishing
    # ------------------------------------------------------------------

    def _publish(self, auto_commit=False):
        """Publish the post's approved text through this account, once (``social_crm.outgoing.mixin``)."""
        self.ensure_one()
        return bool(self._send_once(auto_commit=auto_commit))

    def _outgoing_send(self):
        post, account = self.post_id.sudo(), self.account_id.sudo()
        limits = post._limits_of(account)
        return account._get_client().publish(
            post.approved_body.strip(),
            link=(post.approved_link or None) if limits["link"] else None,
            media=post._media(account) if limits["max_images"] else (),
        )

    def _record_failure(self, exc, unknown=False):
        message = self.account_id._error_text(exc)
        if unknown:
            message = _(
                "%(error)s The network may have received the post: a manager checks before it is published again.",
                error=message,
            )
        self.sudo().write({"state": "failed", "error": message, "outcome_unknown": unknown})
        if unknown:
            self._ask_managers_to_check()

    def _record_posted(self, item, auto_commit=False):
        """The network has the post: say so first (committed), then keep it as an outbound mention. A post the
        network still processes (TikTok) is posted with its publish id only: ``_cron_settle_pending`` gives
        it its id and link later."""
        extra = item.extra or {}
        pending = bool(extra.get("pending"))
        self.sudo().write(
            {
                "state": "posted",
                "error": False,
                "outcome_unknown": False,
                "external_id": False if pending else item.external_id,
                "publish_id": extra.get("publish_id") or False,
                "url": item.url or False,
                "posted_at": self.posted_at or fields.Datetime.now(),
            }
        )
        if pending:
            return
        if auto_commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        item.is_own = True
        item.kind = "post"
        item.parent_id = None
        item.root_id = item.external_id
        Mention = self.env["social_crm.mention"].sudo()
        try:
            with self.env.cr.savepoint():
                mention = Mention._ingest_items(self.account_id, [item]) or Mention.search(
                    [("account_id", "=", self.account_id.id), ("external_id", "=", item.external_id)], limit=1
                )
                self.sudo().mention_id = mention[:1]
        except Exception:
            _logger.exception(
                "social_crm: post %s was published as %s but could not be stored as a mention",
                self.post_id.id,
                item.external_id,
            )

    @api.model
    def _cron_settle_pending(self, limit=PENDING_BATCH):
        """Posts the network accepted but still processes (TikTok): their id and link once published, a worded
        failure when the network gave up (then Retry may publish them again: nothing went out)."""
        pending = self.sudo().search(
            [("state", "=", "posted"), ("publish_id", "!=", False), ("external_id", "=", False)],
            order="posted_at, id",
            limit=limit,
        )
        for account, results in pending.grouped("account_id").items():
            try:
                client = account._get_client()
            except (api_errors.SocialApiError, ValueError) as exc:
                _logger.warning("social_crm: pending posts of %s: %s", account.name, exc)
                continue
            for result in results:
                try:
                    item = client.publish_status(result.publish_id, result.post_id.approved_body or "")
                except api_errors.SocialApiError as exc:
                    if not getattr(exc, "gave_up", False):
                        _logger.warning("social_crm: pending post %s: %s", result.id, exc)
                        continue  # the status could not be read: asked again next run
                    result.write({"state": "failed", "error": account._error_text(exc), "publish_id": False})
                    result.post_id._settle_state()
                    continue
                if item is not None and not (item.extra or {}).get("pending"):
                    result._record_posted(item)
        return pending

    @api.model
    def _settle_stale(self):
        """Results left in "posting" by a worker that died: their outcome is unknown, never re-posted blindly."""
        stale = self.sudo().search(
            [("state", "=", "posting"), ("posting_started_at", "<", fields.Datetime.now() - self._posting_stale_after)],
            limit=100,
        )
        for result in stale:
            result.write(
                {
                    "state": "failed",
                    "outcome_unknown": True,
                    "error": _(
                        "Publishing was interrupted: the post may be on %(network)s. A manager checks before it is "
                        "published again.",
                        network=result.account_id._network_label(),
                    ),
                }
            )
            result._ask_managers_to_check()
            result.post_id._settle_state()
        return stale

    def _ask_managers_to_check(self):
        """One request for the managers' pool (the account's approver, else the least busy manager)."""
        post = self.post_id.sudo()
        manager = post._approval_assignee()
        if manager:
            post.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=manager.id,
                summary=_("Check a post on %(account)s", account=self.account_id.name),
                note=_(
                    "Odoo does not know whether this post reached %(account)s. Look at the account on the network, "
                    "then use “Published” or “Not published” on the post's result.",
                    account=self.account_id.name,
                ),
            )

    def action_confirm_published(self):
        """Managers: the post is on the network (checked by a person)."""
        for result in self._unknown_to_settle():
            result._settle_by_hand(
                {"state": "posted", "outcome_unknown": False, "error": False},
                _(
                    "%(user)s checked that the post is on %(account)s.",
                    user=self.env.user.name,
                    account=result.account_id.name,
                ),
            )
        return True

    def action_confirm_not_published(self):
        """Managers: the post is not on the network (checked by a person); Retry may publish it."""
        for result in self._unknown_to_settle():
            result._settle_by_hand(
                {"state": "failed", "outcome_unknown": False, "error": _("Not on the network: it can be retried.")},
                _(
                    "%(user)s checked that the post is not on %(account)s.",
                    user=self.env.user.name,
                    account=result.account_id.name,
                ),
            )
        return True

    def _unknown_to_settle(self):
        """Those whose outcome is unknown, for a Social Manager to settle."""
        self.env["social_crm.post"]._check_publisher(
            _("Only Social Managers can settle a post whose outcome is unknown.")
        )
        self.check_access("read")
        return self.filtered(lambda r: r._outcome_is_unknown())

    def _settle_by_hand(self, vals, checked):
        """What a manager found (``vals``), said on the post (``checked``), which takes its state from its results."""
        self.ensure_one()
        self.sudo().write(vals)
        self.post_id.message_post(body=checked)
        self.post_id._settle_state()

    # ------------------------------------------------------------------
    # Engagement
    # ------------------------------------------------------------------

    @api.model
    def _cron_refresh_engagement(self, limit=ENGAGEMENT_BATCH):
        """Replies, likes and reposts of recent published posts, the oldest counts first, one call per account."""
        results = self.sudo().search(
            [
                ("state", "=", "posted"),
                ("external_id", "!=", False),
                ("posted_at", ">=", fields.Datetime.now() - timedelta(days=ENGAGEMENT_DAYS)),
            ],
            order="engagement_at asc nulls first, id",
            limit=limit,
        )
        for account, account_results in results.grouped("account_id").items():
            try:
                counts = account._get_client().engagement(account_results.mapped("external_id")) or {}
            except (api_errors.SocialApiError, ValueError) as exc:
                _logger.warning("social_crm: engagement of %s: %s", account.name, exc)
                continue
            now = fields.Datetime.now()
            for result in account_results:
                found = counts.get(result.external_id) or {}
                result.write(
                    {
                        "reply_count": found.get("replies") or 0,
                        "like_count": found.get("likes") or 0,
                        "repost_count": found.get("reposts") or 0,
                        "engagement_at": now,
                    }
                    if found
                    else {"engagement_at": now}
                )
        return results
