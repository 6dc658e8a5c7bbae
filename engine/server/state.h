// The server's shared state apart from the accounts: signed-in sessions (with their CSRF
// tokens), the gate that bounds renders (a worker pool with a queue: beyond it, 503), and the
// batch runs started from the web page or the API (one at a time per batch, followed live,
// stopped on request or at shutdown).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "batch/history.h"
#include "config/config.h"
#include "server/accounts.h"

namespace gp::server {

// `bytes` random bytes (OpenSSL) as base64url without padding.
std::string randomToken(std::size_t bytes);

class Sessions {
public:
    struct Session {
        Identity who;
        std::string csrf;
        std::int64_t expires = 0;   // the idle limit, moved on by every request
        std::int64_t deadline = 0;  // the absolute limit
    };
    static constexpr std::int64_t kIdle = 60 * 60;         // an hour without a request ends it
    static constexpr std::int64_t kLongest = 12 * 60 * 60;  // a working day at most
    static constexpr std::size_t kMax = 10000;             // the oldest go first beyond this

    // A new session for `who`; returns its id (the cookie's value).
    std::string create(const Identity& who, std::int64_t now);
    std::optional<Session> find(const std::string& id, std::int64_t now);
    void remove(const std::string& id);

private:
    std::mutex mutex_;
    std::map<std::string, Session> sessions_;
    std::deque<std::string> order_;  // ids by creation, for the bound
};

// Renders in flight are at most `workers`; at most `queue` more wait for one, served in the
// order they came (a request never waits behind later ones: the latency's tail stays short). A
// request that finds the queue full, or waits longer than it may, is answered 503.
class RenderGate {
public:
    RenderGate(int workers, int queue) : workers_(workers), queue_(queue) {}
    bool enter(std::chrono::milliseconds wait);
    void leave();
    // Blocks until no render is in flight or waiting (shutdown: after the listener stopped).
    void drain();
    int workers() const { return workers_; }
    int queue() const { return queue_; }
    // Renders in flight and waiting, now (for /api/health).
    std::pair<int, int> load();

    // Holds a worker for its lifetime.
    class Slot {
    public:
        explicit Slot(RenderGate& gate) : gate_(gate) {}
        ~Slot() { gate_.leave(); }
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;

    private:
        RenderGate& gate_;
    };

private:
    const int workers_;
    const int queue_;
    std::mutex mutex_;
    std::condition_variable changed_;
    int active_ = 0;
    std::deque<std::uint64_t> waiting_;  // tickets, first come first
    std::uint64_t tickets_ = 0;
};

// Batch runs started through the server.
class Runs {
public:
    // `say`: one line for the server's log when a run ends (thread-safe: runs end on their own threads).
    Runs(const config::Config& cfg, std::function<void(const std::string&)> say);
    ~Runs();  // stops every run and waits for it
    Runs(const Runs&) = delete;
    Runs& operator=(const Runs&) = delete;

    // Starts [batch.NAME] in the background with `params` overriding its param.NAME values, and
    // returns once it has passed the checks that stop a whole batch (batch::RunOptions::started).
    // Throws what stopped it before that — gp::Error(Usage) for an unknown batch or a bad
    // parameter, Error(Busy) when it runs here or its folder is locked by another process, the
    // query's own errors — and then the failed attempt is in the history as usual.
    void start(const std::string& batch, const std::map<std::string, std::string>& params, const std::string& user);
    // Asks the batch's run to stop (documents in flight finish, the manifest is written);
    // false when it is not running.
    bool stop(const std::string& batch);
    struct Progress {
        bool running = false;
        std::string user;                 // who started it
        std::int64_t started = 0;
        std::vector<std::string> lines;   // the run's log, the last kMaxLines lines
        std::optional<std::int64_t> run;  // the history id once it has finished
        std::string status;               // once finished: complete, failed, stopped, error
    };
    static constexpr std::size_t kMaxLines = 200;
    std::optional<Progress> progress(const std::string& batch) const;
    bool running(const std::string& batch) const;
    void stopAll();

private:
    struct Active;
    const config::Config& cfg_;
    std::function<void(const std::string&)> say_;
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<Active>> runs_;  // by batch: the running one or the last one
};

}  // namespace gp::server
