# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools.text_direction import text_direction

MANAGER_GROUP = "social_crm.group_social_manager"


class SocialCrmDigest(models.AbstractModel):
    """The weekly digest mailed to Social Managers (switches: setting ``social_crm.weekly_digest``
    for the database, ``res.company.social_crm_weekly_digest`` for each company).

    Rendered for each recipient in their own language, from the company's address, with links back
    into Odoo. Figures of response times come from ``social_crm.response.report``: the digest, the
    report and the dashboard share one definition of first response.
    """

    _name = "social_crm.digest"
    _description = "Social CRM Weekly Digest"

    @api.model
    def _figures(self, company, end=None, counts=None):
        """The digest's figures for ``company``, labelled in the language of the environment.

        ``counts`` (from ``_counts``) lets the weekly cron count once per company, then label per recipient.
        """
        counts = counts or self._counts(company, end)
        network_labels = dict(self.env["social_crm.account"]._fields["network"]._description_selection(self.env))
        state_labels = dict(self.env["social_crm.thread"]._fields["state"]._description_selection(self.env))
        return {
            **counts,
            "networks": [(network_labels.get(network, network), count) for network, count in counts["networks"]],
            "issue_lines": [
                dict(line, state=state_labels.get(line["state"], line["state"])) for line in counts["issue_lines"]
            ],
        }

    @api.model
    def _counts(self, company, end=None):
        """What the digest says about ``company``, in no language: the queries, done once per company."""
        end = end or fields.Datetime.now()
        this_start, last_start = end - timedelta(days=7), end - timedelta(days=14)
        Mention = self.env["social_crm.mention"].sudo()
        base = [("company_id", "=", company.id), ("direction", "=", "inbound")]

        def week(start, stop):
            domain = base + [("posted_at", ">=", start), ("posted_at", "<", stop)]
            [(count, score)] = Mention._read_group(domain, [], ["__count", "sentiment_score:avg"])
            negative = Mention.search_count(domain + [("sentiment", "=", "negative")])
            return {"count": count, "sentiment": round(score or 0.0, 2), "negative": negative}

        current, previous = week(this_start, end), week(last_start, this_start)
        networks = Mention._read_group(
            base + [("posted_at", ">=", this_start), ("posted_at", "<", end)],
            ["network"],
            ["__count"],
            order="__count desc",
            limit=5,
        )
        issues = (
            self.env["social_crm.thread"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("last_mention_at", ">=", this_start),
                    ("last_mention_at", "<", end),
                    ("sentiment", "=", "negative"),
                    ("visibility", "=", "public"),  # a private conversation's title is its customer's words
                ],
                order="mention_count desc, last_mention_at desc",
                limit=5,
            )
        )
        return {
            "company": company,
            "start": this_start,
            "end": end,
            "current": current,
            "previous": previous,
            "change": current["count"] - previous["count"],
            "networks": networks,
            "issues": issues,
            "issue_lines": [
                {
                    "name": thread.name,
                    "posts": thread.mention_count,
                    "state": thread.state,
                    "url": self._link(f"/odoo/social_crm.thread/{thread.id}"),
                    "dir": text_direction(thread.mention_ids[:1].lang),
                }
                for thread in issues
            ],
            "links": self._links(),
            **self._response_figures(company, this_start, end),
            **self._csat_figures(company, this_start, end),
            **self._extra_figures(company, this_start, end),
        }

    @api.model
    def _extra_figures(self, company, start, end):
        """Extension point: more values for the digest's template (the CRM bridge adds sales from social)."""
        return {}

    @api.model
    def _csat_figures(self, company, start, end):
        """Satisfaction answered this week: CSAT (share of Good answers) overall and per network, team, agent."""
        Csat = self.env["social_crm.csat"].sudo()
        domain = [("company_id", "=", company.id), ("answered_at", ">=", start), ("answered_at", "<", end)]
        [(answers, csat)] = Csat._read_group(domain, [], ["__count", "satisfied:avg"])
        lines = []
        kinds = {"network": self.env._("Network"), "team_id": self.env._("Team"), "user_id": self.env._("Agent")}
        for dimension in ("network", "team_id", "user_id"):
            for group, count, share in Csat._read_group(domain, [dimension], ["__count", "satisfied:avg"]):
                if dimension == "network":
                    label = dict(Csat._fields["network"]._description_selection(self.env)).get(group, group)
                else:
                    label = group.display_name if group else self.env._("Unassigned")
                lines.append({"kind": kinds[dimension], "label": label, "answers": count, "csat": round(share or 0.0)})
        return {"csat_answers": answers, "csat": round(csat or 0.0) if answers else None, "csat_lines": lines}

    @api.model
    def _response_figures(self, company, start, end):
        """Response times of the week, read from the response report (the one definition of first response)."""
        Report = self.env["social_crm.response.report"].sudo()
        [(answered, average, median)] = Report._read_group(
            [
                ("company_id", "=", company.id),
                ("first_response_at", ">=", start),
                ("first_response_at", "<", end),
            ],
            [],
            ["__count", "first_response_hours:avg", "median_response_hours:avg"],
        )
        [(tickets, in_target, resolution_hours)] = Report._read_group(
            [("company_id", "=", company.id), ("create_date", ">=", start), ("create_date", "<", end)],
            [],
            ["__count", "answered_in_target:avg", "resolution_hours:avg"],
        )
        return {
            "answered": answered,
            "response_hours": round(average or 0.0, 1) if answered else None,
            "median_response_hours": round(median or 0.0, 1) if answered else None,
            "tickets": tickets,
            # no figure while every ticket of the week is still within its target (NULL average: False)
            "in_target": None if in_target is None or in_target is False else round(in_target),
            "target_hours": company.social_crm_response_target_hours,
            "resolution_hours": round(resolution_hours or 0.0, 1),
        }

    @api.model
    def _link(self, path):
        return self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/") + path

    @api.model
    def _links(self):
        return {
            "mentions": self._link("/odoo/action-social_crm.social_crm_mention_action"),
            "negative": self._link("/odoo/action-social_crm.social_crm_mention_action_analysis"),
            "tickets": self._link("/odoo/action-social_crm.helpdesk_ticket_action_social"),
            "response": self._link("/odoo/action-social_crm.social_crm_response_report_action"),
            "csat": self._link("/odoo/action-social_crm.social_crm_csat_action"),
            "alerts": self._link("/odoo/action-social_crm.social_crm_alert_action"),
        }

    @api.model
    def _render(self, company, end=None, counts=None):
        """The digest's HTML in the language of the environment."""
        figures = self._figures(company, end=end, counts=counts)
        return self.env["ir.qweb"]._render("social_crm.weekly_digest_body", figures)

    @api.model
    def _check_manager(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only Social CRM Managers see the weekly digest."))

    @api.model
    def _mail_values(self, company, partner, end=None, counts=None):
        """One mail for one recipient, written in their language, sent from the company's address."""
        digest = self.with_context(lang=partner.lang or self.env.lang)
        return {
            "subject": digest.env._("Social CRM weekly digest: %(company)s", company=company.name),
            "body_html": digest._render(company, end=end, counts=counts),
            "email_from": company.email_formatted or company.partner_id.email_formatted or False,
            "recipient_ids": [(6, 0, partner.ids)],
            "auto_delete": True,
        }

    @api.model
    def _preview_action(self, company):
        """The digest of ``company`` as the current manager would receive it, in a dialog."""
        preview = self.env["social_crm.digest.preview"].create({"company_id": company.id})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Weekly digest"),
            "res_model": "social_crm.digest.preview",
            "res_id": preview.id,
            "view_mode": "form",
            "target": "new",
        }

    @api.model
    def action_send_test(self):
        """*Send me a test*: the digest of the current company, to the current user only."""
        self._check_manager()
        user = self.env.user
        if not user.email:
            raise UserError(_("Your user has no email address: add one in your preferences to receive the test."))
        vals = dict(self._mail_values(self.env.company, user.partner_id), auto_delete=False)
        self.env["mail.mail"].sudo().create(vals).send()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("The weekly digest was sent to %(email)s.", email=user.email),
                "sticky": False,
            },
        }

    @api.model
    def _cron_send_weekly_digest(self):
        if not self.env["social_crm.params"].get_bool("social_crm.weekly_digest"):
            return 0
        managers = self.env.ref(MANAGER_GROUP).users.filtered(lambda user: not user.share and user.email)
        vals_list = []
        for company in managers.company_ids.filtered("social_crm_weekly_digest"):
            counts = self._counts(company)  # once per company, whatever the number of managers
            for manager in managers.filtered(lambda user, c=company: c in user.company_ids):
                vals_list.append(self._mail_values(company, manager.partner_id, counts=counts))
        self.env["mail.mail"].sudo().create(vals_list)
        return len(vals_list)
