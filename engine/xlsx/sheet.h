// One worksheet as the renderer writes it: every libxlsxwriter call checked (a failure throws
// gp::Error naming the sheet and cell), and rows written strictly in order. In constant-memory
// mode libxlsxwriter has already written out every row before the last one touched; the
// writer keeps its own row counter and refuses to go back, in both modes, so a layout that
// would lose rows there fails in every test instead.
#pragma once

#include <xlsxwriter.h>

#include <string>
#include <string_view>
#include <vector>

#include "model/document.h"
#include "xlsx/cells.h"
#include "xlsx/workbook.h"

namespace gp::xlsx::detail {

constexpr double kDefaultFontSize = 11;
constexpr double kLineHeight = 15;     // points per line of 11 pt text
constexpr double kMaxRowHeight = 409;  // Excel's limit, in points

// Height in points of `lines` lines of `fontSize` text, in whole pixels as Excel keeps it.
double rowHeight(int lines, double fontSize);
// Lines `text` takes in a cell (or merged range) `width` units wide in a `size` pt font.
int linesIn(std::string_view text, double width, bool bold, double size);
// Pixels Excel draws a column `width` units wide with (the default font: 7 px per unit + 5).
int columnPixels(double width);

class SheetWriter {
public:
    SheetWriter(lxw_worksheet* ws, std::string name, Formats& formats)
        : ws_(ws), name_(std::move(name)), formats_(formats) {}

    lxw_worksheet* ws() const { return ws_; }
    const std::string& name() const { return name_; }
    lxw_format* format(const Style& style) { return formats_.get(style); }

    // Every write goes through here first: `row` must not be above the last row touched.
    void at(lxw_row_t row) {
        if (touched_ && row < row_) outOfOrder(row);
        row_ = row;
        touched_ = true;
    }

    void put(lxw_row_t row, lxw_col_t col, const Typed& value, Style style);
    // `value` in the first cell of row:first..last, merged when that is more than one cell.
    void merged(lxw_row_t row, lxw_col_t first, lxw_col_t last, const Typed& value, Style style);
    // Text in styled runs over row:first..last (merged). Runs of one style become a plain
    // string in that style; mixed styles a rich string.
    void runs(lxw_row_t row, lxw_col_t first, lxw_col_t last, const std::vector<model::Run>& runs, Style style);
    void formula(lxw_row_t row, lxw_col_t col, const std::string& formula, double cached, Style style);
    // Row height in points (LXW_DEF_ROW_HEIGHT for the default) and outline level (0 = none).
    void rowOptions(lxw_row_t row, double points, std::uint8_t level = 0);
    void height(lxw_row_t row, double points) { rowOptions(row, points, 0); }
    void width(lxw_col_t col, double width);
    // The widths given so far, in pixels as Excel draws them (for the print setup).
    int widthPixels() const;

    // `text` as a cell takes it: at most model::kMaxCellChars characters (UTF-16 units, as
    // Excel counts); a longer text is cut, ending with '…', into `cut` and reported once per
    // column of the sheet to `warnings` (when set).
    const std::string& cellText(const std::string& text, lxw_col_t col, std::string& cut);
    model::Warnings* warnings = nullptr;

    // Throws unless err is LXW_NO_ERROR: "sheet 'X', cell B7: <libxlsxwriter's text>".
    void checkAt(lxw_error err, lxw_row_t row, lxw_col_t col) {
        if (err != LXW_NO_ERROR) failAt(err, row, col);
    }
    void call(lxw_error err, const std::string& what) const;
    void warn(const std::string& where, model::Warnings::Kind kind, std::size_t length) const {
        if (warnings) warnings->add("XLSX sheet '" + name_ + "', " + where, kind, "", length);
    }

private:
    [[noreturn]] void failAt(lxw_error err, lxw_row_t row, lxw_col_t col) const;
    std::vector<double> widths_;  // per column, Excel's units; 0: not set (the default 8.43)
    [[noreturn]] void outOfOrder(lxw_row_t row) const;

    lxw_worksheet* ws_;
    std::string name_;
    Formats& formats_;
    lxw_row_t row_ = 0;  // the last row touched
    bool touched_ = false;
};

// Paper, orientation and scale (printFit), margins, header and footer with page numbers.
// How a sheet `widthPixels` wide prints on the document's paper: landscape when the document
// asks, or when portrait would shrink it below 85% and landscape shrinks it less; and the
// scale that fits it one page wide (1: no shrinking).
struct PrintFit {
    bool landscape = false;
    double scale = 1;        // what fitting it to one page's width would take
    std::uint16_t pagesWide = 1;  // pages across it is fitted to: more than one when one would take under kMinPrintScale
};
// A sheet is not shrunk below this to fit one page's width (unreadable on paper): it is fitted
// to as many pages across as keep it at this scale or larger.
constexpr double kMinPrintScale = 0.7;
PrintFit printFit(int widthPixels, const model::Document& doc, bool landscape);
// Millimetres across the paper between the left and right margins, across its longer side
// when `landscape`.
double printableMm(const model::Document& doc, bool landscape);
void pageSetup(SheetWriter& sheet, const model::Document& doc, bool landscape);

// "Страница {page} из {pages}" -> "&CСтраница &P из &N" ('&' itself doubled).
std::string excelHeaderFooter(std::string_view text);

}  // namespace gp::xlsx::detail
