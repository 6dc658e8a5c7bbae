#include <gtest/gtest.h>

#include "core/error.h"
#include "core/format.h"
#include "template/expr.h"

using gp::Date;
using gp::Decimal;
namespace fmtr = gp::format;

namespace {
// Shows no-break spaces as '_' so expectations are readable.
std::string visible(std::string s) {
    for (size_t p; (p = s.find("\u00A0")) != std::string::npos;) s.replace(p, 2, "_");
    return s;
}
}  // namespace

namespace {
gp::tmpl::Location here() { return {"t.xml", 7, 3}; }

gp::model::Cell eval(const std::string& text, const gp::Value& v) {
    auto te = gp::tmpl::parseText(text, here());
    return gp::tmpl::evaluate(te, [&](const gp::tmpl::Expr&) { return std::optional<gp::Value>(v); });
}
}  // namespace

TEST(Format, MoneyIsGroupedWithCommaAndRouble) {
    EXPECT_EQ(visible(fmtr::money(*Decimal::parse("2691000"))), "2_691_000,00_₽");
    EXPECT_EQ(visible(fmtr::money(*Decimal::parse("1234.5"))), "1234,50_₽");  // four digits stay whole
    EXPECT_EQ(visible(fmtr::money(*Decimal::parse("12345.5"))), "12_345,50_₽");
    EXPECT_EQ(visible(fmtr::money(*Decimal::parse("12345678901234.56"))), "12_345_678_901_234,56_₽");
    EXPECT_EQ(visible(fmtr::money(*Decimal::parse("-5.005"))), "−5,01_₽");
    EXPECT_EQ(visible(fmtr::money(*Decimal::parse("0"))), "0,00_₽");
}

TEST(Format, IntegersGroupFromFiveDigits) {
    EXPECT_EQ(fmtr::integer(2200), "2200");
    EXPECT_EQ(visible(fmtr::integer(10000)), "10_000");
    EXPECT_EQ(visible(fmtr::integer(-1234567)), "−1_234_567");
}

TEST(Format, OneNumberStyleFourDigitsWholeUnlessTheColumnHoldsLargerNumbers) {
    EXPECT_EQ(visible(fmtr::number(*Decimal::parse("2200"), 0)), "2200");
    EXPECT_EQ(visible(fmtr::percent(*Decimal::parse("12.345"), 1)), "1234,5_%");
    // A table column that also holds five digits or more regroups its four-digit numbers.
    EXPECT_EQ(visible(fmtr::groupFourDigits("2200")), "2_200");
    EXPECT_EQ(visible(fmtr::groupFourDigits("−1234,50\u00A0₽")), "−1_234,50_₽");
    EXPECT_EQ(visible(fmtr::groupFourDigits("12\u00A0345,00")), "12_345,00");  // already grouped
    EXPECT_EQ(fmtr::groupFourDigits("734,42"), "734,42");
    EXPECT_EQ(fmtr::groupFourDigits("—"), "—");
    EXPECT_EQ(fmtr::integerDigits("2\u00A0691\u00A0000,00\u00A0₽"), 7u);
    EXPECT_EQ(fmtr::integerDigits("−1234,5"), 4u);
    EXPECT_EQ(fmtr::integerDigits("нет"), 0u);
}

TEST(Format, NumbersInsideTextAreGroupedFromFiveDigitsButNotCodesDatesOrYears) {
    EXPECT_EQ(visible(fmtr::groupNumbersInText("участников — не менее 12500 человек, бюджет 2691000,50 ₽")),
              "участников — не менее 12_500 человек, бюджет 2_691_000,50 ₽");
    EXPECT_EQ(visible(fmtr::groupNumbersInText("в\u00A012500 экземплярах")), "в_12_500 экземплярах");
    // Years, dates, times, codes, phone numbers and numbers joined to words stay as written.
    for (const char* kept : {"в 2022 году", "01.01.2022", "ИНН: ИНН7708312458", "тел. +74951234567", "№12345",
                             "ОГРН 1177700019342-А", "12345/67", "08:30", "ab12345", "15000руб", "1,23456", "12345,6,7"})
        EXPECT_EQ(fmtr::groupNumbersInText(kept), kept) << kept;
}

TEST(Format, Dates) {
    Date d{2022, 1, 1};
    EXPECT_EQ(fmtr::dateShort(d), "01.01.2022");
    EXPECT_EQ(visible(fmtr::dateLong(d)), "1_января 2022_г.");
    EXPECT_EQ(fmtr::monthYear(Date{2022, 12, 31}), "декабрь 2022");
}

TEST(Format, DatesOfEveryMonth) {
    const char* shortDates[] = {"15.01.2022", "15.02.2022", "15.03.2022", "15.04.2022", "15.05.2022", "15.06.2022",
                                "15.07.2022", "15.08.2022", "15.09.2022", "15.10.2022", "15.11.2022", "15.12.2022"};
    const char* longDates[] = {"15_января 2022_г.", "15_февраля 2022_г.", "15_марта 2022_г.",   "15_апреля 2022_г.",
                               "15_мая 2022_г.",    "15_июня 2022_г.",    "15_июля 2022_г.",    "15_августа 2022_г.",
                               "15_сентября 2022_г.", "15_октября 2022_г.", "15_ноября 2022_г.", "15_декабря 2022_г."};
    const char* months[] = {"январь 2022", "февраль 2022", "март 2022",    "апрель 2022", "май 2022",    "июнь 2022",
                            "июль 2022",   "август 2022",  "сентябрь 2022", "октябрь 2022", "ноябрь 2022", "декабрь 2022"};
    for (int m = 1; m <= 12; ++m) {
        const Date d{2022, m, 15};
        EXPECT_EQ(fmtr::dateShort(d), shortDates[m - 1]);
        EXPECT_EQ(visible(fmtr::dateLong(d)), longDates[m - 1]);
        EXPECT_EQ(fmtr::monthYear(d), months[m - 1]);
        // The same through the filters.
        EXPECT_EQ(eval("{d | date}", d).text, shortDates[m - 1]);
        EXPECT_EQ(visible(eval("{d | date(\"long\")}", d).text), longDates[m - 1]);
        EXPECT_EQ(eval("{d | date(\"month-year\")}", d).text, months[m - 1]);
    }
    EXPECT_EQ(visible(fmtr::dateLong(Date{2024, 2, 29})), "29_февраля 2024_г.");
    EXPECT_EQ(fmtr::dateShort(Date{1, 1, 1}), "01.01.0001");
}

// A zero date (0000-00-00, which some databases store and some drivers hand over as it is)
// has no month to name: the long and month-year forms show its digits instead of reading the
// month tables out of bounds (issue 13: UBSan caught index -1).
TEST(Format, DatesWithoutAMonthAreShownAsDigits) {
    const Date zero{0, 0, 0};
    EXPECT_EQ(fmtr::dateShort(zero), "00.00.0000");
    EXPECT_EQ(fmtr::dateLong(zero), "00.00.0000");
    EXPECT_EQ(fmtr::monthYear(zero), "00.00.0000");
    EXPECT_EQ(fmtr::dateLong(Date{2022, 13, 1}), "01.13.2022");
    EXPECT_EQ(fmtr::monthYear(Date{2022, -1, 1}), "01.-1.2022");
    // The same through the filters, as a template meets such a value.
    EXPECT_EQ(eval("{d | date(\"long\")}", zero).text, "00.00.0000");
    EXPECT_EQ(eval("{d | date(\"month-year\")}", zero).text, "00.00.0000");
    EXPECT_EQ(eval("{d | date(\"month\")}", zero).text, "00.00.0000");
}

TEST(Format, DayNumbers) {
    EXPECT_EQ(fmtr::dayNumber(Date{1970, 1, 1}), 0);
    EXPECT_EQ(fmtr::dayNumber(Date{2026, 1, 1}), 20454);
    EXPECT_EQ(fmtr::dateFromDayNumber(20454), (Date{2026, 1, 1}));
    EXPECT_EQ(fmtr::dateOfUnixTime(1767225600), (Date{2026, 1, 1}));
    EXPECT_EQ(fmtr::dateOfUnixTime(1767225599), (Date{2025, 12, 31}));
    EXPECT_EQ(fmtr::dateOfUnixTime(-1), (Date{1969, 12, 31}));
    for (std::int64_t n = -1000; n < 100000; n += 37) EXPECT_EQ(fmtr::dayNumber(*fmtr::dateFromDayNumber(n)), n);
}

TEST(Format, CapitalizeAndTruncate) {
    EXPECT_EQ(fmtr::capitalize("ёлка тверская"), "Ёлка тверская");
    EXPECT_EQ(fmtr::capitalize("ооо «Ромашка»"), "Ооо «Ромашка»");
    EXPECT_EQ(fmtr::capitalize(""), "");
    EXPECT_EQ(fmtr::truncate("Клуб неравнодушных", 10), "Клуб нера…");
    EXPECT_EQ(fmtr::truncate("Клуб неравнодушных", 6), "Клуб…");  // the space before the cut goes
    EXPECT_EQ(fmtr::truncate("Клуб", 4), "Клуб");
    EXPECT_EQ(fmtr::truncate("Клуб", 1), "…");
}

TEST(Format, WebLinksAreHttpHttpsOrMailtoAndPlainAscii) {
    EXPECT_EQ(fmtr::webLink("https://t.me/klub/48"), "https://t.me/klub/48");
    EXPECT_EQ(fmtr::webLink("  HTTP://Example.org/a?b=1&c=2 \n"), "HTTP://Example.org/a?b=1&c=2");
    EXPECT_EQ(fmtr::webLink("mailto:info@agentstvo-stk.ru"), "mailto:info@agentstvo-stk.ru");
    // Cyrillic, spaces and quotes are percent-encoded byte by byte.
    EXPECT_EQ(fmtr::webLink("https://музей.рф/о нас"), "https://%D0%BC%D1%83%D0%B7%D0%B5%D0%B9.%D1%80%D1%84/%D0%BE%20%D0%BD%D0%B0%D1%81");
    EXPECT_EQ(fmtr::webLink("https://x.ru/\"a\"<b>"), "https://x.ru/%22a%22%3Cb%3E");
    // Anything else is never made clickable.
    EXPECT_EQ(fmtr::webLink("javascript:alert(1)"), "");
    EXPECT_EQ(fmtr::webLink("file:///etc/passwd"), "");
    EXPECT_EQ(fmtr::webLink("vk.com/klub"), "");
    EXPECT_EQ(fmtr::webLink("   "), "");
    EXPECT_EQ(fmtr::webLink("http"), "");
}

TEST(Format, InitialsSpellANameAsASignatureDoes) {
    EXPECT_EQ(fmtr::initials("Воронцова Елена Сергеевна"), "Е.\u00A0С.\u00A0Воронцова");
    EXPECT_EQ(fmtr::initials("  Воронцова   Елена\tСергеевна "), "Е.\u00A0С.\u00A0Воронцова");
    EXPECT_EQ(fmtr::initials("Воронцова Е. С."), "Е.\u00A0С.\u00A0Воронцова");
    EXPECT_EQ(fmtr::initials("Воронцова елена"), "Е.\u00A0Воронцова");
    EXPECT_EQ(fmtr::initials("Smith John"), "J.\u00A0Smith");
    // Nothing to abbreviate, or not a Russian full name: left as it is.
    EXPECT_EQ(fmtr::initials("Воронцова"), "Воронцова");
    EXPECT_EQ(fmtr::initials(""), "");
    EXPECT_EQ(fmtr::initials("Фонд «Вместе» в лице директора"), "Фонд «Вместе» в лице директора");
}

TEST(Format, Percent) { EXPECT_EQ(visible(fmtr::percent(*Decimal::parse("0.256"), 1)), "25,6_%"); }


TEST(Expr, SinglePlaceholderKeepsItsType) {
    auto c = eval("{amount | money}", Decimal::fromInt(2691000));
    EXPECT_EQ(c.format, gp::model::Format::Money);
    EXPECT_EQ(std::get<Decimal>(c.value), Decimal::fromInt(2691000));
    EXPECT_EQ(visible(c.text), "2_691_000,00_₽");

    auto d = eval("{start | date}", std::string("2022-01-01"));
    EXPECT_EQ(d.format, gp::model::Format::Date);
    EXPECT_EQ(std::get<Date>(d.value), (Date{2022, 1, 1}));
    EXPECT_EQ(d.text, "01.01.2022");

    auto n = eval("{participants}", std::int64_t{2200});
    EXPECT_EQ(n.format, gp::model::Format::Integer);
    EXPECT_EQ(n.text, "2200");
}

TEST(Expr, MixedTextBecomesText) {
    auto c = eval("Заявка:   {title}\n   (черновик)", std::string("Клуб"));
    EXPECT_EQ(c.format, gp::model::Format::Text);
    EXPECT_EQ(c.text, "Заявка: Клуб (черновик)");
    EXPECT_EQ(eval("{{literal}} {x}", std::string("v")).text, "{literal} v");
}

TEST(Expr, DefaultUpperAndYesNo) {
    EXPECT_EQ(eval("{x | default(\"—\")}", gp::Null{}).text, "—");
    EXPECT_EQ(eval("{x | upper}", std::string("ёлка Тверская")).text, "ЁЛКА ТВЕРСКАЯ");
    EXPECT_EQ(eval("{x | yesno}", true).text, "Да");
    EXPECT_EQ(eval("{x | yesno | default(\"—\")}", gp::Null{}).text, "—");
}

TEST(Expr, ErrorsNameTheFileLineAndProblem) {
    try {
        gp::tmpl::parseText("{amount | rubles}", here());
        FAIL() << "unknown filter accepted";
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.line(), 7);
        EXPECT_NE(std::string(e.what()).find("unknown filter 'rubles'"), std::string::npos) << e.what();
        EXPECT_EQ(e.column(), 13);  // the filter name: "{amount | " starts at column 3
        EXPECT_NE(std::string(e.what()).find("t.xml:7:13"), std::string::npos) << e.what();
    }
    EXPECT_THROW(gp::tmpl::parseText("{title", here()), gp::Error);
    EXPECT_THROW(gp::tmpl::parseText("title}", here()), gp::Error);
    EXPECT_THROW(gp::tmpl::parseText("{x | money(1, 2)}", here()), gp::Error);
    EXPECT_THROW(gp::tmpl::parseText("{}", here()), gp::Error);
    // A filter that cannot apply to the value is a data error, never an empty string.
    EXPECT_THROW(eval("{x | money}", std::string("много")), gp::Error);
    EXPECT_THROW(eval("{x | date}", std::string("31.12.2022")), gp::Error);
}
