#include "cli/batch_commands.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>

#include "batch/batch.h"
#include "batch/history.h"
#include "batch/manifest.h"
#include "batch/scheduler.h"
#include "core/error.h"

namespace gp::cli {
namespace {

std::atomic<bool> gStop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

extern "C" void onStopSignal(int) { gStop.store(true); }

std::string when(std::time_t t) {
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
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

int batchCommand(const config::Config& cfg, const std::string& name, const BatchFlags& flags) {
    const auto all = batch::batches(cfg);
    const batch::BatchSpec& spec = batch::findBatch(all, name);
    batch::RunOptions options;
    options.params = flags.params;
    options.workers = flags.workers;
    options.force = flags.force;
    std::tie(options.shard, options.shards) = parseShard(flags.shard);
    options.quiet = flags.quiet;
    options.outDir = flags.out;
    options.stop = &gStop;
    installStopHandlers();
    batch::RunRecord rec{spec.name, "manual", std::time(nullptr), 0, 0, 0, 0, 0, "error"};
    batch::RunSummary s;
    try {
        s = batch::run(cfg, spec, options);
    } catch (...) {
        rec.finished = std::time(nullptr);
        try {
            batch::History(batch::History::defaultPath(cfg)).add(rec);
        } catch (const Error&) {
        }
        throw;
    }
    rec = {spec.name, "manual", rec.started, std::time(nullptr), s.total, s.done, s.skipped, s.failed, s.status};
    batch::History(batch::History::defaultPath(cfg)).add(rec);
    std::cout << "batch " << spec.name << ": " << s.total << " records: " << s.done << " done, " << s.skipped
              << " skipped, " << s.failed << " failed";
    if (s.notRun) std::cout << ", " << s.notRun << " not run (stopped)";
    std::cout << "\nmanifest: " << s.manifest.string() << "\n";
    if (s.failed) std::cerr << "grantpress: " << s.failed << " record(s) failed: see the lines above and the manifest\n";
    return s.failed ? exitCodeFor(ErrorKind::Data) : 0;
}

int verifyCommand(const std::string& manifest) {
    std::size_t checked = 0;
    auto problems = batch::verify(manifest, &checked);
    for (const auto& p : problems) std::cout << p.path << ": " << p.problem << "\n";
    std::cout << checked << " files checked, " << problems.size() << " problem(s)\n";
    return problems.empty() ? 0 : exitCodeFor(ErrorKind::Data);
}

int scheduleCommand(const config::Config& cfg, const BatchFlags& flags) {
    batch::ScheduleOptions options;
    installStopHandlers();
    options.stop = &gStop;
    options.once = flags.once;
    options.log = &std::cout;
    if (!flags.now.empty()) {
        // A fixed clock that advances with real time from the given moment.
        const std::time_t base = parseNow(flags.now);
        const std::time_t started = std::time(nullptr);
        options.now = [base, started] { return base + (std::time(nullptr) - started); };
    }
    batch::schedule(cfg, options);
    return 0;
}

int runsCommand(const config::Config& cfg) {
    batch::History history(batch::History::defaultPath(cfg));
    for (const auto& r : history.recent(50))
        std::cout << when(r.started) << "  " << r.batch << "  " << r.trigger << "  " << r.status << "  " << r.total
                  << " records: " << r.done << " done, " << r.skipped << " skipped, " << r.failed << " failed  ("
                  << (r.finished - r.started) << " s)\n";
    return 0;
}

}  // namespace gp::cli
