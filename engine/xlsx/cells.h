// Model cells as libxlsxwriter writes them: the cell kind (number, date, string, blank), the
// Excel number format for a model::Format, and A1-style references.
#pragma once

#include <xlsxwriter.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"
#include "model/document.h"

namespace gp::xlsx::detail {

// A model cell resolved into what libxlsxwriter writes.
struct Typed {
    enum class Kind { Blank, Number, Date, String };
    Kind kind = Kind::Blank;
    double number = 0;
    lxw_datetime date{};
    std::string text;
    std::string numFormat;  // empty = General
};

// The Excel number format of `format`; `text` is the engine's display text, which for money
// tells the currency sign (default ₽): "2 691 000,00 руб." -> #,##0.00\ "руб.".
std::string numberFormat(model::Format format, int decimals, std::string_view text = {});

// What follows the last digit of a money text, the part numberFormat takes the sign from;
// nullopt when the text has no digit (numberFormat then uses ₽).
std::optional<std::string_view> moneyTail(std::string_view text);

// The text a cell shows: the engine's formatted text, or a plain rendering of the value.
std::string displayText(const model::Cell& cell);

// The value as a double, for int, decimal, double and decimal text; nullopt otherwise (also
// for integers beyond the 15 digits Excel keeps, which are written as text).
std::optional<double> numeric(const Value& value);

// A date Excel can show (1900-01-01 .. 9999-12-31), from a Date or ISO date text.
std::optional<lxw_datetime> excelDate(const Value& value);

// A string cell (empty text: a blank). Soft hyphens (U+00AD) are dropped: in templates they
// hint where PDF may break a long header word; a spreadsheet would show them as stray hyphens
// or keep them invisibly in the text that filters and searches see.
Typed asString(std::string text);
Typed typed(const model::Cell& cell);

// The number Excel stores for a totals cell: a plain number, or a date's serial number.
double cachedNumber(const Value& value);

// Column letters ("A", "Z", "AA") and cell names ("B7") of zero-based indexes.
std::string columnLetters(lxw_col_t col);
std::string cellName(lxw_row_t row, lxw_col_t col);
// "B3:B7"
std::string rangeName(lxw_row_t firstRow, lxw_col_t firstCol, lxw_row_t lastRow, lxw_col_t lastCol);

// A column's model::Column::formula ("[4]*[5]", see document.h) as the Excel formula of one
// row: "=E7*F7". Parsed once per column, then filled in for every row. round(x) becomes
// ROUND(x,0) and orempty(x) IFERROR(x,"") — empty text, as the engine leaves NULL:
// "orempty([6]/[5])" -> "=IFERROR(G7/F7,\"\")".
class RowFormula {
public:
    // Throws gp::Error(Render) when `formula` is not of that form or names a column at or
    // beyond `columns`.
    RowFormula(std::string_view formula, std::size_t columns);
    std::string at(lxw_row_t row) const;

private:
    struct Part {
        std::string text;      // written as it is
        lxw_col_t column = 0;  // then this column's cell of the row, when `cell`
        bool cell = false;
    };
    std::vector<Part> parts_;
};

}  // namespace gp::xlsx::detail
