# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from odoo import fields, models

from ..connectors import errors as api_errors

_logger = logging.getLogger(__name__)

# A record left in "posting" this long lost its worker: its outcome is unknown.
POSTING_STALE_AFTER = timedelta(minutes=10)


class SocialCrmOutgoingMixin(models.AbstractModel):
    """Something sent to a network once: claim -> send -> record the success or the failure.

    The claim is one compare-and-set UPDATE (``_claim_states`` -> ``posting``, plus the model's
    ``_claim_condition()``), committed before the network call when ``auto_commit``: a crash after the call
    leaves "posting", never a record that looks unsent. A failure is *unknown* only when the request may have
    reached the network (lost answer, timeout after sending, crash): then nothing is sent again before a person
    or a lookup settles it. A request that never left (DNS, refused connection, TLS failure) is a plain failure.

    A model sets ``_outgoing_error_field`` and implements ``_outgoing_send()`` (returns the network's
    ``Item``), ``_record_posted(item, auto_commit)`` and ``_record_failure(exc, unknown)``.
    """

    _name = "social_crm.outgoing.mixin"
    _description = "Social CRM: sent to a network once"

    _claim_states = ()
    _posting_stale_after = POSTING_STALE_AFTER
    _outgoing_error_field = "error_message"

    outcome_unknown = fields.Boolean(
        readonly=True,
        copy=False,
        help="The network did not say whether it received this: Odoo (or a manager) checks before sending again.",
    )
    posting_started_at = fields.Datetime(readonly=True, copy=False)

    def _outcome_is_unknown(self):
        self.ensure_one()
        stale = self.state == "posting" and (
            not self.posting_started_at or self.posting_started_at < fields.Datetime.now() - self._posting_stale_after
        )
        return self.outcome_unknown or stale

    def _claim_condition(self):
        """Extra SQL condition of the claim (a trusted constant of the model, never user input)."""
        return "TRUE"

    def _claim(self):
        """Move the record to "posting" if, and only if, nobody else does (one compare-and-set UPDATE)."""
        self.ensure_one()
        self.flush_recordset()
        error = self._outgoing_error_field
        # Table, column and condition are the model's own constants; the values are parameters.
        query = f"""
            UPDATE {self._table}
               SET state = 'posting', posting_started_at = now() AT TIME ZONE 'UTC', {error} = NULL
             WHERE id = %s
               AND state IN %s
               AND NOT coalesce(outcome_unknown, false)
               AND ({self._claim_condition()})
         RETURNING id
        """
        self.env.cr.execute(query, [self.id, tuple(self._claim_states)])
        claimed = bool(self.env.cr.fetchone())
        self.invalidate_recordset(["state", "posting_started_at", error])
        return claimed

    def _send_once(self, auto_commit=False):
        """Claim, send, record. None: not claimed (someone else sends it, or it changed); else True/False."""
        self.ensure_one()
        if not self._claim():
            return None
        if auto_commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        try:
            item = self._outgoing_send()
        except (api_errors.SocialApiError, ValueError) as exc:
            unknown = self._failure_is_unknown(exc)
            _logger.warning(
                "social_crm: %s %s: %s: %s", self._name, self.id, "outcome unknown" if unknown else "failed", exc
            )
            self._record_failure(exc, unknown=unknown)
            return False
        except Exception as exc:
            _logger.exception("social_crm: %s %s crashed while sending", self._name, self.id)
            self._record_failure(exc, unknown=True)
            return False
        self._record_posted(item, auto_commit=auto_commit)
        return True

    @staticmethod
    def _failure_is_unknown(exc):
        """Only a request that may have reached the network leaves its outcome unknown."""
        if isinstance(exc, api_errors.ConnectionFailed):
            return not exc.never_reached
        return not isinstance(exc, (api_errors.SocialApiError, ValueError))

    def _outgoing_send(self):
        raise NotImplementedError

    def _record_posted(self, item, auto_commit=False):
        raise NotImplementedError

    def _record_failure(self, exc, unknown=False):
        raise NotImplementedError
