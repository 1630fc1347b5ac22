"""Write social_crm_lead/data/files/social_crm_lead_dashboard.json: the *Sales from Social* dashboard.

The bridge's own dashboard, beside Social CRM's in the Dashboards app, over ``social_crm.lead.report`` (the one
definition of the business figures). Built with the pieces of ``make_dashboard.py``; regenerate after changing
the report.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_dashboard as base  # noqa: E402  (a sibling script, not a package)

MODEL = "social_crm.lead.report"
OUT = os.path.join(base.ROOT, "social_crm_lead", "data", "files", "social_crm_lead_dashboard.json")
LEADS = [["kind", "=", "lead"]]
base.MATCHING[MODEL] = ("date", "account_id")

base.KPIS[:] = [
    ("Leads from social", MODEL, "lead_count", LEADS, "B2", None),
    ("Won", MODEL, "won_count", LEADS, "B3", None),
    ("Won revenue", MODEL, "won_revenue", LEADS, "B4", None),
    ("Cost saved", MODEL, "cost_saved", [["kind", "=", "conversation"]], "B5", None),
]
TILES = [
    ("Leads from social", "Data!B2", "#EFF6FF"),
    ("Conversion (%)", "Data!B6", "#ECFDF3"),
    ("Won revenue", "Data!B4", "#FEF9C3"),
    ("Cost saved", "Data!B5", "#F3F4F6"),
]
CHARTS = [
    ("Won revenue by network", "odoo_bar", MODEL, ["network"], "won_revenue", LEADS, (0, 190, 500, 300)),
    (
        "Leads from social per week",
        "odoo_bar",
        MODEL,
        ["date:week", "network"],
        "lead_count",
        LEADS,
        (520, 190, 500, 300),
    ),
    ("Leads by sales team", "odoo_pie", MODEL, ["team_id"], "lead_count", LEADS, (0, 510, 500, 300)),
    (
        "Resolved on social per week",
        "odoo_bar",
        MODEL,
        ["date:week", "network"],
        "answered_count",
        [["kind", "=", "conversation"]],
        (520, 510, 500, 300),
    ),
]


def main():
    data = base.data_sheet()
    data["id"] = "social_crm_lead_dashboard_data"
    data["cells"]["A6"] = {"content": "Conversion (%)"}
    data["cells"]["B6"] = {"content": '=ROUND(100*IFERROR(PIVOT.VALUE(2,"won_count")/PIVOT.VALUE(1,"lead_count"),0),1)'}
    title = "Sales from social: leads, revenue and cost saved"
    dashboard = base.dashboard_sheet("social_crm_lead_dashboard", title, TILES, CHARTS)
    with open(base.OUT, encoding="utf-8") as handle:
        spreadsheet = json.load(handle)  # the same settings, filters and version as Social CRM's dashboard
    spreadsheet.update({"sheets": [dashboard, data], "pivots": base.kpi_pivots(), "pivotNextId": len(base.KPIS) + 1})
    base.write(OUT, spreadsheet, TILES, CHARTS)


if __name__ == "__main__":
    main()
