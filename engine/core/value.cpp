#include "core/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace gp {
namespace {

__extension__ typedef __int128 i128;  // exact intermediate products of 64-bit units

std::int64_t checkedAdd(std::int64_t a, std::int64_t b) {
    std::int64_t r;
    if (__builtin_add_overflow(a, b, &r)) throw std::overflow_error("decimal overflow");
    return r;
}

std::int64_t narrow(i128 v) {
    if (v > std::numeric_limits<std::int64_t>::max() || v < std::numeric_limits<std::int64_t>::min())
        throw std::overflow_error("decimal overflow");
    return static_cast<std::int64_t>(v);
}

// Divides rounding half away from zero.
i128 divRound(i128 num, i128 den) {
    i128 q = num / den;
    i128 r = num % den;
    if (r < 0) r = -r;
    i128 d = den < 0 ? -den : den;
    if (2 * r >= d) q += ((num < 0) != (den < 0)) ? -1 : 1;
    return q;
}

constexpr std::int64_t kPow10[] = {1, 10, 100, 1000, 10000};

}  // namespace

Decimal Decimal::fromInt(std::int64_t v) { return fromUnits(narrow(static_cast<i128>(v) * kOne)); }

std::optional<Decimal> Decimal::parse(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    if (s.empty()) return std::nullopt;
    bool negative = false;
    if (s.front() == '-' || s.front() == '+') {
        negative = s.front() == '-';
        s.remove_prefix(1);
    }
    i128 units = 0;
    int fractionDigits = -1;  // -1: no point seen yet
    bool anyDigit = false;
    bool roundUp = false;
    for (char c : s) {
        if (c == '.') {
            if (fractionDigits >= 0) return std::nullopt;
            fractionDigits = 0;
            continue;
        }
        if (c < '0' || c > '9') return std::nullopt;
        anyDigit = true;
        if (fractionDigits >= kScale) {
            if (fractionDigits == kScale) roundUp = c >= '5';
            ++fractionDigits;
            continue;
        }
        units = units * 10 + (c - '0');
        if (units > std::numeric_limits<std::int64_t>::max()) return std::nullopt;
        if (fractionDigits >= 0) ++fractionDigits;
    }
    if (!anyDigit) return std::nullopt;
    int places = fractionDigits < 0 ? 0 : std::min(fractionDigits, kScale);
    units *= kPow10[kScale - places];
    if (roundUp) ++units;
    if (negative) units = -units;
    if (units > std::numeric_limits<std::int64_t>::max() || units < std::numeric_limits<std::int64_t>::min())
        return std::nullopt;
    return fromUnits(static_cast<std::int64_t>(units));
}

Decimal Decimal::fromDouble(double v) {
    if (!std::isfinite(v) || std::fabs(v) * kOne > 9.2e18) throw std::overflow_error("decimal overflow");
    return fromUnits(static_cast<std::int64_t>(std::llround(v * kOne)));
}

Decimal Decimal::rounded(int places) const {
    if (places >= kScale) return *this;
    if (places < 0) places = 0;
    std::int64_t step = kPow10[kScale - places];
    return fromUnits(narrow(divRound(units_, step) * step));
}

std::string Decimal::toString(int places) const {
    if (places < 0) places = 0;
    if (places > kScale) places = kScale;
    std::int64_t u = rounded(places).units_;
    bool negative = u < 0;
    unsigned long long a = negative ? 0ULL - static_cast<unsigned long long>(u) : static_cast<unsigned long long>(u);
    unsigned long long whole = a / kOne;
    unsigned long long frac = (a % kOne) / kPow10[kScale - places];
    std::string out = negative ? "-" : "";
    out += std::to_string(whole);
    if (places > 0) {
        std::string f = std::to_string(frac);
        out += '.';
        out.append(static_cast<size_t>(places) - f.size(), '0');
        out += f;
    }
    return out;
}

Decimal Decimal::operator+(Decimal o) const { return fromUnits(checkedAdd(units_, o.units_)); }
Decimal Decimal::operator-(Decimal o) const {
    if (o.units_ == std::numeric_limits<std::int64_t>::min()) throw std::overflow_error("decimal overflow");
    return fromUnits(checkedAdd(units_, -o.units_));
}
Decimal Decimal::operator*(Decimal o) const {
    return fromUnits(narrow(divRound(static_cast<i128>(units_) * o.units_, kOne)));
}
Decimal Decimal::operator/(Decimal o) const {
    if (o.units_ == 0) throw std::domain_error("division by zero");
    return fromUnits(narrow(divRound(static_cast<i128>(units_) * kOne, o.units_)));
}

bool Date::valid(int y, int m, int d) {
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
    return d <= max;
}

std::optional<Date> Date::parse(std::string_view s) {
    if (s.size() < 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    if (s.size() > 10 && s[10] != ' ' && s[10] != 'T') return std::nullopt;
    auto num = [&](size_t pos, size_t len, int& out) {
        auto r = std::from_chars(s.data() + pos, s.data() + pos + len, out);
        return r.ec == std::errc() && r.ptr == s.data() + pos + len;
    };
    Date d;
    if (!num(0, 4, d.year) || !num(5, 2, d.month) || !num(8, 2, d.day)) return std::nullopt;
    if (!valid(d.year, d.month, d.day)) return std::nullopt;
    return d;
}

std::string Date::iso() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
    return buf;
}

const char* typeName(const Value& v) {
    static constexpr const char* kNames[] = {"NULL", "boolean", "integer", "real", "decimal", "date", "text"};
    return kNames[v.index()];
}

std::string toPlainString(const Value& v) {
    struct Visitor {
        std::string operator()(Null) const { return ""; }
        std::string operator()(bool b) const { return b ? "true" : "false"; }
        std::string operator()(std::int64_t i) const { return std::to_string(i); }
        std::string operator()(double d) const {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.15g", d);
            return buf;
        }
        std::string operator()(Decimal d) const {
            std::string s = d.toString(Decimal::kScale);
            while (s.back() == '0') s.pop_back();
            if (s.back() == '.') s.pop_back();
            return s;
        }
        std::string operator()(const Date& d) const { return d.iso(); }
        std::string operator()(const std::string& s) const { return s; }
    };
    return std::visit(Visitor{}, v);
}

std::optional<Decimal> toDecimal(const Value& v) {
    if (auto* i = std::get_if<std::int64_t>(&v)) return Decimal::fromInt(*i);
    if (auto* d = std::get_if<Decimal>(&v)) return *d;
    if (auto* r = std::get_if<double>(&v)) return Decimal::fromDouble(*r);
    if (auto* s = std::get_if<std::string>(&v)) return Decimal::parse(*s);
    return std::nullopt;
}

std::optional<bool> parseBooleanText(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    std::string t(text);
    for (char& c : t) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    for (const char* yes : {"t", "true", "y", "yes", "on", "1", "-1"})
        if (t == yes) return true;
    for (const char* no : {"f", "false", "n", "no", "off", "0"})
        if (t == no) return false;
    return std::nullopt;
}

}  // namespace gp
