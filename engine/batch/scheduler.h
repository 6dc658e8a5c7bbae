// `grantpress schedule`: runs each batch when its cron expression falls due, never two runs
// of one batch at once; on stop (SIGTERM/SIGINT) lets running batches finish the documents
// in flight and write their manifests, then returns.
#pragma once

#include <atomic>
#include <ctime>
#include <functional>
#include <ostream>

#include "batch/batch.h"

namespace gp::batch {

struct ScheduleOptions {
    std::function<std::time_t()> now;  // clock; default time()
    // Waits until `until` or until `stop` is set; default: sleeps in short steps.
    std::function<void(std::time_t until, const std::atomic<bool>& stop)> waitUntil;
    const std::atomic<bool>* stop = nullptr;
    bool once = false;  // run what is due now (and missed runs), wait for them, return
    std::ostream* log = nullptr;
};

// Returns the number of runs that had failed records.
int schedule(const config::Config& cfg, const ScheduleOptions& options);

}  // namespace gp::batch
