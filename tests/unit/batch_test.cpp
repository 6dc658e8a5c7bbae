#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "batch/cron.h"
#include "batch/fingerprint.h"
#include "batch/manifest.h"
#include "batch/naming.h"
#include "batch/package.h"
#include "core/error.h"

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
    m.records.push_back({"1645", "done", "", {{"Гранты/заявка.pdf", 16, sha256File(dir / "Гранты" / "заявка.pdf"), "x"},
                                              {"b.xlsx", 10, sha256File(dir / "b.xlsx"), "y"}}});
    std::ofstream(dir / "m.json", std::ios::binary) << toJson(m);
    EXPECT_NE(toJson(m).find("Гранты/заявка.pdf"), std::string::npos);  // UTF-8, not \u escapes
    Manifest back = readManifest(dir / "m.json");
    EXPECT_EQ(back.batch, "заявки");
    ASSERT_EQ(back.records.size(), 1u);
    EXPECT_EQ(back.records[0].files[0].path, "Гранты/заявка.pdf");
    size_t checked = 0;
    EXPECT_TRUE(verify(dir / "m.json", &checked).empty());
    EXPECT_EQ(checked, 2u);

    {
        std::fstream f(dir / "Гранты" / "заявка.pdf", std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(3);
        f.put('X');
    }
    fs::remove(dir / "b.xlsx");
    auto problems = verify(dir / "m.json");
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_EQ(problems[0].path, "Гранты/заявка.pdf");
    EXPECT_NE(problems[0].problem.find("SHA-256"), std::string::npos);
    EXPECT_EQ(problems[1].problem, "missing");

    std::ofstream(dir / "bad.json") << "{ not json";
    EXPECT_THROW(readManifest(dir / "bad.json"), gp::Error);
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
