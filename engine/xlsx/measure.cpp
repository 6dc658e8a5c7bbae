#include "xlsx/measure.h"

#include <algorithm>
#include <cstdint>

namespace gp::xlsx::measure {
namespace {

// Advance widths of Carlito (metrically compatible with Calibri), in hundredths of the width
// of '0', measured from the fonts of Debian's fonts-crosextra-carlito: U+0020..U+007E and
// U+0400..U+045F, regular and bold.
constexpr std::uint8_t kAsciiRegular[] = {
    45, 64, 79, 98, 100, 141, 135, 44, 60, 60, 98, 98, 49, 60, 50, 76,
    100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 53, 53, 98, 98, 98, 91,
    176, 114, 107, 105, 121, 96, 91, 124, 123, 50, 63, 103, 83, 169, 127, 131,
    102, 133, 107, 91, 96, 127, 112, 176, 102, 96, 92, 61, 76, 61, 98, 98,
    57, 95, 104, 83, 104, 98, 60, 93, 104, 45, 47, 90, 45, 158, 104, 104,
    104, 104, 69, 77, 66, 104, 89, 141, 85, 89, 78, 62, 91, 62, 98,
};
constexpr std::uint8_t kAsciiBold[] = {
    45, 64, 87, 98, 100, 144, 139, 46, 61, 61, 98, 98, 51, 60, 53, 85,
    100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 54, 54, 98, 98, 98, 91,
    177, 120, 111, 104, 124, 96, 91, 126, 124, 53, 65, 108, 83, 172, 130, 133,
    105, 135, 111, 93, 98, 129, 117, 179, 109, 103, 94, 64, 85, 64, 98, 98,
    59, 97, 106, 83, 106, 99, 62, 94, 106, 48, 50, 95, 48, 161, 106, 106,
    106, 106, 70, 79, 68, 106, 93, 147, 91, 93, 78, 68, 94, 68, 98,
};
constexpr std::uint8_t kCyrillicRegular[] = {
    96, 96, 123, 85, 108, 91, 50, 50, 63, 172, 173, 122, 107, 127, 104, 122,
    114, 106, 107, 85, 127, 96, 158, 93, 127, 127, 107, 121, 169, 123, 131, 123,
    102, 105, 96, 104, 138, 102, 126, 110, 171, 176, 121, 150, 105, 108, 173, 110,
    95, 105, 95, 68, 110, 98, 136, 83, 107, 107, 92, 101, 133, 105, 104, 103,
    104, 83, 76, 89, 123, 85, 107, 92, 144, 148, 106, 131, 93, 87, 142, 94,
    98, 98, 107, 68, 88, 77, 45, 45, 47, 148, 152, 105, 92, 107, 89, 104,
};
constexpr std::uint8_t kCyrillicBold[] = {
    96, 96, 125, 85, 106, 93, 53, 53, 65, 177, 177, 125, 111, 129, 108, 124,
    120, 110, 111, 85, 133, 96, 164, 95, 129, 129, 111, 124, 172, 124, 133, 124,
    105, 104, 98, 108, 143, 109, 130, 112, 177, 183, 126, 158, 109, 106, 180, 113,
    97, 105, 98, 70, 115, 99, 145, 84, 110, 110, 98, 104, 141, 108, 106, 105,
    106, 83, 77, 93, 133, 91, 111, 96, 151, 156, 110, 140, 98, 86, 149, 98,
    99, 99, 109, 70, 86, 79, 48, 48, 50, 153, 157, 108, 98, 110, 93, 106,
};
static_assert(sizeof kAsciiRegular == 0x5F && sizeof kAsciiBold == 0x5F);
static_assert(sizeof kCyrillicRegular == 0x60 && sizeof kCyrillicBold == 0x60);

constexpr double kUnknown = 1.2;  // a character outside the tables: a wide letter
// The cell's margins (Excel: 2 px each side of 7 px units) and a share to spare: LibreOffice
// and Excel round glyph widths to pixels at 96 dpi, which adds up over a line.
constexpr double kMargin = 0.8;
constexpr double kSpare = 1.04;
constexpr double kEpsilon = 1e-6;

bool isSpace(char32_t c) { return c == U' ' || c == U'\t' || c == 0xA0; }
bool breaks(char32_t c) { return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r'; }

// One code point of `s` at `i`, advancing `i`; malformed bytes count as one U+FFFD each.
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

}  // namespace

double charWidth(char32_t c, bool bold) {
    if (c >= 0x20 && c < 0x7F) return (bold ? kAsciiBold : kAsciiRegular)[c - 0x20] / 100.0;
    if (c >= 0x400 && c < 0x460) return (bold ? kCyrillicBold : kCyrillicRegular)[c - 0x400] / 100.0;
    switch (c) {
        case 0xA0: return 0.45;                    // no-break space
        case 0xAD: return 0;                       // soft hyphen (dropped from cells)
        case 0xAB: case 0xBB: return bold ? 1.06 : 1.01;  // « »
        case 0x2013: return 0.98;                  // –
        case 0x2014: return 1.79;                  // —
        case 0x2026: return bold ? 1.40 : 1.36;    // …
        case 0x2116: return bold ? 2.06 : 2.02;    // №
        case 0x20BD: return 1.0;                   // ₽
        case 0x2018: case 0x2019: return 0.5;      // ‘ ’
        case 0x201C: case 0x201D: case 0x201E: return bold ? 0.86 : 0.83;  // “ ” „
        case 0xB0: return 0.67;                    // °
        case 0xA7: case 0xD7: return 0.98;         // § ×
        default: return kUnknown;
    }
}

double textWidth(std::string_view text, bool bold) {
    double widest = 0;
    double current = 0;
    for (std::size_t i = 0; i < text.size();) {
        const char32_t c = nextCodePoint(text, i);
        if (c == U'\n') {
            widest = std::max(widest, current);
            current = 0;
        } else if (c != U'\r') {
            current += charWidth(c, bold);
        }
    }
    return std::max(widest, current);
}

double longestWord(std::string_view text, bool bold) {
    double longest = 0;
    double current = 0;
    for (std::size_t i = 0; i < text.size();) {
        const char32_t c = nextCodePoint(text, i);
        if (isSpace(c) || c == U'\n' || c == U'\r') {
            current = 0;
        } else {
            current += charWidth(c, bold);
            longest = std::max(longest, current);
        }
    }
    return longest;
}

// Walks the UTF-8 text in place (no decoded copy): a streamed table measures every row.
int wrappedLines(std::string_view text, double width, bool bold) {
    width = std::max(width, 1.0);
    int lines = 1;
    double used = 0;  // width taken on the current line
    std::size_t i = 0;
    while (i < text.size()) {
        const char32_t c = nextCodePoint(text, i);
        if (c == U'\n') {
            ++lines;
            used = 0;
            continue;
        }
        if (c == U'\r') continue;
        if (isSpace(c)) {
            // A space that does not fit is swallowed by the line break.
            used = std::min(width, used + charWidth(c, bold));
            continue;
        }
        double word = charWidth(c, bold);  // the word that starts with c
        while (i < text.size()) {
            const std::size_t before = i;
            const char32_t next = nextCodePoint(text, i);
            if (breaks(next)) {
                i = before;
                break;
            }
            word += charWidth(next, bold);
        }
        // A text measured for its column fits it exactly: the sums may differ in the last bit.
        if (used > 0 && used + word > width + kEpsilon) {
            ++lines;
            used = 0;
        }
        while (word > width + kEpsilon) {  // a word wider than the column is split
            ++lines;
            word -= width;
        }
        used += word;
    }
    return lines;
}

double widthFor(double width) { return width * kSpare + kMargin; }

double textSpace(double columnWidth) { return std::max(0.0, (columnWidth - kMargin) / kSpare); }

}  // namespace gp::xlsx::measure
