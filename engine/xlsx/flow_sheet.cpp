#include "xlsx/flow_sheet.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "xlsx/image_info.h"
#include "xlsx/measure.h"

namespace gp::xlsx::detail {
namespace {

constexpr std::size_t kMaxPageBreaks = 1023;
constexpr double kPixelsPerMm = 96 / 25.4;
constexpr double kChartWidth = 480;   // libxlsxwriter's default chart size, pixels
constexpr double kChartHeight = 288;
constexpr double kNoteSize = 8;       // "(подпись)" under the signing line
constexpr std::uint32_t kGrey = 0x595959;

}  // namespace

FlowSheet::FlowSheet(SheetWriter sheet, const model::Document& doc, const std::vector<const model::FieldList*>& fields)
    : sheet_(std::move(sheet)), doc_(doc) {
    fitColumns(fields);
}

void FlowSheet::fitColumns(const std::vector<const model::FieldList*>& lists) {
    std::size_t label = 0;
    std::size_t value = 0;
    bool fields = false;
    for (const model::FieldList* list : lists) {
        for (const model::Field& field : list->fields) {
            fields = true;
            label = std::max(label, measure::textWidth(field.label));
            value = std::max(value, measure::textWidth(displayText(field.value)));
        }
    }
    widths_[0] = fields ? std::clamp(measure::widthFor(label, true), 16.0, 45.0) : 30.0;
    widths_[2] = widths_[3] = 14.0;
    widths_[1] = fields ? std::clamp(measure::widthFor(value, false) - widths_[2] - widths_[3], 16.0, 40.0) : 30.0;
    for (lxw_col_t c = 0; c < kColumns; ++c) sheet_.width(c, widths_[c]);
}

double FlowSheet::span(lxw_col_t first, lxw_col_t last) const {
    double w = 0;
    for (lxw_col_t c = first; c <= last; ++c) w += widths_[c];
    return w;
}

int FlowSheet::spanPixels(lxw_col_t first, lxw_col_t last) const {
    int px = 0;
    for (lxw_col_t c = first; c <= last; ++c) px += columnPixels(widths_[c]);
    return px;
}

// One line of text merged across A:D, wrapped, with a row height that fits it.
void FlowSheet::line(const std::string& text, Style style) {
    style.wrap = true;
    style.top = true;
    double size = style.size > 0 ? style.size : kDefaultFontSize;
    sheet_.merged(row_, 0, kColumns - 1, asString(text), style);
    int lines = linesIn(text, span(0, kColumns - 1), style.bold, size);
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
    sheet_.runs(row_, 0, kColumns - 1, paragraph.runs, style);
    const std::string text = model::plainText(paragraph);
    const bool bold = std::any_of(paragraph.runs.begin(), paragraph.runs.end(), [](const model::Run& r) { return r.bold; });
    int lines = linesIn(text, span(0, kColumns - 1), bold, kDefaultFontSize);
    if (lines > 1) sheet_.height(row_, rowHeight(lines, kDefaultFontSize));
    next();
}

void FlowSheet::add(const model::FieldList& list) {
    for (const model::Field& field : list.fields) {
        Style label;
        label.bold = true;
        label.wrap = true;
        label.top = true;
        sheet_.put(row_, 0, asString(field.label), label);

        Typed value = typed(field.value);
        Style style;
        style.wrap = true;
        style.top = true;
        style.align = HAlign::Left;  // a number far right of a wide merged cell reads badly
        sheet_.merged(row_, 1, kColumns - 1, value, style);

        int lines = std::max(linesIn(field.label, widths_[0], true, kDefaultFontSize),
                             value.kind == Typed::Kind::String
                                 ? linesIn(value.text, span(1, kColumns - 1), false, kDefaultFontSize)
                                 : 1);
        if (lines > 1) sheet_.height(row_, rowHeight(lines, kDefaultFontSize));
        next();
    }
    blankRow();
}

void FlowSheet::add(const model::PageBreak&) {
    if (row_ > 0 && (breaks_.empty() || breaks_.back() != row_)) breaks_.push_back(row_);
}

void FlowSheet::add(const model::Image& image) {
    const ImageInfo info = readImageInfo(image.path);
    const double text = spanPixels(0, kColumns - 1);
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
    // Two or three parties side by side: columns 0–1 and 2–3, or 0, 1 and 2–3. Row by row:
    // title, position, the line to sign on with the name on it, "(подпись)", date, «М.П.».
    const std::size_t n = signature.parties.size();
    auto first = [&](std::size_t i) { return static_cast<lxw_col_t>(n == 2 ? 2 * i : i); };
    auto last = [&](std::size_t i) { return static_cast<lxw_col_t>(n == 2 ? 2 * i + 1 : i == 2 ? 3 : i); };
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
    // position | line to sign on | name
    Style position;
    position.wrap = true;
    position.top = false;  // bottom: the last line of the position sits on the signing line
    sheet_.put(row_, 0, asString(signature.position), position);
    Style rule;
    rule.bottomBorder = true;
    sheet_.merged(row_, 1, 2, Typed{}, rule);
    Style name = position;
    name.align = HAlign::Right;
    sheet_.put(row_, 3, asString(signature.name), name);
    int lines = std::max(linesIn(signature.position, widths_[0], false, kDefaultFontSize),
                         linesIn(signature.name, widths_[3], false, kDefaultFontSize));
    if (lines > 1) sheet_.height(row_, rowHeight(lines, kDefaultFontSize));
    next();

    Style note;
    note.size = kNoteSize;
    note.color = kGrey;
    note.align = HAlign::Center;
    note.top = true;
    sheet_.merged(row_, 1, 2, asString("(подпись)"), note);
    next();

    std::string date = signature.date;
    if (date.find_first_not_of(" \t\n") == std::string::npos) date = "«___» ____________ 20___ г.";
    Style dateStyle;
    dateStyle.wrap = true;
    dateStyle.top = true;
    sheet_.merged(row_, 0, 1, asString(date), dateStyle);
    if (signature.seal) {
        Style seal = dateStyle;
        seal.align = HAlign::Center;
        sheet_.put(row_, 2, asString("М.П."), seal);
    }
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
    const double width = spanPixels(0, kColumns - 1);
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

void FlowSheet::addChartReference(const model::Chart& block, const std::string& sheetName) {
    blankRow();
    const std::string text = "Диаграмма" + (block.title.empty() ? std::string() : " «" + block.title + "»") +
                             " — на листе «" + sheetName + "»";
    std::string quoted;  // a sheet name in a formula reference doubles its apostrophes
    for (char ch : sheetName) quoted += ch == '\'' ? std::string("''") : std::string(1, ch);
    const std::string target = "internal:'" + quoted + "'!A1";
    Style style;
    style.italic = true;
    sheet_.at(row_);
    sheet_.call(worksheet_write_url_opt(sheet_.ws(), row_, 0, target.c_str(), sheet_.format(style), text.c_str(), nullptr),
                "the link to the chart '" + block.title + "' at " + cellName(row_, 0));
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
