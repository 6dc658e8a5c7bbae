// The run history of batches, kept in a local SQLite file beside the outputs: every run with
// its outcome and why (failed record ids with their first errors, counts, the parameters it
// used, the manifest, notifications that could not be sent).
#pragma once

#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "batch/batch.h"

namespace gp::batch {

struct RunRecord {
    std::int64_t id = 0;  // given by add()
    std::string batch;
    std::string trigger;  // "manual", "schedule", "catch-up"
    std::time_t started = 0, finished = 0;
    std::size_t total = 0, done = 0, skipped = 0, failed = 0, notRun = 0;
    std::string status;  // "complete", "failed", "stopped", "error" (the batch could not run)
    std::string reason;  // one line; empty when complete
    std::string source;
    std::map<std::string, std::string> params;
    std::vector<std::pair<std::string, std::string>> failures;  // the first ones: record id, error
    std::string manifest;
    std::vector<std::string> notifyProblems;  // alerts that could not be sent
};

class History {
public:
    // Opens (creating when missing, upgrading an older file) the history; throws
    // gp::Error(Output) naming it.
    explicit History(const std::filesystem::path& file);
    ~History();
    History(const History&) = delete;
    History& operator=(const History&) = delete;

    // Stores the run (at most kFailuresKept failures); returns its id.
    std::int64_t add(const RunRecord& r);
    std::vector<RunRecord> recent(std::size_t limit) const;
    std::optional<RunRecord> get(std::int64_t id) const;
    std::optional<std::time_t> lastStart(const std::string& batch) const;

    static std::filesystem::path defaultPath(const config::Config& cfg);
    static constexpr std::size_t kFailuresKept = 20;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gp::batch
