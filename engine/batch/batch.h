// Batches: one document set per record of a query (bursting), in parallel, resumable and
// impossible to corrupt. Named in reports.ini as [batch.NAME].
#pragma once

#include <atomic>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "config/config.h"

namespace gp::batch {

struct BatchSpec {
    std::string name;
    std::string query;                   // selects the records; must return an `id` column
    std::vector<std::string> templates;  // template names
    std::vector<std::string> formats = {"pdf", "xlsx"};
    // Output path per record and template, relative to the batch folder, without extension:
    // placeholders are the query's columns (and {template}), each made safe for a file name.
    std::string output = "{id}/{template}";
    std::string package;   // zip path pattern per record (".zip" added); empty: no package
    std::string schedule;  // cron expression; empty: on demand only
    int workers = 1;
    bool catchUp = false;  // a run missed while the scheduler was down runs once at start
    std::string source;    // data source name; empty: the default
    std::string where;     // "reports.ini:42" for messages
};

// The [batch.NAME] sections of the configuration, validated.
std::vector<BatchSpec> batches(const config::Config& cfg);
const BatchSpec& findBatch(const std::vector<BatchSpec>& all, const std::string& name);

struct RunOptions {
    std::map<std::string, std::string> params;  // bound into the batch query and templates
    int workers = 0;                            // 0: the batch's own setting
    bool force = false;                         // redo everything, even unchanged documents
    int shard = 1, shards = 1;                  // take records i with i % shards == shard - 1
    bool quiet = false;                         // no progress output
    std::filesystem::path outDir;               // empty: <output>/<batch name>
    std::ostream* log = nullptr;                // progress and failures (stderr when null)
    const std::atomic<bool>* stop = nullptr;    // set by a signal: finish in-flight records, then stop
    std::function<std::time_t()> now;           // clock (tests inject one); default: time()
};

struct RunSummary {
    std::size_t total = 0, done = 0, skipped = 0, failed = 0, notRun = 0;
    std::filesystem::path manifest;
    std::string status;  // "complete", "failed", "stopped"
};

// Runs the batch. Record failures are counted and reported, never thrown; configuration,
// template and data-source errors that stop the whole batch throw gp::Error.
RunSummary run(const config::Config& cfg, const BatchSpec& spec, const RunOptions& options);

}  // namespace gp::batch
