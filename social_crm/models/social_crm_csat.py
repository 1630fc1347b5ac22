# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Customer satisfaction asked on the channel of a private conversation when its social ticket is closed.

Closing the ticket queues one survey (unique per ticket: never asked twice); a cron sends it with the
network's own buttons (LINE quick replies, Telegram inline keyboard, Messenger and Instagram quick
replies). The customer's press comes back by webhook; ``_take_answer`` recognizes it before the event is
read as a message and records the answer here, with the ticket's network, team and agent for the reports.

Where the network has no buttons (WhatsApp), the question goes as a text with a short link
(``/social_crm/csat/<token>``, ``controllers/csat.py``) to a public page: a score from 1 to 5 and a
comment, recorded on the same survey. The token is random (``secrets``), stored only as its SHA-256, valid
for ``LINK_VALID_DAYS`` days and for one answer.
"""

import hashlib
import logging
import secrets
import threading
import uuid
from datetime import timedelta

from markupsafe import Markup

from odoo import SUPERUSER_ID, api, fields, models

from ..connectors import errors as api_errors
from ..connectors import get_client_class
from ..connectors.messaging import survey_payload
from ..connectors.utils import clean_text
from .selections import NETWORKS

_logger = logging.getLogger(__name__)

ANSWERS = [("good", "Good"), ("ok", "OK"), ("bad", "Bad")]
SATISFIED = {"good": 100.0, "ok": 0.0, "bad": 0.0}  # CSAT: the share of "good" answers
STATES = [("queued", "To ask"), ("sent", "Asked"), ("answered", "Answered"), ("failed", "Not sent")]
SEND_BATCH = 50
LINK_VALID_DAYS = 7
LINK_PATH = "/social_crm/csat/"
COMMENT_MAX = 2000
SCORES = [("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5")]
ASKED_BY = [("buttons", "Buttons"), ("link", "Link")]


def score_answer(score):
    """The Good / OK / Bad of a score from 1 to 5 (4 and 5 are satisfied, as a CSAT counts them)."""
    return "good" if score >= 4 else "ok" if score == 3 else "bad"


def link_digest(token):
    return hashlib.sha256((token or "").encode()).hexdigest()


def can_ask(network):
    """Whether the network's client asks: with buttons, else with a link sent as a private message."""
    client_class = get_client_class(network)
    return bool(client_class.survey_buttons or getattr(client_class, "receives_messages", False))


class SocialCrmCsat(models.Model):
    _name = "social_crm.csat"
    _description = "Social Customer Satisfaction"
    _order = "id desc"
    _rec_name = "ticket_id"
    _check_company_auto = True

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, index=True, ondelete="cascade", readonly=True)
    thread_id = fields.Many2one(
        "social_crm.thread", string="Conversation", required=True, index=True, ondelete="cascade", readonly=True
    )
    account_id = fields.Many2one(
        "social_crm.account", required=True, index=True, ondelete="cascade", readonly=True, check_company=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    network = fields.Selection(NETWORKS, readonly=True)
    team_id = fields.Many2one("helpdesk.ticket.team", string="Team", index="btree_not_null", readonly=True)
    user_id = fields.Many2one("res.users", string="Agent", index="btree_not_null", readonly=True)
    token = fields.Char(required=True, readonly=True, copy=False, groups="base.group_system")
    state = fields.Selection(STATES, default="queued", required=True, readonly=True, index=True)
    sent_at = fields.Datetime(string="Asked on", readonly=True)
    answer = fields.Selection(ANSWERS, readonly=True)
    answered_at = fields.Datetime(string="Answered on", readonly=True)
    satisfied = fields.Float(
        string="Satisfied (%)",
        aggregator="avg",
        readonly=True,
        help="100 for a Good answer, 0 for OK or Bad, empty while unanswered: its average is the CSAT.",
    )
    error = fields.Text(readonly=True)
    asked_by = fields.Selection(ASKED_BY, string="Asked with", readonly=True)
    score = fields.Integer(
        string="Score (1-5)",
        aggregator="avg",
        readonly=True,
        help="Given on the survey page (link); empty for buttons.",
    )
    comment = fields.Text(string="Customer's comment", readonly=True)
    link_token_hash = fields.Char(readonly=True, copy=False, index="btree_not_null", groups="base.group_system")
    link_expires_at = fields.Datetime(string="Link valid until", readonly=True)

    _sql_constraints = [
        ("ticket_uniq", "unique(ticket_id)", "A ticket's customer is asked about it once."),
        ("token_uniq", "unique(token)", "A survey token is unique."),
        ("link_token_hash_uniq", "unique(link_token_hash)", "A survey link is unique."),
    ]

    # ------------------------------------------------------------------
    # ASK
    # ------------------------------------------------------------------

    @api.model
    def _queue_for_tickets(self, tickets):
        """Queue one survey per closed social ticket of a private conversation whose account asks for it.

        Called whoever closes the ticket: checks their access to the tickets, then writes as superuser.
        """
        tickets.check_access("write")
        tickets = tickets.sudo().filtered(
            lambda t: (
                t.stage_id.closed
                and t.social_thread_id.visibility == "private"
                and t.social_thread_id.account_id.csat_enabled
                and can_ask(t.social_thread_id.account_id.network)
            )
        )
        if not tickets:
            return self.browse()
        asked = set(self.sudo().search([("ticket_id", "in", tickets.ids)]).ticket_id.ids)
        vals_list = [
            {
                "ticket_id": ticket.id,
                "thread_id": ticket.social_thread_id.id,
                "account_id": ticket.social_thread_id.account_id.id,
                "company_id": ticket.company_id.id,
                "network": ticket.social_thread_id.network,
                "team_id": ticket.team_id.id,
                "user_id": ticket.user_id.id,
                "token": secrets.token_hex(8),
            }
            for ticket in tickets
            if ticket.id not in asked
        ]
        created = self.sudo().create(vals_list)
        if created:
            self.env.ref("social_crm.ir_cron_send_csat")._trigger()
        return created

    @api.model
    def _cron_send(self, limit=SEND_BATCH):
        """Send the queued surveys, a bounded batch per run, each committed on its own."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        self.flush_model(["state"])
        self.env.cr.execute(
            "SELECT id FROM social_crm_csat WHERE state = 'queued' ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
            [limit],
        )
        surveys = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
        done = 0
        for survey in surveys:
            survey._send()
            done += 1
            if auto_commit:
                self.env["ir.cron"]._notify_progress(done=done, remaining=len(surveys) - done)
                self.env.cr.commit()  # pylint: disable=invalid-commit
        if len(surveys) == limit:
            self.env.ref("social_crm.ir_cron_send_csat")._trigger()
        return surveys

    def _customer_lang(self):
        """The installed language of the conversation's detected language, else the current one."""
        self.ensure_one()
        code = (self.ticket_id.social_lang or "").split("-")[0].lower()
        langs = self.env["res.lang"].get_installed()
        lang = next((key for key, _name in langs if key.split("_")[0].lower() == code), None)
        return lang or self.env.lang or "en_US"

    def _question(self):
        """The question and its buttons, in the customer's language when it is installed."""
        self.ensure_one()
        env = self.with_context(lang=self._customer_lang()).env
        question = env._("Your request is closed. How did we do?")
        labels = {"good": env._("😀 Good"), "ok": env._("😐 OK"), "bad": env._("🙁 Bad")}
        return question, [(survey_payload(self.token, key), labels[key]) for key, _label in ANSWERS]

    def _send(self):
        """Ask once: whatever happens, the survey leaves the queue (sent, or failed with the reason)."""
        self.ensure_one()
        thread = self.thread_id
        last = self.env["social_crm.mention"].search(
            [("thread_id", "=", thread.id), ("direction", "=", "inbound")], order="posted_at desc, id desc", limit=1
        )
        context = dict(last.external_data or {})
        context["retry_key"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.env.cr.dbname}/social_crm.csat/{self.id}"))
        question, choices = self._question()
        client = self.account_id._get_client()
        link_vals = {}
        try:
            if client.survey_buttons:
                client.send_survey(question, choices, thread.identity_id.external_id, context)
            else:
                token, link_vals = self._new_link()
                client.send(self._link_text(token), thread.identity_id.external_id, context)
        except (api_errors.SocialApiError, ValueError) as exc:
            _logger.info("social_crm: satisfaction survey %s not sent: %s", self.id, exc)
            self.write({"state": "failed", "error": str(exc)})
            return False
        self.write(
            {
                "state": "sent",
                "sent_at": fields.Datetime.now(),
                "error": False,
                "asked_by": "link" if link_vals else "buttons",
                **link_vals,
            }
        )
        self.ticket_id.message_post(
            body=self.env._("Satisfaction survey sent to the customer on %(network)s.", network=self._network_label()),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def _new_link(self):
        """A new random token and what is stored of it (its hash and expiry: the token itself is only sent)."""
        token = secrets.token_urlsafe(18)
        expires = fields.Datetime.now() + timedelta(days=LINK_VALID_DAYS)
        return token, {"link_token_hash": link_digest(token), "link_expires_at": expires}

    def _link_text(self, token):
        """The question with its link, in the customer's language."""
        env = self.with_context(lang=self._customer_lang()).env
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/")
        link = base + LINK_PATH + token
        return env._("Your request is closed. How did we do? Tell us in one click: %(link)s", link=link)

    @api.model
    def _from_link(self, token):
        """The survey of a link's token (as superuser: the page is public), or an empty recordset."""
        if not token or len(token) > 64:
            return self.browse()
        return self.sudo().search([("link_token_hash", "=", link_digest(token))], limit=1)

    def _link_state(self):
        """What the survey page shows: ``open``, ``answered`` or ``expired`` (unknown tokens never get here)."""
        self.ensure_one()
        if self.state == "answered":
            return "answered"
        if self.state != "sent" or not self.link_expires_at or self.link_expires_at < fields.Datetime.now():
            return "expired"
        return "open"

    def _answer_by_link(self, score, comment):
        """Record the page's answer once; returns the page's state after it (``thanks`` when recorded)."""
        self.ensure_one()
        survey = self.with_user(SUPERUSER_ID)  # the page is public: the note on the ticket comes from the system
        survey.env.cr.execute("SELECT id FROM social_crm_csat WHERE id = %s FOR UPDATE", [survey.id])
        survey.invalidate_recordset(["state"])
        state = survey._link_state()
        if state != "open":
            return state
        if score not in range(1, 6):
            return "invalid"
        comment = clean_text(comment or "")[:COMMENT_MAX].strip()
        survey._record(score_answer(score), score=score, comment=comment)
        return "thanks"

    def _network_label(self):
        return dict(self._fields["network"]._description_selection(self.env)).get(self.network, self.network or "")

    # ------------------------------------------------------------------
    # ANSWER
    # ------------------------------------------------------------------

    @api.model
    def _take_answer(self, account, event):
        """If the stored webhook ``event`` is a survey button pressed, record it and mark the event done.

        Only the customer of the conversation asked answers, once; anything else is ignored with a word.
        Returns whether the event was a survey answer (then it is not read as a message).
        """
        client_class = get_client_class(account.network)
        pressed = client_class.read_survey_answer(event.payload)
        if not pressed:
            return False
        survey = self.sudo().search([("token", "=", pressed.token), ("account_id", "=", account.id)], limit=1)
        if not survey:
            outcome = self.env._("Ignored: an answer to an unknown satisfaction survey")
        elif survey.thread_id.identity_id.external_id != pressed.user_id:
            outcome = self.env._("Ignored: a satisfaction answer from someone else than the customer asked")
        elif pressed.answer not in SATISFIED:
            outcome = self.env._("Ignored: an unknown satisfaction answer")
        elif survey.state == "answered":
            outcome = self.env._("Ignored: the satisfaction survey was already answered")
        else:
            survey._record(pressed.answer)
            outcome = self.env._("Satisfaction answer recorded: %(answer)s", answer=survey._answer_label())
        if pressed.callback_id:
            try:
                account._get_client().answer_callback(pressed.callback_id, self.env._("Thank you!"))
            except api_errors.SocialApiError as exc:
                _logger.info("social_crm: callback %s not acknowledged: %s", pressed.callback_id, exc)
        event.write({"state": "done", "error": False, "outcome": outcome, "attempts": event.attempts + 1})
        return True

    def _record(self, answer, score=None, comment=None):
        self.ensure_one()
        vals = {"state": "answered", "answer": answer, "answered_at": fields.Datetime.now()}
        if score:  # buttons give no score: the column stays empty, out of the average
            vals.update(score=score, comment=comment or False)
        self.write(vals)
        # Empty (NULL) until answered, so that the average counts answers only. Written in SQL: the ORM skips
        # a write of 0.0 over an empty column as "unchanged", and a Bad answer would stay NULL, out of the CSAT.
        self.flush_recordset(["answer"])
        self.env.cr.execute("UPDATE social_crm_csat SET satisfied = %s WHERE id = %s", [SATISFIED[answer], self.id])
        self.invalidate_recordset(["satisfied"])
        rating = self._answer_label()
        if score:
            rating = self.env._("%(answer)s (%(score)s/5)", answer=rating, score=score)
        body = Markup("%s <b>%s</b>") % (self.env._("The customer rated this ticket:"), rating)
        if comment:
            body += Markup("<br/><i>%s</i>") % comment
        self.ticket_id.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _answer_label(self):
        return dict(self._fields["answer"]._description_selection(self.env)).get(self.answer, "")
