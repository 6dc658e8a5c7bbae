// The XLSX renderer: writes a model::Document as an Excel workbook with libxlsxwriter.
//
// Sheets, in document order:
// - the first sheet (Document::sheet) holds the running content before the first heading
//   that names a sheet: title, headings, paragraphs (bold and italic runs as rich text),
//   field lists, images, charts and signatures, top to bottom over columns A:D; it is left
//   out when there is no such content (and the workbook would not be empty);
// - a heading with a sheet name starts a new such sheet for the blocks that follow;
// - every table gets a sheet of its own: typed cells, a frozen and repeated header, an
//   autofilter, groups as outline level 1 with SUBTOTAL rows, and a totals row of formulas
//   whose cached results are the engine's exact totals;
// - every chart gets a sheet with its data (categories and series) that the native chart,
//   drawn on the running sheet where the chart block stands, points at.
//
// A streamed table (Table::stream), or one of more than Options::constantMemoryRows rows,
// switches the workbook to libxlsxwriter's constant-memory mode (with ZIP64): rows are
// pulled one at a time and written strictly in order, so memory stays flat for a million rows.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "model/document.h"

namespace gp::xlsx {

struct Options {
    std::filesystem::path tmpdir;  // for libxlsxwriter's temporary files; empty = system default
    // A table with more rows than this (or any streamed table) makes the whole workbook use
    // constant memory. The output is the same workbook either way, except that strings are
    // stored in the cells rather than in a shared table and charts carry no cached data.
    std::size_t constantMemoryRows = 100000;
    // A streamed table's column widths are measured on its first rows, this many.
    std::size_t measureRows = 1000;
    // When set, texts cut to fit Excel's limits (32,767 characters a cell, 255 a page header
    // or footer) are reported here, once per column; the cut text ends with '…'.
    model::Warnings* warnings = nullptr;
};

// Writes `doc` as an .xlsx workbook at `path` (overwriting). Throws gp::Error(ErrorKind::Render)
// with a clear message on failure (ErrorKind::Output when the file itself cannot be created).
// Blocks whose target is PdfOnly are skipped. Nothing is written at `path` unless the whole
// workbook was built.
void render(const model::Document& doc, const std::filesystem::path& path, const Options& options = {});

// A valid Excel sheet name for `wanted`, distinct (case-insensitively, as Excel compares)
// from every name in `taken`: []:*?/\ become '_', control characters become spaces, leading
// and trailing spaces and apostrophes are dropped, at most 31 characters (UTF-16 units, so
// also at most 31 code points), "Лист" when nothing is left, and " (2)", " (3)", ... appended
// (after shortening) when the name is taken.
std::string sheetName(std::string_view wanted, const std::vector<std::string>& taken);

}  // namespace gp::xlsx
