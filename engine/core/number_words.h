// Numbers in Russian words in any of the six cases: cardinals (a sum «в размере двух миллионов
// …»), ordinals («двадцать второй», «в двадцать втором»), an amount of roubles with its
// kopecks. Written from the grammar of Russian numerals: every component of a compound
// cardinal declines; a noun after it takes the genitive singular (2–4) or plural (5–20) in
// the nominative and accusative, and the numeral's own case otherwise (singular after 1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/value.h"

namespace gp::words {

enum class Case { Nominative, Genitive, Dative, Accusative, Instrumental, Prepositional };
enum class Gender { Masculine, Feminine, Neuter };

// "именительный" … "предложный", or their short forms "им", "род", "дат", "вин", "твор",
// "пред" (a dot after them allowed); nullopt for anything else.
std::optional<Case> parseCase(std::string_view name);
// "м"/"муж", "ж"/"жен", "с"/"ср" (a dot allowed); nullopt otherwise.
std::optional<Gender> parseGender(std::string_view name);

// `n` in words, declined: 2 691 000 in the genitive -> "двух миллионов шестисот девяноста
// одной тысячи"; negative numbers start with "минус".
std::string cardinal(std::int64_t n, Case c = Case::Nominative, Gender g = Gender::Masculine);
// An amount in words with kopecks as digits, in case `c`: genitive of 2691000 -> "двух
// миллионов шестисот девяноста одной тысячи рублей 00 копеек". Rounded to kopecks.
std::string amount(Decimal value, Case c);
// The ordinal of `n` (n >= 1): 22 -> "двадцать второй"; feminine dative -> "двадцать второй";
// 2000 -> "двухтысячный". Throws std::invalid_argument for n < 1.
std::string ordinal(std::int64_t n, Case c = Case::Nominative, Gender g = Gender::Masculine);

}  // namespace gp::words
