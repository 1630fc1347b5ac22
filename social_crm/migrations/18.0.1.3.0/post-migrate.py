# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.3.0.

* The managers' values become each company's own: the alert sensitivity, reopening, matching threshold,
  response target and retention were system parameters, one value for the whole database. Each value set
  there is copied to every company (``res.company.social_crm_*``), then the parameter is deleted; a value
  that cannot be read leaves the companies at the default, with a warning.
* Spike detection lives on ``social_crm.alert``: the cron (``noupdate``) is pointed at it.
"""

import logging

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# system parameter -> (res.company column, type)
PARAMETERS = {
    "social_crm.spike_factor": ("social_crm_spike_factor", float),
    "social_crm.spike_min_count": ("social_crm_spike_min_count", int),
    "social_crm.spike_window_minutes": ("social_crm_spike_window_minutes", int),
    "social_crm.ticket_reopen_days": ("social_crm_ticket_reopen_days", int),
    "social_crm.match_threshold": ("social_crm_match_threshold", float),
    "social_crm.response_target_hours": ("social_crm_response_target_hours", float),
}
RETENTION_PARAMETER = "social_crm.retention_days"


def migrate(cr, version):
    if not version:
        return
    parameters_to_companies(cr)
    point_spike_cron_at_alerts(api.Environment(cr, SUPERUSER_ID, {}))


def _number(raw, kind):
    number = float(str(raw).strip())
    if kind is int:
        if not number.is_integer():
            raise ValueError(raw)
        return int(number)
    return number


def parameters_to_companies(cr):
    keys = [*PARAMETERS, RETENTION_PARAMETER]
    cr.execute("SELECT key, value FROM ir_config_parameter WHERE key IN %s", [tuple(keys)])
    stored = dict(cr.fetchall())
    for key, (column, kind) in PARAMETERS.items():
        if key not in stored:
            continue
        try:
            value = _number(stored[key], kind)
        except ValueError:
            _logger.warning("social_crm: parameter %s=%r is not a number; companies keep the default", key, stored[key])
            continue
        cr.execute(SQL("UPDATE res_company SET %s = %s", SQL.identifier(column), value))
    if RETENTION_PARAMETER in stored:
        try:
            days = max(_number(stored[RETENTION_PARAMETER], int), 0)
        except ValueError:
            # empty or not a number: the data was kept forever, and still is
            _logger.info("social_crm: retention parameter %r read as keep forever", stored[RETENTION_PARAMETER])
        else:
            cr.execute(
                "UPDATE res_company SET social_crm_retention_limited = TRUE, social_crm_retention_days = %s", [days]
            )
    cr.execute("DELETE FROM ir_config_parameter WHERE key IN %s", [tuple(keys)])


def point_spike_cron_at_alerts(env):
    cron = env.ref("social_crm.ir_cron_detect_spikes", raise_if_not_found=False)
    if cron:
        cron.write({"model_id": env["ir.model"]._get_id("social_crm.alert"), "code": "model._cron_detect_spikes()"})
