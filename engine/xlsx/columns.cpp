#include "xlsx/columns.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "xlsx/cells.h"
#include "xlsx/measure.h"
#include "xlsx/sheet.h"

namespace gp::xlsx::detail {
namespace {

// A column of wrapping text is not made narrower than this (or its own width, when less):
// below it a paragraph becomes a tall thin ribbon.
constexpr double kMinTextWidth = 20;
constexpr double kLongWord = 24;
constexpr double kPixelsPerMm = 96 / 25.4;

bool isText(const model::Cell& cell) {
    return cell.format == model::Format::Text || cell.format == model::Format::Boolean;
}

struct Measured {
    double width = 0;    // the widest cell's text
    double longest = 0;  // the longest word of a text cell
    bool text = false;   // some cell is text, which may wrap
};

void add(Measured& m, const model::Cell& cell) {
    const std::string text = displayText(cell);
    const double width = measure::textWidth(text, false);
    m.width = std::max(m.width, width);
    if (!isText(cell)) return;
    m.longest = std::max(m.longest, measure::longestWord(text, false));
    m.text = true;
}

}  // namespace

std::vector<ColumnNeed> measureTable(const model::Table& table, const std::deque<std::vector<model::Cell>>* ahead) {
    const std::size_t ncols = table.columns.size();
    std::vector<Measured> data(ncols);
    auto rows = [&](const auto& list) {
        for (const auto& row : list)
            for (std::size_t c = 0; c < ncols && c < row.size(); ++c) add(data[c], row[c]);
    };
    // A subtotal's or total's label («Итого по статье: Оплата труда») runs over the empty
    // cells after it, or wraps: only the numbers of those rows ask for width.
    auto aggregates = [&](const std::vector<model::Cell>& cells) {
        for (std::size_t c = 0; c < ncols && c < cells.size(); ++c)
            if (!isText(cells[c])) add(data[c], cells[c]);
    };
    if (ahead != nullptr) {
        rows(*ahead);
    } else {
        rows(table.rows);
        for (const model::Group& g : table.groups) aggregates(g.subtotals);
    }

    std::vector<ColumnNeed> needs(ncols);
    for (std::size_t c = 0; c < ncols; ++c) {
        double want = measure::widthFor(data[c].width);
        if (ahead == nullptr && c < table.totals.size() && !isText(table.totals[c]))
            want = std::max(want, measure::widthFor(measure::textWidth(displayText(table.totals[c]), true)));
        // The header wraps: it may take the data's width (at least 12 units) or its longest
        // word, whichever is wider, but no more than it needs.
        const std::string& title = table.columns[c].title;
        const double titleWord = measure::longestWord(title, true);
        const double header = std::min(measure::textWidth(title, true), std::max({titleWord, data[c].width, 12.0}));
        want = std::clamp(std::max(want, measure::widthFor(header)), kNarrowestColumn, kMaxColumnWidth);

        double floor = want;
        if (data[c].text) {
            // Text may wrap down to its longest word (a longer one, say a link, is split as
            // Excel splits it, at kLongWord) and the header's, never below a readable width.
            floor = std::max({measure::widthFor(std::min(data[c].longest, kLongWord)), measure::widthFor(titleWord),
                              kMinTextWidth});
            floor = std::min(floor, want);
        }
        needs[c] = {want, floor};
    }
    return needs;
}

double printableWidth(const model::Document& doc, bool landscape) {
    return std::max(0.0, printableMm(doc, landscape) * kPixelsPerMm / 7);  // 7 pixels a unit (the cell padding is left to fitToWidth)
}

int widthPixels(const std::vector<double>& widths) {
    return std::accumulate(widths.begin(), widths.end(), 0,
                           [](int sum, double w) { return sum + columnPixels(w); });
}

void fitToWidth(std::vector<double>& widths, const std::vector<double>& floors, double target) {
    const double targetPixels = target * 7;
    for (int round = 0; round < 8; ++round) {  // a few rounds absorb the pixel rounding
        const double excess = widthPixels(widths) - targetPixels;
        if (excess <= 0) return;
        double slack = 0;
        for (std::size_t c = 0; c < widths.size(); ++c) slack += std::max(0.0, widths[c] - floors[c]);
        if (slack <= 1e-9) return;
        const double share = std::min(1.0, (excess / 7 + 0.01) / slack);
        for (std::size_t c = 0; c < widths.size(); ++c) {
            const double give = std::max(0.0, widths[c] - floors[c]) * share;
            // Excel keeps widths in 1/256ths of a character; two decimals keep the bytes stable.
            widths[c] = std::max(floors[c], std::floor((widths[c] - give) * 100) / 100);
        }
    }
}

double fitTarget(const model::Document& doc, const std::vector<double>& floors) {
    const double portrait = printableWidth(doc, doc.page.landscape);
    if (doc.page.landscape) return portrait;
    return widthPixels(floors) <= portrait * 7 ? portrait : printableWidth(doc, true);
}

double ColumnGrid::span(std::size_t first, std::size_t last) const {
    double w = 0;
    for (std::size_t c = first; c <= last && c < widths.size(); ++c) w += widths[c];
    return w;
}

void ColumnGrid::add(const std::vector<ColumnNeed>& needs) {
    if (needs.size() > wants.size()) {
        wants.resize(needs.size(), 0);
        floors.resize(needs.size(), 0);
    }
    for (std::size_t c = 0; c < needs.size(); ++c) {
        wants[c] = std::max(wants[c], needs[c].want);
        floors[c] = std::max(floors[c], needs[c].floor);
    }
}

void ColumnGrid::fit(const model::Document& doc) {
    widths = wants;
    fitToWidth(widths, floors, fitTarget(doc, floors));
}

void ColumnGrid::widen(const std::vector<ColumnNeed>& needs, const model::Document& doc, bool keep) {
    const std::vector<double> before = widths;
    add(needs);
    fit(doc);
    if (!keep) return;
    for (std::size_t c = 0; c < before.size() && c < widths.size(); ++c) widths[c] = std::max(widths[c], before[c]);
}

void ColumnGrid::apply(SheetWriter& sheet) const {
    for (std::size_t c = 0; c < widths.size(); ++c) sheet.width(static_cast<lxw_col_t>(c), widths[c]);
}

}  // namespace gp::xlsx::detail
