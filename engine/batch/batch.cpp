#include "batch/batch.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "app/render_document.h"
#include "app/write.h"
#include "batch/cron.h"
#include "batch/fingerprint.h"
#include "batch/manifest.h"
#include "batch/naming.h"
#include "batch/package.h"
#include "batch/params.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/time_stamp.h"
#include "data/source.h"
#include "output/atomic_file.h"
#include "output/file_set.h"
#include "template/expr.h"
#include "template/fill.h"
#include "template/template.h"

namespace gp::batch {
namespace {

namespace fs = std::filesystem;

const std::string kEngine = std::string("GrantPress ") + GP_VERSION;
constexpr int kAttempts = 3;  // per record, when the data source fails

std::string readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// What the batch folder remembers between runs: per output file, the hash of its inputs and
// of its bytes, so an unchanged document is skipped and an altered file is redone.
class State {
public:
    explicit State(fs::path path) : path_(std::move(path)) {
        std::ifstream in(path_, std::ios::binary);
        if (!in) return;
        try {
            Poco::JSON::Parser parser;
            auto root = parser.parse(in).extract<Poco::JSON::Object::Ptr>();
            for (const auto& key : root->getNames()) {
                auto o = root->getObject(key);
                entries_[key] = {o->getValue<std::string>("inputs"), o->getValue<std::string>("sha256"),
                                 o->getValue<std::uint64_t>("size")};
            }
        } catch (const Poco::Exception&) {
            entries_.clear();  // a damaged state only costs a full rerun
        }
    }
    // True when `rel` exists with the bytes recorded for the same inputs.
    bool current(const std::string& rel, const fs::path& file, const std::string& inputs) {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(rel);
        if (it == entries_.end() || it->second.inputs != inputs) return false;
        std::error_code ec;
        if (fs::file_size(file, ec) != it->second.size || ec) return false;
        return sha256File(file) == it->second.sha256;
    }
    ManifestFile remember(const std::string& rel, const fs::path& file, const std::string& inputs) {
        ManifestFile f{rel, fs::file_size(file), sha256File(file), inputs};
        std::lock_guard lock(mutex_);
        entries_[rel] = {inputs, f.sha256, f.size};
        return f;
    }
    ManifestFile recorded(const std::string& rel) {
        std::lock_guard lock(mutex_);
        const auto& e = entries_.at(rel);
        return {rel, e.size, e.sha256, e.inputs};
    }
    void save() {
        Poco::JSON::Object::Ptr root = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        {
            std::lock_guard lock(mutex_);
            for (const auto& [key, e] : entries_) {
                Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
                o->set("inputs", e.inputs);
                o->set("sha256", e.sha256);
                o->set("size", e.size);
                root->set(key, o);
            }
        }
        output::AtomicFile file(path_);
        {
            std::ofstream out(file.tempPath(), std::ios::binary);
            Poco::JSON::Stringifier::stringify(root, out, 1, -1, Poco::JSON_PRESERVE_KEY_ORDER | Poco::JSON_WRAP_STRINGS);
            if (!out.flush()) throw Error(ErrorKind::Output, "cannot write " + path_.string());
        }
        file.commit();
    }

private:
    struct Entry {
        std::string inputs, sha256;
        std::uint64_t size = 0;
    };
    fs::path path_;
    std::map<std::string, Entry> entries_;
    std::mutex mutex_;
};

struct Job {
    std::size_t index = 0;
    std::string key;
    std::map<std::string, std::string> params;           // template parameters from the record
    std::vector<std::vector<app::Output>> outputs;      // per template: its files
    std::vector<std::vector<std::string>> relative;     // the same, relative to the batch folder
    std::size_t package = 0;                             // index into the run's packages
    std::vector<std::string> inputs;                     // per file, for the package's own inputs
    ManifestRecord result;
};

// One zip: every record whose `package` pattern gives the same path.
struct Package {
    fs::path path;
    std::string rel;
    std::vector<Job*> jobs;  // in query order
    ManifestPackage result;
};

class Progress {
public:
    Progress(std::ostream& out, std::size_t total, bool quiet)
        : out_(out), total_(total), quiet_(quiet), tty_(&out == &std::cerr && ::isatty(STDERR_FILENO)),
          start_(std::chrono::steady_clock::now()) {}

    void record(const ManifestRecord& r) {
        std::lock_guard lock(mutex_);
        ++seen_;
        if (r.status == RecordStatus::Failed) {
            if (tty_) out_ << "\r\033[K";
            out_ << "failed: record " << r.key << ": " << r.error << "\n";
        }
        for (const auto& w : r.warnings) {
            if (tty_) out_ << "\r\033[K";
            out_ << "warning: record " << r.key << ": " << w << "\n";
        }
        if (quiet_) return;
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        const double rate = secs > 0 ? static_cast<double>(seen_) / secs : 0;
        const double left = rate > 0 ? static_cast<double>(total_ - seen_) / rate : 0;
        char line[160];
        std::snprintf(line, sizeof line, "%zu/%zu records, %.1f records/s, %.0f s left", seen_, total_, rate, left);
        if (tty_) {
            const int width = 30;
            const int filled = total_ ? static_cast<int>(width * seen_ / total_) : width;
            out_ << "\r\033[K[" << std::string(static_cast<size_t>(filled), '#')
                 << std::string(static_cast<size_t>(width - filled), ' ') << "] " << line << std::flush;
            if (seen_ == total_) out_ << "\n";
        } else if (seen_ == total_ || seen_ % std::max<std::size_t>(1, total_ / 10) == 0) {
            out_ << line << "\n";
        }
    }

private:
    std::ostream& out_;
    std::size_t total_, seen_ = 0;
    bool quiet_, tty_;
    std::chrono::steady_clock::time_point start_;
    std::mutex mutex_;
};

// `source = NAME` of a batch: a [source.NAME] of the file.
std::string knownSource(const config::Config& cfg, const std::string& name, const std::string& where) {
    if (cfg.sources.count(name)) return name;
    std::string known;
    for (const auto& [n, src] : cfg.sources) known += (known.empty() ? "" : ", ") + n;
    throw Error(ErrorKind::Config,
                where + ": source = '" + name + "' names no [source.NAME] section (configured: " + known + ")");
}

// notify = mailto:…, https://… and notify_on = failure | always (either may be absent).
NotifySpec notifySpec(const config::Config& cfg, const std::string* targets, const std::string* on,
                      const std::string& notifyWhere, const std::string& onWhere) {
    NotifySpec spec;
    if (targets) {
        spec.targets = splitList(*targets);
        if (spec.targets.empty())
            throw Error(ErrorKind::Config, notifyWhere + ": notify needs mailto:ADDRESS and/or an http(s):// URL");
        for (const auto& target : spec.targets) checkNotifyTarget(target, notifyWhere, cfg);
    }
    if (on) {
        if (*on != "failure" && *on != "always")
            throw Error(ErrorKind::Config, onWhere + ": notify_on = '" + *on + "': write failure or always");
        if (!targets) throw Error(ErrorKind::Config, onWhere + ": notify_on without notify = …: say where to send");
        spec.always = *on == "always";
    }
    return spec;
}

}  // namespace

std::vector<BatchSpec> batches(const config::Config& cfg) {
    std::vector<BatchSpec> out;
    // Not a structured binding: the lambdas below use name and values, and clang before 16
    // cannot capture structured bindings (C++20).
    for (const auto& entry : cfg.batchValues) {
        const std::string& name = entry.first;
        const auto& values = entry.second;
        BatchSpec b;
        b.name = name;
        b.where = cfg.file.string() + ":" + std::to_string(cfg.batchLines.at(name));
        auto at = [&](const std::string& key) {
            return cfg.file.string() + ":" + std::to_string(cfg.batchLines.at(name + "." + key));
        };
        auto get = [&](const std::string& key) -> const std::string* {
            auto it = values.find(key);
            return it == values.end() ? nullptr : &it->second;
        };
        if (!get("query") || get("query")->empty())
            throw Error(ErrorKind::Config, b.where + ": [batch." + name + "] needs query = SELECT … (with an id column)");
        b.query = *get("query");
        if (!get("templates") || splitList(*get("templates")).empty())
            throw Error(ErrorKind::Config, b.where + ": [batch." + name + "] needs templates = NAME[, NAME…]");
        b.templates = splitList(*get("templates"));
        if (auto* f = get("formats")) {
            b.formats = splitList(*f);
            try {
                app::checkFormats(b.formats);
            } catch (const Error& e) {
                throw Error(ErrorKind::Config, at("formats") + ": " + e.what());
            }
        }
        if (auto* o = get("output")) b.output = *o;
        if (auto* p = get("package")) b.package = *p;
        if (auto* s = get("schedule")) {
            b.schedule = *s;
            Cron::parse(b.schedule, at("schedule"));
        }
        if (auto* w = get("workers")) {
            try {
                b.workers = std::stoi(*w);
            } catch (const std::exception&) {
                b.workers = 0;
            }
            if (b.workers < 1 || b.workers > 64)
                throw Error(ErrorKind::Config, at("workers") + ": workers = '" + *w + "' is not a number from 1 to 64");
        }
        if (auto* c = get("catch_up")) {
            if (*c != "true" && *c != "false")
                throw Error(ErrorKind::Config, at("catch_up") + ": catch_up must be true or false");
            b.catchUp = *c == "true";
        }
        if (auto* s = get("source")) b.source = knownSource(cfg, *s, at("source"));
        for (const auto& [key, value] : values) {
            b.keyWhere[key] = at(key);
            if (key.rfind("param.", 0) == 0) b.params.emplace_back(key.substr(6), value);
        }
        if (get("notify") || get("notify_on"))
            b.notify = notifySpec(cfg, get("notify"), get("notify_on"), at(get("notify") ? "notify" : "notify_on"),
                                  get("notify_on") ? at("notify_on") : "");
        for (const auto* pattern : {&b.output, &b.package}) {
            if (pattern->empty()) continue;
            try {
                tmpl::parseText(*pattern, {cfg.file.string(), cfg.batchLines.at(name), 0}, false);
            } catch (const Error& e) {
                throw Error(ErrorKind::Config, e.what());
            }
        }
        out.push_back(std::move(b));
    }
    return out;
}

const BatchSpec& findBatch(const std::vector<BatchSpec>& all, const std::string& name) {
    for (const auto& b : all)
        if (b.name == name) return b;
    std::string list;
    for (const auto& b : all) list += (list.empty() ? "" : ", ") + b.name;
    throw Error(ErrorKind::Usage, "no batch '" + name + "' in reports.ini" +
                                      (list.empty() ? " (it has no [batch.NAME] sections)" : " (batches: " + list + ")"));
}

namespace {

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

// Before the first record: every required parameter of every template must come from the
// query's columns or the batch parameters, and batch parameters must suit the templates'
// types. One error, naming the template, the parameter and the columns, instead of the same
// failure once per record.
void checkParameters(const BatchSpec& spec, const std::vector<tmpl::Template>& templates,
                     const std::vector<std::string>& columns, const std::map<std::string, std::string>& params) {
    std::vector<std::string> given;
    for (const auto& [k, v] : params) given.push_back(k);
    for (const auto& t : templates) {
        tmpl::Template probe;  // the batch's own values, typed once: "year = abc" fails here
        probe.name = t.name;
        std::map<std::string, std::string> fromBatch;
        for (const auto& p : t.params) {
            const bool column = std::find(columns.begin(), columns.end(), p.name) != columns.end();
            if (!column && params.count(p.name)) {
                fromBatch[p.name] = params.at(p.name);
                probe.params.push_back(p);
                probe.params.back().required = false;
            }
            if (p.required && !p.defaultValue && !column && !params.count(p.name))
                throw Error(ErrorKind::Template,
                            p.loc.file, p.loc.line, p.loc.column,
                            "template '" + t.name + "' needs parameter '" + p.name + "', which [batch." + spec.name +
                                "] (" + spec.where + ") does not supply: its query returns the columns " +
                                joined(columns) + (given.empty() ? "" : " and its parameters are " + joined(given)) +
                                "; add a column " + p.name + " to the query (… AS " + p.name + ") or write param." +
                                p.name + " = … in the batch section");
        }
        try {
            tmpl::bindParams(probe, fromBatch);
        } catch (const Error& e) {
            throw Error(ErrorKind::Usage, "[batch." + spec.name + "] (" + spec.where + "): " + e.what());
        }
    }
}

std::string firstFailures(const std::vector<std::pair<std::string, std::string>>& failures, std::size_t total) {
    std::string out = std::to_string(failures.size()) + " of " + std::to_string(total) + " records failed";
    for (std::size_t i = 0; i < failures.size() && i < 3; ++i)
        out += (i == 0 ? ": " : "; ") + std::string("record ") + failures[i].first + ": " + failures[i].second;
    if (failures.size() > 3) out += "; …";
    return out;
}

// Runs fn(i, worker) for i in [0, n) on `workers` threads (worker: 0 .. workers - 1).
template <typename F>
void parallelFor(std::size_t n, int workers, F&& fn) {
    std::atomic<std::size_t> next{0};
    auto loop = [&](int worker) {
        for (std::size_t i; (i = next++) < n;) fn(i, worker);
    };
    std::vector<std::thread> threads;
    for (int w = 1; w < workers; ++w) threads.emplace_back(loop, w);
    loop(0);
    for (auto& t : threads) t.join();
}

// The steps of a run, in the order run() takes them. Each throws gp::Error for what stops the
// whole batch before any document is written; what goes wrong with one record or package is
// recorded in its result instead.

// Step 1: what every record shares: the source, the parameters, the templates (loaded and
// checked once, shared read-only by the workers) and the manifest's header.
struct Plan {
    std::string sourceName;
    data::SourceConfig source;
    std::map<std::string, std::string> params;
    std::vector<tmpl::Template> templates;
    std::set<std::string> secrets;  // parameters that are never shown nor put in a file name
    Manifest manifest;              // the header; records and packages come at the end
    fs::path root;                  // the batch folder
};

Plan makePlan(const config::Config& cfg, const BatchSpec& spec, const RunOptions& options, std::time_t started) {
    if (options.shards < 1 || options.shard < 1 || options.shard > options.shards)
        throw Error(ErrorKind::Usage, "--shard " + std::to_string(options.shard) + "/" + std::to_string(options.shards) +
                                          ": K must be between 1 and N");
    Plan plan;
    // The source: --source, else the batch's `source =`, else [engine] default_source.
    plan.sourceName = !options.source.empty() ? options.source : !spec.source.empty() ? spec.source : cfg.defaultSource;
    plan.source = cfg.source(plan.sourceName);
    plan.params = resolveParams(spec, options.params, started);
    plan.root = options.outDir.empty() ? cfg.outputDir / spec.name : options.outDir;

    Manifest& m = plan.manifest;
    m.batch = spec.name;
    m.engine = kEngine;
    m.source = plan.sourceName;
    m.params = plan.params;
    m.shard = std::to_string(options.shard) + "/" + std::to_string(options.shards);
    for (const auto& name : spec.templates) {
        const fs::path path = tmpl::findTemplate(cfg.templatesDir, name);
        plan.templates.push_back(tmpl::loadTemplate(path));
        m.templates.push_back({plan.templates.back().name, sha256Hex(readFile(path))});
    }
    // A --param (or an API client's parameter) that nothing takes is refused, never ignored:
    // the batch's param.NAME keys, its query's :names and its templates' <param>s take them.
    std::set<std::string> known;
    for (const auto& [name, value] : spec.params) known.insert(name);
    for (const auto& name : data::bindNames(spec.query).names) known.insert(name);
    for (const auto& t : plan.templates)
        for (const auto& p : t.params) known.insert(p.name);
    for (const auto& [name, value] : options.params)
        if (!known.count(name))
            throw Error(ErrorKind::Usage, "[batch." + spec.name + "] (" + spec.where + ") takes no parameter '" + name +
                                              "' (it takes: " + joined(std::vector<std::string>(known.begin(), known.end())) +
                                              ")");
    // Secret parameters (passwords of the documents) are used, never shown: "***" in the
    // manifest, the history and alerts.
    for (const auto& t : plan.templates)
        for (const auto& p : t.params)
            if (p.secret) plan.secrets.insert(p.name);
    for (auto& [name, value] : m.params)
        if (plan.secrets.count(name)) value = "***";
    return plan;
}

// Step 2: the records, in the query's order, with the index of their id column; every
// template parameter must come from a column or a batch parameter.
struct Records {
    data::Result result;
    std::size_t idIndex = 0;
};

Records selectRecords(const BatchSpec& spec, const Plan& plan) {
    Records records;
    data::Params params;  // typed as the templates declare them, before anything connects
    try {
        params = tmpl::bindQueryParams(plan.templates, plan.params);
    } catch (const Error& e) {
        throw Error(ErrorKind::Usage, "[batch." + spec.name + "] (" + spec.where + "): " + e.message());
    }
    {
        data::Session session(plan.source);
        try {
            records.result = session.query(spec.query, params, "query of [batch." + spec.name + "] (" + spec.where + ")");
        } catch (const Error& e) {
            // The batch query is reports.ini's, not a template's: a write it attempts is a
            // configuration error.
            if (e.kind() != ErrorKind::Template) throw;
            throw Error(ErrorKind::Config, e.what());
        }
    }
    const auto& columns = records.result.columns;
    auto idColumn = std::find(columns.begin(), columns.end(), "id");
    if (idColumn == columns.end())
        throw Error(ErrorKind::Config, spec.where + ": the query of [batch." + spec.name +
                                           "] must return an id column (it returns: " + joined(columns) + ")");
    records.idIndex = static_cast<std::size_t>(idColumn - columns.begin());
    checkParameters(spec, plan.templates, columns, plan.params);
    return records;
}

// Step 3: every file of every record and package, relative to the batch folder. Names are
// made safe and unique over the whole list, so that shards on several machines agree.
struct Outputs {
    std::vector<Job> jobs;
    std::vector<Package> packages;  // point into jobs (a moved vector keeps its elements)
};

Outputs planOutputs(const config::Config& cfg, const BatchSpec& spec, const Plan& plan, const Records& records) {
    const auto& columns = records.result.columns;
    const tmpl::Location patternLoc{cfg.file.string(), cfg.batchLines.at(spec.name), 0};
    const tmpl::TextExpr outputPattern = tmpl::parseText(spec.output, patternLoc, false);
    const tmpl::TextExpr packagePattern = tmpl::parseText(spec.package, patternLoc, false);
    for (const auto* pattern : {&outputPattern, &packagePattern})
        for (const tmpl::Expr* e : pattern->references())
            if (e->ref.size() == 1 && plan.secrets.count(e->ref[0]))
                throw Error(ErrorKind::Config, spec.where + ": [batch." + spec.name + "] names files with {" + e->ref[0] +
                                                   "}, a secret parameter of its templates: a password never goes "
                                                   "into a file name");

    Outputs out;
    out.jobs.resize(records.result.rows.size());
    std::map<fs::path, std::size_t> packageIndex;  // the same path: the same package
    std::vector<fs::path> names;                   // every output, for collision resolution
    for (std::size_t i = 0; i < records.result.rows.size(); ++i) {
        const auto& row = records.result.rows[i];
        Job& job = out.jobs[i];
        job.index = i;
        job.key = toPlainString(row[records.idIndex]);
        for (std::size_t c = 0; c < columns.size(); ++c) job.params[columns[c]] = toPlainString(row[c]);
        auto fillPattern = [&](const tmpl::TextExpr& pattern, const std::string& templateName) {
            std::string name;
            for (const auto& seg : pattern.segments) {
                name += seg.literal;
                if (!seg.expr) continue;
                tmpl::TextExpr one{{{"", seg.expr}}, pattern.loc};
                model::Cell cell = tmpl::evaluate(one, [&](const tmpl::Expr& e) -> std::optional<Value> {
                    if (e.ref.size() == 1 && e.ref[0] == "template") return Value(templateName);
                    auto it = std::find(columns.begin(), columns.end(), e.ref.back());
                    if (e.ref.size() != 1 || it == columns.end())
                        throw Error(ErrorKind::Config, spec.where + ": output pattern {" + e.source +
                                                           "} names no column of the batch query");
                    return row[static_cast<std::size_t>(it - columns.begin())];
                });
                name += safeComponent(cell.text);
            }
            return name;
        };
        for (const auto& t : plan.templates) {
            const std::string base = fillPattern(outputPattern, t.name);
            for (const auto& format : spec.formats) names.push_back(safeRelative(base + "." + format, spec.where));
            job.relative.emplace_back(spec.formats.size());
        }
        if (!spec.package.empty()) {
            const fs::path path = safeRelative(fillPattern(packagePattern, "") + ".zip", spec.where);
            auto [it, fresh] = packageIndex.emplace(path, out.packages.size());
            if (fresh) out.packages.push_back({path, "", {}, {}});
            job.package = it->second;
            out.packages[it->second].jobs.push_back(&job);
        }
    }
    for (const auto& p : out.packages) names.push_back(p.path);
    resolveCollisions(names);
    std::size_t n = 0;
    for (auto& job : out.jobs) {
        job.outputs.resize(plan.templates.size());
        for (std::size_t t = 0; t < plan.templates.size(); ++t)
            for (std::size_t f = 0; f < spec.formats.size(); ++f) {
                job.relative[t][f] = names[n].generic_string();
                job.outputs[t].push_back({spec.formats[f], plan.root / names[n++]});
            }
    }
    for (auto& p : out.packages) {
        p.rel = names[n].generic_string();
        p.path = plan.root / names[n++];
    }
    return out;
}

// Step 4: this shard's share: whole packages (a zip is written by one machine), else records.
struct Share {
    std::vector<Job*> jobs;
    std::vector<Package*> packages;
};

Share takeShare(Outputs& outputs, const BatchSpec& spec, const RunOptions& options) {
    auto ours = [&](std::size_t unit) {
        return static_cast<int>(unit % static_cast<std::size_t>(options.shards)) == options.shard - 1;
    };
    Share share;
    for (std::size_t p = 0; p < outputs.packages.size(); ++p)
        if (ours(p)) share.packages.push_back(&outputs.packages[p]);
    for (auto& job : outputs.jobs)
        if (spec.package.empty() ? ours(job.index) : ours(job.package)) share.jobs.push_back(&job);
    return share;
}

// Step 5: the batch folder, writable and held for this run: a folder that cannot be written
// is one output error (73) before the first record, not a failure per record; a second run
// on it (by hand, a scheduler, another machine on the same folder) stops instead of racing
// for the same files and state; what a killed run left half committed is finished.
class FolderLock {
public:
    FolderLock(const fs::path& root, const std::string& batch) {
        std::error_code ec;
        fs::create_directories(root, ec);
        const fs::path probe = root / (".grantpress-probe-" + std::to_string(::getpid()));
        if (ec || !std::ofstream(probe, std::ios::binary).put('x').flush())
            throw Error(ErrorKind::Output, root.string() + ": cannot write to the batch's output folder" +
                                               (ec ? " (" + ec.message() + ")" : "") +
                                               ": check its permissions and free space, or give another with --out");
        fs::remove(probe, ec);
        fd_ = ::open((root / ".grantpress-lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) throw Error(ErrorKind::Output, root.string() + ": cannot create .grantpress-lock: " + std::strerror(errno));
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd_);
            throw Error(ErrorKind::Busy, "batch " + batch + " is already running on " + root.string() +
                                             " (another grantpress holds .grantpress-lock there): wait for it to finish, "
                                             "or stop it, then run again");
        }
        output::recover(root, true);  // commits a killed run left half done finished, its temporaries removed
    }
    ~FolderLock() { ::close(fd_); }  // closing releases the lock
    FolderLock(const FolderLock&) = delete;
    FolderLock& operator=(const FolderLock&) = delete;

private:
    int fd_ = -1;
};

// Step 6: one record's documents, through app::renderDocument. A data error may be a lost
// connection: the record is retried on a fresh session, a bounded number of times, before it
// is reported as failed. A full disk stops every later record (they are "not run", and say why).
class RecordRenderer {
public:
    RecordRenderer(const config::Config& cfg, const BatchSpec& spec, const RunOptions& options, const Plan& plan,
                   State& state)
        : cfg_(cfg), spec_(spec), options_(options), plan_(plan), state_(state) {}

    // Fills job.result; `session` is the worker's, opened on first use and dropped on error.
    void render(Job& job, std::shared_ptr<data::Session>& session) {
        ManifestRecord& r = job.result;
        r.key = job.key;
        if (diskFull_.load()) return notRun(r, "the disk holding the batch folder was full before this record");
        if (options_.stop && options_.stop->load())
            return notRun(r, "the batch was stopped (SIGINT/SIGTERM) before this record");
        for (int attempt = 1;; ++attempt) try {
            r.files.clear();
            r.error.clear();
            r.warnings.clear();
            job.inputs.clear();
            if (!session) session = std::make_shared<data::Session>(plan_.source);
            bool renderedAny = false;
            for (std::size_t t = 0; t < plan_.templates.size(); ++t) renderedAny |= renderTemplate(job, t, session);
            r.status = renderedAny ? RecordStatus::Done : RecordStatus::Skipped;
            return;
        } catch (const DiskFullError& e) {
            diskFull_ = true;
            return failed(r, e.what());
        } catch (const std::exception& e) {
            session.reset();  // a broken connection is not reused
            const auto* err = dynamic_cast<const Error*>(&e);
            const bool dataError = err && err->kind() == ErrorKind::Data;
            if (dataError && !dynamic_cast<const BadValueError*>(err) && attempt < kAttempts) continue;
            return failed(r, std::string(e.what()) +
                                 (dataError && attempt > 1 ? " (after " + std::to_string(attempt) + " attempts)" : ""));
        }
    }

    bool diskFull() const { return diskFull_.load(); }
    void noteDiskFull() { diskFull_ = true; }

private:
    static void notRun(ManifestRecord& r, const std::string& why) {
        r.status = RecordStatus::NotRun;
        r.error = why;
    }
    static void failed(ManifestRecord& r, const std::string& why) {
        r.status = RecordStatus::Failed;
        r.error = why;
        r.files.clear();
    }

    // Template t of the record; true when a file was written (not every one was current).
    bool renderTemplate(Job& job, std::size_t t, const std::shared_ptr<data::Session>& session) {
        const tmpl::Template& tpl = plan_.templates[t];
        ManifestRecord& r = job.result;
        app::DocumentJob render;
        render.tpl = &tpl;
        for (const auto& p : tpl.params) {  // the record's columns override the batch's parameters
            if (auto it = plan_.params.find(p.name); it != plan_.params.end()) render.params[p.name] = it->second;
            if (auto it = job.params.find(p.name); it != job.params.end()) render.params[p.name] = it->second;
        }
        render.files = job.outputs[t];
        std::vector<std::string> inputs;
        // Once filled: a format whose inputs (engine, template, the document's content) are
        // those of the file on disk is not written again.
        render.select = [&](const model::Document& doc) {
            const std::string content = fingerprint(doc);
            std::vector<app::Output> todo;
            for (std::size_t f = 0; f < spec_.formats.size(); ++f) {
                inputs.push_back(sha256Hex(kEngine + "\n" + plan_.manifest.templates[t].sha256 + "\n" + content + "\n" +
                                           spec_.formats[f]));
                if (options_.force || !state_.current(job.relative[t][f], job.outputs[t][f].path, inputs.back()))
                    todo.push_back(job.outputs[t][f]);
            }
            return todo;
        };
        const app::RenderedDocument done = app::renderDocument(cfg_, session, render);
        if (!done.written.empty())  // a document not written again has its warnings in the last run's manifest
            for (const auto& w : done.warnings.lines()) r.warnings.push_back(tpl.name + ": " + w);
        for (std::size_t f = 0; f < spec_.formats.size(); ++f) {
            const bool fresh = std::any_of(done.written.begin(), done.written.end(),
                                           [&](const app::Output& o) { return o.path == job.outputs[t][f].path; });
            r.files.push_back(fresh ? state_.remember(job.relative[t][f], job.outputs[t][f].path, inputs[f])
                                    : state_.recorded(job.relative[t][f]));
            job.inputs.push_back(inputs[f]);
        }
        return !done.written.empty();
    }

    const config::Config& cfg_;
    const BatchSpec& spec_;
    const RunOptions& options_;
    const Plan& plan_;
    State& state_;
    std::atomic<bool> diskFull_{false};
};

// Step 7: a package, once its records are rendered; written only when every record in it
// succeeded, so a zip never holds a partial set. One record: its files at the top; several:
// a folder per record.
void writePackageOf(Package& p, const config::Config& cfg, const BatchSpec& spec, const RunOptions& options,
                    const Plan& plan, State& state, RecordRenderer& renderer) {
    p.result.path = p.rel;
    for (Job* job : p.jobs) p.result.records.push_back(job->key);
    for (Job* job : p.jobs)
        if (job->result.status == RecordStatus::Failed || job->result.status == RecordStatus::NotRun) {
            p.result.status = PackageStatus::NotWritten;
            p.result.reason = "record " + job->key +
                              (job->result.status == RecordStatus::Failed ? " failed" : " was not run (stopped)");
            return;
        }
    try {
        const bool folders = p.jobs.size() > 1;
        std::vector<PackageMember> members;
        Manifest own = plan.manifest;
        own.started = own.finished = isoUtc(cfg.created);
        own.status = RunStatus::Complete;
        own.total = p.jobs.size();
        std::string inputs;
        for (Job* job : p.jobs) {
            ManifestRecord rec = job->result;
            rec.status = RecordStatus::Done;
            std::size_t m = 0;
            for (std::size_t t = 0; t < plan.templates.size(); ++t)
                for (std::size_t f = 0; f < spec.formats.size(); ++f, ++m) {
                    std::string name = asciiMemberName(plan.templates[t].name + "." + spec.formats[f]);
                    if (folders) name = asciiMemberName(job->key) + "/" + name;
                    members.push_back({name, job->outputs[t][f].path});
                    rec.files[m].path = name;
                    p.result.members.push_back(name);
                    inputs += job->inputs[m];
                }
            own.records.push_back(rec);
        }
        p.result.members.push_back("manifest.json");
        const std::string packageInputs = sha256Hex(inputs);
        if (options.force || !state.current(p.rel, p.path, packageInputs)) {
            output::AtomicFile zip(p.path);
            writePackage(zip.tempPath(), members, toJson(own), cfg.created);
            zip.commit();
            p.result.status = PackageStatus::Written;
            p.result.file = state.remember(p.rel, p.path, packageInputs);
        } else {
            p.result.status = PackageStatus::Skipped;
            p.result.file = state.recorded(p.rel);
        }
    } catch (const std::exception& e) {
        p.result.status = PackageStatus::NotWritten;
        p.result.reason = e.what();
        p.result.members.clear();
        if (dynamic_cast<const DiskFullError*>(&e)) renderer.noteDiskFull();
    }
}

// Step 8: the counts, the outcome and its one-line reason; records and packages go into the
// manifest. A package left out because of a failed or stopped record is already explained
// by that record; any other that was not written is a failure of the run.
RunSummary summarize(const Share& share, const Plan& plan, bool diskFull, Manifest& manifest, std::ostream& log) {
    RunSummary summary;
    summary.total = share.jobs.size();
    summary.source = plan.sourceName;
    summary.params = plan.manifest.params;  // secrets masked
    for (const Job* job : share.jobs) {
        switch (job->result.status) {
        case RecordStatus::Done: ++summary.done; break;
        case RecordStatus::Skipped: ++summary.skipped; break;
        case RecordStatus::Failed:
            ++summary.failed;
            summary.failures.emplace_back(job->key, job->result.error);
            break;
        case RecordStatus::NotRun: ++summary.notRun; break;
        }
        const bool rendered = job->result.status == RecordStatus::Done || job->result.status == RecordStatus::Skipped;
        (rendered ? manifest.records : manifest.notRendered).push_back(job->result);
    }
    std::vector<std::string> packageProblems;
    for (const Package* p : share.packages) {
        ++summary.packages;
        manifest.packages.push_back(p->result);
        if (p->result.status != PackageStatus::NotWritten) continue;
        ++summary.packagesNotWritten;
        if (p->result.reason.rfind("record ", 0) != 0) packageProblems.push_back(p->rel + ": " + p->result.reason);
    }
    const std::string failures = summary.failed ? "; " + firstFailures(summary.failures, summary.total) : "";
    summary.diskFull = diskFull;
    if (diskFull) {
        summary.status = RunStatus::Stopped;
        summary.reason = "the disk holding " + plan.root.string() + " is full: " + std::to_string(summary.notRun) + " of " +
                         std::to_string(summary.total) + " records not run, " + std::to_string(summary.packagesNotWritten) +
                         " package(s) not written; free space, then run again (what is done is kept)" + failures;
    } else if (summary.notRun) {
        summary.status = RunStatus::Stopped;
        summary.reason = "stopped by a signal: " + std::to_string(summary.notRun) + " of " + std::to_string(summary.total) +
                         " records not run" + failures;
    } else if (summary.failed) {
        summary.status = RunStatus::Failed;
        summary.reason = firstFailures(summary.failures, summary.total);
    } else if (!packageProblems.empty()) {
        summary.status = RunStatus::Failed;
        summary.reason = std::to_string(packageProblems.size()) + " package(s) not written: " + packageProblems.front();
    } else {
        summary.status = RunStatus::Complete;
    }
    for (const auto& problem : packageProblems) log << "failed: package " << problem << "\n";
    manifest.status = summary.status;
    manifest.reason = summary.reason;
    manifest.total = summary.total;
    return summary;
}

// Step 9: the state (for the next run's skips) and the manifest, each committed atomically.
void writeManifest(const fs::path& path, const Manifest& manifest) {
    output::AtomicFile file(path);
    {
        std::ofstream out(file.tempPath(), std::ios::binary);
        out << toJson(manifest);
        if (!out.flush()) throw Error(ErrorKind::Output, "cannot write " + path.string());
    }
    file.commit();
}

}  // namespace

RunSummary run(const config::Config& cfg, const BatchSpec& spec, const RunOptions& options) {
    auto now = options.now ? options.now : [] { return std::time(nullptr); };
    std::ostream& log = options.log ? *options.log : std::cerr;
    const std::time_t started = now();

    const Plan plan = makePlan(cfg, spec, options, started);
    const Records records = selectRecords(spec, plan);
    Outputs outputs = planOutputs(cfg, spec, plan, records);
    const Share share = takeShare(outputs, spec, options);
    const FolderLock lock(plan.root, spec.name);
    if (options.started) options.started();
    State state(plan.root / ".grantpress-state.json");

    RecordRenderer renderer(cfg, spec, options, plan, state);
    Progress progress(log, share.jobs.size(), options.quiet);
    const int workers = std::max(1, std::min<int>(options.workers > 0 ? options.workers : spec.workers,
                                                  static_cast<int>(std::max<std::size_t>(1, share.jobs.size()))));
    {
        std::vector<std::shared_ptr<data::Session>> sessions(static_cast<std::size_t>(workers));  // one per worker
        parallelFor(share.jobs.size(), workers, [&](std::size_t i, int worker) {
            Job& job = *share.jobs[i];
            renderer.render(job, sessions[static_cast<std::size_t>(worker)]);
            if (job.result.status != RecordStatus::NotRun) progress.record(job.result);
        });
    }
    parallelFor(share.packages.size(), workers, [&](std::size_t i, int) {
        writePackageOf(*share.packages[i], cfg, spec, options, plan, state, renderer);
    });

    Manifest manifest = plan.manifest;
    RunSummary summary = summarize(share, plan, renderer.diskFull(), manifest, log);
    manifest.started = isoUtc(started);
    manifest.finished = isoUtc(now());
    fs::create_directories(plan.root);
    state.save();
    summary.manifest = plan.root / (spec.name + ".manifest.json");
    writeManifest(summary.manifest, manifest);
    return summary;
}

}  // namespace gp::batch
