/** @odoo-module **/
/* The publishing calendar: each entry shows the networks of its accounts; its popover shows when it goes
 * out (no made-up "1 hour" duration), the accounts, and lets a Social Manager approve or reject it; a side
 * list keeps the posts not scheduled yet and the failed ones in sight. */
import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { is24HourFormat } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { useBus, useService } from "@web/core/utils/hooks";
import { calendarView } from "@web/views/calendar/calendar_view";
import { CalendarController } from "@web/views/calendar/calendar_controller";
import { CalendarRenderer } from "@web/views/calendar/calendar_renderer";
import { CalendarCommonRenderer } from "@web/views/calendar/calendar_common/calendar_common_renderer";
import { CalendarCommonPopover } from "@web/views/calendar/calendar_common/calendar_common_popover";
import { NETWORK_ICONS } from "./social_inbox";

const MANAGER_GROUP = "social_crm.group_social_manager";

export function networkIcons(networks) {
    return String(networks || "")
        .split(" ")
        .filter(Boolean)
        .map((network) => ({ network, icon: NETWORK_ICONS[network] || "fa-globe" }));
}

export class PostCalendarPopover extends CalendarCommonPopover {
    static subTemplates = {
        ...CalendarCommonPopover.subTemplates,
        body: "social_crm.PostCalendarPopover.body",
        footer: "social_crm.PostCalendarPopover.footer",
    };

    setup() {
        super.setup();
        this.orm = useService("orm");
        this.action = useService("action");
        this.isManager = false;
        onWillStart(async () => {
            this.isManager = await user.hasGroup(MANAGER_GROUP);
        });
    }

    get isEventDeletable() {
        return false;
    }

    get networks() {
        return networkIcons(this.props.record.rawRecord.account_networks);
    }

    get canDecide() {
        return this.isManager && this.props.record.rawRecord.state === "to_approve";
    }

    computeDateTimeAndDuration() {
        super.computeDateTimeAndDuration();
        // a post goes out at one time: no end, no duration
        const timeFormat = is24HourFormat() ? "HH:mm" : "hh:mm a";
        this.time = this.props.record.isAllDay ? null : this.props.record.start.toFormat(timeFormat);
        this.timeDuration = null;
        this.dateDuration = null;
    }

    async reload() {
        await this.props.model.load();
        this.env.bus.trigger("social_crm:posts-changed");
    }

    async onApprove() {
        await this.orm.call(this.props.model.resModel, "action_approve", [[this.props.record.id]]);
        this.props.close();
        await this.reload();
    }

    async onReject() {
        const action = await this.orm.call(this.props.model.resModel, "action_open_reject_wizard", [
            [this.props.record.id],
        ]);
        this.props.close();
        await this.action.doAction(action, { onClose: () => this.reload() });
    }
}

export class PostCalendarCommonRenderer extends CalendarCommonRenderer {
    static components = { ...CalendarCommonRenderer.components, Popover: PostCalendarPopover };
    static eventTemplate = "social_crm.PostCalendarEvent";

    onEventContent(info) {
        const record = this.props.model.records[info.event.id];
        if (record) {
            record.networkIcons = networkIcons(record.rawRecord.account_networks);
        }
        return super.onEventContent(info);
    }
}

export class PostCalendarRenderer extends CalendarRenderer {
    static components = {
        ...CalendarRenderer.components,
        day: PostCalendarCommonRenderer,
        week: PostCalendarCommonRenderer,
        month: PostCalendarCommonRenderer,
    };
}

/** Posts the calendar cannot place (no time yet) and failed posts, next to the calendar. */
export class PostSideList extends Component {
    static template = "social_crm.PostSideList";
    static props = { resModel: String };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ unscheduled: [], failed: [] });
        onWillStart(() => this.load());
        useBus(this.env.bus, "social_crm:posts-changed", () => this.load());
    }

    async load() {
        const fields = ["display_name", "state", "account_networks"];
        const [unscheduled, failed] = await Promise.all([
            this.orm.searchRead(
                this.props.resModel,
                [
                    ["calendar_at", "=", false],
                    ["state", "in", ["draft", "to_approve"]],
                ],
                fields,
                { limit: 20, order: "write_date desc" }
            ),
            this.orm.searchRead(this.props.resModel, [["state", "=", "failed"]], fields, {
                limit: 20,
                order: "write_date desc",
            }),
        ]);
        const withIcons = (posts) => posts.map((post) => ({ ...post, icons: networkIcons(post.account_networks) }));
        this.state.unscheduled = withIcons(unscheduled);
        this.state.failed = withIcons(failed);
    }

    get sections() {
        return [
            { key: "unscheduled", title: _t("Not scheduled"), posts: this.state.unscheduled },
            { key: "failed", title: _t("Failed"), posts: this.state.failed },
        ];
    }

    open(post) {
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: this.props.resModel,
            res_id: post.id,
            views: [[false, "form"]],
        });
    }
}

export class PostCalendarController extends CalendarController {
    static template = "social_crm.PostCalendarController";
    static components = { ...CalendarController.components, PostSideList };
}

registry.category("views").add("social_crm_post_calendar", {
    ...calendarView,
    Controller: PostCalendarController,
    Renderer: PostCalendarRenderer,
});
