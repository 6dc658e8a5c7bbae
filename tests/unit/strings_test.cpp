// core/strings and core/time_stamp: the helpers the CLI, reports.ini and the batch runner share.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "core/strings.h"
#include "core/time_stamp.h"

TEST(SplitList, TrimsEveryItemAndDropsEmptyOnes) {
    using V = std::vector<std::string>;
    EXPECT_EQ(gp::splitList("pdf,xlsx"), (V{"pdf", "xlsx"}));
    EXPECT_EQ(gp::splitList("pdf, xlsx"), (V{"pdf", "xlsx"}));  // --format "pdf, xlsx"
    EXPECT_EQ(gp::splitList(" pdf ,\txlsx\t,, "), (V{"pdf", "xlsx"}));
    EXPECT_EQ(gp::splitList(""), V{});
    EXPECT_EQ(gp::splitList(" , "), V{});
}

TEST(TimeStamp, UtcIsIso8601) {
    EXPECT_EQ(gp::isoUtc(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(gp::isoUtc(1640995200 + 3661), "2022-01-01T01:01:01Z");
}

TEST(TimeStamp, LocalWithAndWithoutSeconds) {
    const char* old = std::getenv("TZ");
    const std::string saved = old ? old : "";
    setenv("TZ", "UTC", 1);
    tzset();
    EXPECT_EQ(gp::localStamp(1640995200 + 3661), "2022-01-01 01:01:01");
    EXPECT_EQ(gp::localStamp(1640995200 + 3661, false), "2022-01-01 01:01");
    if (old) setenv("TZ", saved.c_str(), 1);
    else unsetenv("TZ");
    tzset();
}
