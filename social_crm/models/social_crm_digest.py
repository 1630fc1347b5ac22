# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import _, api, fields, models


class SocialCrmDigest(models.AbstractModel):
    """The weekly digest mailed to Social Managers (switch: setting ``social_crm.weekly_digest``)."""

    _name = "social_crm.digest"
    _description = "Social CRM Weekly Digest"

    @api.model
    def _figures(self, company, end=None):
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
        [(response_hours,)] = (
            self.env["social_crm.thread"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "=", company.id),
                    ("first_response_at", ">=", this_start),
                    ("first_response_at", "<", end),
                ],
                [],
                ["first_response_hours:avg"],
            )
        )
        [(tickets, in_target, resolution_hours)] = (
            self.env["social_crm.response.report"]
            .sudo()
            ._read_group(
                [("company_id", "=", company.id), ("create_date", ">=", this_start), ("create_date", "<", end)],
                [],
                ["__count", "answered_in_target:avg", "resolution_hours:avg"],
            )
        )
        target = self.env["social_crm.params"].get_float("social_crm.response_target_hours")
        labels = dict(self.env["social_crm.account"]._fields["network"]._description_selection(self.env))
        return {
            "company": company,
            "start": this_start,
            "end": end,
            "current": current,
            "previous": previous,
            "change": current["count"] - previous["count"],
            "networks": [(labels.get(network, network), count) for network, count in networks],
            "issues": issues,
            "response_hours": round(response_hours or 0.0, 1),
            "tickets": tickets,
            "in_target": round(in_target or 0.0),
            "target_hours": target,
            "resolution_hours": round(resolution_hours or 0.0, 1),
        }

    @api.model
    def _cron_send_weekly_digest(self):
        if not self.env["social_crm.params"].get_bool("social_crm.weekly_digest"):
            return 0
        managers = self.env.ref("social_crm.group_social_manager").users.filtered(
            lambda user: not user.share and user.email
        )
        sent = 0
        for company in managers.company_ids:
            recipients = managers.filtered(lambda user, c=company: c in user.company_ids)
            figures = self._figures(company)
            body = self.env["ir.qweb"]._render("social_crm.weekly_digest_body", figures)
            self.env["mail.mail"].sudo().create(
                {
                    "subject": _("Social CRM weekly digest: %(company)s", company=company.name),
                    "body_html": body,
                    "email_to": ",".join(recipients.mapped("email_formatted")),
                    "auto_delete": True,
                }
            )
            sent += 1
        return sent
