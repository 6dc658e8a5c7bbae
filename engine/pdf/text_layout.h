// Line breaking for the PDF renderer, independent of libharu: text in, lines of words out.
//
// Breaks at spaces, after a hyphen or dash inside a word, at a soft hyphen (U+00AD, drawn
// as "-" only when the line breaks there), at a zero-width space (U+200B) and, reluctantly,
// after "/" inside a word. Never breaks
// at a no-break space (U+00A0, U+202F, U+2007): the words it joins stay one run, with the
// no-break space measured and drawn as an ordinary space; only when such a group is wider
// than the whole line is it broken there. A word wider than the whole line is broken
// between characters. "\n" (also "\r\n", U+2028, U+2029) forces a line break.
// Russian typesetting rules: a one-letter word ("в", "и", "с") or "№" never ends a line and
// a lone dash ("—") never starts one; the word moves to the next line with its neighbour.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace gp::pdf {

// Width in points of one drawn code point at the size being laid out.
using Advance = std::function<double(char32_t)>;

// A piece of text drawn with one text-show operation: a word, the part of a word before
// or after a break, or words joined by no-break spaces.
struct Run {
    std::u32string text;  // what to draw: only code points the font must have, and U+0020
    double width = 0;
};

struct Line {
    std::vector<Run> runs;  // separated by one space each
    double space = 0;       // width of that space
    double width = 0;       // natural width: runs plus the spaces between them
    bool last = false;      // ends a paragraph or a forced break: never justified
};

// True when the font needs a glyph for `cp` to draw it. False for spaces (drawn as
// U+0020), line breaks, soft hyphens and zero-width characters.
bool needsGlyph(char32_t cp);

// Breaks `text` into lines no wider than `maxWidth` (except a single character that is
// wider by itself). Breaks are chosen for the whole paragraph at once (total fit, as in
// TeX), so lines are evenly filled. `balanced`: the last line counts too, for centred
// titles whose lines should be of similar length. Consecutive spaces collapse; leading and
// trailing spaces and trailing line breaks are dropped; an empty text gives no lines; an
// empty line between two line breaks gives a Line without runs.
std::vector<Line> wrap(std::u32string_view text, double maxWidth, const Advance& advance, bool balanced = false);

}  // namespace gp::pdf
