// TrueType faces for the PDF renderer: loaded lazily (only the styles a document uses, each
// once), embedded as subsets, measured per code point, and checked for missing glyphs.
#pragma once

#include <hpdf.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pdf/hpdf_document.h"

namespace gp::pdf {

enum class Style { Regular, Bold, Italic, BoldItalic };

class Face {
public:
    Face(HpdfDocument& doc, const std::filesystem::path& file);

    HPDF_Font font() const { return font_; }
    const std::filesystem::path& file() const { return file_; }

    // Advance width of a drawn code point at `size` points (exact: no kerning is applied).
    double advance(char32_t cp, double size) const;
    // Distance from the baseline up to the top / down to the bottom of the font's box,
    // as fractions of the size (descent is positive).
    double ascent() const { return ascent_; }
    double descent() const { return descent_; }

    bool hasGlyph(char32_t cp) const;
    // Throws gp::Error(Render) naming the first character of `text` this face cannot draw
    // (U+XXXX), the text around it and `where` (e.g. "table «Бюджет», row 3"; may be empty).
    void requireGlyphs(std::u32string_view text, std::string_view where) const;

private:
    HpdfDocument& doc_;
    std::filesystem::path file_;
    std::string name_;
    HPDF_Font font_ = nullptr;
    HPDF_FontDef def_ = nullptr;
    double ascent_ = 0.8;
    double descent_ = 0.2;
    mutable std::vector<std::int32_t> widths_;  // BMP cache, -1 = not asked yet
};

class FontSet {
public:
    FontSet(HpdfDocument& doc, std::filesystem::path dir, std::string family);

    // Loads <dir>/<family>-<Style>.ttf the first time it is asked for.
    const Face& face(Style style);

private:
    HpdfDocument& doc_;
    std::filesystem::path dir_;
    std::string family_;
    std::array<std::unique_ptr<Face>, 4> faces_;
};

}  // namespace gp::pdf
