#include "server/server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/URI.h>

#include <openssl/crypto.h>

#include <csignal>
#include <chrono>
#include <ctime>
#include <iostream>
#include <functional>
#include <istream>
#include <mutex>
#include <streambuf>

#include "batch/scheduler.h"
#include "core/error.h"
#include "core/time_stamp.h"
#include "server/impl.h"

namespace gp::server {
namespace fs = std::filesystem;

std::int64_t nowSeconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string sessionCookie(const Request& req, const std::string& id) {
    return "gp_session=" + id + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(Sessions::kLongest) +
           (req.header("x-forwarded-proto") == "https" ? "; Secure" : "");
}

namespace {

constexpr const char* kCookie = "gp_session";

int defaultWorkers() {
    const unsigned cores = std::thread::hardware_concurrency();
    return cores == 0 ? 2 : static_cast<int>(cores);
}

std::vector<std::string> splitPath(const std::string& path) {
    std::vector<std::string> out;
    std::size_t start = 1;  // after the leading '/'
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        if (end > start) out.push_back(decode(std::string_view(path).substr(start, end - start), false));
        start = end + 1;
    }
    return out;
}

std::map<std::string, std::string> cookiesOf(const std::string& header) {
    std::map<std::string, std::string> out;
    std::size_t start = 0;
    while (start < header.size()) {
        std::size_t end = header.find(';', start);
        if (end == std::string::npos) end = header.size();
        std::string pair = header.substr(start, end - start);
        const std::size_t first = pair.find_first_not_of(' ');
        if (first != std::string::npos) pair.erase(0, first);
        const std::size_t eq = pair.find('=');
        if (eq != std::string::npos) out.emplace(pair.substr(0, eq), pair.substr(eq + 1));
        start = end + 1;
    }
    return out;
}

// Reads the body up to `limit` bytes; false when there is more.
bool readBody(std::istream& in, std::size_t limit, std::string& body) {
    body.clear();
    char buffer[8192];
    while (in) {
        in.read(buffer, sizeof buffer);
        const auto got = static_cast<std::size_t>(in.gcount());
        if (got == 0) break;
        if (body.size() + got > limit) return false;
        body.append(buffer, got);
    }
    return true;
}

// An ostream whose complete lines go to the server's log one at a time (the scheduler writes
// from its own threads, the log has one writer at a time).
class LineSink : public std::streambuf {
public:
    explicit LineSink(std::function<void(const std::string&)> say) : say_(std::move(say)) {}

protected:
    int_type overflow(int_type c) override {
        if (c == traits_type::eof()) return traits_type::not_eof(c);
        std::lock_guard lock(mutex_);
        if (c == '\n') {
            say_(partial_);
            partial_.clear();
        } else {
            partial_ += static_cast<char>(c);
        }
        return c;
    }

private:
    std::function<void(const std::string&)> say_;
    std::mutex mutex_;
    std::string partial_;
};

class Handler : public Poco::Net::HTTPRequestHandler {
public:
    explicit Handler(Server::Impl& impl) : impl_(impl) {}

    void handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) override {
        ++impl_.inFlight;
        struct Done {
            std::atomic<int>& n;
            ~Done() { --n; }
        } done{impl_.inFlight};
        const auto began = std::chrono::steady_clock::now();
        Request req;
        Response res;
        try {
            res = answer(in, req);
        } catch (const Error& e) {
            res = errorResponse(e);
        } catch (const std::exception& e) {
            impl_.line("internal error on " + in.getMethod() + " " + req.path + ": " + e.what());
            res = problem(500, "internal", "the server failed on this request; the log says why");
        }
        std::size_t sent = 0;
        try {
            out.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(res.status));
            out.setContentType(res.type);
            out.setContentLength(static_cast<std::streamsize>(res.body.size()));
            out.set("X-Content-Type-Options", "nosniff");
            out.set("Cache-Control", "no-store");
            if (res.type.rfind("text/html", 0) == 0) {
                out.set("Content-Security-Policy",
                        "default-src 'self'; frame-src 'self'; object-src 'self'; frame-ancestors 'self'; form-action 'self'");
                out.set("X-Frame-Options", "SAMEORIGIN");
                out.set("Referrer-Policy", "same-origin");
            }
            for (const auto& [name, value] : res.headers) out.add(name, value);
            if (res.status == 413) out.setKeepAlive(false);  // its unread body must not be read as the next request
            if (in.getMethod() == "HEAD") {
                out.send();
            } else {
                out.sendBuffer(res.body.data(), res.body.size());
                sent = res.body.size();
            }
        } catch (const Poco::Exception&) {
            // The client went away: nothing to answer to, and no worker was held for it.
        }
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
        // One line per request: never the query string, a body or a cookie, which may hold secrets.
        impl_.line("access " + req.address + " " + (req.who ? req.who->user : std::string("-")) + " " +
                   in.getMethod() + " " + req.path + " " + std::to_string(res.status) + " " + std::to_string(sent) +
                   " " + std::to_string(ms.count()) + "ms");
    }

private:
    Response answer(Poco::Net::HTTPServerRequest& in, Request& req) {
        req.method = in.getMethod();
        req.address = in.clientAddress().host().toString();
        const std::string& uri = in.getURI();
        const std::size_t q = uri.find('?');
        req.path = uri.substr(0, q);
        if (req.path.empty() || req.path[0] != '/') return problem(400, "usage", "the request's path must start with '/'");
        req.segments = splitPath(req.path);
        for (const auto& segment : req.segments)
            if (segment == ".." || segment == "." || segment.find('\0') != std::string::npos ||
                segment.find('/') != std::string::npos)
                return problem(400, "usage", "the path may not contain '.' or '..' segments or an encoded '/'");
        if (q != std::string::npos) {
            Request query;
            query.body = uri.substr(q + 1);
            req.query = query.form();
        }
        for (const auto& [name, value] : in) {
            std::string lower = name;
            for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            req.headers[lower] = value;
        }
        req.cookies = cookiesOf(req.header("cookie"));
        const auto limit = static_cast<std::size_t>(impl_.cfg.server.maxBody);
        if (in.hasContentLength() && in.getContentLength64() > static_cast<Poco::Int64>(limit))
            return problem(413, "usage", "the request body is larger than " + std::to_string(limit) +
                                             " bytes ([server] max_body)");
        if (!readBody(in.stream(), limit, req.body))
            return problem(413, "usage", "the request body is larger than " + std::to_string(limit) +
                                             " bytes ([server] max_body)");
        impl_.authenticate(req);
        return impl_.dispatch(req);
    }

    Server::Impl& impl_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(Server::Impl& impl) : impl_(impl) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Handler(impl_);
    }

private:
    Server::Impl& impl_;
};

}  // namespace

Server::Impl::Impl(const config::Config& config, std::ostream& out)
    : cfg(config), log(out),
      gate(cfg.server.workers > 0 ? cfg.server.workers : defaultWorkers(),
           cfg.server.queue > 0 ? cfg.server.queue
                                : 4 * (cfg.server.workers > 0 ? cfg.server.workers : defaultWorkers())),
      runs(cfg, [this](const std::string& text) { line(text); }) {}

void Server::Impl::line(const std::string& text) {
    // A user name or path from a request may hold line breaks: one request, one log line.
    std::string safe = text;
    for (char& c : safe)
        if (static_cast<unsigned char>(c) < 0x20) c = '?';
    std::lock_guard lock(logMutex);
    log << "[" << localStamp(std::time(nullptr)) << "] " << safe << "\n" << std::flush;
}

std::shared_ptr<const Accounts> Server::Impl::currentAccounts() {
    std::lock_guard lock(accountsMutex);
    std::error_code ec;
    const auto time = fs::last_write_time(cfg.server.users, ec);
    const std::optional<fs::file_time_type> seen = ec ? std::nullopt : std::optional(time);
    if (accounts && seen == accountsTime) return accounts;
    try {
        accounts = std::make_shared<const Accounts>(Accounts::load(cfg.server.users));
        accountsTime = seen;
    } catch (const Error& e) {
        if (!accounts) throw;
        line("the accounts file could not be read again; the accounts read before stay: " + std::string(e.what()));
        accountsTime = seen;  // said once, not on every request
    }
    return accounts;
}

void Server::Impl::authenticate(Request& req) {
    const std::string authorization = req.header("authorization");
    const std::shared_ptr<const Accounts> all = currentAccounts();
    if (authorization.rfind("Bearer ", 0) == 0) {
        req.who = all->checkToken(authorization.substr(7));
        return;
    }
    auto cookie = req.cookies.find(kCookie);
    if (cookie == req.cookies.end()) return;
    if (auto session = sessions.find(cookie->second, nowSeconds())) {
        // The account as it is now: a removed user is signed out, a changed role applies at once.
        if (auto current = all->find(session->who.user)) {
            req.who = current;
            req.bySession = true;
            req.csrf = session->csrf;
        } else {
            sessions.remove(cookie->second);
        }
    }
}

std::optional<Response> Server::Impl::require(const Request& req, Role role) const {
    if (!req.who) {
        Response r = problem(401, "auth", "sign in first: a session (POST /api/session) or an API token (Authorization: Bearer …)");
        r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"grantpress\"");
        return r;
    }
    if (!allows(req.who->role, role))
        return problem(403, "auth", "this needs the role '" + std::string(roleName(role)) + "'; user '" + req.who->user +
                                        "' is '" + std::string(roleName(req.who->role)) + "'");
    return std::nullopt;
}

bool Server::Impl::csrfOk(const Request& req, const std::string& given) const {
    if (!req.bySession) return true;  // a token is not sent by a browser on its own
    return !req.csrf.empty() && given.size() == req.csrf.size() &&
           CRYPTO_memcmp(given.data(), req.csrf.data(), given.size()) == 0;
}

Response Server::Impl::dispatch(Request& req) {
    if (req.method != "GET" && req.method != "HEAD" && req.method != "POST" && req.method != "DELETE")
        return problem(405, "usage", "method " + req.method + " is not used here");
    if (!req.segments.empty() && req.segments[0] == "api") return api(req);
    return web(req);
}

// ----- Server ---------------------------------------------------------------------------------

Server::Server(const config::Config& cfg, std::ostream& log) : impl_(std::make_unique<Impl>(cfg, log)) {}

Server::~Server() { stop(); }

void Server::start() {
    Impl& s = *impl_;
    s.currentAccounts();  // a broken accounts file stops the start, naming its line
    Poco::Net::ServerSocket socket;
    try {
        // SO_REUSEADDR (a restart finds the port free at once), never SO_REUSEPORT: a second
        // server on the same port is refused instead of sharing its connections.
        const auto port = static_cast<Poco::UInt16>(s.cfg.server.port);
        // Poco's parser does not take "::", the IPv6 wildcard: it is built as one.
        const Poco::Net::SocketAddress address =
            s.cfg.server.bind == "::" ? Poco::Net::SocketAddress(Poco::Net::IPAddress(Poco::Net::IPAddress::IPv6), port)
                                      : Poco::Net::SocketAddress(s.cfg.server.bind, port);
        socket.bind(address, true, false);
        socket.listen(64);
    } catch (const Poco::Exception& e) {
        throw Error(ErrorKind::Output, s.cfg.file.string(), s.cfg.server.line,
                    "cannot listen on " + s.cfg.server.bind + ":" + std::to_string(s.cfg.server.port) + ": " +
                        e.displayText() + " (another server on this port? change [server] port)");
    }
    s.port = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    // Connections are served by their own threads; renders by the gate's workers.
    params->setMaxThreads(std::max(16, 4 * s.gate.workers()));
    params->setMaxQueued(256);
    params->setTimeout(Poco::Timespan(s.cfg.server.timeout, 0));
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(5, 0));
    params->setServerName("grantpress");
    s.http = std::make_unique<Poco::Net::HTTPServer>(new Factory(s), socket, params);
    s.http->start();
    s.line("listening on http://" + s.cfg.server.bind + ":" + std::to_string(s.port) + " with " +
           std::to_string(s.gate.workers()) + " render workers");
    if (s.cfg.server.schedule) {
        s.scheduler = std::thread([&s] {
            // The scheduler stamps its own lines; they reach the log whole, one writer at a time.
            LineSink sink([&s](const std::string& text) {
                std::lock_guard lock(s.logMutex);
                s.log << text << "\n" << std::flush;
            });
            std::ostream out(&sink);
            batch::ScheduleOptions options;
            options.stop = &s.scheduleStop;
            options.reload = &s.scheduleReload;
            options.reloadConfig = [file = s.cfg.file] { return config::Config::load(file); };
            options.log = &out;
            try {
                batch::schedule(s.cfg, options);
            } catch (const std::exception& e) {
                s.line(std::string("the scheduler stopped: ") + e.what());
            }
        });
    }
}

std::uint16_t Server::port() const { return impl_->port; }

void Server::reload() {
    Impl& s = *impl_;
    if (s.cfg.server.schedule) {
        s.scheduleReload = true;
        s.line("SIGHUP: the scheduler rereads " + s.cfg.file.string());
    } else {
        s.line("SIGHUP: nothing to reread without [server] schedule = true; the server's settings take a restart");
    }
}

void Server::stop() {
    Impl& s = *impl_;
    if (s.stopping.exchange(true)) return;
    if (s.http) {
        // No new connections; requests under way go on and end their connections, idle
        // keep-alive connections end (within the keep-alive timeout).
        s.http->stopAll(false);
        s.gate.drain();  // renders in flight finish
        // Give the connections that are sending their last bytes a moment, then close them.
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(s.cfg.server.timeout);
        while (s.http->currentConnections() > 0 && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        s.http->stopAll(true);
        // A handler still at work (a check over a slow database, a sign-in's hash) finishes
        // before the state it uses goes; its closed socket ends its answer.
        while (s.inFlight > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    s.scheduleStop = true;
    if (s.scheduler.joinable()) s.scheduler.join();
    s.runs.stopAll();
    if (s.http) s.line("stopped");
}

// ----- grantpress serve -----------------------------------------------------------------------

int serveCommand(const config::Config& cfg) {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    // Blocked in every thread the server starts: the main thread takes them with sigwait.
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    Server server(cfg, std::cout);
    server.start();
    int signal = 0;
    while (sigwait(&signals, &signal) == 0 && signal == SIGHUP) server.reload();
    std::cout << "[" << localStamp(std::time(nullptr)) << "] " << (signal == SIGTERM ? "SIGTERM" : "SIGINT")
              << ": finishing the requests in flight\n"
              << std::flush;
    server.stop();
    return 0;
}

}  // namespace gp::server
