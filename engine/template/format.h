// Russian formatting of values for print: grouped digits, decimal comma, rouble sign,
// dd.mm.yyyy dates. No-break spaces (U+00A0) join what must not be split across lines.
#pragma once

#include <string>

#include "core/value.h"

namespace gp::format {

inline constexpr const char* kNbsp = "\u00A0";

// 2691000 -> "2 691 000" (no-break spaces). Four-digit integer parts stay ungrouped when
// `groupFour` is false (Russian typesetting: "2200", but "10 000").
std::string groupDigits(const std::string& digits, bool groupFour = true);

std::string number(Decimal value, int decimals);      // "1 234,50"
std::string integer(std::int64_t value);              // "2200", "10 000"
std::string money(Decimal value, const std::string& currency = "₽");  // "2 691 000,00 ₽"
std::string percent(Decimal fraction, int decimals);  // 0.256 -> "25,6 %"
std::string dateShort(const Date& d);                 // "01.01.2022"
std::string dateLong(const Date& d);                  // "1 января 2022 г."
std::string monthYear(const Date& d);                 // "январь 2022"
std::string yesNo(bool b);                            // "Да" / "Нет"

}  // namespace gp::format
