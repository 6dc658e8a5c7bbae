#include "xlsx/chart_sheet.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "xlsx/measure.h"

namespace gp::xlsx::detail {
namespace {

// The series a chart of this kind draws: one for bar and pie, all for grouped bar and line.
std::size_t seriesUsed(const model::Chart& chart) {
    if (chart.series.empty()) return 0;
    const bool one = chart.kind == model::Chart::Kind::Bar || chart.kind == model::Chart::Kind::Pie;
    return one ? 1 : chart.series.size();
}

bool allIntegral(const model::Chart& chart) {
    for (std::size_t s = 0; s < seriesUsed(chart); ++s)
        for (const Value& v : chart.series[s].values)
            if (auto n = numeric(v); n && *n != std::floor(*n)) return false;
    return true;
}

// The format of the data cells, and the shorter one of the value axis (no kopecks there).
std::string cellFormat(const model::Chart& chart) {
    switch (chart.format) {
        case model::Format::Money: return numberFormat(model::Format::Money, 2);
        case model::Format::Percent: return numberFormat(model::Format::Percent, 1);
        case model::Format::Integer: return "#,##0";
        default: return numberFormat(model::Format::Number, allIntegral(chart) ? 0 : 2);
    }
}

std::string axisFormat(const model::Chart& chart) {
    switch (chart.format) {
        case model::Format::Money: return "#,##0\\ \"₽\"";
        case model::Format::Percent: return "0%";
        default: return "#,##0";
    }
}

}  // namespace

bool chartHasData(const model::Chart& chart) { return !chart.categories.empty() && seriesUsed(chart) > 0; }

lxw_chart* writeChart(lxw_workbook* workbook, SheetWriter& data, const model::Document& doc, const model::Chart& chart) {
    const std::size_t nseries = seriesUsed(chart);
    const auto ncats = static_cast<lxw_row_t>(chart.categories.size());
    if (ncats + 1 >= LXW_ROW_MAX || nseries + 1 >= LXW_COL_MAX)
        throw Error(ErrorKind::Render, "sheet '" + data.name() + "': the chart has more data than a sheet holds");

    // The data: a header row (category, series names), then one row per category.
    Style header;
    header.bold = true;
    header.border = true;
    header.wrap = true;
    header.vcenter = true;
    header.align = HAlign::Center;
    Style category;
    category.border = true;
    Style value;
    value.border = true;
    const std::string format = cellFormat(chart);

    std::vector<double> widths(nseries + 1, 0);
    widths[0] = measure::textWidth("Категория", true);
    data.put(0, 0, asString("Категория"), header);
    for (std::size_t s = 0; s < nseries; ++s) {
        data.put(0, static_cast<lxw_col_t>(s + 1), asString(chart.series[s].name), header);
        widths[s + 1] = std::max(12.0, measure::longestWord(chart.series[s].name, true));
    }
    for (lxw_row_t r = 0; r < ncats; ++r) {
        const std::string& name = chart.categories[r];
        data.put(r + 1, 0, asString(name), category);
        widths[0] = std::max(widths[0], measure::textWidth(name, false));
        for (std::size_t s = 0; s < nseries; ++s) {
            const std::vector<Value>& values = chart.series[s].values;
            // A missing value stays an empty cell (not even a blank one, which libxlsxwriter
            // would cache in the chart as 0): the chart leaves a gap.
            std::optional<double> n = r < values.size() ? numeric(values[r]) : std::nullopt;
            if (!n) continue;
            Typed cell;
            cell.numFormat = format;
            cell.kind = Typed::Kind::Number;
            cell.number = *n;
            data.put(r + 1, static_cast<lxw_col_t>(s + 1), cell, value);
        }
    }
    for (std::size_t c = 0; c < widths.size(); ++c)
        data.width(static_cast<lxw_col_t>(c), std::clamp(measure::widthFor(widths[c]), 10.0, 60.0));
    worksheet_freeze_panes(data.ws(), 1, 0);
    pageSetup(data, doc, false);

    // The chart over it.
    std::uint8_t type = LXW_CHART_COLUMN;
    if (chart.kind == model::Chart::Kind::Line) type = LXW_CHART_LINE;
    if (chart.kind == model::Chart::Kind::Pie) type = LXW_CHART_PIE;
    lxw_chart* out = workbook_add_chart(workbook, type);
    if (out == nullptr) throw Error(ErrorKind::Render, "cannot create the chart '" + chart.title + "': out of memory");
    const char* sheet = data.name().c_str();
    for (std::size_t s = 0; s < nseries; ++s) {
        lxw_chart_series* series = chart_add_series(out, nullptr, nullptr);
        if (series == nullptr)
            throw Error(ErrorKind::Render, "cannot add a series to the chart '" + chart.title + "': out of memory");
        const auto col = static_cast<lxw_col_t>(s + 1);
        chart_series_set_categories(series, sheet, 1, 0, ncats, 0);
        chart_series_set_values(series, sheet, 1, col, ncats, col);
        chart_series_set_name_range(series, sheet, 0, col);
        if (chart.kind == model::Chart::Kind::Pie) {
            chart_series_set_labels_options(series, LXW_FALSE, LXW_FALSE, LXW_FALSE);
            chart_series_set_labels_percentage(series);  // each slice's share
        }
    }
    if (chart.title.empty()) chart_title_off(out);
    else chart_title_set_name(out, chart.title.c_str());
    chart_legend_set_position(out, LXW_CHART_LEGEND_BOTTOM);
    if (chart.kind != model::Chart::Kind::Pie) {
        const std::string axis = axisFormat(chart);
        chart_axis_set_num_format(out->y_axis, axis.c_str());
    }
    chart_show_blanks_as(out, LXW_CHART_BLANKS_AS_GAP);
    return out;
}

void placeChartBesideData(SheetWriter& data, lxw_chart* chart, const model::Chart& block) {
    constexpr double kPixelsPerMm = 96 / 25.4;
    lxw_chart_options options{};
    constexpr double kChartHeight = 288;  // pixels: libxlsxwriter's default chart height
    options.y_scale = std::max(20.0, block.heightMm) * kPixelsPerMm / kChartHeight;
    options.x_scale = 1.25;
    const auto col = static_cast<lxw_col_t>(block.series.size() + 2);  // one empty column after the data
    data.call(worksheet_insert_chart_opt(data.ws(), 1, col, chart, &options),
              "chart '" + block.title + "' beside its data");
}

}  // namespace gp::xlsx::detail
