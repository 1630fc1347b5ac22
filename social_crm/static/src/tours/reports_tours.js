/** @odoo-module **/
import { registry } from "@web/core/registry";

// The first right-to-left page of a database builds its assets with rtlcss: give it time.
const RTL_ASSETS_TIMEOUT = 60000; // the most a tour step may wait

function assertNotCut(selector) {
    return {
        content: `Not cut: ${selector}`,
        trigger: selector,
        run() {
            for (const cell of document.querySelectorAll(selector)) {
                if (cell.scrollWidth > cell.clientWidth + 1) {
                    throw new Error(`"${cell.textContent}" is cut (${cell.scrollWidth} > ${cell.clientWidth})`);
                }
            }
        },
    };
}

registry.category("web_tour.tours").add("social_crm_reports_rtl_mentions_tour", {
    steps: () => [
        {
            content: "The page is right-to-left in Persian",
            trigger: "html[dir='rtl'] body.o_rtl .o_list_view .o_data_row",
            timeout: RTL_ASSETS_TIMEOUT,
        },
        {
            content: "A Persian post keeps its right-to-left direction",
            trigger: ".o_data_row .o_social_crm_text[dir='rtl']:contains('سفارشم')",
        },
        {
            content: "An English post stays left-to-right, its punctuation at the end",
            trigger: ".o_data_row .o_social_crm_text[dir='ltr']:contains('Where is my order?')",
        },
        assertNotCut(".o_data_row td.o_data_cell[name='network']"),
    ],
});

registry.category("web_tour.tours").add("social_crm_reports_rtl_contact_tour", {
    steps: () => [
        {
            content: "Open the Social tab of the contact (Persian)",
            trigger: "html[dir='rtl'] .o_notebook .nav-link:contains('اجتماعی')",
            timeout: RTL_ASSETS_TIMEOUT,
            run: "click",
        },
        {
            content: "The mixed Persian/English post is shown right-to-left",
            trigger: ".o_notebook .tab-pane.active .o_social_crm_text[dir='rtl']:contains('سفارشم')",
        },
        {
            content: "Identities can be unlinked, not deleted",
            trigger: ".o_notebook .tab-pane.active button[name='action_unlink_contact']",
        },
        {
            content: "No trash icon on the identity rows",
            trigger: ".o_notebook .tab-pane.active .o_field_one2many:not(:has(.o_list_record_remove))",
        },
        {
            content: "No trend from a single week",
            trigger: ".o_notebook .tab-pane.active div[name='social_trend_missing']",
        },
    ],
});

registry.category("web_tour.tours").add("social_crm_reports_rtl_dashboard_tour", {
    steps: () => [
        {
            content: "Open the Social CRM dashboard (Persian)",
            trigger: "html[dir='rtl'] .o_search_panel_category_value .o_dashboard_name:contains('CRM')",
            timeout: RTL_ASSETS_TIMEOUT,
            run: "click",
        },
        {
            content: "Its KPI tiles and charts are drawn",
            trigger: "html[dir='rtl'] .o-spreadsheet .o-figure canvas",
            timeout: RTL_ASSETS_TIMEOUT,
        },
    ],
});

registry.category("web_tour.tours").add("social_crm_reports_thai_tour", {
    steps: () => [
        {
            content: "The mentions list in Thai, left-to-right",
            trigger: "html:not([dir='rtl']) .o_breadcrumb:contains('การกล่าวถึง')",
        },
        {
            content: "The Thai post is shown left-to-right",
            trigger: ".o_data_row .o_social_crm_text[dir='ltr']:contains('ยังไม่ได้รับ')",
        },
        {
            content: "The Persian post still reads right-to-left in a Thai interface",
            trigger: ".o_data_row .o_social_crm_text[dir='rtl']:contains('سفارشم')",
        },
        assertNotCut(".o_data_row td.o_data_cell[name='network']"),
    ],
});

registry.category("web_tour.tours").add("social_crm_reports_response_tour", {
    steps: () => [
        {
            content: "A ticket still waiting within its target is open, not missed",
            trigger: ".o_list_view .o_data_row .o_field_badge:contains('Waiting, within target')",
        },
        {
            content: "and has no response time (no 00:00)",
            trigger:
                ".o_data_row:has(.o_field_badge:contains('Waiting, within target')) td[name='first_response_hours']:not(:contains('00:00'))",
        },
        {
            content: "Networks show their names",
            trigger: ".o_data_row td[name='network']:contains('Bluesky')",
        },
    ],
});

registry.category("web_tour.tours").add("social_crm_reports_pivot_tour", {
    steps: () => [
        {
            content: "The mention pivot counts mentions by default",
            trigger: ".o_pivot .o_pivot_measure_row:contains('Count')",
        },
    ],
});

registry.category("web_tour.tours").add("social_crm_digest_preview_tour", {
    steps: () => [
        {
            content: "Preview the weekly digest from Settings",
            trigger: ".o_setting_box button[name='action_social_crm_preview_digest']",
            run: "click",
        },
        {
            content: "The digest opens in a dialog with its figures and links",
            trigger: ".modal .o_social_crm_digest .o_digest_count",
        },
        {
            content: "Links lead back into Odoo",
            trigger: ".modal .o_social_crm_digest a[href*='/odoo/action-social_crm.social_crm_mention_action']",
        },
        {
            content: "Send me a test",
            trigger: ".modal button[name='action_send_test']",
            run: "click",
        },
        {
            content: "The test was sent to me",
            trigger: ".o_notification:contains('admin@acme.example')",
        },
    ],
});

registry.category("web_tour.tours").add("social_crm_reports_graph_tour", {
    steps: () => [
        {
            content: "Mentions over time, by sentiment: negative red, neutral grey, positive green",
            trigger: ".o_graph_renderer canvas",
            run() {
                const chart = window.Chart.getChart(document.querySelector(".o_graph_renderer canvas"));
                const colors = Object.fromEntries(
                    chart.data.datasets.map((dataset) => [dataset.label, dataset.borderColor])
                );
                const expected = { Negative: "#dc3545", Neutral: "#9ca3af" };
                for (const [label, color] of Object.entries(expected)) {
                    if (colors[label] !== color) {
                        throw new Error(`${label} is drawn in ${colors[label]}, not ${color}`);
                    }
                }
            },
        },
    ],
});

registry.category("web_tour.tours").add("social_crm_reports_voices_tour", {
    steps: () => [
        {
            content: "Top Voices say when their figures were computed",
            trigger: ".o_list_view th[data-name='refreshed_at']",
        },
        {
            content: "and can be refreshed now",
            trigger: ".o_list_view button[name='action_refresh']",
            run: "click",
        },
        {
            content: "The list is reloaded with the voices",
            trigger: ".o_list_view .o_data_row td[name='identity_id']",
        },
    ],
});
