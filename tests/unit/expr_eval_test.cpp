// The expression language inside placeholders: literals, references, arithmetic on exact
// decimals, dates, comparisons, logic, filters, and errors at the exact line and column.
#include <gtest/gtest.h>

#include <map>

#include "core/error.h"
#include "template/expr.h"
#include "template/xml.h"

using gp::Date;
using gp::Decimal;
using gp::Value;
namespace tmpl = gp::tmpl;

namespace {

std::string visible(std::string s) {
    for (size_t p; (p = s.find("\u00A0")) != std::string::npos;) s.replace(p, 2, "_");
    return s;
}

const std::map<std::string, Value>& row() {
    static const std::map<std::string, Value> r = {
        {"planned", Decimal::fromInt(2200)},
        {"achieved", std::int64_t{2347}},
        {"zero", std::int64_t{0}},
        {"real", 1234.56},
        {"amount", *Decimal::parse("2691000.00")},
        {"title", std::string("Клуб")},
        {"number_text", std::string("12.50")},
        {"start", Date{2022, 1, 1}},
        {"end", Date{2022, 12, 31}},
        {"yes", true},
        {"no", false},
        {"nothing", gp::Null{}},
        {"project.title", std::string("Проект")},
    };
    return r;
}

tmpl::Resolver resolver() {
    return [](const tmpl::Expr& e) -> std::optional<Value> {
        std::string key;
        for (const auto& part : e.ref) key += (key.empty() ? "" : ".") + part;
        auto it = row().find(key);
        if (it == row().end()) return std::nullopt;
        return it->second;
    };
}

gp::model::Cell eval(const std::string& text) {
    return tmpl::evaluate(tmpl::parseText(text, {"e.xml", 3, 5}), resolver());
}

Value value(const std::string& text) { return eval(text).value; }

// Expects `text` to fail with `kind` at column `column` of line 3, the message containing `needle`.
void expectError(const std::string& text, gp::ErrorKind kind, int column, const std::string& needle) {
    try {
        auto cell = eval(text);
        ADD_FAILURE() << text << " gave " << cell.text;
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), kind) << e.what();
        EXPECT_EQ(e.file(), "e.xml");
        EXPECT_EQ(e.line(), 3) << e.what();
        EXPECT_EQ(e.column(), column) << text << ": " << e.what();
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
}

}  // namespace

TEST(ExprEval, LiteralsAndReferences) {
    EXPECT_EQ(std::get<std::int64_t>(value("{42}")), 42);
    EXPECT_EQ(std::get<Decimal>(value("{1.25}")), *Decimal::parse("1.25"));
    EXPECT_EQ(std::get<std::string>(value("{\"строка | с чертой\"}")), "строка | с чертой");
    EXPECT_EQ(std::get<std::string>(value("{'одинарные'}")), "одинарные");
    EXPECT_EQ(std::get<std::string>(value(R"({"кавычка \" внутри"})")), "кавычка \" внутри");
    EXPECT_TRUE(std::get<bool>(value("{true}")));
    EXPECT_TRUE(gp::isNull(value("{null}")));
    EXPECT_EQ(std::get<std::string>(value("{project.title}")), "Проект");
    EXPECT_EQ(eval("{ title }").text, "Клуб");
}

TEST(ExprEval, ArithmeticIsExact) {
    EXPECT_EQ(std::get<std::int64_t>(value("{achieved - 47}")), 2300);
    EXPECT_EQ(std::get<std::int64_t>(value("{2 + 3 * 4}")), 14);
    EXPECT_EQ(std::get<std::int64_t>(value("{(2 + 3) * 4}")), 20);
    EXPECT_EQ(std::get<std::int64_t>(value("{-achieved}")), -2347);
    EXPECT_EQ(std::get<Decimal>(value("{achieved / planned}")), *Decimal::parse("1.0668"));  // 4 places, rounded
    EXPECT_EQ(visible(eval("{achieved / planned | percent}").text), "106,7_%");
    EXPECT_EQ(std::get<Decimal>(value("{real * 3}")), *Decimal::parse("3703.68"));  // not 3703.6800000000003
    EXPECT_EQ(std::get<Decimal>(value("{0.1 + 0.2}")), *Decimal::parse("0.3"));
    EXPECT_EQ(std::get<Decimal>(value("{number_text * 2}")), Decimal::fromInt(25));  // numeric text counts
    EXPECT_EQ(std::get<Decimal>(value("{amount / 3}")), *Decimal::parse("897000"));
    EXPECT_EQ(eval("{amount - 1 | money}").text, "2\u00A0690\u00A0999,00\u00A0₽");
    // Integers stay integers; past 64 bits it is an error, never a wrapped number.
    EXPECT_EQ(std::get<std::int64_t>(value("{300000000000000 * 3}")), 900000000000000);
    EXPECT_THROW(value("{4000000000000000000 * 3}"), gp::Error);
}

TEST(ExprEval, NullAndDivisionByZero) {
    EXPECT_TRUE(gp::isNull(value("{achieved / zero}")));
    EXPECT_EQ(eval("{achieved / zero | percent | default(\"—\")}").text, "—");
    EXPECT_TRUE(gp::isNull(value("{nothing + 1}")));
    EXPECT_TRUE(gp::isNull(value("{-nothing}")));
    EXPECT_EQ(eval("{nothing * 2 | money}").text, "");
}

TEST(ExprEval, Dates) {
    EXPECT_EQ(std::get<std::int64_t>(value("{end - start}")), 364);
    EXPECT_EQ(std::get<Date>(value("{start + 31}")), (Date{2022, 2, 1}));
    EXPECT_EQ(std::get<Date>(value("{start - 1}")), (Date{2021, 12, 31}));
    EXPECT_EQ(std::get<std::int64_t>(value("{end - \"2022-01-01\"}")), 364);  // text beside a date reads as one
}

TEST(ExprEval, Comparisons) {
    EXPECT_TRUE(std::get<bool>(value("{achieved > planned}")));
    EXPECT_TRUE(std::get<bool>(value("{achieved >= 2347 and achieved <= 2347}")));
    EXPECT_TRUE(std::get<bool>(value("{real = 1234.56}")));  // a REAL compared exactly
    EXPECT_TRUE(std::get<bool>(value("{title = \"Клуб\"}")));
    EXPECT_TRUE(std::get<bool>(value("{title == 'Клуб' and title != 'клуб'}")));
    EXPECT_TRUE(std::get<bool>(value("{title <> 'Клубы'}")));
    EXPECT_TRUE(std::get<bool>(value("{start < end}")));
    EXPECT_TRUE(std::get<bool>(value("{start = '2022-01-01'}")));
    EXPECT_TRUE(std::get<bool>(value("{number_text = 12.5}")));
    EXPECT_TRUE(std::get<bool>(value("{yes = true}")));
    // NULL equals only NULL and is neither less nor greater than anything.
    EXPECT_TRUE(std::get<bool>(value("{nothing = null}")));
    EXPECT_FALSE(std::get<bool>(value("{nothing = 0}")));
    EXPECT_TRUE(std::get<bool>(value("{nothing != 0}")));
    EXPECT_FALSE(std::get<bool>(value("{nothing < 1}")));
    EXPECT_FALSE(std::get<bool>(value("{nothing >= 1}")));
    // Different kinds are simply not equal.
    EXPECT_FALSE(std::get<bool>(value("{title = 5}")));
}

TEST(ExprEval, Logic) {
    EXPECT_TRUE(std::get<bool>(value("{yes or no}")));
    EXPECT_FALSE(std::get<bool>(value("{yes and no}")));
    EXPECT_TRUE(std::get<bool>(value("{not no}")));
    EXPECT_TRUE(std::get<bool>(value("{not nothing}")));
    EXPECT_TRUE(std::get<bool>(value("{no or not zero and title}")));  // and binds tighter than or
    EXPECT_TRUE(std::get<bool>(value("{not achieved < planned}")));    // not applies to the comparison
    EXPECT_EQ(eval("{achieved > planned | yesno(\"выполнено\", \"не выполнено\")}").text, "выполнено");
    // Short-circuit: the right side is not evaluated.
    EXPECT_FALSE(std::get<bool>(value("{no and title * 2}")));
    EXPECT_TRUE(std::get<bool>(value("{yes or title * 2}")));
}

TEST(ExprEval, Truthiness) {
    EXPECT_FALSE(tmpl::truthy(gp::Null{}));
    EXPECT_FALSE(tmpl::truthy(false));
    EXPECT_FALSE(tmpl::truthy(std::int64_t{0}));
    EXPECT_FALSE(tmpl::truthy(Decimal()));
    EXPECT_FALSE(tmpl::truthy(std::string()));
    EXPECT_TRUE(tmpl::truthy(std::string("0")));
    EXPECT_TRUE(tmpl::truthy(Date{2022, 1, 1}));
    EXPECT_TRUE(tmpl::truthy(0.5));
}

TEST(ExprEval, FiltersSeeTheResult) {
    EXPECT_EQ(eval("{achieved | plural(\"участник|участника|участников\")}").text, "2347\u00A0участников");
    EXPECT_EQ(eval("{21 | plural(\"участник|участника|участников\")}").text, "21\u00A0участник");
    EXPECT_EQ(eval("{1.5 | plural(\"литр|литра|литров\")}").text, "1,5\u00A0литра");
    EXPECT_EQ(eval("{amount | words | capitalize}").text, "Два миллиона шестьсот девяносто одна тысяча рублей 00 копеек");
    EXPECT_EQ(eval("{nothing | default(title)}").text, "Клуб");
    EXPECT_EQ(eval("{title | truncate(3)}").text, "Кл…");
    EXPECT_EQ(eval("{title | lower | upper}").text, "КЛУБ");
    EXPECT_EQ(eval("{yes | yesno}").format, gp::model::Format::Boolean);
    EXPECT_EQ(eval("{yes | yesno(\"есть\", \"нет\")}").format, gp::model::Format::Text);
    EXPECT_EQ(eval("{amount | number(0)}").decimals, 0);
    // number(min, max): the decimals a value needs, rounded to max, at least min.
    EXPECT_EQ(visible(eval("{achieved | number(0, 2)}").text), "2347");  // four digits stay whole
    EXPECT_EQ(eval("{achieved | number(0, 2)}").decimals, 0);
    EXPECT_EQ(visible(eval("{91.4 | number(0, 2)}").text), "91,4");
    EXPECT_EQ(eval("{91.4 | number(0, 2)}").decimals, 1);
    EXPECT_EQ(visible(eval("{0.256 | number(0, 2)}").text), "0,26");
    EXPECT_EQ(visible(eval("{7.1 | number(2, 4)}").text), "7,10");
    EXPECT_EQ(tmpl::parseText("{x | number(0, 3)}", {}).staticDecimals(), 3);
    EXPECT_EQ(tmpl::parseText("{x | percent(2)}", {}).staticDecimals(), 2);
    EXPECT_EQ(tmpl::parseText("{x | money | upper}", {}).staticFormat(), gp::model::Format::Text);
    EXPECT_EQ(tmpl::parseText("{x | money | default(\"—\")}", {}).staticFormat(), gp::model::Format::Money);
}

TEST(ExprEval, FormatLikeAppliesOnlyTheFilters) {
    auto te = tmpl::parseText("{achieved / planned | percent(0)}", {});
    EXPECT_EQ(visible(tmpl::formatLike(te, *Decimal::parse("0.5")).text), "50_%");
}

TEST(ExprEval, ValueErrorsPointAtTheOperatorOrFilter) {
    using K = gp::ErrorKind;
    // "{" is at column 5 of line 3.
    expectError("{title * 2}", K::Data, 12, "'*' needs numbers, got text 'Клуб'");
    expectError("{-title}", K::Data, 6, "'-' needs a number");
    expectError("{title | money}", K::Data, 14, "filter 'money' needs a number, got text 'Клуб'");
    expectError("{title | date}", K::Data, 14, "filter 'date' needs a date");
    expectError("{title < 5}", K::Data, 12, "cannot compare text 'Клуб' with integer '5'");
    expectError("{start + title}", K::Data, 12, "dates allow date - date, date + days");
    expectError("{amount * amount * amount}", K::Data, 22, "too large");
    expectError("{missing}", K::Template, 6, "unknown name {missing}");
    expectError("{1 + missing.part}", K::Template, 10, "unknown name {missing.part}");
}

TEST(ExprEval, SyntaxErrorsPointAtTheProblem) {
    using K = gp::ErrorKind;
    expectError("ab {amount | rubles}", K::Template, 18, "unknown filter 'rubles' (known: capitalize");
    expectError("{amount | mony}", K::Template, 15, "unknown filter 'mony' (did you mean 'money'?)");
    expectError("{amount +}", K::Template, 14, "expected a value at the end");
    expectError("{(amount}", K::Template, 13, "missing ')'");
    expectError("{amount title}", K::Template, 13, "unexpected 't'");
    expectError("{}", K::Template, 6, "empty placeholder");
    expectError("{amount | money(1, 2)}", K::Template, 15, "takes 0 to 1 arguments, got 2");
    expectError("{amount | money(1)}", K::Template, 21, "must be a \"string\"");
    expectError("{amount | number(5)}", K::Template, 22, "decimals: 0 to 4");
    expectError("{amount | number(title)}", K::Template, 22, "must be a literal");
    expectError("{amount | number(2, 1)}", K::Template, 25, "the most decimals (1) is fewer than the least (2)");
    expectError("{start | date(\"iso\")}", K::Template, 19, "date style must be one of short, long, quoted, month-year");
    expectError("{x | plural(\"a|b\")}", K::Template, 17, "three forms");
    expectError("{x | truncate(0)}", K::Template, 19, "at least 1");
    expectError("{x | yesno(\"да\")}", K::Template, 10, "0 or 2");
    expectError("{a < b < c}", K::Template, 12, "comparisons do not chain");
    expectError("{(a | money)}", K::Template, 9, "filters go at the end");
    expectError("{\"open}", K::Template, 5, "unclosed '{'");
    expectError("{'open}", K::Template, 5, "unclosed '{'");
    expectError("{a and}", K::Template, 11, "expected a value");
    expectError("{and}", K::Template, 6, "expected a value before 'and'");
    expectError("{12abc}", K::Template, 6, "'12a' is not a number");
    expectError("text } here", K::Template, 10, "unmatched '}'");
    expectError("{a.}", K::Template, 8, "expected a name after '.'");
    expectError("{a | }", K::Template, 10, "expected a filter name");
}

TEST(ExprEval, NestingIsBounded) {
    std::string deep = "{" + std::string(500, '(') + "1" + std::string(500, ')') + "}";
    EXPECT_THROW(eval(deep), gp::Error);
    std::string minus = "{" + std::string(500, '-') + "1}";
    EXPECT_THROW(eval(minus), gp::Error);
    std::string nots = "{";
    for (int i = 0; i < 500; ++i) nots += "not ";
    EXPECT_THROW(eval(nots + "1}"), gp::Error);
    std::string chain = "{1";
    for (int i = 0; i < 100000; ++i) chain += " + 1";
    EXPECT_THROW(eval(chain + "}"), gp::Error);  // long chains nest as deep as they are long
    std::string fine = "{" + std::string(30, '(') + "1" + std::string(30, ')') + "}";
    EXPECT_EQ(std::get<std::int64_t>(value(fine)), 1);
}

TEST(ExprEval, PositionsFollowLinesAndEntities) {
    // Text from the XML parser: "{a}" on line 2, and after an entity that took 6 columns.
    auto root = tmpl::parseXmlString("<r>\n  <p>x&#160;{a | mony}\n   {b | mony}</p></r>", "pos.xml");
    const auto text = root->children.front()->directText();
    std::vector<gp::Error> errors;
    tmpl::parseText(text, "pos.xml", tmpl::Spaces::CollapseTrim, [&](const gp::Error& e) { errors.push_back(e); });
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].line(), 2);
    EXPECT_EQ(errors[0].column(), 18);  // <p> at 3, 'x' at 6, &#160; at 7..12, '{' at 13, 'mony' at 18
    EXPECT_EQ(errors[1].line(), 3);
    EXPECT_EQ(errors[1].column(), 9);
}
