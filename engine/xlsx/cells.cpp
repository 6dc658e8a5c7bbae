#include "xlsx/cells.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "core/error.h"
#include "core/utf8.h"

namespace gp::xlsx::detail {
namespace {

constexpr std::int64_t kMaxExactInteger = 999'999'999'999'999;  // Excel keeps 15 digits

// The currency sign of a money text: what follows the last digit ("₽" in "2 691 000,00 ₽",
// "руб." for money("руб."), "" for money("")). nullopt when the text shows no number.
std::optional<std::string> currencyOf(std::string_view text) {
    std::size_t lastDigit = text.find_last_of("0123456789");
    if (lastDigit == std::string_view::npos) return std::nullopt;
    std::u32string sign = utf8::decode(text.substr(lastDigit + 1));
    auto blank = [](char32_t c) { return c == U' ' || c == 0xA0 || c == 0x2009 || c == 0x202F; };
    std::erase_if(sign, [](char32_t c) { return c == U'"'; });  // cannot appear inside a quoted literal
    while (!sign.empty() && blank(sign.front())) sign.erase(sign.begin());
    while (!sign.empty() && blank(sign.back())) sign.pop_back();
    return utf8::encode(sign);
}

}  // namespace

std::optional<std::string_view> moneyTail(std::string_view text) {
    std::size_t lastDigit = text.find_last_of("0123456789");
    if (lastDigit == std::string_view::npos) return std::nullopt;
    return text.substr(lastDigit + 1);
}

std::string numberFormat(model::Format format, int decimals, std::string_view text) {
    const std::string zeros(static_cast<std::size_t>(std::clamp(decimals, 0, 10)), '0');
    switch (format) {
        case model::Format::Integer: return "0";
        case model::Format::Number: return zeros.empty() ? "#,##0" : "#,##0." + zeros;
        case model::Format::Money: {
            // The literal is quoted: an unquoted space would not be a thousands separator.
            const std::string sign = currencyOf(text).value_or("₽");
            std::string out = "#,##0.00";
            if (!sign.empty()) out.append("\\ \"").append(sign).append("\"");
            return out;
        }
        case model::Format::Percent: return zeros.empty() ? "0%" : "0." + zeros + "%";
        case model::Format::Date: return "dd.mm.yyyy";
        case model::Format::Text:
        case model::Format::Boolean: return {};
    }
    return {};
}

std::string displayText(const model::Cell& cell) {
    if (!cell.text.empty() || isNull(cell.value)) return cell.text;
    if (const bool* b = std::get_if<bool>(&cell.value)) return *b ? "Да" : "Нет";
    return toPlainString(cell.value);
}

std::optional<double> numeric(const Value& value) {
    return std::visit(
        [](const auto& v) -> std::optional<double> {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::int64_t>) {
                if (v > kMaxExactInteger || v < -kMaxExactInteger) return std::nullopt;
                return static_cast<double>(v);
            } else if constexpr (std::is_same_v<T, double>) {
                if (!std::isfinite(v)) return std::nullopt;
                return v;
            } else if constexpr (std::is_same_v<T, Decimal>) {
                return v.toDouble();
            } else if constexpr (std::is_same_v<T, std::string>) {
                if (auto d = Decimal::parse(v)) return d->toDouble();
                return std::nullopt;
            } else {
                return std::nullopt;
            }
        },
        value);
}

std::optional<lxw_datetime> excelDate(const Value& value) {
    std::optional<Date> date;
    if (const Date* d = std::get_if<Date>(&value)) date = *d;
    else if (const std::string* s = std::get_if<std::string>(&value)) date = Date::parse(*s);
    if (!date || date->year < 1900 || date->year > 9999 || !Date::valid(date->year, date->month, date->day))
        return std::nullopt;
    lxw_datetime dt{};
    dt.year = date->year;
    dt.month = date->month;
    dt.day = date->day;
    return dt;
}

Typed asString(std::string text) {
    static constexpr std::string_view kSoftHyphen = "\xC2\xAD";
    for (auto at = text.find(kSoftHyphen); at != std::string::npos; at = text.find(kSoftHyphen, at))
        text.erase(at, kSoftHyphen.size());
    Typed t;
    if (!text.empty()) {
        t.kind = Typed::Kind::String;
        t.text = std::move(text);
    }
    return t;
}

Typed typed(const model::Cell& cell) {
    switch (cell.format) {
        case model::Format::Text:
        case model::Format::Boolean: return asString(displayText(cell));
        case model::Format::Date: {
            Typed t;
            t.numFormat = numberFormat(cell.format, cell.decimals, cell.text);
            if (isNull(cell.value)) return t;
            if (auto dt = excelDate(cell.value)) {
                t.kind = Typed::Kind::Date;
                t.date = *dt;
                return t;
            }
            return asString(displayText(cell));
        }
        case model::Format::Integer:
        case model::Format::Number:
        case model::Format::Money:
        case model::Format::Percent: {
            Typed t;
            t.numFormat = numberFormat(cell.format, cell.decimals, cell.text);
            if (isNull(cell.value)) return t;
            if (auto n = numeric(cell.value)) {
                t.kind = Typed::Kind::Number;
                t.number = *n;
                return t;
            }
            return asString(displayText(cell));
        }
    }
    return asString(displayText(cell));
}

double cachedNumber(const Value& value) {
    if (auto n = numeric(value)) return *n;
    if (auto dt = excelDate(value)) return lxw_datetime_to_excel_datetime(&*dt);
    return 0;
}

std::string columnLetters(lxw_col_t col) {
    std::string letters;
    unsigned n = static_cast<unsigned>(col) + 1;
    while (n > 0) {
        unsigned rem = (n - 1) % 26;
        letters.insert(letters.begin(), static_cast<char>('A' + rem));
        n = (n - 1) / 26;
    }
    return letters;
}

std::string cellName(lxw_row_t row, lxw_col_t col) {
    return columnLetters(col) + std::to_string(static_cast<unsigned long>(row) + 1);
}

std::string rangeName(lxw_row_t firstRow, lxw_col_t firstCol, lxw_row_t lastRow, lxw_col_t lastCol) {
    return cellName(firstRow, firstCol) + ":" + cellName(lastRow, lastCol);
}

RowFormula::RowFormula(std::string_view formula, std::size_t columns) {
    auto malformed = [&](const std::string& why) {
        throw Error(ErrorKind::Render, "column formula '" + std::string(formula) + "': " + why);
    };
    // The model's functions and what closes each in Excel.
    struct Function {
        std::string_view name, excel, close;
    };
    static constexpr Function kFunctions[] = {{"round(", "ROUND(", ",0)"}, {"orempty(", "IFERROR(", ",\"\")"}};
    std::string text = "=";
    std::vector<std::string_view> closers;  // per open parenthesis
    for (std::size_t i = 0; i < formula.size();) {
        const char c = formula[i];
        const auto function = std::find_if(std::begin(kFunctions), std::end(kFunctions),
                                           [&](const Function& f) { return formula.substr(i, f.name.size()) == f.name; });
        if (function != std::end(kFunctions)) {
            text += function->excel;
            closers.push_back(function->close);
            i += function->name.size();
        } else if (c == '[') {
            const std::size_t close = formula.find(']', i);
            std::size_t index = 0;
            const char* first = formula.data() + i + 1;
            const char* last = close == std::string_view::npos ? first : formula.data() + close;
            auto [end, ec] = std::from_chars(first, last, index);
            if (close == std::string_view::npos || ec != std::errc() || end != last) malformed("expected [column]");
            if (index >= columns) malformed("column " + std::to_string(index) + " is not in the table");
            parts_.push_back({std::move(text), static_cast<lxw_col_t>(index), true});
            text.clear();
            i = close + 1;
        } else if (c == '(') {
            text += c;
            closers.push_back(")");
            ++i;
        } else if (c == ')') {
            if (closers.empty()) malformed("unbalanced ')'");
            text += closers.back();
            closers.pop_back();
            ++i;
        } else if ((c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-' || c == '*' || c == '/' || c == ' ') {
            text += c;
            ++i;
        } else {
            malformed(std::string("unexpected '") + c + "'");
        }
    }
    if (!closers.empty()) malformed("missing ')'");
    parts_.push_back({std::move(text), 0, false});
}

std::string RowFormula::at(lxw_row_t row) const {
    std::string out;
    for (const Part& p : parts_) {
        out += p.text;
        if (p.cell) out += cellName(row, p.column);
    }
    return out;
}

}  // namespace gp::xlsx::detail
