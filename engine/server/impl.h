// The server's insides, shared by server.cpp (the listener, authentication, dispatch),
// api.cpp (/api/…) and web.cpp (the pages). Not for other folders.
#pragma once

#include <Poco/Net/HTTPServer.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>

#include "batch/history.h"
#include "config/config.h"
#include "server/accounts.h"
#include "server/http.h"
#include "server/server.h"
#include "server/state.h"

namespace gp::server {

std::int64_t nowSeconds();
// The Set-Cookie value of a new session: HttpOnly, SameSite=Strict, and Secure when the request
// came over https through a proxy (X-Forwarded-Proto; a client that sends it falsely only makes
// its own cookie stricter).
std::string sessionCookie(const Request& req, const std::string& id);
// The run a path's ID names in the history ("12"); nullopt when it is not a run number or
// names no run.
std::optional<batch::RunRecord> findRun(const config::Config& cfg, const std::string& id);

struct Server::Impl {
    Impl(const config::Config& config, std::ostream& out);

    config::Config cfg;
    std::ostream& log;
    std::mutex logMutex;

    // The accounts, read again when the file changes (`grantpress user` while serving). A
    // file that became unreadable keeps the accounts read before, and says so in the log.
    std::shared_ptr<const Accounts> currentAccounts();
    std::mutex accountsMutex;
    std::shared_ptr<const Accounts> accounts;
    std::optional<std::filesystem::file_time_type> accountsTime;

    Sessions sessions;
    Throttle throttle;
    RenderGate gate;
    Runs runs;

    std::unique_ptr<Poco::Net::HTTPServer> http;
    std::uint16_t port = 0;
    std::atomic<bool> stopping{false};
    // Requests being handled: stop() waits for them, so no handler outlives the state it uses.
    std::atomic<int> inFlight{0};
    std::atomic<bool> scheduleStop{false};
    std::atomic<bool> scheduleReload{false};
    std::thread scheduler;

    void line(const std::string& text);

    // ----- a request's way through ------------------------------------------------------
    void authenticate(Request& req);
    Response dispatch(Request& req);
    // nullopt when `req` may go on; else the answer: 401 (not signed in) or 403.
    std::optional<Response> require(const Request& req, Role role) const;
    // A state-changing request signed in with the cookie must carry the session's CSRF token
    // (header X-CSRF-Token, or the form field csrf).
    bool csrfOk(const Request& req, const std::string& given) const;

    // ----- /api -------------------------------------------------------------------------
    Response api(Request& req);
    Response apiLogin(Request& req);
    Response apiTemplates();
    Response apiChoices(const std::string& name, const std::string& param);
    Response apiRender(Request& req, const std::string& name);
    Response apiBatches();
    Response apiProgress(const std::string& name);
    Response apiRuns();
    Response apiRun(const std::string& id);
    Response apiRunFile(const Request& req, const std::string& id, const std::string& path);
    Response apiChecks();

    // ----- the pages --------------------------------------------------------------------
    Response web(Request& req);
    Response loginPage(const std::string& message, int status, const std::string& user);
    Response webLogin(Request& req);
    Response templatesPage(const Request& req);
    Response webRender(Request& req, const std::string& name);
    Response batchesPage(const Request& req);
    Response runPage(const Request& req, const std::string& id);
    Response checksPage(const Request& req);

    // Renders `name` with `params` into `format` ("pdf", "xlsx", or "zip" for both), through
    // the gate; the response carries the file (inline for a preview).
    Response renderFile(const std::string& name, const std::map<std::string, std::string>& params,
                        const std::string& format, bool inlinePreview);
    Response startRun(Request& req, const std::string& name, const std::map<std::string, std::string>& params);
};

}  // namespace gp::server
