// Template fixtures (tests/data/templates): every element and filter filled against an SQLite
// database made here, compared with the expected document model; every broken fixture
// checked for its exact problems (file, line, column, message).
//
// After a deliberate change of output, regenerate the expected files with
//   GP_UPDATE_EXPECTED=1 tests/gp_tests --gtest_filter='*Fixture*'
// and review the diff.
#include <gtest/gtest.h>

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "data/source.h"
#include "template/check.h"
#include "template/fill.h"
#include "template/template.h"

namespace fs = std::filesystem;
using namespace gp;

namespace {

const fs::path kFixtures = fs::path(GP_TEST_DATA) / "templates";

std::string readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool updating() { return std::getenv("GP_UPDATE_EXPECTED") != nullptr; }

// Compares `actual` with the expected file (or rewrites it when updating).
void expectFile(const fs::path& expected, const std::string& actual) {
    if (updating()) {
        std::ofstream(expected, std::ios::binary) << actual;
        return;
    }
    ASSERT_TRUE(fs::exists(expected)) << expected << " is missing; run with GP_UPDATE_EXPECTED=1 and review it";
    EXPECT_EQ(readFile(expected), actual) << "differs from " << expected;
}

// The sample schema and seed project 1645, a second project with one budget line, a third
// with none, a table of assorted values for the filters and a registry for streaming.
const data::SourceConfig& fixtureDb() {
    static const data::SourceConfig source = [] {
        fs::path p = fs::path(::testing::TempDir()) / ("gp-template-fixtures-" + std::to_string(::getpid()) + ".db");
        fs::remove(p);
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::Session s("SQLite", p.string());
        using Poco::Data::Keywords::now;
        s << readFile(fs::path(GP_SOURCE_DIR) / "samples" / "schema.sql"), now;
        s << readFile(fs::path(GP_SOURCE_DIR) / "samples" / "seed.sql"), now;
        s << R"(
INSERT INTO organizations (id, name, short_name, inn, ogrn, region, address, head_name, head_position)
  VALUES (2, 'Фонд «Опора»', NULL, '7701234567', '1027700000001', 'г. Москва', 'ул. Тестовая, 1', 'И. И. Иванов', 'Директор');
INSERT INTO projects VALUES (2001, 'Второй проект', 2, 1, '2023-01-01', '2023-12-31', 'Цели', 'Аудитория', 'Описание',
  1000.50, 21, 'Результаты', NULL);
INSERT INTO projects VALUES (2002, 'Третий проект', 2, 1, '2023-01-01', '2023-06-30', 'Цели', 'Аудитория', 'Описание',
  0.00, 0, 'Результаты', 1);
INSERT INTO budget_lines (id, project_id, line_no, category, item, unit, quantity, unit_price, requested, cofinancing, spent)
  VALUES (1001, 2001, 1, 'Оплата труда', 'Бухгалтер', 'мес.', 1, 1000.50, 1000.50, 0.00, 0.00);
CREATE TABLE vals (id INTEGER PRIMARY KEY, i INTEGER, d NUMERIC(15,2), t TEXT, dt DATE, b BOOLEAN);
INSERT INTO vals VALUES
  (1, 0, 0.00, 'ёлка тверская', '2022-01-01', 1),
  (2, 1, 1.00, 'Клуб неравнодушных', '2022-02-28', 0),
  (3, 2, 2.50, 'ООО «Ромашка»', '2022-03-08', NULL),
  (4, 5, 1234.56, '', '2022-05-09', 1),
  (5, 11, 2691000.00, 'a', '2022-09-01', 0),
  (6, 21, -5.005, 'Ёж', '2022-12-31', 1),
  (7, 2200, 0.256, 'Очень длинное название организации', '2024-02-29', 0),
  (8, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE registry (n INTEGER PRIMARY KEY, amount NUMERIC(15,2));
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 5000)
  INSERT INTO registry SELECT n, n * 1.25 FROM k;
)",
            now;
        data::SourceConfig src;
        src.name = "sample";  // as in the e2e tests, which compare the same messages
        src.kind = "sqlite";
        src.path = p.string();
        return src;
    }();
    return source;
}

tmpl::FillOptions fillOptions() {
    tmpl::FillOptions o;
    o.created = 1767225600;  // 2026-01-01 00:00:00 UTC
    o.page.top = 20, o.page.right = 10, o.page.bottom = 20, o.page.left = 25;
    o.fontFamily = "PTSerif";
    o.fontSize = 11;
    return o;
}

// --------------------------------------------------------------- the model as text

std::string shown(const std::string& s) {
    std::string out = "\"";
    for (size_t i = 0; i < s.size(); ++i) {
        if (s.compare(i, 2, "\u00A0") == 0) {
            out += "·";
            ++i;
        } else if (s[i] == '"') {
            out += "\\\"";
        } else if (s[i] == '\n') {
            out += "\\n";
        } else {
            out += s[i];
        }
    }
    return out + "\"";
}

const char* formatName(model::Format f) {
    switch (f) {
        case model::Format::Text: return "Text";
        case model::Format::Integer: return "Integer";
        case model::Format::Number: return "Number";
        case model::Format::Money: return "Money";
        case model::Format::Percent: return "Percent";
        case model::Format::Date: return "Date";
        case model::Format::Boolean: return "Boolean";
    }
    return "?";
}

const char* alignName(model::Align a) {
    return a == model::Align::Left ? "left" : a == model::Align::Center ? "center" : "right";
}

std::string cell(const model::Cell& c) {
    std::string out = shown(c.text);
    if (c.format == model::Format::Text && (std::holds_alternative<std::string>(c.value) || isNull(c.value)) &&
        (isNull(c.value) ? c.text.empty() : std::get<std::string>(c.value) == c.text))
        return out;
    out += " [" + std::string(formatName(c.format));
    if (c.format == model::Format::Number || c.format == model::Format::Percent) out += "/" + std::to_string(c.decimals);
    out += " " + std::string(typeName(c.value));
    if (!isNull(c.value)) out += " " + toPlainString(c.value);
    return out + "]";
}

std::string cells(const std::vector<model::Cell>& row) {
    std::string out;
    for (const auto& c : row) out += (out.empty() ? "" : " | ") + cell(c);
    return out;
}

std::string dump(const model::Document& d) {
    std::ostringstream o;
    const char* sizes[] = {"A4", "A3", "Letter"};
    o << "meta title=" << shown(d.meta.title) << " subject=" << shown(d.meta.subject) << " author=" << shown(d.meta.author)
      << " keywords=" << shown(d.meta.keywords) << " created=" << d.meta.created << "\n";
    o << "page " << sizes[static_cast<int>(d.page.size)] << (d.page.landscape ? " landscape" : " portrait") << " margins "
      << d.page.top << " " << d.page.right << " " << d.page.bottom << " " << d.page.left << "\n";
    o << "font " << d.fontFamily << " " << d.fontSize << (d.titlePage ? " title-page" : "") << " sheet=" << shown(d.sheet)
      << "\n";
    o << "header " << shown(d.header) << "\nfooter " << shown(d.footer) << "\n";
    if (!d.protection.ownerPassword.empty())
        o << "protection owner=" << shown(d.protection.ownerPassword) << " user=" << shown(d.protection.userPassword)
          << (d.protection.allowPrint ? " print" : "") << (d.protection.allowCopy ? " copy" : "")
          << (d.protection.allowEdit ? " edit" : "") << "\n";
    for (const auto& b : d.blocks) {
        o << (b.target == model::Target::PdfOnly ? "[pdf] " : b.target == model::Target::XlsxOnly ? "[xlsx] " : "");
        std::visit(
            [&](const auto& c) {
                using T = std::decay_t<decltype(c)>;
                if constexpr (std::is_same_v<T, model::Title>) {
                    o << "title " << shown(c.text) << " subtitle=" << shown(c.subtitle) << "\n";
                } else if constexpr (std::is_same_v<T, model::Heading>) {
                    o << "heading " << c.level << " " << shown(c.text) << (c.sheet.empty() ? "" : " sheet=" + shown(c.sheet))
                      << "\n";
                } else if constexpr (std::is_same_v<T, model::Paragraph>) {
                    o << "paragraph";
                    for (const auto& r : c.runs)
                        o << " " << (r.bold ? "b" : "") << (r.italic ? "i" : "") << shown(r.text);
                    o << "\n";
                } else if constexpr (std::is_same_v<T, model::FieldList>) {
                    o << "fields\n";
                    for (const auto& f : c.fields) o << "  " << shown(f.label) << ": " << cell(f.value) << "\n";
                } else if constexpr (std::is_same_v<T, model::Table>) {
                    o << "table sheet=" << shown(c.sheet) << " caption=" << shown(c.caption)
                      << " empty=" << shown(c.emptyText) << (c.stream ? " stream" : "") << "\n";
                    for (const auto& col : c.columns) {
                        const char* kinds[] = {"*", "mm", "%"};
                        const char* totals[] = {"none", "sum", "count", "avg", "min", "max"};
                        o << "  column " << shown(col.title) << " width=" << col.width.amount
                          << kinds[static_cast<int>(col.width.kind)] << " " << alignName(col.align) << " "
                          << formatName(col.format) << "/" << col.decimals << " total="
                          << totals[static_cast<int>(col.total)] << "\n";
                    }
                    size_t g = 0;
                    for (size_t i = 0; i < c.rows.size(); ++i) {
                        if (g < c.groups.size() && c.groups[g].begin == i)
                            o << "  group " << c.groups[g].begin << ".." << c.groups[g].end << " " << shown(c.groups[g].title)
                              << "\n";
                        o << "  row " << cells(c.rows[i]) << "\n";
                        if (g < c.groups.size() && c.groups[g].end == i + 1) {
                            if (!c.groups[g].subtotals.empty()) o << "  subtotal " << cells(c.groups[g].subtotals) << "\n";
                            ++g;
                        }
                    }
                    if (!c.totals.empty()) o << "  totals " << cells(c.totals) << "\n";
                    if (c.stream) {
                        auto cursor = c.stream->open();
                        std::vector<model::Cell> row;
                        while (cursor->next(row)) o << "  row " << cells(row) << "\n";
                        auto totals = cursor->totals();
                        if (!totals.empty()) o << "  totals " << cells(totals) << "\n";
                    }
                } else if constexpr (std::is_same_v<T, model::PageBreak>) {
                    o << "pagebreak\n";
                } else if constexpr (std::is_same_v<T, model::Image>) {
                    o << "image " << fs::path(c.path).filename().string() << (fs::path(c.path).is_absolute() ? " (absolute)" : "")
                      << " width=" << c.widthMm << "mm " << alignName(c.align) << "\n";
                } else if constexpr (std::is_same_v<T, model::Chart>) {
                    const char* kinds[] = {"bar", "grouped-bar", "line", "pie"};
                    o << "chart " << kinds[static_cast<int>(c.kind)] << " " << shown(c.title) << " sheet=" << shown(c.sheet)
                      << " height=" << c.heightMm << " format=" << formatName(c.format) << "\n  categories";
                    for (const auto& cat : c.categories) o << " " << shown(cat);
                    o << "\n";
                    for (const auto& s : c.series) {
                        o << "  series " << shown(s.name) << ":";
                        for (const auto& v : s.values) o << " " << typeName(v) << " " << toPlainString(v) << ";";
                        o << "\n";
                    }
                } else if constexpr (std::is_same_v<T, model::Signature>) {
                    o << "signature";
                    for (const auto& p : c.parties)
                        o << "\n  party title=" << shown(p.title) << " position=" << shown(p.position)
                          << " name=" << shown(p.name) << " date=" << shown(p.date) << (p.seal ? " seal" : "");
                    o << "\n";
                }
            },
            b.content);
    }
    return o.str();
}

std::vector<std::string> fixtures(const std::string& folder) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(kFixtures / folder))
        if (e.path().extension() == ".xml") names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::string testName(const ::testing::TestParamInfo<std::string>& info) {
    std::string n = info.param;
    for (auto& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return n;
}

model::Document fillFixture(const fs::path& path, const std::map<std::string, std::string>& given = {}) {
    const tmpl::Template t = tmpl::loadTemplate(path);
    auto session = std::make_shared<data::Session>(fixtureDb());
    return tmpl::fill(t, session, tmpl::bindParams(t, given), fillOptions());
}

}  // namespace

// ------------------------------------------------------------------ good fixtures

class FillFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(FillFixture, GivesTheExpectedDocumentAndChecksClean) {
    const fs::path path = kFixtures / "fill" / (GetParam() + ".xml");
    ::setenv("GP_TEST_OWNER_PASSWORD", "owner-secret", 1);
    const tmpl::Template t = tmpl::loadTemplate(path);
    auto session = std::make_shared<data::Session>(fixtureDb());
    const model::Document doc = tmpl::fill(t, session, tmpl::bindParams(t, {}), fillOptions());
    expectFile(kFixtures / "fill" / (GetParam() + ".expected"), dump(doc));

    tmpl::CheckOptions options;
    options.session = session.get();
    options.fontsDir = fs::path(GP_SOURCE_DIR) / "fonts";
    for (const auto& e : tmpl::checkTemplate(path, options)) ADD_FAILURE() << "check: " << e.what();
}

INSTANTIATE_TEST_SUITE_P(Templates, FillFixture, ::testing::ValuesIn(fixtures("fill")), testName);

// ------------------------------------------------------------------ broken fixtures

class BrokenFixture : public ::testing::TestWithParam<std::string> {};

// Every problem at once, each with the file, line and column: "LINE:COL: message" per line
// in broken/NAME.expected. Rendering it fails with the first of them, never crashes.
TEST_P(BrokenFixture, ListsEveryProblemWithLineAndColumn) {
    const fs::path path = kFixtures / "broken" / (GetParam() + ".xml");
    auto session = std::make_shared<data::Session>(fixtureDb());
    tmpl::CheckOptions options;
    options.session = session.get();
    options.fontsDir = fs::path(GP_SOURCE_DIR) / "fonts";
    const auto problems = tmpl::checkTemplate(path, options);
    ASSERT_FALSE(problems.empty());
    std::string listed;
    for (const auto& e : problems) {
        EXPECT_EQ(e.kind(), ErrorKind::Template);
        EXPECT_EQ(e.file(), path.string());
        EXPECT_GT(e.line(), 0) << e.what();
        EXPECT_GT(e.column(), 0) << e.what();
        listed += std::to_string(e.line()) + ":" + std::to_string(e.column()) + ": " + e.message() + "\n";
    }
    expectFile(kFixtures / "broken" / (GetParam() + ".expected"), listed);

    // Loading it (what render does first) reports the first problem the template alone shows.
    try {
        const tmpl::Template t = tmpl::loadTemplate(path);
        // Only the database could tell: filling must fail cleanly.
        std::map<std::string, std::string> given;
        for (const auto& p : t.params)
            if (p.required) given[p.name] = "1645";
        EXPECT_THROW(tmpl::fill(t, session, tmpl::bindParams(t, given), fillOptions()), Error);
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Template);
        EXPECT_EQ(e.file(), path.string());
        bool listedThere = std::any_of(problems.begin(), problems.end(), [&](const Error& p) {
            return p.line() == e.line() && p.column() == e.column();
        });
        EXPECT_TRUE(listedThere) << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(Templates, BrokenFixture, ::testing::ValuesIn(fixtures("broken")), testName);

// ------------------------------------------------------------------ what the fixtures mean

TEST(FillModel, GroupSubtotalsAreExactDecimalsThatAddUpToTheTotal) {
    const auto doc = fillFixture(kFixtures / "fill" / "table_group.xml");
    const auto& table = std::get<model::Table>(doc.blocks.at(0).content);
    ASSERT_EQ(table.groups.size(), 7u);
    EXPECT_EQ(table.groups[0].title, "Статья: Оплата труда");
    EXPECT_EQ(table.groups[0].begin, 0u);
    EXPECT_EQ(table.groups[0].end, 3u);
    EXPECT_EQ(std::get<Decimal>(table.groups[0].subtotals[2].value), Decimal::fromInt(1440000));
    EXPECT_EQ(table.groups[0].subtotals[0].text, "Итого по статье");
    // Информационные услуги: 98 765,40 + 35 000,00, one of them stored as a binary REAL.
    EXPECT_EQ(std::get<Decimal>(table.groups[5].subtotals[2].value), *Decimal::parse("133765.40"));
    Decimal sum;
    for (const auto& g : table.groups) sum += std::get<Decimal>(g.subtotals[2].value);
    EXPECT_EQ(sum, Decimal::fromInt(2691000));
    EXPECT_EQ(std::get<Decimal>(table.totals[2].value), Decimal::fromInt(2691000));
    // Every row in exactly one group, in order.
    EXPECT_EQ(table.groups.back().end, table.rows.size());
    for (size_t i = 1; i < table.groups.size(); ++i) EXPECT_EQ(table.groups[i].begin, table.groups[i - 1].end);
}

TEST(FillModel, StreamedTableReadsRowsOnlyWhenOpenedAndEveryTimeAgain) {
    const tmpl::Template t = tmpl::loadTemplate(kFixtures / "fill" / "table_stream.xml");
    auto session = std::make_shared<data::Session>(fixtureDb());
    const auto doc = tmpl::fill(t, session, tmpl::bindParams(t, {{"max", "5000"}}), fillOptions());
    const auto& table = std::get<model::Table>(doc.blocks.at(0).content);
    ASSERT_TRUE(table.stream);
    EXPECT_TRUE(table.rows.empty());
    EXPECT_TRUE(table.totals.empty());
    for (int pass = 0; pass < 2; ++pass) {  // PDF and XLSX each open their own cursor
        auto cursor = table.stream->open();
        std::vector<model::Cell> row;
        size_t n = 0;
        while (cursor->next(row)) ++n;
        EXPECT_EQ(n, 5000u);
        auto totals = cursor->totals();
        ASSERT_EQ(totals.size(), 3u);
        EXPECT_EQ(std::get<std::int64_t>(totals[0].value), 5000);
        // 1.25 * (1 + … + 5000) = 15 628 125 exactly.
        EXPECT_EQ(std::get<Decimal>(totals[1].value), Decimal::fromInt(15628125));
    }
}

TEST(FillModel, StreamedTableOutlivesTheTemplateButNotTheSession) {
    auto session = std::make_shared<data::Session>(fixtureDb());
    model::Document doc;
    {
        const tmpl::Template t = tmpl::loadTemplate(kFixtures / "fill" / "table_stream.xml");
        doc = tmpl::fill(t, session, tmpl::bindParams(t, {}), fillOptions());
    }  // the template is gone; the rows are still there
    auto cursor = std::get<model::Table>(doc.blocks.at(0).content).stream->open();
    std::vector<model::Cell> row;
    ASSERT_TRUE(cursor->next(row));
    EXPECT_EQ(row[0].text, "1");
}

TEST(FillModel, RepeatRunsTheDetailQueryPerRowWithTheParentBound) {
    const auto doc = fillFixture(kFixtures / "fill" / "repeat.xml");
    std::vector<std::string> headings;
    std::vector<size_t> rows;
    for (const auto& b : doc.blocks) {
        if (auto* h = std::get_if<model::Heading>(&b.content)) headings.push_back(h->text);
        if (auto* t = std::get_if<model::Table>(&b.content)) rows.push_back(t->rows.size());
    }
    EXPECT_EQ(headings, (std::vector<std::string>{"Проект 1645: Клуб неравнодушных - 2022 \"Тверская, 21\"",
                                                  "Проект 2001: Второй проект", "Проект 2002: Третий проект"}));
    EXPECT_EQ(rows, (std::vector<size_t>{2, 1, 0}));
}

TEST(FillModel, ImagePathsAreAbsoluteAndInsideTheTemplatesFolder) {
    const auto doc = fillFixture(kFixtures / "fill" / "image.xml");
    const auto& image = std::get<model::Image>(doc.blocks.at(0).content);
    EXPECT_TRUE(fs::path(image.path).is_absolute());
    EXPECT_TRUE(fs::exists(image.path));
    EXPECT_EQ(image.widthMm, 40);
    EXPECT_EQ(image.align, model::Align::Left);
}

TEST(FillModel, ProtectionNeedsItsVariable) {
    ::unsetenv("GP_TEST_OWNER_PASSWORD");
    try {
        fillFixture(kFixtures / "fill" / "protection.xml");
        FAIL() << "filled without the owner password";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Usage);
        EXPECT_NE(std::string(e.what()).find("GP_TEST_OWNER_PASSWORD is not set"), std::string::npos) << e.what();
        EXPECT_EQ(e.line(), 5);
    }
    ::setenv("GP_TEST_OWNER_PASSWORD", "", 1);
    EXPECT_THROW(fillFixture(kFixtures / "fill" / "protection.xml"), Error);  // empty: refused
}

TEST(FillModel, ValueProblemsNameTheRow) {
    const std::string xml = R"(<report title="x">
  <query name="v">SELECT id, t FROM vals ORDER BY id</query>
  <table rows="v"><column title="a">{id * t}</column></table>
</report>)";
    const tmpl::Template t = tmpl::parseTemplate(xml, "rows.xml");
    auto session = std::make_shared<data::Session>(fixtureDb());
    try {
        tmpl::fill(t, session, {}, fillOptions());
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Data);
        EXPECT_EQ(e.line(), 3);
        EXPECT_EQ(e.column(), 41);  // the '*'
        EXPECT_NE(std::string(e.what()).find("'*' needs numbers, got text 'ёлка тверская' (row 1 of query 'v')"),
                  std::string::npos)
            << e.what();
    }
}

TEST(FillModel, CheckFindsUnknownColumnsWithoutRendering) {
    const std::string xml = R"(<report title="x">
  <query name="p" one="true">SELECT id, title FROM projects WHERE id = :id</query>
  <param name="id" type="integer"/>
  <paragraph>{p.titel}</paragraph>
</report>)";
    const fs::path path = fs::path(::testing::TempDir()) / "unknown-column.xml";
    std::ofstream(path) << xml;
    auto session = std::make_shared<data::Session>(fixtureDb());
    tmpl::CheckOptions options;
    options.session = session.get();
    auto problems = tmpl::checkTemplate(path, options);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].line(), 4);
    EXPECT_EQ(problems[0].column(), 15);  // the reference
    EXPECT_EQ(problems[0].message(),
              "{p.titel}: no column 'titel' in query 'p' (columns: id, title) (did you mean {p.title}?)");
    // Without a database the same template is fine as far as can be told.
    EXPECT_TRUE(tmpl::checkTemplate(path, {}).empty());
}

TEST(FillModel, StreamedTableInsideARepeatKeepsItsParentRow) {
    const std::string xml = R"(<report title="x">
  <query name="projects">SELECT id, title FROM projects WHERE id IN (1645, 2001) ORDER BY id</query>
  <repeat rows="projects">
    <query name="lines">SELECT line_no, requested FROM budget_lines WHERE project_id = :parent_id ORDER BY line_no</query>
    <table rows="lines" stream="true" totals="sum">
      <column title="Проект" total="none">{parent.id}</column>
      <column title="Сумма">{requested | money}</column>
    </table>
  </repeat>
</report>)";
    const tmpl::Template t = tmpl::parseTemplate(xml, "nested-stream.xml");
    auto session = std::make_shared<data::Session>(fixtureDb());
    const auto doc = tmpl::fill(t, session, {}, fillOptions());
    ASSERT_EQ(doc.blocks.size(), 2u);
    std::vector<std::string> firstColumn, totals;
    for (const auto& b : doc.blocks) {
        auto cursor = std::get<model::Table>(b.content).stream->open();
        std::vector<model::Cell> row;
        size_t n = 0;
        while (cursor->next(row)) {
            if (n++ == 0) firstColumn.push_back(row[0].text);
        }
        totals.push_back(cursor->totals()[1].text);
    }
    EXPECT_EQ(firstColumn, (std::vector<std::string>{"1645", "2001"}));
    // A streamed table cannot look ahead: its four-digit numbers stay whole (core/format.h).
    EXPECT_EQ(totals, (std::vector<std::string>{"2\u00A0691\u00A0000,00\u00A0₽", "1000,50\u00A0₽"}));
}

// <param choices="query">: a render runs a list query only when the document uses it, so a
// choices query never runs with a document (and cannot break one); tmpl::listChoices runs it.
TEST(FillModel, AChoicesQueryRunsOnlyWhenTheChoicesAreListed) {
    const tmpl::Template t = tmpl::loadTemplate(kFixtures / "fill" / "param_choices.xml");
    auto session = std::make_shared<data::Session>(fixtureDb());
    const auto doc = tmpl::fill(t, session, tmpl::bindParams(t, {}), fillOptions());  // no overflow: not run
    ASSERT_EQ(doc.blocks.size(), 1u);
    try {
        tmpl::listChoices(t, t.params.at(0), *session, 10);
        FAIL() << "the choices query did not run";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Data);
        EXPECT_NE(std::string(e.what()).find("query 'project_choices'"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("integer overflow"), std::string::npos) << e.what();
    }

    // Even one on a table the database does not have (only check would tell).
    const tmpl::Template missing = tmpl::parseTemplate(R"(<report title="x">
  <param name="id" type="integer" default="1645" choices="ids"/>
  <query name="ids">SELECT id AS value FROM no_such_table</query>
  <query name="p" one="true">SELECT title FROM projects WHERE id = :id</query>
  <paragraph>{p.title}</paragraph>
</report>)", "missing.xml");
    EXPECT_NO_THROW(tmpl::fill(missing, session, tmpl::bindParams(missing, {}), fillOptions()));
    EXPECT_THROW(tmpl::listChoices(missing, missing.params.at(0), *session, 10), Error);
}

TEST(FillModel, ListChoicesGivesTypedValuesAndLabelsUpToTheLimit) {
    const tmpl::Template t = tmpl::parseTemplate(R"(<report title="x">
  <param name="n" type="integer" choices="registry_choices"/>
  <param name="on" type="date" choices="dates"/>
  <query name="registry_choices">SELECT n AS value, amount AS label FROM registry ORDER BY n DESC</query>
  <query name="dates">SELECT dt AS value FROM vals ORDER BY id</query>
  <paragraph>x</paragraph>
</report>)", "choices.xml");
    data::Session session(fixtureDb());
    const auto registry = tmpl::listChoices(t, t.params.at(0), session, 3);
    ASSERT_EQ(registry.size(), 3u);  // of 5000
    EXPECT_EQ(std::get<std::int64_t>(registry[0].value), 5000);
    EXPECT_EQ(std::get<Decimal>(registry[0].label), Decimal::fromInt(6250));
    EXPECT_EQ(std::get<std::int64_t>(registry[2].value), 4998);
    const auto dates = tmpl::listChoices(t, t.params.at(1), session, 100);
    ASSERT_EQ(dates.size(), 7u);  // the eighth row's date is NULL: left out
    EXPECT_EQ(std::get<Date>(dates[0].value), (Date{2022, 1, 1}));
    EXPECT_TRUE(isNull(dates[0].label));  // no label column
}
