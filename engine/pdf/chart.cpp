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

// One chart being drawn: a method per step and per kind of chart (pie; bars and grouped bars;
// lines), sharing the box and the values. The steps draw in a fixed order, so the same chart
// gives the same operators.
class ChartDrawing {
public:
    ChartDrawing(Typesetter& type, Canvas& canvas, const Chart& chart, double x, double top, double width,
                 double height, double scale, const std::string& where)
        : type_(type), canvas_(canvas), chart_(chart), x_(x), width_(width), bottom_(top - height), y_(top),
          scale_(scale), titleSize_(10.5 * scale), labelSize_(7.5 * scale), where_(where) {}

    // Every kind of chart is named (no default): a new kind fails to compile until it is drawn.
    void draw() {
        title();
        switch (chart_.kind) {
            case Chart::Kind::Pie:
                readValues(1);
                pie();
                return;
            case Chart::Kind::Bar:
                readValues(1);
                plotted();
                return;
            case Chart::Kind::GroupedBar:
            case Chart::Kind::Line:
                readValues(chart_.series.size());
                plotted();
                return;
        }
    }

private:
    void title() {
        if (chart_.title.empty()) return;
        const TextBox box = type_.box(chart_.title, Style::Bold, titleSize_, width_, 0, where_ + ", title", {true, false});
        type_.draw(box, 0, box.count(), x_, width_, y_, Align::Center, false);
        y_ -= box.height() + 4 * scale_;
    }

    void readValues(size_t seriesCount) {
        values_.assign(seriesCount, {});
        for (size_t s = 0; s < seriesCount; ++s)
            for (const Value& v : chart_.series[s].values) values_[s].push_back(valueOf(v));
    }

    // Slices clockwise from 12 o'clock; the legend on the right lists value and share.
    void pie() {
        const size_t n = chart_.categories.size();
        double total = 0;
        for (const auto& v : values_[0])
            if (v && *v > 0) total += *v;
        std::vector<LegendEntry> entries;
        std::vector<double> shares;
        for (size_t i = 0; i < n; ++i) {
            const double v = values_[0][i] && *values_[0][i] > 0 ? *values_[0][i] : 0;
            shares.push_back(total > 0 ? v / total : 0);
            std::string text = chart_.categories[i];
            if (values_[0][i]) {
                text += " — " + valueLabel(*values_[0][i], chart_.format, 2);
                if (total > 0 && chart_.format != model::Format::Percent)
                    text += " (" + format::percent(Decimal::fromDouble(shares.back()), 1) + ")";
            } else {
                text += " — нет данных";
            }
            entries.push_back({text, colorOf(i), false});
        }
        const double plotH = y_ - bottom_;
        const double radius = std::max(std::min(plotH / 2 - 2, width_ * 0.22), 10.0);
        const double cx = x_ + radius + 4, cy = bottom_ + plotH / 2;
        double angle = 0;
        for (size_t i = 0; i < n; ++i) {
            if (shares[i] <= 0) continue;
            const double to = i + 1 == n ? 360 : angle + shares[i] * 360;
            canvas_.fillSlice(cx, cy, radius, angle, std::min(to, 360.0), colorOf(i), Color::gray(1));
            angle = to;
        }
        if (total <= 0) canvas_.strokeLines({{cx - radius, cy, cx + radius, cy}}, 0.5, Color::gray(0.6));
        pieLegend(entries, cx + radius + 14 * scale_, cy);
    }

    // One entry a line, left-aligned, vertically centred beside the pie.
    void pieLegend(const std::vector<LegendEntry>& entries, double lx, double cy) {
        const double lw = x_ + width_ - lx;
        const double lh = labelSize_ * 1.45 * 1.1;
        double ly = cy + static_cast<double>(entries.size()) * lh / 2;
        for (const LegendEntry& entry : entries) {
            const double sw = labelSize_;
            canvas_.fillRect(lx, ly - (lh + sw) / 2, sw, sw, entry.color);
            const TextBox box = type_.box(shorten(type_, entry.text, labelSize_ * 1.1, lw - sw - 4, where_),
                                          Style::Regular, labelSize_ * 1.1, 1e6, 0, where_);
            type_.draw(box, 0, 1, lx + sw + 4, lw, ly - (lh - box.lineHeight()) / 2, Align::Left, false);
            ly -= lh;
        }
    }

    // Bars, grouped bars and lines: a value axis, a grid, the series, category labels and a
    // legend under the plot.
    void plotted() {
        measureLegend();
        measureAxis();
        measureCategories();
        grid();
        if (chart_.kind == Chart::Kind::Line) lines();
        else bars();
        // Axes over the bars: the zero line and the value axis.
        canvas_.strokeLines({{plotX_, yOf(0), plotX_ + plotW_, yOf(0)}, {plotX_, plotBottom_, plotX_, plotTop_}}, 0.7,
                            Color::gray(0.3));
        categoryLabels();
        if (legendH_ > 0) legend(type_, canvas_, legend_, x_, bottom_ + legendH_, width_, labelSize_ * 1.1, true, where_);
    }

    // Series names when there is more than one series (or a named one in a line chart).
    void measureLegend() {
        const bool line = chart_.kind == Chart::Kind::Line;
        if (values_.size() > 1 || (line && !chart_.series[0].name.empty()))
            for (size_t s = 0; s < values_.size(); ++s) legend_.push_back({chart_.series[s].name, colorOf(s), line});
        legendH_ = legend(type_, canvas_, legend_, x_, 0, width_, labelSize_ * 1.1, false, where_);
        legendGap_ = legendH_ > 0 ? 6 * scale_ : 0;
    }

    // The value axis: nice steps, tick labels and the unit above them.
    void measureAxis() {
        double lo = 0, hi = 0;
        for (const auto& s : values_)
            for (const auto& v : s)
                if (v) {
                    lo = std::min(lo, *v);
                    hi = std::max(hi, *v);
                }
        axis_ = niceAxis(lo, hi, chart_.format);
        tickCount_ = static_cast<int>(std::llround((axis_.hi - axis_.lo) / axis_.step));
        for (int k = 0; k <= tickCount_; ++k) {
            ticks_.push_back(type_.box(tickLabel(axis_.lo + k * axis_.step, axis_, chart_.format), Style::Regular,
                                       labelSize_, 1e6, 0.2, where_));
            tickW_ = std::max(tickW_, ticks_.back().widest());
        }
        unit_ = type_.box(axis_.unit, Style::Regular, labelSize_, width_ / 3, 0.2, where_);
        if (unit_.count()) y_ -= unit_.height() + 2;
        plotX_ = x_ + tickW_ + 5;
        plotW_ = x_ + width_ - plotX_ - 2;
        slot_ = plotW_ / static_cast<double>(chart_.categories.size());
    }

    // Category labels: wrapped in their slot (up to three lines), else turned 45 degrees and
    // shortened to the room under the plot; when even that is too dense, every k-th label.
    // Sets the plot's height from the room they take.
    void measureCategories() {
        const size_t n = chart_.categories.size();
        size_t maxLines = 1;
        for (size_t i = 0; i < n; ++i) {
            TextBox box = type_.box(chart_.categories[i], Style::Regular, labelSize_, std::max(slot_ - 3, 1.0), 0,
                                    where_ + ", category " + std::to_string(i + 1), {true, true});
            maxLines = std::max(maxLines, box.count());
            // A word cut between letters shows as a line wider than the slot or as too many lines.
            double longestWord = 0;
            for (const Line& l : type_.box(chart_.categories[i], Style::Regular, labelSize_, 1e6, 0, where_).lines)
                for (const Run& r : l.runs) longestWord = std::max(longestWord, r.width);
            if (box.count() > 3 || longestWord > slot_ - 3) turned_ = true;
            labels_.push_back(std::move(box));
        }
        plotTop_ = y_ - labelSize_ / 2;
        const double maxLabelArea = (plotTop_ - bottom_ - legendH_ - legendGap_) * 0.35;
        double labelArea = 0;
        if (turned_) {
            const double maxLen = std::max(maxLabelArea / kDiag - labelSize_, 20.0);
            double longest = 0;
            for (size_t i = 0; i < n; ++i) {
                turnedLabels_.push_back(type_.box(shorten(type_, chart_.categories[i], labelSize_, maxLen, where_),
                                                  Style::Regular, labelSize_, 1e6, 0, where_));
                longest = std::max(longest, turnedLabels_.back().widest());
            }
            labelArea = longest * kDiag + labelSize_ + 4;
            const double pitch = labelSize_ * 1.2 / kDiag;  // labels closer than this overlap
            every_ = static_cast<size_t>(std::ceil(pitch / slot_));
            every_ = std::max<size_t>(every_, 1);
        } else {
            labelArea = static_cast<double>(maxLines) * labels_.front().lineHeight() + 4;
        }
        plotBottom_ = bottom_ + legendH_ + legendGap_ + labelArea;
        plotH_ = plotTop_ - plotBottom_;
        if (plotH_ < 20)
            throw Error(ErrorKind::Render, "PDF: " + where_ + ": the chart is too low for its labels; make it taller");
    }

    double yOf(double v) const { return plotBottom_ + (v - axis_.lo) / (axis_.hi - axis_.lo) * plotH_; }

    // Grid and tick labels, and the unit.
    void grid() {
        std::vector<Canvas::Segment> rules;
        for (int k = 0; k <= tickCount_; ++k) {
            const double v = axis_.lo + k * axis_.step;
            const double gy = yOf(v);
            if (std::abs(v) > 1e-12) rules.push_back({plotX_, gy, plotX_ + plotW_, gy});
            const TextBox& t = ticks_[static_cast<size_t>(k)];
            // The label's middle (half an x-height above the baseline) on the grid line.
            type_.draw(t, 0, 1, x_, tickW_, gy - 0.35 * labelSize_ + Typesetter::baseline(t), Align::Right, false);
        }
        canvas_.strokeLines(rules, 0.4, Color::gray(0.82));
        if (unit_.count())
            type_.draw(unit_, 0, 1, x_, width_ / 3, plotTop_ + unit_.height() + 2 + labelSize_ / 2, Align::Left, false);
    }

    // A polyline per series, broken at null values, with a square at every value.
    void lines() {
        const size_t n = chart_.categories.size();
        for (size_t s = 0; s < values_.size(); ++s) {
            std::vector<Canvas::Point> run;
            auto flush = [&]() {
                if (run.size() > 1) canvas_.strokePolyline(run, 1.6 * scale_, colorOf(s));
                run.clear();
            };
            for (size_t i = 0; i < n; ++i) {
                if (!values_[s][i]) {
                    flush();  // a gap
                    continue;
                }
                run.push_back({plotX_ + slot_ * (static_cast<double>(i) + 0.5), yOf(*values_[s][i])});
            }
            flush();
            const double m = 2.2 * scale_;
            for (size_t i = 0; i < n; ++i)
                if (values_[s][i]) {
                    const double px = plotX_ + slot_ * (static_cast<double>(i) + 0.5), py = yOf(*values_[s][i]);
                    canvas_.fillRect(px - m, py - m, 2 * m, 2 * m, colorOf(s));
                }
        }
    }

    // A bar per value from the zero line, the series of a category side by side.
    void bars() {
        const size_t seriesCount = values_.size();
        const double groupW = slot_ * (seriesCount > 1 ? 0.8 : 0.6);
        const double barW = groupW / static_cast<double>(seriesCount);
        const double zero = yOf(0);
        for (size_t i = 0; i < chart_.categories.size(); ++i)
            for (size_t s = 0; s < seriesCount; ++s) {
                if (!values_[s][i]) continue;
                const double bx =
                    plotX_ + slot_ * static_cast<double>(i) + (slot_ - groupW) / 2 + barW * static_cast<double>(s);
                const double vy = yOf(*values_[s][i]);
                canvas_.fillRect(bx + 0.3, std::min(zero, vy), barW - 0.6, std::abs(vy - zero), colorOf(s));
            }
    }

    void categoryLabels() {
        const double labelTop = plotBottom_ - 3;
        for (size_t i = 0; i < chart_.categories.size(); i += every_) {
            const double cx = plotX_ + slot_ * (static_cast<double>(i) + 0.5);
            if (turned_) {
                const TextBox& t = turnedLabels_[i];
                if (!t.count()) continue;
                // The label ends just under its tick and rises to the left... reading upwards.
                const double len = t.widest();
                const double ex = cx + labelSize_ * 0.3, ey = labelTop - labelSize_ * 0.75;
                type_.drawLine(t, t.lines.front(), ex - len * kDiag, ey - len * kDiag, 45);
            } else {
                type_.draw(labels_[i], 0, labels_[i].count(), cx - slot_ / 2 + 1.5, slot_ - 3, labelTop, Align::Center,
                           false);
            }
        }
    }

    static inline const double kDiag = std::sqrt(0.5);

    Typesetter& type_;
    Canvas& canvas_;
    const Chart& chart_;
    const double x_, width_, bottom_;
    double y_;  // the top of what is left of the box
    const double scale_, titleSize_, labelSize_;
    const std::string& where_;
    std::vector<std::vector<std::optional<double>>> values_;  // per series drawn, per category
    // Bars and lines: the legend, the axis and the plot's geometry, as measured.
    std::vector<LegendEntry> legend_;
    double legendH_ = 0, legendGap_ = 0;
    Axis axis_{};
    int tickCount_ = 0;
    std::vector<TextBox> ticks_;
    double tickW_ = 0;
    TextBox unit_;
    double plotX_ = 0, plotW_ = 0, slot_ = 0, plotTop_ = 0, plotBottom_ = 0, plotH_ = 0;
    std::vector<TextBox> labels_, turnedLabels_;
    bool turned_ = false;
    size_t every_ = 1;
};

}  // namespace

void drawChart(Typesetter& type, Canvas& canvas, const Chart& chart, double x, double top, double width, double height,
               double scale, const std::string& where) {
    ChartDrawing(type, canvas, chart, x, top, width, height, scale, where).draw();
}


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

}  // namespace gp::pdf
