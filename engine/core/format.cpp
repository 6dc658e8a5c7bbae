#include "core/format.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/number_words.h"
#include "core/utf8.h"

namespace gp::format {

std::string groupDigits(const std::string& digits, bool groupFour) {
    if (digits.size() <= 3 || (!groupFour && digits.size() == 4)) return digits;
    std::string out;
    size_t lead = digits.size() % 3;
    if (lead == 0) lead = 3;
    out.append(digits, 0, lead);
    for (size_t i = lead; i < digits.size(); i += 3) {
        out += kNbsp;
        out.append(digits, i, 3);
    }
    return out;
}

std::string number(Decimal value, int decimals) {
    std::string plain = value.toString(decimals);  // "-1234.50"
    bool negative = plain[0] == '-';
    if (negative) plain.erase(0, 1);
    size_t dot = plain.find('.');
    std::string whole = plain.substr(0, dot);
    std::string out = negative ? "−" : "";  // U+2212 minus, as Russian typesetting wants
    out += groupDigits(whole, false);
    if (dot != std::string::npos) out += "," + plain.substr(dot + 1);
    return out;
}

namespace {
constexpr std::string_view kMinus = "\u2212";
bool isDigit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

std::size_t integerDigits(const std::string& formatted) {
    std::string_view s = formatted;
    if (s.substr(0, kMinus.size()) == kMinus) s.remove_prefix(kMinus.size());
    else if (!s.empty() && s[0] == '-') s.remove_prefix(1);
    std::size_t digits = 0;
    while (!s.empty()) {
        if (isDigit(s[0])) {
            ++digits;
            s.remove_prefix(1);
        } else if (digits > 0 && s.substr(0, 2) == kNbsp && s.size() > 2 && isDigit(s[2])) {
            s.remove_prefix(2);
        } else {
            break;
        }
    }
    return digits;
}

std::string groupFourDigits(const std::string& formatted) {
    std::size_t start = 0;
    if (formatted.compare(0, kMinus.size(), kMinus) == 0) start = kMinus.size();
    else if (!formatted.empty() && formatted[0] == '-') start = 1;
    std::size_t end = start;
    while (end < formatted.size() && isDigit(formatted[end])) ++end;
    if (end - start != 4) return formatted;
    if (end < formatted.size() && formatted.compare(end, 2, kNbsp) == 0 && end + 2 < formatted.size() &&
        isDigit(formatted[end + 2]))
        return formatted;  // already part of a grouped number
    return formatted.substr(0, start + 1) + kNbsp + formatted.substr(start + 1);
}

namespace {

// The code point that ends at byte `end` of `text` (U+0020 at the start), and the one that
// starts at byte `at` (U+0020 at the end).
char32_t codePointBefore(const std::string& text, std::size_t end) {
    if (end == 0) return U' ';
    std::size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    const std::u32string cp = utf8::decode(std::string_view(text).substr(start, end - start));
    return cp.empty() ? U' ' : cp.back();
}
char32_t codePointAt(const std::string& text, std::size_t at) {
    if (at >= text.size()) return U' ';
    std::size_t end = at + 1;
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
    const std::u32string cp = utf8::decode(std::string_view(text).substr(at, end - at));
    return cp.empty() ? U' ' : cp.front();
}

// What makes a digit run part of a word, a code, a date or a time rather than a number.
bool joins(char32_t c) {
    return (c >= U'A' && c <= U'Z') || (c >= U'a' && c <= U'z') || (c >= U'\u0400' && c <= U'\u04FF') ||
           c == U'\u2116' || c == U'.' || c == U'/' || c == U'-' || c == U':' || c == U'_' || c == U'#' || c == U'+';
}

}  // namespace

std::string groupNumbersInText(const std::string& text) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (!isDigit(text[i])) {
            out += text[i++];
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && isDigit(text[end])) ++end;
        // A decimal comma with digits after the run belongs to the number.
        std::size_t after = end;
        if (after + 1 < text.size() && text[after] == ',' && isDigit(text[after + 1])) {
            ++after;
            while (after < text.size() && isDigit(text[after])) ++after;
        }
        const char32_t before = codePointBefore(text, i), next = codePointAt(text, after);
        const bool listed = (before == U',' && i >= 2 && isDigit(text[i - 2])) ||  // "1,23456": not ours to read
                            (next == U',' && after + 1 < text.size() && isDigit(text[after + 1]));
        if (end - i >= 5 && !joins(before) && !joins(next) && !listed) out += groupDigits(text.substr(i, end - i));
        else out.append(text, i, end - i);
        out.append(text, end, after - end);
        i = after;
    }
    return out;
}

std::string integer(std::int64_t value) {
    if (value < 0) {
        unsigned long long a = 0ULL - static_cast<unsigned long long>(value);
        return "−" + groupDigits(std::to_string(a), false);
    }
    return groupDigits(std::to_string(value), false);
}

std::string money(Decimal value, const std::string& currency) {
    std::string out = number(value, 2);
    if (!currency.empty()) out += kNbsp + currency;
    return out;
}

std::string percent(Decimal fraction, int decimals) {
    return number(fraction * Decimal::fromInt(100), decimals) + kNbsp + "%";
}

std::string dateShort(const Date& d) { return fmt::format("{:02}.{:02}.{:04}", d.day, d.month, d.year); }

// A month outside 1..12 comes only from a date no calendar has (a database's zero date
// 0000-00-00 read through a driver that does not refuse it): such a date is shown as the
// digits it holds, never looked up in the month names.
static bool namedMonth(const Date& d) { return d.month >= 1 && d.month <= 12; }

// Months as a date names them: «1 января».
constexpr const char* kGenitive[] = {"января", "февраля", "марта",    "апреля",  "мая",    "июня",
                                     "июля",   "августа", "сентября", "октября", "ноября", "декабря"};

std::string dateLong(const Date& d) {
    if (!namedMonth(d)) return dateShort(d);
    return fmt::format("{}{}{}{}{}{}г.", d.day, kNbsp, kGenitive[d.month - 1], " ", d.year, kNbsp);
}

std::string dateQuoted(const Date& d) {
    if (!namedMonth(d)) return dateShort(d);
    return fmt::format("«{:02}»{}{}{}{}{}г.", d.day, kNbsp, kGenitive[d.month - 1], " ", d.year, kNbsp);
}

std::string monthYear(const Date& d) {
    static constexpr const char* kNominative[] = {"январь", "февраль", "март",     "апрель",  "май",    "июнь",
                                                  "июль",   "август",  "сентябрь", "октябрь", "ноябрь", "декабрь"};
    if (!namedMonth(d)) return dateShort(d);
    return fmt::format("{} {}", kNominative[d.month - 1], d.year);
}

std::string yesNo(bool b) { return b ? "Да" : "Нет"; }

}  // namespace gp::format

namespace gp::format {

int pluralForm(std::int64_t n) {
    std::uint64_t a = n < 0 ? 0ULL - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
    std::uint64_t last2 = a % 100, last = a % 10;
    if (last2 >= 11 && last2 <= 14) return 2;
    if (last == 1) return 0;
    if (last >= 2 && last <= 4) return 1;
    return 2;
}

// In the nominative; core/number_words declines them in any case and writes both.
std::string integerInWords(std::int64_t n, bool feminine) {
    return words::cardinal(n, words::Case::Nominative, feminine ? words::Gender::Feminine : words::Gender::Masculine);
}

std::string amountInWords(Decimal amount) { return words::amount(amount, words::Case::Nominative); }

std::string capitalize(const std::string& s) {
    std::u32string u = utf8::decode(s);
    if (!u.empty()) u[0] = utf8::toUpper(u[0]);
    return utf8::encode(u);
}

std::string initials(const std::string& fullName) {
    std::vector<std::u32string> words;
    std::u32string word;
    for (char32_t c : utf8::decode(fullName)) {
        if (c == U' ' || c == U'\t' || c == U'\n' || c == 0xA0) {
            if (!word.empty()) words.push_back(std::move(word));
            word.clear();
        } else {
            word.push_back(c);
        }
    }
    if (!word.empty()) words.push_back(std::move(word));
    if (words.size() < 2 || words.size() > 3) return fullName;
    std::u32string out;
    for (std::size_t i = 1; i < words.size(); ++i) {
        out.push_back(utf8::toUpper(words[i][0]));
        out += U".\u00A0";
    }
    return utf8::encode(out + words[0]);
}

std::string webLink(const std::string& text) {
    const std::size_t b = text.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const std::string url = text.substr(b, text.find_last_not_of(" \t\r\n") - b + 1);
    std::string lowered = url.substr(0, 8);  // the scheme, compared in ASCII lower case
    for (char& c : lowered)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (lowered.rfind("http://", 0) != 0 && lowered.rfind("https://", 0) != 0 && lowered.rfind("mailto:", 0) != 0)
        return {};
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : url) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7F || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`' ||
            c == '{' || c == '|' || c == '}') {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        } else {
            out += ch;
        }
    }
    return out;
}

std::string truncate(const std::string& s, std::size_t n) {
    std::u32string u = utf8::decode(s);
    if (u.size() <= n) return s;
    u.resize(n > 0 ? n - 1 : 0);
    while (!u.empty() && (u.back() == U' ' || u.back() == U'\u00A0' || u.back() == U'\n')) u.pop_back();
    u += U'…';
    return utf8::encode(u);
}

}  // namespace gp::format

namespace gp::format {

std::int64_t dayNumber(const Date& d) {
    const std::int64_t y = d.year - (d.month <= 2 ? 1 : 0);
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t mp = (d.month + 9) % 12;
    const std::int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

std::optional<Date> dateFromDayNumber(std::int64_t z) {
    if (z < -800000 || z > 3000000) return std::nullopt;
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    if (y < 1 || y > 9999) return std::nullopt;
    return Date{static_cast<int>(y), static_cast<int>(m), static_cast<int>(d)};
}

Date dateOfUnixTime(std::int64_t seconds) {
    std::int64_t days = seconds / 86400;
    if (seconds % 86400 < 0) --days;
    return dateFromDayNumber(days).value_or(Date{1970, 1, 1});
}

}  // namespace gp::format
