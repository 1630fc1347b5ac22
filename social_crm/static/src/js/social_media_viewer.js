/** @odoo-module **/
/* Pictures people send, shown as thumbnails in the chat bubbles of the conversation (ticket, conversation,
 * inbox: a sanitized Html field rendered on the server): a click opens Odoo's attachment viewer on every picture
 * of that conversation instead of following the link. Without this script the link still opens the picture. */
import { FileModel } from "@web/core/file_viewer/file_model";
import { createFileViewer } from "@web/core/file_viewer/file_viewer_hook";
import { registry } from "@web/core/registry";

export function filesOf(links) {
    return links.map((link) =>
        Object.assign(new FileModel(), {
            id: Number(link.dataset.id),
            name: link.dataset.fileName || "",
            mimetype: link.dataset.mimetype || "",
            type: "binary",
        })
    );
}

const PLAYERS = ".o_social_media video:not([controls]), .o_social_media audio:not([controls])";

/* The Html field's sanitizer keeps <video>/<audio> but drops their attributes: give them their controls back. */
export function addControls(root) {
    const players = root.matches && root.matches(PLAYERS) ? [root] : [];
    players.push(...(root.querySelectorAll ? root.querySelectorAll(PLAYERS) : []));
    for (const player of players) {
        player.controls = true;
        player.preload = "metadata";
    }
}

export const socialMediaViewerService = {
    start() {
        const viewer = createFileViewer();
        new MutationObserver((records) => {
            for (const record of records) {
                for (const node of record.addedNodes) {
                    if (node.nodeType === Node.ELEMENT_NODE) {
                        addControls(node);
                    }
                }
            }
        }).observe(document.body, { childList: true, subtree: true });
        document.addEventListener(
            "click",
            (ev) => {
                const link = ev.target.closest && ev.target.closest("a.o_social_media_open[data-id]");
                if (!link || ev.ctrlKey || ev.metaKey || ev.shiftKey) {
                    return;
                }
                const chat = link.closest(".o_social_chat") || link.parentElement;
                const links = [...chat.querySelectorAll("a.o_social_media_open[data-id]")];
                const files = filesOf(links);
                const file = files[links.indexOf(link)];
                if (!file || !file.isViewable) {
                    return;
                }
                ev.preventDefault();
                ev.stopPropagation();
                viewer.open(file, files);
            },
            true
        );
        return viewer;
    },
};

registry.category("services").add("social_crm_media_viewer", socialMediaViewerService);
