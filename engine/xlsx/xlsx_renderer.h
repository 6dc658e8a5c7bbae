// The XLSX renderer: writes a model::Document as an Excel workbook with libxlsxwriter.
// The first sheet holds the title, headings, paragraphs and field lists; every table gets
// a sheet of its own with typed cells, a frozen header, an autofilter and a totals row of
// formulas whose cached results are the engine's exact totals.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "model/document.h"

namespace gp::xlsx {

struct Options {
    std::filesystem::path tmpdir;  // for libxlsxwriter's temporary files; empty = system default
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
