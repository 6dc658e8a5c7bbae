#include "batch/history.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Exception.h>

#include <mutex>

#include "core/error.h"

namespace gp::batch {

using namespace Poco::Data::Keywords;

struct History::Impl {
    std::filesystem::path file;
    std::unique_ptr<Poco::Data::Session> session;
    mutable std::mutex mutex;
};

History::History(const std::filesystem::path& file) : impl_(std::make_unique<Impl>()) {
    impl_->file = file;
    try {
        Poco::Data::SQLite::Connector::registerConnector();
        std::filesystem::create_directories(file.parent_path());
        impl_->session = std::make_unique<Poco::Data::Session>("SQLite", file.string());
        *impl_->session << "CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, batch TEXT NOT NULL, "
                           "trigger TEXT NOT NULL, started INTEGER NOT NULL, finished INTEGER NOT NULL, "
                           "total INTEGER NOT NULL, done INTEGER NOT NULL, skipped INTEGER NOT NULL, "
                           "failed INTEGER NOT NULL, status TEXT NOT NULL)",
            now;
    } catch (const std::exception& e) {
        throw Error(ErrorKind::Output, "cannot open the run history " + file.string() + ": " + e.what());
    }
}

History::~History() = default;

std::filesystem::path History::defaultPath(const config::Config& cfg) { return cfg.outputDir / "grantpress-runs.db"; }

void History::add(const RunRecord& r) {
    std::lock_guard lock(impl_->mutex);
    try {
        Poco::Int64 started = r.started, finished = r.finished;
        Poco::Int64 total = static_cast<Poco::Int64>(r.total), done = static_cast<Poco::Int64>(r.done),
                    skipped = static_cast<Poco::Int64>(r.skipped), failed = static_cast<Poco::Int64>(r.failed);
        std::string batch = r.batch, trigger = r.trigger, status = r.status;
        *impl_->session << "INSERT INTO runs (batch, trigger, started, finished, total, done, skipped, failed, status) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            use(batch), use(trigger), use(started), use(finished), use(total), use(done), use(skipped), use(failed),
            use(status), now;
    } catch (const Poco::Exception& e) {
        throw Error(ErrorKind::Output, "cannot write the run history " + impl_->file.string() + ": " + e.displayText());
    }
}

std::vector<RunRecord> History::recent(std::size_t limit) const {
    std::lock_guard lock(impl_->mutex);
    std::vector<RunRecord> out;
    try {
        Poco::Data::Statement select(*impl_->session);
        RunRecord r;
        Poco::Int64 started = 0, finished = 0, total = 0, done = 0, skipped = 0, failed = 0;
        Poco::Int64 max = static_cast<Poco::Int64>(limit);
        select << "SELECT batch, trigger, started, finished, total, done, skipped, failed, status FROM runs "
                  "ORDER BY id DESC LIMIT ?",
            into(r.batch), into(r.trigger), into(started), into(finished), into(total), into(done), into(skipped),
            into(failed), into(r.status), use(max), range(0, 1);
        while (!select.done()) {
            if (select.execute() == 0) break;
            r.started = static_cast<std::time_t>(started);
            r.finished = static_cast<std::time_t>(finished);
            r.total = static_cast<std::size_t>(total);
            r.done = static_cast<std::size_t>(done);
            r.skipped = static_cast<std::size_t>(skipped);
            r.failed = static_cast<std::size_t>(failed);
            out.push_back(r);
        }
    } catch (const Poco::Exception& e) {
        throw Error(ErrorKind::Output, "cannot read the run history " + impl_->file.string() + ": " + e.displayText());
    }
    return out;
}

std::optional<std::time_t> History::lastStart(const std::string& batch) const {
    std::lock_guard lock(impl_->mutex);
    Poco::Nullable<Poco::Int64> started;
    std::string name = batch;
    *impl_->session << "SELECT MAX(started) FROM runs WHERE batch = ?", into(started), use(name), now;
    if (started.isNull()) return std::nullopt;
    return static_cast<std::time_t>(started.value());
}

}  // namespace gp::batch
