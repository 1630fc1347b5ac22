/** @odoo-module **/
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("social_crm_lead_reply_tour", {
    steps: () => [
        {
            content: "The lead opens on the customer's conversation, as a chat",
            trigger: ".o_notebook .tab-pane.active .o_social_chat .o_social_msg_customer:contains('ยังมีของไหมคะ')",
        },
        {
            content: "The conversation is one click away",
            trigger: "button[name='action_social_open_thread'].oe_stat_button",
        },
        {
            content: "The salesperson answers from the lead",
            trigger: ".o_social_reply_box button[name='action_social_reply']",
            run: "click",
        },
        {
            content: "The composer quotes the customer's message",
            trigger: ".modal .o_form_view:contains('Customer wrote'):contains('อยากสั่ง')",
        },
        {
            content: "Write the answer",
            trigger: ".modal .o_field_widget[name='body'] textarea",
            run: "edit มีค่ะ สั่งได้ทางแชทเลยนะคะ",
        },
        {
            content: "It goes to a manager for approval, like every reply",
            trigger: ".modal .modal-footer button[name='action_submit']:contains('Send for approval')",
            run: "click",
        },
        {
            content: "The salesperson is told",
            trigger: ".o_notification:contains('Sent for approval')",
        },
        {
            content: "The pending reply shows in the conversation on the lead",
            trigger: "body:not(:has(.modal)) .o_social_chat .o_social_msg_brand:contains('สั่งได้ทางแชท') .o_social_state:contains('Waiting for approval')",
        },
        {
            content: "and a smart button counts it",
            trigger: "button[name='action_social_pending_replies'].oe_stat_button:contains('1')",
        },
    ],
});
