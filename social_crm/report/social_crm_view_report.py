# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models, tools
from odoo.tools import SQL


class SocialCrmViewReportMixin(models.AbstractModel):
    """A report read from a SQL view (``_create_view``) whose ``_median_fields`` are grouped as true medians
    (their field's ``aggregator`` stays ``avg`` for the views that only show the value)."""

    _name = "social_crm.view.report.mixin"
    _description = "Social CRM: a report read from a SQL view"

    _median_fields = ()

    def _create_view(self, select):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), SQL(select)))

    def _read_group_select(self, aggregate_spec, query):
        field_name = aggregate_spec.split(":")[0]
        if field_name in self._median_fields:
            column = self._field_to_sql(self._table, field_name, query)
            return SQL("percentile_cont(0.5) WITHIN GROUP (ORDER BY %s)", column)
        return super()._read_group_select(aggregate_spec, query)
