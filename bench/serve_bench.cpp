// Server benchmark: `grantpress serve` (the real Server, in a child process) on loopback, N
// concurrent clients each rendering the application PDF for different projects over keep-alive
// connections with an API token. Prints documents per second, latency p50/p99, the server's CPU
// per document and its resident memory after the first 1,000 requests and at the end (flat
// memory: the two are close).
//
//   scripts/make-sample-db.sh --generator build/gp-samplegen --projects 1000 --out /tmp/bench.db
//   build/bench/serve_bench /tmp/bench.db [REQUESTS=2000] [CLIENTS=8]
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "server/accounts.h"
#include "server/server.h"

namespace fs = std::filesystem;
using namespace Poco::Data::Keywords;

namespace {

long rssKb(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return 0;
}

double cpuSeconds(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string f;
    long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
        if (i == 14) utime = std::stol(f);
        if (i == 15) stime = std::stol(f);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s SAMPLE.db [REQUESTS=2000] [CLIENTS=8]\n", argv[0]);
        return 64;
    }
    const fs::path db = fs::absolute(argv[1]);
    const long requests = argc > 2 ? std::stol(argv[2]) : 2000;
    const int clients = argc > 3 ? std::stoi(argv[3]) : 8;
    const fs::path dir = fs::temp_directory_path() / "gp-serve-bench";
    fs::remove_all(dir);
    fs::create_directories(dir);

    gp::server::Accounts accounts;
    accounts.addUser("bench", gp::server::Role::Viewer, "bench-password-1234");
    const std::string token = accounts.addToken("bench", 0);
    accounts.save(dir / "users");

    std::uint16_t port = 0;
    {
        Poco::Net::ServerSocket probe(0);
        port = probe.address().port();
    }
    const fs::path config = dir / "serve-bench.ini";
    {
        std::ofstream ini(config);
        ini << "[engine]\ntemplates = " << GP_SOURCE_DIR << "/templates\nfonts = " << GP_SOURCE_DIR
            << "/fonts\noutput = " << dir.string() << "/out\ncreated = 2026-01-01\n"
            << "[source.sample]\nkind = sqlite\npath = " << db.string() << "\n"
            << "[server]\nport = " << port << "\nusers = " << (dir / "users").string() << "\nqueue = 256\n";
    }

    std::vector<long> ids;
    Poco::Data::SQLite::Connector::registerConnector();
    {
        Poco::Data::Session session("SQLite", db.string());
        session << "SELECT id FROM projects ORDER BY id LIMIT 1000", into(ids), now;
    }
    if (ids.empty()) {
        std::fprintf(stderr, "serve_bench: no projects in %s\n", db.c_str());
        return 1;
    }

    std::fflush(stdout);
    const pid_t server = fork();
    if (server == 0) {
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);
        try {
            const auto cfg = gp::config::Config::load(config);
            std::ostringstream log;  // the access log: kept out of the figures' way
            gp::server::Server s(cfg, log);
            s.start();
            int sig = 0;
            sigwait(&signals, &sig);
            s.stop();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "serve_bench: the server: %s\n", e.what());
            _exit(1);
        }
        _exit(0);
    }

    // Ready when /api/health answers.
    for (int i = 0; i < 200; ++i) {
        try {
            Poco::Net::HTTPClientSession s("127.0.0.1", port);
            Poco::Net::HTTPRequest req("GET", "/api/health");
            s.sendRequest(req);
            Poco::Net::HTTPResponse res;
            s.receiveResponse(res);
            if (res.getStatus() == 200) break;
        } catch (const Poco::Exception&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }

    std::atomic<long> next{0};
    std::atomic<long> failures{0};
    std::mutex mutex;
    std::vector<double> latencies;
    latencies.reserve(static_cast<std::size_t>(requests));
    long rssAfterWarmup = 0;
    double cpuAtWarmup = 0;
    auto warmupEnd = std::chrono::steady_clock::now();
    const long warmup = std::min<long>(1000, requests / 5);

    auto client = [&] {
        Poco::Net::HTTPClientSession session("127.0.0.1", port);
        session.setKeepAlive(true);
        for (long i = next++; i < requests; i = next++) {
            const std::string body = "{\"params\": {\"id\": " + std::to_string(ids[static_cast<std::size_t>(i) % ids.size()]) +
                                     "}, \"format\": \"pdf\"}";
            const auto start = std::chrono::steady_clock::now();
            try {
                Poco::Net::HTTPRequest req("POST", "/api/templates/application/render", Poco::Net::HTTPMessage::HTTP_1_1);
                req.set("Authorization", "Bearer " + token);
                req.setContentType("application/json");
                req.setContentLength(static_cast<std::streamsize>(body.size()));
                req.setKeepAlive(true);
                session.sendRequest(req) << body;
                Poco::Net::HTTPResponse res;
                std::istream& in = session.receiveResponse(res);
                std::string pdf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
                if (res.getStatus() != 200 || pdf.rfind("%PDF", 0) != 0) ++failures;
            } catch (const Poco::Exception&) {
                ++failures;
                session.reset();
            }
            const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            std::lock_guard lock(mutex);
            latencies.push_back(ms);
            if (static_cast<long>(latencies.size()) == warmup) {
                rssAfterWarmup = rssKb(server);
                cpuAtWarmup = cpuSeconds(server);
                warmupEnd = std::chrono::steady_clock::now();
            }
        }
    };
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) threads.emplace_back(client);
    for (auto& t : threads) t.join();
    const auto end = std::chrono::steady_clock::now();
    const long rssEnd = rssKb(server);
    const double cpuEnd = cpuSeconds(server);
    kill(server, SIGTERM);
    int status = 0;
    waitpid(server, &status, 0);

    std::sort(latencies.begin(), latencies.end());
    const auto pct = [&](double p) { return latencies[static_cast<std::size_t>(p * static_cast<double>(latencies.size() - 1))]; };
    const long measured = requests - warmup;
    const double secs = std::chrono::duration<double>(end - warmupEnd).count();
    std::printf("clients=%d requests=%ld (first %ld as warm-up) failed=%ld  %.1f documents/s  latency p50 %.1f ms, "
                "p99 %.1f ms  server CPU %.2f ms/document  server RSS %.1f MB after %ld requests, %.1f MB after %ld\n",
                clients, requests, warmup, failures.load(), static_cast<double>(measured) / secs, pct(0.5), pct(0.99),
                (cpuEnd - cpuAtWarmup) * 1000 / static_cast<double>(measured), static_cast<double>(rssAfterWarmup) / 1024,
                warmup, static_cast<double>(rssEnd) / 1024, requests);
    fs::remove_all(dir);
    return failures > 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ? 1 : 0;
}
