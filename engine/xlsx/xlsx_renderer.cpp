#include "xlsx/xlsx_renderer.h"

#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <optional>
#include <string_view>
#include <type_traits>

#include "core/error.h"
#include "core/utf8.h"
#include "core/value.h"
#include "xlsx/measure.h"
#include "xlsx/workbook.h"

namespace gp::xlsx {
namespace {

using detail::check;
using detail::Formats;
using detail::HAlign;
using detail::Style;
using detail::Workbook;

constexpr std::size_t kMaxSheetName = 31;  // Excel's limit, in UTF-16 units
constexpr double kMinColumnWidth = 8.43;   // Excel's default width
constexpr double kMaxColumnWidth = 60;
constexpr double kDefaultFontSize = 11;
constexpr double kLineHeight = 15;       // points per line of 11 pt text
constexpr double kMaxRowHeight = 409;    // Excel's limit, in points
constexpr lxw_col_t kMainColumns = 4;    // the first sheet uses A:D
constexpr std::size_t kMaxPageBreaks = 1023;
constexpr std::int64_t kMaxExactInteger = 999'999'999'999'999;  // Excel keeps 15 digits

// ----- typed cells -----------------------------------------------------------------------

// A model cell resolved into what libxlsxwriter writes.
struct Typed {
    enum class Kind { Blank, Number, Date, String };
    Kind kind = Kind::Blank;
    double number = 0;
    lxw_datetime date{};
    std::string text;
    std::string numFormat;  // empty = General
};

// The currency sign of a money text: what follows the last digit ("₽" in "2 691 000,00 ₽",
// "руб." for money("руб."), "" for money("")). nullopt when the text shows no number.
std::optional<std::string> currencyOf(std::string_view text) {
    std::size_t lastDigit = text.find_last_of("0123456789");
    if (lastDigit == std::string_view::npos) return std::nullopt;
    std::u32string sign = utf8::decode(text.substr(lastDigit + 1));
    auto blank = [](char32_t c) { return c == U' ' || c == 0xA0 || c == 0x2009 || c == 0x202F; };
    std::erase_if(sign, [](char32_t c) { return c == U'"'; });  // cannot appear inside a quoted literal
    while (!sign.empty() && blank(sign.front())) sign.erase(sign.begin());
    while (!sign.empty() && blank(sign.back())) sign.pop_back();
    return utf8::encode(sign);
}

// `text` is the engine's display text; for money it tells the currency sign (default ₽).
std::string numberFormat(model::Format format, int decimals, std::string_view text = {}) {
    const std::string zeros(static_cast<std::size_t>(std::clamp(decimals, 0, 10)), '0');
    switch (format) {
        case model::Format::Integer: return "0";
        case model::Format::Number: return zeros.empty() ? "#,##0" : "#,##0." + zeros;
        case model::Format::Money: {
            // The literal is quoted: an unquoted space would not be a thousands separator.
            const std::string sign = currencyOf(text).value_or("₽");
            std::string out = "#,##0.00";
            if (!sign.empty()) out.append("\\ \"").append(sign).append("\"");
            return out;
        }
        case model::Format::Percent: return zeros.empty() ? "0%" : "0." + zeros + "%";
        case model::Format::Date: return "dd.mm.yyyy";
        case model::Format::Text:
        case model::Format::Boolean: return {};
    }
    return {};
}

// The text a cell shows: the engine's formatted text, or a plain rendering of the value.
std::string displayText(const model::Cell& cell) {
    if (!cell.text.empty() || isNull(cell.value)) return cell.text;
    if (const bool* b = std::get_if<bool>(&cell.value)) return *b ? "Да" : "Нет";
    return toPlainString(cell.value);
}

// The value as a double, for int, decimal, double and decimal text; nullopt otherwise (also
// for integers beyond the 15 digits Excel keeps, which are written as text).
std::optional<double> numeric(const Value& value) {
    return std::visit(
        [](const auto& v) -> std::optional<double> {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::int64_t>) {
                if (v > kMaxExactInteger || v < -kMaxExactInteger) return std::nullopt;
                return static_cast<double>(v);
            } else if constexpr (std::is_same_v<T, double>) {
                if (!std::isfinite(v)) return std::nullopt;
                return v;
            } else if constexpr (std::is_same_v<T, Decimal>) {
                return v.toDouble();
            } else if constexpr (std::is_same_v<T, std::string>) {
                if (auto d = Decimal::parse(v)) return d->toDouble();
                return std::nullopt;
            } else {
                return std::nullopt;
            }
        },
        value);
}

// A date Excel can show (1900-01-01 .. 9999-12-31), from a Date or ISO date text.
std::optional<lxw_datetime> excelDate(const Value& value) {
    std::optional<Date> date;
    if (const Date* d = std::get_if<Date>(&value)) date = *d;
    else if (const std::string* s = std::get_if<std::string>(&value)) date = Date::parse(*s);
    if (!date || date->year < 1900 || date->year > 9999 || !Date::valid(date->year, date->month, date->day))
        return std::nullopt;
    lxw_datetime dt{};
    dt.year = date->year;
    dt.month = date->month;
    dt.day = date->day;
    return dt;
}

Typed asString(std::string text) {
    Typed t;
    if (!text.empty()) {
        t.kind = Typed::Kind::String;
        t.text = std::move(text);
    }
    return t;
}

Typed typed(const model::Cell& cell) {
    switch (cell.format) {
        case model::Format::Text:
        case model::Format::Boolean: return asString(displayText(cell));
        case model::Format::Date: {
            Typed t;
            t.numFormat = numberFormat(cell.format, cell.decimals, cell.text);
            if (isNull(cell.value)) return t;
            if (auto dt = excelDate(cell.value)) {
                t.kind = Typed::Kind::Date;
                t.date = *dt;
                return t;
            }
            return asString(displayText(cell));
        }
        case model::Format::Integer:
        case model::Format::Number:
        case model::Format::Money:
        case model::Format::Percent: {
            Typed t;
            t.numFormat = numberFormat(cell.format, cell.decimals, cell.text);
            if (isNull(cell.value)) return t;
            if (auto n = numeric(cell.value)) {
                t.kind = Typed::Kind::Number;
                t.number = *n;
                return t;
            }
            return asString(displayText(cell));
        }
    }
    return asString(displayText(cell));
}

// The number Excel stores for a totals cell: a plain number, or a date's serial number.
double cachedNumber(const Value& value) {
    if (auto n = numeric(value)) return *n;
    if (auto dt = excelDate(value)) return lxw_datetime_to_excel_datetime(&*dt);
    return 0;
}

HAlign alignOf(model::Align align) {
    switch (align) {
        case model::Align::Left: return HAlign::General;  // text left, numbers right
        case model::Align::Center: return HAlign::Center;
        case model::Align::Right: return HAlign::Right;
    }
    return HAlign::General;
}

// ----- cell references -------------------------------------------------------------------

std::string columnLetters(lxw_col_t col) {
    std::string letters;
    unsigned n = static_cast<unsigned>(col) + 1;
    while (n > 0) {
        unsigned rem = (n - 1) % 26;
        letters.insert(letters.begin(), static_cast<char>('A' + rem));
        n = (n - 1) / 26;
    }
    return letters;
}

std::string cellName(lxw_row_t row, lxw_col_t col) {
    return columnLetters(col) + std::to_string(static_cast<unsigned long>(row) + 1);
}

// ----- one worksheet, every call checked -------------------------------------------------

double rowHeight(int lines, double fontSize) {
    double perLine = kLineHeight * fontSize / kDefaultFontSize;
    double points = std::min(kMaxRowHeight, std::max(1, lines) * perLine);
    return std::ceil(points / 0.75) * 0.75;  // Excel keeps heights in whole pixels (0.75 pt)
}

// Lines `text` takes in a cell (or merged range) `width` units wide in a `size` pt font.
int linesIn(std::string_view text, double width, bool bold, double size) {
    double scaled = width * kDefaultFontSize / size;
    return measure::wrappedLines(text, measure::charsIn(scaled, bold));
}

class SheetWriter {
public:
    SheetWriter(lxw_worksheet* ws, std::string name, Formats& formats)
        : ws_(ws), name_(std::move(name)), formats_(formats) {}

    lxw_worksheet* ws() const { return ws_; }
    const std::string& name() const { return name_; }
    lxw_format* format(const Style& style) { return formats_.get(style); }

    void put(lxw_row_t row, lxw_col_t col, const Typed& value, Style style) {
        style.numFormat = value.numFormat;
        lxw_format* f = format(style);
        lxw_error err = LXW_NO_ERROR;
        switch (value.kind) {
            case Typed::Kind::Blank: err = worksheet_write_blank(ws_, row, col, f); break;
            case Typed::Kind::Number: err = worksheet_write_number(ws_, row, col, value.number, f); break;
            case Typed::Kind::Date: {
                lxw_datetime dt = value.date;
                err = worksheet_write_datetime(ws_, row, col, &dt, f);
                break;
            }
            case Typed::Kind::String: err = worksheet_write_string(ws_, row, col, value.text.c_str(), f); break;
        }
        checkAt(err, row, col);
    }

    // `value` in the first cell of row:first..last, merged when that is more than one cell.
    void merged(lxw_row_t row, lxw_col_t first, lxw_col_t last, const Typed& value, Style style) {
        if (first == last) return put(row, first, value, style);
        style.numFormat = value.numFormat;
        // worksheet_merge_range ignores the result of writing its string, so the value is
        // written over the first cell separately, where a failure (too long text) is seen.
        checkAt(worksheet_merge_range(ws_, row, first, row, last, "", format(style)), row, first);
        if (value.kind != Typed::Kind::Blank) put(row, first, value, style);
    }

    void formula(lxw_row_t row, lxw_col_t col, const std::string& formula, double cached, Style style) {
        checkAt(worksheet_write_formula_num(ws_, row, col, formula.c_str(), format(style), cached), row, col);
    }

    void height(lxw_row_t row, double points) {
        check(worksheet_set_row(ws_, row, points, nullptr),
              "sheet '" + name_ + "', row " + std::to_string(static_cast<unsigned long>(row) + 1));
    }

    void width(lxw_col_t col, double width) {
        check(worksheet_set_column(ws_, col, col, width, nullptr),
              "sheet '" + name_ + "', column " + columnLetters(col));
    }

    void call(lxw_error err, const std::string& what) { check(err, "sheet '" + name_ + "': " + what); }

private:
    void checkAt(lxw_error err, lxw_row_t row, lxw_col_t col) {
        if (err != LXW_NO_ERROR) check(err, "sheet '" + name_ + "', cell " + cellName(row, col));
    }

    lxw_worksheet* ws_;
    std::string name_;
    Formats& formats_;
};

// ----- print setup -----------------------------------------------------------------------

// "Страница {page} из {pages}" -> "&CСтраница &P из &N" ('&' itself doubled).
std::string excelFooter(std::string_view text) {
    std::string out = "&C";
    for (std::size_t i = 0; i < text.size();) {
        std::string_view rest = text.substr(i);
        if (rest.starts_with("{pages}")) {
            out += "&N";
            i += 7;
        } else if (rest.starts_with("{page}")) {
            out += "&P";
            i += 6;
        } else {
            if (text[i] == '&') out += '&';
            out += text[i++];
        }
    }
    return out;
}

void pageSetup(SheetWriter& sheet, const model::Document& doc, bool landscape) {
    lxw_worksheet* ws = sheet.ws();
    std::uint8_t paper = 9;  // A4
    if (doc.page.size == model::PageSetup::Size::A3) paper = 8;
    if (doc.page.size == model::PageSetup::Size::Letter) paper = 1;
    worksheet_set_paper(ws, paper);
    if (landscape) worksheet_set_landscape(ws);
    constexpr double kMmPerInch = 25.4;
    worksheet_set_margins(ws, doc.page.left / kMmPerInch, doc.page.right / kMmPerInch, doc.page.top / kMmPerInch,
                          doc.page.bottom / kMmPerInch);
    worksheet_fit_to_pages(ws, 1, 0);  // one page wide, as many tall as needed
    if (!doc.footer.empty()) {
        std::string footer = excelFooter(doc.footer);
        sheet.call(worksheet_set_footer(ws, footer.c_str()), "footer");
    }
}

// ----- the first sheet: title, headings, paragraphs, fields ------------------------------

class MainSheet {
public:
    MainSheet(SheetWriter& sheet, const model::Document& doc) : sheet_(sheet), doc_(doc) {}

    void render() {
        fitColumns();
        for (const model::Block& block : doc_.blocks) {
            if (block.target == model::Target::PdfOnly) continue;
            std::visit([this](const auto& content) { add(content); }, block.content);
        }
        if (!breaks_.empty()) {
            if (breaks_.size() > kMaxPageBreaks) breaks_.resize(kMaxPageBreaks);
            breaks_.push_back(0);  // the list ends with 0
            sheet_.call(worksheet_set_h_pagebreaks(sheet_.ws(), breaks_.data()), "page breaks");
        }
        pageSetup(sheet_, doc_, doc_.page.landscape);
    }

private:
    void fitColumns() {
        std::size_t label = 0;
        std::size_t value = 0;
        bool fields = false;
        for (const model::Block& block : doc_.blocks) {
            if (block.target == model::Target::PdfOnly) continue;
            if (const auto* list = std::get_if<model::FieldList>(&block.content)) {
                for (const model::Field& field : list->fields) {
                    fields = true;
                    label = std::max(label, measure::textWidth(field.label));
                    value = std::max(value, measure::textWidth(displayText(field.value)));
                }
            }
        }
        widths_[0] = fields ? std::clamp(measure::widthFor(label, true), 16.0, 45.0) : 30.0;
        widths_[2] = widths_[3] = 14.0;
        widths_[1] = fields ? std::clamp(measure::widthFor(value, false) - widths_[2] - widths_[3], 16.0, 40.0) : 30.0;
        for (lxw_col_t c = 0; c < kMainColumns; ++c) sheet_.width(c, widths_[c]);
    }

    double span(lxw_col_t first, lxw_col_t last) const {
        double w = 0;
        for (lxw_col_t c = first; c <= last; ++c) w += widths_[c];
        return w;
    }

    // One line of text merged across A:D, wrapped, with a row height that fits it.
    void line(const std::string& text, Style style) {
        style.wrap = true;
        style.top = true;
        double size = style.size > 0 ? style.size : kDefaultFontSize;
        sheet_.merged(row_, 0, kMainColumns - 1, asString(text), style);
        int lines = linesIn(text, span(0, kMainColumns - 1), style.bold, size);
        if (lines > 1 || size != kDefaultFontSize) sheet_.height(row_, rowHeight(lines, size));
        next();
    }

    void next() {
        ++row_;
        blank_ = false;
    }

    void blankRow() {
        if (row_ > 0 && !blank_) {
            ++row_;
            blank_ = true;
        }
    }

    void add(const model::Title& title) {
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

    void add(const model::Heading& heading) {
        blankRow();
        Style style;
        style.bold = true;
        style.size = heading.level <= 1 ? 14 : heading.level == 2 ? 12 : kDefaultFontSize;
        line(heading.text, style);
    }

    void add(const model::Paragraph& paragraph) { line(model::plainText(paragraph), Style{}); }
    // Images, charts and signatures arrive with the XLSX issue; until then they are skipped.
    void add(const model::Image&) {}
    void add(const model::Chart&) {}
    void add(const model::Signature&) {}

    void add(const model::FieldList& list) {
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
            sheet_.merged(row_, 1, kMainColumns - 1, value, style);

            int lines = std::max(linesIn(field.label, widths_[0], true, kDefaultFontSize),
                                 value.kind == Typed::Kind::String
                                     ? linesIn(value.text, span(1, kMainColumns - 1), false, kDefaultFontSize)
                                     : 1);
            if (lines > 1) sheet_.height(row_, rowHeight(lines, kDefaultFontSize));
            next();
        }
        blankRow();
    }

    void add(const model::Table&) {}  // tables get sheets of their own

    void add(const model::PageBreak&) {
        if (row_ > 0 && (breaks_.empty() || breaks_.back() != row_)) breaks_.push_back(row_);
    }

    SheetWriter& sheet_;
    const model::Document& doc_;
    double widths_[kMainColumns] = {};
    lxw_row_t row_ = 0;
    bool blank_ = false;  // the last row written is a spacing row
    std::vector<lxw_row_t> breaks_;
};

// ----- a table on its own sheet ----------------------------------------------------------

const char* functionOf(model::Aggregate aggregate) {
    switch (aggregate) {
        case model::Aggregate::Sum: return "SUM";
        case model::Aggregate::Count: return "COUNTA";
        case model::Aggregate::Average: return "AVERAGE";
        case model::Aggregate::Min: return "MIN";
        case model::Aggregate::Max: return "MAX";
        case model::Aggregate::None: break;
    }
    return nullptr;
}

class TableSheet {
public:
    TableSheet(SheetWriter& sheet, const model::Document& doc, const model::Table& table)
        : sheet_(sheet), doc_(doc), table_(table) {}

    void render() {
        validate();
        const auto ncols = static_cast<lxw_col_t>(table_.columns.size());
        const lxw_col_t last = ncols == 0 ? 0 : static_cast<lxw_col_t>(ncols - 1);
        fitColumns();

        lxw_row_t row = 0;
        if (!table_.caption.empty()) {
            Style style;
            style.bold = true;
            style.size = 12;
            style.wrap = true;
            sheet_.merged(row, 0, last, asString(table_.caption), style);
            sheet_.height(row, rowHeight(linesIn(table_.caption, span(0, last), true, 12), 12));
            ++row;
        }
        if (ncols == 0) {  // nothing to tabulate: just the caption and the empty text
            if (!table_.emptyText.empty()) emptyRow(row, 0);
            pageSetup(sheet_, doc_, doc_.page.landscape);
            return;
        }

        const lxw_row_t header = row;
        headerRow(header);
        const lxw_row_t firstData = header + 1;
        const auto nrows = static_cast<lxw_row_t>(table_.rows.size());
        for (lxw_row_t i = 0; i < nrows; ++i) dataRow(firstData + i, table_.rows[i]);
        lxw_row_t next = firstData + nrows;
        if (nrows == 0 && !table_.emptyText.empty()) emptyRow(next++, last);
        if (!table_.totals.empty()) totalsRow(next, firstData, nrows);

        lxw_worksheet* ws = sheet_.ws();
        worksheet_freeze_panes(ws, firstData, 0);
        if (nrows > 0) sheet_.call(worksheet_autofilter(ws, header, 0, firstData + nrows - 1, last), "autofilter");
        sheet_.call(worksheet_repeat_rows(ws, header, header), "repeated header rows");
        pageSetup(sheet_, doc_, doc_.page.landscape || ncols > 5);
    }

private:
    void validate() const {
        const std::size_t ncols = table_.columns.size();
        if (ncols > LXW_COL_MAX)
            throw Error(ErrorKind::Render, "sheet '" + sheet_.name() + "': the table has " + std::to_string(ncols) +
                                               " columns, Excel allows " + std::to_string(LXW_COL_MAX));
        if (table_.rows.size() + 4 > LXW_ROW_MAX)
            throw Error(ErrorKind::Render, "sheet '" + sheet_.name() + "': the table has " +
                                               std::to_string(table_.rows.size()) + " rows, more than Excel allows");
        for (std::size_t i = 0; i < table_.rows.size(); ++i)
            if (table_.rows[i].size() != ncols)
                throw Error(ErrorKind::Render, "sheet '" + sheet_.name() + "': row " + std::to_string(i + 1) +
                                                   " has " + std::to_string(table_.rows[i].size()) +
                                                   " cells, the table has " + std::to_string(ncols) + " columns");
        if (!table_.totals.empty() && table_.totals.size() != ncols)
            throw Error(ErrorKind::Render, "sheet '" + sheet_.name() + "': the totals row has " +
                                               std::to_string(table_.totals.size()) + " cells, the table has " +
                                               std::to_string(ncols) + " columns");
    }

    void fitColumns() {
        widths_.assign(table_.columns.size(), kMinColumnWidth);
        for (std::size_t c = 0; c < table_.columns.size(); ++c) {
            std::size_t data = 0;
            for (const auto& r : table_.rows) data = std::max(data, measure::textWidth(displayText(r[c])));
            double width = measure::widthFor(data, false);
            if (!table_.totals.empty()) width = std::max(width, measure::widthFor(measure::textWidth(displayText(table_.totals[c])), true));
            // The header wraps: it may take the data's width (at least 12 characters) or its
            // longest word, whichever is wider, but no more than it needs.
            const std::string& title = table_.columns[c].title;
            std::size_t header = std::min(measure::textWidth(title), std::max({measure::longestWord(title), data, std::size_t{12}}));
            width = std::max(width, measure::widthFor(header, true));
            widths_[c] = std::clamp(width, kMinColumnWidth, kMaxColumnWidth);
            sheet_.width(static_cast<lxw_col_t>(c), widths_[c]);
        }
    }

    double span(lxw_col_t first, lxw_col_t last) const {
        if (widths_.empty()) return kMaxColumnWidth;
        double w = 0;
        for (lxw_col_t c = first; c <= last; ++c) w += widths_[c];
        return w;
    }

    void headerRow(lxw_row_t row) {
        Style style;
        style.bold = true;
        style.border = true;
        style.wrap = true;
        style.vcenter = true;
        style.align = HAlign::Center;
        int lines = 1;
        for (std::size_t c = 0; c < table_.columns.size(); ++c) {
            const std::string& title = table_.columns[c].title;
            sheet_.put(row, static_cast<lxw_col_t>(c), asString(title), style);
            lines = std::max(lines, linesIn(title, widths_[c], true, kDefaultFontSize));
        }
        if (lines > 1) sheet_.height(row, rowHeight(lines, kDefaultFontSize));
    }

    void dataRow(lxw_row_t row, const std::vector<model::Cell>& cells) {
        int lines = 1;
        for (std::size_t c = 0; c < cells.size(); ++c) {
            Typed value = typed(cells[c]);
            Style style;
            style.border = true;
            style.top = true;
            style.align = alignOf(table_.columns[c].align);
            if (value.kind == Typed::Kind::String) {
                style.wrap = true;
                lines = std::max(lines, linesIn(value.text, widths_[c], false, kDefaultFontSize));
            }
            sheet_.put(row, static_cast<lxw_col_t>(c), value, style);
        }
        if (lines > 1) sheet_.height(row, rowHeight(lines, kDefaultFontSize));
    }

    void emptyRow(lxw_row_t row, lxw_col_t last) {
        Style style;
        style.italic = true;
        style.wrap = true;
        style.top = true;
        sheet_.merged(row, 0, last, asString(table_.emptyText), style);
        int lines = linesIn(table_.emptyText, span(0, last), false, kDefaultFontSize);
        if (lines > 1) sheet_.height(row, rowHeight(lines, kDefaultFontSize));
    }

    void totalsRow(lxw_row_t row, lxw_row_t firstData, lxw_row_t nrows) {
        int lines = 1;
        for (std::size_t i = 0; i < table_.columns.size(); ++i) {
            const auto c = static_cast<lxw_col_t>(i);
            const model::Column& column = table_.columns[i];
            const model::Cell& cell = table_.totals[i];
            Style style;
            style.bold = true;
            style.border = true;
            style.top = true;
            style.align = alignOf(column.align);
            const char* function = functionOf(column.total);
            if (function != nullptr && nrows > 0) {
                if (cell.format == model::Format::Text || cell.format == model::Format::Boolean) {
                    // An untyped totals cell: format it like the column (a count as an integer),
                    // with the currency sign of the column's first cell.
                    model::Format format =
                        column.total == model::Aggregate::Count ? model::Format::Integer : column.format;
                    style.numFormat = numberFormat(format, column.decimals, table_.rows.front()[i].text);
                } else {
                    style.numFormat = numberFormat(cell.format, cell.decimals, cell.text);
                }
                // "=SUM(E3:E7)" over the data rows.
                std::string formula = "=";
                formula += function;
                formula += '(';
                formula += cellName(firstData, c);
                formula += ':';
                formula += cellName(firstData + nrows - 1, c);
                formula += ')';
                sheet_.formula(row, c, formula, cachedNumber(cell.value), style);
            } else {
                Typed value = typed(cell);
                if (value.kind == Typed::Kind::String) {
                    style.wrap = true;
                    lines = std::max(lines, linesIn(value.text, widths_[i], true, kDefaultFontSize));
                }
                sheet_.put(row, c, value, style);
            }
        }
        if (lines > 1) sheet_.height(row, rowHeight(lines, kDefaultFontSize));
    }

    SheetWriter& sheet_;
    const model::Document& doc_;
    const model::Table& table_;
    std::vector<double> widths_;
};

// ----- sheet names -----------------------------------------------------------------------

bool trimmable(char32_t c) { return c == U' ' || c == U'\'' || c == 0xA0; }

std::u32string trimmed(std::u32string s) {
    while (!s.empty() && trimmable(s.back())) s.pop_back();
    std::size_t start = 0;
    while (start < s.size() && trimmable(s[start])) ++start;
    return s.substr(start);
}

// The longest prefix of `s` that is at most `units` UTF-16 units, trimmed at the end.
std::u32string shortened(const std::u32string& s, std::size_t units) {
    std::u32string out;
    std::size_t used = 0;
    for (char32_t c : s) {
        std::size_t n = c > 0xFFFF ? 2 : 1;
        if (used + n > units) break;
        out.push_back(c);
        used += n;
    }
    return trimmed(std::move(out));
}

// ----- document properties ---------------------------------------------------------------

void setProperties(lxw_workbook* wb, const model::Metadata& meta, const std::string& author,
                   const std::string& company) {
    // libxlsxwriter takes char* but copies the strings; the arguments outlive the call.
    auto text = [](const std::string& s) { return s.empty() ? nullptr : const_cast<char*>(s.c_str()); };
    lxw_doc_properties props{};
    props.title = text(meta.title);
    props.subject = text(meta.subject);
    props.author = text(author);
    props.keywords = text(meta.keywords);
    props.company = text(company);
    // 0 would make libxlsxwriter stamp the current time; one second past the epoch keeps the
    // output reproducible.
    props.created = meta.created == 0 ? 1 : static_cast<std::time_t>(meta.created);
    check(workbook_set_properties(wb, &props), "cannot set the XLSX document properties");
}

}  // namespace

std::string sheetName(std::string_view wanted, const std::vector<std::string>& taken) {
    static constexpr std::u32string_view kForbidden = U"[]:*?/\\";
    std::u32string name;
    for (char32_t c : utf8::decode(wanted)) {
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) c = U' ';
        else if (kForbidden.find(c) != std::u32string_view::npos) c = U'_';
        name.push_back(c);
    }
    name = trimmed(std::move(name));
    if (name.empty()) name = U"Лист";

    std::vector<std::string> lowered;
    lowered.reserve(taken.size() + 1);
    for (const std::string& t : taken) lowered.push_back(utf8::lower(t));
    lowered.push_back("history");  // reserved by Excel
    auto isTaken = [&](const std::u32string& candidate) {
        return std::find(lowered.begin(), lowered.end(), utf8::lower(utf8::encode(candidate))) != lowered.end();
    };

    std::u32string candidate = shortened(name, kMaxSheetName);
    for (int n = 2; isTaken(candidate); ++n) {
        const std::u32string suffix = utf8::decode(" (" + std::to_string(n) + ")");
        candidate = shortened(name, kMaxSheetName - suffix.size()) + suffix;
    }
    return utf8::encode(candidate);
}

void render(const model::Document& doc, const std::filesystem::path& path, const Options& options) {
    const std::string author = doc.meta.author.empty() ? doc.meta.creator : doc.meta.author;
    const std::string company = doc.meta.creator.empty() ? std::string("GrantPress") : doc.meta.creator;

    if (!options.tmpdir.empty()) {
        // libxlsxwriter would quietly fall back to the system folder; a wrong setting should show.
        std::error_code ec;
        if (!std::filesystem::is_directory(options.tmpdir, ec))
            throw Error(ErrorKind::Render, "cannot write XLSX file '" + path.string() +
                                               "': the temporary folder '" + options.tmpdir.string() +
                                               "' does not exist");
    }
    Workbook workbook(path, options.tmpdir);
    Formats formats(workbook.get());
    setProperties(workbook.get(), doc.meta, author, company);

    std::vector<std::string> names;
    names.push_back(sheetName(doc.sheet, names));
    SheetWriter first(workbook.addWorksheet(names.back()), names.back(), formats);
    MainSheet(first, doc).render();

    int tableNumber = 0;
    for (const model::Block& block : doc.blocks) {
        if (block.target == model::Target::PdfOnly) continue;
        const auto* table = std::get_if<model::Table>(&block.content);
        if (table == nullptr) continue;
        ++tableNumber;
        std::string wanted = !table->sheet.empty()     ? table->sheet
                             : !table->caption.empty() ? table->caption
                                                       : "Таблица " + std::to_string(tableNumber);
        names.push_back(sheetName(wanted, names));
        SheetWriter sheet(workbook.addWorksheet(names.back()), names.back(), formats);
        TableSheet(sheet, doc, *table).render();
    }

    workbook.close();
}

}  // namespace gp::xlsx
