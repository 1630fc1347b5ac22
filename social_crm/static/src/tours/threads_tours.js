/** @odoo-module **/
import { registry } from "@web/core/registry";

// The account list draws each network as its icon: Threads with the module's own SVG (masked in the text colour),
// beside its name; the form shows the Threads guidance.
registry.category("web_tour.tours").add("social_crm_threads_account_tour", {
    steps: () => [
        {
            content: "The Threads account shows its network's icon in the list",
            trigger:
                ".o_list_view .o_data_row:contains('Acme on Threads (test)') .o_social_network_icon[data-network='threads'] i.o_social_icon_threads",
        },
        {
            content: "The icon is drawn (the SVG mask), not an empty glyph",
            trigger: ".o_data_row:contains('Acme on Threads (test)') i.o_social_icon_threads",
            run() {
                const style = getComputedStyle(this.anchor, "::before");
                const mask = style.maskImage || style.webkitMaskImage || "";
                if (!mask.includes("network_threads.svg") || parseFloat(style.width) <= 0) {
                    throw new Error(`Threads icon not drawn: ${mask} ${style.width}`);
                }
            },
        },
        {
            content: "The network's name is still in its column",
            trigger: ".o_data_row:contains('Acme on Threads (test)') td.o_data_cell[name='network']:contains('Threads')",
            run: "click",
        },
        {
            content: "The form says what to set up in Meta's console",
            trigger: ".o_form_view div[name='guide_threads']:contains('threads_keyword_search')",
        },
    ],
});
