// Text measuring for the XLSX renderer. libxlsxwriter 1.1.4 has no autofit and Excel does
// not fit row heights of merged or freshly written wrapped cells, so the renderer estimates
// column widths and row heights from the text and the metrics of the sheets' font: Calibri
// 11 pt, libxlsxwriter's default, whose advance widths Carlito shares (the font LibreOffice
// draws Calibri with). Widths are in Excel's column unit, the width of the digit '0'.
#pragma once

#include <cstddef>
#include <string_view>

namespace gp::xlsx::measure {

// Width of one character in the unit ('0' = 1); a character the tables do not know counts
// as a wide letter.
double charWidth(char32_t c, bool bold);

// Width of the widest line of `text` ('\n' separates lines).
double textWidth(std::string_view text, bool bold);

// Width of the longest word (run of non-spaces).
double longestWord(std::string_view text, bool bold);

// Lines `text` takes when word-wrapped in a cell whose text may be `width` wide (see
// textSpace): the greedy algorithm Excel uses, '\n' starts a new line, a word wider than a
// line is split. At least 1, even for empty text.
int wrappedLines(std::string_view text, double width, bool bold);

// Column width that shows text `width` wide on one line, and back: the room for text in a
// column (or merged range) that wide. The difference is the cell's margins, with a little to
// spare for the ways programs round glyph widths.
double widthFor(double width);
double textSpace(double columnWidth);

}  // namespace gp::xlsx::measure
