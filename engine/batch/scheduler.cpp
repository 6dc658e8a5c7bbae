#include "batch/scheduler.h"

#include <chrono>
#include <functional>
#include <streambuf>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "batch/cron.h"
#include "core/time_stamp.h"
#include "batch/history.h"
#include "batch/supervise.h"
#include "core/error.h"

namespace gp::batch {
namespace {


// A run's log (failed records, alerts not sent): each whole line is written at once under
// the scheduler's log lock, after a prefix (a time stamp, or a journal priority), so lines of
// batches running side by side never interleave.
class LineLog : public std::streambuf {
public:
    LineLog(std::ostream& out, std::mutex& mutex, std::function<std::string()> prefix)
        : out_(out), mutex_(mutex), prefix_(std::move(prefix)) {}
    ~LineLog() override {
        if (!line_.empty()) emit();
    }

protected:
    int_type overflow(int_type c) override {
        if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
        line_ += traits_type::to_char_type(c);
        if (c == '\n') emit();
        return c;
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        for (std::streamsize i = 0; i < n; ++i) overflow(traits_type::to_int_type(s[i]));
        return n;
    }

private:
    void emit() {
        if (line_.back() != '\n') line_ += '\n';
        std::lock_guard lock(mutex_);
        out_ << prefix_() << line_ << std::flush;
        line_.clear();
    }
    std::ostream& out_;
    std::mutex& mutex_;
    std::function<std::string()> prefix_;
    std::string line_;
};

// A scheduled batch of one configuration.
struct Entry {
    BatchSpec spec;
    Cron cron;
    std::time_t nextDue = 0;
};

// The runs of one batch name, kept across reloads so a batch never runs twice at once.
struct Slot {
    std::thread thread;
    std::atomic<bool> running{false};
};

std::vector<Entry> scheduled(const config::Config& cfg) {
    std::vector<Entry> entries;
    for (auto& spec : batches(cfg)) {
        if (spec.schedule.empty()) continue;
        Entry e;
        e.cron = Cron::parse(spec.schedule, spec.where);
        e.spec = std::move(spec);
        entries.push_back(std::move(e));
    }
    if (entries.empty())
        throw Error(ErrorKind::Config, cfg.file.string() +
                                           ": no batch has a schedule: add schedule = MIN HOUR DAY MONTH WEEKDAY to a [batch.NAME]");
    return entries;
}

// The one line the log gets when a run ends.
std::string outcomeLine(const std::string& batch, const RunRecord& r) {
    std::string line = "batch " + batch + " " + r.status;
    if (r.status != "error")
        line += ": " + std::to_string(r.done) + " done, " + std::to_string(r.skipped) + " skipped, " +
                std::to_string(r.failed) + " failed, " + std::to_string(r.notRun) + " not run";
    if (!r.reason.empty()) line += " (" + r.reason + ")";
    if (!r.manifest.empty()) line += "; manifest " + r.manifest;
    if (r.id) line += "; run " + std::to_string(r.id);
    return line;
}

// Counts a finished run into the scheduler's result.
void tally(ScheduleResult& result, const Outcome& outcome) {
    const std::string& status = outcome.record.status;
    ++result.runs;
    if (status == "failed" || status == "error") ++result.failed;
    if (status == "stopped") ++result.stopped;
    if (outcome.errorKind && !result.firstError) result.firstError = outcome.errorKind;
}

// Rereads the configuration (SIGHUP): the new schedule replaces the old one only when the new
// file is valid; runs in flight keep the configuration they started with.
template <typename Say>
void reloadSchedule(const std::function<config::Config()>& read, std::time_t t,
                    std::shared_ptr<const config::Config>& cfg, std::vector<Entry>& entries, Say& say) {
    try {
        auto next = std::make_shared<const config::Config>(read());
        std::vector<Entry> planned = scheduled(*next);
        for (auto& e : planned) e.nextDue = e.cron.next(t);
        entries = std::move(planned);
        cfg = next;
        say("configuration reloaded from " + cfg->file.string() + ": " + std::to_string(entries.size()) +
                " scheduled batch(es); batches in flight go on with the previous one",
            6);
        for (auto& e : entries) say("batch " + e.spec.name + " next at " + localStamp(e.nextDue, false), 6);
    } catch (const std::exception& ex) {
        say(std::string("configuration not reloaded, the previous one stays in force: ") + ex.what(), 3);
    }
}

}  // namespace

ScheduleResult schedule(const config::Config& initial, const ScheduleOptions& options) {
    auto now = options.now ? options.now : [] { return std::time(nullptr); };
    std::atomic<bool> never{false};
    const std::atomic<bool>& stop = options.stop ? *options.stop : never;
    std::atomic<bool>& reload = options.reload ? *options.reload : never;
    std::ostream& log = options.log ? *options.log : std::cerr;
    std::mutex logMutex;
    // priority: syslog's 6 info, 4 warning, 3 error
    auto say = [&](const std::string& line, int priority = 6) {
        std::lock_guard lock(logMutex);
        if (options.journal) log << "<" << priority << ">" << line << "\n" << std::flush;
        else log << "[" << localStamp(now(), false) << "] " << line << "\n" << std::flush;
    };

    auto cfg = std::make_shared<const config::Config>(initial);
    std::vector<Entry> entries = scheduled(*cfg);
    std::map<std::string, std::unique_ptr<Slot>> slots;
    History history(History::defaultPath(*cfg));
    ScheduleResult result;
    std::mutex resultMutex;

    auto launch = [&](const Entry& e, const std::string& trigger) {
        auto& slot = slots[e.spec.name];
        if (!slot) slot = std::make_unique<Slot>();
        if (slot->running.load()) {
            say("batch " + e.spec.name + " is still running: this run is skipped", 4);
            return;
        }
        if (slot->thread.joinable()) slot->thread.join();
        slot->running = true;
        say("batch " + e.spec.name + " starts (" + trigger + ")");
        // The run keeps the configuration it started with, whatever a reload brings.
        slot->thread = std::thread([&, trigger, spec = e.spec, runCfg = cfg, running = &slot->running] {
            LineLog lines(log, logMutex, [&] { return options.journal ? std::string("<3>") : "[" + localStamp(now(), false) + "] "; });
            std::ostream runLog(&lines);
            RunOptions ro;
            ro.params = options.params;
            ro.quiet = true;  // only failed records reach the log
            ro.stop = &stop;
            ro.now = now;
            ro.log = &runLog;
            const Outcome outcome = runRecorded(*runCfg, spec, ro, trigger, runLog);
            say(outcomeLine(spec.name, outcome.record), outcome.record.status == "complete" ? 6 : 3);
            {
                std::lock_guard lock(resultMutex);
                tally(result, outcome);
            }
            *running = false;
        });
    };

    const std::time_t start = now();
    say("scheduler started: " + std::to_string(entries.size()) + " scheduled batch(es)");
    for (auto& e : entries) {
        // A run missed while the scheduler was down: the last due time after the last run.
        auto last = history.lastStart(e.spec.name);
        if (e.spec.catchUp && last && e.cron.next(*last) <= start) launch(e, "catch-up");
        else if (options.once && e.cron.matches(start)) launch(e, "schedule");
        e.nextDue = e.cron.next(start);
        say("batch " + e.spec.name + " next at " + localStamp(e.nextDue, false));
    }
    while (!options.once && !stop.load()) {
        std::time_t due = entries.front().nextDue;
        for (auto& e : entries) due = std::min(due, e.nextDue);
        while (!stop.load() && !reload.load() && now() < due) std::this_thread::sleep_for(std::chrono::milliseconds(200));
        if (stop.load()) break;
        if (reload.exchange(false)) {
            if (!options.reloadConfig) continue;
            reloadSchedule(options.reloadConfig, now(), cfg, entries, say);
            continue;
        }
        const std::time_t t = now();
        for (auto& e : entries) {
            if (e.nextDue > t) continue;
            launch(e, "schedule");
            e.nextDue = e.cron.next(t);
        }
    }
    if (stop.load()) say("stopping: letting running batches finish the documents in flight");
    for (auto& [name, slot] : slots)
        if (slot->thread.joinable()) slot->thread.join();
    say("scheduler stopped");
    return result;
}

}  // namespace gp::batch
