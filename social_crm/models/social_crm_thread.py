# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .selections import SENTIMENTS, THREAD_STATES, VISIBILITIES


class SocialCrmThread(models.Model):
    """A conversation on a network, built by the ingestion.

    Users read conversations and act on them through methods that check
    their rights first (close); only the pipeline and managers write them.
    """

    _name = "social_crm.thread"
    _description = "Social Conversation"
    _inherit = ["mail.thread"]
    _order = "last_mention_at desc nulls last, id desc"
    _check_company_auto = True
    _mail_post_access = "read"  # users discuss a conversation they may read

    name = fields.Char(compute="_compute_name", store=True, readonly=False)
    account_id = fields.Many2one(
        "social_crm.account", required=True, index=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    network = fields.Selection(related="account_id.network", store=True, index=True)
    root_external_id = fields.Char(required=True, help="Id of the post that started the conversation on the network.")
    identity_id = fields.Many2one(
        "social_crm.identity", string="Started by", index="btree_not_null", ondelete="set null", check_company=True
    )
    partner_id = fields.Many2one(related="identity_id.partner_id", store=True, index="btree_not_null", string="Contact")
    mention_ids = fields.One2many("social_crm.mention", "thread_id", string="Conversation")
    ticket_id = fields.Many2one(
        "helpdesk.ticket", index="btree_not_null", ondelete="set null", copy=False, tracking=True, check_company=True
    )
    state = fields.Selection(
        THREAD_STATES,
        default="new",
        required=True,
        index=True,
    )
    last_mention_at = fields.Datetime(index=True, readonly=True)
    first_inbound_at = fields.Datetime(readonly=True)
    first_response_at = fields.Datetime(readonly=True)
    first_response_hours = fields.Float(readonly=True, aggregator="avg")
    mention_count = fields.Integer(readonly=True)
    sentiment = fields.Selection(
        SENTIMENTS,
        readonly=True,
        help="The most negative customer message still waiting for an answer; when everything is answered, "
        "the customer's last message.",
    )
    url = fields.Char(readonly=True)
    visibility = fields.Selection(
        VISIBILITIES,
        default="public",
        required=True,
        readonly=True,
        index=True,
        help="A private conversation is answered through the network's messaging API.",
    )

    _sql_constraints = [
        (
            "account_root_uniq",
            "unique(account_id, root_external_id)",
            "This conversation already exists for this account.",
        ),
    ]

    @api.depends("root_external_id", "identity_id")
    def _compute_name(self):
        for thread in self:
            if not thread.name:
                who = thread.identity_id.name or thread.identity_id.handle
                thread.name = who or thread.root_external_id

    @api.model
    def _title_from_text(self, text, size=60):
        text = " ".join((text or "").split())
        return text if len(text) <= size else text[: size - 1].rstrip() + "…"

    def _refresh_stats(self, new_tickets=None):
        """Counts, last activity, first response and state from the mentions: one UPDATE for the batch.

        ``new_tickets`` ({thread id: ticket id}) links the tickets just opened
        for these conversations in the same UPDATE; their state starts again
        from "Needs answer".
        """
        if not self:
            return
        new_tickets = new_tickets or {}
        self.env["social_crm.mention"].flush_model(
            ["thread_id", "posted_at", "direction", "sentiment", "sentiment_score"]
        )
        self.flush_recordset(["state", "first_response_at", "ticket_id"])
        self.env.cr.execute(
            """
            WITH outs AS (
                SELECT thread_id, max(posted_at) AS last_out
                  FROM social_crm_mention
                 WHERE thread_id = ANY(%(threads)s) AND direction = 'outbound'
              GROUP BY thread_id
            ), stats AS (
                SELECT m.thread_id,
                       count(*) AS mentions,
                       max(m.posted_at) AS last_at,
                       min(m.posted_at) FILTER (WHERE m.direction = 'inbound') AS first_in,
                       min(m.posted_at) FILTER (WHERE m.direction = 'outbound') AS first_out,
                       max(m.posted_at) FILTER (WHERE m.direction = 'inbound') AS last_in,
                       max(m.posted_at) FILTER (WHERE m.direction = 'outbound') AS last_out,
                       -- what an agent needs: the most negative message still waiting for an answer ...
                       (array_agg(m.sentiment ORDER BY CASE m.sentiment WHEN 'negative' THEN 0
                                                                        WHEN 'neutral' THEN 1 ELSE 2 END,
                                                       m.sentiment_score ASC NULLS LAST, m.posted_at DESC)
                            FILTER (WHERE m.direction = 'inbound' AND m.sentiment IS NOT NULL
                                      AND (o.last_out IS NULL OR m.posted_at > o.last_out)))[1] AS open_sentiment,
                       -- ... or, when everything is answered, the customer's last word
                       (array_agg(m.sentiment ORDER BY m.posted_at DESC)
                            FILTER (WHERE m.direction = 'inbound' AND m.sentiment IS NOT NULL))[1] AS last_sentiment
                  FROM social_crm_mention m
             LEFT JOIN outs o ON o.thread_id = m.thread_id
                 WHERE m.thread_id = ANY(%(threads)s)
              GROUP BY m.thread_id
            ), fresh AS (
                SELECT t.id AS thread_id, s.mentions, s.last_at, s.first_in, s.last_in, s.last_out,
                       COALESCE(s.open_sentiment, s.last_sentiment) AS sentiment,
                       COALESCE(t.first_response_at,
                                CASE WHEN s.first_out >= s.first_in THEN s.first_out END) AS response_at,
                       n.ticket_id AS new_ticket_id,
                       CASE WHEN n.ticket_id IS NOT NULL THEN 'open' ELSE t.state END AS base_state
                  FROM social_crm_thread t
             LEFT JOIN stats s ON s.thread_id = t.id
             LEFT JOIN unnest(%(new_threads)s::int[], %(new_tickets)s::int[]) AS n(thread_id, ticket_id)
                       ON n.thread_id = t.id
                 WHERE t.id = ANY(%(threads)s)
            )
            UPDATE social_crm_thread t
               SET mention_count = COALESCE(f.mentions, 0),
                   last_mention_at = f.last_at,
                   first_inbound_at = f.first_in,
                   sentiment = f.sentiment,
                   first_response_at = f.response_at,
                   -- unanswered: no figure (an average must not count it as answered at once)
                   first_response_hours = CASE WHEN f.response_at IS NOT NULL AND f.first_in IS NOT NULL
                                               THEN GREATEST(EXTRACT(EPOCH FROM f.response_at - f.first_in), 0) / 3600.0
                                          END,
                   ticket_id = COALESCE(f.new_ticket_id, t.ticket_id),
                   state = CASE WHEN f.base_state = 'closed' OR f.last_out IS NULL THEN f.base_state
                                WHEN f.last_in IS NULL OR f.last_out >= f.last_in THEN 'answered'
                                WHEN f.base_state = 'answered' THEN 'open'
                                ELSE f.base_state END
              FROM fresh f
             WHERE t.id = f.thread_id
            """,
            {"threads": self.ids, "new_threads": list(new_tickets), "new_tickets": list(new_tickets.values())},
        )
        self.invalidate_recordset(
            [
                "mention_count",
                "last_mention_at",
                "first_inbound_at",
                "sentiment",
                "first_response_at",
                "first_response_hours",
                "state",
                "ticket_id",
            ]
        )

    def action_open_ticket(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "helpdesk.ticket",
            "res_id": self.ticket_id.id,
            "view_mode": "form",
        }

    def action_reply(self):
        """Open a reply draft answering the latest inbound mention of the conversation."""
        self.ensure_one()
        latest = self.env["social_crm.mention"].search(
            [("thread_id", "=", self.id), ("direction", "=", "inbound")], order="posted_at desc, id desc", limit=1
        )
        if not latest:
            raise UserError(_("There is no customer message to answer in this conversation."))
        if not self.account_id._get_client().can_reply:
            raise UserError(
                _("%(network)s does not accept replies from Odoo.", network=self.account_id._network_label())
            )
        return {
            "type": "ir.actions.act_window",
            "name": _("Reply"),
            "res_model": "social_crm.reply",
            "view_mode": "form",
            "views": [(self.env.ref("social_crm.social_crm_reply_view_form_composer").id, "form")],
            "target": "new",
            "context": {
                "default_thread_id": self.id,
                "default_ticket_id": self.ticket_id.id,
                "default_parent_mention_id": latest.id,
            },
        }

    def action_close(self):
        """Users close the conversations of their companies: rights checked, then written as superuser."""
        if not self.env.user.has_group("social_crm.group_social_user"):
            raise AccessError(_("Only Social CRM users close conversations."))
        self.check_access("read")
        self.sudo().write({"state": "closed"})
        return True
