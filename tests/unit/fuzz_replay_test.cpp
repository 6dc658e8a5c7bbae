// The fuzz targets (fuzz/targets.cpp) replayed in the ordinary test build: every regression
// input in tests/data/fuzz/<target>/ (what a fuzzer once found), every seed in
// fuzz/corpus/<target>/, and for the template compiler every shipped template and fixture.
// An input passes when the target returns: no exception other than gp::Error escapes and no
// check inside the target aborts (under build-asan/, no sanitizer report either).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "targets.h"

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = GP_SOURCE_DIR;

std::vector<fs::path> filesIn(const fs::path& dir, const std::string& ext = "") {
    std::vector<fs::path> out;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        if (e.path().filename() == "README.md") continue;
        if (!ext.empty() && e.path().extension() != ext) continue;
        out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

gp::fuzz::TargetFn target(const std::string& name) {
    for (const auto& t : gp::fuzz::targets())
        if (name == t.name) return t.run;
    ADD_FAILURE() << "no fuzz target " << name;
    return nullptr;
}

void replay(const std::string& name, const std::vector<fs::path>& files) {
    const gp::fuzz::TargetFn run = target(name);
    ASSERT_NE(run, nullptr);
    for (const auto& file : files) {
        SCOPED_TRACE(file.string());
        const std::string input = readFile(file);
        EXPECT_NO_THROW(run(reinterpret_cast<const std::uint8_t*>(input.data()), input.size()));
    }
}

class FuzzReplay : public ::testing::TestWithParam<std::string> {};

TEST_P(FuzzReplay, RegressionInputsAndSeedsPass) {
    const std::string name = GetParam();
    std::vector<fs::path> files = filesIn(kRoot / "tests" / "data" / "fuzz" / name);
    const auto seeds = filesIn(kRoot / "fuzz" / "corpus" / name);
    files.insert(files.end(), seeds.begin(), seeds.end());
    if (name == "template") {
        for (const auto* dir : {"templates", "tests/data/templates"}) {
            const auto xml = filesIn(kRoot / dir, ".xml");
            files.insert(files.end(), xml.begin(), xml.end());
        }
    }
    EXPECT_FALSE(files.empty()) << "nothing to replay for " << name;
    replay(name, files);
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplay,
                         ::testing::Values("template", "expr", "render", "config", "cron", "sqlnames", "image"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

// Every target survives the empty input and a few bytes of nothing in particular.
TEST(FuzzReplay, EveryTargetTakesEmptyAndTinyInputs) {
    for (const auto& t : gp::fuzz::targets()) {
        SCOPED_TRACE(t.name);
        for (const std::string& input : {std::string(), std::string(1, '\0'), std::string("\xff\xfe{<", 4)})
            EXPECT_NO_THROW(t.run(reinterpret_cast<const std::uint8_t*>(input.data()), input.size()));
    }
}

}  // namespace
