// Russian formatting of values for print: grouped digits, decimal comma, rouble sign,
// dd.mm.yyyy dates. No-break spaces (U+00A0) join what must not be split across lines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/value.h"

namespace gp::format {

inline constexpr const char* kNbsp = "\u00A0";

// The number style (templates/README.md, "Numbers"): digit groups of three joined by no-break
// spaces ("2 691 000"), a decimal comma, U+2212 for minus; a four-digit integer part stays
// whole ("2200", "1234,50 ₽") except in a table column that also holds a number of five
// digits or more, where groupFourDigits regroups it ("2 200" above "10 000").

// 2691000 -> "2 691 000" (no-break spaces). Four-digit integer parts stay ungrouped when
// `groupFour` is false.
std::string groupDigits(const std::string& digits, bool groupFour = true);
// A number as number(), money(), percent() or integer() wrote it, with a four-digit integer
// part grouped ("2200" -> "2 200", "−1234,50 ₽" -> "−1 234,50 ₽"); any other text unchanged.
std::string groupFourDigits(const std::string& formatted);
// Digits of the integer part of a number as those functions wrote it ("2 691 000,00 ₽" -> 7);
// 0 for text that does not start with one.
std::size_t integerDigits(const std::string& formatted);
// Digit runs of five or more in free text grouped ("участников — 12500" -> "… 12 500", and
// "12500,5" -> "12 500,5"); runs touching a letter, another number or . / - : (dates, codes,
// phone numbers, "№12345") are left alone, as are four-digit numbers (years).
std::string groupNumbersInText(const std::string& text);

std::string number(Decimal value, int decimals);      // "1234,50", "12 345,50"
std::string integer(std::int64_t value);              // "2200", "10 000"
std::string money(Decimal value, const std::string& currency = "₽");  // "2 691 000,00 ₽"
std::string percent(Decimal fraction, int decimals);  // 0.256 -> "25,6 %"
std::string dateShort(const Date& d);                 // "01.01.2022"
std::string dateLong(const Date& d);                  // "1 января 2022 г."
std::string dateQuoted(const Date& d);                // "«01» января 2022 г.", as contracts write it
std::string monthYear(const Date& d);                 // "январь 2022"
std::string yesNo(bool b);                            // "Да" / "Нет"

// Days since 1970-01-01 (proleptic Gregorian calendar), and back (nullopt outside years 1..9999).
std::int64_t dayNumber(const Date& d);
std::optional<Date> dateFromDayNumber(std::int64_t days);
// The UTC calendar date of a Unix time.
Date dateOfUnixTime(std::int64_t seconds);

// Which Russian plural form goes with `n`: 0 for 1, 21, 101 (участник), 1 for 2–4, 22–24
// (участника), 2 for 0, 5–20, 25–30, 111 (участников).
int pluralForm(std::int64_t n);
// A rouble amount in words, kopecks as digits: 2691000 -> "два миллиона шестьсот девяносто
// одна тысяча рублей 00 копеек"; negative amounts start with "минус". Rounded to kopecks.
std::string amountInWords(Decimal amount);
// The integer `n` (>= 0) in words, thousands feminine: 21 -> "двадцать один".
std::string integerInWords(std::int64_t n, bool feminine = false);
// The first letter upper case, the rest as it was ("ооо «ромашка»" -> "Ооо «ромашка»").
std::string capitalize(const std::string& s);
// At most `n` characters (code points): a longer text is cut to n-1 characters, trailing spaces
// dropped, and "…" added.
std::string truncate(const std::string& s, std::size_t n);
// A full name as a signature is spelled out: "Воронцова Елена Сергеевна" -> "Е. С. Воронцова"
// (initials joined to the surname by no-break spaces). "Воронцова Е. С." gives the same; a
// single word, or more than three, is returned as it is.
std::string initials(const std::string& fullName);
// `text` as the address of a link: trimmed; http://, https:// and mailto: only (any case),
// else "" (no link: javascript:, file: and bare words are never made clickable); spaces,
// control characters and non-ASCII bytes percent-encoded, so the result is plain ASCII as PDF
// and XLSX want it.
std::string webLink(const std::string& text);

}  // namespace gp::format
