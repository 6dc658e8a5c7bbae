#include "template/format.h"

#include <fmt/format.h>

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
    out += groupDigits(whole);
    if (dot != std::string::npos) out += "," + plain.substr(dot + 1);
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

std::string dateLong(const Date& d) {
    static constexpr const char* kGenitive[] = {"января", "февраля", "марта",    "апреля",  "мая",    "июня",
                                                "июля",   "августа", "сентября", "октября", "ноября", "декабря"};
    return fmt::format("{}{}{}{}{}{}г.", d.day, kNbsp, kGenitive[d.month - 1], " ", d.year, kNbsp);
}

std::string monthYear(const Date& d) {
    static constexpr const char* kNominative[] = {"январь", "февраль", "март",     "апрель",  "май",    "июнь",
                                                  "июль",   "август",  "сентябрь", "октябрь", "ноябрь", "декабрь"};
    return fmt::format("{} {}", kNominative[d.month - 1], d.year);
}

std::string yesNo(bool b) { return b ? "Да" : "Нет"; }

}  // namespace gp::format
