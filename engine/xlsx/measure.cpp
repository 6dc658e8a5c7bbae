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

namespace {

// One code point of `s` at `i`, advancing `i`; what the renderer measures needs only to tell
// spaces and line breaks from the rest, so malformed bytes simply count as one character each.
char32_t nextCodePoint(std::string_view s, std::size_t& i) {
    const auto c = static_cast<unsigned char>(s[i++]);
    if (c < 0x80) return c;
    int extra = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 0;
    char32_t cp = extra == 1 ? (c & 0x1F) : extra == 2 ? (c & 0x0F) : (c & 0x07);
    if (extra == 0) return 0xFFFD;
    for (; extra > 0; --extra) {
        if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0xFFFD;
        cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
    }
    return cp;
}

bool breaks(char32_t c) { return isSpace(c) || c == U'\n' || c == U'\r'; }

}  // namespace

// Walks the UTF-8 text in place (no decoded copy): a streamed table measures every row.
int wrappedLines(std::string_view text, std::size_t charsPerLine) {
    charsPerLine = std::max<std::size_t>(charsPerLine, 1);
    int lines = 1;
    std::size_t used = 0;  // characters on the current line
    std::size_t i = 0;
    while (i < text.size()) {
        char32_t c = nextCodePoint(text, i);
        if (c == U'\n') {
            ++lines;
            used = 0;
            continue;
        }
        if (c == U'\r') continue;
        if (isSpace(c)) {
            // A space that does not fit is swallowed by the line break.
            if (used < charsPerLine) ++used;
            continue;
        }
        std::size_t word = 1;  // the word that starts with c
        while (i < text.size()) {
            std::size_t before = i;
            if (breaks(nextCodePoint(text, i))) {
                i = before;
                break;
            }
            ++word;
        }
        if (used > 0 && used + word > charsPerLine) {
            ++lines;
            used = 0;
        }
        while (word > charsPerLine) {  // a word wider than the column is split
            ++lines;
            word -= charsPerLine;
        }
        used += word;
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
