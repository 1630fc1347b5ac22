/** @odoo-module **/
import { registry } from "@web/core/registry";

const THAI_POST = "ร้านใหม่เปิดแล้วที่เชียงใหม่ ลด 20% ทุกชิ้น";

registry.category("web_tour.tours").add("social_crm_publish_tour", {
    steps: () => {
        // In five minutes: still to come when the manager approves it, and in this month's calendar.
        const when = luxon.DateTime.now().plus({ minutes: 5 }).toFormat("MM/dd/yyyy HH:mm:ss");
        return [
            {
                content: "Write the post in Thai",
                trigger: ".o_form_view .o_field_widget[name='body'] textarea",
                run: `edit ${THAI_POST}`,
            },
            {
                content: "Choose the Mastodon account",
                trigger: ".o_form_view .o_field_widget[name='account_ids'] input",
                run: "edit Acme Mastodon",
            },
            {
                content: "Pick it in the list",
                trigger: ".o-autocomplete--dropdown-item:contains('Acme Mastodon (publishing)')",
                run: "click",
            },
            {
                content: "Publish it in a few minutes",
                trigger: ".o_form_view .o_field_widget[name='scheduled_at'] input",
                run: `edit ${when}`,
            },
            {
                content: "Leave the date field",
                trigger: ".o_form_view .o_field_widget[name='link'] input",
                run: "click",
            },
            {
                content: "The Mastodon preview shows the Thai text",
                trigger: `.o_social_crm_preview[data-network='mastodon']:contains('${THAI_POST}')`,
            },
            {
                content: "Its counter counts as Mastodon counts (code points) against 500",
                trigger: ".o_social_crm_preview[data-network='mastodon'] .o_social_crm_counter:contains('43 / 500')",
            },
            {
                content: "Submit it for approval",
                trigger: ".o_form_statusbar button[name='action_submit']",
                run: "click",
            },
            {
                content: "It waits for a manager",
                trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Waiting for approval')",
            },
        ];
    },
});

registry.category("web_tour.tours").add("social_crm_publish_approve_tour", {
    steps: () => [
        {
            content: "The calendar shows the post waiting for approval",
            trigger: ".o_calendar_view .fc-event:contains('ร้านใหม่เปิดแล้ว')",
            run: "click",
        },
        {
            content: "Open it from the calendar",
            trigger: ".o_cw_popover .o_cw_popover_edit",
            run: "click",
        },
        {
            content: "Approve it",
            trigger: ".o_form_statusbar button[name='action_approve']",
            run: "click",
        },
        {
            content: "It is scheduled",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Scheduled')",
        },
    ],
});
