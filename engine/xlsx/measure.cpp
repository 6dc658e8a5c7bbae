#include "xlsx/measure.h"

#include <algorithm>
#include <cmath>

#include "core/utf8.h"

namespace gp::xlsx::measure {
namespace {

// Cyrillic letters in Calibri are on average a little wider than the digit '0' that defines
// Excel's width unit, bold ones wider still; the padding covers the cell margins.
constexpr double kCharWidth = 1.1;
constexpr double kBoldCharWidth = 1.2;
constexpr double kPadding = 1.5;

bool isSpace(char32_t c) { return c == U' ' || c == U'\t' || c == 0xA0; }

}  // namespace

std::size_t textWidth(std::string_view text) {
    std::size_t widest = 0;
    std::size_t current = 0;
    for (char32_t c : utf8::decode(text)) {
        if (c == U'\n') {
            widest = std::max(widest, current);
            current = 0;
        } else if (c != U'\r') {
            ++current;
        }
    }
    return std::max(widest, current);
}

std::size_t longestWord(std::string_view text) {
    std::size_t longest = 0;
    std::size_t current = 0;
    for (char32_t c : utf8::decode(text)) {
        if (isSpace(c) || c == U'\n' || c == U'\r') {
            current = 0;
        } else {
            longest = std::max(longest, ++current);
        }
    }
    return longest;
}

int wrappedLines(std::string_view text, std::size_t charsPerLine) {
    charsPerLine = std::max<std::size_t>(charsPerLine, 1);
    const std::u32string s = utf8::decode(text);
    int lines = 1;
    std::size_t used = 0;  // characters on the current line
    std::size_t i = 0;
    while (i < s.size()) {
        char32_t c = s[i];
        if (c == U'\n') {
            ++lines;
            used = 0;
            ++i;
            continue;
        }
        if (c == U'\r') {
            ++i;
            continue;
        }
        if (isSpace(c)) {
            // A space that does not fit is swallowed by the line break.
            if (used < charsPerLine) ++used;
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < s.size() && !isSpace(s[end]) && s[end] != U'\n' && s[end] != U'\r') ++end;
        std::size_t word = end - i;
        if (used > 0 && used + word > charsPerLine) {
            ++lines;
            used = 0;
        }
        while (word > charsPerLine) {  // a word wider than the column is split
            ++lines;
            word -= charsPerLine;
        }
        used += word;
        i = end;
    }
    return lines;
}

double widthFor(std::size_t chars, bool bold) {
    return static_cast<double>(chars) * (bold ? kBoldCharWidth : kCharWidth) + kPadding;
}

std::size_t charsIn(double width, bool bold) {
    double chars = std::floor((width - kPadding) / (bold ? kBoldCharWidth : kCharWidth));
    return chars < 1 ? 1 : static_cast<std::size_t>(chars);
}

}  // namespace gp::xlsx::measure
