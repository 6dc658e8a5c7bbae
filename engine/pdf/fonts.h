// TrueType faces for the PDF renderer: loaded lazily (only the styles a document uses, each
// once), embedded as subsets, measured per code point, and checked for missing glyphs.
#pragma once

#include <hpdf.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pdf/hpdf_document.h"
#include "pdf/text_layout.h"

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
    // Throws that error for text[pos]; `also` names other fonts that lack it too (may be empty).
    [[noreturn]] void reportMissing(std::u32string_view text, size_t pos, std::string_view where,
                                    std::string_view also) const;

private:
    HpdfDocument& doc_;
    std::filesystem::path file_;
    std::string name_;
    HPDF_Font font_ = nullptr;
    HPDF_FontDef def_ = nullptr;
    double ascent_ = 0.8;
    double descent_ = 0.2;
    // Answers already looked up (libharu scans the cmap on every call), in pages of 256 code
    // points allocated when first touched: width in 1/1000 em or -1 unknown; glyph 1 yes, 0
    // no, -1 unknown.
    struct CachePage {
        std::int32_t width[256];
        std::int8_t glyph[256];
    };
    CachePage& cachePage(char32_t cp) const;
    mutable std::array<std::unique_ptr<CachePage>, 256> cache_;
};

// The faces of one document. Every character is drawn by the first of these that has it:
//   the family's fast face of the wanted style, when fonts/fast/substitutes.txt names one
//     (a cut-down copy: loads and embeds several times faster);
//   the family's full face (<dir>/<family>-<Style>.ttf);
//   DejaVu Sans (<dir>/DejaVuSans.ttf, DejaVuSans-Bold.ttf for bold styles), when present;
// a character none of them has is an error naming it. Faces load the first time they are
// needed, each once. FontIds: 0..3 the styles' first faces, 4..7 the full faces behind fast
// ones, 8 and 9 DejaVu Sans and DejaVu Sans Bold.
class FontSet {
public:
    FontSet(HpdfDocument& doc, std::filesystem::path dir, std::string family);

    // The first face of a style (fast or full), loaded the first time it is asked for.
    const Face& face(Style style);
    static FontId id(Style style) { return static_cast<FontId>(style); }
    // A face already returned by fontFor (or the family's style `id`).
    const Face& face(FontId id);
    // The face that draws text[pos] in `style`; throws gp::Error(Render) naming the character
    // (and `where`) when no face has it.
    FontId fontFor(Style style, std::u32string_view text, size_t pos, std::string_view where);
    // The face that draws `cp` in `style` (a character that needs none: the style's own), or
    // none when no face has it.
    std::optional<FontId> find(Style style, char32_t cp);

private:
    const Face* full(Style style);
    const Face* fallback(bool bold);
    std::filesystem::path fullPath(Style style) const;

    HpdfDocument& doc_;
    std::filesystem::path dir_;
    std::string family_;
    std::string fast_;  // fast family ("GrantPressSerif"), empty when there is none
    std::array<std::unique_ptr<Face>, 10> faces_;
    std::array<bool, 2> fallbackMissing_{};
};

}  // namespace gp::pdf
