/** @odoo-module **/
import { registry } from "@web/core/registry";

async function loaded(img) {
    for (let waited = 0; waited < 5000 && !(img.complete && img.naturalWidth); waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!img.naturalWidth) {
        throw new Error(`The picture ${img.getAttribute("src")} did not load`);
    }
}

registry.category("web_tour.tours").add("social_crm_media_ticket_tour", {
    steps: () => [
        {
            content: "Open the conversation of the ticket",
            trigger: ".o_notebook .nav-link[name='social_chat']",
            run: "click",
        },
        {
            content: "The customer's photo is in their bubble, as a picture that loads",
            trigger: ".o_social_chat .o_social_msg_customer .o_social_media a.o_social_media_open img.o_social_media_thumb[src^='/web/image/']",
            run: async function () {
                await loaded(this.anchor);
            },
        },
        {
            content: "The voice message is a player with its controls",
            trigger: ".o_social_chat .o_social_media audio.o_social_media_audio[controls][src^='/web/content/']",
        },
        {
            content: "A click opens Odoo's attachment viewer",
            trigger: ".o_social_media a.o_social_media_open",
            run: "click",
        },
        {
            content: "The viewer shows the picture",
            trigger: ".o-FileViewer img.o-FileViewer-viewImage[src*='/web/image/']",
            run: async function () {
                await loaded(this.anchor);
            },
        },
        {
            content: "Close the viewer",
            trigger: ".o-FileViewer [aria-label='Close']",
            run: "click",
        },
        {
            content: "Back on the ticket",
            trigger: "body:not(:has(.o-FileViewer)) .o_social_chat",
        },
    ],
});
