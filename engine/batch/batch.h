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

#include "batch/manifest.h"
#include "batch/notify.h"
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
    // param.NAME = VALUE keys, in name order: VALUE may compute from the run's clock
    // ({now.year - 1}, {prev_quarter.quarter}; batch/params.h); --param overrides them.
    std::vector<std::pair<std::string, std::string>> params;
    NotifySpec notify;     // notify = mailto:…, https://…; notify_on = failure | always
    std::string where;     // "reports.ini:42" for messages
    std::map<std::string, std::string> keyWhere;  // key -> "reports.ini:43"
};

// The [batch.NAME] sections of the configuration, validated.
std::vector<BatchSpec> batches(const config::Config& cfg);
const BatchSpec& findBatch(const std::vector<BatchSpec>& all, const std::string& name);

struct RunOptions {
    std::map<std::string, std::string> params;  // override the batch's param.NAME values
    std::string source;                         // data source name: overrides the batch's `source`
    int workers = 0;                            // 0: the batch's own setting
    bool force = false;                         // redo everything, even unchanged documents
    int shard = 1, shards = 1;                  // take records i with i % shards == shard - 1
    bool quiet = false;                         // no progress output
    std::filesystem::path outDir;               // empty: <output>/<batch name>
    std::ostream* log = nullptr;                // progress and failures (stderr when null)
    const std::atomic<bool>* stop = nullptr;    // set by a signal: finish in-flight records, then stop
    std::function<std::time_t()> now;           // clock (tests inject one); default: time()
    // Called once the run has passed every check that stops a whole batch (parameters, the
    // query and its columns, output names, the folder lock) and is about to render: a caller
    // that runs the batch elsewhere can say "started" only then.
    std::function<void()> started;
};

struct RunSummary {
    std::size_t total = 0, done = 0, skipped = 0, failed = 0, notRun = 0;
    std::size_t packages = 0, packagesNotWritten = 0;
    std::filesystem::path manifest;
    RunStatus status = RunStatus::Stopped;
    bool diskFull = false;  // stopped because the batch folder's disk is full (an output error)
    std::string reason;  // one line: why it failed or stopped; empty when complete
    std::string source;  // the data source used (by name)
    std::map<std::string, std::string> params;                  // the values the run used
    std::vector<std::pair<std::string, std::string>> failures;  // record id, error (in query order)
};

// Runs the batch. Record failures are counted and reported, never thrown; configuration,
// template and data-source errors that stop the whole batch throw gp::Error before any
// document is written: among them a template parameter that neither the query's columns nor
// the batch parameters supply (ErrorKind::Template).
RunSummary run(const config::Config& cfg, const BatchSpec& spec, const RunOptions& options);

}  // namespace gp::batch
