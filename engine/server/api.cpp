// /api/…: JSON in, JSON (or the document) out. OpenAPI description: openapi.cpp.
#include <Poco/DateTime.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Zip/Compress.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "app/catalog.h"
#include "app/render_job.h"
#include "batch/batch.h"
#include "batch/history.h"
#include "batch/manifest.h"
#include "batch/package.h"
#include "core/time_stamp.h"
#include "server/impl.h"

namespace gp::server {
namespace fs = std::filesystem;
using Poco::JSON::Array;
using Poco::JSON::Object;

std::string openApiJson();

namespace {

std::string text(const Object& o) {
    std::ostringstream out;
    o.stringify(out);
    return out.str();
}

std::string text(const Array& a) {
    std::ostringstream out;
    a.stringify(out);
    return out.str();
}

Response notFound(const std::string& what) { return problem(404, "usage", what); }

Response methodNotAllowed(const std::string& allowed) {
    Response r = problem(405, "usage", "this address takes " + allowed);
    r.headers.emplace_back("Allow", allowed);
    return r;
}

// A JSON object body; gp::Error(Usage) when it is not one.
Poco::JSON::Object::Ptr jsonBody(const Request& req) {
    if (req.body.empty()) return new Object;
    try {
        Poco::JSON::Parser parser;
        Poco::Dynamic::Var parsed = parser.parse(req.body);
        if (parsed.type() == typeid(Object::Ptr)) return parsed.extract<Object::Ptr>();
    } catch (const Poco::Exception& e) {
        throw Error(ErrorKind::Usage, "the request body is not JSON: " + e.message());
    }
    throw Error(ErrorKind::Usage, "the request body must be a JSON object, e.g. {\"params\": {\"id\": 1645}}");
}

// A string field of a JSON body ("" when absent); gp::Error(Usage) when it is something else.
std::string stringField(const Object::Ptr& body, const std::string& name) {
    if (!body->has(name) || body->get(name).isEmpty()) return "";
    const Poco::Dynamic::Var v = body->get(name);
    if (!v.isString()) throw Error(ErrorKind::Usage, "\"" + name + "\" must be a string");
    return v.extract<std::string>();
}

// {"id": 1645, "year": "2022"} -> strings, as the command line gives them.
std::map<std::string, std::string> paramsOf(const Object::Ptr& body) {
    std::map<std::string, std::string> params;
    if (!body->has("params")) return params;
    Object::Ptr given = body->getObject("params");
    if (!given) throw Error(ErrorKind::Usage, "\"params\" must be an object of names and values");
    for (const auto& [name, value] : *given) {
        if (value.isEmpty()) continue;  // null: not given
        if (value.isArray() || value.type() == typeid(Object::Ptr))
            throw Error(ErrorKind::Usage, "parameter '" + name + "' must be a string, a number or true/false");
        params[name] = value.isBoolean() ? (value.extract<bool>() ? "true" : "false") : value.convert<std::string>();
    }
    return params;
}

Object::Ptr recordJson(const batch::RunRecord& r) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", r.id);
    o->set("batch", r.batch);
    o->set("trigger", r.trigger);
    o->set("started", isoUtc(r.started));
    if (r.finished) o->set("finished", isoUtc(r.finished));
    o->set("status", r.status);
    if (!r.reason.empty()) o->set("reason", r.reason);
    Object counts(Poco::JSON_PRESERVE_KEY_ORDER);
    counts.set("total", r.total);
    counts.set("done", r.done);
    counts.set("skipped", r.skipped);
    counts.set("failed", r.failed);
    counts.set("notRun", r.notRun);
    o->set("records", counts);
    Object params;
    for (const auto& [k, v] : r.params) params.set(k, v);
    o->set("params", params);
    Array failures;
    for (const auto& [id, error] : r.failures) {
        Object f(Poco::JSON_PRESERVE_KEY_ORDER);
        f.set("record", id);
        f.set("error", error);
        failures.add(f);
    }
    o->set("failures", failures);
    Array problems;
    for (const auto& p : r.notifyProblems) problems.add(p);
    o->set("notifyProblems", problems);
    return o;
}

// The files of a run, by the manifest's relative paths (the only paths a download may name).
std::vector<std::pair<std::string, std::uintmax_t>> runFiles(const batch::Manifest& m) {
    std::vector<std::pair<std::string, std::uintmax_t>> out;
    for (const auto& record : m.records)
        for (const auto& f : record.files) out.emplace_back(f.path, f.size);
    for (const auto& p : m.packages)
        if (!p.file.sha256.empty()) out.emplace_back(p.path, p.file.size);
    return out;
}

std::string contentType(const std::string& file) {
    const std::string ext = fs::path(file).extension().string();
    if (ext == ".pdf") return "application/pdf";
    if (ext == ".xlsx") return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    if (ext == ".zip") return "application/zip";
    if (ext == ".json") return "application/json; charset=utf-8";
    return "application/octet-stream";
}

// Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987):
// "заявка-1645.pdf" -> filename="______-1645.pdf"; filename*=UTF-8''%D0%B7….
std::string disposition(const std::string& name, bool inlinePreview) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string fallback, encoded;
    for (unsigned char c : name) {
        const bool plain = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
                           c == '_' || c == '.';
        if (plain) {
            fallback += static_cast<char>(c);
            encoded += static_cast<char>(c);
            continue;
        }
        if ((c & 0xC0) != 0x80) fallback += '_';  // one '_' per character, none for its continuation bytes
        encoded += '%';
        encoded += kHex[c >> 4];
        encoded += kHex[c & 15];
    }
    return std::string(inlinePreview ? "inline" : "attachment") + "; filename=\"" + fallback + "\"; filename*=UTF-8''" +
           encoded;
}

}  // namespace

Response Server::Impl::renderFile(const std::string& name, const std::map<std::string, std::string>& params,
                                  const std::string& format, bool inlinePreview) {
    app::RenderRequest request;
    request.templateName = name;
    request.params = params;
    if (format == "zip") request.formats = {"pdf", "xlsx"};
    else if (format == "pdf" || format == "xlsx") request.formats = {format};
    else throw Error(ErrorKind::Usage, "format '" + format + "' is not pdf, xlsx or zip (both in one archive)");
    if (name.find('/') != std::string::npos || name.find(".xml") != std::string::npos)
        throw Error(ErrorKind::Usage, "'" + name + "' is not a template name: the server renders the templates of its folder");
    if (stopping) return problem(503, "busy", "the server is stopping");
    if (!gate.enter(std::chrono::seconds(cfg.server.timeout))) {
        Response r = problem(503, "busy", "every render worker is busy and the queue is full; try again in a few seconds");
        r.headers.emplace_back("Retry-After", "5");
        return r;
    }
    app::MemoryDocument doc;
    {
        RenderGate::Slot slot(gate);
        doc = app::renderToMemory(cfg, request);
    }
    // The worker is free again: sending the bytes to a slow client holds only its connection.
    Response r;
    if (format == "zip") {
        std::ostringstream out;
        Poco::Zip::Compress zip(out, true);
        const Poco::DateTime when(Poco::Timestamp::fromEpochTime(std::max<std::int64_t>(cfg.created, 315532800)));
        for (const std::string& f : request.formats) {
            std::istringstream in(doc.buffers[f]);
            zip.addFile(in, when, Poco::Path(batch::asciiMemberPath(doc.baseName + "." + f), Poco::Path::PATH_UNIX));
        }
        zip.close();
        r.body = out.str();
    } else {
        r.body = std::move(doc.buffers[format]);
    }
    const std::string file = doc.baseName + "." + format;
    r.type = contentType(file);
    r.headers.emplace_back("Content-Disposition", disposition(file, inlinePreview));
    if (!doc.warnings.empty()) r.headers.emplace_back("X-GrantPress-Warnings", std::to_string(doc.warnings.size()));
    for (const auto& w : doc.warnings) line("warning: " + w);
    return r;
}

Response Server::Impl::api(Request& req) {
    const auto& s = req.segments;  // s[0] == "api"
    const std::string& m = req.method;
    const bool read = m == "GET" || m == "HEAD";
    if (s.size() == 2 && s[1] == "health") {
        if (!read) return methodNotAllowed("GET");
        // For monitoring: renders in flight and waiting against the limits.
        const auto [active, waiting] = gate.load();
        Object renders(Poco::JSON_PRESERVE_KEY_ORDER);
        renders.set("active", active);
        renders.set("waiting", waiting);
        renders.set("workers", gate.workers());
        renders.set("queue", gate.queue());
        Object o(Poco::JSON_PRESERVE_KEY_ORDER);
        o.set("status", std::string(stopping ? "stopping" : "ok"));
        o.set("renders", renders);
        return Response::json(200, text(o));
    }
    if (s.size() == 2 && s[1] == "openapi.json") return read ? Response::json(200, openApiJson()) : methodNotAllowed("GET");
    if (s.size() == 2 && s[1] == "session") {
        if (m == "POST") return apiLogin(req);
        if (m == "DELETE") {
            if (!csrfOk(req, req.header("x-csrf-token"))) return problem(403, "auth", "the X-CSRF-Token header is missing or wrong");
            if (auto c = req.cookies.find("gp_session"); c != req.cookies.end()) sessions.remove(c->second);
            Response r = Response::json(200, "{\"signedOut\":true}");
            r.headers.emplace_back("Set-Cookie", "gp_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
            return r;
        }
        if (read) {
            if (auto denied = require(req, Role::Viewer)) return *denied;
            Object o(Poco::JSON_PRESERVE_KEY_ORDER);
            o.set("user", req.who->user);
            o.set("role", std::string(roleName(req.who->role)));
            if (req.bySession) o.set("csrf", req.csrf);
            return Response::json(200, text(o));
        }
        return methodNotAllowed("GET, POST, DELETE");
    }
    // Everything else needs an account; a state-changing request by a browser session, its token.
    if (auto denied = require(req, Role::Viewer)) return *denied;
    if (!read && !csrfOk(req, req.header("x-csrf-token")))
        return problem(403, "auth", "the X-CSRF-Token header is missing or wrong (GET /api/session gives it)");

    if (s.size() == 2 && s[1] == "templates") return read ? apiTemplates() : methodNotAllowed("GET");
    if (s.size() == 6 && s[1] == "templates" && s[3] == "params" && s[5] == "choices")
        return read ? apiChoices(s[2], s[4]) : methodNotAllowed("GET");
    if (s.size() == 4 && s[1] == "templates" && s[3] == "render") {
        if (m != "POST") return methodNotAllowed("POST");
        const Object::Ptr body = jsonBody(req);
        const std::string given = stringField(body, "format");
        const std::string format = given.empty() ? "pdf" : given;
        return renderFile(s[2], paramsOf(body), format, false);
    }
    if (s.size() == 2 && s[1] == "batches") return read ? apiBatches() : methodNotAllowed("GET");
    if (s.size() == 4 && s[1] == "batches") {
        const std::string& name = s[2];
        if (s[3] == "progress") return read ? apiProgress(name) : methodNotAllowed("GET");
        if (s[3] == "runs") {
            if (m != "POST") return methodNotAllowed("POST");
            if (auto denied = require(req, Role::Operator)) return *denied;
            return startRun(req, name, paramsOf(jsonBody(req)));
        }
        if (s[3] == "stop") {
            if (m != "POST") return methodNotAllowed("POST");
            if (auto denied = require(req, Role::Operator)) return *denied;
            if (!runs.stop(name)) return problem(409, "busy", "batch '" + name + "' is not running");
            line("batch " + name + ": stop asked by " + req.who->user);
            return Response::json(202, "{\"stopping\":" + jsonString(name) + "}");
        }
    }
    if (s.size() == 2 && s[1] == "runs") return read ? apiRuns() : methodNotAllowed("GET");
    if (s.size() == 3 && s[1] == "runs") return read ? apiRun(s[2]) : methodNotAllowed("GET");
    if (s.size() >= 5 && s[1] == "runs" && s[3] == "files") {
        if (!read) return methodNotAllowed("GET");
        std::string path;
        for (std::size_t i = 4; i < s.size(); ++i) path += (i > 4 ? "/" : "") + s[i];
        return apiRunFile(req, s[2], path);
    }
    if (s.size() == 2 && s[1] == "checks") {
        if (!read) return methodNotAllowed("GET");
        if (auto denied = require(req, Role::Admin)) return *denied;
        return apiChecks();
    }
    return notFound("no such address: " + req.path + " (the API is described at /api/openapi.json)");
}

Response Server::Impl::apiLogin(Request& req) {
    const Object::Ptr body = jsonBody(req);
    const std::string user = stringField(body, "user");
    const std::string password = stringField(body, "password");
    if (user.empty() || password.empty()) throw Error(ErrorKind::Usage, "give \"user\" and \"password\"");
    const std::string key = user + "|" + req.address;
    if (const int wait = throttle.wait(key, nowSeconds()); wait > 0) {
        Response r = problem(429, "auth", "too many failed sign-ins: try again in " + std::to_string(wait) + " s");
        r.headers.emplace_back("Retry-After", std::to_string(wait));
        return r;
    }
    const auto who = currentAccounts()->checkPassword(user, password);
    if (!who) {
        throttle.failed(key, nowSeconds());
        line("sign-in failed for '" + user + "' from " + req.address);
        return problem(401, "auth", "wrong user name or password");
    }
    throttle.succeeded(key);
    const std::string id = sessions.create(*who, nowSeconds());
    const auto session = sessions.find(id, nowSeconds());
    Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("user", who->user);
    o.set("role", std::string(roleName(who->role)));
    o.set("csrf", session ? session->csrf : std::string());
    Response r = Response::json(200, text(o));
    r.headers.emplace_back("Set-Cookie", sessionCookie(req, id));
    req.who = who;
    return r;
}

Response Server::Impl::apiTemplates() {
    Array out;
    for (const auto& t : app::listTemplates(cfg)) {
        Object o(Poco::JSON_PRESERVE_KEY_ORDER);
        o.set("name", t.name);
        Array params;
        for (const auto& p : t.details) {
            Object po(Poco::JSON_PRESERVE_KEY_ORDER);
            po.set("name", p.name);
            po.set("type", p.type);
            po.set("required", p.required);
            if (p.secret) po.set("secret", true);
            if (p.choices) po.set("choices", "/api/templates/" + t.name + "/params/" + p.name + "/choices");
            if (p.defaultValue && !p.secret) po.set("default", *p.defaultValue);
            params.add(po);
        }
        o.set("params", params);
        if (t.broken) {
            Object broken(Poco::JSON_PRESERVE_KEY_ORDER);
            broken.set("message", t.broken->message());
            if (!t.broken->file().empty()) broken.set("file", t.broken->file());
            if (t.broken->line() > 0) broken.set("line", t.broken->line());
            o.set("broken", broken);
        }
        out.add(o);
    }
    return Response::json(200, text(out));
}

Response Server::Impl::apiChoices(const std::string& name, const std::string& param) {
    if (name.find('/') != std::string::npos || name.find(".xml") != std::string::npos)
        throw Error(ErrorKind::Usage, "'" + name + "' is not a template name");
    Array out;
    for (const auto& c : app::paramChoices(cfg, name, param, "")) {
        Object o(Poco::JSON_PRESERVE_KEY_ORDER);
        o.set("value", c.value);
        o.set("label", c.label);
        out.add(o);
    }
    return Response::json(200, text(out));
}

Response Server::Impl::startRun(Request& req, const std::string& name, const std::map<std::string, std::string>& params) {
    runs.start(name, params, req.who->user);
    line("batch " + name + ": started by " + req.who->user);
    return Response::json(202, "{\"started\":" + jsonString(name) + ",\"progress\":" +
                                   jsonString("/api/batches/" + name + "/progress") + "}");
}

Response Server::Impl::apiBatches() {
    Array out;
    for (const auto& spec : batch::batches(cfg)) {
        Object o(Poco::JSON_PRESERVE_KEY_ORDER);
        o.set("name", spec.name);
        Array templates, formats;
        for (const auto& t : spec.templates) templates.add(t);
        for (const auto& f : spec.formats) formats.add(f);
        o.set("templates", templates);
        o.set("formats", formats);
        if (!spec.schedule.empty()) o.set("schedule", spec.schedule);
        o.set("running", runs.running(spec.name));
        out.add(o);
    }
    return Response::json(200, text(out));
}

Response Server::Impl::apiProgress(const std::string& name) {
    batch::findBatch(batch::batches(cfg), name);  // unknown: a usage error
    Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("batch", name);
    const auto p = runs.progress(name);
    o.set("running", p && p->running);
    if (p) {
        o.set("startedBy", p->user);
        o.set("started", isoUtc(static_cast<std::time_t>(p->started)));
        Array lines;
        for (const auto& l : p->lines) lines.add(l);
        o.set("lines", lines);
        if (p->run) o.set("run", *p->run);
        if (!p->status.empty()) o.set("status", p->status);
    }
    return Response::json(200, text(o));
}

Response Server::Impl::apiRuns() {
    batch::History history(batch::History::defaultPath(cfg));
    Array out;
    for (const auto& r : history.recent(100)) out.add(recordJson(r));
    return Response::json(200, text(out));
}

// The run `id` names in the history; nullopt when it names none.
std::optional<batch::RunRecord> findRun(const config::Config& cfg, const std::string& id) {
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), n);
    if (ec != std::errc() || end != id.data() + id.size() || n <= 0) return std::nullopt;
    return batch::History(batch::History::defaultPath(cfg)).get(n);
}

Response Server::Impl::apiRun(const std::string& id) {
    const auto r = findRun(cfg, id);
    if (!r) return notFound("no run '" + id + "' in the history");
    Object::Ptr o = recordJson(*r);
    Array files;
    if (!r->manifest.empty() && fs::exists(r->manifest)) {
        try {
            for (const auto& [path, size] : runFiles(batch::readManifest(r->manifest))) {
                Object f(Poco::JSON_PRESERVE_KEY_ORDER);
                f.set("path", path);
                f.set("size", static_cast<Poco::UInt64>(size));
                f.set("href", "/api/runs/" + id + "/files/" + path);
                files.add(f);
            }
            Object f(Poco::JSON_PRESERVE_KEY_ORDER);
            const std::string manifest = fs::path(r->manifest).filename().string();
            f.set("path", manifest);
            f.set("href", "/api/runs/" + id + "/files/" + manifest);
            files.add(f);
        } catch (const Error& e) {
            o->set("filesError", e.message());
        }
    }
    o->set("files", files);
    return Response::json(200, text(*o));
}

Response Server::Impl::apiRunFile(const Request&, const std::string& id, const std::string& path) {
    const auto r = findRun(cfg, id);
    if (!r || r->manifest.empty()) return notFound("no run '" + id + "' with files in the history");
    const fs::path manifest = r->manifest;
    // Only a file the manifest lists (or the manifest itself) may be fetched: a path from the
    // request never reaches the file system otherwise.
    bool listed = path == manifest.filename().string();
    if (!listed)
        for (const auto& [file, size] : runFiles(batch::readManifest(manifest)))
            if (file == path) listed = true;
    if (!listed) return notFound("run " + id + " has no file '" + path + "'");
    // The manifest is not trusted either: a listed path that leaves the run's folder is refused.
    const auto file = batch::insideFolder(manifest.parent_path(), path);
    if (!file) return notFound("run " + id + " has no file '" + path + "' inside its folder");
    std::ifstream in(*file, std::ios::binary);
    if (!in) return notFound("the file '" + path + "' of run " + id + " is gone from the batch folder");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    Response res;
    res.body = bytes.str();
    res.type = contentType(path);
    res.headers.emplace_back("Content-Disposition", disposition(fs::path(path).filename().string(), false));
    return res;
}

Response Server::Impl::apiChecks() {
    const app::CheckReport report = app::checkTemplates(cfg, {}, "");
    Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    Array templates;
    for (const auto& t : report.templates) {
        Object to(Poco::JSON_PRESERVE_KEY_ORDER);
        to.set("name", t.name);
        Array problems;
        for (const auto& e : t.problems) {
            Object p(Poco::JSON_PRESERVE_KEY_ORDER);
            p.set("message", e.message());
            p.set("file", fs::path(e.file()).filename().string());
            if (e.line() > 0) p.set("line", e.line());
            if (e.column() > 0) p.set("column", e.column());
            problems.add(p);
        }
        to.set("problems", problems);
        templates.add(to);
    }
    o.set("templates", templates);
    if (report.noDatabase) o.set("noDatabase", report.noDatabase->message());
    o.set("problems", report.problems());
    return Response::json(200, text(o));
}

}  // namespace gp::server
