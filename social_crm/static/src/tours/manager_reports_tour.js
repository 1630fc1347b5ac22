/** @odoo-module **/
import { registry } from "@web/core/registry";

// Every Social CRM report, in each of its views, then grouped, as a Social Manager: a report that
// crashes (an error dialog, a failed RPC) fails the tour.
const REPORTS = [
    ["social_crm_mention_analysis_menu", "Mention Analysis", ["graph", "pivot", "list"]],
    ["social_crm_trend_menu", "Sentiment Trend", ["graph", "pivot", "list"]],
    ["social_crm_response_report_menu", "Response Times", ["pivot", "graph", "list"]],
    ["social_crm_voice_report_menu", "Top Voices", ["list", "graph"]],
    ["social_crm_share_report_menu", "Share of Voice", ["graph", "pivot"]],
    ["social_crm_csat_menu", "Satisfaction", ["pivot", "graph", "list"]],
];

const DRAWN = {
    list: ".o_list_view .o_list_table",
    pivot: ".o_pivot_view .o_pivot table",
    graph: ".o_graph_view .o_graph_renderer canvas",
};

const NO_ERROR = {
    content: "No error dialog",
    trigger: "body:not(:has(.o_error_dialog)):not(:has(.o_dialog .modal-title:contains('Error')))",
};

function openReport(menu, title) {
    return [
        {
            content: "Open Reporting",
            trigger: "button[data-menu-xmlid='social_crm.social_crm_menu_reporting']",
            run: "click",
        },
        {
            content: `Open ${menu}`,
            trigger: `.o-dropdown--menu a[data-menu-xmlid='social_crm.${menu}']`,
            run: "click",
        },
        {
            content: `${title} is open`,
            trigger: `.o_control_panel .o_breadcrumb .active:contains('${title}')`,
        },
    ];
}

function showEachView(menu, views, grouped) {
    const steps = [];
    for (const view of views) {
        steps.push(
            {
                content: `${menu}: ${view} view${grouped ? " (grouped)" : ""}`,
                trigger: `.o_control_panel .o_switch_view.o_${view}`,
                run: "click",
            },
            {
                content: `${menu}: the ${view} view is drawn`,
                trigger: `.o_action_manager ${DRAWN[view]}`,
            },
            NO_ERROR
        );
    }
    return steps;
}

function groupByFirstOption(menu) {
    return [
        {
            content: `${menu}: open the search options`,
            trigger: ".o_control_panel .o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: `${menu}: group by the first grouping offered`,
            trigger: ".o_group_by_menu .o_menu_item:first",
            run: "click",
        },
        {
            content: `${menu}: the grouping is applied`,
            trigger: ".o_searchview_facet .fa-layer-group, .o_searchview_facet .oi-group",
        },
        {
            content: `${menu}: close the search options`,
            trigger: ".o_control_panel .o_searchview_dropdown_toggler",
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("social_crm_manager_reports_tour", {
    steps: () => {
        const steps = [];
        for (const [menu, title, views] of REPORTS) {
            steps.push(...openReport(menu, title));
            steps.push(...showEachView(menu, views, false));
            steps.push(...groupByFirstOption(menu));
            steps.push(...showEachView(menu, views, true));
        }
        return steps;
    },
});

registry.category("web_tour.tours").add("social_crm_manager_dashboard_tour", {
    steps: () => [
        {
            content: "Open the Social CRM dashboard",
            trigger: ".o_search_panel_category_value .o_dashboard_name:contains('Social CRM')",
            run: "click",
        },
        {
            content: "Its KPI tiles and charts are drawn",
            trigger: ".o-spreadsheet .o-figure canvas",
            timeout: 30000,
        },
        NO_ERROR,
    ],
});

registry.category("web_tour.tours").add("social_crm_post_calendar_tour", {
    steps: () => [
        {
            content: "The post waiting for approval is on the calendar, with its network",
            trigger: ".o_calendar_view .fc-event:contains('Spring sale') .o_social_crm_networks i[data-network='bluesky']",
        },
        {
            content: "The failed post is on the calendar too",
            trigger: ".o_calendar_view .fc-event:contains('Broken link')",
        },
        {
            content: "The side list keeps the post not scheduled yet",
            trigger: ".o_social_crm_side_unscheduled .o_social_crm_side_post:contains('Idea for later')",
        },
        {
            content: "and the failed one",
            trigger: ".o_social_crm_side_failed .o_social_crm_side_post:contains('Broken link')",
        },
        {
            content: "Open the post waiting for approval",
            trigger: ".o_calendar_view .fc-event:contains('Spring sale')",
            run: "click",
        },
        {
            content: "Its popover shows the network and accounts, no raw label, no made-up duration",
            trigger:
                ".o_cw_popover:has(.o_social_crm_popover_networks i[data-network='bluesky']):contains('Test brand on Bluesky'):not(:contains('Display Name')):not(:contains('hour'))",
        },
        {
            content: "Approve it from the popover",
            trigger: ".o_cw_popover .o_social_crm_popover_approve",
            run: "click",
        },
        {
            content: "The popover closes",
            trigger: "body:not(:has(.o_cw_popover))",
        },
        {
            content: "The calendar shows it scheduled",
            trigger: ".o_calendar_sidebar .o_calendar_filter_item[data-value='scheduled']",
        },
        {
            content: "Open it again",
            trigger: ".o_calendar_view .fc-event:contains('Spring sale')",
            run: "click",
        },
        {
            content: "Approved: nothing left to approve",
            trigger: ".o_cw_popover:not(:has(.o_social_crm_popover_approve)) .o_cw_popover_edit",
        },
    ],
});
