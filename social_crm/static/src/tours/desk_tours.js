/** @odoo-module **/
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("social_crm_desk_manual_ticket_tour", {
    steps: () => [
        {
            content: "The machine saw nothing to answer: the agent opens a ticket by hand",
            trigger: ".o_form_view .o_form_statusbar button[name='action_create_ticket']",
            run: "click",
        },
        {
            content: "The ticket opens on the conversation, the customer's post as a chat message",
            trigger: ".o_notebook .tab-pane.active .o_social_chat .o_social_msg_customer:contains('unacceptable')",
        },
        {
            content: "Hostile text is shown as text: no image, no script, no right-to-left override obeyed",
            trigger: "body:not(.o_pwned) .o_social_chat:not(:has(img)) .o_social_text:contains('<img src=x'):contains('[U+202E]evil')",
        },
        {
            content: "It shows the machine's guess, the language by its name and a link to the post",
            trigger: ".o_social_msg_customer:has(.o_social_sentiment:contains('Neutral')):has(.o_social_lang:contains('English')):has(a.o_social_open)",
        },
        {
            content: "Back to the mention",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "Correct the analysis",
            trigger: ".o_form_view .o_form_statusbar button[name='action_open_correct_wizard']",
            run: "click",
        },
        {
            content: "Negative",
            trigger: ".modal .o_field_widget[name='sentiment'] input[data-value='negative']",
            run: "click",
        },
        {
            content: "A complaint",
            trigger: ".modal .o_field_widget[name='intent'] input[data-value='complaint']",
            run: "click",
        },
        {
            content: "Save the correction",
            trigger: ".modal button[name='action_apply']",
            run: "click",
        },
        {
            content: "The mention now says who corrected it",
            trigger: "body:not(:has(.modal)) .o_form_view .o_field_widget[name='corrected_by_id']:contains('Sam Agent')",
        },
        {
            content: "and its sentiment is the person's",
            trigger: ".o_form_view .o_field_widget[name='sentiment']:contains('Negative')",
        },
    ],
});

registry.category("web_tour.tours").add("social_crm_desk_reply_tour", {
    steps: () => [
        {
            content: "The conversation is on the ticket's first tab",
            trigger: ".o_notebook .tab-pane.active .o_social_chat .o_social_msg_customer:contains('parcel')",
        },
        {
            content: "The reply box sits under the conversation",
            trigger: ".o_social_reply_box button[name='action_social_reply']",
            run: "click",
        },
        {
            content: "The composer quotes the customer's last message",
            trigger: ".modal .o_form_view:contains('Customer wrote'):contains('parcel')",
        },
        {
            content: "Write the reply",
            trigger: ".modal .o_field_widget[name='body'] textarea",
            run: "edit Sorry Jane, we are looking for your parcel.",
        },
        {
            content: "An agent sends it for approval",
            trigger: ".modal .modal-footer button[name='action_submit']:contains('Send for approval')",
            run: "click",
        },
        {
            content: "The agent is told",
            trigger: ".o_notification:contains('Sent for approval')",
        },
        {
            content: "The pending reply shows in the conversation with its state",
            trigger: "body:not(:has(.modal)) .o_social_chat .o_social_msg_brand:contains('looking for your parcel') .o_social_state:contains('Waiting for approval')",
        },
        {
            content: "and as a banner and a smart button on the ticket",
            trigger: ".o_social_pending:contains('waiting for a')",
        },
        {
            content: "The smart button counts it",
            trigger: "button[name='action_social_pending_replies'].oe_stat_button:contains('1')",
        },
    ],
});

registry.category("web_tour.tours").add("social_crm_desk_failed_reply_tour", {
    steps: () => [
        {
            content: "The failed reply is on the author's list",
            trigger: ".o_list_view .o_data_row:contains('we are checking your parcel') .o_field_badge:contains('Failed')",
            run: "click",
        },
        {
            content: "The error is said in words",
            trigger: ".o_form_view .alert-danger:contains('rejected the credentials')",
        },
        {
            content: "Posting again cannot help with refused credentials: no such button, Revise instead",
            trigger: ".o_form_statusbar:not(:has(button:contains('Post again'))) button[name='action_retry']",
        },
        {
            content: "The author has an activity for it",
            trigger: ".o-mail-Chatter .o-mail-Activity:contains('Reply not posted')",
        },
    ],
});
