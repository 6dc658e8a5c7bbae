// A table on a sheet of its own: caption, header (frozen, repeated on every printed page,
// with an autofilter), typed data rows, optional groups (a header row, the rows at outline
// level 1, a SUBTOTAL row), and a totals row of formulas carrying the engine's exact totals
// as cached values. Rows are written once, top to bottom, so a streamed table of a million
// rows passes through one row at a time.
#pragma once

#include <cstddef>

#include "model/document.h"
#include "xlsx/sheet.h"

namespace gp::xlsx::detail {

// Renders `table` on `sheet`. A streamed table's columns are fitted to its first
// `measureRows` rows (widened afterwards where a total would not fit).
void renderTable(SheetWriter& sheet, const model::Document& doc, const model::Table& table, std::size_t measureRows);

}  // namespace gp::xlsx::detail
