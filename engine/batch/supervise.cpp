#include "batch/supervise.h"

#include "batch/notify.h"

namespace gp::batch {

Outcome runRecorded(const config::Config& cfg, const BatchSpec& spec, const RunOptions& options,
                    const std::string& trigger, std::ostream& log) {
    Outcome out;
    RunRecord& rec = out.record;
    rec.batch = spec.name;
    rec.trigger = trigger;
    auto now = options.now ? options.now : [] { return std::time(nullptr); };
    rec.started = now();
    try {
        out.summary = run(cfg, spec, options);
        const RunSummary& s = out.summary;
        rec.total = s.total;
        rec.done = s.done;
        rec.skipped = s.skipped;
        rec.failed = s.failed;
        rec.notRun = s.notRun;
        rec.status = statusName(s.status);  // the history also knows "error": the run did not start
        rec.reason = s.reason;
        rec.source = s.source;
        rec.params = s.params;
        rec.failures = s.failures;
        rec.manifest = s.manifest.string();
    } catch (const Error& e) {
        rec.status = "error";
        rec.reason = e.what();
        out.errorKind = e.kind();
    } catch (const std::exception& e) {
        rec.status = "error";
        rec.reason = std::string("internal error: ") + e.what();
        out.errorKind = ErrorKind::Render;
        out.internal = true;
    }
    rec.finished = now();

    RunReport report;
    report.batch = rec.batch;
    report.trigger = rec.trigger;
    report.status = rec.status;
    report.reason = rec.reason;
    report.started = rec.started;
    report.finished = rec.finished;
    report.total = rec.total;
    report.done = rec.done;
    report.skipped = rec.skipped;
    report.failed = rec.failed;
    report.notRun = rec.notRun;
    report.failures = rec.failures;
    report.params = rec.params;
    report.manifest = rec.manifest;
    rec.notifyProblems = notify(cfg, spec.notify, report);
    for (const auto& problem : rec.notifyProblems) log << "grantpress: alert not sent: " << problem << "\n";

    try {
        rec.id = History(History::defaultPath(cfg)).add(rec);
    } catch (const std::exception& e) {
        log << "grantpress: the run was not recorded: " << e.what() << "\n";
    }
    return out;
}

}  // namespace gp::batch
