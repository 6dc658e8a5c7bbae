// A table, on a sheet of its own or down a running sheet: caption, header (where it is the
// only table of its sheet: with an autofilter, repeated on every printed page and, near the
// top, frozen), typed data rows, optional groups (a header row, the rows at outline
// level 1, a SUBTOTAL row), and a totals row of formulas carrying the engine's exact totals
// as cached values. Rows are written once, top to bottom, so a streamed table of a million
// rows passes through one row at a time.
#pragma once

#include <cstddef>

#include "model/document.h"
#include "xlsx/columns.h"
#include "xlsx/sheet.h"

namespace gp::xlsx::detail {

struct TablePlacement {
    lxw_row_t firstRow = 0;  // where the caption (or the header) goes
    // The running sheet's columns when the table goes down one (it takes their widths; a
    // streamed table widens them by what its first rows need); null: the table has a sheet
    // of its own, fits its columns to the page and sets up the printing.
    ColumnGrid* grid = nullptr;
    bool alone = true;  // the only table on its sheet
};

// Renders `table` on `sheet`; returns the row after its last. A streamed table's columns are
// fitted to its first `measureRows` rows (widened afterwards where a total would not fit).
lxw_row_t renderTable(SheetWriter& sheet, const model::Document& doc, const model::Table& table,
                      std::size_t measureRows, const TablePlacement& placement = {});

}  // namespace gp::xlsx::detail
