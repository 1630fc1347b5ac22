# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models

from ..analytics import spikes
from ..tools.text_direction import text_direction

MANAGER_GROUP = "social_crm.group_social_manager"


class SocialCrmAlert(models.Model):
    """A spike of negative mentions on an account: when, how many against what baseline, and which posts."""

    _name = "social_crm.alert"
    _description = "Social CRM Spike Alert"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "alert_at desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    alert_at = fields.Datetime(string="When", required=True, index=True, readonly=True)
    account_id = fields.Many2one(
        "social_crm.account", required=True, index=True, ondelete="cascade", readonly=True, check_company=True
    )
    network = fields.Selection(related="account_id.network")
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    mention_count = fields.Integer(string="Negative mentions", readonly=True, help="In the alert's window.")
    baseline = fields.Float(string="Usually", digits=(16, 1), readonly=True, help="Average count of a window.")
    threshold = fields.Float(digits=(16, 1), readonly=True, help="The count from which a window is a spike.")
    window_minutes = fields.Integer(string="Window (minutes)", readonly=True)
    mention_ids = fields.Many2many(
        "social_crm.mention",
        "social_crm_alert_mention_rel",
        "alert_id",
        "mention_id",
        string="Mentions",
        readonly=True,
    )

    @api.depends("account_id.name", "mention_count")
    def _compute_name(self):
        for alert in self:
            alert.name = _(
                "%(count)s negative mentions on %(account)s", count=alert.mention_count, account=alert.account_id.name
            )

    # ------------------------------------------------------------------
    # DETECTION (cron, every 15 minutes)
    # ------------------------------------------------------------------

    @api.model
    def _spike_settings(self, company):
        """Sensitivity of the company's spike alerts (its settings): factor over the spread, minimum count,
        window in minutes."""
        company = company.sudo()
        window = min(max(company.social_crm_spike_window_minutes, 5), 1440)
        return company.social_crm_spike_factor, company.social_crm_spike_min_count, window

    @api.model
    def _cron_detect_spikes(self, now=None):
        """Compare each account's negative mentions of the last window with its own last 7 days.

        Each company sets its own sensitivity and window (60 minutes unless set otherwise). The window
        slides with the cron (every 15 minutes), so an episode does not look over at each turn of the
        clock hour. One query for all accounts; one alert per episode (a ``social_crm.alert`` with its
        mentions, in the Social Managers' Inbox); the episode ends when the rate is back to normal, and
        only then can a new one start.
        """
        now = now or fields.Datetime.now()
        Account = self.env["social_crm.account"].sudo()
        self.env["social_crm.mention"].flush_model(["account_id", "posted_at", "direction", "sentiment"])
        Account.flush_model(["active", "company_id"])
        self.env["res.company"].flush_model(["social_crm_spike_window_minutes"])
        # Every active account that receives negative mentions, whatever its state: a webhook-only account
        # (Telegram, LINE) receives messages without a fetch ever marking it connected.
        # age 0: the company's last window; ages 1..windows: the windows before, most recent first
        self.env.cr.execute(
            """
            WITH windows AS (
                SELECT id AS company_id, LEAST(GREATEST(social_crm_spike_window_minutes, 5), 1440) AS minutes
                  FROM res_company
            )
            SELECT m.account_id, floor(EXTRACT(EPOCH FROM (%(now)s - m.posted_at)) / (w.minutes * 60))::int AS age,
                   count(*)
              FROM social_crm_mention m
              JOIN social_crm_account a ON a.id = m.account_id AND a.active
              JOIN windows w ON w.company_id = a.company_id
             WHERE m.direction = 'inbound' AND m.sentiment = 'negative'
               AND m.posted_at > %(earliest)s AND m.posted_at <= %(now)s
               AND m.posted_at > %(now)s - make_interval(mins => w.minutes * (%(history)s / w.minutes + 1))
          GROUP BY 1, 2
            """,
            {
                "now": now,
                "history": spikes.HISTORY_HOURS * 60,
                # the longest window's reach, a constant bound for the index
                "earliest": now - timedelta(minutes=spikes.HISTORY_HOURS * 60 + 1440),
            },
        )
        counts = {}
        for account_id, age, count in self.env.cr.fetchall():
            counts.setdefault(account_id, {})[age] = count
        accounts = Account.browse(sorted(counts)) | Account.search([("spike_episode_start", "!=", False)])
        settings = {company: self._spike_settings(company) for company in accounts.company_id}
        alerts = 0
        for account in accounts:
            factor, min_count, window = settings[account.company_id]
            windows = spikes.HISTORY_HOURS * 60 // window
            by_age = counts.get(account.id, {})
            history = [by_age.get(age, 0) for age in range(windows, 0, -1)]
            result = spikes.check(history, by_age.get(0, 0), k=factor, min_count=min_count)
            if result.is_spike and not account.spike_episode_start:
                account.spike_episode_start = now
                self._notify_spike(account, result, now - timedelta(minutes=window), now, window)
                alerts += 1
            elif account.spike_episode_start and not result.in_episode:
                account.spike_episode_start = False
        return alerts

    @api.model
    def _notify_spike(self, account, result, since, now=None, window=60):
        """Raise the alert of a spike on ``account`` and note it on the account."""
        top = (
            self.env["social_crm.mention"]
            .sudo()
            .search(
                [
                    ("account_id", "=", account.id),
                    ("direction", "=", "inbound"),
                    ("sentiment", "=", "negative"),
                    ("posted_at", ">", since),
                    ("visibility", "=", "public"),  # private messages are never quoted in alerts
                ],
                order="sentiment_score asc, id desc",
                limit=20,
            )
        )
        alert = self._raise(account, result, top, now or fields.Datetime.now(), window)
        summary = alert._summary()
        account.message_post(
            body=Markup('<p>%s <a href="/odoo/social_crm.alert/%s">%s</a></p>')
            % (summary, alert.id, _("Open the alert")),
            subtype_xmlid="mail.mt_note",
        )
        return alert

    @api.model
    def _raise(self, account, result, mentions, when, window_minutes):
        """Store the alert and tell the account's company's Social Managers in their Inbox."""
        alert = (
            self.sudo()
            .with_context(mail_create_nosubscribe=True)
            .create(
                {
                    "alert_at": when,
                    "account_id": account.id,
                    "mention_count": result.count,
                    "baseline": result.baseline_mean,
                    "threshold": result.threshold,
                    "window_minutes": window_minutes,
                    "mention_ids": [(6, 0, mentions.ids)],
                }
            )
        )
        managers = self.env.ref(MANAGER_GROUP).users.filtered(
            lambda user: account.company_id in user.company_ids and not user.share
        )
        alert.message_subscribe(partner_ids=managers.partner_id.ids)
        alert.message_post(
            body=alert._summary_html(),
            partner_ids=managers.partner_id.ids,
            subtype_xmlid="mail.mt_comment",
        )
        # One message in their Inbox (the settings and the alerts page promise it), not an activity each.
        return alert

    def _summary(self):
        self.ensure_one()
        return _(
            "Spike of negative mentions on %(account)s: %(count)s in the last %(minutes)s minutes (usually %(mean)s).",
            account=self.account_id.name,
            count=self.mention_count,
            minutes=self.window_minutes,
            mean=self.baseline,
        )

    def _summary_html(self):
        lines = Markup("").join(
            Markup('<li><a href="/odoo/social_crm.mention/%s" dir="%s"><b>%s</b>: %s</a></li>')
            % (
                mention.id,
                text_direction(mention.lang),
                mention.author_name or mention.author_handle or "",
                (mention.body or "")[:280],
            )
            for mention in self.mention_ids
        )
        return Markup("<p>%s</p><ul>%s</ul>") % (self._summary(), lines)

    def action_open_mentions(self):
        """*Open these mentions*: the alert's posts in the mentions list."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("social_crm.social_crm_mention_action")
        action.update(
            {
                "name": self.name,
                "domain": [("id", "in", self.mention_ids.ids)],
                "context": {"create": False},
                "view_mode": "list,form",
                "views": [(False, "list"), (False, "form")],
            }
        )
        return action
