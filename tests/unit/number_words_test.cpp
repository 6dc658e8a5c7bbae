// Numbers in words in the six cases (core/number_words.h), checked against forms written out
// by hand from the grammar of Russian numerals.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/format.h"
#include "core/number_words.h"

using gp::Decimal;
using gp::words::Case;
using gp::words::Gender;

namespace {

struct Row {
    std::int64_t n;
    Case c;
    Gender g;
    const char* expected;
};

}  // namespace

TEST(NumberWords, CardinalsDeclineEveryComponentAndTheirNouns) {
    const std::vector<Row> rows = {
        {1, Case::Nominative, Gender::Masculine, "один"},
        {1, Case::Accusative, Gender::Feminine, "одну"},
        {2, Case::Nominative, Gender::Feminine, "две"},
        {2, Case::Instrumental, Gender::Masculine, "двумя"},
        {4, Case::Instrumental, Gender::Masculine, "четырьмя"},
        {8, Case::Genitive, Gender::Masculine, "восьми"},
        {11, Case::Instrumental, Gender::Masculine, "одиннадцатью"},
        {40, Case::Dative, Gender::Masculine, "сорока"},
        {50, Case::Instrumental, Gender::Masculine, "пятьюдесятью"},
        {80, Case::Genitive, Gender::Masculine, "восьмидесяти"},
        {90, Case::Prepositional, Gender::Masculine, "девяноста"},
        {100, Case::Genitive, Gender::Masculine, "ста"},
        {200, Case::Dative, Gender::Masculine, "двумстам"},
        {300, Case::Instrumental, Gender::Masculine, "тремястами"},
        {400, Case::Prepositional, Gender::Masculine, "четырёхстах"},
        {600, Case::Genitive, Gender::Masculine, "шестисот"},
        {0, Case::Genitive, Gender::Masculine, "ноля"},
        {1000, Case::Nominative, Gender::Masculine, "одна тысяча"},
        {1000, Case::Accusative, Gender::Masculine, "одну тысячу"},
        {2000, Case::Nominative, Gender::Masculine, "две тысячи"},
        {2000, Case::Genitive, Gender::Masculine, "двух тысяч"},
        {5000, Case::Nominative, Gender::Masculine, "пять тысяч"},
        {5000, Case::Dative, Gender::Masculine, "пяти тысячам"},
        {21000, Case::Genitive, Gender::Masculine, "двадцати одной тысячи"},
        {21000, Case::Instrumental, Gender::Masculine, "двадцатью одной тысячей"},
        {2691000, Case::Nominative, Gender::Masculine, "два миллиона шестьсот девяносто одна тысяча"},
        {2691000, Case::Genitive, Gender::Masculine, "двух миллионов шестисот девяноста одной тысячи"},
        {2691000, Case::Dative, Gender::Masculine, "двум миллионам шестистам девяноста одной тысяче"},
        {2691000, Case::Instrumental, Gender::Masculine, "двумя миллионами шестьюстами девяноста одной тысячей"},
        {2691000, Case::Prepositional, Gender::Masculine, "двух миллионах шестистах девяноста одной тысяче"},
        {1000000, Case::Prepositional, Gender::Masculine, "одном миллионе"},
        {-5, Case::Genitive, Gender::Masculine, "минус пяти"},
    };
    for (const auto& r : rows)
        EXPECT_EQ(gp::words::cardinal(r.n, r.c, r.g), r.expected) << r.n << " case " << static_cast<int>(r.c);
    // The nominative (format::integerInWords writes it through cardinal; words_test.cpp holds
    // its table of amounts).
    EXPECT_EQ(gp::words::cardinal(21), "двадцать один");
    EXPECT_EQ(gp::words::cardinal(1001), "одна тысяча один");
    EXPECT_EQ(gp::words::cardinal(12345), "двенадцать тысяч триста сорок пять");
}

TEST(NumberWords, AmountsInACase) {
    const Decimal seed = *Decimal::parse("2691000");
    EXPECT_EQ(gp::words::amount(seed, Case::Nominative), "два миллиона шестьсот девяносто одна тысяча рублей 00 копеек");
    EXPECT_EQ(gp::words::amount(seed, Case::Genitive),
              "двух миллионов шестисот девяноста одной тысячи рублей 00 копеек");  // «в размере …»
    EXPECT_EQ(gp::words::amount(*Decimal::parse("1.01"), Case::Genitive), "одного рубля 01 копейки");
    EXPECT_EQ(gp::words::amount(*Decimal::parse("1.01"), Case::Dative), "одному рублю 01 копейке");
    EXPECT_EQ(gp::words::amount(*Decimal::parse("22.02"), Case::Instrumental), "двадцатью двумя рублями 02 копейками");
    EXPECT_EQ(gp::words::amount(*Decimal::parse("5.21"), Case::Prepositional), "пяти рублях 21 копейке");
    EXPECT_EQ(gp::words::amount(*Decimal::parse("3.5"), Case::Nominative), "три рубля 50 копеек");
    EXPECT_EQ(gp::words::amount(*Decimal::parse("-11.11"), Case::Genitive), "минус одиннадцати рублей 11 копеек");
    EXPECT_EQ(gp::words::amount(*Decimal::parse("4.04"), Case::Nominative), "четыре рубля 04 копейки");
}

TEST(NumberWords, Ordinals) {
    const std::vector<Row> rows = {
        {1, Case::Nominative, Gender::Masculine, "первый"},
        {1, Case::Nominative, Gender::Feminine, "первая"},
        {1, Case::Accusative, Gender::Feminine, "первую"},
        {2, Case::Nominative, Gender::Masculine, "второй"},
        {2, Case::Genitive, Gender::Masculine, "второго"},
        {3, Case::Nominative, Gender::Masculine, "третий"},
        {3, Case::Dative, Gender::Feminine, "третьей"},
        {3, Case::Instrumental, Gender::Neuter, "третьим"},
        {4, Case::Nominative, Gender::Masculine, "четвёртый"},
        {7, Case::Prepositional, Gender::Masculine, "седьмом"},
        {12, Case::Nominative, Gender::Masculine, "двенадцатый"},
        {40, Case::Nominative, Gender::Masculine, "сороковой"},
        {40, Case::Genitive, Gender::Feminine, "сороковой"},
        {90, Case::Nominative, Gender::Neuter, "девяностое"},
        {100, Case::Nominative, Gender::Masculine, "сотый"},
        {300, Case::Nominative, Gender::Masculine, "трёхсотый"},
        {1000, Case::Nominative, Gender::Masculine, "тысячный"},
        {2000, Case::Nominative, Gender::Masculine, "двухтысячный"},
        {21000, Case::Nominative, Gender::Masculine, "двадцатиоднотысячный"},
        {2022, Case::Nominative, Gender::Masculine, "две тысячи двадцать второй"},
        {2022, Case::Prepositional, Gender::Masculine, "две тысячи двадцать втором"},  // «в … году»
        {2023, Case::Genitive, Gender::Masculine, "две тысячи двадцать третьего"},
        {1645, Case::Nominative, Gender::Masculine, "одна тысяча шестьсот сорок пятый"},
        {1000000, Case::Nominative, Gender::Masculine, "миллионный"},
    };
    for (const auto& r : rows)
        EXPECT_EQ(gp::words::ordinal(r.n, r.c, r.g), r.expected) << r.n << " case " << static_cast<int>(r.c);
    EXPECT_THROW(gp::words::ordinal(0), std::invalid_argument);
}

TEST(NumberWords, CaseAndGenderNames) {
    EXPECT_EQ(gp::words::parseCase("родительный"), Case::Genitive);
    EXPECT_EQ(gp::words::parseCase("твор."), Case::Instrumental);
    EXPECT_EQ(gp::words::parseCase("пред"), Case::Prepositional);
    EXPECT_FALSE(gp::words::parseCase("genitive").has_value());
    EXPECT_EQ(gp::words::parseGender("ж"), Gender::Feminine);
    EXPECT_EQ(gp::words::parseGender("ср."), Gender::Neuter);
    EXPECT_FALSE(gp::words::parseGender("x").has_value());
}

TEST(NumberWords, QuotedDates) {
    EXPECT_EQ(gp::format::dateQuoted({2022, 12, 31}), "«31»\u00A0декабря 2022\u00A0г.");
    EXPECT_EQ(gp::format::dateQuoted({2022, 1, 1}), "«01»\u00A0января 2022\u00A0г.");
}
