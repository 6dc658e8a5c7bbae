// One batch run as an operator sees it: run, alert, record. Used by `grantpress batch` and by
// the scheduler, so a run started by hand and a scheduled one end the same way: the outcome
// with its reason in the run history, alerts sent when due, nothing reported as done that
// was not.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "batch/batch.h"
#include "batch/history.h"
#include "core/error.h"

namespace gp::batch {

struct Outcome {
    RunRecord record;                    // as stored in the history (record.status tells the outcome)
    RunSummary summary;                  // when the batch ran
    std::optional<ErrorKind> errorKind;  // why it could not run; internal errors: ErrorKind::Render
    bool internal = false;               // an unexpected exception (a bug), not a gp::Error
};

// Runs `spec`, then sends its alerts (a failed alert is logged and recorded, never changes
// the outcome), then records the run in the history (a history that cannot be written is
// logged). Never throws for the batch's own failures: they are in the outcome.
Outcome runRecorded(const config::Config& cfg, const BatchSpec& spec, const RunOptions& options,
                    const std::string& trigger, std::ostream& log);

}  // namespace gp::batch
