// `grantpress schedule`: runs each batch when its cron expression falls due, never two runs
// of one batch at once; on stop (SIGTERM/SIGINT) lets running batches finish the documents
// in flight and write their manifests, then returns. On reload (SIGHUP) it rereads
// reports.ini without touching a batch in flight; a broken file keeps the configuration it
// has and says why.
#pragma once

#include <atomic>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>

#include "batch/batch.h"
#include "core/error.h"

namespace gp::batch {

struct ScheduleOptions {
    std::map<std::string, std::string> params;  // --param: override every batch's param.NAME
    std::function<std::time_t()> now;           // clock; default time()
    const std::atomic<bool>* stop = nullptr;    // set by SIGTERM/SIGINT
    // Set by SIGHUP: the scheduler clears it and calls `reloadConfig`.
    std::atomic<bool>* reload = nullptr;
    std::function<config::Config()> reloadConfig;
    bool once = false;  // run what is due now (and missed runs), wait for them, return
    std::ostream* log = nullptr;
    // Lines for journald (systemd sets JOURNAL_STREAM): "<6>text" priorities and no time
    // stamp of our own; else "[YYYY-MM-DD HH:MM] text".
    bool journal = false;
};

struct ScheduleResult {
    int runs = 0;
    int failed = 0;   // runs with failed records, or that could not run at all
    int stopped = 0;  // runs stopped by a signal before every record was rendered
    std::optional<ErrorKind> firstError;  // the kind of the first run that could not run
};

// Runs scheduled batches until stopped (or, with `once`, what is due now). Every run is
// recorded in the history with its outcome and alerted as its batch says (batch/supervise.h).
ScheduleResult schedule(const config::Config& cfg, const ScheduleOptions& options);

}  // namespace gp::batch
