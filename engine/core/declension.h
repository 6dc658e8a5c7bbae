// Russian names, positions and organization types in the six cases (the `inflect` filter):
// «Воронцова Елена Сергеевна» -> родительный «Воронцовой Елены Сергеевны»; «Генеральный
// директор» -> «Генерального директора»; «Автономная некоммерческая организация «Центр»» ->
// «Автономной некоммерческой организации «Центр»». Names follow the rules of
// data/declension/names.txt (compiled in); phrases decline their leading adjectives and
// their first noun, the rest (a genitive, a quoted name) stays as written.
#pragma once

#include <optional>
#include <string>

#include "core/number_words.h"

namespace gp::words {

// `text` in case `c`. A person's full name («Фамилия Имя Отчество», «Имя Отчество
// Фамилия», «Фамилия Имя», initials with a surname) is recognized by its capitalized words;
// the gender comes from the patronymic, else the first name, else the surname, unless
// `gender` says it. Anything else is a phrase. Capitalization is kept.
std::string inflect(const std::string& text, Case c, std::optional<Gender> gender = std::nullopt);

// Adds rules and exceptions in the format of data/declension/names.txt (an organization's own
// file: templates/declension.txt); throws gp::Error(Config) naming `where` and the line. Later
// rules for the same part, gender and ending replace earlier ones.
void addDeclensionRules(const std::string& text, const std::string& where);

}  // namespace gp::words
