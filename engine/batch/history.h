// The run history of batches, kept in a local SQLite file beside the outputs.
#pragma once

#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "batch/batch.h"

namespace gp::batch {

struct RunRecord {
    std::string batch;
    std::string trigger;  // "manual", "schedule", "catch-up"
    std::time_t started = 0, finished = 0;
    std::size_t total = 0, done = 0, skipped = 0, failed = 0;
    std::string status;
};

class History {
public:
    // Opens (creating when missing) the history file; throws gp::Error(Output) naming it.
    explicit History(const std::filesystem::path& file);
    ~History();
    History(const History&) = delete;
    History& operator=(const History&) = delete;

    void add(const RunRecord& r);
    std::vector<RunRecord> recent(std::size_t limit) const;
    std::optional<std::time_t> lastStart(const std::string& batch) const;

    static std::filesystem::path defaultPath(const config::Config& cfg);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gp::batch
