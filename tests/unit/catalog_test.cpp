// app::listTemplates and app::checkTemplates: what `grantpress templates` and `check` print,
// and (next) what the server shows, from one library call each.
#include <gtest/gtest.h>

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "app/catalog.h"
#include "config/config.h"
#include "core/error.h"
#include "template/fill.h"
#include "template/template.h"

namespace fs = std::filesystem;
using namespace gp;

namespace {

struct Catalog {
    // One folder per test: ctest runs the tests of this file at once, in separate processes.
    fs::path dir = fs::path(::testing::TempDir()) /
                   ("catalog-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));

    explicit Catalog(const std::string& dbPath = "db.sqlite") {
        fs::remove_all(dir);
        fs::create_directories(dir / "templates");
        {
            Poco::Data::SQLite::Connector::registerConnector();
            Poco::Data::Session s("SQLite", (dir / "db.sqlite").string());
            using Poco::Data::Keywords::now;
            s << "CREATE TABLE p(id INTEGER, title TEXT)", now;
        }
        std::ofstream(dir / "templates" / "good.xml") << R"(<?xml version="1.0" encoding="UTF-8"?>
<report title="Проект">
  <param name="id" type="integer" required="true"/>
  <param name="year" type="integer"/>
  <query name="p" one="true">SELECT title FROM p WHERE id = :id</query>
  <paragraph>{p.title}</paragraph>
</report>
)";
        std::ofstream(dir / "templates" / "column.xml") << R"(<?xml version="1.0" encoding="UTF-8"?>
<report title="Проект">
  <query name="p" one="true">SELECT title FROM p</query>
  <paragraph>{p.titel}</paragraph>
</report>
)";
        std::ofstream(dir / "templates" / "broken.xml") << "<report title=\"x\">\n  <paragraph>\n</report>\n";
        std::ofstream(dir / "reports.ini") << "[engine]\ntemplates = templates\nfonts = " GP_SOURCE_DIR "/fonts\n"
                                              "[source.s]\nkind = sqlite\npath = " + dbPath + "\n";
    }
    config::Config cfg() const { return config::Config::load(dir / "reports.ini"); }
};

}  // namespace

TEST(Catalog, ListsEveryTemplateWithItsParametersAndSaysWhichAreBroken) {
    Catalog c;
    const auto list = app::listTemplates(c.cfg());
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0].name, "broken");
    ASSERT_TRUE(list[0].broken.has_value());
    EXPECT_NE(std::string(list[0].broken->what()).find("broken.xml:"), std::string::npos) << list[0].broken->what();
    EXPECT_EQ(list[2].name, "good");
    EXPECT_FALSE(list[2].broken.has_value());
    EXPECT_EQ(list[2].params, (std::vector<std::string>{"id", "year"}));
}

TEST(Catalog, ChecksColumnsAgainstTheDatabaseAndNamesUnknownTemplates) {
    Catalog c;
    const auto report = app::checkTemplates(c.cfg(), {"good", "column", "nosuch"}, "");
    EXPECT_FALSE(report.noDatabase.has_value());
    ASSERT_EQ(report.templates.size(), 2u);
    EXPECT_TRUE(report.templates[0].problems.empty());
    ASSERT_EQ(report.templates[1].problems.size(), 1u);
    EXPECT_NE(std::string(report.templates[1].problems[0].what()).find("titel"), std::string::npos)
        << report.templates[1].problems[0].what();
    EXPECT_EQ(report.templates[1].problems[0].line(), 4);
    ASSERT_EQ(report.unknown.size(), 1u);
    EXPECT_NE(std::string(report.unknown[0].what()).find("nosuch"), std::string::npos);
    EXPECT_EQ(report.problems(), 2u);

    const auto all = app::checkTemplates(c.cfg(), {}, "");
    EXPECT_EQ(all.templates.size(), 3u);
    EXPECT_GE(all.problems(), 2u);
}

TEST(Catalog, WithoutADatabaseTheReportSaysColumnsWereNotChecked) {
    Catalog c("missing/db.sqlite");
    const auto report = app::checkTemplates(c.cfg(), {"column"}, "");
    ASSERT_TRUE(report.noDatabase.has_value());
    EXPECT_EQ(report.noDatabase->kind(), ErrorKind::Data);
    ASSERT_EQ(report.templates.size(), 1u);
    EXPECT_TRUE(report.templates[0].problems.empty());  // {p.titel} cannot be found wrong without the columns

    const auto unknownSource = app::checkTemplates(c.cfg(), {"good"}, "nosuch");
    ASSERT_TRUE(unknownSource.noDatabase.has_value());
    EXPECT_NE(std::string(unknownSource.noDatabase->what()).find("nosuch"), std::string::npos);
}

namespace {

// Tables whose values are each kind a choice can have, and a template listing them.
void addChoices(const Catalog& c) {
    {
        Poco::Data::Session s("SQLite", (c.dir / "db.sqlite").string());
        using Poco::Data::Keywords::now;
        s << "INSERT INTO p VALUES (1, 'Первый'), (1645, 'Клуб неравнодушных'), (2, NULL)", now;
        s << "CREATE TABLE c(n INTEGER, amount NUMERIC(12,2), ratio REAL, since DATE, who TEXT)", now;
        s << "INSERT INTO c VALUES (1, 12.50, 3.0, '2022-01-01', 'Иванов'), (2, 1000, 0.25, '2022-12-31', NULL)", now;
        s << "CREATE TABLE big(n INTEGER)", now;
        s << "WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 5003) INSERT INTO big SELECT n FROM k",
            now;
    }
    std::ofstream(c.dir / "templates" / "choices.xml") << R"(<?xml version="1.0" encoding="UTF-8"?>
<report title="Выбор">
  <param name="id" type="integer" choices="ids"/>
  <param name="amount" type="decimal" choices="amounts"/>
  <param name="ratio" type="decimal" choices="ratios"/>
  <param name="since" type="date" choices="dates"/>
  <param name="who" choices="names"/>
  <param name="n" type="integer" choices="many"/>
  <param name="year" type="integer"/>
  <param name="bad" choices="no_value"/>
  <param name="gone" choices="missing_table"/>
  <query name="ids">SELECT id AS value, title AS label FROM p ORDER BY id DESC</query>
  <query name="amounts">SELECT amount AS value FROM c ORDER BY n</query>
  <query name="ratios">SELECT ratio AS value, '' AS label FROM c ORDER BY n</query>
  <query name="dates">SELECT since AS value, NULL AS label FROM c ORDER BY n</query>
  <query name="names">SELECT who AS value, who || '!' AS label FROM c ORDER BY n</query>
  <query name="many">SELECT n AS value FROM big ORDER BY n</query>
  <query name="no_value">SELECT id, title FROM p</query>
  <query name="missing_table">SELECT id AS value FROM nosuch</query>
  <paragraph>x</paragraph>
</report>
)";
}

std::vector<std::string> values(const std::vector<app::ParamChoice>& choices) {
    std::vector<std::string> out;
    for (const auto& c : choices) out.push_back(c.value);
    return out;
}
std::vector<std::string> labels(const std::vector<app::ParamChoice>& choices) {
    std::vector<std::string> out;
    for (const auto& c : choices) out.push_back(c.label);
    return out;
}

}  // namespace

TEST(Catalog, SaysWhichParametersHaveChoices) {
    Catalog c;
    addChoices(c);
    const auto list = app::listTemplates(c.cfg());
    const auto it = std::find_if(list.begin(), list.end(), [](const app::TemplateInfo& t) { return t.name == "choices"; });
    ASSERT_NE(it, list.end());
    ASSERT_FALSE(it->broken.has_value()) << it->broken->what();
    ASSERT_EQ(it->details.size(), 9u);
    EXPECT_TRUE(it->details[0].choices);
    EXPECT_FALSE(it->details[6].choices);  // year
}

TEST(Catalog, ChoicesAreValuesAsTypedWithTheirLabelsInTheQuerysOrder) {
    Catalog c;
    addChoices(c);
    const auto cfg = c.cfg();
    auto ids = app::paramChoices(cfg, "choices", "id", "");
    EXPECT_EQ(values(ids), (std::vector<std::string>{"1645", "2", "1"}));
    EXPECT_EQ(labels(ids), (std::vector<std::string>{"Клуб неравнодушных", "2", "Первый"}));  // NULL: the value
    // Exact decimals without trailing zeros, a REAL as written, ISO dates: what --param takes.
    auto amounts = app::paramChoices(cfg, "choices", "amount", "s");
    EXPECT_EQ(values(amounts), (std::vector<std::string>{"12.5", "1000"}));
    EXPECT_EQ(labels(amounts), values(amounts));  // no label column
    auto ratios = app::paramChoices(cfg, "choices", "ratio", "");
    EXPECT_EQ(values(ratios), (std::vector<std::string>{"3", "0.25"}));
    EXPECT_EQ(labels(ratios), values(ratios));  // an empty label: the value
    auto dates = app::paramChoices(cfg, "choices", "since", "");
    EXPECT_EQ(values(dates), (std::vector<std::string>{"2022-01-01", "2022-12-31"}));
    EXPECT_EQ(labels(dates), values(dates));
    // A row without a value cannot be chosen.
    auto names = app::paramChoices(cfg, "choices", "who", "");
    EXPECT_EQ(values(names), (std::vector<std::string>{"Иванов"}));
    EXPECT_EQ(labels(names), (std::vector<std::string>{"Иванов!"}));
    // Every value is one the template's own parameter parser takes back (what render does with it).
    const tmpl::Template t = tmpl::loadTemplate(c.dir / "templates" / "choices.xml");
    for (const auto& [param, choices] : {std::pair{"id", ids}, {"amount", amounts}, {"ratio", ratios}, {"since", dates}})
        for (const auto& choice : choices)
            EXPECT_NO_THROW(tmpl::bindParams(t, {{param, choice.value}})) << param << "=" << choice.value;
}

TEST(Catalog, ChoicesStopAtTheLimit) {
    Catalog c;
    addChoices(c);
    const auto many = app::paramChoices(c.cfg(), "choices", "n", "");
    ASSERT_EQ(many.size(), app::kMaxChoices);  // of 5003 rows
    EXPECT_EQ(many.front().value, "1");
    EXPECT_EQ(many.back().value, "5000");
}

TEST(Catalog, ChoicesOfWhatHasNoneAreAUsageError) {
    Catalog c;
    addChoices(c);
    const auto cfg = c.cfg();
    try {
        app::paramChoices(cfg, "choices", "nosuch", "");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Usage);
        EXPECT_NE(std::string(e.what()).find("template 'choices' has no parameter 'nosuch' (parameters: id, amount,"),
                  std::string::npos)
            << e.what();
    }
    try {
        app::paramChoices(cfg, "choices", "year", "");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Usage);
        EXPECT_NE(std::string(e.what()).find("parameter 'year' of template 'choices' has no choices"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(app::paramChoices(cfg, "nosuch", "id", ""), Error);
}

TEST(Catalog, ChoicesFailAsARenderWould) {
    Catalog c;
    addChoices(c);
    const auto cfg = c.cfg();
    // No value column: the problem check reports, at the attribute.
    try {
        app::paramChoices(cfg, "choices", "bad", "");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Template);
        EXPECT_EQ(e.line(), 10);
        EXPECT_EQ(e.column(), 21);
        EXPECT_EQ(e.message(), "choices=\"no_value\": query 'no_value' has no column 'value' (columns: id, title): name "
                               "the column of the values AS value (and, optionally, the text shown for each AS label)");
    }
    try {
        app::paramChoices(cfg, "choices", "gone", "");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(e.kind(), ErrorKind::Usage);
        EXPECT_NE(std::string(e.what()).find("missing_table"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("nosuch"), std::string::npos) << e.what();
    }
    // The check finds both without running anything.
    const auto report = app::checkTemplates(cfg, {"choices"}, "");
    ASSERT_EQ(report.templates.size(), 1u);
    std::string listed;
    for (const auto& e : report.templates[0].problems) listed += std::string(e.what()) + "\n";
    EXPECT_NE(listed.find(":10:21: choices=\"no_value\": query 'no_value' has no column 'value'"), std::string::npos)
        << listed;
    EXPECT_NE(listed.find("nosuch"), std::string::npos) << listed;
}
