#include "data/sqlite_types.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace gp::data::sqlite {
namespace {

std::string upper(const char* s) {
    std::string out;
    for (; *s; ++s) out += (*s >= 'a' && *s <= 'z') ? static_cast<char>(*s - 'a' + 'A') : *s;
    return out;
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// "NUMERIC(15,2)" -> 2, "NUMERIC(15)" -> 0, "NUMERIC" -> -1.
int declaredScale(const std::string& t) {
    const auto open = t.find('(');
    if (open == std::string::npos) return -1;
    const auto comma = t.find(',', open);
    if (comma == std::string::npos) return 0;
    int scale = -1;
    const char* p = t.c_str() + comma + 1;
    while (*p == ' ') ++p;
    std::from_chars(p, t.c_str() + t.size(), scale);
    return scale;
}

std::string storedText(sqlite3_stmt* stmt, int col) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
    const int n = sqlite3_column_bytes(stmt, col);
    return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}

// The value as stored, for a message: at most 60 bytes (cut at a character boundary),
// control characters shown as '?'.
std::string shown(std::string text) {
    constexpr std::size_t kMax = 60;
    if (text.size() > kMax) {
        std::size_t cut = kMax;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
        text.resize(cut);
        text += "…";
    }
    for (char& c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
    return text;
}

constexpr const char* kDecimal = "a decimal number with at most four decimal places, within ±922 337 203 685 477";
constexpr const char* kWhole = "a whole number within ±9 223 372 036 854 775 807";
constexpr const char* kReal = "a number";
constexpr const char* kBoolean = "a boolean (1 or 0; as text also true or false, t or f, yes or no, on or off)";
constexpr const char* kDate = "a date written YYYY-MM-DD (years 0001 to 9999)";

// Plain decimal text ("-1234.56", " 7 ") with at most four places, exactly; nullopt otherwise.
std::optional<Decimal> exactDecimal(const std::string& text) {
    const auto point = text.find('.');
    if (point != std::string::npos) {
        std::size_t end = text.find_last_not_of(" \t");
        if (end != std::string::npos && end > point + Decimal::kScale) return std::nullopt;
    }
    return Decimal::parse(text);
}

[[noreturn]] void bad(std::string text, std::string expected) { throw BadValue{shown(std::move(text)), std::move(expected)}; }

std::string decimalHint(const std::string& text) {
    std::string expected = kDecimal;
    if (text.find(',') != std::string::npos) expected += " (write a decimal point, not a comma: 12.50)";
    return expected;
}

Value readExact(sqlite3_stmt* stmt, int col, int storage, const ColumnType& type) {
    const std::string text = storedText(stmt, col);
    if (storage == SQLITE_INTEGER) {
        const std::int64_t v = sqlite3_column_int64(stmt, col);
        if (type.scale == 0) return v;
        try {
            return Decimal::fromInt(v);
        } catch (const std::overflow_error&) {
            bad(text, kDecimal);
        }
    }
    if (storage == SQLITE_BLOB) bad("binary data", kDecimal);
    // REAL: SQLite's own text of it (15 significant digits), which is the decimal that was
    // stored; TEXT: as written.
    const auto d = exactDecimal(text);
    if (!d) bad(text, decimalHint(text));
    if (type.scale == 0 && d->units() % Decimal::kOne == 0) return d->units() / Decimal::kOne;
    return *d;
}

Value readInteger(sqlite3_stmt* stmt, int col, int storage) {
    if (storage == SQLITE_INTEGER) return static_cast<std::int64_t>(sqlite3_column_int64(stmt, col));
    const std::string text = storedText(stmt, col);
    if (storage == SQLITE_FLOAT) {
        const double r = sqlite3_column_double(stmt, col);
        if (std::trunc(r) == r && std::fabs(r) < 9.2e18) return static_cast<std::int64_t>(r);
        bad(text, kWhole);
    }
    if (storage == SQLITE_BLOB) bad("binary data", kWhole);
    std::int64_t v = 0;
    const char* b = text.data();
    const char* e = b + text.size();
    if (b != e && *b == '+') ++b;
    const auto r = std::from_chars(b, e, v);
    if (b == e || r.ec != std::errc() || r.ptr != e) bad(text, kWhole);
    return v;
}

Value readReal(sqlite3_stmt* stmt, int col, int storage) {
    if (storage == SQLITE_INTEGER) return static_cast<double>(sqlite3_column_int64(stmt, col));
    if (storage == SQLITE_FLOAT) return sqlite3_column_double(stmt, col);
    if (storage == SQLITE_BLOB) bad("binary data", kReal);
    const std::string text = storedText(stmt, col);
    double v = 0;
    const char* b = text.data();
    const char* e = b + text.size();
    const auto r = std::from_chars(b, e, v);
    if (b == e || r.ec != std::errc() || r.ptr != e || !std::isfinite(v))
        bad(text, text.find(',') != std::string::npos ? std::string(kReal) + " (a decimal point, not a comma)" : kReal);
    return v;
}

Value readBoolean(sqlite3_stmt* stmt, int col, int storage) {
    const std::string text = storedText(stmt, col);
    if (storage == SQLITE_INTEGER) {
        const std::int64_t v = sqlite3_column_int64(stmt, col);
        if (v == 0 || v == 1) return v == 1;
        bad(text, kBoolean);
    }
    if (storage == SQLITE_TEXT) {
        if (auto b = parseBooleanText(text)) return *b;
    }
    bad(storage == SQLITE_BLOB ? "binary data" : text, kBoolean);
}

Value readDate(sqlite3_stmt* stmt, int col, int storage) {
    const std::string text = storedText(stmt, col);
    if (storage == SQLITE_TEXT)
        if (auto d = Date::parse(text)) return *d;
    if (storage == SQLITE_INTEGER || storage == SQLITE_FLOAT) bad("the number " + text, kDate);
    bad(storage == SQLITE_BLOB ? "binary data" : text, kDate);
}

}  // namespace

ColumnType classify(const char* declared) {
    ColumnType type;
    if (!declared || !*declared) return type;
    type.declared = declared;
    const std::string t = upper(declared);
    const std::string base = t.substr(0, t.find('('));
    auto is = [&](std::initializer_list<const char*> names) {
        std::string b = base;
        while (!b.empty() && b.back() == ' ') b.pop_back();
        for (const char* n : names)
            if (b == n) return true;
        return false;
    };
    if (contains(base, "INT")) type.intent = Intent::Integer;  // SQLite's own first rule
    else if (is({"BOOL", "BOOLEAN"})) type.intent = Intent::Boolean;
    else if (is({"DATE", "DATETIME", "TIMESTAMP"}) || base.rfind("TIMESTAMP ", 0) == 0) type.intent = Intent::Date;
    else if (is({"NUMERIC", "DECIMAL", "DEC", "MONEY", "SMALLMONEY", "NUM", "NUMBER"})) {
        type.intent = Intent::Exact;
        type.scale = declaredScale(t);
    } else if (contains(base, "REAL") || contains(base, "FLOA") || contains(base, "DOUB")) type.intent = Intent::Real;
    else if (contains(base, "CHAR") || contains(base, "CLOB") || contains(base, "TEXT") ||
             is({"STRING", "JSON", "JSONB", "UUID", "XML"}))
        type.intent = Intent::Text;
    return type;
}

Value read(sqlite3_stmt* stmt, int col, const ColumnType& type) {
    const int storage = sqlite3_column_type(stmt, col);
    if (storage == SQLITE_NULL) return Null{};
    switch (type.intent) {
        case Intent::Integer: return readInteger(stmt, col, storage);
        case Intent::Exact: return readExact(stmt, col, storage, type);
        case Intent::Real: return readReal(stmt, col, storage);
        case Intent::Boolean: return readBoolean(stmt, col, storage);
        case Intent::Date: return readDate(stmt, col, storage);
        case Intent::Text: return storedText(stmt, col);
        case Intent::ByStorage: break;
    }
    switch (storage) {
        case SQLITE_INTEGER: return static_cast<std::int64_t>(sqlite3_column_int64(stmt, col));
        case SQLITE_FLOAT: return sqlite3_column_double(stmt, col);
        case SQLITE_BLOB: {
            const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, col));
            return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt, col))) : std::string();
        }
        default: return storedText(stmt, col);
    }
}

int bind(sqlite3_stmt* stmt, int index, const Value& value) {
    struct Binder {
        sqlite3_stmt* s;
        int i;
        int operator()(Null) const { return sqlite3_bind_null(s, i); }
        int operator()(bool b) const { return sqlite3_bind_int(s, i, b ? 1 : 0); }
        int operator()(std::int64_t v) const { return sqlite3_bind_int64(s, i, v); }
        int operator()(double v) const { return sqlite3_bind_double(s, i, v); }
        int operator()(Decimal d) const {
            // Exact: a whole amount as an integer; one whose double SQLite prints back as the
            // same decimal (15 significant digits) as a REAL, so it compares and computes as a
            // number; a longer one as its decimal text (SQLite has no exact type for it).
            if (d.units() % Decimal::kOne == 0) return sqlite3_bind_int64(s, i, d.units() / Decimal::kOne);
            const std::string text = toPlainString(d);
            char printed[64];
            std::snprintf(printed, sizeof printed, "%.15g", d.toDouble());
            if (text == printed) return sqlite3_bind_double(s, i, d.toDouble());
            return sqlite3_bind_text(s, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
        }
        int operator()(const Date& d) const {
            const std::string iso = d.iso();
            return sqlite3_bind_text(s, i, iso.data(), static_cast<int>(iso.size()), SQLITE_TRANSIENT);
        }
        int operator()(const std::string& t) const {
            return sqlite3_bind_text64(s, i, t.data(), t.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        }
    };
    return std::visit(Binder{stmt, index}, value);
}

}  // namespace gp::data::sqlite
