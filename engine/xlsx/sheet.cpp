#include "xlsx/sheet.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/utf8.h"
#include "xlsx/measure.h"

namespace gp::xlsx::detail {

double rowHeight(int lines, double fontSize) {
    double perLine = kLineHeight * fontSize / kDefaultFontSize;
    double points = std::min(kMaxRowHeight, std::max(1, lines) * perLine);
    return std::ceil(points / 0.75) * 0.75;  // Excel keeps heights in whole pixels (0.75 pt)
}

int linesIn(std::string_view text, double width, bool bold, double size) {
    const double space = measure::textSpace(width * kDefaultFontSize / size);
    // No character is wider than 1.8 units a byte of its UTF-8: a short text is one line,
    // unless it breaks, without measuring it.
    if (static_cast<double>(text.size()) * 1.8 <= space && text.find('\n') == std::string_view::npos) return 1;
    return measure::wrappedLines(text, space, bold);
}

int columnPixels(double width) {
    if (width < 1) return static_cast<int>(width * 12 + 0.5);
    return static_cast<int>(width * 7 + 0.5) + 5;
}

void SheetWriter::put(lxw_row_t row, lxw_col_t col, const Typed& value, Style style) {
    at(row);
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
        case Typed::Kind::String: {
            std::string cut;
            err = worksheet_write_string(ws_, row, col, cellText(value.text, col, cut).c_str(), f);
            break;
        }
    }
    checkAt(err, row, col);
}

void SheetWriter::merged(lxw_row_t row, lxw_col_t first, lxw_col_t last, const Typed& value, Style style) {
    if (first == last) return put(row, first, value, style);
    at(row);
    style.numFormat = value.numFormat;
    // worksheet_merge_range ignores the result of writing its string, so the value is
    // written over the first cell separately, where a failure (too long text) is seen.
    checkAt(worksheet_merge_range(ws_, row, first, row, last, "", format(style)), row, first);
    if (value.kind != Typed::Kind::Blank) put(row, first, value, style);
}

void SheetWriter::runs(lxw_row_t row, lxw_col_t first, lxw_col_t last, const std::vector<model::Run>& runs,
                       Style style) {
    // Adjacent runs of one style are one fragment; empty runs are dropped (libxlsxwriter
    // rejects empty fragments).
    struct Fragment {
        bool bold;
        bool italic;
        std::string text;
    };
    std::vector<Fragment> fragments;
    for (const model::Run& run : runs) {
        if (run.text.empty()) continue;
        if (!fragments.empty() && fragments.back().bold == run.bold && fragments.back().italic == run.italic)
            fragments.back().text += run.text;
        else
            fragments.push_back({run.bold, run.italic, run.text});
    }
    std::size_t bytes = 0;
    for (const Fragment& f : fragments) bytes += f.text.size();
    if (bytes > model::kMaxCellChars) {
        // The cell's text is every fragment's: cut (as cellText does) where it passes the limit.
        std::string all;
        for (const Fragment& f : fragments) all += f.text;
        std::string cut;
        if (&cellText(all, first, cut) == &cut) {
            std::size_t left = cut.size() - std::string_view("…").size();  // bytes of text kept
            for (Fragment& f : fragments) {
                if (f.text.size() > left) f.text.resize(left);
                left -= f.text.size();
            }
            std::erase_if(fragments, [](const Fragment& f) { return f.text.empty(); });
            fragments.back().text += "…";
        }
    }
    if (fragments.size() <= 1) {
        if (!fragments.empty()) {
            style.bold = style.bold || fragments.front().bold;
            style.italic = style.italic || fragments.front().italic;
        }
        return merged(row, first, last, asString(fragments.empty() ? std::string() : fragments.front().text), style);
    }
    at(row);
    lxw_format* cellFormat = format(style);
    if (first != last) checkAt(worksheet_merge_range(ws_, row, first, row, last, "", cellFormat), row, first);
    std::vector<lxw_rich_string_tuple> tuples(fragments.size());
    std::vector<lxw_rich_string_tuple*> pointers;
    for (std::size_t i = 0; i < fragments.size(); ++i) {
        Style font;  // a fragment's font: the cell's size and colour with the run's weight and slant
        font.size = style.size;
        font.color = style.color;
        font.bold = style.bold || fragments[i].bold;
        font.italic = style.italic || fragments[i].italic;
        tuples[i].format = format(font);
        tuples[i].string = fragments[i].text.data();
        pointers.push_back(&tuples[i]);
    }
    pointers.push_back(nullptr);
    checkAt(worksheet_write_rich_string(ws_, row, first, pointers.data(), cellFormat), row, first);
}

void SheetWriter::formula(lxw_row_t row, lxw_col_t col, const std::string& text, double cached, Style style) {
    at(row);
    checkAt(worksheet_write_formula_num(ws_, row, col, text.c_str(), format(style), cached), row, col);
}

void SheetWriter::rowOptions(lxw_row_t row, double points, std::uint8_t level) {
    at(row);
    lxw_error err = LXW_NO_ERROR;
    if (level == 0) {
        err = worksheet_set_row(ws_, row, points, nullptr);
    } else {
        lxw_row_col_options options{};
        options.level = level;
        err = worksheet_set_row_opt(ws_, row, points, nullptr, &options);
    }
    if (err != LXW_NO_ERROR) call(err, "row " + std::to_string(static_cast<unsigned long>(row) + 1));
}

const std::string& SheetWriter::cellText(const std::string& text, lxw_col_t col, std::string& cut) {
    if (text.size() <= model::kMaxCellChars) return text;  // no more units than bytes
    std::size_t units = 0, end = 0, total = 0;
    const std::size_t keep = model::kMaxCellChars - 1;  // and '…'
    for (std::size_t i = 0; i < text.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if ((c & 0xC0) == 0x80) continue;
        const std::size_t n = c >= 0xF0 ? 2 : 1;  // beyond the BMP: a surrogate pair
        if (units + n <= keep) {
            units += n;
            end = i;
        }
        total += n;
    }
    if (total <= model::kMaxCellChars) return text;
    // `end` is the last character kept; cut after it.
    std::size_t stop = end + 1;
    while (stop < text.size() && (static_cast<unsigned char>(text[stop]) & 0xC0) == 0x80) ++stop;
    cut.assign(text, 0, stop);
    cut += "…";
    warn("column " + columnLetters(col), model::Warnings::Kind::CellCut, total);
    return cut;
}

void SheetWriter::width(lxw_col_t col, double width) {
    call(worksheet_set_column(ws_, col, col, width, nullptr), "column " + columnLetters(col));
    if (widths_.size() <= col) widths_.resize(col + 1, 0);
    widths_[col] = width;
}

int SheetWriter::widthPixels() const {
    int px = 0;
    for (double w : widths_) px += columnPixels(w > 0 ? w : LXW_DEF_COL_WIDTH);
    return px;
}

void SheetWriter::call(lxw_error err, const std::string& what) const {
    if (err != LXW_NO_ERROR) check(err, "sheet '" + name_ + "': " + what);
}

void SheetWriter::failAt(lxw_error err, lxw_row_t row, lxw_col_t col) const {
    throw Error(ErrorKind::Render, "sheet '" + name_ + "', cell " + cellName(row, col) + ": " + lxw_strerror(err));
}

void SheetWriter::outOfOrder(lxw_row_t row) const {
    throw Error(ErrorKind::Render, "sheet '" + name_ + "': row " + std::to_string(static_cast<unsigned long>(row) + 1) +
                                       " written after row " + std::to_string(static_cast<unsigned long>(row_) + 1) +
                                       " (rows must be written in order)");
}

namespace {
constexpr std::size_t kMaxHeaderFooter = 255;  // Excel's limit, in characters
}  // namespace

std::string excelHeaderFooter(std::string_view text) {
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

double printableMm(const model::Document& doc, bool landscape) {
    double w = 210, h = 297;  // A4, mm
    if (doc.page.size == model::PageSetup::Size::A3) w = 297, h = 420;
    if (doc.page.size == model::PageSetup::Size::Letter) w = 215.9, h = 279.4;
    return (landscape ? h : w) - doc.page.left - doc.page.right;
}

PrintFit printFit(int widthPixels, const model::Document& doc, bool landscape) {
    const double content = widthPixels * 25.4 / 96;  // Excel's 96 pixels an inch
    auto scale = [&](bool across) { return content > 0 ? std::min(1.0, printableMm(doc, across) / content) : 1.0; };
    PrintFit fit{landscape, scale(landscape)};
    // Portrait stays while it shrinks the sheet by no more than kTurnBelow: a document sheet
    // four columns wide reads like the PDF's pages.
    constexpr double kTurnBelow = 0.85;
    if (!landscape && fit.scale < kTurnBelow && scale(true) > fit.scale) fit = {true, scale(true), 1};
    if (fit.scale < kMinPrintScale)
        fit.pagesWide = static_cast<std::uint16_t>(std::ceil(kMinPrintScale / fit.scale - 1e-9));
    return fit;
}

void pageSetup(SheetWriter& sheet, const model::Document& doc, bool landscape) {
    lxw_worksheet* ws = sheet.ws();
    std::uint8_t paper = 9;  // A4
    if (doc.page.size == model::PageSetup::Size::A3) paper = 8;
    if (doc.page.size == model::PageSetup::Size::Letter) paper = 1;
    worksheet_set_paper(ws, paper);
    constexpr double kMmPerInch = 25.4;
    worksheet_set_margins(ws, doc.page.left / kMmPerInch, doc.page.right / kMmPerInch, doc.page.top / kMmPerInch,
                          doc.page.bottom / kMmPerInch);
    // Printed so that it stays readable: the orientation that needs the least shrinking (the
    // document's own when the columns fit it), then one page wide when that takes no more than
    // shrinking to kMinPrintScale, else fitted to as many pages across as keep it at that scale
    // or larger.
    const PrintFit fit = printFit(sheet.widthPixels(), doc, landscape);
    if (fit.landscape) worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, fit.pagesWide, 0);  // so many pages wide, as many tall as needed
    if (fit.pagesWide > 1) worksheet_print_across(ws);  // a row's pages follow one another before the next rows
    // Excel takes at most 255 characters of header or footer (its codes included): a longer
    // one is cut, ending with '…'.
    auto fitted = [&](const std::string& text, const char* what) {
        std::string out = excelHeaderFooter(text);
        if (utf8::length(out) <= kMaxHeaderFooter) return out;
        std::u32string u = utf8::decode(text);
        const std::size_t length = u.size();
        u.resize(std::min(u.size(), kMaxHeaderFooter));
        do {
            u.resize(u.size() > 8 ? u.size() - 8 : 0);
            out = excelHeaderFooter(utf8::encode(u) + "…");
        } while (utf8::length(out) > kMaxHeaderFooter && !u.empty());
        if (sheet.warnings) sheet.warnings->add(std::string("XLSX ") + what, model::Warnings::Kind::HeaderCut, "", length);
        return out;
    };
    if (!doc.header.empty()) {
        std::string header = fitted(doc.header, "page header");
        sheet.call(worksheet_set_header(ws, header.c_str()), "header");
    }
    if (!doc.footer.empty()) {
        std::string footer = fitted(doc.footer, "page footer");
        sheet.call(worksheet_set_footer(ws, footer.c_str()), "footer");
    }
}

}  // namespace gp::xlsx::detail
