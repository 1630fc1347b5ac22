# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The satisfaction page of networks without buttons: ``/social_crm/csat/<token>`` (sent in the question).

Public (the customer has no account), CSRF-protected POST, one answer per link; the page shows the company's
name and the question, nothing of the ticket. Unknown links and links past their validity get a page that
says so, in the conversation's language when it is installed.
"""

from odoo import http
from odoo.http import request

LINK_ROUTE = "/social_crm/csat/<string:token>"
# page state -> HTTP status
STATUSES = {"unknown": 404, "expired": 410, "invalid": 400, "refused": 409}


class SocialCrmCsatPage(http.Controller):
    @http.route(LINK_ROUTE, type="http", auth="public", methods=["GET", "POST"], sitemap=False)
    def csat_page(self, token, **post):
        survey = request.env["social_crm.csat"]._from_link(token)
        if not survey:
            return self._render(survey, "unknown")
        request.update_context(lang=survey._customer_lang())
        state = survey._link_state()
        if request.httprequest.method == "POST":
            if state == "open":
                try:
                    score = int(post.get("score") or 0)
                except ValueError:
                    score = 0
                state = survey._answer_by_link(score, post.get("comment"))
            elif state == "answered":
                state = "refused"  # a second answer: the first one stays
        return self._render(survey, state, token)

    def _render(self, survey, state, token=""):
        lang = request.env["res.lang"]._lang_get(request.env.lang or "en_US")
        values = {
            "state": state,
            "token": token,
            "company_name": survey.company_id.name if survey else "",
            "html_data": {
                "lang": (request.env.lang or "en_US").replace("_", "-"),
                "dir": lang.direction if lang else "ltr",
            },
            "title": request.env._("How did we do?"),
            "no_header": True,
            "no_footer": True,
        }
        return request.render("social_crm.csat_page", values, status=STATUSES.get(state, 200))
