/** @odoo-module **/
/* Dashboard charts speak to managers: languages by their names in the user's language (not "fa", "th"),
 * and a chart without data says so in words instead of drawing empty axes. */
import { _t } from "@web/core/l10n/translation";
import { user } from "@web/core/user";
import "@spreadsheet/chart/odoo_chart/odoo_bar_chart";
import "@spreadsheet/chart/odoo_chart/odoo_line_chart";
import "@spreadsheet/chart/odoo_chart/odoo_pie_chart";
import { adjustChartRuntime } from "./chart_runtime";

const LANGUAGE_FIELD = "lang";

let languageNames = null;
function languageName(code) {
    if (!languageNames) {
        try {
            languageNames = new Intl.DisplayNames([(user.lang || "en_US").replace("_", "-"), "en"], {
                type: "language",
            });
        } catch {
            languageNames = { of: (value) => value };
        }
    }
    if (typeof code !== "string" || !/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/.test(code)) {
        return code;
    }
    try {
        return languageNames.of(code) || code;
    } catch {
        return code;
    }
}

const noDataPlugin = {
    id: "social_crm_no_data",
    afterDraw(chart) {
        const datasets = chart.data?.datasets || [];
        if (datasets.some((dataset) => (dataset.data || []).some((value) => value !== null && value !== 0))) {
            return;
        }
        const { ctx, chartArea } = chart;
        if (!chartArea) {
            return;
        }
        ctx.save();
        ctx.textAlign = "center";
        ctx.textBaseline = "middle";
        ctx.fillStyle = "#6b7280";
        ctx.font = "16px sans-serif";
        ctx.fillText(
            _t("No data yet"),
            (chartArea.left + chartArea.right) / 2,
            (chartArea.top + chartArea.bottom) / 2
        );
        ctx.restore();
    },
};

adjustChartRuntime(["odoo_line", "odoo_bar", "odoo_pie"], (runtime, chart) => {
    const config = runtime.chartJsConfig;
    const groupBy = (chart.metaData?.groupBy || []).map((spec) => spec.split(":")[0]);
    if (config?.data && groupBy[0] === LANGUAGE_FIELD) {
        config.data.labels = (config.data.labels || []).map(languageName);
    }
    if (config?.data && groupBy[1] === LANGUAGE_FIELD) {
        for (const dataset of config.data.datasets || []) {
            dataset.label = languageName(dataset.label);
        }
    }
    if (config) {
        // drawn only while every value is empty: the data loads after the chart is created
        config.plugins = [...(config.plugins || []), noDataPlugin];
    }
});
