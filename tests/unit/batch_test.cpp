#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>

#include "batch/cron.h"
#include "batch/history.h"
#include "batch/params.h"
#include "batch/fingerprint.h"
#include "batch/manifest.h"
#include "batch/naming.h"
#include "batch/package.h"
#include "core/error.h"
#include "core/utf8.h"

namespace fs = std::filesystem;
using namespace gp::batch;

namespace {

std::time_t utc(int y, int mo, int d, int h, int mi) {
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    return timegm(&tm);
}

class Utc : public ::testing::Test {
protected:
    void SetUp() override {
        setenv("TZ", "UTC", 1);
        tzset();
    }
};

fs::path tempDir(const std::string& name) {
    fs::path d = fs::path(::testing::TempDir()) / name;
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

}  // namespace

TEST_F(Utc, CronFindsTheNextMatchingMinute) {
    auto weekdays = Cron::parse("30 6 * * 1-5", "t");
    // 2026-01-02 is a Friday.
    EXPECT_EQ(weekdays.next(utc(2026, 1, 2, 6, 0)), utc(2026, 1, 2, 6, 30));
    EXPECT_EQ(weekdays.next(utc(2026, 1, 2, 6, 30)), utc(2026, 1, 5, 6, 30));  // strictly after; skips the weekend
    EXPECT_EQ(Cron::parse("*/15 * * * *", "t").next(utc(2026, 1, 1, 0, 7)), utc(2026, 1, 1, 0, 15));
    EXPECT_EQ(Cron::parse("@monthly", "t").next(utc(2026, 1, 15, 0, 0)), utc(2026, 2, 1, 0, 0));
    EXPECT_EQ(Cron::parse("0 0 29 feb *", "t").next(utc(2026, 1, 1, 0, 0)), utc(2028, 2, 29, 0, 0));
    // Both day fields restricted: either matches (the 13th, or any Friday).
    auto either = Cron::parse("0 9 13 * fri", "t");
    EXPECT_TRUE(either.matches(utc(2026, 1, 2, 9, 0)));   // Friday
    EXPECT_TRUE(either.matches(utc(2026, 1, 13, 9, 0)));  // Tuesday the 13th
    EXPECT_FALSE(either.matches(utc(2026, 1, 14, 9, 0)));
}

TEST(Cron, BadExpressionsNameTheField) {
    for (auto [expr, needle] : std::vector<std::pair<std::string, std::string>>{
             {"61 * * * *", "minute"}, {"* 24 * * *", "hour"}, {"* * 0 * *", "day of month"},
             {"* * * 13 *", "month"},  {"* * * * 8", "day of week"}, {"* * *", "five fields"},
             {"*/0 * * * *", "minute"}}) {
        try {
            Cron::parse(expr, "reports.ini:12");
            ADD_FAILURE() << expr;
        } catch (const gp::Error& e) {
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("reports.ini:12"), std::string::npos) << e.what();
        }
    }
}

TEST(Naming, HostileValuesStayInsideTheFolder) {
    EXPECT_EQ(safeComponent("../../etc"), "_.._etc");
    EXPECT_EQ(safeComponent("/"), "_");
    EXPECT_EQ(safeComponent(".."), "_");
    EXPECT_EQ(safeComponent("a\x01\x1b[31mb\nc"), "a[31mbc");
    EXPECT_EQ(safeComponent("  Клуб неравнодушных - 2022 \"Тверская, 21\"  "), "Клуб неравнодушных - 2022 _Тверская, 21_");
    std::string longName(300, 'x');
    EXPECT_EQ(safeComponent(longName).size(), 120u);
    std::string cyr;
    for (int i = 0; i < 100; ++i) cyr += "ж";
    std::string cut = safeComponent(cyr);
    EXPECT_EQ(cut.size(), 120u);  // 60 two-byte letters, never half a letter
    EXPECT_THROW(safeRelative("/etc/passwd", "t"), gp::Error);
    EXPECT_THROW(safeRelative("a/../../b", "t"), gp::Error);
    EXPECT_EQ(safeRelative("Гранты/1645 Клуб.pdf", "t"), fs::path("Гранты/1645 Клуб.pdf"));
    // Three long placeholders in one name: each component cut under 255 bytes, the extension kept.
    std::string longNames;
    for (int i = 0; i < 3; ++i) longNames += "1645 " + std::string(60, 'x') + " Клуб неравнодушных";
    const fs::path cutPath = safeRelative(longNames + "/" + longNames + ".pdf", "t");
    std::vector<std::string> parts;
    for (const auto& part : cutPath) parts.push_back(part.string());
    ASSERT_EQ(parts.size(), 2u);
    for (const auto& part : parts) {
        EXPECT_LE(part.size(), kMaxComponentBytes);
        EXPECT_GE(part.size(), kMaxComponentBytes - 8);
        EXPECT_EQ(gp::utf8::decode(part).find(U'\uFFFD'), std::u32string::npos) << part;  // whole characters
    }
    EXPECT_EQ(cutPath.extension(), ".pdf");
    EXPECT_EQ(parts[0].rfind("1645 xxx", 0), 0u);
}

TEST(Naming, CollisionsAreResolvedInOrder) {
    std::vector<fs::path> p = {"a/x.pdf", "a/x.pdf", "b/x.pdf", "a/x.pdf"};
    resolveCollisions(p);
    EXPECT_EQ(p, (std::vector<fs::path>{"a/x.pdf", "a/x~2.pdf", "b/x.pdf", "a/x~3.pdf"}));
}

TEST(Manifest, RoundTripsAndVerifyCatchesAFlippedByte) {
    fs::path dir = tempDir("manifest");
    fs::create_directories(dir / "Гранты");
    std::ofstream(dir / "Гранты" / "заявка.pdf", std::ios::binary) << "%PDF-1.4 content";
    std::ofstream(dir / "b.xlsx", std::ios::binary) << "PK content";
    Manifest m;
    m.batch = "заявки";
    m.engine = "GrantPress test";
    m.source = "sample";
    m.status = RunStatus::Complete;
    m.total = 1;
    m.params = {{"year", "2022"}};
    m.records.push_back({"1645", RecordStatus::Done, "", {{"Гранты/заявка.pdf", 16, sha256File(dir / "Гранты" / "заявка.pdf"), "x"},
                                              {"b.xlsx", 10, sha256File(dir / "b.xlsx"), "y"}}});
    std::ofstream(dir / "m.json", std::ios::binary) << toJson(m);
    EXPECT_NE(toJson(m).find("Гранты/заявка.pdf"), std::string::npos);  // UTF-8, not \u escapes
    Manifest back = readManifest(dir / "m.json");
    EXPECT_EQ(back.batch, "заявки");
    ASSERT_EQ(back.records.size(), 1u);
    EXPECT_EQ(back.records[0].files[0].path, "Гранты/заявка.pdf");
    EXPECT_EQ(back.params, m.params);
    EXPECT_EQ(back.total, 1u);
    const VerifyResult clean = verify(dir / "m.json");
    EXPECT_TRUE(clean.problems.empty());
    EXPECT_TRUE(clean.incomplete.empty());
    EXPECT_EQ(clean.checked, 2u);

    {
        std::fstream f(dir / "Гранты" / "заявка.pdf", std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(3);
        f.put('X');
    }
    fs::remove(dir / "b.xlsx");
    auto problems = verify(dir / "m.json").problems;
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_EQ(problems[0].path, "Гранты/заявка.pdf");
    EXPECT_NE(problems[0].problem.find("SHA-256"), std::string::npos);
    EXPECT_EQ(problems[1].problem, "missing");

    std::ofstream(dir / "bad.json") << "{ not json";
    EXPECT_THROW(readManifest(dir / "bad.json"), gp::Error);
}

TEST(Manifest, AStoppedRunIsIncompleteEvenWhenEveryFileChecks) {
    fs::path dir = tempDir("manifest-stopped");
    std::ofstream(dir / "a.pdf", std::ios::binary) << "%PDF";
    Manifest m;
    m.status = RunStatus::Stopped;
    m.reason = "stopped by a signal: 1 of 2 records not run";
    m.total = 2;
    m.records.push_back({"1", RecordStatus::Done, "", {{"a.pdf", 4, sha256File(dir / "a.pdf"), ""}}});
    m.notRendered.push_back({"2", RecordStatus::NotRun, "the batch was stopped", {}});
    std::ofstream(dir / "m.json", std::ios::binary) << toJson(m);
    const VerifyResult r = verify(dir / "m.json");
    EXPECT_TRUE(r.problems.empty());
    EXPECT_NE(r.incomplete.find("status 'stopped', 1 of 2 records not rendered"), std::string::npos) << r.incomplete;
    const Manifest back = readManifest(dir / "m.json");
    EXPECT_EQ(back.status, RunStatus::Stopped);
    ASSERT_EQ(back.notRendered.size(), 1u);
    EXPECT_EQ(back.notRendered[0].status, RecordStatus::NotRun);
    EXPECT_EQ(back.notRendered[0].error, "the batch was stopped");
}

TEST(Manifest, StatusesAreSpelledOneWayAndAnUnknownOneIsRefused) {
    for (auto s : {RecordStatus::Done, RecordStatus::Skipped, RecordStatus::Failed, RecordStatus::NotRun})
        EXPECT_EQ(parseStatus<RecordStatus>(statusName(s)), s);
    for (auto s : {PackageStatus::Written, PackageStatus::Skipped, PackageStatus::NotWritten})
        EXPECT_EQ(parseStatus<PackageStatus>(statusName(s)), s);
    for (auto s : {RunStatus::Complete, RunStatus::Failed, RunStatus::Stopped})
        EXPECT_EQ(parseStatus<RunStatus>(statusName(s)), s);
    EXPECT_EQ(std::string(statusName(RecordStatus::NotRun)), "not run");
    EXPECT_FALSE(parseStatus<RunStatus>("Complete").has_value());  // spelled exactly as written

    fs::path dir = tempDir("manifest-status");
    Manifest m;
    m.status = RunStatus::Complete;
    m.records.push_back({"1", RecordStatus::Done, "", {}});
    std::string json = toJson(m);
    json.replace(json.find("\"done\""), 6, "\"finished\"");
    std::ofstream(dir / "m.json", std::ios::binary) << json;
    try {
        readManifest(dir / "m.json");
        FAIL() << "a record status the engine never writes was read";
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), gp::ErrorKind::Data);
        EXPECT_NE(std::string(e.what()).find("m.json"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("record status 'finished'"), std::string::npos) << e.what();
    }
}

TEST(Manifest, VerifyNeverOpensAPathOutsideItsFolder) {
    fs::path dir = tempDir("manifest-escape");
    fs::create_directories(dir / "run");
    std::ofstream(dir / "secret.txt", std::ios::binary) << "secret";
    fs::create_symlink(dir / "secret.txt", dir / "run" / "link.txt");
    fs::create_directories(dir / "run" / "sub");
    std::ofstream(dir / "run" / "sub" / "ok.txt", std::ios::binary) << "ok";
    Manifest m;
    m.status = RunStatus::Complete;
    const std::string secretSha = sha256File(dir / "secret.txt");
    for (const std::string& path : std::vector<std::string>{"../secret.txt", (dir / "secret.txt").string(), "link.txt",
                                                           "sub/../../secret.txt"})
        m.records.push_back({"1", RecordStatus::Done, "", {{path, 6, secretSha, ""}}});
    m.records.push_back({"2", RecordStatus::Done, "", {{"sub/ok.txt", 2, sha256File(dir / "run" / "sub" / "ok.txt"), ""}}});
    std::ofstream(dir / "run" / "m.json", std::ios::binary) << toJson(m);
    const VerifyResult r = verify(dir / "run" / "m.json");
    ASSERT_EQ(r.problems.size(), 4u);
    for (const auto& p : r.problems) EXPECT_NE(p.problem.find("refused"), std::string::npos) << p.path;
    EXPECT_EQ(r.checked, 5u);
}

TEST(Package, MemberPathsKeepTheirFoldersInAscii) {
    EXPECT_EQ(asciiMemberPath("1645/application.pdf"), "1645/application.pdf");
    EXPECT_EQ(asciiMemberPath("проект/заявка.pdf"), "______/______.pdf");
    EXPECT_EQ(asciiMemberPath("../x.pdf"), "_/x.pdf");
}

TEST(BatchParams, TheClockNamesItsPeriods) {
    auto local = [](int y, int mo, int d) {  // noon, local time, as the clock reads it
        std::tm tm{};
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        tm.tm_hour = 12;
        tm.tm_isdst = -1;
        return std::mktime(&tm);
    };
    const std::time_t january = local(2024, 1, 15);
    auto text = [&](const std::string& name, std::time_t t) { return gp::toPlainString(*clockValue(name, t)); };
    EXPECT_EQ(text("now.year", january), "2024");
    EXPECT_EQ(text("now.quarter", january), "1");
    EXPECT_EQ(text("prev_quarter.quarter", january), "4");
    EXPECT_EQ(text("prev_quarter.year", january), "2023");
    EXPECT_EQ(text("prev_quarter.start", january), "2023-10-01");
    EXPECT_EQ(text("prev_quarter.end", january), "2023-12-31");
    EXPECT_EQ(text("prev_month.year", january), "2023");
    EXPECT_EQ(text("prev_month.month", january), "12");
    EXPECT_EQ(text("prev_month.end", january), "2023-12-31");
    const std::time_t march2024 = local(2024, 3, 1);  // February of a leap year before it
    EXPECT_EQ(text("prev_month.end", march2024), "2024-02-29");
    EXPECT_EQ(text("yesterday", march2024), "2024-02-29");
    EXPECT_EQ(text("prev_year.start", march2024), "2023-01-01");
    EXPECT_FALSE(clockValue("now.yaer", january));
    for (const auto& name : clockNames()) EXPECT_TRUE(clockValue(name, january)) << name;

    BatchSpec spec;
    spec.where = "reports.ini:10";
    spec.params = {{"year", "{now.year - 1}"}, {"label", "Q{prev_quarter.quarter} {prev_quarter.year}"}};
    spec.keyWhere = {{"param.year", "reports.ini:11"}, {"param.label", "reports.ini:12"}};
    auto p = resolveParams(spec, {}, january);
    EXPECT_EQ(p.at("year"), "2023");
    EXPECT_EQ(p.at("label"), "Q4 2023");
    p = resolveParams(spec, {{"year", "2020"}, {"extra", "x"}}, january);
    EXPECT_EQ(p.at("year"), "2020");
    EXPECT_EQ(p.at("extra"), "x");
    spec.params = {{"year", "{now.year - }"}};
    try {
        resolveParams(spec, {}, january);
        FAIL() << "a broken expression must throw";
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), gp::ErrorKind::Config);
        EXPECT_NE(std::string(e.what()).find("reports.ini:11"), std::string::npos) << e.what();
    }
}

TEST(History, UpgradesAnOlderFileAndKeepsTheReasons) {
    fs::path dir = tempDir("history");
    const fs::path file = dir / "runs.db";
    {
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::Session old("SQLite", file.string());
        old << "CREATE TABLE runs (id INTEGER PRIMARY KEY, batch TEXT NOT NULL, trigger TEXT NOT NULL, "
               "started INTEGER NOT NULL, finished INTEGER NOT NULL, total INTEGER NOT NULL, done INTEGER NOT NULL, "
               "skipped INTEGER NOT NULL, failed INTEGER NOT NULL, status TEXT NOT NULL)",
            Poco::Data::Keywords::now;
        old << "INSERT INTO runs VALUES (1, 'old', 'manual', 100, 110, 3, 3, 0, 0, 'complete')", Poco::Data::Keywords::now;
    }
    History h(file);
    RunRecord r;
    r.batch = "заявки";
    r.trigger = "schedule";
    r.started = 200;
    r.finished = 230;
    r.total = 3;
    r.done = 1;
    r.failed = 1;
    r.notRun = 1;
    r.status = "stopped";
    r.reason = "stopped by a signal";
    r.params = {{"year", "2022"}};
    r.failures = {{"17", "запрос 'project': нет записи"}};
    r.manifest = "/out/заявки.manifest.json";
    r.notifyProblems = {"mailto:ops@example.org: connection refused"};
    const auto id = h.add(r);
    EXPECT_EQ(id, 2);
    const auto back = h.get(id);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->notRun, 1u);
    EXPECT_EQ(back->reason, "stopped by a signal");
    EXPECT_EQ(back->params, r.params);
    EXPECT_EQ(back->failures, r.failures);
    EXPECT_EQ(back->manifest, r.manifest);
    EXPECT_EQ(back->notifyProblems, r.notifyProblems);
    const auto recent = h.recent(10);
    ASSERT_EQ(recent.size(), 2u);
    EXPECT_EQ(recent[1].batch, "old");
    EXPECT_EQ(recent[1].reason, "");
    EXPECT_FALSE(h.get(99));
}

TEST(Package, IsAValidZipWithAsciiNamesAndFixedBytes) {
    fs::path dir = tempDir("package");
    std::ofstream(dir / "a.pdf", std::ios::binary) << "%PDF-1.4 test";
    std::ofstream(dir / "b.xlsx", std::ios::binary) << "xlsx bytes";
    std::vector<PackageMember> members = {{"application.pdf", dir / "a.pdf"}, {"бюджет.xlsx", dir / "b.xlsx"}};
    writePackage(dir / "p1.zip", members, "{\"k\": \"значение\"}\n", 1767225600);
    writePackage(dir / "p2.zip", members, "{\"k\": \"значение\"}\n", 1767225600);
    EXPECT_EQ(sha256File(dir / "p1.zip"), sha256File(dir / "p2.zip"));
    const std::string cmd = "unzip -t " + (dir / "p1.zip").string() + " > " + (dir / "t.txt").string() + " 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    std::ifstream in(dir / "t.txt");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("application.pdf"), std::string::npos) << text;
    EXPECT_NE(text.find("______.xlsx"), std::string::npos) << text;
    EXPECT_NE(text.find("manifest.json"), std::string::npos) << text;
    EXPECT_NE(text.find("No errors"), std::string::npos) << text;
}

TEST(Fingerprint, ChangesWithAnyValue) {
    gp::model::Document a;
    a.blocks.push_back({gp::model::plainParagraph("Сумма 2 691 000,00 ₽")});
    gp::model::Document b = a;
    EXPECT_EQ(fingerprint(a), fingerprint(b));
    b.blocks[0] = {gp::model::plainParagraph("Сумма 2 691 000,01 ₽")};
    EXPECT_NE(fingerprint(a), fingerprint(b));
    b = a;
    b.meta.created += 1;
    EXPECT_NE(fingerprint(a), fingerprint(b));
}
