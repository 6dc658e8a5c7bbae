#include "core/utf8.h"

#include <algorithm>
#include <cstdio>

namespace gp::utf8 {

std::u32string decode(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        char32_t cp;
        int extra;
        if (c < 0x80) { cp = c; extra = 0; }
        else if ((c & 0xE0) == 0xC0) { cp = c & 0x1F; extra = 1; }
        else if ((c & 0xF0) == 0xE0) { cp = c & 0x0F; extra = 2; }
        else if ((c & 0xF8) == 0xF0) { cp = c & 0x07; extra = 3; }
        else { out.push_back(0xFFFD); ++i; continue; }
        bool ok = true;
        for (int k = 1; k <= extra; ++k) {
            if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) { ok = false; break; }
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        }
        if (!ok) { out.push_back(0xFFFD); ++i; continue; }
        static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
        if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
        out.push_back(cp);
        i += static_cast<size_t>(extra) + 1;
    }
    return out;
}

void append(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string encode(std::u32string_view s) {
    std::string out;
    out.reserve(s.size() * 2);
    for (char32_t c : s) append(out, c);
    return out;
}

std::string fromUtf16(std::u16string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        char32_t c = text[i];
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text.size() && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (static_cast<char32_t>(text[i + 1]) - 0xDC00);
            ++i;
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            c = 0xFFFD;
        }
        append(out, c);
    }
    return out;
}

bool valid(std::string_view s) {
    // Re-encoding is lossless exactly when every sequence decoded cleanly.
    return encode(decode(s)) == s;
}

std::string codePointName(char32_t cp) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
    return buf;
}

namespace {

// Length of the well-formed UTF-8 sequence at s[i] (Unicode's table 3-7), 0 when there is none.
size_t sequenceAt(std::string_view s, size_t i) {
    const auto b = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0x100u; };
    const unsigned c = b(0);
    const auto cont = [](unsigned x, unsigned lo = 0x80, unsigned hi = 0xBF) { return x >= lo && x <= hi; };
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return cont(b(1)) ? 2 : 0;
    if (c == 0xE0) return cont(b(1), 0xA0) && cont(b(2)) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(b(1)) && cont(b(2)) ? 3 : 0;
    if (c == 0xED) return cont(b(1), 0x80, 0x9F) && cont(b(2)) ? 3 : 0;
    if (c == 0xF0) return cont(b(1), 0x90) && cont(b(2)) && cont(b(3)) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3) return cont(b(1)) && cont(b(2)) && cont(b(3)) ? 4 : 0;
    if (c == 0xF4) return cont(b(1), 0x80, 0x8F) && cont(b(2)) && cont(b(3)) ? 4 : 0;
    return 0;
}

// The code point of a well-formed sequence of n bytes at s[i].
char32_t codePointAt(std::string_view s, size_t i, size_t n) {
    const auto b = [&](size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k])); };
    switch (n) {
        case 1: return b(0);
        case 2: return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
        case 3: return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
        default: return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
    }
}

bool isControl(char32_t cp) {
    if (cp == U'\t' || cp == U'\n' || cp == U'\r') return false;
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF;
}

void note(std::vector<std::string>* list, std::string item) {
    if (list && std::find(list->begin(), list->end(), item) == list->end()) list->push_back(std::move(item));
}

}  // namespace

bool sanitize(std::string& s, std::vector<std::string>* bytes, std::vector<std::string>* controls) {
    // Most text is printable ASCII or well-formed UTF-8 without control characters.
    bool clean = true;
    for (size_t i = 0; i < s.size() && clean;) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7F) { ++i; continue; }
        const size_t n = sequenceAt(s, i);
        if (n == 0) { clean = false; break; }
        if (isControl(codePointAt(s, i, n))) clean = false;
        i += n;
    }
    if (clean) return false;
    std::string out;
    out.reserve(s.size() + 8);
    for (size_t i = 0; i < s.size();) {
        const size_t n = sequenceAt(s, i);
        if (n == 0) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(s[i])));
            note(bytes, buf);
            append(out, 0xFFFD);
            ++i;
            continue;
        }
        const char32_t cp = codePointAt(s, i, n);
        if (isControl(cp)) {
            note(controls, codePointName(cp));
            append(out, 0xFFFD);
        } else {
            out.append(s, i, n);
        }
        i += n;
    }
    s = std::move(out);
    return true;
}

size_t length(std::string_view s) {
    size_t n = 0;
    for (char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

char32_t toUpper(char32_t c) {
    if (c >= U'a' && c <= U'z') return c - 32;
    if (c >= U'а' && c <= U'я') return c - 32;
    if (c >= 0x450 && c <= 0x45F) return c - 80;  // ѐ..џ, including ё
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 32;
    return c;
}

char32_t toLower(char32_t c) {
    if (c >= U'A' && c <= U'Z') return c + 32;
    if (c >= U'А' && c <= U'Я') return c + 32;
    if (c >= 0x400 && c <= 0x40F) return c + 80;  // Ѐ..Џ, including Ё
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
    return c;
}

std::string upper(std::string_view s) {
    std::u32string u = decode(s);
    for (auto& c : u) c = toUpper(c);
    return encode(u);
}

std::string lower(std::string_view s) {
    std::u32string u = decode(s);
    for (auto& c : u) c = toLower(c);
    return encode(u);
}

}  // namespace gp::utf8
