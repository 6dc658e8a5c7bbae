// Helpers shared by the unit tests: a per-test temporary folder, reading files, running the
// external programs that read our output back (pdftotext, qpdf, python3 with openpyxl and
// the check_*.py scripts next to this file), model cells, and a monospace line breaker.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/value.h"
#include "model/document.h"
#include "pdf/text_layout.h"

namespace gp::test {

namespace fs = std::filesystem;

// A fresh folder named after the running test, removed afterwards.
class TempDir {
public:
    explicit TempDir(const std::string& prefix) {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ = fs::temp_directory_path() /
                (prefix + "-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

inline std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// 'text' quoted for /bin/sh.
inline std::string shellQuote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

struct Output {
    int status = -1;
    std::string text;
};

// Runs a shell command and captures its standard output (and standard error when asked).
inline Output run(const std::string& command, bool withStderr) {
    Output out;
    FILE* pipe = popen((command + (withStderr ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
    if (!pipe) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.text.append(buf, n);
    const int status = pclose(pipe);
    out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

// A Python that has openpyxl: $GP_PYTHON, else the system one (a pyenv `python3` first in
// PATH often lacks Debian's python3-openpyxl), else whatever `python3` is; empty when none has it.
inline std::string pythonWithOpenpyxl() {
    std::vector<std::string> candidates;
    if (const char* env = std::getenv("GP_PYTHON")) candidates.emplace_back(env);
    candidates.emplace_back("/usr/bin/python3");
    candidates.emplace_back("python3");
    for (const std::string& python : candidates) {
        std::string probe = shellQuote(python) + " -c 'import openpyxl' >/dev/null 2>&1";
        if (std::system(probe.c_str()) == 0) return python;
    }
    return {};  // none: callers report it
}

// Runs tests/unit/`script` with pythonWithOpenpyxl() and `args` (already quoted); its exit
// status, or -1 (and a test failure) when there is no such Python.
inline int runScript(const std::string& script, const std::string& args) {
    const std::string python = pythonWithOpenpyxl();
    if (python.empty()) {
        ADD_FAILURE() << "no python3 with openpyxl found (set GP_PYTHON)";
        return -1;
    }
    const std::string command =
        shellQuote(python) + " " + shellQuote(std::string(GP_SOURCE_DIR) + "/tests/unit/" + script) + " " + args;
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// ----- model cells --------------------------------------------------------------------

inline model::Cell cell(Value value, model::Format format, std::string text, int decimals = 2) {
    model::Cell c;
    c.value = std::move(value);
    c.format = format;
    c.text = std::move(text);
    c.decimals = decimals;
    return c;
}
inline model::Cell text(std::string s) { return cell(s, model::Format::Text, s); }
inline model::Cell integer(std::int64_t v) { return cell(v, model::Format::Integer, std::to_string(v)); }

// ----- the line breaker with every character 1 pt wide (widths are character counts) ----

inline const pdf::Advance kMono = [](char32_t) { return 1.0; };

inline std::vector<std::u32string> runsOf(const pdf::Line& line) {
    std::vector<std::u32string> out;
    for (const auto& r : line.runs) out.push_back(r.text);
    return out;
}

}  // namespace gp::test
