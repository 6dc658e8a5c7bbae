// app::listTemplates and app::checkTemplates: what `grantpress templates` and `check` print,
// and (next) what the server shows, from one library call each.
#include <gtest/gtest.h>

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>

#include <filesystem>
#include <fstream>

#include "app/catalog.h"
#include "config/config.h"
#include "core/error.h"

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
