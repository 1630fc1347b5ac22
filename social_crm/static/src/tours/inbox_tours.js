/** @odoo-module **/
import { registry } from "@web/core/registry";

function checkCell(selector, expected) {
    const cell = document.querySelector(selector);
    if (!cell) {
        throw new Error(`No cell ${selector}`);
    }
    const style = getComputedStyle(cell);
    if (style.direction !== expected.direction) {
        throw new Error(`${selector}: direction ${style.direction}, expected ${expected.direction}`);
    }
    if (expected.cut && !(cell.scrollWidth > cell.clientWidth && style.textOverflow === "ellipsis")) {
        throw new Error(`${selector}: a long text should be cut with an ellipsis`);
    }
}

/**
 * The step that finds the inbox row whose last message contains `text`, marks its cell with the class `marker` and
 * checks that the cell is laid out in `direction` and cut at its end.
 */
function lastMessageStep(content, text, marker, direction) {
    return {
        content,
        trigger: `.o_social_inbox .o_data_row td[name='last_message']:contains('${text}')`,
        run() {
            const row = [...document.querySelectorAll(".o_social_inbox td[name='last_message']")].find((cell) =>
                cell.textContent.includes(text)
            );
            row.classList.add(marker);
            checkCell(`.${marker}`, { direction, cut: true });
        },
    };
}

registry.category("web_tour.tours").add("social_crm_inbox_agent_tour", {
    steps: () => [
        {
            content: "The inbox shows the conversations that need someone, mine and unassigned by default",
            trigger: ".o_social_inbox .o_data_row",
        },
        {
            content: "Both filters are on",
            trigger: ".o_searchview_facet:contains('Mine'):contains('Unassigned')",
        },
        {
            content: "Someone else's conversation is not there; the customer is named, never by a raw id",
            trigger: ".o_social_inbox:not(:contains('Taken by Agent 1')):not(:contains('did:plc'))",
        },
        {
            content: "The longest waiting comes first, unread, with its network's icon",
            trigger: ".o_social_inbox .o_data_row:first-child:has(.o_social_unread):has(.o_social_network_icon[data-network='bluesky']) td[name='customer_name']:contains('Customer Old')",
        },
        {
            content: "Open it",
            trigger: ".o_social_inbox .o_data_row:first-child td[name='last_message']",
            run: "click",
        },
        {
            content: "The conversation, with reply, ticket and assignment at hand",
            trigger: ".o_form_view:has(button[name='action_reply']):has(button[name='action_assign_to_me']):has(button[name='action_open_ticket']) .o_social_chat:contains('waiting since this morning')",
        },
        {
            content: "Reply",
            trigger: ".o_form_statusbar button[name='action_reply']",
            run: "click",
        },
        {
            content: "Pick a canned reply",
            trigger: ".modal .o_field_widget[name='template_id'] input",
            run: "edit Parcel",
        },
        {
            content: "The canned reply",
            trigger: ".dropdown-item:contains('Parcel delay')",
            run: "click",
        },
        {
            content: "Its text fills the reply",
            trigger: ".modal .o_field_widget[name='body'] textarea:value(Sorry for the wait)",
        },
        {
            content: "Send and go on to the next conversation",
            trigger: ".modal button[name='action_submit_and_next']",
            run: "click",
        },
        {
            content: "The next conversation of the inbox opens",
            trigger: "body:not(:has(.modal)) .o_form_view .o_social_chat:contains('second in line')",
        },
    ],
});

registry.category("web_tour.tours").add("social_crm_inbox_rtl_tour", {
    steps: () => [
        {
            content: "The inbox in Persian: the page is right to left",
            trigger: "html[dir='rtl'] .o_social_inbox .o_data_row td[name='last_message']",
        },
        lastMessageStep(
            "An English message keeps its own direction, starts on the left and is cut at its end",
            "The parcel",
            "o_tour_english",
            "ltr"
        ),
        lastMessageStep("A Thai message too", "พัสดุ", "o_tour_thai", "ltr"),
        lastMessageStep(
            "A long Persian message is right to left and cut at its own end, on the left",
            "بسته",
            "o_tour_persian",
            "rtl"
        ),
        {
            content: "Numbers and badges keep the interface's direction",
            trigger: ".o_social_inbox .o_data_row td[name='sentiment']:not([dir])",
        },
    ],
});

registry.category("web_tour.tours").add("social_crm_inbox_rtl_mentions_tour", {
    steps: () => [
        {
            content: "In the mentions list, the English post text is one line in its own direction, cut at its end",
            trigger: "html[dir='rtl'] .o_list_renderer .o_data_row .o_social_crm_text[dir='ltr']",
            run() {
                const english = [...document.querySelectorAll(".o_list_renderer .o_social_crm_text[dir='ltr']")].find(
                    (span) => span.textContent.includes("The parcel")
                );
                english.classList.add("o_tour_body");
                checkCell(".o_tour_body", { direction: "ltr", cut: true });
            },
        },
    ],
});
