# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Sell: which conversations become CRM leads, and how (the lead rules applied to analyzed mentions)."""

from markupsafe import Markup

from odoo import api, models


class SocialCrmLeadRouter(models.AbstractModel):
    """One open lead per conversation: log on it, or open one by the ordered lead rules.

    Called by social_crm's router (``_route_more``) once the analysis of inbound
    mentions is done, beside the ticket rules: a conversation can have a ticket
    and a lead. People can also open a lead or link one by hand.
    """

    _name = "social_crm.lead.router"
    _description = "Social CRM: conversations to CRM leads"

    @api.model
    def _route(self, mentions, again=False):
        """Returns the leads opened, {thread id: lead id}. ``again``: routed before (analysis changed): only
        conversations without an open lead are considered, and nothing is logged twice."""
        mentions = mentions.filtered(lambda m: m.direction == "inbound" and m.thread_id)
        if not mentions:
            return {}
        rules = self.env["social_crm.lead.rule"].sudo().search([])
        first_match = rules._matcher()
        by_thread = {}
        for mention in mentions.sorted(lambda m: (m.posted_at, m.id)):
            by_thread.setdefault(mention.thread_id.sudo(), []).append(mention.id)
        to_create, created_for = [], []
        texts = None
        for thread, mention_ids in by_thread.items():
            thread_mentions = mentions.browse(mention_ids).sudo()
            lead = thread.lead_id
            if lead and lead.active and not lead.stage_id.is_won:
                if not again:
                    lead._social_log_mentions(thread_mentions)
                continue
            mention, rule = rules._first_asking(thread_mentions, first_match, "create_lead")
            if not rule:
                continue
            texts = texts or _LeadTexts(self.env)
            to_create.append(self._lead_vals(thread, mention, rule, texts))
            created_for.append(thread)
        if not to_create:
            return {}
        leads = self._create_leads(to_create)
        links = {thread.id: lead.id for thread, lead in zip(created_for, leads)}
        self._link_leads(links)
        return links

    @api.model
    def _create_leads(self, vals_list):
        Lead = (
            self.env["crm.lead"]
            .sudo()
            .with_context(mail_create_nosubscribe=True, mail_create_nolog=True, default_type=vals_list[0]["type"])
        )
        return Lead.create(vals_list)

    @api.model
    def _link_leads(self, links):
        """Point conversations at their leads, {thread id: lead id}: one UPDATE for the batch."""
        if not links:
            return
        Thread = self.env["social_crm.thread"]
        Thread.flush_model(["lead_id"])
        self.env.cr.execute(
            """
            UPDATE social_crm_thread t SET lead_id = v.lead_id
              FROM unnest(%s::int[], %s::int[]) AS v(thread_id, lead_id)
             WHERE t.id = v.thread_id
            """,
            [list(links), list(links.values())],
        )
        Thread.invalidate_model(["lead_id"])
        self.env["crm.lead"].invalidate_model(["social_thread_ids"])

    @api.model
    def _create_lead_by_hand(self, thread, mention=None, partner=None):
        """A person opens a lead for a conversation, whatever the rules say; returns it (the open one if any)."""
        thread = thread.sudo()
        lead = thread.lead_id
        if lead and lead.active and not lead.stage_id.is_won:
            return lead
        mention = (mention or thread.mention_ids.filtered(lambda m: m.direction == "inbound")[:1]).sudo()
        vals = self._lead_vals(thread, mention, self.env["social_crm.lead.rule"], _LeadTexts(self.env))
        if partner:
            vals["partner_id"] = partner.id
        vals["user_id"] = self.env.uid
        lead = self.env["crm.lead"].with_context(default_type=vals["type"]).create(vals)
        self._link_leads({thread.id: lead.id})
        return lead

    @api.model
    def _lead_team(self, rule, account):
        """The rule's sales team, else the account's; never one of another company."""
        team = rule.crm_team_id
        if team.company_id and team.company_id != account.company_id:
            team = team.browse()
        team = team or account.crm_team_id
        if team.company_id and team.company_id != account.company_id:
            team = team.browse()
        return team

    @api.model
    def _lead_vals(self, thread, mention, rule, texts):
        account = thread.account_id
        network = texts.network(account)
        identity = thread.identity_id
        body = Markup("<p>%s</p>") % (mention.body or "")
        if mention.url:
            body += Markup('<p><a href="%s" target="_blank" rel="noopener">%s</a></p>') % (
                mention.url,
                texts.open_on % {"network": network},
            )
        if not thread.partner_id and identity:
            body += Markup("<p>%s</p>") % (
                texts.who % {"name": identity.name or "", "handle": identity.handle or "", "network": network}
            )
        return {
            "name": texts.title
            % {"network": network, "title": self.env["social_crm.thread"]._title_from_text(mention.body, 80)},
            "type": texts.lead_type,
            "description": body,
            "partner_id": thread.partner_id.id or False,
            "contact_name": (identity.name or identity.handle or False) if not thread.partner_id else False,
            "website": (identity.profile_url or False) if not thread.partner_id else False,
            "team_id": self._lead_team(rule, account).id or False,
            "user_id": rule.user_id.id or False,
            "company_id": account.company_id.id,
            "tag_ids": [(6, 0, rule.tag_ids.ids)],
            "source_id": texts.source(network).id,
            "medium_id": texts.medium.id,
            "campaign_id": texts.campaign(thread).id or False,
            "social_thread_id": thread.id,
        }


class _LeadTexts:
    """What every lead of a batch shares: translated templates, network labels, UTM source and medium."""

    def __init__(self, env):
        self.env = env
        self.title = env._("%(network)s: %(title)s")
        self.open_on = env._("Open on %(network)s")
        self.who = env._("Written by %(name)s (%(handle)s on %(network)s).")
        uses_leads = env.ref("crm.group_use_lead") in env.ref("base.group_user").trans_implied_ids
        self.lead_type = "lead" if uses_leads else "opportunity"
        self._networks, self._sources = {}, {}
        self._medium = None

    def network(self, account):
        if account.network not in self._networks:
            self._networks[account.network] = account._network_label()
        return self._networks[account.network]

    def source(self, name):
        """The UTM source named after the network ("Bluesky", "LINE", ...), created on demand."""
        if name not in self._sources:
            Source = self.env["utm.source"].sudo()
            self._sources[name] = Source.search([("name", "=", name)], limit=1) or Source.create({"name": name})
        return self._sources[name]

    @property
    def medium(self):
        """The UTM medium "Social" (names are unique), created on demand: it stays when the bridge goes."""
        if self._medium is None:
            Medium = self.env["utm.medium"].sudo()
            self._medium = Medium.search([("name", "=", "Social")], limit=1) or Medium.create({"name": "Social"})
        return self._medium

    def campaign(self, thread):
        """The campaign of the brand's published post this conversation answers, if any."""
        result = (
            self.env["social_crm.post.result"]
            .sudo()
            .search([("account_id", "=", thread.account_id.id), ("external_id", "=", thread.root_external_id)], limit=1)
        )
        return result.post_id.campaign_id
