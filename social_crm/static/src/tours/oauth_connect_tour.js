/** @odoo-module **/
import { registry } from "@web/core/registry";

// The administrator presses Connect on an X account, consents at the (loopback) provider, and is back on the
// account form, connected.
registry.category("web_tour.tours").add("social_crm_oauth_connect_tour", {
    steps: () => [
        {
            content: "The account is not connected yet",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current[data-value='draft']",
        },
        {
            content: "Press Connect",
            trigger: ".o_form_view .o_form_statusbar button[name='action_connect']",
            run: "click",
        },
        {
            content: "Back from the provider: connected",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current[data-value='connected']",
        },
        {
            content: "The chatter says as whom",
            trigger: ".o-mail-Message:contains('Connected with X as acme')",
        },
        {
            content: "Reconnect is offered from now on",
            trigger: ".o_form_view .o_form_statusbar button[name='action_reconnect']",
        },
    ],
});
