# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    social_thread_id = fields.Many2one(
        "social_crm.thread",
        string="Social conversation",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        check_company=True,
    )
    social_mention_ids = fields.One2many("social_crm.mention", "ticket_id", string="Social mentions")
    social_network = fields.Selection(related="social_thread_id.network", string="Network")
    social_account_id = fields.Many2one(related="social_thread_id.account_id", string="Social account")
    social_url = fields.Char(related="social_thread_id.url", string="Link to the post")
    social_lang = fields.Char(string="Customer language", readonly=True)
    social_first_response_at = fields.Datetime(string="First social response", readonly=True, copy=False)
    social_reply_ids = fields.One2many("social_crm.reply", "ticket_id", string="Social replies")
    social_conversation_ids = fields.One2many(related="social_thread_id.mention_ids", string="Conversation")

    @api.constrains("social_thread_id", "company_id")
    def _check_social_thread_company(self):
        """A ticket shows its conversation's posts: never one of another company (read as superuser)."""
        for ticket in self.sudo().filtered("social_thread_id"):
            if ticket.social_thread_id.company_id != ticket.company_id:
                raise ValidationError(
                    _(
                        "Ticket %(ticket)s belongs to %(company)s; its social conversation must belong to the same "
                        "company.",
                        ticket=ticket.display_name,
                        company=ticket.company_id.name,
                    )
                )

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
        # The chatter work of create() is done once for the batch below, not per ticket here.
        tickets = self.with_context(tracking_disable=True, mail_create_nolog=True).create(vals_list)
        tickets.with_env(self.env)._social_announce_creation()
        return tickets.with_env(self.env)

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
        author_id = self.env.user.partner_id.id
        for ticket in tickets:
            ticket.message_post(
                subtype_id=subtype.id,
                author_id=author_id,
                body=Markup('<div summary="o_mail_notification"><p>%s</p></div>') % ticket._creation_message(),
            )

    @api.model
    def _social_numbers(self, company_id, count):
        """``count`` numbers of the company's ticket sequence, drawn in one query where the sequence allows."""
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
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [sequence._next() for _index in range(count)]
        self.env.cr.execute(
            SQL("SELECT nextval(%s) FROM generate_series(1, %s)", f"ir_sequence_{sequence.id:03d}", count)
        )
        prefix, suffix = sequence._get_prefix_suffix()
        return [
            f"{prefix}{number:0{sequence.padding}d}{suffix}" for number in sorted(n for (n,) in self.env.cr.fetchall())
        ]

    def action_social_reply(self):
        """Open the reply composer for the ticket's social conversation."""
        self.ensure_one()
        if not self.social_thread_id:
            raise UserError(_("This ticket did not come from a social conversation."))
        return self.social_thread_id.action_reply()

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

    def _social_log_mentions(self, mentions):
        lines = Markup("").join(
            Markup("<li><b>%s</b>: %s</li>") % (m.author_name or m.author_handle or "", m.body or "") for m in mentions
        )
        self.message_post(
            body=Markup("<p>%s</p><ul>%s</ul>") % (_("New in the social conversation:"), lines),
            author_id=mentions[:1].partner_id.id or None,
        )
