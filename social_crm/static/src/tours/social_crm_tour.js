/** @odoo-module **/
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("social_crm_contact_tour", {
    steps: () => [
        {
            content: "The contact shows its social smart button",
            trigger: ".o_form_view .oe_stat_button:contains('Social')",
        },
        {
            content: "Open the Social tab",
            trigger: ".o_notebook .nav-link:contains('Social')",
            run: "click",
        },
        {
            content: "The customer's Thai mention is listed with its sentiment",
            trigger: ".o_notebook .tab-pane.active .o_data_row:contains('ยังไม่ได้รับ')",
        },
        {
            content: "Their identity is listed too",
            trigger: ".o_notebook .tab-pane.active .o_data_cell:contains('somchai.test')",
        },
    ],
});

registry.category("web_tour.tours").add("social_crm_ticket_tour", {
    steps: () => [
        {
            content: "The ticket offers to reply on the network",
            trigger: ".o_form_view .o_form_statusbar button[name='action_social_reply']",
        },
        {
            content: "The ticket opens on the conversation, the customer's post on the left",
            trigger: ".o_notebook .tab-pane.active .o_social_chat .o_social_msg_customer:contains('ยังไม่ได้รับ')",
        },
        {
            content: "Open the reply composer",
            trigger: ".o_form_statusbar button[name='action_social_reply']",
            run: "click",
        },
        {
            content: "The composer quotes the customer",
            trigger: ".modal .o_form_view:contains('Customer wrote')",
        },
        {
            content: "Write a reply",
            trigger: ".modal .o_field_widget[name='body'] textarea",
            run: "edit ขออภัยครับ กำลังตรวจสอบให้",
        },
        {
            content: "Leave the text field so the counter updates",
            trigger: ".modal .o_field_widget[name='template_id'] input",
            run: "click",
        },
        {
            content: "The length counter follows, in Bluesky's graphemes (26 code points, 21 graphemes)",
            trigger: ".modal .o_field_widget[name='char_count']:contains('21')",
        },
        {
            content: "Discard",
            trigger: ".modal button:contains('Discard')",
            run: "click",
        },
        {
            content: "Back on the ticket",
            trigger: "body:not(:has(.modal))",
        },
    ],
});

registry.category("web_tour.tours").add("social_crm_dashboard_tour", {
    steps: () => [
        {
            content: "Open the Social CRM dashboard",
            trigger: ".o_search_panel_category_value .o_dashboard_name:contains('Social CRM')",
            run: "click",
        },
        {
            content: "Its charts are drawn",
            trigger: ".o-spreadsheet .o-figure canvas",
        },
    ],
});
