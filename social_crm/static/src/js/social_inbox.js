/** @odoo-module **/
/* The social inbox's small cells: the network as its icon (its name as the tooltip) and a dot for what the
 * customer wrote since the agent last opened the conversation. */
import { Component } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

export const NETWORK_ICONS = {
    bluesky: "fa-cloud",
    mastodon: "fa-comments",
    x: "fa-twitter",
    facebook: "fa-facebook-official",
    instagram: "fa-instagram",
    reddit: "fa-reddit",
    youtube: "fa-youtube-play",
    linkedin: "fa-linkedin-square",
    feed: "fa-rss",
    line: "fa-comment",
    telegram: "fa-telegram",
    whatsapp: "fa-whatsapp",
};

export class SocialNetworkIcon extends Component {
    static template = "social_crm.SocialNetworkIcon";
    static props = { ...standardFieldProps };

    get value() {
        return this.props.record.data[this.props.name];
    }

    get icon() {
        return NETWORK_ICONS[this.value] || "fa-globe";
    }

    get label() {
        const selection = this.props.record.fields[this.props.name].selection || [];
        const found = selection.find(([key]) => key === this.value);
        return found ? found[1] : this.value || "";
    }
}

registry.category("fields").add("social_crm_network", {
    component: SocialNetworkIcon,
    displayName: "Network icon",
    supportedTypes: ["selection"],
});

export class SocialUnreadDot extends Component {
    static template = "social_crm.SocialUnreadDot";
    static props = { ...standardFieldProps };

    get unread() {
        return this.props.record.data[this.props.name];
    }

    get label() {
        return _t("New messages since you last opened it");
    }
}

registry.category("fields").add("social_crm_unread", {
    component: SocialUnreadDot,
    displayName: "Unread dot",
    supportedTypes: ["boolean"],
});
