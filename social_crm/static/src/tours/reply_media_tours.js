/** @odoo-module **/
import { registry } from "@web/core/registry";

// A tiny red PNG (4 x 3 px).
const PNG =
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGM4IWcDRww4OQAP2g2Z5HvIdwAAAABJRU5ErkJggg==";

registry.category("web_tour.tours").add("social_crm_reply_media_tour", {
    steps: () => [
        {
            content: "Open the reply composer from the ticket",
            trigger: ".o_social_reply_box button[name='action_social_reply']",
            run: "click",
        },
        {
            content: "Write the answer",
            trigger: ".modal .o_field_widget[name='body'] textarea",
            run: "edit سلام سارا، این عکس بسته است",
        },
        {
            content: "Attach a picture",
            trigger: ".modal .o_social_reply_files .o_field_many2many_binary",
            async run() {
                const blob = await (await fetch(`data:image/png;base64,${PNG}`)).blob();
                const transfer = new DataTransfer();
                transfer.items.add(new File([blob], "parcel.png", { type: "image/png" }));
                const input = this.anchor.querySelector("input[type='file']");
                input.files = transfer.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "The picture is listed under the answer",
            trigger: ".modal .o_social_reply_files .o_attachment:contains('parcel.png')",
        },
        {
            content: "Nothing to warn about: Telegram takes pictures",
            trigger: ".modal:not(:has(.o_social_attachment_warning:visible))",
        },
        {
            content: "Post it",
            trigger: ".modal .modal-footer button[name='action_submit']:contains('Post reply')",
            run: "click",
        },
        {
            content: "The composer closes",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
