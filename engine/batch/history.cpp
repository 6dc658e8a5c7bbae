#include "batch/history.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <mutex>
#include <sstream>

#include "core/error.h"

namespace gp::batch {

using namespace Poco::Data::Keywords;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

// params, failures, manifest, source and notification problems, as one JSON column.
std::string detailsJson(const RunRecord& r) {
    Object::Ptr root = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    root->set("source", r.source);
    Object::Ptr params = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [k, v] : r.params) params->set(k, v);
    root->set("params", params);
    Array::Ptr failures = new Array;
    for (std::size_t i = 0; i < r.failures.size() && i < History::kFailuresKept; ++i) {
        Object::Ptr f = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        f->set("key", r.failures[i].first);
        f->set("error", r.failures[i].second);
        failures->add(f);
    }
    root->set("failures", failures);
    root->set("manifest", r.manifest);
    Array::Ptr notify = new Array;
    for (const auto& p : r.notifyProblems) notify->add(p);
    root->set("notify_problems", notify);
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(root, out, 0, -1, Poco::JSON_PRESERVE_KEY_ORDER | Poco::JSON_WRAP_STRINGS);
    return out.str();
}

void readDetails(const std::string& json, RunRecord& r) {
    if (json.empty()) return;
    try {
        Poco::JSON::Parser parser;
        auto root = parser.parse(json).extract<Object::Ptr>();
        r.source = root->optValue<std::string>("source", "");
        r.manifest = root->optValue<std::string>("manifest", "");
        if (auto params = root->getObject("params"))
            for (const auto& k : params->getNames()) r.params[k] = params->getValue<std::string>(k);
        if (auto failures = root->getArray("failures"))
            for (unsigned i = 0; i < failures->size(); ++i) {
                auto f = failures->getObject(i);
                r.failures.emplace_back(f->getValue<std::string>("key"), f->getValue<std::string>("error"));
            }
        if (auto notify = root->getArray("notify_problems"))
            for (unsigned i = 0; i < notify->size(); ++i) r.notifyProblems.push_back(notify->getElement<std::string>(i));
    } catch (const Poco::Exception&) {
        r.reason += r.reason.empty() ? "(details unreadable)" : " (details unreadable)";
    }
}

constexpr const char* kColumns =
    "id, batch, trigger, started, finished, total, done, skipped, failed, not_run, status, reason, details";

}  // namespace

struct History::Impl {
    std::filesystem::path file;
    std::unique_ptr<Poco::Data::Session> session;
    mutable std::mutex mutex;

    // Reads the rows of a SELECT of kColumns.
    std::vector<RunRecord> select(const std::string& where, Poco::Int64 arg) const {
        std::vector<RunRecord> out;
        Poco::Data::Statement select(*session);
        RunRecord r;
        Poco::Int64 id = 0, started = 0, finished = 0, total = 0, done = 0, skipped = 0, failed = 0, notRun = 0;
        std::string details;
        select << "SELECT " + std::string(kColumns) + " FROM runs " + where, into(id), into(r.batch), into(r.trigger),
            into(started), into(finished), into(total), into(done), into(skipped), into(failed), into(notRun),
            into(r.status), into(r.reason), into(details), use(arg), range(0, 1);
        while (!select.done()) {
            if (select.execute() == 0) break;
            RunRecord row = r;
            row.id = id;
            row.started = static_cast<std::time_t>(started);
            row.finished = static_cast<std::time_t>(finished);
            row.total = static_cast<std::size_t>(total);
            row.done = static_cast<std::size_t>(done);
            row.skipped = static_cast<std::size_t>(skipped);
            row.failed = static_cast<std::size_t>(failed);
            row.notRun = static_cast<std::size_t>(notRun);
            readDetails(details, row);
            out.push_back(std::move(row));
        }
        return out;
    }
};

History::History(const std::filesystem::path& file) : impl_(std::make_unique<Impl>()) {
    impl_->file = file;
    try {
        Poco::Data::SQLite::Connector::registerConnector();
        std::filesystem::create_directories(file.parent_path());
        impl_->session = std::make_unique<Poco::Data::Session>("SQLite", file.string());
        auto& s = *impl_->session;
        s << "PRAGMA busy_timeout = 10000", now;  // the scheduler's runs may finish together
        s << "CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, batch TEXT NOT NULL, "
             "trigger TEXT NOT NULL, started INTEGER NOT NULL, finished INTEGER NOT NULL, "
             "total INTEGER NOT NULL, done INTEGER NOT NULL, skipped INTEGER NOT NULL, "
             "failed INTEGER NOT NULL, status TEXT NOT NULL)",
            now;
        // Columns added after the first release: a history written by it is upgraded in place.
        for (const auto& [column, type] : {std::pair{"not_run", "INTEGER NOT NULL DEFAULT 0"},
                                           std::pair{"reason", "TEXT NOT NULL DEFAULT ''"},
                                           std::pair{"details", "TEXT NOT NULL DEFAULT ''"}}) {
            int present = 0;
            std::string name = column;
            s << "SELECT COUNT(*) FROM pragma_table_info('runs') WHERE name = ?", into(present), use(name), now;
            if (!present) s << "ALTER TABLE runs ADD COLUMN " + name + " " + type, now;
        }
    } catch (const std::exception& e) {
        throw Error(ErrorKind::Output, "cannot open the run history " + file.string() + ": " + e.what());
    }
}

History::~History() = default;

std::filesystem::path History::defaultPath(const config::Config& cfg) { return cfg.outputDir / "grantpress-runs.db"; }

std::int64_t History::add(const RunRecord& r) {
    std::lock_guard lock(impl_->mutex);
    try {
        Poco::Int64 started = r.started, finished = r.finished;
        Poco::Int64 total = static_cast<Poco::Int64>(r.total), done = static_cast<Poco::Int64>(r.done),
                    skipped = static_cast<Poco::Int64>(r.skipped), failed = static_cast<Poco::Int64>(r.failed),
                    notRun = static_cast<Poco::Int64>(r.notRun);
        std::string batch = r.batch, trigger = r.trigger, status = r.status, reason = r.reason, details = detailsJson(r);
        *impl_->session << "INSERT INTO runs (batch, trigger, started, finished, total, done, skipped, failed, not_run, "
                           "status, reason, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            use(batch), use(trigger), use(started), use(finished), use(total), use(done), use(skipped), use(failed),
            use(notRun), use(status), use(reason), use(details), now;
        Poco::Int64 id = 0;
        *impl_->session << "SELECT last_insert_rowid()", into(id), now;
        return id;
    } catch (const Poco::Exception& e) {
        throw Error(ErrorKind::Output, "cannot write the run history " + impl_->file.string() + ": " + e.displayText());
    }
}

std::vector<RunRecord> History::recent(std::size_t limit) const {
    std::lock_guard lock(impl_->mutex);
    try {
        return impl_->select("ORDER BY id DESC LIMIT ?", static_cast<Poco::Int64>(limit));
    } catch (const Poco::Exception& e) {
        throw Error(ErrorKind::Output, "cannot read the run history " + impl_->file.string() + ": " + e.displayText());
    }
}

std::optional<RunRecord> History::get(std::int64_t id) const {
    std::lock_guard lock(impl_->mutex);
    try {
        auto rows = impl_->select("WHERE id = ?", static_cast<Poco::Int64>(id));
        if (rows.empty()) return std::nullopt;
        return rows.front();
    } catch (const Poco::Exception& e) {
        throw Error(ErrorKind::Output, "cannot read the run history " + impl_->file.string() + ": " + e.displayText());
    }
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
