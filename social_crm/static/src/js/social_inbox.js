/** @odoo-module **/
/* The social inbox's small cells: the network as its icon (its name as the tooltip) and a dot for what the
 * customer wrote since the agent last opened the conversation. */
import { Component, onMounted, onWillUpdateProps } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

// The one map of networks to icons (Font Awesome glyphs, or the module's own SVG classes): the inbox and the
// publishing calendar read it.
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
    bale: "o_social_icon_bale",
    tiktok: "o_social_icon_tiktok",
    threads: "o_social_icon_threads",
};

/** A read-only cell of the inbox, drawn from its field's value. */
class SocialCell extends Component {
    static props = { ...standardFieldProps };

    get value() {
        return this.props.record.data[this.props.name];
    }
}

export class SocialNetworkIcon extends SocialCell {
    static template = "social_crm.SocialNetworkIcon";

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

export class SocialUnreadDot extends SocialCell {
    static template = "social_crm.SocialUnreadDot";

    get unread() {
        return this.value;
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

/* Opening a conversation, or the ticket that shows it, marks it seen by the user (the inbox's unread dot). */
export class SocialMarkSeen extends Component {
    static template = "social_crm.SocialMarkSeen";
    static props = { ...standardWidgetProps, threadField: { type: String, optional: true } };

    setup() {
        this.orm = useService("orm");
        onMounted(() => this.markSeen(this.props));
        onWillUpdateProps((next) => {
            if (this.threadId(next) !== this.threadId(this.props)) {
                this.markSeen(next);
            }
        });
    }

    threadId(props) {
        if (!props.threadField) {
            return props.record.resId;
        }
        const value = props.record.data[props.threadField];
        return Array.isArray(value) ? value[0] : value && value.id;
    }

    markSeen(props) {
        const threadId = this.threadId(props);
        if (threadId) {
            this.orm.silent.call("social_crm.thread", "action_mark_seen", [[threadId]]);
        }
    }
}

registry.category("view_widgets").add("social_crm_mark_seen", {
    component: SocialMarkSeen,
    extractProps: ({ attrs }) => ({ threadField: attrs.thread_field }),
});
