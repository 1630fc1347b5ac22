# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Respond: which conversations become helpdesk tickets, and how (the ticket rules applied to mentions)."""

import html
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models

from ..tools.bulk_sql import update_rows


class SocialCrmTicketRouter(models.AbstractModel):
    """One ticket per conversation: append to it, reopen it, or open one by the ordered ticket rules.

    Mentions are routed once, when their analysis is done (rules may depend on
    sentiment and intent): at ingestion, by the analysis cron for mentions
    analyzed late, after a person's correction, and when a re-scoring turns a
    conversation negative. People can also open a ticket by hand.
    """

    _name = "social_crm.ticket.router"
    _description = "Social CRM: conversations to helpdesk tickets"

    @api.model
    def _route_analyzed(self, mentions):
        """Apply the rules, exactly once, to the inbound mentions whose analysis is done.

        The flag is set by one UPDATE that only one worker can win for each
        mention. Returns the tickets opened, {thread id: ticket id}.
        """
        ready = mentions.filtered(lambda m: m.direction == "inbound" and m.nlp_state != "pending" and not m.is_routed)
        if not ready:
            return {}
        ready.flush_recordset(["is_routed"])
        self.env.cr.execute(
            "UPDATE social_crm_mention SET is_routed = true WHERE id = ANY(%s) AND NOT coalesce(is_routed, false)"
            " RETURNING id",
            [ready.ids],
        )
        claimed = mentions.browse([row[0] for row in self.env.cr.fetchall()])
        mentions.invalidate_model(["is_routed"])
        return self._route_claimed(claimed)

    @api.model
    def _route_claimed(self, mentions):
        """Apply the rules to inbound mentions this transaction claimed (``is_routed`` set by it).

        The ingestion stores new analyzed inbound mentions already claimed: no other worker sees a row
        before its INSERT commits, so the claiming UPDATE of ``_route_analyzed`` would only rewrite them.
        """
        tickets = self._route(mentions)
        self._route_more(mentions)
        return tickets

    @api.model
    def _route_unticketed(self, mentions):
        """Route again routed inbound mentions whose conversation still has no ticket (their analysis changed)."""
        self._route_more(mentions.filtered(lambda m: m.is_routed and m.direction == "inbound"), again=True)
        return self._route(
            mentions.filtered(
                lambda m: m.is_routed and m.direction == "inbound" and not m.ticket_id and not m.thread_id.ticket_id
            )
        )

    @api.model
    def _route_more(self, mentions, again=False):
        """Extension point: what else routes the analyzed inbound mentions (the CRM bridge makes leads).

        Called once per mention after the ticket rules (``again``: their analysis changed since, e.g. a
        person's correction; the mentions were routed before). Nothing here."""
        return {}

    @api.model
    def _route(self, mentions):
        """Returns the tickets opened, {thread id: ticket id}: the caller's thread refresh links them."""
        if not mentions:
            return {}
        Ticket = (
            self.env["helpdesk.ticket"]
            .sudo()
            .with_context(mail_create_nosubscribe=True, mail_create_nolog=True, mail_notrack=True)
        )
        first_match = self.env["social_crm.ticket.rule"].sudo().search([])._matcher()
        now = fields.Datetime.now()
        by_thread = {}
        for mention in mentions.sorted("posted_at"):
            by_thread.setdefault(mention.thread_id, []).append(mention.id)
        to_create, created_for, appended = [], [], []
        texts = _TicketTexts(self.env)
        for thread, mention_ids in by_thread.items():
            thread_mentions = mentions.browse(mention_ids)
            ticket = thread.sudo().ticket_id
            if ticket.closed and ticket.duplicate_id and not ticket.duplicate_id.closed:
                ticket = ticket.duplicate_id  # merged into an incident's ticket: the customer writes there
            if ticket and ticket.closed:
                # the ticket's company says how long a closed ticket may be reopened (0: never)
                reopen_days = ticket.company_id.social_crm_ticket_reopen_days
                if reopen_days > 0 and ticket.closed_date and ticket.closed_date >= now - timedelta(days=reopen_days):
                    ticket._social_reopen()
                else:
                    ticket = Ticket.browse()
            if ticket:
                appended.append((thread.id, mention_ids, ticket.id))
                ticket._social_log_mentions(thread_mentions)
                ticket._social_customer_wrote()
                continue
            # The first mention whose first matching rule asks for a ticket decides.
            mention, rule = None, None
            for candidate in thread_mentions:
                candidate_rule = first_match(candidate)
                if candidate_rule.create_ticket:
                    mention, rule = candidate, candidate_rule
                    break
            if not rule:
                continue
            to_create.append(self._ticket_vals(thread, mention, rule, texts))
            created_for.append((thread.id, mention_ids))
        if appended:
            self._link_tickets(appended)
            self.env["social_crm.thread"].sudo().browse([thread_id for thread_id, _ids, _ticket in appended]).filtered(
                lambda thread: thread.state in ("new", "answered", "closed")
            ).write({"state": "open"})
        if not to_create:
            return {}
        self.env["helpdesk.ticket.team"]._social_auto_assign(to_create)
        tickets = Ticket._social_create(to_create)
        links = [(thread_id, ids, ticket.id) for (thread_id, ids), ticket in zip(created_for, tickets)]
        self._link_tickets(links)
        return {thread_id: ticket_id for thread_id, _ids, ticket_id in links}

    @api.model
    def _create_ticket_by_hand(self, mention):
        """A person opens a ticket for a mention's conversation, whatever the rules say; returns the ticket."""
        thread = mention.thread_id.sudo()
        if thread.ticket_id:
            return thread.ticket_id
        vals = self._ticket_vals(thread, mention.sudo(), self.env["social_crm.ticket.rule"])
        vals["user_id"] = self.env.uid
        ticket = self.env["helpdesk.ticket"].with_context(mail_create_nosubscribe=False).create(vals)
        inbound = thread.mention_ids.filtered(lambda m: m.direction == "inbound" and not m.ticket_id)
        self._link_tickets([(thread.id, inbound.ids, ticket.id)])
        inbound.write({"is_routed": True})
        thread._refresh_stats({thread.id: ticket.id})
        return ticket

    @api.model
    def _link_tickets(self, links):
        """Point mentions at their tickets, [(thread id, mention ids, ticket id)]: one UPDATE for the batch."""
        update_rows(
            self.env["social_crm.mention"],
            [(mention_id, {"ticket_id": ticket_id}) for _thread, ids, ticket_id in links for mention_id in ids],
            ["ticket_id"],
        )
        self.env["helpdesk.ticket"].invalidate_model(["social_mention_ids"])

    @api.model
    def _ticket_team(self, rule, account):
        """The rule's team, else the account's, else the default "Social" team (when it serves this company)."""
        team = rule.team_id
        if team and team.company_id and team.company_id != account.company_id:
            team = team.browse()  # a shared rule never sends a ticket to another company's team
        team = team or account.team_id
        if not team:
            default = self.env.ref("social_crm.helpdesk_team_social", raise_if_not_found=False)
            if default and default.active and default.company_id in (account.company_id, default.company_id.browse()):
                team = default
        return team

    @api.model
    def _ticket_vals(self, thread, mention, rule, texts=None):
        texts = texts or _TicketTexts(self.env)
        account = thread.account_id
        network = texts.network(account)
        if thread.visibility == "private" or mention.visibility == "private":
            # Every helpdesk user reads a ticket's name and description: a private message stays in the
            # conversation, which Social CRM Users and Managers read (record rules).
            name = texts.private_title % {"network": network}
            body = Markup("<p>%s</p>") % texts.private_body
        else:
            name = texts.title % {
                "network": network,
                "title": self.env["social_crm.thread"]._title_from_text(mention.body, 80),
            }
            body = Markup("<p>%s</p>") % _text_html(mention.body)
            if _is_web_link(mention.url):  # the description is stored as composed here: no javascript: links
                body += Markup('<p><a href="%s" target="_blank" rel="noopener">%s</a></p>') % (
                    mention.url,
                    texts.open_on % {"network": network},
                )
        vals = {
            "name": name,
            "description": body,
            "partner_id": thread.partner_id.id or False,
            "partner_name": mention.author_name or mention.author_handle or False,
            "team_id": texts.team_id(rule, account),
            # Explicit: helpdesk_mgmt would otherwise give the ticket to whoever runs the fetch. A team that assigns
            # automatically fills it (helpdesk.ticket.team._social_auto_assign); else it waits unassigned.
            "user_id": False,
            "company_id": account.company_id.id,
            "channel_id": texts.channel_id,
            "priority": rule.priority or "1",
            "social_thread_id": thread.id,
            "social_lang": mention.lang or False,
        }
        tag_ids = texts.tag_ids(rule)
        if tag_ids:  # an empty many2many given to create() still costs it a relation write per ticket
            vals["tag_ids"] = [Command.set(tag_ids)]
        return vals


def _text_html(text):
    """A stranger's text for an HTML field, escaped as Odoo's sanitizer stores text: ``<``, ``>`` and ``&`` only, the
    quotes kept, so a search of the descriptions for "l'article" finds it."""
    return Markup(html.escape(text or "", quote=False))


def _is_web_link(url):
    return bool(url) and url.lower().startswith(("https://", "http://"))


class _TicketTexts:
    """What the tickets of a batch share: translated templates, network labels, the Social channel, each rule's
    team (per account) and tags."""

    def __init__(self, env):
        self.title = env._("%(network)s: %(title)s")
        self.private_title = env._("%(network)s: private message")
        self.private_body = env._("A private message: Social CRM users read it in the conversation of this ticket.")
        self.open_on = env._("Open on %(network)s")
        self.channel_id = env.ref("social_crm.helpdesk_ticket_channel_social").id
        self._env = env
        self._networks = {}
        self._teams = {}
        self._tags = {}

    def team_id(self, rule, account):
        """The ticket team's id (``_ticket_team``), once per rule and account of the batch."""
        key = (rule.id, account.id)
        if key not in self._teams:
            self._teams[key] = self._env["social_crm.ticket.router"]._ticket_team(rule, account).id or False
        return self._teams[key]

    def tag_ids(self, rule):
        if rule.id not in self._tags:
            self._tags[rule.id] = rule.tag_ids.ids
        return list(self._tags[rule.id])

    def network(self, account):
        if account.network not in self._networks:
            self._networks[account.network] = account._network_label()
        return self._networks[account.network]
