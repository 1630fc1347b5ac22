/** @odoo-module **/
/* Dashboard charts grouped by sentiment use the same colours as the views: negative red, neutral grey,
 * positive green. */
import "@spreadsheet/chart/odoo_chart/odoo_bar_chart";
import "@spreadsheet/chart/odoo_chart/odoo_line_chart";
import { adjustChartRuntime } from "./chart_runtime";

const SENTIMENT_COLORS = { negative: "#dc3545", neutral: "#9ca3af", positive: "#28a745" };

function sentimentColors(chart) {
    const groupBy = chart.metaData?.groupBy || [];
    if (!groupBy.some((spec) => spec.split(":")[0] === "sentiment")) {
        return null;
    }
    const field = chart.dataSource?.isMetaDataLoaded?.() && chart.dataSource.getField("sentiment");
    if (!field || field.type !== "selection") {
        return null;
    }
    return new Map(field.selection.map(([key, label]) => [label, SENTIMENT_COLORS[key]]));
}

adjustChartRuntime(["odoo_line", "odoo_bar"], (runtime, chart, type) => {
    const colors = sentimentColors(chart);
    for (const dataset of (colors && runtime.chartJsConfig?.data?.datasets) || []) {
        const color = colors.get(dataset.label);
        if (color) {
            dataset.borderColor = color;
            dataset.pointBackgroundColor = color;
            dataset.backgroundColor = type === "odoo_line" ? `${color}33` : color;
        }
    }
});
