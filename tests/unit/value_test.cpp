#include <gtest/gtest.h>

#include "core/reentrant_time.h"
#include "core/value.h"

#include <atomic>
#include <ctime>
#include <thread>

using gp::Date;
using gp::Decimal;

TEST(Decimal, ParsesAndPrintsExactly) {
    EXPECT_EQ(Decimal::parse("2691000.00")->toString(2), "2691000.00");
    EXPECT_EQ(Decimal::parse("12345678901234.56")->toString(2), "12345678901234.56");
    EXPECT_EQ(Decimal::parse("-0.5")->toString(0), "-1");
    EXPECT_EQ(Decimal::parse("0.125")->toString(2), "0.13");
    EXPECT_EQ(Decimal::parse("1.23456")->toString(4), "1.2346");
    EXPECT_EQ(Decimal::parse("7")->toString(2), "7.00");
}

TEST(Decimal, RejectsWhatIsNotANumber) {
    for (const char* bad : {"", "-", ".", "1e3", "12,5", "abc", "1.2.3", "99999999999999999999"})
        EXPECT_FALSE(Decimal::parse(bad).has_value()) << bad;
}

TEST(Decimal, SumsWithoutBinaryDrift) {
    Decimal sum;
    for (int i = 0; i < 1000; ++i) sum += *Decimal::parse("0.10");
    EXPECT_EQ(sum.toString(2), "100.00");
    EXPECT_EQ((*Decimal::parse("2.5") * *Decimal::parse("4")).toString(2), "10.00");
    EXPECT_EQ((*Decimal::parse("1") / *Decimal::parse("3")).toString(4), "0.3333");
    EXPECT_THROW(*Decimal::parse("1") / Decimal(), std::domain_error);
}

TEST(Decimal, OverflowIsAnError) {
    Decimal big = Decimal::fromUnits(INT64_MAX - 1);
    EXPECT_THROW(big + Decimal::fromInt(1), std::overflow_error);
}

TEST(Date, ParsesIsoAndRejectsImpossibleDays) {
    EXPECT_EQ(Date::parse("2022-01-01")->iso(), "2022-01-01");
    EXPECT_EQ(Date::parse("2022-12-31 00:00:00")->iso(), "2022-12-31");
    EXPECT_TRUE(Date::parse("2024-02-29").has_value());
    EXPECT_FALSE(Date::parse("2023-02-29").has_value());
    EXPECT_FALSE(Date::parse("2022-13-01").has_value());
    EXPECT_FALSE(Date::parse("01.01.2022").has_value());
}

// gmtime() and localtime() are the engine's own, with a buffer per thread (core/reentrant_time.h):
// libxlsxwriter and libharu call gmtime() from the batch's workers at once.
TEST(ReentrantTime, GmtimeAndLocaltimeKeepEachThreadsResult) {
    gp::useReentrantTime();
    auto hammer = [](std::time_t t, std::atomic<int>& wrong) {
        struct tm expected {};
        gmtime_r(&t, &expected);
        for (int i = 0; i < 200000; ++i) {
            const struct tm* got = std::gmtime(&t);
            if (got->tm_year != expected.tm_year || got->tm_mday != expected.tm_mday || got->tm_hour != expected.tm_hour)
                ++wrong;
            if (std::localtime(&t) == got) ++wrong;  // a different buffer from gmtime's
        }
    };
    std::atomic<int> wrong{0};
    std::thread a(hammer, std::time_t{0}, std::ref(wrong));                 // 1970-01-01 00:00
    std::thread b(hammer, std::time_t{1767225600 + 13 * 3600}, std::ref(wrong));  // 2026-01-01 13:00
    a.join();
    b.join();
    EXPECT_EQ(wrong.load(), 0);
    // And the same buffer within a thread, as the C library promises its callers.
    const std::time_t t = 0;
    EXPECT_EQ(std::gmtime(&t), std::gmtime(&t));
}

TEST(BooleanText, OneRuleForEverySource) {
    // SQLite's text and psqlODBC's BoolsAsChar text are read by this one function.
    for (const char* yes : {"t", "TRUE", " true ", "y", "Yes", "on", "1", "-1"})
        EXPECT_EQ(gp::parseBooleanText(yes), true) << yes;
    for (const char* no : {"f", "False", "n", "NO", "off", "0", "\t0 "})
        EXPECT_EQ(gp::parseBooleanText(no), false) << no;
    for (const char* neither : {"", "2", "да", "yess", "1.0", "tru", "o"})
        EXPECT_FALSE(gp::parseBooleanText(neither).has_value()) << neither;
}
