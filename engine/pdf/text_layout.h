// Line breaking for the PDF renderer, independent of libharu: text in, lines of words out.
//
// Breaks at spaces, after a hyphen or dash inside a word, at a soft hyphen (U+00AD, drawn
// as "-" only when the line breaks there), at a zero-width space (U+200B), at Russian
// hyphenation points (with a Hyphenator, drawn as "-") and, reluctantly, after "/" inside a
// word. Never breaks at a no-break space (U+00A0, U+202F, U+2007): the words it joins stay
// one run, with the no-break space measured and drawn as an ordinary space; only when such
// a group is wider than the whole line is it broken there. A word wider than the whole line
// is broken between characters. "\n" (also "\r\n", U+2028, U+2029) forces a line break.
//
// Russian typesetting rules, applied to plain spaces (template text has no no-break spaces):
//  - a one-letter word ("в", "и", "с"), "№" or "§" never ends a line; a lone dash never starts one;
//  - initials stay with each other and with the surname ("Е. С. Воронцова", "Воронцова Е. С.");
//  - abbreviations stay with what follows ("г. Москва", "ул. Ленина", "т. е.", "рис. 3");
//  - digit groups stay together and do not stretch ("2 691 000"), nor do a number and its
//    currency or percent sign ("000 ₽", "25 %"); units and months stay with their number
//    ("5 тыс.", "2022 г.", "1 января").
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gp::pdf {

// Which font draws a character: an index the caller gives meaning to (style, fallback).
using FontId = std::uint8_t;

// Width in points of one drawn code point at the size being laid out.
using Advance = std::function<double(char32_t)>;
using StyledAdvance = std::function<double(char32_t, FontId)>;

// A piece of text drawn without a break: a word, the part of a word before or after a
// break, or words joined by no-break spaces. Its characters may come from several fonts.
struct Run {
    std::u32string text;        // what to draw: only code points the fonts must have, and U+0020
    std::vector<FontId> fonts;  // one per character of `text`
    double width = 0;
};

struct Line {
    std::vector<Run> runs;  // separated by one space each
    double space = 0;       // width of that space
    double width = 0;       // natural width: runs plus the spaces between them (may exceed
                            // maxWidth a little when WrapOptions::shrink allows it), with
                            // the tracking applied
    bool last = false;      // ends a paragraph or a forced break: never justified
    double tracking = 0;    // added to each character's advance (≤ 0: a tightened line; the
                            // runs' widths include it)
};

// Russian hyphenation with libhyphen and a TeX-pattern dictionary in KOI8-R (Debian's
// hyphen-ru). Thread-safe after construction.
class Hyphenator {
public:
    explicit Hyphenator(const std::filesystem::path& dictionary);  // throws gp::Error(Render)
    ~Hyphenator();
    Hyphenator(const Hyphenator&) = delete;
    Hyphenator& operator=(const Hyphenator&) = delete;

    // Positions k (0 < k < word.size()) where `word` (Cyrillic letters only, any case) may be
    // broken as word[0, k) + "-" / word[k, end), at least two letters on either side.
    std::vector<size_t> points(std::u32string_view word) const;

    // Debian's dictionary (/usr/share/hyphen/hyph_ru_RU.dic), loaded once per process;
    // null when it is not installed (hyphenation is then off).
    static const Hyphenator* russian();

private:
    struct Dict;
    std::unique_ptr<Dict> dict_;
};

// A justified line's spaces grow by at most this many widths of a space (twice as wide at
// most); line breaking avoids lines that would need more, and the typesetter stops there.
inline constexpr double kMaxStretch = 1.0;

struct WrapOptions {
    // Lines of similar length (centred titles) instead of full lines before the last.
    bool balanced = false;
    // Hyphenate Russian words of five or more letters where that makes better lines.
    const Hyphenator* hyphenator = nullptr;
    // Justified text: how much of its width a space may give up (0.2: a fifth) so a line
    // holds one more word; such lines are wider than maxWidth by at most that much, and the
    // justification squeezes them. 0 for text that is not justified.
    double shrink = 0;
    // Justified text: how much each character's advance may give up, in the advance's units
    // (a typesetter's tightening, about 1.5% of the size), to pull a paragraph's lone short
    // last word («0.», «копеек») back onto the line before it, when the spaces cannot. Only
    // such paragraphs are tightened. 0: never.
    double tighten = 0;
};

// True when the font needs a glyph for `cp` to draw it. False for spaces (drawn as
// U+0020), line breaks, soft hyphens and zero-width characters.
bool needsGlyph(char32_t cp);

// Breaks `text` into lines no wider than `maxWidth` (except a single character that is
// wider by itself). `fonts` gives each character's font (same size as `text`, or empty for
// font 0 throughout); spaces are as wide as a space of the first character's font. Breaks
// are chosen for the whole paragraph at once (total fit, as in TeX), so lines are evenly
// filled; two hyphenated lines in a row and a hyphen before the last line are avoided.
// Consecutive spaces collapse; leading and trailing spaces and trailing line breaks are
// dropped; an empty text gives no lines; an empty line between two line breaks gives a Line
// without runs.
std::vector<Line> wrap(std::u32string_view text, std::span<const FontId> fonts, double maxWidth,
                       const StyledAdvance& advance, const WrapOptions& options = {});
// One font, no hyphenation.
std::vector<Line> wrap(std::u32string_view text, double maxWidth, const Advance& advance, bool balanced = false);

}  // namespace gp::pdf
