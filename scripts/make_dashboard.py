"""Write social_crm/data/files/social_crm_dashboard.json: the Social CRM spreadsheet dashboard.

Odoo charts over the addon's own reports; regenerate after changing a report.
"""

import json
import os
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "social_crm", "data", "files", "social_crm_dashboard.json")
INBOUND = [["direction", "=", "inbound"]]
ANSWERED = [["state", "=", "answered"]]

CHARTS = [
    # title, type, model, group by, measure, domain, (x, y, width, height)
    # counts stack honestly; mentions not analyzed yet are left out rather than drawn as a "None" line at 0
    (
        "Mentions per week by sentiment",
        "odoo_bar",
        "social_crm.mention",
        ["posted_at:week", "sentiment"],
        "__count",
        INBOUND + [["sentiment", "!=", False]],
        (0, 190, 620, 300),
    ),
    ("Mentions by network", "odoo_pie", "social_crm.mention", ["network"], "__count", INBOUND, (640, 190, 380, 300)),
    ("Mentions by language", "odoo_bar", "social_crm.mention", ["lang"], "__count", INBOUND, (0, 510, 500, 300)),
    ("Mentions by intent", "odoo_bar", "social_crm.mention", ["intent"], "__count", INBOUND, (520, 510, 500, 300)),
    # counts, never averages drawn as if they added up: a week without mentions is a true 0
    (
        "Negative mentions per week and account",
        "odoo_line",
        "social_crm.mention",
        ["posted_at:week", "account_id"],
        "__count",
        INBOUND + [["sentiment", "=", "negative"]],
        (0, 830, 1020, 300),
    ),
    # tickets counted by how they were answered: no 0-hour bar for a team that has not answered yet
    (
        "Social tickets by team and response",
        "odoo_bar",
        "social_crm.response.report",
        ["team_id", "response_status"],
        "ticket_count",
        [],
        (0, 1150, 500, 300),
    ),
    (
        "Social tickets by agent and response",
        "odoo_bar",
        "social_crm.response.report",
        ["user_id", "response_status"],
        "ticket_count",
        [],
        (520, 1150, 500, 300),
    ),
    ("Top voices", "odoo_bar", "social_crm.voice.report", ["identity_id"], "mention_count", [], (0, 1470, 500, 300)),
    (
        "Share of voice per week",
        "odoo_line",
        "social_crm.share.report",
        ["posted_at:week", "brand"],
        "mention_count",
        [],
        (520, 1470, 500, 300),
    ),
    # satisfaction asked on the channel: answered surveys only, so no bar stands for "no answer"
    *(
        (
            f"Satisfied customers (%) by {by}",
            "odoo_bar",
            "social_crm.csat",
            [field],
            "satisfied",
            ANSWERED,
            (x, 1790, 500, 300),
        )
        for by, field, x in (("network", "network", 0), ("agent", "user_id", 520))
    ),
]


# Global filters of the dashboard, and the field of each model they filter on.
PERIOD_FILTER = "0e7f1605-7b81-5354-b938-83c41c245af7"
ACCOUNT_FILTER = "48883966-a0bb-5771-95a4-d6bd86ff146a"
FILTERS = [
    {
        "id": PERIOD_FILTER,
        "type": "date",
        "label": "Period",
        "defaultValue": "last_three_months",
        "rangeType": "relative",
    },
    {
        "id": ACCOUNT_FILTER,
        "type": "relation",
        "label": "Account",
        "modelName": "social_crm.account",
        "defaultValue": [],
        "defaultValueDisplayNames": [],
    },
]
MATCHING = {
    # model: (date field or None, account field or None)
    "social_crm.mention": ("posted_at", "account_id"),
    "social_crm.response.report": ("create_date", "account_id"),
    "social_crm.share.report": ("posted_at", "account_id"),
    "social_crm.voice.report": (None, None),
    "social_crm.csat": ("answered_at", "account_id"),
    "helpdesk.ticket": (None, "social_account_id"),
}


def field_matching(model):
    date_field, account_field = MATCHING[model]
    matching = {}
    if date_field:
        matching[PERIOD_FILTER] = {"chain": date_field, "type": "datetime", "offset": 0}
    if account_field:
        matching[ACCOUNT_FILTER] = {"chain": account_field, "type": "many2one"}
    return matching


# KPI tiles: title, pivot model, measure, domain, cell of the value on the Data sheet, format
KPIS = [
    ("Mentions", "social_crm.mention", "__count", INBOUND, "B2", None),
    (
        "Negative mentions",
        "social_crm.mention",
        "__count",
        INBOUND + [["sentiment", "=", "negative"]],
        "B3",
        None,
    ),
    (
        "Open social tickets",
        "helpdesk.ticket",
        "__count",
        [["social_thread_id", "!=", False], ["stage_id.closed", "=", False]],
        "B4",
        None,
    ),
    ("Median first response (hours)", "social_crm.response.report", "median_response_hours", [], "B5", None),
]


def kpi_pivots():
    pivots = {}
    for index, (title, model, measure, domain, _cell, _format) in enumerate(KPIS, start=1):
        pivots[str(index)] = {
            "type": "ODOO",
            "fieldMatching": field_matching(model),
            "context": {},
            "domain": domain,
            "id": str(index),
            "measures": [{"id": measure, "fieldName": measure}],
            "model": model,
            "name": title,
            "sortedColumn": None,
            "formulaId": str(index),
            "columns": [],
            "rows": [],
        }
    return pivots


def data_sheet():
    cells = {"A1": {"content": "KPI"}, "B1": {"content": "Value"}}
    for index, (title, _model, measure, _domain, cell, _format) in enumerate(KPIS, start=1):
        row = cell[1:]
        cells[f"A{row}"] = {"content": title}
        cells[cell] = {"content": f'=PIVOT.VALUE({index},"{measure}")'}
    cells["A6"] = {"content": "Negative (%)"}
    cells["B6"] = {"content": '=ROUND(100*IFERROR(PIVOT.VALUE(2,"__count")/PIVOT.VALUE(1,"__count"),0),1)'}
    return sheet("social_crm_dashboard_data", "Data", 4, 10, cells, cols={"0": {"size": 260}}, grid_lines=True)


def sheet(sheet_id, name, col_number, row_number, cells, figures=(), cols=None, grid_lines=False):
    """A spreadsheet sheet: its cells and figures, nothing else (no styles, merges or tables of its own)."""
    return {
        "id": sheet_id,
        "name": name,
        "colNumber": col_number,
        "rowNumber": row_number,
        "rows": {},
        "cols": cols or {},
        "merges": [],
        "cells": cells,
        "styles": {},
        "formats": {},
        "borders": {},
        "conditionalFormats": [],
        "figures": list(figures),
        "tables": [],
        "areGridLinesVisible": grid_lines,
        "isVisible": True,
        "headerGroups": {"ROW": [], "COL": []},
        "dataValidationRules": [],
        "comments": {},
    }


def dashboard_sheet(sheet_id, title, tiles, charts):
    """The sheet people see: a title in A1, the KPI tiles in a row, the charts below."""
    cells = {"A1": {"content": title, "style": 1}}
    figures = [tile(i, *t) for i, t in enumerate(tiles)] + [figure(*chart) for chart in charts]
    return sheet(sheet_id, "Dashboard", 12, 80, cells, figures)


TILES = [
    # title, key value cell, colour
    ("Mentions", "Data!B2", "#EFF6FF"),
    ("Negative (%)", "Data!B6", "#FDECEC"),
    ("Open social tickets", "Data!B4", "#F3F4F6"),
    ("Median first response (hours)", "Data!B5", "#ECFDF3"),
]


def tile(index, title, key_value, background):
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, "social_crm/tile/" + title)),
        "x": index * 255,
        "y": 40,
        "width": 240,
        "height": 110,
        "tag": "chart",
        "data": {
            "type": "scorecard",
            "title": {"text": title, "bold": True, "color": "#434343"},
            "background": background,
            "keyValue": key_value,
            "baselineMode": "text",
            "baselineColorDown": "#DC6965",
            "baselineColorUp": "#00A04A",
            "humanize": False,
        },
    }


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
        "fieldMatching": field_matching(model),
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
    title = "Social CRM: listening, sentiment and response"
    dashboard = dashboard_sheet("social_crm_dashboard", title, TILES, CHARTS)
    spreadsheet = {
        "version": 21,
        "sheets": [dashboard, data_sheet()],
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
        "pivots": kpi_pivots(),
        "pivotNextId": len(KPIS) + 1,
        "customTableStyles": {},
        "odooVersion": 12,
        "globalFilters": FILTERS,
        "lists": {},
        "listNextId": 1,
        "chartOdooMenusReferences": {},
    }
    write(OUT, spreadsheet, TILES, CHARTS)


def write(out, spreadsheet, tiles, charts):
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(spreadsheet, handle, indent=1)
    print(f"wrote {out} with {len(tiles)} KPI tiles and {len(charts)} charts")


if __name__ == "__main__":
    main()
