#include "batch/manifest.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <fstream>
#include <sstream>

#include "batch/fingerprint.h"
#include "core/error.h"

namespace gp::batch {

namespace fs = std::filesystem;
using Poco::JSON::Array;
using Poco::JSON::Object;

std::string toJson(const Manifest& m) {
    Object::Ptr root = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    root->set("batch", m.batch);
    root->set("engine", m.engine);
    root->set("source", m.source);
    root->set("started", m.started);
    root->set("finished", m.finished);
    root->set("status", m.status);
    Array::Ptr templates = new Array;
    for (const auto& t : m.templates) {
        Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        o->set("name", t.name);
        o->set("sha256", t.sha256);
        templates->add(o);
    }
    root->set("templates", templates);
    Array::Ptr records = new Array;
    for (const auto& r : m.records) {
        Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        o->set("key", r.key);
        o->set("status", r.status);
        if (!r.error.empty()) o->set("error", r.error);
        Array::Ptr files = new Array;
        for (const auto& f : r.files) {
            Object::Ptr fo = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
            fo->set("path", f.path);
            fo->set("size", f.size);
            fo->set("sha256", f.sha256);
            fo->set("inputs", f.inputs);
            files->add(fo);
        }
        o->set("files", files);
        records->add(o);
    }
    root->set("records", records);
    std::ostringstream out;
    // Poco escapes non-ASCII as \uXXXX by default; keep UTF-8 readable.
    Poco::JSON::Stringifier::stringify(root, out, 1, -1, Poco::JSON_PRESERVE_KEY_ORDER | Poco::JSON_WRAP_STRINGS);
    out << "\n";
    return out.str();
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
        m.started = root->optValue<std::string>("started", "");
        m.finished = root->optValue<std::string>("finished", "");
        m.status = root->optValue<std::string>("status", "");
        if (auto templates = root->getArray("templates"))
            for (size_t i = 0; i < templates->size(); ++i) {
                auto o = templates->getObject(static_cast<unsigned>(i));
                m.templates.push_back({o->getValue<std::string>("name"), o->getValue<std::string>("sha256")});
            }
        auto records = root->getArray("records");
        if (!records) throw Error(ErrorKind::Data, path.string() + ": not a GrantPress manifest (no \"records\")");
        for (size_t i = 0; i < records->size(); ++i) {
            auto o = records->getObject(static_cast<unsigned>(i));
            ManifestRecord r;
            r.key = o->getValue<std::string>("key");
            r.status = o->getValue<std::string>("status");
            r.error = o->optValue<std::string>("error", "");
            if (auto files = o->getArray("files"))
                for (size_t k = 0; k < files->size(); ++k) {
                    auto f = files->getObject(static_cast<unsigned>(k));
                    r.files.push_back({f->getValue<std::string>("path"), f->getValue<std::uint64_t>("size"),
                                       f->getValue<std::string>("sha256"), f->optValue<std::string>("inputs", "")});
                }
            m.records.push_back(std::move(r));
        }
    } catch (const Poco::Exception& e) {
        throw Error(ErrorKind::Data, path.string() + ": malformed manifest: " + e.displayText());
    }
    return m;
}

std::vector<VerifyProblem> verify(const fs::path& manifestPath, std::size_t* checked) {
    const Manifest m = readManifest(manifestPath);
    const fs::path base = manifestPath.parent_path();
    std::vector<VerifyProblem> problems;
    std::size_t n = 0;
    for (const auto& r : m.records)
        for (const auto& f : r.files) {
            ++n;
            const fs::path p = base / fs::path(f.path);
            std::error_code ec;
            auto size = fs::file_size(p, ec);
            if (ec) problems.push_back({f.path, "missing"});
            else if (size != f.size)
                problems.push_back({f.path, "size " + std::to_string(size) + ", expected " + std::to_string(f.size)});
            else if (sha256File(p) != f.sha256) problems.push_back({f.path, "altered: SHA-256 differs"});
        }
    if (checked) *checked = n;
    return problems;
}

}  // namespace gp::batch
