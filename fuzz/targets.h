// The fuzz targets' bodies, shared by the libFuzzer programs (fuzz/fuzz_<target>.cpp, built
// with clang and -fsanitize=fuzzer) and the unit test that replays the regression inputs and
// seed corpora (tests/unit/fuzz_replay_test.cpp, built with the normal compiler). Each takes
// one input and returns 0. Expected failures (gp::Error: a bad template, a bad reports.ini)
// are caught inside; anything else escapes, crashes the fuzzer, and is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gp::fuzz {

using TargetFn = int (*)(const std::uint8_t* data, std::size_t size);

// XML -> compiled template: compileTemplate (every problem) and parseTemplate (first problem),
// which must agree on whether the template is valid.
int templateCompiler(const std::uint8_t* data, std::size_t size);
// The expression language: the input as template text (placeholders) and as one <if> test,
// parsed and evaluated over a row of every value type.
int expression(const std::uint8_t* data, std::size_t size);
// A template compiled, checked against the sample database, filled, and rendered to PDF and
// XLSX in a temporary folder. Inputs over 64 KB are skipped; queries are cut off after a fixed
// amount of SQLite work, so one execution stays short.
int render(const std::uint8_t* data, std::size_t size);
// reports.ini: written to a temporary file and loaded (config::Config::load), then its
// sources, [smtp] and [batch.NAME] sections interpreted.
int config(const std::uint8_t* data, std::size_t size);
// A cron line (batch::Cron): parsed, then the next matching minutes searched.
int cron(const std::uint8_t* data, std::size_t size);
// The `:name` scanner that rewrites SQL parameters to `?` (data::bindNames).
int sqlNames(const std::uint8_t* data, std::size_t size);
// A picture file: the template's PNG/JPEG check (tmpl::findImage), the PDF renderer's loader
// (libpng decoding, the JPEG frame header check, libharu) and the XLSX size reader.
int image(const std::uint8_t* data, std::size_t size);

struct Target {
    const char* name;  // as in fuzz/fuzz_<name>.cpp, fuzz/corpus/<name>/, tests/data/fuzz/<name>/
    TargetFn run;
};
const std::vector<Target>& targets();

}  // namespace gp::fuzz
