// The batch commands of the CLI: batch, verify, schedule, runs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/config.h"

namespace gp::cli {

struct BatchFlags {
    std::map<std::string, std::string> params;
    int workers = 0;
    bool force = false;
    std::string shard;  // "K/N"
    bool quiet = false;
    std::string now;    // "YYYY-MM-DD HH:MM" (local time): the scheduler's clock, for tests and dry runs
    bool once = false;
    std::string out;
    std::string source;  // data source: overrides the batch's own
};

// Installs SIGINT/SIGTERM handlers that ask running batches to stop after the documents in flight.
void installStopHandlers();

// Exit codes: 0 complete, 65 failed records (or a package not written), 75 stopped by a
// signal, else the error kind's code when the batch could not run.
int batchCommand(const config::Config& cfg, const std::string& name, const BatchFlags& flags);
int verifyCommand(const std::string& manifest);
int scheduleCommand(const config::Config& cfg, const BatchFlags& flags);
int runsCommand(const config::Config& cfg, const std::string& show);

}  // namespace gp::cli
