/** @odoo-module **/
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("social_crm_private_answer_tour", {
    steps: () => [
        {
            content: "The customer's LINE message is on the ticket",
            trigger: ".o_notebook .tab-pane.active .o_social_chat .o_social_msg_customer:contains('ยังไม่ได้รับเลย')",
        },
        {
            content: "Reply",
            trigger: ".o_social_reply_box button[name='action_social_reply']",
            run: "click",
        },
        {
            content: "The composer says it is sent at once: a private answer needs no approval",
            trigger: ".modal .o_social_approval_note:contains('Sent at once')",
        },
        {
            content: "Write the answer",
            trigger: ".modal .o_field_widget[name='body'] textarea",
            run: "edit ได้รับแล้วครับ พัสดุจะถึงพรุ่งนี้",
        },
        {
            content: "One click posts it",
            trigger: ".modal .modal-footer button[name='action_submit']:contains('Post reply')",
            run: "click",
        },
        {
            content: "The answer is in the conversation as sent to LINE, not waiting for anyone",
            trigger: "body:not(:has(.modal)) .o_social_chat .o_social_msg_brand:contains('พัสดุจะถึงพรุ่งนี้'):not(:has(.o_social_state))",
        },
    ],
});
