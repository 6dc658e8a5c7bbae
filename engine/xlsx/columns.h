// Column widths of a sheet, from the content and the paper: what each table column wants
// (its widest cell, its header wrapped at most to its longest word) and how narrow it may
// become (a column of wrapping text down to its longest word; numbers, dates and short codes
// never), and the shrinking that makes a sheet's columns fit the printed page's width, so a
// sheet prints at 100% like the PDF instead of being scaled down until it cannot be read.
#pragma once

#include <cstddef>
#include <deque>
#include <vector>

#include "model/document.h"
#include "xlsx/sheet.h"

namespace gp::xlsx::detail {

constexpr double kMinColumnWidth = 8.43;  // Excel's default width
// A table column is never narrower than this: a «№» column of one- and two-digit numbers.
constexpr double kNarrowestColumn = 5;
constexpr double kMaxColumnWidth = 60;

// Widths in Excel's units (the width of '0' in the default font).
struct ColumnNeed {
    double want = kNarrowestColumn;   // shows every measured cell on one line
    double floor = kNarrowestColumn;  // the narrowest it may be made: want, unless it wraps
};

// What the columns of `table` need, measured on its rows (a streamed table: on `ahead`, the
// rows read so far), its group subtotals and totals, and its headers.
std::vector<ColumnNeed> measureTable(const model::Table& table, const std::deque<std::vector<model::Cell>>* ahead);

// Width in Excel's units of the paper's printable width (page less left and right margins),
// across the longer side when `landscape`.
double printableWidth(const model::Document& doc, bool landscape);

// Pixels Excel draws `widths` with, side by side.
int widthPixels(const std::vector<double>& widths);

// Makes `widths` (at least each column's floor) fit `target` units when drawn side by side:
// the columns that may shrink give up their slack above their floor in proportion to it.
// Widths already within the target, or at their floors, are left as they are.
void fitToWidth(std::vector<double>& widths, const std::vector<double>& floors, double target);

// The printable width a sheet of the document is fitted to: the document's orientation, or
// landscape when the floors do not fit a portrait page (the sheet then prints landscape).
double fitTarget(const model::Document& doc, const std::vector<double>& floors);

// The columns of a running sheet, shared by the tables and the text that go down it: each
// column as wide as its widest table column wants, fitted to the page together.
struct ColumnGrid {
    std::vector<double> wants;
    std::vector<double> floors;
    std::vector<double> widths;

    std::size_t size() const { return widths.size(); }
    // Widths of columns [first, last], summed.
    double span(std::size_t first, std::size_t last) const;
    // Takes in what a table's columns need (column c of the table is column c of the grid).
    void add(const std::vector<ColumnNeed>& needs);
    // Widths from the wants, fitted to the page (fitTarget).
    void fit(const model::Document& doc);
    // add() and fit() once rows may have been written: with `keep`, no column becomes narrower
    // than it is, so the heights of the rows above still hold their text.
    void widen(const std::vector<ColumnNeed>& needs, const model::Document& doc, bool keep);
    void apply(SheetWriter& sheet) const;
};

}  // namespace gp::xlsx::detail
