#include "cli/batch_commands.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>

#include "batch/batch.h"
#include "batch/history.h"
#include "batch/manifest.h"
#include "batch/scheduler.h"
#include "batch/supervise.h"
#include "core/error.h"
#include "core/time_stamp.h"

namespace gp::cli {
namespace {

std::atomic<bool> gStop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

std::atomic<bool> gReload{false};

extern "C" void onStopSignal(int) { gStop.store(true); }
extern "C" void onReloadSignal(int) { gReload.store(true); }

// True when standard output is the journal's stream (systemd sets JOURNAL_STREAM=DEV:INODE).
bool stdoutIsJournal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    unsigned long long dev = 0, ino = 0;
    struct stat st {};
    if (!stream || std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2 || ::fstat(STDOUT_FILENO, &st) != 0) return false;
    return static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino;
}


std::pair<int, int> parseShard(const std::string& s) {
    int k = 0, n = 0;
    char tail = 0;
    if (s.empty()) return {1, 1};
    if (std::sscanf(s.c_str(), "%d/%d%c", &k, &n, &tail) != 2 || n < 1 || k < 1 || k > n)
        throw Error(ErrorKind::Usage, "--shard " + s + ": write K/N with 1 <= K <= N, e.g. --shard 2/4");
    return {k, n};
}

// "2026-01-05 06:00" in local time.
std::time_t parseNow(const std::string& s) {
    std::tm tm{};
    int y, mo, d, h, mi;
    char tail = 0;
    if (std::sscanf(s.c_str(), "%d-%d-%d %d:%d%c", &y, &mo, &d, &h, &mi, &tail) != 5 &&
        std::sscanf(s.c_str(), "%d-%d-%dT%d:%d%c", &y, &mo, &d, &h, &mi, &tail) != 5)
        throw Error(ErrorKind::Usage, "--now " + s + ": write 'YYYY-MM-DD HH:MM'");
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_isdst = -1;
    return std::mktime(&tm);
}

}  // namespace

void installStopHandlers() {
    struct sigaction sa {};
    sa.sa_handler = onStopSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

namespace {

constexpr int kExitStopped = 75;  // EX_TEMPFAIL: stopped by a signal; running again finishes it

// The exit code of a run: 0 only when it is complete.
int exitCodeOf(const batch::Outcome& o) {
    if (o.internal) return 70;
    if (o.errorKind) return exitCodeFor(*o.errorKind);
    if (o.record.status == "complete") return 0;
    if (o.summary.diskFull) return exitCodeFor(ErrorKind::Output);
    if (o.record.status == "stopped") return kExitStopped;
    return exitCodeFor(ErrorKind::Data);
}

std::function<std::time_t()> clockFrom(const std::string& now) {
    if (now.empty()) return {};
    // A clock that advances with real time from the given moment.
    const std::time_t base = parseNow(now);
    const std::time_t started = std::time(nullptr);
    return [base, started] { return base + (std::time(nullptr) - started); };
}

std::string paramsLine(const std::map<std::string, std::string>& params) {
    std::string out;
    for (const auto& [k, v] : params) out += (out.empty() ? "" : ", ") + k + "=" + v;
    return out;
}

}  // namespace

int batchCommand(const config::Config& cfg, const std::string& name, const BatchFlags& flags) {
    const auto all = batch::batches(cfg);
    const batch::BatchSpec& spec = batch::findBatch(all, name);
    batch::RunOptions options;
    options.params = flags.params;
    options.source = flags.source;
    options.workers = flags.workers;
    options.force = flags.force;
    std::tie(options.shard, options.shards) = parseShard(flags.shard);
    options.quiet = flags.quiet;
    options.outDir = flags.out;
    options.stop = &gStop;
    options.now = clockFrom(flags.now);
    installStopHandlers();
    const batch::Outcome o = batch::runRecorded(cfg, spec, options, "manual", std::cerr);
    const batch::RunRecord& r = o.record;
    const std::string run = r.id ? " (run " + std::to_string(r.id) + ": grantpress runs --show " + std::to_string(r.id) + ")" : "";
    if (o.errorKind) {
        std::cerr << "grantpress: error: " << r.reason << "\n";
        if (*o.errorKind == ErrorKind::Usage) std::cerr << "Run 'grantpress --help' for usage.\n";
        std::cerr << "grantpress: batch " << spec.name << " did not run" << run << "\n";
        return exitCodeOf(o);
    }
    const batch::RunSummary& s = o.summary;
    std::cout << "batch " << spec.name << ": " << s.total << " records: " << s.done << " done, " << s.skipped
              << " skipped, " << s.failed << " failed";
    if (s.notRun) std::cout << ", " << s.notRun << " not run (stopped)";
    std::cout << "\n";
    if (s.packages)
        std::cout << "packages: " << s.packages << ", " << s.packagesNotWritten << " not written\n";
    if (!s.params.empty()) std::cout << "parameters: " << paramsLine(s.params) << "\n";
    std::cout << "status: " << batch::statusName(s.status) << "\nmanifest: " << s.manifest.string() << "\n";
    if (r.id) std::cout << "run: " << r.id << "\n";
    if (s.status == batch::RunStatus::Failed)
        std::cerr << "grantpress: batch " << spec.name << " failed: " << s.reason << run << "\n";
    else if (s.status == batch::RunStatus::Stopped)
        std::cerr << "grantpress: batch " << spec.name << " stopped: " << s.reason
                  << "; run it again to finish (unchanged documents are skipped)" << run << "\n";
    return exitCodeOf(o);
}

int verifyCommand(const std::string& manifest) {
    const auto result = batch::verify(manifest);
    for (const auto& p : result.problems) std::cout << p.path << ": " << p.problem << "\n";
    std::cout << result.checked << " files checked, " << result.problems.size() << " problem(s)\n";
    if (!result.incomplete.empty()) std::cout << "incomplete: " << result.incomplete << "\n";
    return result.problems.empty() && result.incomplete.empty() ? 0 : exitCodeFor(ErrorKind::Data);
}

int scheduleCommand(const config::Config& cfg, const BatchFlags& flags) {
    batch::ScheduleOptions options;
    installStopHandlers();
    options.stop = &gStop;
    options.once = flags.once;
    options.log = &std::cout;
    options.params = flags.params;
    options.now = clockFrom(flags.now);
    options.journal = stdoutIsJournal();
    struct sigaction sa {};
    sa.sa_handler = onReloadSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, nullptr);
    options.reload = &gReload;
    options.reloadConfig = [file = cfg.file] { return config::Config::load(file); };
    const batch::ScheduleResult r = batch::schedule(cfg, options);
    if (!flags.once) return 0;  // a service stopped by SIGTERM: each run's outcome is in `grantpress runs`
    if (r.failed) {
        std::cerr << "grantpress: " << r.failed << " of " << r.runs << " scheduled run(s) failed: see grantpress runs\n";
        return r.firstError ? exitCodeFor(*r.firstError) : exitCodeFor(ErrorKind::Data);
    }
    if (r.stopped) {
        std::cerr << "grantpress: " << r.stopped << " of " << r.runs << " scheduled run(s) stopped before the end\n";
        return kExitStopped;
    }
    return 0;
}

namespace {

std::string counts(const batch::RunRecord& r) {
    std::string out = std::to_string(r.total) + " records: " + std::to_string(r.done) + " done, " +
                      std::to_string(r.skipped) + " skipped, " + std::to_string(r.failed) + " failed";
    if (r.notRun) out += ", " + std::to_string(r.notRun) + " not run";
    return out;
}

}  // namespace

int runsCommand(const config::Config& cfg, const std::string& show) {
    batch::History history(batch::History::defaultPath(cfg));
    if (!show.empty()) {
        long long id = 0;
        char tail = 0;
        if (std::sscanf(show.c_str(), "%lld%c", &id, &tail) != 1 || id < 1)
            throw Error(ErrorKind::Usage, "--show " + show + ": give a run number from 'grantpress runs'");
        const auto r = history.get(id);
        if (!r) throw Error(ErrorKind::Usage, "--show " + show + ": no such run in " + batch::History::defaultPath(cfg).string());
        std::cout << "run " << r->id << "\nbatch: " << r->batch << "\ntrigger: " << r->trigger
                  << "\nstarted: " << localStamp(r->started) << "\nfinished: " << localStamp(r->finished) << " ("
                  << (r->finished - r->started) << " s)\nstatus: " << r->status << "\n";
        if (!r->reason.empty()) std::cout << "reason: " << r->reason << "\n";
        if (r->status != "error") std::cout << "records: " << counts(*r) << "\n";
        if (!r->source.empty()) std::cout << "source: " << r->source << "\n";
        if (!r->params.empty()) std::cout << "parameters: " << paramsLine(r->params) << "\n";
        if (!r->manifest.empty()) std::cout << "manifest: " << r->manifest << "\n";
        if (!r->failures.empty()) {
            std::cout << "failed records";
            if (r->failed > r->failures.size()) std::cout << " (the first " << r->failures.size() << " of " << r->failed << ")";
            std::cout << ":\n";
            for (const auto& [key, error] : r->failures) std::cout << "  " << key << ": " << error << "\n";
        }
        for (const auto& p : r->notifyProblems) std::cout << "alert not sent: " << p << "\n";
        return 0;
    }
    for (const auto& r : history.recent(50)) {
        std::cout << r.id << "  " << localStamp(r.started) << "  " << r.batch << "  " << r.trigger << "  " << r.status;
        if (r.status != "error") std::cout << "  " << counts(r);
        std::cout << "  (" << (r.finished - r.started) << " s)";
        if (!r.reason.empty()) {
            std::string reason = r.reason.size() > 160 ? r.reason.substr(0, 157) + "…" : r.reason;
            std::cout << "  " << reason;
        }
        std::cout << "\n";
    }
    return 0;
}

}  // namespace gp::cli
