#include "batch/manifest.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <fstream>
#include <initializer_list>
#include <sstream>

#include "batch/fingerprint.h"
#include "core/error.h"

namespace gp::batch {

namespace fs = std::filesystem;
using Poco::JSON::Array;
using Poco::JSON::Object;

const char* statusName(RecordStatus s) {
    switch (s) {
    case RecordStatus::Done: return "done";
    case RecordStatus::Skipped: return "skipped";
    case RecordStatus::Failed: return "failed";
    case RecordStatus::NotRun: return "not run";
    }
    return "?";
}

const char* statusName(PackageStatus s) {
    switch (s) {
    case PackageStatus::Written: return "written";
    case PackageStatus::Skipped: return "skipped";
    case PackageStatus::NotWritten: return "not written";
    }
    return "?";
}

const char* statusName(RunStatus s) {
    switch (s) {
    case RunStatus::Complete: return "complete";
    case RunStatus::Failed: return "failed";
    case RunStatus::Stopped: return "stopped";
    }
    return "?";
}

namespace {

template <typename Status>
std::optional<Status> findStatus(std::string_view text, std::initializer_list<Status> all) {
    for (Status s : all)
        if (text == statusName(s)) return s;
    return std::nullopt;
}

}  // namespace

template <>
std::optional<RecordStatus> parseStatus<RecordStatus>(std::string_view text) {
    return findStatus(text, {RecordStatus::Done, RecordStatus::Skipped, RecordStatus::Failed, RecordStatus::NotRun});
}
template <>
std::optional<PackageStatus> parseStatus<PackageStatus>(std::string_view text) {
    return findStatus(text, {PackageStatus::Written, PackageStatus::Skipped, PackageStatus::NotWritten});
}
template <>
std::optional<RunStatus> parseStatus<RunStatus>(std::string_view text) {
    return findStatus(text, {RunStatus::Complete, RunStatus::Failed, RunStatus::Stopped});
}

namespace {

// A status as the manifest writes it; anything else is a manifest this engine did not write.
template <typename Status>
Status readStatus(const Object::Ptr& o, const char* what) {
    const std::string text = o->optValue<std::string>("status", "");
    if (auto s = parseStatus<Status>(text)) return *s;
    throw Poco::DataFormatException(std::string(what) + " status '" + text + "' is not one GrantPress writes");
}

Object::Ptr ordered() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

Object::Ptr fileJson(const ManifestFile& f) {
    Object::Ptr o = ordered();
    o->set("path", f.path);
    o->set("size", f.size);
    o->set("sha256", f.sha256);
    o->set("inputs", f.inputs);
    return o;
}

Object::Ptr recordJson(const ManifestRecord& r) {
    Object::Ptr o = ordered();
    o->set("key", r.key);
    o->set("status", std::string(statusName(r.status)));
    if (!r.error.empty()) o->set("error", r.error);
    Array::Ptr files = new Array;
    for (const auto& f : r.files) files->add(fileJson(f));
    o->set("files", files);
    if (!r.warnings.empty()) {
        Array::Ptr warnings = new Array;
        for (const auto& w : r.warnings) warnings->add(w);
        o->set("warnings", warnings);
    }
    return o;
}

Array::Ptr strings(const std::vector<std::string>& items) {
    Array::Ptr a = new Array;
    for (const auto& s : items) a->add(s);
    return a;
}

ManifestFile readFile(const Object::Ptr& f) {
    return {f->getValue<std::string>("path"), f->getValue<std::uint64_t>("size"), f->getValue<std::string>("sha256"),
            f->optValue<std::string>("inputs", "")};
}

ManifestRecord readRecord(const Object::Ptr& o) {
    ManifestRecord r;
    r.key = o->getValue<std::string>("key");
    r.status = readStatus<RecordStatus>(o, "record");
    r.error = o->optValue<std::string>("error", "");
    if (auto files = o->getArray("files"))
        for (size_t k = 0; k < files->size(); ++k) r.files.push_back(readFile(files->getObject(static_cast<unsigned>(k))));
    if (auto warnings = o->getArray("warnings"))
        for (size_t k = 0; k < warnings->size(); ++k)
            r.warnings.push_back(warnings->getElement<std::string>(static_cast<unsigned>(k)));
    return r;
}

std::vector<std::string> readStrings(const Array::Ptr& a) {
    std::vector<std::string> out;
    if (a)
        for (size_t i = 0; i < a->size(); ++i) out.push_back(a->getElement<std::string>(static_cast<unsigned>(i)));
    return out;
}

}  // namespace

std::string toJson(const Manifest& m) {
    Object::Ptr root = ordered();
    root->set("batch", m.batch);
    root->set("engine", m.engine);
    root->set("source", m.source);
    root->set("shard", m.shard);
    Object::Ptr params = ordered();
    for (const auto& [k, v] : m.params) params->set(k, v);
    root->set("params", params);
    root->set("started", m.started);
    root->set("finished", m.finished);
    root->set("status", std::string(statusName(m.status)));
    if (!m.reason.empty()) root->set("reason", m.reason);
    root->set("total", m.total);
    root->set("rendered", m.records.size());
    Array::Ptr templates = new Array;
    for (const auto& t : m.templates) {
        Object::Ptr o = ordered();
        o->set("name", t.name);
        o->set("sha256", t.sha256);
        templates->add(o);
    }
    root->set("templates", templates);
    Array::Ptr records = new Array;
    for (const auto& r : m.records) records->add(recordJson(r));
    root->set("records", records);
    Array::Ptr notRendered = new Array;
    for (const auto& r : m.notRendered) notRendered->add(recordJson(r));
    root->set("not_rendered", notRendered);
    Array::Ptr packages = new Array;
    for (const auto& p : m.packages) {
        Object::Ptr o = ordered();
        o->set("path", p.path);
        o->set("status", std::string(statusName(p.status)));
        if (!p.reason.empty()) o->set("reason", p.reason);
        o->set("records", strings(p.records));
        o->set("members", strings(p.members));
        if (p.status != PackageStatus::NotWritten) {
            o->set("size", p.file.size);
            o->set("sha256", p.file.sha256);
            o->set("inputs", p.file.inputs);
        }
        packages->add(o);
    }
    root->set("packages", packages);
    std::ostringstream out;
    // Poco escapes non-ASCII as \uXXXX by default; keep UTF-8 readable.
    Poco::JSON::Stringifier::stringify(root, out, 1, -1, Poco::JSON_PRESERVE_KEY_ORDER | Poco::JSON_WRAP_STRINGS);
    out << "\n";
    return out.str();
}

std::optional<fs::path> insideFolder(const fs::path& base, const std::string& rel) {
    const fs::path p(rel);
    if (rel.empty() || p.is_absolute() || p.has_root_name() || p.has_root_directory()) return std::nullopt;
    for (const auto& part : p)
        if (part == "..") return std::nullopt;
    std::error_code ec;
    const fs::path root = fs::weakly_canonical(base.empty() ? fs::path(".") : base, ec);
    if (ec) return std::nullopt;
    const fs::path resolved = fs::weakly_canonical(root / p, ec);
    if (ec) return std::nullopt;
    auto r = root.begin();
    auto q = resolved.begin();
    for (; r != root.end(); ++r, ++q)
        if (q == resolved.end() || *r != *q) return std::nullopt;
    return resolved;
}

Manifest readManifest(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::Data, path.string() + ": cannot read the manifest");
    Manifest m;
    try {
        Poco::JSON::Parser parser;
        Object::Ptr root = parser.parse(in).extract<Object::Ptr>();
        m.batch = root->optValue<std::string>("batch", "");
        m.engine = root->optValue<std::string>("engine", "");
        m.source = root->optValue<std::string>("source", "");
        m.shard = root->optValue<std::string>("shard", "1/1");
        if (auto params = root->getObject("params"))
            for (const auto& k : params->getNames()) m.params[k] = params->getValue<std::string>(k);
        m.started = root->optValue<std::string>("started", "");
        m.finished = root->optValue<std::string>("finished", "");
        m.status = readStatus<RunStatus>(root, "run");
        m.reason = root->optValue<std::string>("reason", "");
        m.total = root->optValue<std::size_t>("total", 0);
        if (auto templates = root->getArray("templates"))
            for (size_t i = 0; i < templates->size(); ++i) {
                auto o = templates->getObject(static_cast<unsigned>(i));
                m.templates.push_back({o->getValue<std::string>("name"), o->getValue<std::string>("sha256")});
            }
        auto records = root->getArray("records");
        if (!records) throw Error(ErrorKind::Data, path.string() + ": not a GrantPress manifest (no \"records\")");
        for (size_t i = 0; i < records->size(); ++i) m.records.push_back(readRecord(records->getObject(static_cast<unsigned>(i))));
        if (auto notRendered = root->getArray("not_rendered"))
            for (size_t i = 0; i < notRendered->size(); ++i)
                m.notRendered.push_back(readRecord(notRendered->getObject(static_cast<unsigned>(i))));
        if (auto packages = root->getArray("packages"))
            for (size_t i = 0; i < packages->size(); ++i) {
                auto o = packages->getObject(static_cast<unsigned>(i));
                ManifestPackage p;
                p.path = o->getValue<std::string>("path");
                p.status = readStatus<PackageStatus>(o, "package");
                p.reason = o->optValue<std::string>("reason", "");
                p.records = readStrings(o->getArray("records"));
                p.members = readStrings(o->getArray("members"));
                if (p.status != PackageStatus::NotWritten)
                    p.file = {p.path, o->getValue<std::uint64_t>("size"), o->getValue<std::string>("sha256"),
                              o->optValue<std::string>("inputs", "")};
                m.packages.push_back(std::move(p));
            }
    } catch (const Poco::Exception& e) {
        throw Error(ErrorKind::Data, path.string() + ": malformed manifest: " + e.displayText());
    }
    return m;
}

VerifyResult verify(const fs::path& manifestPath) {
    const Manifest m = readManifest(manifestPath);
    const fs::path base = manifestPath.parent_path();
    VerifyResult result;
    auto check = [&](const ManifestFile& f) {
        ++result.checked;
        const auto p = insideFolder(base, f.path);
        if (!p) {
            result.problems.push_back({f.path, "refused: the path is absolute or leads outside the manifest's folder"});
            return;
        }
        std::error_code ec;
        auto size = fs::file_size(*p, ec);
        if (ec) result.problems.push_back({f.path, "missing"});
        else if (size != f.size)
            result.problems.push_back({f.path, "size " + std::to_string(size) + ", expected " + std::to_string(f.size)});
        else if (sha256File(*p) != f.sha256) result.problems.push_back({f.path, "altered: SHA-256 differs"});
    };
    for (const auto& r : m.records)
        for (const auto& f : r.files) check(f);
    for (const auto& p : m.packages)
        if (p.status != PackageStatus::NotWritten) check(p.file);
    if (m.status != RunStatus::Complete) {
        result.incomplete = std::string("the run is not complete: status '") + statusName(m.status) + "'";
        if (!m.notRendered.empty())
            result.incomplete += ", " + std::to_string(m.notRendered.size()) + " of " + std::to_string(m.total) +
                                 " records not rendered";
        if (!m.reason.empty()) result.incomplete += " (" + m.reason + ")";
        result.incomplete += "; run the batch again to complete it";
    }
    return result;
}

}  // namespace gp::batch
