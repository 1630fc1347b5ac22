# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

import babel

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import format_datetime

from ..connectors import get_client_class
from ..tools.titles import shorten
from .selections import SENTIMENTS, SLA_STATUSES, THREAD_STATES, VISIBILITIES

# Languages written right to left (ISO 639-1 and the few 639-3 codes detectors return).
RTL_LANGS = {"ar", "fa", "he", "iw", "ur", "ps", "yi", "dv", "ckb", "sd", "ug"}
# Explicit embeddings, overrides and isolates: shown as their code point, never obeyed ("Trojan source" text).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
FSI, PDI = "\u2068", "\u2069"
SENTIMENT_BADGES = {"negative": "text-bg-danger", "neutral": "text-bg-secondary", "positive": "text-bg-success"}
# Replies written in Odoo and not on the network yet, shown in the conversation with their state.
UNPOSTED_REPLY_STATES = ("to_approve", "posting", "failed", "rejected")
LAST_MESSAGE_SIZE = 160  # characters of the last message kept for the inbox
# The social inbox: conversations that need someone (an answer), the user's own or nobody's.
INBOX_DOMAIN = [("state", "in", ("new", "open"))]


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
    conversation_html = fields.Html(
        string="Conversation as a chat", compute="_compute_conversation_html", sanitize=True
    )
    pending_reply_count = fields.Integer(string="Replies waiting for approval", compute="_compute_pending_reply_count")
    sla_status = fields.Selection(
        SLA_STATUSES,
        string="SLA",
        compute="_compute_sla_status",
        help="Amber when the wait nears the team's target for this priority, red once it has passed.",
    )
    can_reply = fields.Boolean(
        compute="_compute_can_reply", help="The network takes replies from Odoo (a feed, for instance, does not)."
    )
    account_state = fields.Selection(related="account_id.state", string="Account status")
    # The social inbox: who handles the conversation, how long the customer waits, what the agent has not seen.
    user_id = fields.Many2one(
        "res.users",
        string="Assigned to",
        index="btree_not_null",
        readonly=True,
        tracking=True,
        help="The agent who handles the conversation: the ticket's assignee, the team's round robin, or the "
        "first agent who answers.",
    )
    waiting_since = fields.Datetime(
        readonly=True,
        index=True,
        help="The customer's last message not answered yet (the inbox sorts by it); empty when the brand spoke last.",
    )
    last_inbound_at = fields.Datetime(string="Last customer message", readonly=True)
    last_inbound_received_at = fields.Datetime(
        readonly=True, help="When Odoo received the customer's last message (what is new for an agent)."
    )
    last_message = fields.Char(readonly=True, help="The start of the conversation's last message.")
    customer_name = fields.Char(string="Customer", compute="_compute_customer_name")
    waiting_hours = fields.Float(string="Waiting", compute="_compute_waiting_hours")
    is_unread = fields.Boolean(
        string="Unread", compute="_compute_is_unread", help="The customer wrote since you last opened it."
    )
    ticket_stage_id = fields.Many2one(related="ticket_id.stage_id", string="Ticket stage")

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

    @api.depends("partner_id.name", "identity_id.name", "identity_id.handle")
    def _compute_customer_name(self):
        """A person's name, never a network's raw id (``U4af…``): the contact, the profile's name or handle."""
        for thread in self:
            thread.customer_name = (
                thread.partner_id.name or thread.identity_id.name or thread.identity_id.handle or _("Unknown author")
            )

    @api.depends("waiting_since", "state")
    def _compute_waiting_hours(self):
        now = fields.Datetime.now()
        for thread in self:
            since = thread.state in ("new", "open") and thread.waiting_since
            thread.waiting_hours = max((now - since).total_seconds(), 0) / 3600.0 if since else 0.0

    @api.depends("last_inbound_received_at")
    @api.depends_context("uid")
    def _compute_is_unread(self):
        """One query for the batch: the user's last visit of each conversation."""
        seen = dict(
            self.env["social_crm.thread.seen"]
            .sudo()
            ._read_group(
                [("thread_id", "in", self.ids), ("user_id", "=", self.env.uid)], ["thread_id"], ["seen_at:max"]
            )
        )
        for thread in self:
            seen_at = seen.get(thread)
            received = thread.last_inbound_received_at
            thread.is_unread = bool(received and (not seen_at or seen_at < received))

    def action_mark_seen(self):
        """The user opened these conversations (their form, or their ticket's): what the customer wrote until
        now is read. Called by the forms' ``social_crm_mark_seen`` widget."""
        self.check_access("read")
        self.env["social_crm.thread.seen"].sudo()._mark(self, self.env.user)
        return True

    @api.depends("mention_ids")
    @api.depends_context("lang", "tz", "uid")
    def _compute_conversation_html(self):
        """The messages in order, read with the user's rights, rendered by a QWeb template that escapes them."""
        replies = self.env["social_crm.reply"].search(
            [("thread_id", "in", self.ids), ("state", "in", UNPOSTED_REPLY_STATES)], order="id"
        )
        media = self.env["social_crm.media"]._chat_media(self.mention_ids)
        for thread in self:
            messages = [
                {**thread._chat_message(mention), **media.get(mention.id, {})}
                for mention in thread.mention_ids.sorted(lambda m: (m.posted_at, m.id))
            ]
            messages += [
                thread._chat_reply(reply) for reply in replies.filtered(lambda r, thread=thread: r.thread_id == thread)
            ]
            thread.conversation_html = self.env["ir.qweb"]._render(
                "social_crm.conversation_chat", {"messages": messages}
            )

    @api.depends("network")
    def _compute_can_reply(self):
        for thread in self:
            thread.can_reply = bool(thread.network) and get_client_class(thread.network).can_reply

    def _compute_sla_status(self):
        saved = self.filtered(lambda thread: isinstance(thread.id, int))
        statuses = self.env["social_crm.sla"]._thread_statuses(saved) if saved else {}
        for thread in self:
            thread.sla_status = statuses.get(thread.id, "ok")

    def _compute_pending_reply_count(self):
        counts = self.env["social_crm.reply"]._count_to_approve("thread_id", self)
        for thread in self:
            thread.pending_reply_count = counts.get(thread, 0)

    def _chat_message(self, mention):
        selections = {
            name: dict(mention._fields[name]._description_selection(self.env)) for name in ("sentiment", "intent")
        }
        text, direction = self._chat_text(mention.body, mention.lang)
        return {
            "side": "brand" if mention.direction == "outbound" else "customer",
            "author": self._chat_text(
                mention.author_name or mention.identity_id.name or mention.author_handle or _("Unknown author"), None
            )[0],
            "private": mention.visibility == "private",
            "time": format_datetime(self.env, mention.posted_at, dt_format="short") if mention.posted_at else "",
            "lang_name": self._lang_name(mention.lang),
            "sentiment": selections["sentiment"].get(mention.sentiment) if mention.direction == "inbound" else "",
            "sentiment_class": SENTIMENT_BADGES.get(mention.sentiment, "text-bg-secondary"),
            "intent": selections["intent"].get(mention.intent) if mention.direction == "inbound" else "",
            "state": "",
            "text": text,
            "dir": direction,
            "url": self._safe_url(mention.url),
        }

    def _chat_reply(self, reply):
        text, direction = self._chat_text(reply.body, None)
        return {
            "side": "brand",
            "author": reply.author_id.name or "",
            "private": self.visibility == "private",
            "time": format_datetime(self.env, reply.create_date, dt_format="short") if reply.create_date else "",
            "lang_name": "",
            "sentiment": "",
            "sentiment_class": "",
            "intent": "",
            "state": dict(reply._fields["state"]._description_selection(self.env)).get(reply.state),
            "text": text,
            "dir": direction,
            "url": False,
        }

    @api.model
    def _chat_text(self, text, lang):
        """The text to show and its direction: from the detected language, else isolated (first strong letter)."""
        text = BIDI_CONTROLS.sub(lambda match: f"[U+{ord(match.group()):04X}]", text or "")
        code = (lang or "").split("_")[0].split("-")[0].lower()
        if code:
            return text, "rtl" if code in RTL_LANGS else "ltr"
        return f"{FSI}{text}{PDI}", "auto"

    @api.model
    def _lang_name(self, code):
        """The language's name in the user's language ("Thai", "ไทย", "تایلندی"), not its ISO code."""
        if not code:
            return ""
        try:
            locale = babel.Locale.parse(self.env.lang or "en_US")
        except (ValueError, babel.UnknownLocaleError):
            locale = babel.Locale("en")
        name = locale.languages.get(code.split("_")[0].split("-")[0].lower())
        return name or code

    @api.model
    def _safe_url(self, url):
        """Only web links are shown: a network's URL is data, never a script."""
        return url if url and re.match(r"^https?://", url, re.IGNORECASE) else False

    @api.model
    def _title_from_text(self, text, size=60):
        return shorten(text, size)

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
                            FILTER (WHERE m.direction = 'inbound' AND m.sentiment IS NOT NULL))[1] AS last_sentiment,
                       (array_agg(left(m.body, %(body_size)s) ORDER BY m.posted_at DESC, m.id DESC))[1] AS last_body,
                       max(m.create_date) FILTER (WHERE m.direction = 'inbound') AS last_in_received
                  FROM social_crm_mention m
             LEFT JOIN outs o ON o.thread_id = m.thread_id
                 WHERE m.thread_id = ANY(%(threads)s)
              GROUP BY m.thread_id
            ), fresh AS (
                SELECT t.id AS thread_id, s.mentions, s.last_at, s.first_in, s.last_in, s.last_out, s.last_body, s.last_in_received,
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
                   last_inbound_at = f.last_in,
                   last_inbound_received_at = f.last_in_received,
                   waiting_since = CASE WHEN f.last_out IS NULL OR f.last_in > f.last_out THEN f.last_in END,
                   last_message = f.last_body,
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
            {
                "threads": self.ids,
                "new_threads": list(new_tickets),
                "new_tickets": list(new_tickets.values()),
                "body_size": LAST_MESSAGE_SIZE,
            },
        )
        self.invalidate_recordset(
            [
                "mention_count",
                "last_mention_at",
                "first_inbound_at",
                "last_inbound_at",
                "last_inbound_received_at",
                "waiting_since",
                "last_message",
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

    def action_open_post(self):
        """Networks that take no reply from Odoo: answer on the network itself."""
        self.ensure_one()
        url = self._safe_url(self.url or self.mention_ids.sorted("posted_at")[:1].url)
        if not url:
            raise UserError(_("This conversation has no link to its post."))
        return {"type": "ir.actions.act_url", "url": url, "target": "new"}

    def action_open_pending_replies(self):
        self.ensure_one()
        return self.env["social_crm.reply"]._action_to_approve("thread_id", self)

    def action_reply(self, mention=None):
        """Open a reply draft answering ``mention`` (a customer's message of this conversation: the one the
        user clicked *Reply* on), else the latest inbound mention of the conversation."""
        self.ensure_one()
        latest = mention if mention and mention.thread_id == self and mention.direction == "inbound" else None
        latest = latest or self.env["social_crm.mention"].search(
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

    def action_create_ticket(self):
        """Open a ticket for the conversation by hand (from its latest customer message), whatever the rules say."""
        self.ensure_one()
        latest = self.env["social_crm.mention"].search(
            [("thread_id", "=", self.id), ("direction", "=", "inbound")], order="posted_at desc, id desc", limit=1
        )
        if not latest:
            raise UserError(_("There is no customer message in this conversation to open a ticket for."))
        return latest.action_create_ticket()

    def action_assign_to_me(self):
        """An agent takes the conversation (and its ticket): rights checked, then written as superuser."""
        if not self.env.user.has_group("social_crm.group_social_user"):
            raise AccessError(_("Only Social CRM users take conversations."))
        self.check_access("read")
        self.sudo()._social_assign(self.env.user)
        return True

    def _social_assign(self, user):
        """Give the conversations, and their tickets still unassigned, to ``user``."""
        self.sudo().write({"user_id": user.id})
        self.sudo().ticket_id.filtered(lambda ticket: ticket.user_id != user and not ticket.closed).write(
            {"user_id": user.id}
        )

    def _on_agent_answer(self, user):
        """An agent's answer reached the network: the answerer of an unassigned conversation becomes its
        assignee, and its ticket moves on (helpdesk.ticket._social_answered)."""
        for thread in self.sudo():
            if not thread.user_id and user and user.active and not user.share:
                thread._social_assign(user)
            thread.ticket_id._social_answered()

    def _inbox_next_action(self):
        """After an answer: the next conversation of the user's inbox (the longest waiting, the user's own or
        nobody's, without a reply waiting for approval), else the inbox."""
        pending = self.env["social_crm.reply"].search([("state", "=", "to_approve")]).thread_id
        following = self.search(
            INBOX_DOMAIN + [("user_id", "in", (self.env.uid, False)), ("id", "not in", (self | pending).ids)],
            order="waiting_since asc nulls last, id",
            limit=1,
        )
        if not following:
            return self.env["ir.actions.act_window"]._for_xml_id("social_crm.social_crm_thread_action_inbox")
        return {
            "type": "ir.actions.act_window",
            "res_model": "social_crm.thread",
            "res_id": following.id,
            "views": [(False, "form")],
            "target": "current",
        }

    def action_close(self):
        """Users close the conversations of their companies: rights checked, then written as superuser."""
        if not self.env.user.has_group("social_crm.group_social_user"):
            raise AccessError(_("Only Social CRM users close conversations."))
        self.check_access("read")
        self.sudo().write({"state": "closed"})
        return True
