// Acceptance tests of the PDF renderer's print features: styled runs, Russian hyphenation
// and no-break joins, table groups and streamed tables, headers and title pages, images,
// charts, signatures, fallback fonts, protection — and a rendered-page comparison of a
// realistic page 1 with a committed golden PNG. Every PDF is read back with poppler-utils
// and qpdf (nobody here wrote them).
//
// Regenerate the golden page after an intended layout change:
//   GP_UPDATE_GOLDEN=1 build/tests/gp_tests --gtest_filter='PdfGolden.*'
// then look at tests/data/pdf/golden-page1.png and commit it. GP_PDF_KEEP=DIR keeps every
// PDF these tests write in DIR, to look at.
#include <gtest/gtest.h>

#include "support.h"
#include <png.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "pdf/pdf_renderer.h"
#include "pdf/text_layout.h"

namespace fs = std::filesystem;
namespace model = gp::model;

namespace {

using gp::test::Output;
Output run(const std::string& command) { return gp::test::run(command, true); }
std::string q(const fs::path& p) { return gp::test::shellQuote(p.string()); }

bool haveTools() {
    return run("pdftotext -v").status == 0 && run("pdffonts -v").status == 0 && run("qpdf --version").status == 0 &&
           run("pdftoppm -v").status == 0;
}

#define REQUIRE_TOOLS()                                                                                  \
    do {                                                                                                 \
        if (!haveTools()) GTEST_SKIP() << "poppler-utils and qpdf are needed for this test";             \
    } while (0)

fs::path fontsDir() { return fs::path(GP_SOURCE_DIR) / "fonts"; }
fs::path dataDir() { return fs::path(GP_SOURCE_DIR) / "tests" / "data" / "pdf"; }

fs::path workDir() {
    static const fs::path dir = [] {
        const char* keep = std::getenv("GP_PDF_KEEP");
        fs::path d = keep && *keep ? fs::path(keep)
                                   : fs::path(::testing::TempDir()) / ("gp_pdf_features_" + std::to_string(getpid()));
        fs::create_directories(d);
        return d;
    }();
    return dir;
}

fs::path renderTo(const model::Document& doc, const std::string& name, bool hyphenate = true) {
    const fs::path path = workDir() / name;
    gp::pdf::Options options{fontsDir()};
    options.hyphenate = hyphenate;
    gp::pdf::render(doc, path, options);
    return path;
}

std::string text(const fs::path& pdf, const std::string& extra = "") {
    const Output out = run("pdftotext -layout -enc UTF-8 " + extra + " " + q(pdf) + " -");
    EXPECT_EQ(out.status, 0) << out.text;
    return out.text;
}

// Whitespace runs become one space; no-break spaces count as spaces.
std::string flat(std::string s) {
    std::string out;
    bool space = false;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s.compare(i, 2, "\xC2\xA0") == 0) {
            space = !out.empty();
            ++i;
            continue;
        }
        const char c = s[i];
        if (c == ' ' || c == '\n' || c == '\f' || c == '\t' || c == '\r') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

int pages(const fs::path& pdf) {
    const Output out = run("pdfinfo " + q(pdf));
    const auto pos = out.text.find("Pages:");
    return pos == std::string::npos ? -1 : std::atoi(out.text.c_str() + pos + 6);
}

std::string bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// qpdf finds no damage and every font is embedded.
void expectClean(const fs::path& pdf, const std::string& password = "") {
    const Output check = run("qpdf --check " + (password.empty() ? "" : "--password=" + password + " ") + q(pdf));
    EXPECT_EQ(check.status, 0) << check.text;
    EXPECT_NE(check.text.find("No syntax or stream encoding errors"), std::string::npos) << check.text;
    const Output fonts = run("pdffonts " + (password.empty() ? "" : "-upw " + password + " ") + q(pdf));
    EXPECT_EQ(fonts.status, 0) << fonts.text;
    size_t rows = 0, start = 0, nl;
    int line = 0;
    while ((nl = fonts.text.find('\n', start)) != std::string::npos) {
        const std::string row = fonts.text.substr(start, nl - start);
        start = nl + 1;
        if (++line <= 2 || row.empty()) continue;
        ++rows;
        EXPECT_NE(row.find(" yes yes "), std::string::npos) << "not embedded as a subset: " << row;
    }
    EXPECT_GT(rows, 0u) << fonts.text;
}

std::string fontsOf(const fs::path& pdf) { return run("pdffonts " + q(pdf)).text; }

model::Cell cell(std::string s, model::Format f = model::Format::Text) {
    model::Cell c;
    c.value = s;
    c.format = f;
    c.text = std::move(s);
    return c;
}

model::Block block(model::Content c) { return model::Block{std::move(c), model::Target::Both}; }

model::Document base() {
    model::Document doc;
    doc.meta.title = "Проверка";
    doc.meta.created = 1641031200;
    return doc;
}

model::Paragraph styled(std::vector<model::Run> runs) { return model::Paragraph{std::move(runs)}; }

const char* const kText =
    "Проект направлен на развитие социально-экономического потенциала малых городов "
    "Северо-Западного федерального округа через создание открытой образовательной площадки "
    "для молодых исследователей, предпринимателей и представителей некоммерческих организаций. "
    "В рамках проекта будет проведено двенадцать практических семинаров, подготовлено "
    "методическое пособие и организована итоговая конференция с участием экспертов.";

}  // namespace

// ---------------------------------------------------------------------------------------
// Line breaking: Russian joins and hyphenation (every character 1 pt wide)

using gp::test::kMono;
using gp::test::runsOf;

TEST(PdfRussianJoins, KeepNumberSignAbbreviationsInitialsAndAmountsTogether) {
    // Each would break at the marked space if it were an ordinary one.
    auto lines = gp::pdf::wrap(U"Договор № 5 заключён", 10, kMono);
    EXPECT_EQ(runsOf(lines[0]), (std::vector<std::u32string>{U"Договор"}));
    EXPECT_EQ(runsOf(lines[1]), (std::vector<std::u32string>{U"№", U"5"}));

    lines = gp::pdf::wrap(U"Офис в г. Москва на ул. Ленина", 11, kMono);
    for (const auto& l : lines) {
        EXPECT_NE(l.runs.back().text, U"г.");
        EXPECT_NE(l.runs.back().text, U"ул.");
    }

    lines = gp::pdf::wrap(U"Директор Е. С. Воронцова подписала", 16, kMono);
    ASSERT_GE(lines.size(), 2u);
    EXPECT_EQ(runsOf(lines[1]), (std::vector<std::u32string>{U"Е.", U"С.", U"Воронцова"}));
    lines = gp::pdf::wrap(U"подписала Воронцова Е. С.", 20, kMono);
    EXPECT_EQ(runsOf(lines.back()), (std::vector<std::u32string>{U"Воронцова", U"Е.", U"С."}));

    // Digit groups and the rouble sign: one run, spaces not stretched.
    lines = gp::pdf::wrap(U"Сумма гранта 2 691 000 ₽ на год", 16, kMono);
    bool found = false;
    for (const auto& l : lines)
        for (const auto& r : l.runs) found = found || r.text == U"2 691 000 ₽";
    EXPECT_TRUE(found);
    // A year and "г.", a day and its month.
    lines = gp::pdf::wrap(U"работа с 1 января 2022 г. начата", 12, kMono);
    for (const auto& l : lines) {
        EXPECT_NE(l.runs.front().text, U"г.");
        EXPECT_NE(l.runs.front().text, U"января");
    }
    // A list of numbers is not one number.
    lines = gp::pdf::wrap(U"пункты 1, 200 и 300", 9, kMono);
    EXPECT_EQ(runsOf(lines[0]), (std::vector<std::u32string>{U"пункты", U"1,"}));
}

TEST(PdfHyphenation, FindsRussianHyphenationPoints) {
    const gp::pdf::Hyphenator* h = gp::pdf::Hyphenator::russian();
    if (!h) GTEST_SKIP() << "hyphen-ru (/usr/share/hyphen/hyph_ru_RU.dic) is not installed";
    const auto points = h->points(U"образовательной");
    ASSERT_FALSE(points.empty());
    for (size_t p : points) {
        EXPECT_GE(p, 2u);
        EXPECT_LE(p, std::u32string(U"образовательной").size() - 2);
    }
    // ё is looked up as е, capitals as lower case.
    EXPECT_FALSE(h->points(U"Объёмный").empty());
    EXPECT_TRUE(h->points(U"abc").empty());
}

TEST(PdfHyphenation, HyphenatesLongWordsWhenThatMakesBetterLinesButNotNumbersOrAddresses) {
    const gp::pdf::Hyphenator* h = gp::pdf::Hyphenator::russian();
    if (!h) GTEST_SKIP() << "hyphen-ru is not installed";
    const gp::pdf::StyledAdvance mono = [](char32_t, gp::pdf::FontId) { return 1.0; };
    gp::pdf::WrapOptions options;
    options.hyphenator = h;
    // Without hyphenation the first line would hold only "для" (slack 11).
    const std::u32string t = U"для исследователей и предпринимателей";
    auto lines = gp::pdf::wrap(t, {}, 14, mono, options);
    ASSERT_GE(lines.size(), 2u);
    EXPECT_EQ(lines[0].runs.back().text.back(), U'-');
    EXPECT_GE(lines[0].width, 8);
    // Without a hyphenator, no hyphen.
    for (const auto& l : gp::pdf::wrap(t, 14, kMono)) EXPECT_NE(l.runs.back().text.back(), U'-');
    // Not numbers, addresses, e-mails, capitals or short words.
    for (const std::u32string word : {U"1234567890123", U"https://example.org/организация", U"почта@организация.рф",
                                      U"www.организация.рф", U"АНОРАЗВИТИЕ", U"дом"}) {
        lines = gp::pdf::wrap(U"а " + word, {}, 6, mono, options);
        for (const auto& l : lines)
            for (const auto& r : l.runs) EXPECT_NE(r.text.back(), U'-') << std::string(word.begin(), word.end()).size();
    }
    // At least two letters either side.
    lines = gp::pdf::wrap(U"образовательной", {}, 8, mono, options);
    for (const auto& l : lines) EXPECT_GE(l.runs.front().text.size(), 2u);
}

TEST(PdfHyphenation, AvoidsTwoHyphenatedLinesInARow) {
    const gp::pdf::Hyphenator* h = gp::pdf::Hyphenator::russian();
    if (!h) GTEST_SKIP() << "hyphen-ru is not installed";
    const gp::pdf::StyledAdvance mono = [](char32_t, gp::pdf::FontId) { return 1.0; };
    gp::pdf::WrapOptions options;
    options.hyphenator = h;
    const auto lines = gp::pdf::wrap(
        U"Проект направлен на развитие социально-экономического потенциала малых городов через создание "
        U"открытой образовательной площадки для молодых исследователей и предпринимателей",
        {}, 40, mono, options);
    for (size_t i = 0; i + 1 < lines.size(); ++i) {
        const bool a = lines[i].runs.back().text.back() == U'-';
        const bool b = lines[i + 1].runs.back().text.back() == U'-' && !lines[i + 1].last;
        EXPECT_FALSE(a && b) << "lines " << i << " and " << i + 1;
    }
}

// ---------------------------------------------------------------------------------------
// Rendered features

TEST(PdfFeatures, RunsMixRegularBoldItalicAndBoldItalicInOneParagraph) {
    REQUIRE_TOOLS();
    model::Document doc = base();
    doc.blocks.push_back(block(styled({{"Обычный текст, затем ", false, false},
                                       {"полужирный", true, false},
                                       {", ", false, false},
                                       {"курсив", false, true},
                                       {" и ", false, false},
                                       {"полужирный курсив", true, true},
                                       {". " + std::string(kText), false, false}})));
    const fs::path pdf = renderTo(doc, "runs.pdf", false);
    expectClean(pdf);
    EXPECT_NE(flat(text(pdf)).find("Обычный текст, затем полужирный, курсив и полужирный курсив. Проект направлен"),
              std::string::npos)
        << text(pdf);
    const std::string fonts = fontsOf(pdf);
    for (const char* style : {"+GrantPressSerif-Regular", "+GrantPressSerif-Bold,", "+GrantPressSerif-Italic,",
                              "+GrantPressSerif-BoldItalic,"})
        EXPECT_NE(fonts.find(style), std::string::npos) << style << "\n" << fonts;
}

TEST(PdfFeatures, HyphenatedParagraphReadsBackWithLineEndHyphens) {
    REQUIRE_TOOLS();
    if (!gp::pdf::Hyphenator::russian()) GTEST_SKIP() << "hyphen-ru is not installed";
    model::Document doc = base();
    doc.page.left = doc.page.right = 60;  // a narrow column: many breaks
    doc.blocks.push_back(block(model::plainParagraph(kText)));
    const fs::path pdf = renderTo(doc, "hyphenation.pdf");
    expectClean(pdf);
    const std::string t = text(pdf);
    // Some line ends in a hyphen that is not in the text: a hyphenation point.
    size_t hyphenated = 0;
    for (size_t pos = t.find("-\n"); pos != std::string::npos; pos = t.find("-\n", pos + 1)) {
        const size_t start = t.rfind(' ', pos);
        const std::string word = t.substr(start + 1, pos - start);
        if (word != "социально-" && word != "Северо-") ++hyphenated;
    }
    EXPECT_GT(hyphenated, 0u) << t;
}

namespace {

model::Table groupedTable() {
    model::Table t;
    t.caption = "Бюджет по статьям";
    t.columns = {{"Статья", {model::Width::Kind::Share, 3}, model::Align::Left, model::Format::Text, 2, model::Aggregate::None},
                 {"Сумма, ₽", {model::Width::Kind::Share, 1}, model::Align::Right, model::Format::Money, 2,
                  model::Aggregate::Sum}};
    auto money = [](const char* s) { return cell(s, model::Format::Money); };
    t.rows = {{cell("Руководитель проекта"), money("600 000,00")},
              {cell("Бухгалтер"), money("240 000,00")},
              {cell("Аренда зала"), money("120 000,00")},
              {cell("Печать пособия"), money("85 500,00")},
              {cell("Транспорт"), money("40 000,00")}};
    t.groups = {{0, 2, "Оплата труда", {cell("Итого по группе"), money("840 000,00")}},
                {2, 5, "Прочие расходы", {cell("Итого по группе"), money("245 500,00")}}};
    t.totals = {cell("Итого"), money("1 085 500,00")};
    return t;
}

// Rows made while rendering: a registry of `n` rows of 12 columns.
class Registry : public model::RowSource {
public:
    explicit Registry(size_t n) : n_(n) {}
    std::unique_ptr<model::RowCursor> open() const override { return std::make_unique<Cursor>(n_); }

private:
    class Cursor : public model::RowCursor {
    public:
        explicit Cursor(size_t n) : n_(n) {}
        bool next(std::vector<model::Cell>& row) override {
            if (i_ >= n_) return false;
            ++i_;
            row.clear();
            row.push_back(cell(std::to_string(i_)));
            row.push_back(cell("2022-" + std::to_string(1000 + i_)));
            row.push_back(cell(i_ % 3 ? "АНО «Центр развития»" : "Фонд поддержки местных инициатив «Северный край»"));
            for (int k = 0; k < 9; ++k) row.push_back(cell(std::to_string((i_ * 7 + static_cast<size_t>(k)) % 1000)));
            return true;
        }
        std::vector<model::Cell> totals() const override {
            std::vector<model::Cell> t(12, cell(""));
            t[0] = cell("Итого");
            t[11] = cell("всего " + std::to_string(i_));
            return t;
        }

    private:
        size_t n_, i_ = 0;
    };
    size_t n_;
};

model::Table registryTable(size_t rows) {
    model::Table t;
    t.caption = "Реестр заявок";
    t.columns.push_back({"№", {model::Width::Kind::Fixed, 12}, model::Align::Right, model::Format::Integer, 0,
                         model::Aggregate::None});
    t.columns.push_back({"Номер", {model::Width::Kind::Share, 2}, model::Align::Left, model::Format::Text, 0,
                         model::Aggregate::None});
    t.columns.push_back({"Организация", {model::Width::Kind::Share, 4}, model::Align::Left, model::Format::Text, 0,
                         model::Aggregate::None});
    for (int k = 1; k <= 9; ++k)
        t.columns.push_back({"П" + std::to_string(k), {model::Width::Kind::Share, 1}, model::Align::Right,
                             model::Format::Integer, 0, model::Aggregate::Sum});
    t.stream = std::make_shared<Registry>(rows);
    return t;
}

}  // namespace

TEST(PdfFeatures, TableGroupsHaveTitlesAndSubtotals) {
    REQUIRE_TOOLS();
    model::Document doc = base();
    doc.blocks.push_back(block(groupedTable()));
    const fs::path pdf = renderTo(doc, "groups.pdf");
    expectClean(pdf);
    const std::string t = flat(text(pdf));
    const size_t a = t.find("Оплата труда"), b = t.find("Руководитель проекта 600 000,00"),
                 c = t.find("Итого по группе 840 000,00"), d = t.find("Прочие расходы"),
                 e = t.find("Итого по группе 245 500,00"), f = t.find("Итого 1 085 500,00");
    ASSERT_NE(a, std::string::npos) << t;
    ASSERT_NE(f, std::string::npos) << t;
    EXPECT_TRUE(a < b && b < c && c < d && d < e && e < f) << t;
    // Groups out of order are an error naming the table.
    model::Table bad = groupedTable();
    std::swap(bad.groups[0], bad.groups[1]);
    doc.blocks = {block(bad)};
    try {
        renderTo(doc, "groups-bad.pdf");
        ADD_FAILURE() << "expected an error";
    } catch (const gp::Error& e2) {
        EXPECT_NE(std::string(e2.what()).find("Бюджет по статьям"), std::string::npos) << e2.what();
    }
}

TEST(PdfFeatures, GroupContinuedOnTheNextPageRepeatsItsTitle) {
    REQUIRE_TOOLS();
    model::Document doc = base();
    model::Table t = groupedTable();
    t.rows.clear();
    for (int i = 0; i < 80; ++i) t.rows.push_back({cell("Статья " + std::to_string(i + 1)), cell("1 000,00")});
    t.groups = {{0, 80, "Оплата труда", {}}};
    t.totals.clear();
    doc.blocks.push_back(block(t));
    const fs::path pdf = renderTo(doc, "group-continued.pdf");
    ASSERT_GE(pages(pdf), 2);
    EXPECT_EQ(text(pdf, "-f 1 -l 1").find("(продолжение)"), std::string::npos);
    EXPECT_NE(text(pdf, "-f 2 -l 2").find("Оплата труда (продолжение)"), std::string::npos);
}

TEST(PdfFeatures, StreamedTableReadsEveryRowOnceAndEndsWithTheCursorTotals) {
    REQUIRE_TOOLS();
    model::Document doc = base();
    doc.page.landscape = true;
    doc.blocks.push_back(block(model::Heading{1, "Реестр", {}}));
    doc.blocks.push_back(block(registryTable(400)));
    const fs::path pdf = renderTo(doc, "stream.pdf");
    expectClean(pdf);
    const int n = pages(pdf);
    EXPECT_GT(n, 5);
    const std::string all = text(pdf);
    EXPECT_NE(all.find("2022-1400"), std::string::npos);
    EXPECT_NE(flat(all).find("всего 400"), std::string::npos);
    // The header repeats on every page.
    size_t headers = 0;
    for (size_t pos = all.find("Организация"); pos != std::string::npos; pos = all.find("Организация", pos + 1)) ++headers;
    EXPECT_EQ(headers, static_cast<size_t>(n));
    // Empty stream: the empty text.
    model::Table empty = registryTable(0);
    empty.emptyText = "Заявок нет";
    doc.blocks = {block(empty)};
    EXPECT_NE(text(renderTo(doc, "stream-empty.pdf")).find("Заявок нет"), std::string::npos);
}

// Long documents have the content of pages left well behind compressed early (to keep memory
// from growing with the page count); headers and footers are stamped on those pages later.
TEST(PdfFeatures, LongProtectedDocumentStampsEveryPageAndStaysReproducible) {
    REQUIRE_TOOLS();
    model::Document doc = base();
    doc.page.landscape = true;
    doc.header = "Реестр — стр. {page}";
    doc.footer = "Страница {page} из {pages}";
    doc.protection.ownerPassword = "owner-secret";
    doc.blocks.push_back(block(registryTable(300)));
    const fs::path pdf = renderTo(doc, "long-protected.pdf");
    expectClean(pdf);
    const int n = pages(pdf);
    ASSERT_GT(n, 12);
    for (int p = 1; p <= n; ++p) {
        const std::string page = flat(text(pdf, "-f " + std::to_string(p) + " -l " + std::to_string(p)));
        EXPECT_EQ(page.find("Реестр — стр. " + std::to_string(p)), 0u) << "page " << p << ": " << page;
        EXPECT_NE(page.find("Страница " + std::to_string(p) + " из " + std::to_string(n)), std::string::npos)
            << "page " << p << ": " << page;
        EXPECT_NE(page.find("Организация"), std::string::npos) << "page " << p;
    }
    EXPECT_NE(flat(text(pdf)).find("всего 300"), std::string::npos);
    EXPECT_EQ(bytes(pdf), bytes(renderTo(doc, "long-protected-again.pdf")));
}

// The top of the first word `word` on page 1, as a share of the page height (0 top, 1 bottom).
double wordTop(const fs::path& pdf, const std::string& word) {
    const std::string html = text(pdf, "-f 1 -l 1 -bbox");
    const size_t page = html.find("<page width=");
    const size_t at = html.find(">" + word + "</word>");
    if (page == std::string::npos || at == std::string::npos) return -1;
    const double height = std::stod(html.substr(html.find("height=\"", page) + 8));
    const size_t y = html.rfind("yMin=\"", at);
    return std::stod(html.substr(y + 6)) / height;
}

TEST(PdfFeatures, TitlePageBlocksStandAboveTheMiddle) {
    REQUIRE_TOOLS();
    model::Document doc = base();
    doc.blocks.push_back(block(model::Title{"Заявка на участие в конкурсе", "«Клуб неравнодушных»"}));
    model::FieldList fields;
    fields.fields.push_back({"Заявитель", cell("АНО «Центр развития»")});
    doc.blocks.push_back(block(fields));
    doc.blocks.push_back(block(model::PageBreak{}));
    doc.blocks.push_back(block(model::plainParagraph(kText)));
    const double top = wordTop(renderTo(doc, "no-title-page.pdf"), "Заявка");
    doc.titlePage = true;
    const double centred = wordTop(renderTo(doc, "title-page.pdf"), "Заявка");
    EXPECT_GT(top, 0.0);
    EXPECT_LT(top, 0.15);  // an ordinary first page starts at the top margin
    EXPECT_GT(centred, 0.3);  // a title page: a third of the free height above
    EXPECT_LT(centred, 0.5);
    // A title page with too much on it starts at the top, as any page.
    for (int i = 0; i < 12; ++i) doc.blocks.insert(doc.blocks.begin() + 2, block(model::plainParagraph(kText)));
    EXPECT_LT(wordTop(renderTo(doc, "full-title-page.pdf"), "Заявка"), 0.15);
}

TEST(PdfFeatures, HeaderAndFooterSkipTheTitlePage) {
    REQUIRE_TOOLS();
    model::Document doc = base();
    doc.header = "Заявка № 2022-1-0042 — стр. {page}";
    doc.footer = "Страница {page} из {pages}";
    doc.titlePage = true;
    doc.blocks.push_back(block(model::Title{"Заявка на участие в конкурсе", "Титульный лист"}));
    doc.blocks.push_back(block(model::PageBreak{}));
    doc.blocks.push_back(block(model::plainParagraph(kText)));
    const fs::path pdf = renderTo(doc, "header.pdf");
    ASSERT_EQ(pages(pdf), 2);
    const std::string one = flat(text(pdf, "-f 1 -l 1")), two = flat(text(pdf, "-f 2 -l 2"));
    EXPECT_EQ(one.find("Страница"), std::string::npos) << one;
    EXPECT_EQ(one.find("стр."), std::string::npos) << one;
    EXPECT_EQ(two.find("Заявка № 2022-1-0042 — стр. 2"), 0u) << two;
    EXPECT_NE(two.find("Страница 2 из 2"), std::string::npos) << two;
}

TEST(PdfFeatures, ImagesPngOfEveryKindAndJpeg) {
    REQUIRE_TOOLS();
    model::Document doc = base();
    for (const char* name : {"interlaced-rgba.png", "rgb16.png", "gray-alpha16-interlaced.png", "palette-trns.png",
                             "photo.jpg", "progressive.jpg", "gray.jpg"}) {
        doc.blocks.push_back(block(model::plainParagraph(name)));
        doc.blocks.push_back(block(model::Image{(dataDir() / name).string(), 30, model::Align::Left}));
    }
    doc.blocks.push_back(block(model::Image{(dataDir() / "photo.jpg").string(), 0, model::Align::Right}));
    doc.blocks.push_back(block(model::Image{(dataDir() / "photo.jpg").string(), 1000, model::Align::Center}));  // too wide
    const fs::path pdf = renderTo(doc, "images.pdf");
    expectClean(pdf);
    const Output list = run("pdfimages -list " + q(pdf));
    EXPECT_EQ(list.status, 0);
    // 9 images + 2 soft masks (RGBA, palette with transparency; the 16-bit grey is opaque).
    size_t images = 0, smasks = 0;
    size_t start = 0, nl;
    int line = 0;
    while ((nl = list.text.find('\n', start)) != std::string::npos) {
        const std::string row = list.text.substr(start, nl - start);
        start = nl + 1;
        if (++line <= 2 || row.empty()) continue;
        if (row.find(" smask ") != std::string::npos) ++smasks;
        else ++images;
    }
    EXPECT_EQ(images, 9u) << list.text;
    EXPECT_EQ(smasks, 2u) << list.text;
    // The 16-bit gradient arrives as 8-bit samples, not garbled: its first pixel column is
    // dark in red and bright in green.
    const Output pixels = run("pdfimages -f 1 -l 1 -png " + q(pdf) + " " + q(workDir() / "img"));
    EXPECT_EQ(pixels.status, 0);
}

TEST(PdfFeatures, BadImagesAreErrorsNamingTheFile) {
    model::Document doc = base();
    for (const char* name : {"missing.png", "not-an-image.png", "truncated.png", "cmyk.jpg"}) {
        const std::string path = (dataDir() / name).string();
        doc.blocks = {block(model::Image{path, 0, model::Align::Center})};
        try {
            renderTo(doc, "bad-image.pdf");
            ADD_FAILURE() << name << ": expected an error";
        } catch (const gp::Error& e) {
            EXPECT_EQ(e.kind(), gp::ErrorKind::Template);  // the template's picture, not the engine, is at fault
            EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
        }
    }
}

namespace {

model::Chart chart(model::Chart::Kind kind) {
    model::Chart c;
    c.kind = kind;
    c.title = "Расходы проекта по кварталам";
    c.categories = {"I квартал", "II квартал", "III квартал", "IV квартал"};
    c.format = model::Format::Money;
    c.series = {{"План", {gp::Decimal::fromInt(1200000), gp::Decimal::fromInt(800000), gp::Decimal::fromInt(450000),
                          gp::Decimal::fromInt(241000)}},
                {"Факт", {gp::Decimal::fromInt(1100000), gp::Decimal::fromInt(850000), gp::Null{},
                          gp::Decimal::fromInt(200000)}}};
    return c;
}

}  // namespace

TEST(PdfFeatures, ChartsOfEveryKindWithTitlesLabelsAndLegends) {
    REQUIRE_TOOLS();
    model::Document doc = base();
    for (auto kind : {model::Chart::Kind::Bar, model::Chart::Kind::GroupedBar, model::Chart::Kind::Line,
                      model::Chart::Kind::Pie})
        doc.blocks.push_back(block(chart(kind)));
    // Crowded: 24 long category names, turned and shortened.
    model::Chart crowded = chart(model::Chart::Kind::Bar);
    crowded.title = "Заявки по субъектам Российской Федерации";
    crowded.format = model::Format::Integer;
    crowded.categories.clear();
    crowded.series = {{"Заявки", {}}};
    for (int i = 0; i < 24; ++i) {
        crowded.categories.push_back(i % 2 ? "Ханты-Мансийский автономный округ — Югра" : "Республика Саха (Якутия)");
        crowded.series[0].values.push_back(std::int64_t{i * 37 % 200});
    }
    doc.blocks.push_back(block(crowded));
    model::Chart percent = chart(model::Chart::Kind::Line);
    percent.format = model::Format::Percent;
    percent.series = {{"Доля", {0.25, 0.5, gp::Null{}, 0.875}}};
    doc.blocks.push_back(block(percent));
    const fs::path pdf = renderTo(doc, "charts.pdf");
    expectClean(pdf);
    const std::string t = flat(text(pdf));
    EXPECT_NE(t.find("Расходы проекта по кварталам"), std::string::npos);
    EXPECT_NE(t.find("III квартал"), std::string::npos);
    EXPECT_NE(t.find("План"), std::string::npos);
    EXPECT_NE(t.find("Факт"), std::string::npos);
    EXPECT_NE(t.find("млн ₽"), std::string::npos) << t;  // the value axis unit
    EXPECT_NE(t.find("1,2"), std::string::npos) << t;     // a tick: 1,2 млн
    EXPECT_NE(t.find("40 %"), std::string::npos) << t;    // percent ticks
    EXPECT_NE(t.find("I квартал — 1 200 000,00 ₽"), std::string::npos) << t;  // pie legend
    EXPECT_EQ(bytes(pdf), bytes(renderTo(doc, "charts-again.pdf")));
}

TEST(PdfFeatures, ChartWithMismatchedSeriesIsAnError) {
    model::Document doc = base();
    model::Chart c = chart(model::Chart::Kind::GroupedBar);
    c.series[1].values.pop_back();
    doc.blocks.push_back(block(c));
    try {
        renderTo(doc, "chart-bad.pdf");
        ADD_FAILURE() << "expected an error";
    } catch (const gp::Error& e) {
        EXPECT_NE(std::string(e.what()).find("Факт"), std::string::npos) << e.what();
    }
}

TEST(PdfFeatures, SignatureStaysTogetherOnOnePage) {
    REQUIRE_TOOLS();
    model::Document doc = base();
    // Fill page 1 almost to the bottom, so the signature must move as a whole.
    for (int i = 0; i < 6; ++i) doc.blocks.push_back(block(model::plainParagraph(kText)));
    doc.blocks.push_back(block(model::Signature{{{"Генеральный директор АНО «Центр развития местных сообществ»",
                                                "Е. С. Воронцова", ""}}}));
    doc.blocks.push_back(block(model::Signature{{{"Главный бухгалтер", "И. И. Петрова", "15 марта 2022 г."}}}));
    const fs::path pdf = renderTo(doc, "signature.pdf");
    expectClean(pdf);
    const std::string all = flat(text(pdf));
    EXPECT_NE(all.find("Е. С. Воронцова"), std::string::npos) << all;
    EXPECT_NE(all.find("(подпись)"), std::string::npos);
    EXPECT_NE(all.find("«___» ____________ 20___ г."), std::string::npos) << all;
    EXPECT_NE(all.find("15 марта 2022 г."), std::string::npos);
    // Position, name and date on one page.
    for (int p = 1; p <= pages(pdf); ++p) {
        const std::string page = flat(text(pdf, "-f " + std::to_string(p) + " -l " + std::to_string(p)));
        const bool position = page.find("Генеральный директор") != std::string::npos;
        const bool name = page.find("Воронцова") != std::string::npos;
        const bool date = page.find("«___»") != std::string::npos;
        EXPECT_TRUE(position == name && name == date) << "page " << p << ": " << page;
    }
}

// Whatever comes before a signature, the signature's page also holds the end of it: the last
// lines of a paragraph, the last two fields of a list, or the last row of a table.
TEST(PdfFeatures, ASignatureNeverStandsAloneOnItsPage) {
    REQUIRE_TOOLS();
    model::FieldList fields;
    for (const char* label : {"Полное наименование", "ИНН", "ОГРН", "Регион", "Адрес", "Руководитель"})
        fields.fields.push_back({label, cell(std::string("значение поля «") + label + "»")});
    model::Table table = groupedTable();
    table.caption.clear();
    const std::vector<std::pair<std::string, model::Content>> lasts = {
        {"paragraph", model::plainParagraph(kText)}, {"fields", fields}, {"table", table}};
    int spilled = 0;  // layouts where the signature did not fit after everything on one page
    for (const auto& [kind, last] : lasts) {
        for (int filler = 0; filler < 40; ++filler) {
            model::Document doc = base();
            for (int i = 0; i < filler; ++i) doc.blocks.push_back(block(model::plainParagraph("Строка " + std::to_string(i))));
            for (int i = 0; i < 3; ++i) doc.blocks.push_back(block(model::plainParagraph(kText)));
            doc.blocks.push_back(block(last));
            doc.blocks.push_back(block(model::Signature{{{"Генеральный директор", "Е. С. Воронцова", ""}}}));
            const fs::path pdf = renderTo(doc, "signature-keep.pdf");
            const int n = pages(pdf);
            const std::string page = flat(text(pdf, "-f " + std::to_string(n) + " -l " + std::to_string(n)));
            ASSERT_NE(page.find("(подпись)"), std::string::npos) << kind << ", " << filler;
            const size_t signature = page.find("Генеральный директор");
            if (n > 1 && flat(text(pdf, "-f 1 -l 1")).find("Строка") != std::string::npos) ++spilled;
            if (kind == "paragraph") {
                EXPECT_GT(signature, 0u) << kind << ", " << filler << ": " << page;  // paragraph text above it
            } else if (kind == "fields") {
                EXPECT_NE(page.find("Адрес"), std::string::npos) << kind << ", " << filler << ": " << page;
                EXPECT_LT(page.find("Руководитель"), signature) << kind << ", " << filler << ": " << page;
            } else {
                EXPECT_LT(page.find("Итого 1 085 500,00"), signature) << kind << ", " << filler << ": " << page;
            }
        }
    }
    EXPECT_GT(spilled, 10);  // the fillers did push the signature across page breaks
}

// A subtotal or totals row never opens a page: the row before it goes along.
TEST(PdfFeatures, SubtotalsAndTotalsNeverOpenAPage) {
    REQUIRE_TOOLS();
    model::Table t = groupedTable();
    t.caption.clear();
    t.rows.clear();
    t.groups.clear();
    for (size_t g = 0; g < 12; ++g) {
        const size_t begin = t.rows.size();
        for (size_t r = 0; r < 1 + g % 4; ++r)
            t.rows.push_back({cell("Расход " + std::to_string(begin + r + 1)), cell("1 000,00", model::Format::Money)});
        t.groups.push_back({begin, t.rows.size(), "Группа " + std::to_string(g + 1),
                            {cell("Итого по группе"), cell("1,00", model::Format::Money)}});
    }
    int breaks = 0;
    for (int filler = 0; filler < 30; ++filler) {
        model::Document doc = base();
        for (int i = 0; i < filler; ++i) doc.blocks.push_back(block(model::plainParagraph("Строка " + std::to_string(i))));
        doc.blocks.push_back(block(t));
        const fs::path pdf = renderTo(doc, "subtotals-keep.pdf");
        for (int p = 2; p <= pages(pdf); ++p) {
            ++breaks;
            const std::string page = flat(text(pdf, "-f " + std::to_string(p) + " -l " + std::to_string(p)));
            const size_t row = page.find("Расход "), total = page.find("Итого");
            if (total == std::string::npos) continue;
            EXPECT_LT(row, total) << "filler " << filler << ", page " << p << ": " << page;
        }
    }
    EXPECT_GT(breaks, 20);
}

TEST(PdfFeatures, CharactersTheFontLacksComeFromTheFallbackFont) {
    REQUIRE_TOOLS();
    model::Document doc = base();
    doc.blocks.push_back(block(model::plainParagraph("Стрелка → и звезда ★ и приблизительно ≈ 5 ₽")));
    const fs::path pdf = renderTo(doc, "fallback.pdf");
    expectClean(pdf);
    EXPECT_NE(fontsOf(pdf).find("DejaVuSans"), std::string::npos) << fontsOf(pdf);
    // A letter the fast font lacks but the full PT Serif has comes from the full font.
    doc.blocks = {block(model::plainParagraph("Esperanto: ŝanĝo, ĉiuĵaŭde"))};
    const fs::path full = renderTo(doc, "fallback-full.pdf");
    expectClean(full);
    EXPECT_NE(fontsOf(full).find("+GrantPressSerif-Regular"), std::string::npos) << fontsOf(full);
    EXPECT_NE(fontsOf(full).find("+PTSerif-Regular"), std::string::npos) << fontsOf(full);
    EXPECT_NE(flat(text(full)).find("ŝanĝo, ĉiuĵaŭde"), std::string::npos) << text(full);
    EXPECT_NE(flat(text(pdf)).find("Стрелка → и звезда ★"), std::string::npos) << text(pdf);
    // A character no font has is still an error naming it.
    doc.blocks = {block(model::plainParagraph("Иероглиф 中"))};
    try {
        renderTo(doc, "fallback-bad.pdf");
        ADD_FAILURE() << "expected an error";
    } catch (const gp::Error& e) {
        EXPECT_NE(std::string(e.what()).find("U+4E2D"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("DejaVuSans"), std::string::npos) << e.what();
    }
}

TEST(PdfFeatures, ProtectionEncryptsWithPasswordsAndPermissionsAndStaysReproducible) {
    REQUIRE_TOOLS();
    model::Document doc = base();
    doc.protection.ownerPassword = "owner-secret";
    doc.protection.userPassword = "reader";
    doc.protection.allowCopy = false;
    doc.blocks.push_back(block(model::Heading{1, "Защищённый документ", {}}));
    doc.blocks.push_back(block(model::plainParagraph(kText)));
    const fs::path pdf = renderTo(doc, "protected.pdf");
    expectClean(pdf, "reader");
    const Output info = run("qpdf --show-encryption --password=owner-secret " + q(pdf));
    EXPECT_NE(info.text.find("R = 3"), std::string::npos) << info.text;
    EXPECT_NE(info.text.find("extract for any purpose: not allowed"), std::string::npos) << info.text;
    EXPECT_NE(info.text.find("print high resolution: allowed"), std::string::npos) << info.text;
    EXPECT_NE(info.text.find("extract for accessibility: allowed"), std::string::npos) << info.text;
    EXPECT_NE(flat(text(pdf, "-upw reader")).find("Защищённый документ"), std::string::npos);
    EXPECT_NE(run("pdftotext " + q(pdf) + " -").status, 0);  // no password: no text
    // Same input, same bytes, even encrypted (the file identifier does not come from the clock).
    sleep(1);
    EXPECT_EQ(bytes(pdf), bytes(renderTo(doc, "protected-again.pdf")));
    // Owner password only: opens without a password, still restricted.
    doc.protection.userPassword.clear();
    const fs::path open = renderTo(doc, "protected-open.pdf");
    expectClean(open);
    EXPECT_NE(flat(text(open)).find("Защищённый документ"), std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Golden page: page 1 of a realistic document, rendered at 40 dpi in grey and compared with
// tests/data/pdf/golden-page1.png pixel by pixel (mean absolute difference).

namespace {

model::Document goldenDocument() {
    model::Document doc = base();
    doc.meta.title = "Заявка на получение гранта № 2022-1-0042";
    doc.header = "Заявка № 2022-1-0042";
    doc.blocks.push_back(block(model::Title{"Заявка на участие в конкурсе президентских грантов",
                                            "Проект «Открытая площадка для малых городов»"}));
    doc.blocks.push_back(block(model::Heading{1, "1. Сведения о заявителе", {}}));
    model::FieldList f;
    f.fields = {{"Организация", cell("Автономная некоммерческая организация «Центр развития местных сообществ»")},
                {"Руководитель", cell("Воронцова Елена Сергеевна")},
                {"Адрес", cell("г. Москва, ул. Ленина, д. 5, офис 12")},
                {"Запрашиваемая сумма", cell("2\u00A0691\u00A0000,00\u00A0₽", model::Format::Money)}};
    doc.blocks.push_back(block(f));
    doc.blocks.push_back(block(model::Heading{1, "2. Описание проекта", {}}));
    doc.blocks.push_back(block(styled({{"Цель проекта: ", true, false},
                                       {kText, false, false},
                                       {" Срок реализации — ", false, false},
                                       {"с 1 марта 2022 г. по 28 февраля 2023 г.", false, true}})));
    doc.blocks.push_back(block(groupedTable()));
    model::Chart c = chart(model::Chart::Kind::GroupedBar);
    c.heightMm = 60;
    doc.blocks.push_back(block(c));
    doc.blocks.push_back(block(model::Signature{{{"Генеральный директор", "Е. С. Воронцова", ""}}}));
    return doc;
}

struct Gray {
    unsigned width = 0, height = 0;
    std::vector<unsigned char> pixels;
};

Gray readGray(const fs::path& file) {
    Gray g;
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&image, file.c_str())) return g;
    image.format = PNG_FORMAT_GRAY;
    g.pixels.resize(PNG_IMAGE_SIZE(image));
    if (!png_image_finish_read(&image, nullptr, g.pixels.data(), 0, nullptr)) {
        png_image_free(&image);
        return Gray{};
    }
    g.width = image.width;
    g.height = image.height;
    return g;
}

}  // namespace

TEST(PdfGolden, PageOneMatchesTheCommittedRendering) {
    REQUIRE_TOOLS();
    if (!gp::pdf::Hyphenator::russian()) GTEST_SKIP() << "hyphen-ru is not installed (the golden page is hyphenated)";
    const fs::path pdf = renderTo(goldenDocument(), "golden.pdf");
    expectClean(pdf);
    const fs::path prefix = workDir() / "golden-page1";
    const Output raster = run("pdftoppm -r 40 -gray -png -f 1 -l 1 -singlefile " + q(pdf) + " " + q(prefix));
    ASSERT_EQ(raster.status, 0) << raster.text;
    const fs::path actual = prefix.string() + ".png";
    const fs::path golden = dataDir() / "golden-page1.png";
    if (const char* update = std::getenv("GP_UPDATE_GOLDEN"); update && *update && std::string(update) != "0") {
        fs::copy_file(actual, golden, fs::copy_options::overwrite_existing);
        GTEST_SKIP() << "golden page written to " << golden;
    }
    const Gray want = readGray(golden), got = readGray(actual);
    ASSERT_FALSE(want.pixels.empty()) << "cannot read " << golden << " (regenerate: GP_UPDATE_GOLDEN=1)";
    ASSERT_FALSE(got.pixels.empty()) << "cannot read " << actual;
    ASSERT_EQ(got.width, want.width);
    ASSERT_EQ(got.height, want.height);
    double sum = 0;
    for (size_t i = 0; i < got.pixels.size(); ++i) sum += std::abs(int(got.pixels[i]) - int(want.pixels[i]));
    const double mean = sum / static_cast<double>(got.pixels.size());
    EXPECT_LT(mean, 1.5) << "page 1 differs from " << golden << " (mean absolute difference " << mean
                         << " of 255); look at " << actual << "; if the change is intended, regenerate with "
                         << "GP_UPDATE_GOLDEN=1";
}

// The right edge of the first word `word` on page 1, in points.
double wordRight(const fs::path& pdf, const std::string& word) {
    const std::string html = text(pdf, "-f 1 -l 1 -bbox");
    const size_t at = html.find(">" + word + "</word>");
    if (at == std::string::npos) return -1;
    const size_t x = html.rfind("xMax=\"", at);
    return std::stod(html.substr(x + 6));
}

TEST(PdfFeatures, NumbersOfAColumnLineUpOnTheDecimalComma) {
    REQUIRE_TOOLS();
    model::Document doc = base();
    model::Table t;
    t.columns = {{"Показатель", {model::Width::Kind::Share, 1}, model::Align::Left, model::Format::Text, 2,
                  model::Aggregate::None},
                 {"Факт", {model::Width::Kind::Fixed, 30}, model::Align::Right, model::Format::Number, 2,
                  model::Aggregate::None},
                 {"Ед.", {model::Width::Kind::Fixed, 20}, model::Align::Right, model::Format::Text, 2,
                  model::Aggregate::None}};
    auto number = [](const std::string& s, const char* v) {
        model::Cell c = cell(s, model::Format::Number);
        c.value = *gp::Decimal::parse(v);
        return c;
    };
    t.rows = {{cell("a"), number("2347", "2347"), cell("чел.")},
              {cell("b"), number("91,4", "91.4"), cell("—")},
              {cell("c"), number("0,26", "0.26"), cell("шт.")}};
    doc.blocks.push_back(block(t));
    const fs::path pdf = renderTo(doc, "decimal-comma.pdf");
    const double whole = wordRight(pdf, "2347"), tenth = wordRight(pdf, "91,4"), hundredth = wordRight(pdf, "0,26");
    ASSERT_GT(whole, 0);
    ASSERT_GT(tenth, 0);
    ASSERT_GT(hundredth, 0);
    // Right-aligned without the rule, the three would end together. On the comma: "2347" ends
    // where the commas are, "91,4" one digit before "0,26".
    EXPECT_GT(tenth - whole, 3.0);
    EXPECT_GT(hundredth - tenth, 3.0);
    EXPECT_LT(hundredth - tenth, 8.0);  // one digit at the table's size
    // A text column keeps plain right alignment.
    EXPECT_NEAR(wordRight(pdf, "чел."), wordRight(pdf, "шт."), 0.5);
}

TEST(PdfFeatures, ALastPageIsNotLeftWithAScrapAndTheSignature) {
    REQUIRE_TOOLS();
    // The fewest one-line paragraphs that spill onto a second page: left to itself the last
    // page would hold one of them and the signature.
    auto document = [](int paragraphs) {
        model::Document doc = base();
        for (int i = 1; i <= paragraphs; ++i)
            doc.blocks.push_back(block(model::plainParagraph("Абзац " + std::to_string(i) + " отчёта.")));
        doc.blocks.push_back(block(model::Signature{{{"Генеральный директор", "Е. С. Воронцова", ""}}}));
        return doc;
    };
    int n = 10;
    fs::path pdf;
    for (;; ++n) {
        pdf = renderTo(document(n), "balance.pdf");
        if (run("pdfinfo " + q(pdf)).text.find("Pages:           2") != std::string::npos) break;
        ASSERT_LT(n, 200) << "never reached a second page";
    }
    const std::string all = text(pdf);
    const std::string last = all.substr(all.find('\f') + 1);
    int onLast = 0;
    for (size_t at = last.find("Абзац"); at != std::string::npos; at = last.find("Абзац", at + 1)) ++onLast;
    // The page before ends earlier: the last page gets about a third of a page with the
    // signature (unbalanced: one paragraph).
    EXPECT_GE(onLast, n / 7) << last;
    EXPECT_NE(last.find("Воронцова"), std::string::npos);
    EXPECT_EQ(bytes(pdf), bytes(renderTo(document(n), "balance-again.pdf")));
}

TEST(PdfFeatures, TwoSignatoriesSignSideBySide) {
    REQUIRE_TOOLS();
    model::Document doc = base();
    model::Signature parties;
    parties.parties = {{"Генеральный директор АНО «Центр развития»", "Е. С. Воронцова", "", "Грантополучатель", true},
                       {"Председатель комитета", "А. А. Смирнов", "15 марта 2022 г.", "Грантодатель", true}};
    doc.blocks.push_back(block(parties));
    const fs::path pdf = renderTo(doc, "parties.pdf");
    const std::string html = text(pdf, "-f 1 -l 1 -bbox");
    auto box = [&](const std::string& word, const char* edge) {
        const size_t at = html.find(">" + word + "</word>");
        if (at == std::string::npos) return -1.0;
        return std::stod(html.substr(html.rfind(std::string(edge) + "=\"", at) + std::strlen(edge) + 2));
    };
    // The two titles on one line, the second in the right half; each name after its line.
    EXPECT_NEAR(box("Грантополучатель", "yMin"), box("Грантодатель", "yMin"), 0.5);
    EXPECT_GT(box("Грантодатель", "xMin"), box("Грантополучатель", "xMax") + 100);
    EXPECT_NEAR(box("Воронцова", "yMin"), box("Смирнов", "yMin"), 0.5);
    EXPECT_GT(box("Воронцова", "yMin"), box("Грантополучатель", "yMin"));  // below its title
    const std::string flat = text(pdf);
    size_t seals = 0;
    for (size_t at = flat.find("М.П."); at != std::string::npos; at = flat.find("М.П.", at + 1)) ++seals;
    EXPECT_EQ(seals, 2u);
    EXPECT_NE(flat.find("15 марта 2022 г."), std::string::npos);
    EXPECT_NE(flat.find("«___» ____________ 20___ г."), std::string::npos);
}
