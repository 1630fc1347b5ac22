# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

from ..tools.batch_defaults import batch_defaults_context, cached_default_get
from ..tools.bulk_sql import update_rows
from ..tools.text_similarity import similarity
from .selections import PREFETCHED_RECIPIENTS

# Incidents: conversations opened this close together (minutes) about the same thing are offered for merging.
INCIDENT_WINDOW_PARAM = "social_crm.incident_window_minutes"
INCIDENT_WINDOW_DEFAULT = 30
INCIDENT_SIMILARITY = 0.5  # trigram overlap of the first customer messages
INCIDENT_SIMILARITY_SAME_KEYWORD = 0.3  # when both matched the same listening keyword
# helpdesk_mgmt's stored related fields, given by the ingestion's batch create (``_social_related_vals``)
RELATED_AT_CREATE = ("commercial_partner_id", "unattended")


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "social_crm.thread.link.mixin"]
    _social_reply_field = "ticket_id"

    social_mention_ids = fields.One2many("social_crm.mention", "ticket_id", string="Social mentions")
    social_lang = fields.Char(string="Customer language", readonly=True)
    social_first_response_at = fields.Datetime(string="First social response", readonly=True, copy=False)
    social_reply_ids = fields.One2many("social_crm.reply", "ticket_id", string="Social replies")
    social_csat_ids = fields.One2many(
        "social_crm.csat", "ticket_id", string="Satisfaction", readonly=True, groups="social_crm.group_social_user"
    )
    social_conversation_ids = fields.One2many(
        related="social_thread_id.mention_ids",
        string="Conversation",
        groups="social_crm.group_social_user",  # computed as superuser: private messages included
    )
    social_sentiment = fields.Selection(related="social_thread_id.sentiment", string="Sentiment")
    social_lang_name = fields.Char(string="Language", compute="_compute_social_lang_name")
    social_similar_ticket_ids = fields.Many2many(
        "helpdesk.ticket",
        string="Similar open tickets",
        compute="_compute_social_similar_ticket_ids",
        groups="social_crm.group_social_user",
        help="Open social tickets from other people, opened close in time, about the same thing: probably one "
        "incident. Merge them here to answer it once.",
    )
    social_waiting_hours = fields.Float(
        string="Waiting",
        compute="_compute_social_waiting_hours",
        help="How long the customer's last message has waited for an answer (hours:minutes).",
    )

    social_visibility = fields.Selection(related="social_thread_id.visibility", string="Social visibility")

    # --- social_crm.thread.link.mixin ---------------------------------------------------------------

    def _social_thread_company_error(self):
        return _(
            "Ticket %(ticket)s belongs to %(company)s; its social conversation must belong to the same company.",
            ticket=self.display_name,
            company=self.company_id.name,
        )

    def _social_no_thread_message(self):
        return _("This ticket did not come from a social conversation.")

    # ------------------------------------------------------------------
    # ORM: the conversation follows its ticket's assignee
    # ------------------------------------------------------------------

    @api.model
    def default_get(self, fields):
        # Tickets created in a batch by the ingestion: defaults computed once (see tools/batch_defaults.py).
        return cached_default_get(self, fields, super().default_get)

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        tickets._social_sync_assignee()
        return tickets

    def write(self, vals):
        res = super().write(vals)
        if "user_id" in vals or "social_thread_id" in vals:
            self._social_sync_assignee()
        if "stage_id" in vals:
            # closed social tickets of private conversations: ask the customer how it went (once)
            self.env["social_crm.csat"]._queue_for_tickets(self.filtered("social_thread_id"))
        return res

    def _social_sync_assignee(self):
        """One write per assignee: each social conversation gets its ticket's assignee."""
        by_user = defaultdict(list)
        for ticket in self.sudo().filtered("social_thread_id"):
            if ticket.social_thread_id.user_id != ticket.user_id:
                by_user[ticket.user_id.id].append(ticket.social_thread_id.id)
        for user_id, thread_ids in by_user.items():
            self.env["social_crm.thread"].sudo().browse(thread_ids).write({"user_id": user_id or False})

    def _social_stage(self, role):
        self.ensure_one()
        return self.team_id._get_applicable_stages().filtered(lambda stage: stage.social_role == role)[:1]

    def _social_answered(self):
        """An agent answered: a new or in-progress ticket waits for the customer where the team has such a
        stage, else it is in progress. Stages of the team's own (escalated, closed...) are left alone."""
        for ticket in self.sudo().filtered(lambda ticket: not ticket.closed):
            target = ticket._social_stage("waiting") or ticket._social_stage("in_progress")
            if target and ticket.stage_id != target and (ticket.stage_id.unattended or ticket.stage_id.social_role):
                ticket.stage_id = target

    def _social_customer_wrote(self):
        """The customer wrote again: a ticket waiting for them is in progress again."""
        for ticket in self.sudo().filtered(lambda ticket: ticket.stage_id.social_role == "waiting"):
            target = ticket._social_stage("in_progress")
            if target:
                ticket.stage_id = target

    @api.depends("social_lang")
    @api.depends_context("lang")
    def _compute_social_lang_name(self):
        for ticket in self:
            ticket.social_lang_name = self.env["social_crm.thread"]._lang_name(ticket.social_lang)

    def _compute_social_waiting_hours(self):
        """From the customer's last message still unanswered; nothing when the conversation is answered."""
        threads = self.social_thread_id.sudo().filtered(lambda thread: thread.state in ("new", "open"))
        last_in = dict(
            self.env["social_crm.mention"]
            .sudo()
            ._read_group(
                [("thread_id", "in", threads.ids), ("direction", "=", "inbound")], ["thread_id"], ["posted_at:max"]
            )
        )
        now = fields.Datetime.now()
        for ticket in self:
            since = not ticket.closed and last_in.get(ticket.social_thread_id.sudo())
            ticket.social_waiting_hours = max((now - since).total_seconds(), 0) / 3600.0 if since else 0.0

    def _compute_social_similar_ticket_ids(self):
        """See readme/USAGE.md, "Incidents": same company, opened within the window, another person, alike."""
        window = self.env["social_crm.params"].get_int(INCIDENT_WINDOW_PARAM, INCIDENT_WINDOW_DEFAULT)
        for ticket in self:
            ticket.social_similar_ticket_ids = ticket._social_similar_tickets(window) if window > 0 else False

    def _social_similar_tickets(self, window):
        self.ensure_one()
        Ticket = self.browse()
        if not self.social_thread_id or self.closed or not self.create_date:
            return Ticket
        delta = timedelta(minutes=window)
        candidates = self.search(
            [
                ("id", "!=", self.id),
                ("social_thread_id", "!=", False),
                ("closed", "=", False),
                ("duplicate_id", "=", False),
                ("company_id", "=", self.company_id.id),
                ("create_date", ">=", self.create_date - delta),
                ("create_date", "<=", self.create_date + delta),
            ],
            limit=200,
        )
        mine = self._social_first_message()
        if not mine:
            return Ticket
        similar = []
        for candidate in candidates:
            if candidate.social_thread_id.identity_id == self.social_thread_id.identity_id:
                continue  # the same person twice is one conversation's business, not an incident
            theirs = candidate._social_first_message()
            if not theirs:
                continue
            threshold = (
                INCIDENT_SIMILARITY_SAME_KEYWORD if mine.keyword_ids & theirs.keyword_ids else INCIDENT_SIMILARITY
            )
            if similarity(mine.body, theirs.body) >= threshold:
                similar.append(candidate.id)
        return self.browse(similar)

    def _social_first_message(self):
        return self.social_thread_id.mention_ids.filtered(lambda m: m.direction == "inbound").sorted(
            lambda m: (m.posted_at, m.id)
        )[:1]

    def action_social_merge_similar(self):
        """One incident, one ticket: the similar tickets become closed duplicates of this one.

        Each conversation keeps its own ticket (a reply goes to each customer on their own post); new
        messages in a merged conversation are logged on this ticket.
        """
        self.ensure_one()
        self.check_access("write")
        others = self.social_similar_ticket_ids
        if not others:
            raise UserError(_("There is no similar open ticket to merge."))
        others.check_access("write")
        for other in others:
            closed_stage = other.team_id._get_applicable_stages().filtered("closed")[:1] or self.env[
                "helpdesk.ticket.stage"
            ].search([("closed", "=", True), ("company_id", "in", [other.company_id.id, False])], limit=1)
            vals = {"duplicate_id": self.id}
            if closed_stage:
                vals["stage_id"] = closed_stage.id
            other.write(vals)
            other.message_post(body=_("Merged into %(ticket)s: one incident.", ticket=self.display_name))
        self.message_post(
            body=_("Merged here: %(tickets)s.", tickets=", ".join(others.mapped("display_name"))),
        )
        return True

    @api.model
    def _social_create(self, vals_list):
        """create() for a batch of social tickets, numbered and staged once per batch.

        helpdesk_mgmt looks the sequence and the team's stages up again for
        every ticket; the same lookups done once per company and team give
        each ticket the number and first stage it would have had.
        """
        by_company = defaultdict(list)
        for vals in vals_list:
            if vals.get("number", "/") == "/":
                by_company[vals.get("company_id") or self.env.company.id].append(vals)
        for company_id, company_vals in by_company.items():
            for vals, number in zip(company_vals, self._social_numbers(company_id, len(company_vals))):
                vals["number"] = number
        stages = {}
        for vals in vals_list:
            if "stage_id" not in vals:
                team_id = vals.get("team_id") or False
                if team_id not in stages:
                    stages[team_id] = self.env["helpdesk.ticket.team"].browse(team_id)._get_applicable_stages()[:1].id
                vals["stage_id"] = stages[team_id]
        self._social_related_vals(vals_list)
        # The descriptions are HTML the router composed itself (``_ticket_vals``: the customer's text escaped,
        # only http(s) links): create() would sanitize each one twice (for the column and for the cache); the
        # UPDATE below stores them as composed (anything else is sanitized). The column is required: empty until.
        descriptions = []
        for vals in vals_list:
            descriptions.append(vals.get("description") or False)
            vals["description"] = ""
        # The chatter work of create() is done once for the batch below, not per ticket here; defaults of the
        # tickets and of their creation messages are computed once for the batch.
        batch = self.with_context(**batch_defaults_context())
        tickets = batch.with_context(tracking_disable=True, mail_create_nolog=True).create(vals_list)
        for fname in RELATED_AT_CREATE:
            # given at create (_social_related_vals): create() still marks them to compute for every ticket
            self.env.remove_to_compute(self._fields[fname], tickets)
        update_rows(
            tickets,
            [(ticket.id, {"description": text}) for ticket, text in zip(tickets, descriptions) if text],
            ["description"],
            escaped=["description"],
        )
        tickets.with_env(batch.env)._social_announce_creation()
        return tickets.with_env(self.env)

    @api.model
    def _social_related_vals(self, vals_list):
        """Give the stored related fields of helpdesk_mgmt (``commercial_partner_id``, ``unattended``) their values.

        Without them the INSERT stores NULL and the next flush computes both for every ticket and writes them in
        a second UPDATE of the new rows; given, they are stored by the INSERT and need no computing.
        """
        partners = self.env["res.partner"].browse({vals["partner_id"] for vals in vals_list if vals.get("partner_id")})
        stages = self.env["helpdesk.ticket.stage"].browse(
            {vals["stage_id"] for vals in vals_list if vals.get("stage_id")}
        )
        commercial = {partner.id: partner.commercial_partner_id.id for partner in partners}
        unattended = {stage.id: stage.unattended for stage in stages}
        for vals in vals_list:
            vals.setdefault("commercial_partner_id", commercial.get(vals.get("partner_id"), False))
            vals.setdefault("unattended", unattended.get(vals.get("stage_id"), False))

    def _social_announce_creation(self):
        """Do for tickets made by the ingestion what mail.thread does on create, in batch.

        The ingestion creates tickets without chatter work (``tracking_disable``,
        ``mail_create_nolog``); like helpdesk_mgmt for other channels, the
        team's followers are subscribed (one subscription per team) and the
        "Ticket created" message notifies them. Notification e-mails are queued,
        not sent during the fetch.
        """
        tickets = self.with_context(tracking_disable=False, mail_create_nolog=False, mail_notify_force_send=False)
        by_assignment = defaultdict(list)
        for ticket in tickets:
            by_assignment[ticket.team_id.id, ticket.user_id.id].append(ticket.id)
        for (team_id, user_id), ticket_ids in by_assignment.items():
            tickets.browse(ticket_ids)._message_auto_subscribe({"team_id": team_id, "user_id": user_id})
        subtype = tickets._creation_subtype()
        author = self.env.user.partner_id
        # message_post() per ticket, with what it would look up again for every ticket looked up once for the
        # batch, and the messages created in one INSERT: new tickets have no message yet (no parent), and a
        # notification subscribes nobody.
        company = self.env.company
        email_from = author.email_formatted
        alias_domains = tickets.sudo()._mail_get_alias_domains(default_company=company)
        companies = tickets._mail_get_companies(default=company)
        reply_to = tickets._notify_get_reply_to(default=email_from)
        names = {ticket.id: ticket.display_name for ticket in tickets.sudo()}
        # mail.thread's "<Ticket> created": the same text for every record of a model, translated once
        body = Markup('<div summary="o_mail_notification"><p>%s</p></div>') % tickets[:1]._creation_message()
        values_list = [
            {
                "author_id": author.id,
                "author_guest_id": False,
                "email_from": email_from,
                "model": ticket._name,
                "res_id": ticket.id,
                "message_type": "notification",
                "parent_id": False,
                "subject": False,
                "subtype_id": subtype.id,
                "partner_ids": [],
                "email_add_signature": True,
                "record_name": names[ticket.id],
                "record_alias_domain_id": alias_domains[ticket.id].id,
                "record_company_id": companies[ticket.id].id,
                "reply_to": reply_to[ticket.id],
            }
            for ticket in tickets
        ]
        # No body at create (the same body for all, sanitized once by the UPDATE below, not twice per message;
        # mail.message's create looks for embedded pictures in each body it is given).
        messages = tickets._message_create(values_list)
        update_rows(messages, [(message.id, {"body": body}) for message in messages], ["body"])
        for values in values_list:
            values["body"] = body
        # the followers of every new ticket in one query, not one per notification
        recipients = self.env["mail.followers"]._get_recipient_data(tickets, "notification", subtype.id, [])
        # What each notification would work out again, once: the language mail.thread falls back to, and with
        # SMS installed the body's plain text (the same for every ticket; ``sms_content`` is SMS's own parameter).
        notify_kwargs = {}
        if "sms_content" in tickets._get_notify_valid_parameters():
            notify_kwargs["sms_content"] = html2plaintext(body)
        tickets = tickets.with_context(
            lang=tickets.env.context.get("lang") or self.env.user.lang,
            **{PREFETCHED_RECIPIENTS: {"key": (tickets._name, "notification", subtype.id), "data": recipients}},
        )
        for ticket, message, values in zip(tickets, messages, values_list):
            ticket._message_post_after_hook(message, values)
            ticket._notify_thread(message, values, **notify_kwargs)

    @api.model
    def _social_numbers(self, company_id, count):
        """``count`` numbers of the company's ticket sequence (the one helpdesk_mgmt numbers tickets with)."""
        sequence = (
            self.env["ir.sequence"]
            .with_company(company_id)
            .search(
                [("code", "=", "helpdesk.ticket.sequence"), ("company_id", "in", [company_id, False])],
                order="company_id",
                limit=1,
            )
        )
        if not sequence:
            return ["/"] * count
        return [sequence.next_by_id() for _index in range(count)]

    def _social_reopen(self):
        stage = self.env["helpdesk.ticket.stage"].search(
            [("closed", "=", False), ("company_id", "in", [self.company_id.id, False])], order="sequence, id", limit=1
        )
        if stage:
            self.write({"stage_id": stage.id})
        self.message_post(
            body=_(
                "Reopened: the customer wrote again on %(network)s.",
                network=self.social_thread_id.account_id._network_label(),
            )
        )
