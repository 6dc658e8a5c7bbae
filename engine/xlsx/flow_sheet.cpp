#include "xlsx/flow_sheet.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "xlsx/image_info.h"
#include "xlsx/measure.h"
#include "xlsx/table_sheet.h"

namespace gp::xlsx::detail {
namespace {

constexpr std::size_t kMaxPageBreaks = 1023;
constexpr double kPixelsPerMm = 96 / 25.4;
constexpr double kChartWidth = 480;   // libxlsxwriter's default chart size, pixels
constexpr double kChartHeight = 288;
constexpr double kNoteSize = 8;       // "(подпись)" under the signing line
constexpr std::uint32_t kGrey = 0x595959;
constexpr std::size_t kTextColumns = 4;  // the columns of a sheet without tables
constexpr double kFillerWidth = 14;      // a column added for the text beside narrow tables
// Text runs at least this share of the printable width: beside narrow tables it would wrap
// into a column.
constexpr double kMinTextShare = 0.6;

}  // namespace

FlowSheet::FlowSheet(SheetWriter sheet, const model::Document& doc, const std::vector<const model::FieldList*>& fields,
                     const std::vector<const model::Table*>& tables, std::size_t measureRows)
    : sheet_(std::move(sheet)), doc_(doc), measureRows_(measureRows) {
    if (tables.empty()) fitColumns(fields);
    else fitTables(fields, tables);
    grid_.apply(sheet_);
}

// Four columns: the label in A, the value over B:D.
void FlowSheet::fitColumns(const std::vector<const model::FieldList*>& lists) {
    double label = 0;
    double value = 0;
    bool fields = false;
    for (const model::FieldList* list : lists) {
        for (const model::Field& field : list->fields) {
            fields = true;
            label = std::max(label, measure::textWidth(field.label, true));
            value = std::max(value, measure::textWidth(displayText(field.value), false));
        }
    }
    std::vector<double> widths(kTextColumns);
    widths[0] = fields ? std::clamp(measure::widthFor(label), 16.0, 45.0) : 30.0;
    widths[2] = widths[3] = 14.0;
    widths[1] = fields ? std::clamp(measure::widthFor(value) - widths[2] - widths[3], 16.0, 40.0) : 30.0;
    grid_.wants = grid_.floors = grid_.widths = widths;
    labelColumns_ = 1;
}

// The tables' columns, the widest of each, fitted to the page together; at least four
// columns, and wide enough for text to read as lines (an empty column to the right of the
// tables takes what is missing).
void FlowSheet::fitTables(const std::vector<const model::FieldList*>& lists, const std::vector<const model::Table*>& tables) {
    tables_ = tables.size();
    for (const model::Table* table : tables) grid_.add(measureTable(*table, nullptr));
    while (grid_.wants.size() < kTextColumns) {
        grid_.wants.push_back(kFillerWidth);
        grid_.floors.push_back(kFillerWidth);
    }
    const double minText = printableWidth(doc_, doc_.page.landscape) * kMinTextShare;
    double total = 0;
    for (double w : grid_.wants) total += w;
    if (total < minText) {
        grid_.wants.push_back(minText - total);
        grid_.floors.push_back(minText - total);
    }
    grid_.fit(doc_);

    // A field's label takes as many columns from the left as it needs to stand on one line
    // (the widest label, up to 45 units), the value the rest.
    double label = 0;
    for (const model::FieldList* list : lists)
        for (const model::Field& field : list->fields) label = std::max(label, measure::textWidth(field.label, true));
    const double wanted = std::clamp(measure::widthFor(label), 16.0, 45.0);
    labelColumns_ = 1;
    while (static_cast<std::size_t>(labelColumns_) + 1 < grid_.size() && span(0, labelColumns_ - 1) < wanted) ++labelColumns_;
}

int FlowSheet::spanPixels(lxw_col_t first, lxw_col_t last) const {
    int px = 0;
    for (lxw_col_t c = first; c <= last; ++c) px += columnPixels(grid_.widths[c]);
    return px;
}

std::vector<std::pair<lxw_col_t, lxw_col_t>> FlowSheet::partition(std::size_t parts) const {
    const std::size_t n = grid_.size();
    parts = std::clamp<std::size_t>(parts, 1, n);
    const double total = span(0, last());
    std::vector<std::pair<lxw_col_t, lxw_col_t>> out;
    std::size_t first = 0;
    double before = 0;  // width of the columns left of `first`
    for (std::size_t p = 0; p < parts; ++p) {
        std::size_t end = first + 1;  // one past the part's last column
        if (p + 1 == parts) {
            end = n;
        } else {
            // Ends at the column boundary nearest to its share, leaving a column for each part after it.
            const double goal = total * static_cast<double>(p + 1) / static_cast<double>(parts);
            double reach = before + grid_.widths[first];
            while (end < n - (parts - p - 1)) {
                const double further = reach + grid_.widths[end];
                if (std::abs(further - goal) >= std::abs(reach - goal)) break;
                reach = further;
                ++end;
            }
        }
        out.emplace_back(static_cast<lxw_col_t>(first), static_cast<lxw_col_t>(end - 1));
        for (std::size_t c = first; c < end; ++c) before += grid_.widths[c];
        first = end;
    }
    return out;
}

// One line of text merged across the columns, wrapped, with a row height that fits it.
void FlowSheet::line(const std::string& text, Style style) {
    style.wrap = true;
    style.top = true;
    double size = style.size > 0 ? style.size : kDefaultFontSize;
    sheet_.merged(row_, 0, last(), asString(text), style);
    int lines = linesIn(text, span(0, last()), style.bold, size);
    if (lines > 1 || size != kDefaultFontSize) sheet_.height(row_, rowHeight(lines, size));
    next();
}

void FlowSheet::next() {
    ++row_;
    blank_ = false;
}

void FlowSheet::blankRow() {
    if (row_ > 0 && !blank_) {
        ++row_;
        blank_ = true;
    }
}

void FlowSheet::skipPixels(double heightPixels) {
    auto rows = static_cast<lxw_row_t>(std::ceil(heightPixels / LXW_DEF_ROW_HEIGHT_PIXELS));
    row_ += std::max<lxw_row_t>(rows, 1);
    blank_ = false;
}

void FlowSheet::add(const model::Title& title) {
    Style style;
    style.bold = true;
    style.size = 16;
    line(title.text, style);
    if (!title.subtitle.empty()) {
        Style sub;
        sub.size = 12;
        line(title.subtitle, sub);
    }
    blankRow();
}

void FlowSheet::add(const model::Heading& heading) {
    blankRow();
    Style style;
    style.bold = true;
    style.size = heading.level <= 1 ? 14 : heading.level == 2 ? 12 : kDefaultFontSize;
    line(heading.text, style);
}

void FlowSheet::add(const model::Paragraph& paragraph) {
    Style style;
    style.wrap = true;
    style.top = true;
    sheet_.runs(row_, 0, last(), paragraph.runs, style);
    const std::string text = model::plainText(paragraph);
    const bool bold = std::any_of(paragraph.runs.begin(), paragraph.runs.end(), [](const model::Run& r) { return r.bold; });
    int lines = linesIn(text, span(0, last()), bold, kDefaultFontSize);
    if (lines > 1) sheet_.height(row_, rowHeight(lines, kDefaultFontSize));
    next();
}

void FlowSheet::add(const model::FieldList& list) {
    for (const model::Field& field : list.fields) {
        Style label;
        label.bold = true;
        label.wrap = true;
        label.top = true;
        sheet_.merged(row_, 0, labelColumns_ - 1, asString(field.label), label);

        Typed value = typed(field.value);
        Style style;
        style.wrap = true;
        style.top = true;
        style.align = HAlign::Left;  // a number far right of a wide merged cell reads badly
        sheet_.merged(row_, labelColumns_, last(), value, style);

        int lines = std::max(linesIn(field.label, span(0, labelColumns_ - 1), true, kDefaultFontSize),
                             value.kind == Typed::Kind::String
                                 ? linesIn(value.text, span(labelColumns_, last()), false, kDefaultFontSize)
                                 : 1);
        if (lines > 1) sheet_.height(row_, rowHeight(lines, kDefaultFontSize));
        next();
    }
    blankRow();
}

void FlowSheet::add(const model::PageBreak&) {
    if (row_ > 0 && (breaks_.empty() || breaks_.back() != row_)) breaks_.push_back(row_);
}

void FlowSheet::add(const model::Table& table) {
    blankRow();
    TablePlacement placement;
    placement.firstRow = row_;
    placement.grid = &grid_;
    placement.alone = tables_ == 1;
    row_ = renderTable(sheet_, doc_, table, measureRows_, placement);
    blank_ = false;
    blankRow();
}

void FlowSheet::add(const model::Image& image) {
    const ImageInfo info = readImageInfo(image.path);
    const double text = spanPixels(0, last());
    double width = image.widthMm > 0 ? image.widthMm * kPixelsPerMm : info.screenWidth();
    width = std::min(width, text);
    const double scale = width / info.screenWidth();
    const double height = info.screenHeight() * scale;

    blankRow();
    lxw_image_options options{};
    options.x_scale = scale;
    options.y_scale = scale;
    if (image.align == model::Align::Center) options.x_offset = static_cast<std::int32_t>(std::lround((text - width) / 2));
    if (image.align == model::Align::Right) options.x_offset = static_cast<std::int32_t>(std::lround(text - width));
    sheet_.at(row_);
    lxw_error err = worksheet_insert_image_opt(sheet_.ws(), row_, 0, image.path.c_str(), &options);
    if (err != LXW_NO_ERROR)
        throw Error(ErrorKind::Render, "sheet '" + sheet_.name() + "': cannot insert image '" + image.path +
                                           "': " + lxw_strerror(err));
    skipPixels(height);
    blankRow();
}

void FlowSheet::add(const model::Signature& signature) {
    if (signature.parties.size() == 1) return addParty(signature.parties[0]);
    blankRow();
    // Two or three parties side by side, each over a run of columns of about equal width. Row
    // by row: title, position, the line to sign on with the name on it, "(подпись)", date, «М.П.».
    const std::size_t n = signature.parties.size();
    const auto parts = partition(n);
    auto first = [&](std::size_t i) { return parts[i].first; };
    auto last = [&](std::size_t i) { return parts[i].second; };
    auto row = [&](auto&& text, const Style& style, bool grow) {
        int lines = 1;
        for (std::size_t i = 0; i < n; ++i) {
            const std::string t = text(signature.parties[i]);
            sheet_.merged(row_, first(i), last(i), asString(t), style);
            if (grow) lines = std::max(lines, linesIn(t, span(first(i), last(i)), style.bold, style.size > 0 ? style.size : kDefaultFontSize));
        }
        if (lines > 1) sheet_.height(row_, rowHeight(lines, kDefaultFontSize));
        next();
    };
    Style title;
    title.bold = true;
    title.wrap = true;
    title.top = true;
    const auto has = [&](auto member) {
        return std::any_of(signature.parties.begin(), signature.parties.end(),
                           [&](const model::Signatory& p) { return !(p.*member).empty(); });
    };
    if (has(&model::Signatory::title)) row([](const model::Signatory& p) { return p.title; }, title, true);
    Style text;
    text.wrap = true;
    text.top = true;
    row([](const model::Signatory& p) { return p.position; }, text, true);
    blankRow();
    Style rule = text;
    rule.bottomBorder = true;
    rule.align = HAlign::Right;
    row([](const model::Signatory& p) { return p.name; }, rule, false);
    Style note;
    note.size = kNoteSize;
    note.color = kGrey;
    note.top = true;
    row([](const model::Signatory&) { return std::string("(подпись)"); }, note, false);
    row([](const model::Signatory& p) {
        return p.date.find_first_not_of(" \t\n") == std::string::npos ? std::string("«___» ____________ 20___ г.") : p.date;
    }, text, true);
    if (std::any_of(signature.parties.begin(), signature.parties.end(), [](const model::Signatory& p) { return p.seal; }))
        row([](const model::Signatory& p) { return std::string(p.seal ? "М.П." : ""); }, text, false);
    blankRow();
}

void FlowSheet::addParty(const model::Signatory& signature) {
    blankRow();
    if (!signature.title.empty()) {
        Style title;
        title.bold = true;
        line(signature.title, title);
    }
    // position | line to sign on | name, over three runs of columns
    const auto parts = partition(3);
    Style position;
    position.wrap = true;
    position.top = false;  // bottom: the last line of the position sits on the signing line
    sheet_.merged(row_, parts[0].first, parts[0].second, asString(signature.position), position);
    Style rule;
    rule.bottomBorder = true;
    sheet_.merged(row_, parts[1].first, parts[1].second, Typed{}, rule);
    Style name = position;
    name.align = HAlign::Right;
    sheet_.merged(row_, parts[2].first, parts[2].second, asString(signature.name), name);
    int lines = std::max(linesIn(signature.position, span(parts[0].first, parts[0].second), false, kDefaultFontSize),
                         linesIn(signature.name, span(parts[2].first, parts[2].second), false, kDefaultFontSize));
    if (lines > 1) sheet_.height(row_, rowHeight(lines, kDefaultFontSize));
    next();

    Style note;
    note.size = kNoteSize;
    note.color = kGrey;
    note.align = HAlign::Center;
    note.top = true;
    sheet_.merged(row_, parts[1].first, parts[1].second, asString("(подпись)"), note);
    next();

    std::string date = signature.date;
    if (date.find_first_not_of(" \t\n") == std::string::npos) date = "«___» ____________ 20___ г.";
    Style dateStyle;
    dateStyle.wrap = true;
    dateStyle.top = true;
    sheet_.merged(row_, parts[0].first, parts[0].second, asString(date), dateStyle);
    if (signature.seal) {
        Style seal = dateStyle;
        seal.align = HAlign::Center;
        sheet_.merged(row_, parts[1].first, parts[1].second, asString("М.П."), seal);
    }
    const int dateLines = linesIn(date, span(parts[0].first, parts[0].second), false, kDefaultFontSize);
    if (dateLines > 1) sheet_.height(row_, rowHeight(dateLines, kDefaultFontSize));
    next();
    blankRow();
}

void FlowSheet::addChart(lxw_chart* chart, const model::Chart& block) {
    blankRow();
    if (chart == nullptr) {
        Style title;
        title.bold = true;
        if (!block.title.empty()) line(block.title, title);
        Style note;
        note.italic = true;
        line("Нет данных для диаграммы", note);
        blankRow();
        return;
    }
    // As wide as the text, never wider than the printed page's.
    const double width = std::min<double>(spanPixels(0, last()), printableWidth(doc_, doc_.page.landscape) * 7);
    const double height = std::max(20.0, block.heightMm) * kPixelsPerMm;
    lxw_chart_options options{};
    options.x_scale = width / kChartWidth;
    options.y_scale = height / kChartHeight;
    sheet_.at(row_);
    sheet_.call(worksheet_insert_chart_opt(sheet_.ws(), row_, 0, chart, &options),
                "chart '" + block.title + "' at " + cellName(row_, 0));
    skipPixels(height);
    blankRow();
}

void FlowSheet::addReference(const std::string& what, const std::string& sheetName) {
    blankRow();
    const std::string text = what + " — на листе «" + sheetName + "»";
    std::string quoted;  // a sheet name in a formula reference doubles its apostrophes
    for (char ch : sheetName) quoted += ch == '\'' ? std::string("''") : std::string(1, ch);
    const std::string target = "internal:'" + quoted + "'!A1";
    Style style;
    style.italic = true;
    sheet_.at(row_);
    sheet_.call(worksheet_write_url_opt(sheet_.ws(), row_, 0, target.c_str(), sheet_.format(style), text.c_str(), nullptr),
                "the link to the sheet '" + sheetName + "' at " + cellName(row_, 0));
    next();
    blankRow();
}

void FlowSheet::finish() {
    if (!breaks_.empty()) {
        if (breaks_.size() > kMaxPageBreaks) breaks_.resize(kMaxPageBreaks);
        breaks_.push_back(0);  // the list ends with 0
        sheet_.call(worksheet_set_h_pagebreaks(sheet_.ws(), breaks_.data()), "page breaks");
    }
    pageSetup(sheet_, doc_, doc_.page.landscape);
}

}  // namespace gp::xlsx::detail
