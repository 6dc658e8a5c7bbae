#include "batch/scheduler.h"

#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "batch/cron.h"
#include "batch/history.h"
#include "core/error.h"

namespace gp::batch {
namespace {

std::string stamp(std::time_t t) {
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

}  // namespace

int schedule(const config::Config& cfg, const ScheduleOptions& options) {
    auto now = options.now ? options.now : [] { return std::time(nullptr); };
    std::atomic<bool> neverStop{false};
    const std::atomic<bool>& stop = options.stop ? *options.stop : neverStop;
    auto waitUntil = options.waitUntil ? options.waitUntil : [](std::time_t until, const std::atomic<bool>& s) {
        while (!s.load() && std::time(nullptr) < until) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    };
    std::ostream& log = options.log ? *options.log : std::cerr;
    std::mutex logMutex;
    auto say = [&](const std::string& line) {
        std::lock_guard lock(logMutex);
        log << "[" << stamp(now()) << "] " << line << "\n" << std::flush;
    };

    struct Entry {
        BatchSpec spec;
        Cron cron;
        std::time_t nextDue = 0;
        std::thread thread;
        std::atomic<bool> running{false};
    };
    std::vector<std::unique_ptr<Entry>> entries;
    for (auto& spec : batches(cfg)) {
        if (spec.schedule.empty()) continue;
        auto e = std::make_unique<Entry>();
        e->cron = Cron::parse(spec.schedule, spec.where);
        e->spec = std::move(spec);
        entries.push_back(std::move(e));
    }
    if (entries.empty())
        throw Error(ErrorKind::Config, cfg.file.string() + ": no batch has a schedule: add schedule = MIN HOUR DAY MONTH WEEKDAY to a [batch.NAME]");

    History history(History::defaultPath(cfg));
    std::atomic<int> failedRuns{0};

    auto launch = [&](Entry& e, const std::string& trigger) {
        if (e.running.load()) {
            say("batch " + e.spec.name + " is still running: this run is skipped");
            return;
        }
        if (e.thread.joinable()) e.thread.join();
        e.running = true;
        say("batch " + e.spec.name + " starts (" + trigger + ")");
        e.thread = std::thread([&, trigger, entry = &e] {
            RunRecord rec{entry->spec.name, trigger, now(), 0, 0, 0, 0, 0, "error"};
            try {
                RunOptions ro;
                ro.quiet = true;
                ro.stop = &stop;
                ro.now = now;
                ro.log = &log;
                RunSummary s = run(cfg, entry->spec, ro);
                rec.total = s.total;
                rec.done = s.done;
                rec.skipped = s.skipped;
                rec.failed = s.failed;
                rec.status = s.status;
                say("batch " + entry->spec.name + " " + s.status + ": " + std::to_string(s.done) + " done, " +
                    std::to_string(s.skipped) + " skipped, " + std::to_string(s.failed) + " failed; manifest " +
                    s.manifest.string());
                if (s.failed) ++failedRuns;
            } catch (const std::exception& ex) {
                ++failedRuns;
                say("batch " + entry->spec.name + " failed: " + ex.what());
            }
            rec.finished = now();
            try {
                history.add(rec);
            } catch (const std::exception& ex) {
                say(ex.what());
            }
            entry->running = false;
        });
    };

    const std::time_t start = now();
    say("scheduler started: " + std::to_string(entries.size()) + " scheduled batch(es)");
    for (auto& e : entries) {
        // A run missed while the scheduler was down: the last due time after the last run.
        auto last = history.lastStart(e->spec.name);
        if (e->spec.catchUp && last && e->cron.next(*last) <= start) launch(*e, "catch-up");
        else if (options.once && e->cron.matches(start)) launch(*e, "schedule");
        e->nextDue = e->cron.next(start);
        say("batch " + e->spec.name + " next at " + stamp(e->nextDue));
    }
    while (!options.once && !stop.load()) {
        std::time_t due = entries.front()->nextDue;
        for (auto& e : entries) due = std::min(due, e->nextDue);
        waitUntil(due, stop);
        if (stop.load()) break;
        const std::time_t t = now();
        for (auto& e : entries) {
            if (e->nextDue > t) continue;
            launch(*e, "schedule");
            e->nextDue = e->cron.next(t);
        }
    }
    if (stop.load()) say("stopping: letting running batches finish the documents in flight");
    for (auto& e : entries)
        if (e->thread.joinable()) e->thread.join();
    say("scheduler stopped");
    return failedRuns.load();
}

}  // namespace gp::batch
