// The PDF renderer, checked from the outside: documents built by hand with Cyrillic content
// are rendered and read back with programs nobody here wrote (pdftotext, pdffonts, pdfinfo
// from poppler-utils; qpdf). The line breaker is also tested on its own.
#include <gtest/gtest.h>

#include "support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "pdf/pdf_renderer.h"
#include "pdf/text_layout.h"

namespace fs = std::filesystem;
namespace model = gp::model;

namespace {

using gp::test::Output;
Output run(const std::string& command, bool withStderr = false) { return gp::test::run(command, withStderr); }
std::string shellQuote(const fs::path& p) { return gp::test::shellQuote(p.string()); }

// ---------------------------------------------------------------------------------------
// Helpers

bool haveTools() {
    return run("pdftotext -v").status == 0 && run("pdffonts -v").status == 0 && run("pdfinfo -v").status == 0 &&
           run("qpdf --version").status == 0;
}

#define REQUIRE_TOOLS()                                                                    \
    do {                                                                                   \
        if (!haveTools()) GTEST_SKIP() << "poppler-utils and qpdf are needed for this test"; \
    } while (0)

fs::path fontsDir() { return fs::path(GP_SOURCE_DIR) / "fonts"; }

fs::path workDir() {
    static const fs::path dir = [] {
        fs::path d = fs::path(::testing::TempDir()) / ("gp_pdf_test_" + std::to_string(getpid()));
        fs::create_directories(d);
        return d;
    }();
    return dir;
}

fs::path renderTo(const model::Document& doc, const std::string& name) {
    const fs::path path = workDir() / name;
    gp::pdf::Options options{fontsDir()};
    options.hyphenate = false;  // text read back word for word (pdf_features_test.cpp tests hyphenation)
    gp::pdf::render(doc, path, options);
    return path;
}

std::string pdftotext(const fs::path& pdf, int page = 0) {
    std::string cmd = "pdftotext -layout -enc UTF-8 ";
    if (page > 0) cmd += "-f " + std::to_string(page) + " -l " + std::to_string(page) + " ";
    const Output out = run(cmd + shellQuote(pdf) + " -");
    EXPECT_EQ(out.status, 0) << "pdftotext failed on " << pdf;
    return out.text;
}

// Pages of pdftotext output (it ends each page with a form feed).
std::vector<std::string> pages(const std::string& text) {
    std::vector<std::string> out;
    std::string::size_type start = 0, ff;
    while ((ff = text.find('\f', start)) != std::string::npos) {
        out.push_back(text.substr(start, ff - start));
        start = ff + 1;
    }
    if (start < text.size() && text.find_first_not_of(" \n", start) != std::string::npos) out.push_back(text.substr(start));
    return out;
}

int pageCount(const fs::path& pdf) {
    const Output out = run("pdfinfo " + shellQuote(pdf));
    const auto pos = out.text.find("Pages:");
    return pos == std::string::npos ? -1 : std::atoi(out.text.c_str() + pos + 6);
}

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) s.replace(pos, from.size(), to);
    return s;
}

// No-break spaces become spaces, a hyphen that ends a line joins the next line, and every
// run of whitespace becomes one space: text as a reader would quote it.
std::string normalize(std::string s) {
    s = replaceAll(s, "\xC2\xA0", " ");      // U+00A0
    s = replaceAll(s, "\xE2\x80\xAF", " ");  // U+202F
    std::string out;
    bool space = false;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '-' && i + 1 < s.size() && s[i + 1] == '\n') {  // "социально-\n   экономический"
            out += '-';
            ++i;
            while (i + 1 < s.size() && (s[i + 1] == ' ' || s[i + 1] == '\n')) ++i;
            space = false;
            continue;
        }
        if (c == ' ' || c == '\n' || c == '\t' || c == '\f' || c == '\r') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

std::string readBytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

size_t countOf(const std::string& haystack, const std::string& needle) {
    size_t n = 0;
    for (auto pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + needle.size())) ++n;
    return n;
}

// ---------------------------------------------------------------------------------------
// Documents

const char* const kLongParagraph =
    "Проект направлен на развитие социально-экономического потенциала малых городов "
    "Северо-Западного федерального округа через создание открытой образовательной площадки "
    "для молодых исследователей, предпринимателей и представителей некоммерческих организаций. "
    "В рамках проекта будет проведено двенадцать практических семинаров, подготовлено "
    "методическое пособие и организована итоговая конференция с участием экспертов. "
    "Результаты проекта будут опубликованы в открытом доступе и переданы органам местного "
    "самоуправления для использования при подготовке муниципальных программ развития.";

model::Cell text(std::string s) {
    model::Cell c;
    c.value = s;
    c.text = std::move(s);
    return c;
}

model::Cell money(std::string shown) {
    model::Cell c;
    c.format = model::Format::Money;
    c.text = std::move(shown);
    return c;
}

model::Block block(model::Content content, model::Target target = model::Target::Both) {
    return model::Block{std::move(content), target};
}

model::Document baseDocument() {
    model::Document doc;
    doc.meta.title = "Заявка на получение гранта № 2022-1-0042";
    doc.meta.subject = "Грантовая заявка";
    doc.meta.author = "Фонд президентских грантов";
    doc.meta.keywords = "грант, заявка, бюджет";
    doc.meta.created = 1641031200;  // 2022-01-01 10:00:00 UTC
    return doc;
}

model::Table budgetTable(int rows) {
    model::Table t;
    t.caption = "Таблица 1 — Бюджет проекта";
    t.columns = {
        {"№", {model::Width::Kind::Fixed, 10}, model::Align::Right, model::Format::Integer, 0, model::Aggregate::None},
        {"Статья расходов", {model::Width::Kind::Share, 1}, model::Align::Left, model::Format::Text, 2,
         model::Aggregate::None},
        {"Количество", {model::Width::Kind::Percent, 14}, model::Align::Right, model::Format::Integer, 0,
         model::Aggregate::Sum},
        {"Сумма, ₽", {model::Width::Kind::Fixed, 35}, model::Align::Right, model::Format::Money, 2,
         model::Aggregate::Sum},
    };
    for (int i = 1; i <= rows; ++i) {
        const std::string n = std::to_string(i);
        std::string item = "Строка " + n + ": оплата услуг по договору";
        if (i % 7 == 0) item += " на проведение обучающего семинара для участников проекта в муниципальных образованиях";
        t.rows.push_back({text(n), text(item), text(std::to_string(i % 5 + 1)),
                          money("1\u00A0" + std::string(i < 10 ? "00" : i < 100 ? "0" : "") + std::to_string(i) +
                                "\u00A0000,00\u00A0₽")});
    }
    t.totals = {text("Итого"), text(""), text("360"), money("2\u00A0691\u00A0000,00\u00A0₽")};
    return t;
}

model::FieldList applicantFields() {
    model::FieldList f;
    f.fields = {
        {"Организация", text("Автономная некоммерческая организация «Центр развития местных сообществ»")},
        {"ИНН", text("7801234567")},
        {"Руководитель проекта", text("Иванова Мария Сергеевна")},
        {"Запрашиваемая сумма", money("2\u00A0691\u00A0000,00\u00A0₽")},
        {"Срок реализации", text("01.03.2022 — 28.02.2023")},
    };
    return f;
}

// Title, headings, three long paragraphs, a field list and a table of `rows` rows.
model::Document realisticDocument(int rows) {
    model::Document doc = baseDocument();
    doc.blocks.push_back(block(model::Title{"Заявка на участие в конкурсе президентских грантов",
                                            "Проект «Открытая площадка для малых городов»"}));
    doc.blocks.push_back(block(model::Heading{1, "1. Сведения о заявителе", {}}));
    doc.blocks.push_back(block(applicantFields()));
    doc.blocks.push_back(block(model::Heading{1, "2. Описание проекта", {}}));
    doc.blocks.push_back(block(model::Heading{2, "2.1. Цель и задачи", {}}));
    doc.blocks.push_back(block(model::plainParagraph(kLongParagraph)));
    doc.blocks.push_back(block(model::plainParagraph(
        "Целевая группа проекта — жители малых городов в возрасте от 18 до 35 лет, заинтересованные в "
        "реализации собственных инициатив. Участники получат знания о подготовке заявок, управлении "
        "проектами и привлечении ресурсов, а также смогут обсудить идеи с наставниками. Отбор участников "
        "проводится на конкурсной основе по заранее опубликованным критериям; информация о конкурсе "
        "распространяется через местные средства массовой информации и социальные сети.")));
    doc.blocks.push_back(block(model::Heading{2, "2.2. Ожидаемые результаты", {}}));
    doc.blocks.push_back(block(model::plainParagraph(
        "По итогам проекта не менее 240 человек пройдут обучение, будет подготовлено не менее 30 "
        "проектных заявок, из которых не менее 10 получат поддержку из различных источников. "
        "Общий объём запрашиваемых средств составляет 2\u00A0691\u00A0000,00\u00A0₽, софинансирование — "
        "450\u00A0000,00\u00A0₽. Методическое пособие будет издано тиражом 500 экземпляров и размещено "
        "на сайте организации.")));
    doc.blocks.push_back(block(model::Heading{1, "3. Бюджет", {}}));
    doc.blocks.push_back(block(budgetTable(rows)));
    return doc;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// The line breaker on its own (every character 1 pt wide, so widths are character counts)

using gp::test::kMono;
using gp::test::runsOf;

TEST(PdfLineBreaking, BreaksAtSpacesAndMarksParagraphEnds) {
    const auto lines = gp::pdf::wrap(U"раз два три четыре пять", 10, kMono);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(runsOf(lines[0]), (std::vector<std::u32string>{U"раз", U"два"}));
    EXPECT_EQ(runsOf(lines[1]), (std::vector<std::u32string>{U"три", U"четыре"}));
    EXPECT_EQ(runsOf(lines[2]), (std::vector<std::u32string>{U"пять"}));
    EXPECT_DOUBLE_EQ(lines[0].width, 7);
    EXPECT_DOUBLE_EQ(lines[1].width, 10);
    EXPECT_DOUBLE_EQ(lines[0].space, 1);
    EXPECT_FALSE(lines[0].last);
    EXPECT_FALSE(lines[1].last);
    EXPECT_TRUE(lines[2].last);
}

TEST(PdfLineBreaking, NeverBreaksAtNoBreakSpacesUnlessTheGroupIsWiderThanTheLine) {
    // "Сумма:" fits with "2" but the no-break spaces keep the amount together.
    const auto lines = gp::pdf::wrap(U"Сумма: 2\u00A0691\u00A0000,00\u202F₽", 16, kMono);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(runsOf(lines[0]), (std::vector<std::u32string>{U"Сумма:"}));
    EXPECT_EQ(runsOf(lines[1]), (std::vector<std::u32string>{U"2 691 000,00 ₽"}));  // drawn with U+0020
    EXPECT_DOUBLE_EQ(lines[1].width, 14);
    // In a cell narrower than the amount it breaks at a no-break space, not inside digits.
    const auto narrow = gp::pdf::wrap(U"2\u00A0691\u00A0000,00\u00A0₽", 10, kMono);
    ASSERT_EQ(narrow.size(), 2u);
    EXPECT_EQ(narrow[0].runs[0].text, U"2 691");
    EXPECT_EQ(narrow[1].runs[0].text, U"000,00 ₽");
}

TEST(PdfLineBreaking, BreaksAfterAHyphenInsideAWord) {
    const auto lines = gp::pdf::wrap(U"к социально-экономическому развитию", 14, kMono);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(runsOf(lines[0]), (std::vector<std::u32string>{U"к", U"социально-"}));
    EXPECT_EQ(runsOf(lines[1]), (std::vector<std::u32string>{U"экономическому"}));
    EXPECT_EQ(runsOf(lines[2]), (std::vector<std::u32string>{U"развитию"}));
    // A leading minus is not a break point.
    const auto minus = gp::pdf::wrap(U"-1234567", 4, kMono);
    EXPECT_EQ(minus[0].runs[0].text, U"-123");
}

TEST(PdfLineBreaking, BreaksAWordWiderThanTheLineBetweenCharacters) {
    const auto lines = gp::pdf::wrap(U"абвгдежзийклмн", 5, kMono);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0].runs[0].text, U"абвгд");
    EXPECT_EQ(lines[1].runs[0].text, U"ежзий");
    EXPECT_EQ(lines[2].runs[0].text, U"клмн");
}

TEST(PdfLineBreaking, SoftHyphenShowsOnlyWhereTheLineBreaks) {
    const auto one = gp::pdf::wrap(U"груп\u00ADпа", 20, kMono);
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0].runs[0].text, U"группа");
    const auto two = gp::pdf::wrap(U"а груп\u00ADпа", 7, kMono);
    ASSERT_EQ(two.size(), 2u);
    EXPECT_EQ(runsOf(two[0]), (std::vector<std::u32string>{U"а", U"груп-"}));
    EXPECT_EQ(runsOf(two[1]), (std::vector<std::u32string>{U"па"}));
}

TEST(PdfLineBreaking, OneLetterWordsGoWithTheNextWordAndDashesStayBehind) {
    // "в" would fit at the end of the first line, but it moves down with "муниципальных".
    const auto lines = gp::pdf::wrap(U"участники в муниципальных", 15, kMono);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(runsOf(lines[0]), (std::vector<std::u32string>{U"участники"}));
    EXPECT_EQ(runsOf(lines[1]), (std::vector<std::u32string>{U"в", U"муниципальных"}));
    // A dash never starts a line: "проекта" goes down with it.
    const auto dash = gp::pdf::wrap(U"группа проекта — жители", 15, kMono);
    ASSERT_EQ(dash.size(), 3u);
    EXPECT_EQ(runsOf(dash[0]), (std::vector<std::u32string>{U"группа"}));
    EXPECT_EQ(runsOf(dash[1]), (std::vector<std::u32string>{U"проекта", U"—"}));
}

TEST(PdfLineBreaking, ShortPrepositionsGoDownWithTheNextWordAndParticlesStayBehind) {
    // "не" fits at the end of the first line, but a short preposition or particle does not end
    // a line when moving it costs little (templates/README.md, "Typography").
    const auto ne = gp::pdf::wrap(U"Издан сборник тиражом не менее 500 экз.", 26, kMono);
    ASSERT_EQ(ne.size(), 2u);
    EXPECT_EQ(runsOf(ne[0]), (std::vector<std::u32string>{U"Издан", U"сборник", U"тиражом"}));
    EXPECT_EQ(runsOf(ne[1]).front(), U"не");
    // "бы" never starts a line: "если" goes down with it instead.
    const auto by = gp::pdf::wrap(U"мы бы пошли, если бы знали дорогу", 11, kMono);
    ASSERT_EQ(by.size(), 5u);
    EXPECT_EQ(runsOf(by[1]), (std::vector<std::u32string>{U"пошли,"}));
    EXPECT_EQ(runsOf(by[2]), (std::vector<std::u32string>{U"если", U"бы"}));
    // A preposition followed by punctuation is not one: "но," may end a line.
    const auto comma = gp::pdf::wrap(U"ааааа но, бббббб", 9, kMono);
    EXPECT_EQ(runsOf(comma[0]), (std::vector<std::u32string>{U"ааааа", U"но,"}));
}

TEST(PdfLineBreaking, AParagraphDoesNotEndInAFewCharactersOnTheirOwn) {
    // The first line would hold all but "итого.": the last line gets a word more instead.
    const std::u32string text =
        U"Плановые значения показателей достигнуты по всем пунктам плана межмуниципального взаимодействия итого.";
    const auto lines = gp::pdf::wrap(text, 95, kMono);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(runsOf(lines[1]), (std::vector<std::u32string>{U"взаимодействия", U"итого."}));
    // In a narrow cell (under 60 spaces) a short last line is fine: the cell does not grow.
    const auto narrow = gp::pdf::wrap(U"Проведены занятия всего", 18, kMono);
    ASSERT_EQ(narrow.size(), 2u);
    EXPECT_EQ(runsOf(narrow[1]), (std::vector<std::u32string>{U"всего"}));
}

TEST(PdfLineBreaking, AJustifiedParagraphTightensItsLettersRatherThanLeaveAShortWordAlone) {
    // Eight words of nine letters and "0.": 82 characters for a line of 80. Moving a word down
    // would stretch the first line's spaces past the limit, so without tightening "0." stands
    // alone; with it (as on the final report's summary, «… не завершено 0.») the paragraph is
    // one line, its spaces and letters a little tighter.
    std::u32string text;
    for (int i = 0; i < 8; ++i) text += U"абвгдежзи ";
    text += U"0.";
    const auto mono = [](char32_t, gp::pdf::FontId) { return 1.0; };
    gp::pdf::WrapOptions justified;
    justified.shrink = 0.2;
    const auto loose = gp::pdf::wrap(text, {}, 80, mono, justified);
    ASSERT_EQ(loose.size(), 2u);
    EXPECT_EQ(runsOf(loose[1]), (std::vector<std::u32string>{U"0."}));
    EXPECT_EQ(loose[0].tracking, 0.0);

    justified.tighten = 0.05;
    const auto tight = gp::pdf::wrap(text, {}, 80, mono, justified);
    ASSERT_EQ(tight.size(), 1u);
    EXPECT_TRUE(tight[0].last);
    // The spaces give their fifth (8 × 0.2), the 74 letters the remaining 0.4: -0.006 each.
    EXPECT_DOUBLE_EQ(tight[0].tracking, -0.006);
    EXPECT_DOUBLE_EQ(tight[0].space, 0.8);
    EXPECT_LE(tight[0].width, 80.0);
    // A paragraph that ends in a long enough last line is left alone.
    const auto fine = gp::pdf::wrap(U"абвгдежзи абвгдежзи абвгдежзи", {}, 20, mono, justified);
    for (const auto& line : fine) EXPECT_EQ(line.tracking, 0.0);
}

TEST(PdfLineBreaking, NeverThreeHyphenatedLineEndsInARowWhenAnotherSettingExists) {
    // Words of syllables joined by soft hyphens, justified: the best setting with two hyphens
    // in a row allowed had three (found by a random search against the previous rule).
    std::u32string text;
    for (const char32_t* word : {U"те-пе-ни-ни-ро", U"ри-ва-пе", U"му-ни-ни", U"ва-ро", U"му-ка-ни-му", U"ни-му",
                                 U"ва-ри-те-пе", U"за-ни", U"ни-ни-му", U"ка-ло", U"ло-ни-ни", U"пе-ри-ро", U"те-ло"}) {
        for (const char32_t* c = word; *c; ++c) text += *c == U'-' ? U'\u00AD' : *c;
        text += U' ';
    }
    gp::pdf::WrapOptions justified;
    justified.shrink = 0.2;
    const auto lines = gp::pdf::wrap(text, {}, 20, [](char32_t, gp::pdf::FontId) { return 1.0; }, justified);
    int run = 0, longest = 0;
    for (const auto& line : lines) {
        const bool hyphen = !line.last && !line.runs.empty() && line.runs.back().text.back() == U'-';
        run = hyphen ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    EXPECT_LE(longest, 2);
    EXPECT_GE(lines.size(), 3u);
}

TEST(PdfLineBreaking, JustifiedLinesAvoidGapsWiderThanTwoSpaces) {
    // Set for the fewest gaps beyond kMaxStretch: "жжж жж жжж" / "жжжж жжжжжжжж" / "жжж жжжжжжжж"
    // stretched two lines' gaps by 2.5 and 3 spaces; one full first line leaves one such line.
    gp::pdf::WrapOptions justified;
    justified.shrink = 0.2;
    const auto mono = [](char32_t, gp::pdf::FontId) { return 1.0; };
    const auto lines = gp::pdf::wrap(U"жжж жж жжж жжжж жжжжжжжж жжж жжжжжжжж", {}, 15, mono, justified);
    int wide = 0;
    for (const auto& line : lines)
        if (!line.last && line.runs.size() > 1 &&
            (15 - line.width) / static_cast<double>(line.runs.size() - 1) > gp::pdf::kMaxStretch * line.space + 1e-9)
            ++wide;
    EXPECT_EQ(wide, 1);
    EXPECT_EQ(runsOf(lines[0]), (std::vector<std::u32string>{U"жжж", U"жж", U"жжж", U"жжжж"}));
}

TEST(PdfLineBreaking, FillsLinesEvenlyRatherThanGreedily) {
    // Greedy: "aaa bb" / "cc" / "dddddd", the middle line 4 short. Total fit spreads the
    // slack: "aaa" / "bb cc" / "dddddd".
    const auto lines = gp::pdf::wrap(U"aaa bb cc dddddd", 6, kMono);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(runsOf(lines[0]), (std::vector<std::u32string>{U"aaa"}));
    EXPECT_EQ(runsOf(lines[1]), (std::vector<std::u32string>{U"bb", U"cc"}));
    EXPECT_EQ(runsOf(lines[2]), (std::vector<std::u32string>{U"dddddd"}));
}

TEST(PdfLineBreaking, NewLinesForceBreaksAndSpacesCollapse) {
    const auto lines = gp::pdf::wrap(U"  первая   строка\r\n\nтретья\n\n", 100, kMono);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(runsOf(lines[0]), (std::vector<std::u32string>{U"первая", U"строка"}));
    EXPECT_TRUE(lines[0].last);
    EXPECT_TRUE(lines[1].runs.empty());
    EXPECT_EQ(runsOf(lines[2]), (std::vector<std::u32string>{U"третья"}));
    EXPECT_TRUE(gp::pdf::wrap(U"   \n ", 100, kMono).empty());
}

// ---------------------------------------------------------------------------------------
// Rendered documents

TEST(PdfRenderer, TextCanBeExtractedWithPdftotext) {
    REQUIRE_TOOLS();
    model::Document doc = realisticDocument(5);
    doc.blocks.push_back(block(model::plainParagraph("Этот абзац только для XLSX и не печатается."), model::Target::XlsxOnly));
    doc.blocks.push_back(block(model::plainParagraph("Этот абзац только для PDF."), model::Target::PdfOnly));
    const fs::path pdf = renderTo(doc, "extract.pdf");
    const std::string all = normalize(pdftotext(pdf));

    EXPECT_NE(all.find("Заявка на участие в конкурсе президентских грантов"), std::string::npos) << all;
    EXPECT_NE(all.find("Проект «Открытая площадка для малых городов»"), std::string::npos);
    for (const char* heading : {"1. Сведения о заявителе", "2. Описание проекта", "2.1. Цель и задачи", "3. Бюджет"})
        EXPECT_NE(all.find(heading), std::string::npos) << heading;
    // The justified paragraph, word for word.
    EXPECT_NE(all.find(normalize(kLongParagraph)), std::string::npos) << all;
    // Field labels and values, money with no-break spaces.
    EXPECT_NE(all.find("Запрашиваемая сумма 2 691 000,00 ₽"), std::string::npos) << all;
    EXPECT_NE(all.find("Руководитель проекта Иванова Мария Сергеевна"), std::string::npos);
    // Table caption, column titles, cells and totals.
    EXPECT_NE(all.find("Таблица 1 — Бюджет проекта"), std::string::npos);
    EXPECT_NE(all.find("Статья расходов"), std::string::npos);
    EXPECT_NE(all.find("Строка 3: оплата услуг по договору"), std::string::npos);
    EXPECT_NE(all.find("1 003 000,00 ₽"), std::string::npos);
    EXPECT_NE(all.find("Итого"), std::string::npos);
    EXPECT_EQ(all.find("только для XLSX"), std::string::npos);
    EXPECT_NE(all.find("Этот абзац только для PDF."), std::string::npos);
    EXPECT_NE(all.find("Страница 1 из " + std::to_string(pageCount(pdf))), std::string::npos);
}

TEST(PdfRenderer, LongTableRepeatsItsHeaderOnEveryPage) {
    REQUIRE_TOOLS();
    model::Document doc = baseDocument();
    doc.blocks.push_back(block(model::Heading{1, "Бюджет", {}}));
    doc.blocks.push_back(block(budgetTable(120)));
    const fs::path pdf = renderTo(doc, "long-table.pdf");
    const int n = pageCount(pdf);
    ASSERT_GE(n, 3);
    for (int p = 1; p <= n; ++p) {
        const std::string page = normalize(pdftotext(pdf, p));
        EXPECT_NE(page.find("Статья расходов"), std::string::npos) << "page " << p;
        EXPECT_NE(page.find("Количество"), std::string::npos) << "page " << p;
        EXPECT_NE(page.find("Страница " + std::to_string(p) + " из " + std::to_string(n)), std::string::npos)
            << "page " << p << ":\n" << page;
    }
    // Every row exactly once, in order, nothing lost at page breaks.
    const std::string all = normalize(pdftotext(pdf));
    size_t last = 0;
    for (int i = 1; i <= 120; ++i) {
        const std::string row = "Строка " + std::to_string(i) + ": оплата";
        EXPECT_EQ(countOf(all, row), 1u) << row;
        const size_t at = all.find(row);
        EXPECT_GT(at, last) << row;
        if (at != std::string::npos) last = at;
    }
    EXPECT_NE(normalize(pdftotext(pdf, n)).find("Итого"), std::string::npos);
}

TEST(PdfRenderer, FooterNumbersPages) {
    REQUIRE_TOOLS();
    const fs::path pdf = renderTo(realisticDocument(60), "footer.pdf");
    const int n = pageCount(pdf);
    ASSERT_GE(n, 2);
    EXPECT_NE(pdftotext(pdf, 1).find("Страница 1 из " + std::to_string(n)), std::string::npos);
    const std::string lastPage = "Страница " + std::to_string(n) + " из " + std::to_string(n);
    EXPECT_NE(pdftotext(pdf, n).find(lastPage), std::string::npos);

    model::Document plain = realisticDocument(3);
    plain.footer.clear();
    EXPECT_EQ(pdftotext(renderTo(plain, "no-footer.pdf")).find("Страница"), std::string::npos);
}

TEST(PdfRenderer, FontsAreEmbeddedAsSubsets) {
    REQUIRE_TOOLS();
    const fs::path pdf = renderTo(realisticDocument(5), "fonts.pdf");
    const Output out = run("pdffonts " + shellQuote(pdf));
    ASSERT_EQ(out.status, 0);
    std::istringstream lines(out.text);
    std::string line;
    int fonts = 0;
    bool regular = false, bold = false;
    while (std::getline(lines, line)) {
        if (line.rfind("name", 0) == 0 || line.rfind("---", 0) == 0 || line.empty()) continue;
        ++fonts;
        std::istringstream cols(line);
        std::vector<std::string> c{std::istream_iterator<std::string>(cols), std::istream_iterator<std::string>()};
        // name, type words, encoding, emb, sub, uni, object number, generation
        ASSERT_GE(c.size(), 7u) << line;
        const size_t emb = c.size() - 5;
        EXPECT_EQ(c[emb], "yes") << "not embedded: " << line;
        EXPECT_EQ(c[emb + 1], "yes") << "not a subset: " << line;
        EXPECT_EQ(c[emb + 2], "yes") << "no ToUnicode: " << line;
        EXPECT_NE(c[0].find('+'), std::string::npos) << "subset fonts are named XXXXXX+Name: " << line;
        regular = regular || c[0].find("+GrantPressSerif-Regular") != std::string::npos;
        bold = bold || c[0].find("+GrantPressSerif-Bold") != std::string::npos;
    }
    EXPECT_TRUE(regular) << out.text;
    EXPECT_TRUE(bold) << out.text;
    EXPECT_EQ(fonts, 2) << "only the faces used: Regular and Bold (Italic is only for empty tables):\n" << out.text;
}

TEST(PdfRenderer, PassesQpdfCheckAndPopplerReadsItWithoutWarnings) {
    REQUIRE_TOOLS();
    model::Document doc = realisticDocument(120);
    model::Table empty = budgetTable(0);
    empty.totals.clear();
    empty.emptyText = "Нет данных";  // brings in the Italic face too
    doc.blocks.push_back(block(empty));
    const fs::path pdf = renderTo(doc, "qpdf.pdf");
    const Output check = run("qpdf --check " + shellQuote(pdf), true);
    EXPECT_EQ(check.status, 0) << check.text;
    EXPECT_NE(check.text.find("No syntax or stream encoding errors found"), std::string::npos) << check.text;
    // libharu's own ToUnicode CMap is malformed ("Invalid 'begincidrange' operator in
    // ToUnicode CMap"); the renderer replaces it, so poppler has nothing to complain about.
    const Output text = run("pdftotext " + shellQuote(pdf) + " /dev/null", true);
    EXPECT_EQ(text.status, 0);
    EXPECT_EQ(text.text, "") << "poppler warned";
}

TEST(PdfRenderer, DocumentInformationIsCyrillicAndDated) {
    REQUIRE_TOOLS();
    const fs::path pdf = renderTo(realisticDocument(3), "info.pdf");
    const Output out = run("TZ=UTC pdfinfo -isodates " + shellQuote(pdf));
    ASSERT_EQ(out.status, 0);
    EXPECT_NE(out.text.find("Title:           Заявка на получение гранта № 2022-1-0042"), std::string::npos) << out.text;
    EXPECT_NE(out.text.find("Subject:         Грантовая заявка"), std::string::npos) << out.text;
    EXPECT_NE(out.text.find("Author:          Фонд президентских грантов"), std::string::npos) << out.text;
    EXPECT_NE(out.text.find("Keywords:        грант, заявка, бюджет"), std::string::npos) << out.text;
    EXPECT_NE(out.text.find("Creator:         GrantPress"), std::string::npos) << out.text;
    EXPECT_NE(out.text.find("CreationDate:    2022-01-01T10:00:00Z"), std::string::npos) << out.text;
    EXPECT_NE(out.text.find("ModDate:         2022-01-01T10:00:00Z"), std::string::npos) << out.text;
    EXPECT_NE(out.text.find("Page size:       595.276 x 841.89 pts (A4)"), std::string::npos) << out.text;
}

TEST(PdfRenderer, HeadingsBecomeNestedBookmarks) {
    REQUIRE_TOOLS();
    const fs::path pdf = renderTo(realisticDocument(80), "outline.pdf");
    const Output out = run("qpdf --json --json-key=outlines " + shellQuote(pdf));
    ASSERT_EQ(out.status, 0);
    const std::string& j = out.text;
    // qpdf prints the tree with each bookmark's kids inside it, keys sorted ("kids" before
    // "title"), titles decoded to UTF-8. Nesting depth = unclosed '[' before the title.
    auto depth = [&](size_t pos) {
        int d = 0;
        for (size_t i = 0; i < pos; ++i) d += j[i] == '[' ? 1 : j[i] == ']' ? -1 : 0;
        return d;
    };
    const size_t s1 = j.find("\"title\": \"1. Сведения о заявителе\"");
    const size_t s2 = j.find("\"title\": \"2. Описание проекта\"");
    const size_t s21 = j.find("\"title\": \"2.1. Цель и задачи\"");
    const size_t s22 = j.find("\"title\": \"2.2. Ожидаемые результаты\"");
    const size_t s3 = j.find("\"title\": \"3. Бюджет\"");
    for (size_t pos : {s1, s2, s21, s22, s3}) ASSERT_NE(pos, std::string::npos) << j;
    EXPECT_EQ(depth(s1), 1);
    EXPECT_EQ(depth(s2), 1);
    EXPECT_EQ(depth(s3), 1);
    EXPECT_EQ(depth(s21), 2);
    EXPECT_EQ(depth(s22), 2);
    EXPECT_TRUE(s1 < s21 && s21 < s22 && s22 < s2 && s2 < s3) << "2.1 and 2.2 are kids of 2.";
    // Every destination is [page /XYZ null top null]: it keeps the reader's zoom.
    size_t xyz = 0;
    for (size_t pos = j.find("\"/XYZ\""); pos != std::string::npos; pos = j.find("\"/XYZ\"", pos + 1)) {
        ++xyz;
        const size_t next = j.find_first_not_of(" \n,", pos + 6);
        EXPECT_EQ(j.compare(next, 4, "null"), 0) << j.substr(pos, 80);
    }
    EXPECT_EQ(xyz, 5u);
    EXPECT_NE(j.find("\"destpageposfrom1\": 1"), std::string::npos);
}

TEST(PdfRenderer, SameInputGivesTheSameBytes) {
    const model::Document doc = realisticDocument(120);
    const std::string a = readBytes(renderTo(doc, "same-a.pdf"));
    const std::string b = readBytes(renderTo(doc, "same-b.pdf"));
    ASSERT_GT(a.size(), 1000u);
    EXPECT_TRUE(a == b) << "two renderings differ";
    EXPECT_EQ(a.find("/ID"), std::string::npos) << "libharu wrote a document ID";
    // Rendering over an existing file replaces it.
    const std::string again = readBytes(renderTo(realisticDocument(3), "same-a.pdf"));
    EXPECT_LT(again.size(), a.size());
}

TEST(PdfRenderer, MissingFontsFolderNamesThePath) {
    const fs::path missing = workDir() / "no-such-fonts";
    try {
        gp::pdf::render(realisticDocument(1), workDir() / "missing.pdf", {missing});
        FAIL() << "no error";
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), gp::ErrorKind::Render);
        EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
    }
    model::Document doc = realisticDocument(1);
    doc.fontFamily = "NoSuchFamily";
    try {
        gp::pdf::render(doc, workDir() / "missing.pdf", {fontsDir()});
        FAIL() << "no error";
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), gp::ErrorKind::Render);
        EXPECT_NE(std::string(e.what()).find((fontsDir() / "NoSuchFamily-").string()), std::string::npos) << e.what();
    }
}

TEST(PdfRenderer, CharacterMissingFromTheFontIsAnError) {
    model::Document doc = baseDocument();
    doc.blocks.push_back(block(model::plainParagraph("Партнёр проекта: 中国 университет")));
    try {
        gp::pdf::render(doc, workDir() / "glyph.pdf", {fontsDir()});
        FAIL() << "no error";
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), gp::ErrorKind::Render);
        const std::string m = e.what();
        EXPECT_NE(m.find("U+4E2D"), std::string::npos) << m;
        EXPECT_NE(m.find("Партнёр проекта"), std::string::npos) << m;
    }
}

TEST(PdfRenderer, RubleSignAndNarrowNoBreakSpaceAreDrawn) {
    REQUIRE_TOOLS();
    // PT Serif has ₽ (U+20BD) but no U+202F; the renderer draws it as a space.
    model::Document doc = baseDocument();
    doc.blocks.push_back(block(model::plainParagraph("Итого: 2\u202F691\u202F000,00\u00A0₽")));
    const std::string all = normalize(pdftotext(renderTo(doc, "ruble.pdf")));
    EXPECT_NE(all.find("Итого: 2 691 000,00 ₽"), std::string::npos) << all;
}

TEST(PdfRenderer, PageBreakStartsANewPage) {
    REQUIRE_TOOLS();
    model::Document doc = baseDocument();
    doc.blocks.push_back(block(model::PageBreak{}));  // nothing before it: no blank page
    doc.blocks.push_back(block(model::plainParagraph("Первая страница.")));
    doc.blocks.push_back(block(model::PageBreak{}));
    doc.blocks.push_back(block(model::plainParagraph("Вторая страница.")));
    const fs::path pdf = renderTo(doc, "break.pdf");
    ASSERT_EQ(pageCount(pdf), 2);
    EXPECT_NE(pdftotext(pdf, 1).find("Первая страница."), std::string::npos);
    EXPECT_NE(pdftotext(pdf, 2).find("Вторая страница."), std::string::npos);
}

TEST(PdfRenderer, EmptyTableShowsItsEmptyText) {
    REQUIRE_TOOLS();
    model::Document doc = baseDocument();
    model::Table t = budgetTable(0);
    t.totals.clear();
    t.emptyText = "Расходы не запланированы";
    doc.blocks.push_back(block(t));
    const std::string all = normalize(pdftotext(renderTo(doc, "empty.pdf")));
    EXPECT_NE(all.find("Статья расходов"), std::string::npos) << all;
    EXPECT_NE(all.find("Расходы не запланированы"), std::string::npos) << all;
}

TEST(PdfRenderer, RowTallerThanAPageIsSplitByLines) {
    REQUIRE_TOOLS();
    model::Document doc = baseDocument();
    model::Table t;
    t.columns = {{"Мероприятие", {model::Width::Kind::Share, 1}, model::Align::Left, model::Format::Text, 2,
                  model::Aggregate::None},
                 {"Описание", {model::Width::Kind::Share, 3}, model::Align::Left, model::Format::Text, 2,
                  model::Aggregate::None}};
    std::string longText;
    for (int i = 1; i <= 1200; ++i) longText += "слово" + std::to_string(i) + " ";
    t.rows.push_back({text("Короткая строка"), text("Первая")});
    t.rows.push_back({text("Длинное описание"), text(longText)});
    t.rows.push_back({text("Последняя"), text("Конец")});
    doc.blocks.push_back(block(t));
    const fs::path pdf = renderTo(doc, "tall-row.pdf");
    const int n = pageCount(pdf);
    ASSERT_GE(n, 2);
    const std::string all = normalize(pdftotext(pdf));
    for (int i = 1; i <= 1200; ++i) EXPECT_EQ(countOf(all, "слово" + std::to_string(i) + " "), 1u) << i;
    for (int p = 1; p <= n; ++p) EXPECT_NE(pdftotext(pdf, p).find("Описание"), std::string::npos) << "page " << p;
    // The row starts on page 1 right after the first row instead of leaving a blank page.
    EXPECT_NE(pdftotext(pdf, 1).find("слово1 "), std::string::npos);
}

// Sweeps how much text comes before a heading so that it lands at every position near a
// page bottom: a heading is never the last thing on a page, and a paragraph never leaves a
// single line at the bottom of a page or the top of the next one.
TEST(PdfRenderer, KeepsHeadingsWithTextAndAvoidsWidowsAndOrphans) {
    REQUIRE_TOOLS();
    for (int filler = 30; filler <= 44; ++filler) {
        model::Document doc = baseDocument();
        for (int i = 0; i < filler; ++i) doc.blocks.push_back(block(model::plainParagraph("Заполняющая строка.")));
        doc.blocks.push_back(block(model::Heading{1, "Заголовок раздела", {}}));
        std::string words;
        for (int i = 1; i <= 60; ++i) words += "абв" + std::to_string(i) + "где ";
        doc.blocks.push_back(block(model::plainParagraph(words)));
        const fs::path pdf = renderTo(doc, "keep.pdf");
        const std::vector<std::string> ps = pages(pdftotext(pdf));
        for (size_t p = 0; p < ps.size(); ++p) {
            std::istringstream in(ps[p]);
            std::string line;
            int paragraphLines = 0;
            bool heading = false, textAfterHeading = false;
            while (std::getline(in, line)) {
                if (line.find("Заголовок раздела") != std::string::npos) heading = true;
                if (line.find("где") != std::string::npos) {
                    ++paragraphLines;
                    if (heading) textAfterHeading = true;
                }
            }
            if (heading) {
                EXPECT_TRUE(textAfterHeading) << "filler " << filler << ": heading alone at the bottom of page " << p + 1;
            }
            if (paragraphLines > 0) {
                EXPECT_GE(paragraphLines, 2) << "filler " << filler << ", page " << p + 1;
            }
        }
    }
}

TEST(PdfRenderer, LandscapeLetterAndA3) {
    REQUIRE_TOOLS();
    model::Document doc = realisticDocument(3);
    doc.page.size = model::PageSetup::Size::Letter;
    doc.page.landscape = true;
    Output out = run("pdfinfo " + shellQuote(renderTo(doc, "letter.pdf")));
    EXPECT_NE(out.text.find("Page size:       792 x 612 pts"), std::string::npos) << out.text;
    doc.page.size = model::PageSetup::Size::A3;
    doc.page.landscape = false;
    out = run("pdfinfo " + shellQuote(renderTo(doc, "a3.pdf")));
    EXPECT_NE(out.text.find("Page size:       841.89 x 1190.55 pts (A3)"), std::string::npos) << out.text;
}

// A realistic document for a person to look at. Set GP_PDF_LOOK=/tmp/pdf-look.pdf to keep a copy.
TEST(PdfRenderer, RealisticSample) {
    REQUIRE_TOOLS();
    const fs::path pdf = renderTo(realisticDocument(40), "look.pdf");
    EXPECT_EQ(run("qpdf --check " + shellQuote(pdf)).status, 0);
    EXPECT_GE(pageCount(pdf), 2);
    if (const char* keep = std::getenv("GP_PDF_LOOK")) fs::copy_file(pdf, keep, fs::copy_options::overwrite_existing);
}
