// The PDF renderer: lays a model::Document out on pages (justified paragraphs, two-column
// field lists, tables that repeat their header on every page, bookmarks for headings,
// "Страница X из Y" footers) and writes it with libharu, fonts embedded as subsets.
#pragma once

#include <filesystem>

#include "model/document.h"

namespace gp::pdf {

struct Options {
    std::filesystem::path fontsDir;  // holds <family>-Regular.ttf, -Bold, -Italic, -BoldItalic (and DejaVuSans*.ttf)
    // Russian hyphenation with Debian's hyph_ru_RU.dic (off when it is not installed).
    bool hyphenate = true;
    // When set, a character no font has is drawn as U+FFFD (from DejaVu Sans; '?' without it)
    // and reported here, once per field; when not, it is an error naming it.
    model::Warnings* warnings = nullptr;
};

// Writes `doc` as a PDF at `path` (overwriting). Throws gp::Error(ErrorKind::Render) with a
// clear message on failure (missing font file names the path). Blocks targeted XlsxOnly are skipped.
void render(const model::Document& doc, const std::filesystem::path& path, const Options& options);

}  // namespace gp::pdf
