// Text measuring for the XLSX renderer. libxlsxwriter 1.1.4 has no autofit and Excel does
// not fit row heights of merged or freshly written wrapped cells, so the renderer estimates
// column widths and row heights from the text itself.
#pragma once

#include <cstddef>
#include <string_view>

namespace gp::xlsx::measure {

// Width of the widest line of `text` in characters (code points; '\n' separates lines).
std::size_t textWidth(std::string_view text);

// Length of the longest word (run of non-spaces) in characters.
std::size_t longestWord(std::string_view text);

// Lines `text` takes when word-wrapped at `charsPerLine` characters per line: the greedy
// algorithm Excel uses, '\n' starts a new line, a word longer than a line is split.
// At least 1, even for empty text.
int wrappedLines(std::string_view text, std::size_t charsPerLine);

// Column width in Excel units (widths of '0' in the default font) that shows `chars`
// characters, and back: how many characters fit in a column (or merged range) that wide.
double widthFor(std::size_t chars, bool bold);
std::size_t charsIn(double width, bool bold);

}  // namespace gp::xlsx::measure
