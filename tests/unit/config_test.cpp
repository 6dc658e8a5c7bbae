#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "config/config.h"
#include "core/error.h"

namespace fs = std::filesystem;
using gp::config::Config;

namespace {

fs::path writeIni(const std::string& name, const std::string& text) {
    // One folder per test: ctest runs the tests of this file at once, in separate processes.
    fs::path dir = fs::path(::testing::TempDir()) / "gp-config" /
                   ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(dir);
    fs::path p = dir / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
}

void expectError(const std::string& text, int line, const std::string& needle) {
    fs::path p = writeIni("bad.ini", text);
    try {
        Config::load(p);
        ADD_FAILURE() << "accepted: " << text;
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), gp::ErrorKind::Config);
        EXPECT_EQ(e.line(), line) << e.what();
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("bad.ini"), std::string::npos) << e.what();
    }
}

}  // namespace

TEST(Config, ReadsPathsRelativeToTheFileAndPageDefaults) {
    unsetenv("SOURCE_DATE_EPOCH");
    fs::path p = writeIni("ok.ini",
                          "\xEF\xBB\xBF; a BOM and a comment\n[engine]\ntemplates = tpl\ncreated = 2022-01-01\n"
                          "default_source = main\n[page]\nsize = A3\norientation = landscape\nmargin_left = 30\n"
                          "[source.main]\nkind = sqlite\npath = data/g.db\n");
    Config c = Config::load(p);
    EXPECT_EQ(c.templatesDir, p.parent_path() / "tpl");
    EXPECT_EQ(c.outputDir, p.parent_path() / "out");
    EXPECT_EQ(c.created, 1640995200);
    EXPECT_EQ(c.page.size, gp::model::PageSetup::Size::A3);
    EXPECT_TRUE(c.page.landscape);
    EXPECT_EQ(c.page.left, 30);
    auto src = c.source();
    EXPECT_EQ(src.kind, "sqlite");
    EXPECT_EQ(fs::path(src.path), p.parent_path() / "data/g.db");
}

TEST(Config, SourceDateEpochOverridesCreated) {
    fs::path p = writeIni("epoch.ini", "[engine]\ncreated = 2022-01-01\n[source.a]\nkind = sqlite\npath = x.db\n");
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    EXPECT_EQ(Config::load(p).created, 1700000000);
    unsetenv("SOURCE_DATE_EPOCH");
}

TEST(Config, ExpandsEnvironmentVariablesAndRefusesUnsetOnes) {
    fs::path p = writeIni("env.ini",
                          "[source.pg]\nkind = odbc\nconnection = DSN=grants;PWD=${system.env.GP_TEST_SECRET}\n");
    setenv("GP_TEST_SECRET", "s3cr3t", 1);
    EXPECT_EQ(Config::load(p).source("pg").connection, "DSN=grants;PWD=s3cr3t");
    unsetenv("GP_TEST_SECRET");
    try {
        Config::load(p).source("pg");
        FAIL() << "unset variable accepted";
    } catch (const gp::Error& e) {
        EXPECT_NE(std::string(e.what()).find("${system.env.GP_TEST_SECRET}"), std::string::npos) << e.what();
        EXPECT_EQ(e.line(), 1);
    }
}

TEST(Config, MalformedFilesNameTheLine) {
    expectError("[engine\ntemplates = t\n", 1, "missing its closing ']'");
    expectError("[engine]\ntemplates t\n", 2, "expected 'key = value'");
    expectError("[engine]\ntemplatez = t\n", 2, "unknown key 'templatez'");
    expectError("[engin]\n", 1, "unknown section [engin]");
    expectError("templates = t\n", 1, "outside of any section");
    expectError("[source.a]\nkind = mysql\n", 2, "kind = sqlite or kind = odbc");
    expectError("[source.a]\nkind = sqlite\n", 1, "needs path");
    expectError("[page]\nmargin_top = wide\n[source.a]\nkind = sqlite\npath = x\n", 2, "not a number");
    expectError("[engine]\ncreated = yesterday\n[source.a]\nkind = sqlite\npath = x\n", 2, "neither a date");
    expectError("[engine]\ndefault_source = b\n[source.a]\nkind = sqlite\npath = x\n", 2, "names no [source.NAME]");
}

TEST(Config, NamesThatDifferOnlyInCaseAreTheSameName) {
    // Poco reads names without regard to case: two spellings would be merged in silence.
    const std::string source = "[source.a]\nkind = sqlite\npath = x\n";
    expectError(source + "[batch.Annual]\nquery = SELECT 1 AS id\ntemplates = t\n[batch.annual]\n", 7,
                "section [batch.annual] appears twice (as [batch.Annual] first: names do not depend on case)");
    expectError(source + "[batch.a]\nparam.Year = 1\nparam.year = 2\n", 6,
                "key 'param.year' given twice in [batch.a] (as 'param.Year' first: keys do not depend on case)");
    expectError(source + "[source.a]\n", 4, "section [source.a] appears twice");
}

TEST(Config, HashCommentsAreCommentsForPocoToo) {
    // Poco takes only ';' for a comment: "#." inside a batch section was a key "#" with a
    // subkey "." that Poco then could not read back (an uncaught NotFoundException, found by
    // the config fuzzer: tests/data/fuzz/config/).
    fs::path p = writeIni("hash.ini",
                          "[source.a]\nkind = sqlite\npath = x\n# path = elsewhere\n[batch.f]\n#.\n"
                          "# templates = other\nquery = SELECT 1 AS id\ntemplates = t\n");
    const Config c = Config::load(p);
    EXPECT_EQ(fs::path(c.source("a").path).filename(), "x");
    ASSERT_EQ(c.batchValues.count("f"), 1u);
    EXPECT_EQ(c.batchValues.at("f"), (std::map<std::string, std::string>{{"query", "SELECT 1 AS id"}, {"templates", "t"}}));
    EXPECT_EQ(c.batchLines.at("f.templates"), 9);
}

TEST(Config, ReferencesAreToTheEnvironmentOnlyAndNeverLoop) {
    // Poco's own expansion followed ${engine.templates} back to itself: "internal error:
    // Circular reference", exit 70. Only ${system.env.NAME} (and Poco's system.* values) expand.
    const std::string source = "[source.a]\nkind = sqlite\npath = x\n";
    expectError("[engine]\ntemplates = ${engine.templates}\n" + source, 2,
                "[engine] templates refers to a '${' that is not a set ${system.env.NAME} variable");
    expectError("[engine]\ntemplates = ${engine.output}\noutput = ${engine.templates}\n" + source, 2, "[engine] templates");
    expectError("[page]\nfont = ${system.env.GP_TEST_UNSET_FONT}\n" + source, 2,
                "[page] font refers to ${system.env.GP_TEST_UNSET_FONT}, which is not set");
    setenv("GP_TEST_TEMPLATES", "/srv/шаблоны", 1);
    fs::path p = writeIni("env-dir.ini", "[engine]\ntemplates = ${system.env.GP_TEST_TEMPLATES}/годовые\n" + source);
    EXPECT_EQ(Config::load(p).templatesDir, fs::path("/srv/шаблоны/годовые"));
    unsetenv("GP_TEST_TEMPLATES");
}

TEST(Config, MissingFileIsAConfigError) {
    try {
        Config::load("/nonexistent/reports.ini");
        FAIL();
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), gp::ErrorKind::Config);
        EXPECT_NE(std::string(e.what()).find("/nonexistent/reports.ini"), std::string::npos);
    }
}

TEST(Config, TheServerSectionListensOnLoopbackByDefault) {
    const std::string source = "[source.a]\nkind = sqlite\npath = x.db\n";
    Config none = Config::load(writeIni("none.ini", source));
    EXPECT_FALSE(none.server.configured);
    EXPECT_EQ(none.server.bind, "127.0.0.1");
    EXPECT_EQ(none.server.port, 8080);
    EXPECT_EQ(none.server.workers, 0);  // the machine's cores
    EXPECT_FALSE(none.server.schedule);
    EXPECT_EQ(none.server.state, none.outputDir / ".server");
    EXPECT_EQ(none.server.users, none.outputDir / ".server" / "users");

    fs::path p = writeIni("server.ini", source + "[server]\nbind = ::\nport = 9090\nworkers = 3\nqueue = 5\n"
                                                 "max_body = 4096\ntimeout = 7\nstate = state\nusers = /etc/gp/users\n"
                                                 "schedule = true\n");
    Config c = Config::load(p);
    EXPECT_TRUE(c.server.configured);
    EXPECT_EQ(c.server.bind, "::");
    EXPECT_EQ(c.server.port, 9090);
    EXPECT_EQ(c.server.workers, 3);
    EXPECT_EQ(c.server.queue, 5);
    EXPECT_EQ(c.server.maxBody, 4096);
    EXPECT_EQ(c.server.timeout, 7);
    EXPECT_EQ(c.server.state, p.parent_path() / "state");  // relative to the file
    EXPECT_EQ(c.server.users, fs::path("/etc/gp/users"));
    EXPECT_TRUE(c.server.schedule);

    expectError(source + "[server]\nbind = localhost\n", 5, "is not an IP address");
    expectError(source + "[server]\nport = 0\n", 5, "port");
    expectError(source + "[server]\nworkers = many\n", 5, "workers");
    expectError(source + "[server]\nmax_body = 10\n", 5, "max_body");
    expectError(source + "[server]\nschedule = maybe\n", 5, "is not true or false");
    expectError(source + "[server]\nusers =\n", 5, "needs a path");
    expectError(source + "[server]\ncertificate = /etc/ssl/a.pem\n", 5, "unknown key 'certificate'");
}
