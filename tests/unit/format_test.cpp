#include <gtest/gtest.h>

#include "core/error.h"
#include "template/expr.h"
#include "template/format.h"

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

TEST(Format, MoneyIsGroupedWithCommaAndRouble) {
    EXPECT_EQ(visible(fmtr::money(*Decimal::parse("2691000"))), "2_691_000,00_₽");
    EXPECT_EQ(visible(fmtr::money(*Decimal::parse("1234.5"))), "1_234,50_₽");
    EXPECT_EQ(visible(fmtr::money(*Decimal::parse("12345678901234.56"))), "12_345_678_901_234,56_₽");
    EXPECT_EQ(visible(fmtr::money(*Decimal::parse("-5.005"))), "−5,01_₽");
    EXPECT_EQ(visible(fmtr::money(*Decimal::parse("0"))), "0,00_₽");
}

TEST(Format, IntegersGroupFromFiveDigits) {
    EXPECT_EQ(fmtr::integer(2200), "2200");
    EXPECT_EQ(visible(fmtr::integer(10000)), "10_000");
    EXPECT_EQ(visible(fmtr::integer(-1234567)), "−1_234_567");
}

TEST(Format, Dates) {
    Date d{2022, 1, 1};
    EXPECT_EQ(fmtr::dateShort(d), "01.01.2022");
    EXPECT_EQ(visible(fmtr::dateLong(d)), "1_января 2022_г.");
    EXPECT_EQ(fmtr::monthYear(Date{2022, 12, 31}), "декабрь 2022");
}

TEST(Format, Percent) { EXPECT_EQ(visible(fmtr::percent(*Decimal::parse("0.256"), 1)), "25,6_%"); }

namespace {
gp::tmpl::Location here() { return {"t.xml", 7, 3}; }

gp::model::Cell eval(const std::string& text, const gp::Value& v) {
    auto te = gp::tmpl::parseText(text, here());
    return gp::tmpl::evaluate(te, [&](const gp::tmpl::Expr&) { return std::optional<gp::Value>(v); });
}
}  // namespace

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
        EXPECT_NE(std::string(e.what()).find("t.xml:7:3"), std::string::npos) << e.what();
    }
    EXPECT_THROW(gp::tmpl::parseText("{title", here()), gp::Error);
    EXPECT_THROW(gp::tmpl::parseText("title}", here()), gp::Error);
    EXPECT_THROW(gp::tmpl::parseText("{x | money(1, 2)}", here()), gp::Error);
    EXPECT_THROW(gp::tmpl::parseText("{}", here()), gp::Error);
    // A filter that cannot apply to the value is a data error, never an empty string.
    EXPECT_THROW(eval("{x | money}", std::string("много")), gp::Error);
    EXPECT_THROW(eval("{x | date}", std::string("31.12.2022")), gp::Error);
}
