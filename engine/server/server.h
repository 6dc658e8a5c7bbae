// `grantpress serve`: the engine behind HTTP for the people who use its documents — a web page
// in Russian (templates with their parameter forms, render and download, batches run and
// followed, run history and files, template checks) and a JSON API with the same errors as
// the CLI (docs: /api/openapi.json). Accounts with roles (server/accounts.h), sessions with
// CSRF tokens, API tokens; renders bounded by a worker pool with a queue (503 beyond it);
// every request logged on one line without secrets. Listens on loopback unless [server] bind
// says otherwise; plain HTTP — TLS belongs to a reverse proxy in front (docs/server.md).
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>

#include "config/config.h"

namespace gp::server {

class Server {
public:
    // `log`: the access log and the server's own lines (one per request, one per batch run).
    Server(const config::Config& cfg, std::ostream& log);
    ~Server();  // stop()
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds [server] bind:port and starts answering; gp::Error(Output) when the address is
    // taken or not this machine's, Error(Config) for an unreadable users file.
    void start();
    std::uint16_t port() const;
    // Stops accepting, lets the requests and renders in flight finish, stops batch runs (their
    // documents in flight finish and their manifests are written) and the scheduler.
    void stop();
    // SIGHUP: the scheduler inside ([server] schedule = true) rereads reports.ini as
    // `grantpress schedule` does; the server's own settings take a restart.
    void reload();

    struct Impl;  // the insides: server/impl.h, for the server's own files

private:
    std::unique_ptr<Impl> impl_;
};

// Starts the server, waits for SIGTERM or SIGINT, stops it gracefully; returns the exit code
// (0 after a clean stop). SIGHUP reloads (Server::reload) and never stops it.
int serveCommand(const config::Config& cfg);

}  // namespace gp::server
