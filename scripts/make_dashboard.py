"""Write social_crm/data/files/social_crm_dashboard.json: the Social CRM spreadsheet dashboard.

Odoo charts over the addon's own reports; regenerate after changing a report.
"""

import json
import os
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "social_crm", "data", "files", "social_crm_dashboard.json")
INBOUND = [["direction", "=", "inbound"]]

CHARTS = [
    # title, type, model, group by, measure, domain, (x, y, width, height)
    (
        "Mentions per day by sentiment",
        "odoo_line",
        "social_crm.mention",
        ["posted_at:day", "sentiment"],
        "__count",
        INBOUND,
        (0, 40, 620, 300),
    ),
    ("Mentions by network", "odoo_pie", "social_crm.mention", ["network"], "__count", INBOUND, (640, 40, 380, 300)),
    ("Mentions by language", "odoo_bar", "social_crm.mention", ["lang"], "__count", INBOUND, (0, 360, 500, 300)),
    ("Mentions by intent", "odoo_bar", "social_crm.mention", ["intent"], "__count", INBOUND, (520, 360, 500, 300)),
    (
        "Average sentiment per week and account",
        "odoo_line",
        "social_crm.mention",
        ["posted_at:week", "account_id"],
        "sentiment_score",
        INBOUND,
        (0, 680, 1020, 300),
    ),
    (
        "First response (hours) by team",
        "odoo_bar",
        "social_crm.response.report",
        ["team_id"],
        "first_response_hours",
        [],
        (0, 1000, 500, 300),
    ),
    (
        "Answered within target (%) by agent",
        "odoo_bar",
        "social_crm.response.report",
        ["user_id"],
        "answered_in_target",
        [],
        (520, 1000, 500, 300),
    ),
    ("Top voices", "odoo_bar", "social_crm.voice.report", ["identity_id"], "mention_count", [], (0, 1320, 500, 300)),
    (
        "Share of voice per week",
        "odoo_line",
        "social_crm.share.report",
        ["posted_at:week", "brand"],
        "mention_count",
        [],
        (520, 1320, 500, 300),
    ),
]


def figure(title, chart_type, model, group_by, measure, domain, box):
    x, y, width, height = box
    data = {
        "title": {"text": title, "bold": True, "color": "#434343"},
        "background": "#FFFFFF",
        "legendPosition": "top" if len(group_by) > 1 or chart_type == "odoo_pie" else "none",
        "metaData": {
            "groupBy": group_by,
            "measure": measure,
            "order": None,
            "resModel": model,
            "mode": chart_type.split("_")[1],
        },
        "searchParams": {"comparison": None, "context": {}, "domain": domain, "groupBy": group_by, "orderBy": []},
        "type": chart_type,
        "verticalAxisPosition": "left",
        "fieldMatching": {},
    }
    if chart_type != "odoo_pie":
        data["stacked"] = chart_type == "odoo_bar" and len(group_by) > 1
    if chart_type == "odoo_line":
        data["cumulative"] = False
        data["fillArea"] = False
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, "social_crm/" + title)),
        "x": x,
        "y": y,
        "width": width,
        "height": height,
        "tag": "chart",
        "data": data,
    }


def main():
    sheet = {
        "id": "social_crm_dashboard",
        "name": "Dashboard",
        "colNumber": 12,
        "rowNumber": 80,
        "rows": {},
        "cols": {},
        "merges": [],
        "cells": {"A1": {"content": "Social CRM: listening, sentiment and response", "style": 1}},
        "styles": {},
        "formats": {},
        "borders": {},
        "conditionalFormats": [],
        "figures": [figure(*chart) for chart in CHARTS],
        "tables": [],
        "areGridLinesVisible": False,
        "isVisible": True,
        "headerGroups": {"ROW": [], "COL": []},
        "dataValidationRules": [],
        "comments": {},
    }
    spreadsheet = {
        "version": 21,
        "sheets": [sheet],
        "styles": {"1": {"bold": True, "fontSize": 16}},
        "formats": {},
        "borders": {},
        "revisionId": "START_REVISION",
        "uniqueFigureIds": True,
        "settings": {
            "locale": {
                "name": "English (US)",
                "code": "en_US",
                "thousandsSeparator": ",",
                "decimalSeparator": ".",
                "dateFormat": "m/d/yyyy",
                "timeFormat": "hh:mm:ss a",
                "formulaArgSeparator": ",",
                "weekStart": 7,
            }
        },
        "pivots": {},
        "pivotNextId": 1,
        "customTableStyles": {},
        "odooVersion": 12,
        "globalFilters": [],
        "lists": {},
        "listNextId": 1,
        "chartOdooMenusReferences": {},
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as handle:
        json.dump(spreadsheet, handle, indent=1)
    print(f"wrote {OUT} with {len(CHARTS)} charts")


if __name__ == "__main__":
    main()
