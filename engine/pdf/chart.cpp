#include "pdf/chart.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "core/error.h"
#include "core/format.h"
#include "core/utf8.h"

namespace gp::pdf {
namespace {

using model::Align;
using model::Chart;

constexpr double kPi = 3.14159265358979323846;

// Distinct hues that stay distinct in grey when printed in black and white.
const Color kPalette[] = {
    {0.16, 0.35, 0.58},  // blue
    {0.93, 0.60, 0.20},  // orange
    {0.38, 0.62, 0.33},  // green
    {0.75, 0.26, 0.25},  // red
    {0.52, 0.40, 0.66},  // violet
    {0.33, 0.70, 0.78},  // teal
    {0.60, 0.46, 0.32},  // brown
    {0.75, 0.75, 0.30},  // olive
};
constexpr size_t kPaletteSize = sizeof kPalette / sizeof kPalette[0];

Color colorOf(size_t i) { return kPalette[i % kPaletteSize]; }

std::optional<double> valueOf(const Value& v) {
    if (isNull(v)) return std::nullopt;
    if (const auto* d = std::get_if<double>(&v)) return std::isfinite(*d) ? std::optional<double>(*d) : std::nullopt;
    const std::optional<Decimal> dec = toDecimal(v);
    if (!dec) return std::nullopt;
    return dec->toDouble();
}

// "Nice" axis: steps of 1, 2, 2.5 or 5 times a power of ten, about five of them.
struct Axis {
    double lo = 0, hi = 1, step = 0.2;
    double divisor = 1;  // tick values are shown divided by this ("млн")
    std::string unit;    // shown above the axis: "млн ₽", "тыс. ₽", "₽"
    int decimals = 0;
};

Axis niceAxis(double min, double max, model::Format format) {
    Axis a;
    min = std::min(min, 0.0);
    max = std::max(max, 0.0);
    if (max - min < 1e-12) max = min + (format == model::Format::Percent ? 1 : 1);
    const double raw = (max - min) / 5;
    const double mag = std::pow(10, std::floor(std::log10(raw)));
    double step = 10 * mag;
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (m * mag >= raw * (1 - 1e-9)) {
            step = m * mag;
            break;
        }
    if (format == model::Format::Integer) step = std::max(step, 1.0);
    a.step = step;
    a.lo = std::floor(min / step + 1e-9) * step;
    a.hi = std::ceil(max / step - 1e-9) * step;
    const double top = std::max(std::abs(a.lo), std::abs(a.hi));
    if (format != model::Format::Percent) {
        if (top >= 1e6) { a.divisor = 1e6; a.unit = "млн"; }
        else if (top >= 1e4 && format == model::Format::Money) { a.divisor = 1e3; a.unit = "тыс."; }
    }
    if (format == model::Format::Money) a.unit += a.unit.empty() ? "₽" : " ₽";
    double shown = step / a.divisor * (format == model::Format::Percent ? 100 : 1);
    a.decimals = 0;
    while (a.decimals < 4 && std::abs(shown - std::round(shown)) > 1e-6) {
        shown *= 10;
        ++a.decimals;
    }
    return a;
}

std::string tickLabel(double v, const Axis& a, model::Format format) {
    const Decimal d = Decimal::fromDouble(v / a.divisor);
    if (format == model::Format::Percent) return format::percent(d, a.decimals);
    return format::number(d, a.decimals);
}

std::string valueLabel(double v, model::Format format, int decimals) {
    const Decimal d = Decimal::fromDouble(v);
    switch (format) {
        case model::Format::Money: return format::money(d);
        case model::Format::Percent: return format::percent(d, 1);
        case model::Format::Integer: return format::integer(static_cast<std::int64_t>(std::llround(v)));
        default: return format::number(d, std::clamp(decimals, 0, 4));
    }
}

// Shortens `text` with "…" until it is no wider than `width` (one line).
std::string shorten(Typesetter& type, const std::string& text, double size, double width, const std::string& where) {
    std::u32string u = utf8::decode(text);
    TextBox box = type.box(text, Style::Regular, size, 1e6, 0, where);
    if (box.widest() <= width) return text;
    while (u.size() > 1) {
        u.pop_back();
        while (!u.empty() && (u.back() == U' ' || u.back() == U',' || u.back() == U'.')) u.pop_back();
        const std::string candidate = utf8::encode(u) + "…";
        if (type.box(candidate, Style::Regular, size, 1e6, 0, where).widest() <= width) return candidate;
    }
    return "…";
}

struct LegendEntry {
    std::string text;
    Color color;
    bool line = false;  // a line sample instead of a square
};

// Lays the legend out in rows under the plot; returns its height. Draws when `draw`.
double legend(Typesetter& type, Canvas& canvas, const std::vector<LegendEntry>& entries, double x, double top,
              double width, double size, bool draw, const std::string& where) {
    if (entries.empty()) return 0;
    const double swatch = size * 0.8, gap = size * 0.4, spacing = size * 1.5, lh = size * 1.3;
    struct Placed {
        TextBox box;
        double w;
    };
    std::vector<Placed> placed;
    for (const LegendEntry& e : entries) {
        TextBox box = type.box(shorten(type, e.text, size, width - swatch - gap, where), Style::Regular, size, 1e6, 0, where);
        const double w = swatch + gap + box.widest();
        placed.push_back({std::move(box), w});
    }
    // Rows, each centred.
    std::vector<std::pair<size_t, size_t>> rows;
    size_t start = 0;
    double used = 0;
    for (size_t i = 0; i < placed.size(); ++i) {
        const double add = (i > start ? spacing : 0) + placed[i].w;
        if (i > start && used + add > width) {
            rows.emplace_back(start, i);
            start = i;
            used = placed[i].w;
        } else {
            used += add;
        }
    }
    rows.emplace_back(start, placed.size());
    if (draw) {
        double y = top;
        for (const auto& [b, e] : rows) {
            double rowWidth = 0;
            for (size_t i = b; i < e; ++i) rowWidth += (i > b ? spacing : 0) + placed[i].w;
            double px = x + (width - rowWidth) / 2;
            for (size_t i = b; i < e; ++i) {
                const double sy = y - (lh - swatch) / 2 - swatch;
                if (entries[i].line) {
                    canvas.strokeLines({{px, sy + swatch / 2, px + swatch, sy + swatch / 2}}, 1.5, entries[i].color);
                } else {
                    canvas.fillRect(px, sy, swatch, swatch, entries[i].color);
                }
                const TextBox& box = placed[i].box;
                const double textTop = y - (lh - box.lineHeight()) / 2;
                type.draw(box, 0, 1, px + swatch + gap, box.widest() + 1, textTop, Align::Left, false);
                px += placed[i].w + spacing;
            }
            y -= lh;
        }
    }
    return static_cast<double>(rows.size()) * lh;
}

}  // namespace

void checkChart(const Chart& chart, const std::string& where) {
    if (chart.categories.empty()) throw Error(ErrorKind::Render, "PDF: " + where + ": the chart has no categories");
    if (chart.series.empty()) throw Error(ErrorKind::Render, "PDF: " + where + ": the chart has no series");
    for (const model::Series& s : chart.series) {
        if (s.values.size() != chart.categories.size())
            throw Error(ErrorKind::Render, "PDF: " + where + ": series «" + s.name + "» has " +
                                               std::to_string(s.values.size()) + " values for " +
                                               std::to_string(chart.categories.size()) + " categories");
        for (size_t i = 0; i < s.values.size(); ++i)
            if (!isNull(s.values[i]) && !valueOf(s.values[i]))
                throw Error(ErrorKind::Render, "PDF: " + where + ": series «" + s.name + "», category «" +
                                                   chart.categories[i] + "»: " + typeName(s.values[i]) + " value \"" +
                                                   toPlainString(s.values[i]) + "\" is not a number");
        if (chart.kind == Chart::Kind::Bar || chart.kind == Chart::Kind::Pie) break;  // the first series only
    }
}

void drawChart(Typesetter& type, Canvas& canvas, const Chart& chart, double x, double top, double width, double height,
               double scale, const std::string& where) {
    const double titleSize = 10.5 * scale, labelSize = 7.5 * scale;
    const double bottom = top - height;
    double y = top;

    // Title.
    if (!chart.title.empty()) {
        const TextBox title = type.box(chart.title, Style::Bold, titleSize, width, 0, where + ", title", {true, false});
        type.draw(title, 0, title.count(), x, width, y, Align::Center, false);
        y -= title.height() + 4 * scale;
    }

    const bool pie = chart.kind == Chart::Kind::Pie;
    const size_t seriesCount =
        chart.kind == Chart::Kind::Bar || pie ? 1 : chart.series.size();
    const size_t n = chart.categories.size();
    std::vector<std::vector<std::optional<double>>> values(seriesCount);
    for (size_t s = 0; s < seriesCount; ++s)
        for (const Value& v : chart.series[s].values) values[s].push_back(valueOf(v));

    if (pie) {
        // Slices clockwise from 12 o'clock; the legend on the right lists value and share.
        double total = 0;
        for (const auto& v : values[0])
            if (v && *v > 0) total += *v;
        std::vector<LegendEntry> entries;
        std::vector<double> shares;
        for (size_t i = 0; i < n; ++i) {
            const double v = values[0][i] && *values[0][i] > 0 ? *values[0][i] : 0;
            shares.push_back(total > 0 ? v / total : 0);
            std::string text = chart.categories[i];
            if (values[0][i]) {
                text += " — " + valueLabel(*values[0][i], chart.format, 2);
                if (total > 0 && chart.format != model::Format::Percent)
                    text += " (" + format::percent(Decimal::fromDouble(shares.back()), 1) + ")";
            } else {
                text += " — нет данных";
            }
            entries.push_back({text, colorOf(i), false});
        }
        const double plotH = y - bottom;
        const double radius = std::max(std::min(plotH / 2 - 2, width * 0.22), 10.0);
        const double cx = x + radius + 4, cy = bottom + plotH / 2;
        double angle = 0;
        for (size_t i = 0; i < n; ++i) {
            if (shares[i] <= 0) continue;
            const double to = i + 1 == n ? 360 : angle + shares[i] * 360;
            canvas.fillSlice(cx, cy, radius, angle, std::min(to, 360.0), colorOf(i), Color::gray(1));
            angle = to;
        }
        if (total <= 0) canvas.strokeLines({{cx - radius, cy, cx + radius, cy}}, 0.5, Color::gray(0.6));
        // Legend: one entry a line, left-aligned, vertically centred beside the pie.
        const double lx = cx + radius + 14 * scale, lw = x + width - lx;
        const double lh = labelSize * 1.45 * 1.1;
        double ly = cy + static_cast<double>(n) * lh / 2;
        for (size_t i = 0; i < n; ++i) {
            const double sw = labelSize;
            canvas.fillRect(lx, ly - (lh + sw) / 2, sw, sw, entries[i].color);
            const TextBox box = type.box(shorten(type, entries[i].text, labelSize * 1.1, lw - sw - 4, where),
                                         Style::Regular, labelSize * 1.1, 1e6, 0, where);
            type.draw(box, 0, 1, lx + sw + 4, lw, ly - (lh - box.lineHeight()) / 2, Align::Left, false);
            ly -= lh;
        }
        return;
    }

    // Legend under the plot: series names when there is more than one series (or a named one in a line chart).
    std::vector<LegendEntry> entries;
    if (seriesCount > 1 || (chart.kind == Chart::Kind::Line && !chart.series[0].name.empty()))
        for (size_t s = 0; s < seriesCount; ++s)
            entries.push_back({chart.series[s].name, colorOf(s), chart.kind == Chart::Kind::Line});
    const double legendH = legend(type, canvas, entries, x, 0, width, labelSize * 1.1, false, where);
    const double legendGap = legendH > 0 ? 6 * scale : 0;

    // Value axis.
    double lo = 0, hi = 0;
    for (const auto& s : values)
        for (const auto& v : s)
            if (v) {
                lo = std::min(lo, *v);
                hi = std::max(hi, *v);
            }
    const Axis axis = niceAxis(lo, hi, chart.format);
    std::vector<TextBox> ticks;
    double tickW = 0;
    const int tickCount = static_cast<int>(std::llround((axis.hi - axis.lo) / axis.step));
    for (int k = 0; k <= tickCount; ++k) {
        ticks.push_back(type.box(tickLabel(axis.lo + k * axis.step, axis, chart.format), Style::Regular, labelSize, 1e6,
                                 0.2, where));
        tickW = std::max(tickW, ticks.back().widest());
    }
    const TextBox unit = type.box(axis.unit, Style::Regular, labelSize, width / 3, 0.2, where);
    if (unit.count()) y -= unit.height() + 2;

    const double plotX = x + tickW + 5;
    const double plotW = x + width - plotX - 2;
    const double slot = plotW / static_cast<double>(n);

    // Category labels: wrapped in their slot (up to three lines), else turned 45 degrees and
    // shortened to the room under the plot; when even that is too dense, every k-th label.
    std::vector<TextBox> labels;
    bool turned = false;
    size_t maxLines = 1;
    for (size_t i = 0; i < n; ++i) {
        TextBox box = type.box(chart.categories[i], Style::Regular, labelSize, std::max(slot - 3, 1.0), 0,
                               where + ", category " + std::to_string(i + 1), {true, true});
        maxLines = std::max(maxLines, box.count());
        // A word cut between letters shows as a line wider than the slot or as too many lines.
        double longestWord = 0;
        for (const Line& l : type.box(chart.categories[i], Style::Regular, labelSize, 1e6, 0, where).lines)
            for (const Run& r : l.runs) longestWord = std::max(longestWord, r.width);
        if (box.count() > 3 || longestWord > slot - 3) turned = true;
        labels.push_back(std::move(box));
    }
    const double plotTop = y - labelSize / 2;
    const double maxLabelArea = (plotTop - bottom - legendH - legendGap) * 0.35;
    double labelArea = 0;
    size_t every = 1;
    const double diag = std::sqrt(0.5);
    std::vector<TextBox> turnedLabels;
    if (turned) {
        const double maxLen = std::max(maxLabelArea / diag - labelSize, 20.0);
        double longest = 0;
        for (size_t i = 0; i < n; ++i) {
            turnedLabels.push_back(type.box(shorten(type, chart.categories[i], labelSize, maxLen, where), Style::Regular,
                                            labelSize, 1e6, 0, where));
            longest = std::max(longest, turnedLabels.back().widest());
        }
        labelArea = longest * diag + labelSize + 4;
        const double pitch = labelSize * 1.2 / diag;  // labels closer than this overlap
        every = static_cast<size_t>(std::ceil(pitch / slot));
        every = std::max<size_t>(every, 1);
    } else {
        labelArea = static_cast<double>(maxLines) * labels.front().lineHeight() + 4;
    }
    const double plotBottom = bottom + legendH + legendGap + labelArea;
    const double plotH = plotTop - plotBottom;
    if (plotH < 20) throw Error(ErrorKind::Render, "PDF: " + where + ": the chart is too low for its labels; make it taller");

    auto yOf = [&](double v) { return plotBottom + (v - axis.lo) / (axis.hi - axis.lo) * plotH; };

    // Grid and tick labels.
    std::vector<Canvas::Segment> grid;
    for (int k = 0; k <= tickCount; ++k) {
        const double v = axis.lo + k * axis.step;
        const double gy = yOf(v);
        if (std::abs(v) > 1e-12) grid.push_back({plotX, gy, plotX + plotW, gy});
        const TextBox& t = ticks[static_cast<size_t>(k)];
        // The label's middle (half an x-height above the baseline) on the grid line.
        type.draw(t, 0, 1, x, tickW, gy - 0.35 * labelSize + Typesetter::baseline(t),
                  Align::Right, false);
    }
    canvas.strokeLines(grid, 0.4, Color::gray(0.82));
    if (unit.count()) type.draw(unit, 0, 1, x, width / 3, plotTop + unit.height() + 2 + labelSize / 2, Align::Left, false);

    // Series.
    if (chart.kind == Chart::Kind::Line) {
        for (size_t s = 0; s < seriesCount; ++s) {
            std::vector<Canvas::Point> run;
            auto flush = [&]() {
                if (run.size() > 1) canvas.strokePolyline(run, 1.6 * scale, colorOf(s));
                run.clear();
            };
            for (size_t i = 0; i < n; ++i) {
                if (!values[s][i]) {
                    flush();  // a gap
                    continue;
                }
                run.push_back({plotX + slot * (static_cast<double>(i) + 0.5), yOf(*values[s][i])});
            }
            flush();
            const double m = 2.2 * scale;
            for (size_t i = 0; i < n; ++i)
                if (values[s][i]) {
                    const double px = plotX + slot * (static_cast<double>(i) + 0.5), py = yOf(*values[s][i]);
                    canvas.fillRect(px - m, py - m, 2 * m, 2 * m, colorOf(s));
                }
        }
    } else {
        const double groupW = slot * (seriesCount > 1 ? 0.8 : 0.6);
        const double barW = groupW / static_cast<double>(seriesCount);
        const double zero = yOf(0);
        for (size_t i = 0; i < n; ++i)
            for (size_t s = 0; s < seriesCount; ++s) {
                if (!values[s][i]) continue;
                const double bx = plotX + slot * static_cast<double>(i) + (slot - groupW) / 2 + barW * static_cast<double>(s);
                const double vy = yOf(*values[s][i]);
                canvas.fillRect(bx + 0.3, std::min(zero, vy), barW - 0.6, std::abs(vy - zero), colorOf(s));
            }
    }
    // Axes over the bars: the zero line and the value axis.
    canvas.strokeLines({{plotX, yOf(0), plotX + plotW, yOf(0)}, {plotX, plotBottom, plotX, plotTop}}, 0.7,
                       Color::gray(0.3));

    // Category labels.
    const double labelTop = plotBottom - 3;
    for (size_t i = 0; i < n; i += every) {
        const double cx = plotX + slot * (static_cast<double>(i) + 0.5);
        if (turned) {
            const TextBox& t = turnedLabels[i];
            if (!t.count()) continue;
            // The label ends just under its tick and rises to the left... reading upwards.
            const double len = t.widest();
            const double ex = cx + labelSize * 0.3, ey = labelTop - labelSize * 0.75;
            type.drawLine(t, t.lines.front(), ex - len * diag, ey - len * diag, 45);
        } else {
            type.draw(labels[i], 0, labels[i].count(), cx - slot / 2 + 1.5, slot - 3, labelTop, Align::Center, false);
        }
    }
    if (legendH > 0) legend(type, canvas, entries, x, bottom + legendH, width, labelSize * 1.1, true, where);
}

}  // namespace gp::pdf
