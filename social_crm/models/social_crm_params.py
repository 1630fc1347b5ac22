# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Typed reading and writing of the addon's system parameters.

Odoo's ``config_parameter`` settings delete a parameter set to ``False`` or
``0``, so code reading it with a default cannot tell "switched off" from
"never set". Values here are stored explicitly ("False", "0", "0.0") and a
missing parameter alone falls back to the default: zero and off are kept.
"""

import logging

from odoo import api, models
from odoo.tools import str2bool

from .selections import PARAMETER_DEFAULTS as DEFAULTS

_logger = logging.getLogger(__name__)


def _to_int(text):
    number = float(text)
    if not number.is_integer():
        raise ValueError(text)
    return int(number)


class SocialCrmParams(models.AbstractModel):
    _name = "social_crm.params"
    _description = "Social CRM Parameters"

    @api.model
    def _get_typed(self, key, convert, default):
        if default is None:
            default = DEFAULTS.get(key)
        raw = self.env["ir.config_parameter"].sudo().get_param(key)
        if raw is False or raw is None or not str(raw).strip():
            return default
        try:
            return convert(str(raw).strip())
        except ValueError:
            _logger.warning("social_crm: system parameter %s=%r is not valid; using %r", key, raw, default)
            return default

    @api.model
    def get_bool(self, key, default=None):
        """The boolean stored under ``key``; ``default`` (or the addon's) only when nothing is stored."""
        return self._get_typed(key, str2bool, default)

    @api.model
    def get_int(self, key, default=None):
        """The integer stored under ``key``, 0 included; ``default`` only when nothing is stored."""
        return self._get_typed(key, _to_int, default)

    @api.model
    def get_float(self, key, default=None):
        """The number stored under ``key``, 0 included; ``default`` only when nothing is stored."""
        return self._get_typed(key, float, default)

    @api.model
    def set_value(self, key, value):
        """Store ``value`` explicitly, ``False`` and ``0`` included (Odoo's settings would delete them)."""
        if isinstance(value, bool):
            text = "True" if value else "False"
        elif isinstance(value, float):
            text = repr(value)
        else:
            text = str(value)
        params = self.env["ir.config_parameter"].sudo()
        if params.get_param(key) != text:
            params.set_param(key, text)
