// Typed values as they come out of a query and go into a document: exact decimals for
// money (never a binary double), calendar dates, text, integers, booleans and NULL.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace gp {

// A fixed-point decimal with four places (units of 0.0001), exact for money up to
// ±922 trillion. Arithmetic that would overflow throws std::overflow_error.
class Decimal {
public:
    static constexpr int kScale = 4;
    static constexpr std::int64_t kOne = 10000;

    constexpr Decimal() = default;
    static constexpr Decimal fromUnits(std::int64_t units) { Decimal d; d.units_ = units; return d; }
    static Decimal fromInt(std::int64_t v);
    // Parses "-1234.5", "2691000.00", "1e3" is rejected. More than four places are rounded
    // half away from zero. Returns nullopt on anything that is not a plain decimal number.
    static std::optional<Decimal> parse(std::string_view text);
    // Rounds a double to four places; for values read from drivers that only give doubles.
    static Decimal fromDouble(double v);

    std::int64_t units() const { return units_; }
    double toDouble() const { return static_cast<double>(units_) / kOne; }
    // Rounded (half away from zero) to `places` (0..4): "2691000.00" for places = 2.
    std::string toString(int places = 2) const;
    Decimal rounded(int places) const;
    bool isNegative() const { return units_ < 0; }

    Decimal operator+(Decimal o) const;
    Decimal operator-(Decimal o) const;
    Decimal operator*(Decimal o) const;
    Decimal operator/(Decimal o) const;  // throws std::domain_error on division by zero
    Decimal& operator+=(Decimal o) { return *this = *this + o; }
    auto operator<=>(const Decimal&) const = default;

private:
    std::int64_t units_ = 0;
};

struct Date {
    int year = 1970;
    int month = 1;
    int day = 1;

    // Accepts "YYYY-MM-DD" (optionally followed by a time part, which is ignored).
    static std::optional<Date> parse(std::string_view text);
    static bool valid(int year, int month, int day);
    std::string iso() const;  // "2022-01-01"
    auto operator<=>(const Date&) const = default;
};

struct Null {
    auto operator<=>(const Null&) const = default;
};

// One cell of a query result. double is kept for REAL columns that are not money.
using Value = std::variant<Null, bool, std::int64_t, double, Decimal, Date, std::string>;

inline bool isNull(const Value& v) { return std::holds_alternative<Null>(v); }
const char* typeName(const Value& v);
// A plain, locale-free rendering for messages and keys ("2691000.0000" -> "2691000").
std::string toPlainString(const Value& v);
// A boolean stored as text, read the same way from every data source: the words PostgreSQL
// takes for a boolean (t/f, true/false, y/n, yes/no, on/off, 1/0, in any case, spaces
// around them ignored) and -1 for true (psqlODBC's TrueIsMinus1); nullopt for anything else.
std::optional<bool> parseBooleanText(std::string_view text);
// Numeric view (int, decimal, double; text that parses as a decimal); nullopt otherwise.
std::optional<Decimal> toDecimal(const Value& v);

}  // namespace gp
