#include "server/state.h"

#include <openssl/rand.h>

#include <algorithm>
#include <sstream>
#include <streambuf>

#include "batch/batch.h"
#include "batch/supervise.h"
#include "core/error.h"

namespace gp::server {

std::string randomToken(std::size_t bytes) {
    std::vector<unsigned char> raw(bytes);
    if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
        throw Error(ErrorKind::Render, "the system's random number generator failed");
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (unsigned char c : raw) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += kAlphabet[(buffer >> bits) & 0x3F];
        }
    }
    if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3F];
    return out;
}

// ----- sessions -----------------------------------------------------------------------------

std::string Sessions::create(const Identity& who, std::int64_t now) {
    std::string id = randomToken(32);
    std::lock_guard lock(mutex_);
    while (sessions_.size() >= kMax && !order_.empty()) {
        sessions_.erase(order_.front());
        order_.pop_front();
    }
    sessions_[id] = Session{who, randomToken(32), now + kIdle, now + kLongest};
    order_.push_back(id);
    return id;
}

std::optional<Sessions::Session> Sessions::find(const std::string& id, std::int64_t now) {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return std::nullopt;
    if (now >= it->second.expires || now >= it->second.deadline) {
        sessions_.erase(it);  // its id stays in order_ until the bound reaches it: harmless
        return std::nullopt;
    }
    it->second.expires = now + kIdle;
    return it->second;
}

void Sessions::remove(const std::string& id) {
    std::lock_guard lock(mutex_);
    sessions_.erase(id);
    std::erase(order_, id);  // signed out: its place in the bound is free again
}

// ----- the render gate ----------------------------------------------------------------------

bool RenderGate::enter(std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    if (active_ < workers_ && waiting_.empty()) {
        ++active_;
        return true;
    }
    if (static_cast<int>(waiting_.size()) >= queue_) return false;
    const std::uint64_t ticket = tickets_++;
    waiting_.push_back(ticket);
    const bool got =
        changed_.wait_for(lock, wait, [&] { return active_ < workers_ && waiting_.front() == ticket; });
    waiting_.erase(std::find(waiting_.begin(), waiting_.end(), ticket));
    if (got) ++active_;
    lock.unlock();
    changed_.notify_all();  // the next ticket may be at the front now
    return got;
}

void RenderGate::leave() {
    {
        std::lock_guard lock(mutex_);
        --active_;
    }
    changed_.notify_all();
}

std::pair<int, int> RenderGate::load() {
    std::lock_guard lock(mutex_);
    return {active_, static_cast<int>(waiting_.size())};
}

void RenderGate::drain() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return active_ == 0 && waiting_.empty(); });
}

// ----- batch runs ---------------------------------------------------------------------------

namespace {

// The lines a run logs, the last Runs::kMaxLines of them, readable while it writes.
class LineBuffer : public std::streambuf {
public:
    std::vector<std::string> lines() const {
        std::lock_guard lock(mutex_);
        std::vector<std::string> out(lines_.begin(), lines_.end());
        if (!partial_.empty()) out.push_back(partial_);
        return out;
    }

protected:
    int_type overflow(int_type c) override {
        if (c == traits_type::eof()) return traits_type::not_eof(c);
        std::lock_guard lock(mutex_);
        if (c == '\n') {
            lines_.push_back(std::move(partial_));
            partial_.clear();
            if (lines_.size() > Runs::kMaxLines) lines_.pop_front();
        } else if (c != '\r') {
            partial_ += static_cast<char>(c);
        }
        return c;
    }

private:
    mutable std::mutex mutex_;
    std::deque<std::string> lines_;
    std::string partial_;
};

}  // namespace

struct Runs::Active {
    std::string user;
    std::int64_t started = 0;
    std::atomic<bool> stop{false};
    std::atomic<bool> finished{false};
    LineBuffer buffer;
    std::ostream out{&buffer};
    std::thread thread;
    std::mutex mutex;  // guards the outcome and `started`
    std::condition_variable changed;
    bool begun = false;           // passed the checks (RunOptions::started)
    std::optional<Error> failed;  // why it ended before it started
    std::optional<std::int64_t> run;
    std::string status;
};

Runs::Runs(const config::Config& cfg, std::function<void(const std::string&)> say) : cfg_(cfg), say_(std::move(say)) {}

Runs::~Runs() { stopAll(); }

void Runs::start(const std::string& name, const std::map<std::string, std::string>& params, const std::string& user) {
    const std::vector<batch::BatchSpec> all = batch::batches(cfg_);
    const batch::BatchSpec& spec = batch::findBatch(all, name);  // Usage error when unknown
    std::unique_lock lock(mutex_);
    auto it = runs_.find(name);
    if (it != runs_.end() && !it->second->finished)
        throw Error(ErrorKind::Busy, "batch '" + name + "' is already running (started by " + it->second->user + ")");
    if (it != runs_.end() && it->second->thread.joinable()) it->second->thread.join();
    auto active = std::make_shared<Active>();
    active->user = user;
    active->started = static_cast<std::int64_t>(std::time(nullptr));
    batch::RunOptions options;
    options.params = params;
    options.log = &active->out;
    options.stop = &active->stop;
    options.started = [a = active.get()] {
        {
            std::lock_guard guard(a->mutex);
            a->begun = true;
        }
        a->changed.notify_all();
    };
    active->thread = std::thread([this, spec, options, active] {
        const batch::Outcome outcome = batch::runRecorded(cfg_, spec, options, "server", active->out);
        {
            std::lock_guard done(active->mutex);
            if (outcome.record.id > 0) active->run = outcome.record.id;
            active->status = outcome.record.status;
            if (!active->begun)
                active->failed = Error(outcome.errorKind.value_or(ErrorKind::Render),
                                       outcome.record.reason.empty() ? "the batch ended before it started"
                                                                     : outcome.record.reason);
        }
        active->changed.notify_all();
        say_("batch " + spec.name + ": " + outcome.record.status +
             (outcome.record.reason.empty() ? "" : " — " + outcome.record.reason));
        active->finished = true;
    });
    runs_[name] = active;
    lock.unlock();
    // Said "started" only once it has: a bad parameter or query is the caller's error now.
    std::unique_lock wait(active->mutex);
    active->changed.wait(wait, [&] { return active->begun || active->failed.has_value(); });
    if (active->failed) throw *active->failed;
}

bool Runs::stop(const std::string& batch) {
    std::lock_guard lock(mutex_);
    auto it = runs_.find(batch);
    if (it == runs_.end() || it->second->finished) return false;
    it->second->stop = true;
    return true;
}

std::optional<Runs::Progress> Runs::progress(const std::string& batch) const {
    std::lock_guard lock(mutex_);
    auto it = runs_.find(batch);
    if (it == runs_.end()) return std::nullopt;
    const Active& a = *it->second;
    Progress p;
    p.running = !a.finished;
    p.user = a.user;
    p.started = a.started;
    p.lines = a.buffer.lines();
    std::lock_guard done(it->second->mutex);
    p.run = a.run;
    p.status = a.status;
    return p;
}

bool Runs::running(const std::string& batch) const {
    std::lock_guard lock(mutex_);
    auto it = runs_.find(batch);
    return it != runs_.end() && !it->second->finished;
}

void Runs::stopAll() {
    std::map<std::string, std::shared_ptr<Active>> runs;
    {
        std::lock_guard lock(mutex_);
        for (auto& [name, active] : runs_) active->stop = true;
        runs = runs_;
    }
    for (auto& [name, active] : runs)
        if (active->thread.joinable()) active->thread.join();
}

}  // namespace gp::server
