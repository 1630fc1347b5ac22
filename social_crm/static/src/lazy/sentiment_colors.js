/** @odoo-module **/
/* Sentiment always reads the same way in graphs: negative red, neutral grey, positive green. */
import { GraphRenderer } from "@web/views/graph/graph_renderer";
import { patch } from "@web/core/utils/patch";

export const SENTIMENT_COLORS = { negative: "#dc3545", neutral: "#9ca3af", positive: "#28a745" };

function sentimentByLabel(metaData) {
    const { fields, groupBy } = metaData;
    const grouped = groupBy.some((gb) => gb.fieldName === "sentiment");
    const field = fields.sentiment;
    if (!grouped || !field || field.type !== "selection") {
        return null;
    }
    return new Map(field.selection.map(([key, label]) => [label, SENTIMENT_COLORS[key]]));
}

function colorOf(colors, label) {
    return String(label || "")
        .split(" / ")
        .map((part) => colors.get(part.trim()))
        .find(Boolean);
}

patch(GraphRenderer.prototype, {
    getChartConfig() {
        const config = super.getChartConfig(...arguments);
        const colors = sentimentByLabel(this.model.metaData);
        if (!colors) {
            return config;
        }
        const { mode } = this.model.metaData;
        if (mode === "pie") {
            const pieColors = config.data.labels.map(
                (label, index) => colorOf(colors, label) || config.data.datasets[0]?.backgroundColor?.[index]
            );
            for (const dataset of config.data.datasets) {
                dataset.backgroundColor = pieColors;
                dataset.hoverBackgroundColor = pieColors;
            }
            return config;
        }
        for (const dataset of config.data.datasets) {
            const color = colorOf(colors, dataset.label);
            if (color) {
                dataset.borderColor = color;
                dataset.backgroundColor = mode === "line" ? `${color}33` : color;
                dataset.pointBackgroundColor = color;
            }
        }
        return config;
    },
});
