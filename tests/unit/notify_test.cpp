// Batch alerts against real servers on loopback (tests/unit/notify_servers.py): aiosmtpd for
// e-mail (plain, STARTTLS, AUTH), Python's http.server for webhooks (plain and TLS).
#include <gtest/gtest.h>

#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "batch/notify.h"
#include "config/config.h"
#include "core/error.h"

extern char** environ;

namespace fs = std::filesystem;
using gp::batch::checkNotifyTarget;
using gp::batch::notify;
using gp::batch::NotifySpec;
using gp::batch::RunReport;
using gp::config::Config;
using Poco::JSON::Object;

namespace {

const fs::path kScript = fs::path(GP_SOURCE_DIR) / "tests/unit/notify_servers.py";

// ctest runs tests in parallel processes: every path is the test's own.
fs::path testDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return fs::path(::testing::TempDir()) / "gp-notify" / (std::string(info->test_suite_name()) + "." + info->name());
}

fs::path freshDir(const std::string& name) {
    fs::path dir = testDir() / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

std::string readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

std::size_t countFiles(const fs::path& dir, const std::string& ext) {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir)) n += e.path().extension() == ext;
    return n;
}

Object::Ptr readJson(const fs::path& p) {
    Poco::JSON::Parser parser;
    return parser.parse(readFile(p)).extract<Object::Ptr>();
}

std::string base64(const std::string& s) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);
    encoder << s;
    encoder.close();
    return out.str();
}

// A loopback port nobody listens on (bound, then released).
int closedPort() {
    Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
    int port = s.address().port();
    s.close();
    return port;
}

// One notify_servers.py process: started on a free port, stopped (SIGTERM, then SIGKILL) when
// it goes out of scope. Messages it receives land in dir().
class Server {
public:
    Server(const std::string& mode, const std::string& name, std::vector<std::string> extra = {})
        : dir_(freshDir(name)) {
        const fs::path portFile = dir_ / "port";
        const std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        std::vector<std::string> args = {python, kScript.string(), mode, portFile.string()};
        if (mode != "silent") args.push_back(dir_.string());
        args.insert(args.end(), extra.begin(), extra.end());
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (posix_spawnp(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0)
            throw std::runtime_error("cannot start " + python);
        port_ = waitForPort(portFile);
    }
    ~Server() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 100 && waitpid(pid_, nullptr, WNOHANG) == 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (::kill(pid_, 0) == 0) {
            ::kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    int port() const { return port_; }
    const fs::path& dir() const { return dir_; }

private:
    // The script publishes the port once it accepts connections.
    int waitForPort(const fs::path& portFile) {
        for (int i = 0; i < 300; ++i) {
            if (fs::exists(portFile)) return std::stoi(readFile(portFile));
            int status = 0;
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("notify_servers.py exited early (its error is above; python3-aiosmtpd installed?)");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        throw std::runtime_error("notify_servers.py did not open a port within 15 s");
    }

    fs::path dir_;
    pid_t pid_ = -1;
    int port_ = 0;
};

// Sets an environment variable for one scope.
class EnvVar {
public:
    EnvVar(const char* name, const std::string& value) : name_(name) { setenv(name, value.c_str(), 1); }
    ~EnvVar() { unsetenv(name_); }
    EnvVar(const EnvVar&) = delete;
    EnvVar& operator=(const EnvVar&) = delete;

private:
    const char* name_;
};

// A self-signed certificate for 127.0.0.1, made with openssl for the test that asks.
struct Certificate {
    fs::path cert, key;
};
Certificate certificate() {
    fs::path dir = freshDir("tls");
    Certificate made{dir / "cert.pem", dir / "key.pem"};
    const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost "
                            "-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout '" +
                            made.key.string() + "' -out '" + made.cert.string() + "' 2>/dev/null";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl could not make a test certificate");
    return made;
}

Config configWith(const std::string& extra, const std::string& name = "notify.ini") {
    fs::path dir = testDir();
    fs::create_directories(dir);
    fs::path p = dir / name;
    std::ofstream(p, std::ios::binary) << "[source.main]\nkind = sqlite\npath = x.db\n" << extra;
    return Config::load(p);
}

Config smtpConfig(int port, const std::string& more = "") {
    return configWith("[smtp]\nhost = 127.0.0.1\nport = " + std::to_string(port) + "\nfrom = gp@example.org\ntimeout = 5\n" +
                      more);
}

RunReport failedReport() {
    RunReport r;
    r.batch = "final_reports";
    r.trigger = "schedule";
    r.status = "failed";
    r.reason = "25 records failed";
    r.started = 1767225600;  // 2026-01-01T00:00:00Z
    r.finished = r.started + 192;
    r.total = 49;
    r.done = 20;
    r.skipped = 4;
    r.failed = 25;
    for (int i = 1; i <= 25; ++i)
        r.failures.emplace_back(std::to_string(1000 + i),
                                "Ошибка в записи " + std::to_string(1000 + i) + ": нет подписи руководителя «Иванов»");
    r.params = {{"year", "2025"}, {"grantor", "Фонд президентских грантов"}};
    r.manifest = "/srv/out/final_reports/final_reports.manifest.json";
    return r;
}

RunReport completeReport() {
    RunReport r = failedReport();
    r.status = "complete";
    r.reason.clear();
    r.done = 45;
    r.failed = 0;
    r.failures.clear();
    return r;
}

NotifySpec to(std::vector<std::string> targets, bool always = false) { return NotifySpec{std::move(targets), always}; }

}  // namespace

// ---------------------------------------------------------------- e-mail

TEST(NotifyMail, ArrivesWithSubjectCountsFailedIdsAndCyrillicIntact) {
    Server smtp("smtp", "mail-basic");
    auto lines = notify(smtpConfig(smtp.port()), to({"mailto:ops@example.org"}), failedReport());
    ASSERT_TRUE(lines.empty()) << joined(lines);
    ASSERT_EQ(countFiles(smtp.dir(), ".json"), 1u);
    Object::Ptr mail = readJson(smtp.dir() / "1.json");
    EXPECT_EQ(mail->getValue<std::string>("subject"), "GrantPress: batch final_reports failed (25 of 49 records)");
    EXPECT_EQ(mail->getValue<std::string>("mail_from"), "gp@example.org");
    EXPECT_EQ(mail->getArray("rcpt_tos")->getElement<std::string>(0), "ops@example.org");
    EXPECT_EQ(mail->getValue<std::string>("content_type"), "text/plain");
    EXPECT_EQ(mail->getValue<std::string>("charset"), "utf-8");
    Object::Ptr headers = mail->getObject("headers");
    EXPECT_TRUE(headers->has("Date"));
    EXPECT_EQ(headers->getValue<std::string>("From"), "gp@example.org");

    const std::string body = mail->getValue<std::string>("body");
    EXPECT_EQ(body.rfind("GrantPress batch final_reports failed (25 of 49 records).\n\n", 0), 0u) << body;
    for (const char* needle :
         {"Trigger:    schedule", "Outcome:    failed", "Reason:     25 records failed",
          "49 total, 20 done, 4 skipped (unchanged), 25 failed, 0 not run",
          "grantor = Фонд президентских грантов, year = 2025", "Started:    2026-01-01T00:00:00Z",
          "Finished:   2026-01-01T00:03:12Z", "Manifest:   /srv/out/final_reports/final_reports.manifest.json",
          "  1001: Ошибка в записи 1001: нет подписи руководителя «Иванов»", "  1020: ", "  and 5 more"})
        EXPECT_TRUE(contains(body, needle)) << needle << "\n" << body;
    EXPECT_FALSE(contains(body, "1021:")) << "only the first 20 failures are listed";

    // On the wire the UTF-8 body travels encoded: 7-bit, quoted-printable.
    const std::string raw = readFile(smtp.dir() / "1.eml");
    EXPECT_TRUE(contains(raw, "quoted-printable")) << raw.substr(0, 600);
    for (unsigned char c : raw) ASSERT_LT(c, 0x80) << "8-bit byte in the raw message";
}

TEST(NotifyMail, NotifyOnFailureSendsNothingForACompleteRunAndAlwaysSendsIt) {
    Server smtp("smtp", "mail-notify-on");
    const Config cfg = smtpConfig(smtp.port());
    EXPECT_TRUE(notify(cfg, to({"mailto:ops@example.org"}), completeReport()).empty());
    EXPECT_EQ(countFiles(smtp.dir(), ".json"), 0u) << "a complete run is not reported unless notify_on = always";

    EXPECT_TRUE(notify(cfg, to({"mailto:ops@example.org"}, true), completeReport()).empty());
    ASSERT_EQ(countFiles(smtp.dir(), ".json"), 1u);
    EXPECT_EQ(readJson(smtp.dir() / "1.json")->getValue<std::string>("subject"),
              "GrantPress: batch final_reports complete (49 of 49 records)");

    RunReport error = failedReport();
    error.status = "error";
    error.reason = "база данных недоступна";
    error.failures.clear();
    EXPECT_TRUE(notify(cfg, to({"mailto:ops@example.org"}), error).empty());
    ASSERT_EQ(countFiles(smtp.dir(), ".json"), 2u);
    Object::Ptr mail = readJson(smtp.dir() / "2.json");
    EXPECT_EQ(mail->getValue<std::string>("subject"), "GrantPress: batch final_reports could not run");

    RunReport stopped = failedReport();
    stopped.status = "stopped";
    stopped.notRun = 12;
    EXPECT_TRUE(notify(cfg, to({"mailto:ops@example.org"}), stopped).empty());
    ASSERT_EQ(countFiles(smtp.dir(), ".json"), 3u);
    EXPECT_EQ(readJson(smtp.dir() / "3.json")->getValue<std::string>("subject"),
              "GrantPress: batch final_reports stopped (12 of 49 records not run)");
    EXPECT_TRUE(contains(mail->getValue<std::string>("body"), "Reason:     база данных недоступна"));
}

TEST(NotifyMail, UnreachableServerGivesOneLineWithoutThePassword) {
    EnvVar pw("GP_TEST_SMTP_PASSWORD", "pa55-Секрет-word");
    const Config cfg = smtpConfig(closedPort(), "user = gp\npassword = ${system.env.GP_TEST_SMTP_PASSWORD}\n");
    std::vector<std::string> lines;
    EXPECT_NO_THROW(lines = notify(cfg, to({"mailto:ops@example.org"}), failedReport()));
    ASSERT_EQ(lines.size(), 1u) << joined(lines);
    EXPECT_EQ(lines[0].rfind("mailto:ops@example.org: ", 0), 0u) << lines[0];
    EXPECT_TRUE(contains(lines[0], "refused")) << lines[0];
    EXPECT_FALSE(contains(lines[0], "pa55")) << lines[0];
}

TEST(NotifyMail, StartTlsRequiredAgainstAServerWithoutItFails) {
    Server smtp("smtp", "mail-no-tls");
    auto lines = notify(smtpConfig(smtp.port(), "starttls = required\n"), to({"mailto:ops@example.org"}), failedReport());
    ASSERT_EQ(lines.size(), 1u) << joined(lines);
    EXPECT_TRUE(contains(lines[0], "does not offer STARTTLS, and [smtp] starttls = required")) << lines[0];
    EXPECT_EQ(countFiles(smtp.dir(), ".json"), 0u);
}

TEST(NotifyMail, StartTlsWhenOfferedThenLoginOverTls) {
    const Certificate c = certificate();
    Server smtp("smtp", "mail-tls", {"--tls", c.cert.string(), c.key.string(), "--auth", "gp", "pa55-word"});
    EnvVar trust("SSL_CERT_FILE", c.cert.string());
    EnvVar pw("GP_TEST_SMTP_PASSWORD", "pa55-word");
    const Config cfg = smtpConfig(smtp.port(), "user = gp\npassword = ${system.env.GP_TEST_SMTP_PASSWORD}\n");
    auto lines = notify(cfg, to({"mailto:ops@example.org"}), failedReport());
    ASSERT_TRUE(lines.empty()) << joined(lines);
    ASSERT_EQ(countFiles(smtp.dir(), ".json"), 1u);
    Object::Ptr mail = readJson(smtp.dir() / "1.json");
    EXPECT_TRUE(mail->getValue<bool>("tls"));
    EXPECT_EQ(mail->getValue<std::string>("login"), "gp");
}

TEST(NotifyMail, WrongPasswordFailsWithoutShowingIt) {
    const Certificate c = certificate();
    Server smtp("smtp", "mail-bad-login", {"--tls", c.cert.string(), c.key.string(), "--auth", "gp", "right-one"});
    EnvVar trust("SSL_CERT_FILE", c.cert.string());
    const Config cfg = smtpConfig(smtp.port(), "user = gp\npassword = wrong-Secret\n");
    auto lines = notify(cfg, to({"mailto:ops@example.org"}), failedReport());
    ASSERT_EQ(lines.size(), 1u) << joined(lines);
    EXPECT_TRUE(contains(lines[0], "refused the login of user gp")) << lines[0];
    for (const std::string& secret : {std::string("wrong-Secret"), base64("wrong-Secret"), base64(std::string("\0gp\0wrong-Secret", 16))})
        EXPECT_FALSE(contains(lines[0], secret)) << lines[0];
    EXPECT_EQ(countFiles(smtp.dir(), ".json"), 0u);
}

TEST(NotifyMail, UntrustedCertificateIsRejected) {
    const Certificate c = certificate();
    Server smtp("smtp", "mail-untrusted", {"--tls", c.cert.string(), c.key.string()});
    EnvVar trust("SSL_CERT_FILE", (testDir() / "no-such-ca.pem").string());
    auto lines = notify(smtpConfig(smtp.port()), to({"mailto:ops@example.org"}), failedReport());
    ASSERT_EQ(lines.size(), 1u) << joined(lines);
    EXPECT_TRUE(contains(lines[0], "certificate")) << lines[0];
    EXPECT_EQ(countFiles(smtp.dir(), ".json"), 0u);
}

TEST(NotifyMail, StartTlsOffSendsInPlainEvenWhenOffered) {
    const Certificate c = certificate();
    Server smtp("smtp", "mail-tls-off", {"--tls", c.cert.string(), c.key.string()});
    auto lines = notify(smtpConfig(smtp.port(), "starttls = off\n"), to({"mailto:ops@example.org"}), failedReport());
    ASSERT_TRUE(lines.empty()) << joined(lines);
    ASSERT_EQ(countFiles(smtp.dir(), ".json"), 1u);
    EXPECT_FALSE(readJson(smtp.dir() / "1.json")->getValue<bool>("tls"));
}

TEST(NotifyMail, NoPasswordSentUnencryptedUnlessStartTlsIsOff) {
    Server smtp("smtp", "mail-plain-login", {"--auth", "gp", "pa55-word"});
    auto lines = notify(smtpConfig(smtp.port(), "user = gp\npassword = pa55-word\n"), to({"mailto:ops@example.org"}),
                        failedReport());
    ASSERT_EQ(lines.size(), 1u) << joined(lines);
    EXPECT_TRUE(contains(lines[0], "not sending the password unencrypted")) << lines[0];
    EXPECT_FALSE(contains(lines[0], "pa55-word"));
    EXPECT_EQ(countFiles(smtp.dir(), ".json"), 0u);
}

TEST(NotifyMail, SilentServerTimesOut) {
    Server silent("silent", "mail-silent");
    const Config cfg = configWith("[smtp]\nhost = 127.0.0.1\nport = " + std::to_string(silent.port()) +
                                  "\nfrom = gp@example.org\ntimeout = 1\n");
    const auto start = std::chrono::steady_clock::now();
    auto lines = notify(cfg, to({"mailto:ops@example.org"}), failedReport());
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_EQ(lines.size(), 1u) << joined(lines);
    EXPECT_TRUE(contains(lines[0], "imeout")) << lines[0];
    EXPECT_LT(seconds, 10) << "the [smtp] timeout of 1 s was not applied";
}

TEST(NotifyMail, MissingSmtpSectionOrUnsetVariableIsALineNotAnException) {
    auto lines = notify(configWith(""), to({"mailto:ops@example.org"}), failedReport());
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_TRUE(contains(lines[0], "no [smtp] section")) << lines[0];

    unsetenv("GP_TEST_UNSET_PASSWORD");
    const Config cfg = smtpConfig(closedPort(), "user = gp\npassword = ${system.env.GP_TEST_UNSET_PASSWORD}\n");
    lines = notify(cfg, to({"mailto:ops@example.org"}), failedReport());
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_TRUE(contains(lines[0], "[smtp] password refers to ${system.env.GP_TEST_UNSET_PASSWORD}, which is not set"))
        << lines[0];
}

// ---------------------------------------------------------------- webhooks

TEST(NotifyWebhook, PostsTheSummaryAsJsonInAFixedOrder) {
    Server hook("http", "hook-ok", {"200"});
    const std::string url = "http://hook:s3cret-hook@127.0.0.1:" + std::to_string(hook.port()) + "/gp/alert?token=t0ken";
    auto lines = notify(configWith(""), to({url}), failedReport());
    ASSERT_TRUE(lines.empty()) << joined(lines);
    ASSERT_EQ(countFiles(hook.dir(), ".body"), 1u);
    Object::Ptr request = readJson(hook.dir() / "1.json");
    EXPECT_EQ(request->getValue<std::string>("path"), "/gp/alert?token=t0ken");
    Object::Ptr headers = request->getObject("headers");
    EXPECT_EQ(headers->getValue<std::string>("Content-Type"), "application/json");
    EXPECT_EQ(headers->getValue<std::string>("Authorization"), "Basic " + base64("hook:s3cret-hook"));

    const std::string raw = readFile(hook.dir() / "1.body");
    EXPECT_TRUE(contains(raw, "нет подписи руководителя «Иванов»")) << "UTF-8 kept, not \\u-escaped: " << raw;
    size_t last = 0;
    for (const char* key : {"batch", "trigger", "status", "reason", "started", "finished", "total", "done", "skipped",
                            "failed", "not_run", "failures", "params", "manifest"}) {
        size_t at = raw.find(std::string("\"") + key + "\":");
        ASSERT_NE(at, std::string::npos) << key;
        EXPECT_GT(at, last) << key << " out of order";
        last = at;
    }
    Object::Ptr summary = readJson(hook.dir() / "1.body");
    EXPECT_EQ(summary->getValue<std::string>("batch"), "final_reports");
    EXPECT_EQ(summary->getValue<std::string>("status"), "failed");
    EXPECT_EQ(summary->getValue<std::string>("started"), "2026-01-01T00:00:00Z");
    EXPECT_EQ(summary->getValue<int>("failed"), 25);
    EXPECT_EQ(summary->getValue<int>("not_run"), 0);
    EXPECT_EQ(summary->getArray("failures")->size(), 25u);
    EXPECT_EQ(summary->getArray("failures")->getObject(0)->getValue<std::string>("id"), "1001");
    EXPECT_EQ(summary->getObject("params")->getValue<std::string>("year"), "2025");
    EXPECT_EQ(summary->getValue<std::string>("manifest"), "/srv/out/final_reports/final_reports.manifest.json");
}

TEST(NotifyWebhook, Non2xxIsALineWithTheStatusAndNoCredentials) {
    Server hook("http", "hook-500", {"500"});
    const std::string url = "http://hook:s3cret-hook@127.0.0.1:" + std::to_string(hook.port()) + "/gp?token=t0ken";
    std::vector<std::string> lines;
    EXPECT_NO_THROW(lines = notify(configWith(""), to({url}), failedReport()));
    ASSERT_EQ(lines.size(), 1u) << joined(lines);
    EXPECT_EQ(lines[0], "http://127.0.0.1:" + std::to_string(hook.port()) + "/gp?...: HTTP 500 Internal Server Error");
    EXPECT_EQ(countFiles(hook.dir(), ".body"), 1u) << "the request did arrive";
}

TEST(NotifyWebhook, HttpsVerifiesTheCertificate) {
    const Certificate c = certificate();
    Server hook("http", "hook-tls", {"200", "--tls", c.cert.string(), c.key.string()});
    const std::string url = "https://127.0.0.1:" + std::to_string(hook.port()) + "/gp";
    {
        EnvVar trust("SSL_CERT_FILE", (testDir() / "no-such-ca.pem").string());
        auto lines = notify(configWith(""), to({url}), failedReport());
        ASSERT_EQ(lines.size(), 1u);
        EXPECT_TRUE(contains(lines[0], "certificate")) << lines[0];
        EXPECT_EQ(countFiles(hook.dir(), ".body"), 0u);
    }
    EnvVar trust("SSL_CERT_FILE", c.cert.string());
    auto lines = notify(configWith(""), to({url}), failedReport());
    ASSERT_TRUE(lines.empty()) << joined(lines);
    EXPECT_EQ(countFiles(hook.dir(), ".body"), 1u);
}

TEST(NotifyWebhook, EveryTargetIsTriedAndEachFailureIsOneLine) {
    Server ok("http", "hook-mixed-ok", {"204"});
    Server bad("http", "hook-mixed-bad", {"503"});
    const Config cfg = smtpConfig(closedPort());
    const std::string okUrl = "http://127.0.0.1:" + std::to_string(ok.port()) + "/ok";
    const std::string badUrl = "http://127.0.0.1:" + std::to_string(bad.port()) + "/bad";
    auto lines = notify(cfg, to({"mailto:ops@example.org", badUrl, okUrl, "ftp://example.org/x"}), failedReport());
    ASSERT_EQ(lines.size(), 3u) << joined(lines);
    EXPECT_EQ(lines[0].rfind("mailto:ops@example.org: ", 0), 0u) << lines[0];
    EXPECT_EQ(lines[1], badUrl + ": HTTP 503 Service Unavailable");
    EXPECT_TRUE(contains(lines[2], "is neither mailto:ADDRESS nor an http:// or https:// URL")) << lines[2];
    EXPECT_EQ(countFiles(ok.dir(), ".body"), 1u);
}

// ---------------------------------------------------------------- targets as written

TEST(NotifyTarget, AcceptsMailtoAndHttpUrls) {
    for (const char* t : {"mailto:ops@example.org", " https://hooks.example.org/gp ", "http://127.0.0.1:8080/x?k=v",
                          "MAILTO:ops@localhost"})
        EXPECT_NO_THROW(checkNotifyTarget(t, "reports.ini:12")) << t;
}

TEST(NotifyTarget, RefusesOthersSayingWhatToWrite) {
    for (const char* t : {"", "mailto:", "mailto:ops", "mailto:a@b.org,c@d.org", "mailto:a b@c.org", "mailto:a@.org",
                          "ftp://example.org/x", "https://", "http:///path", "hooks.example.org/gp", "https://host:99999999/"}) {
        try {
            checkNotifyTarget(t, "reports.ini:12");
            ADD_FAILURE() << "accepted: '" << t << "'";
        } catch (const gp::Error& e) {
            EXPECT_EQ(e.kind(), gp::ErrorKind::Config);
            EXPECT_EQ(std::string(e.what()).rfind("reports.ini:12: ", 0), 0u) << e.what();
            EXPECT_TRUE(contains(e.what(), "write e.g. notify = mailto:ops@example.org")) << e.what();
        }
    }
}

TEST(NotifyTarget, MessagesNeverShowAUrlsCredentials) {
    try {
        checkNotifyTarget("https://user:topsecret@/x?token=t0ken", "reports.ini:3");
        FAIL() << "a URL without host accepted";
    } catch (const gp::Error& e) {
        EXPECT_FALSE(contains(e.what(), "topsecret")) << e.what();
        EXPECT_FALSE(contains(e.what(), "t0ken")) << e.what();
    }
}

TEST(NotifyTarget, MailtoNeedsAnSmtpSection) {
    EXPECT_NO_THROW(checkNotifyTarget("https://hooks.example.org/gp", "reports.ini:7", configWith("")));
    EXPECT_NO_THROW(checkNotifyTarget("mailto:ops@example.org", "reports.ini:7", smtpConfig(25)));
    try {
        checkNotifyTarget("mailto:ops@example.org", "reports.ini:7", configWith(""));
        FAIL() << "mailto: without [smtp] accepted";
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), gp::ErrorKind::Config);
        EXPECT_TRUE(contains(e.what(), "reports.ini:7: mailto:ops@example.org needs an [smtp] section")) << e.what();
    }
}

// ---------------------------------------------------------------- [smtp] in reports.ini

namespace {

void expectSmtpError(const std::string& smtpSection, int line, const std::string& needle) {
    try {
        configWith(smtpSection, "bad-smtp.ini");
        ADD_FAILURE() << "accepted: " << smtpSection;
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), gp::ErrorKind::Config);
        EXPECT_EQ(e.line(), line) << e.what();
        EXPECT_TRUE(contains(e.what(), "bad-smtp.ini:" + std::to_string(line) + ": ")) << e.what();
        EXPECT_TRUE(contains(e.what(), needle)) << e.what();
    }
}

}  // namespace

TEST(SmtpConfig, DefaultsAndValues) {
    EXPECT_FALSE(configWith("").smtp.configured);
    const Config minimal = configWith("[smtp]\nhost = mail.example.org\nfrom = gp@example.org\n");
    EXPECT_TRUE(minimal.smtp.configured);
    EXPECT_EQ(minimal.smtp.line, 4);
    EXPECT_EQ(minimal.smtp.port, 25);
    EXPECT_EQ(minimal.smtp.timeout, 30);
    EXPECT_EQ(minimal.smtp.starttls, gp::config::SmtpConfig::StartTls::Auto);
    EXPECT_TRUE(minimal.smtp.user.empty());

    EnvVar user("GP_TEST_SMTP_USER", "robot");
    EnvVar pw("GP_TEST_SMTP_PASSWORD", "x${y}$z");
    const Config full = configWith(
        "[smtp]\nhost = mail.example.org\nport = 587\nfrom = gp@example.org\nuser = ${system.env.GP_TEST_SMTP_USER}\n"
        "password = ${system.env.GP_TEST_SMTP_PASSWORD}\nstarttls = required\ntimeout = 10\n");
    EXPECT_EQ(full.smtp.port, 587);
    EXPECT_EQ(full.smtp.timeout, 10);
    EXPECT_EQ(full.smtp.starttls, gp::config::SmtpConfig::StartTls::Required);
    EXPECT_EQ(full.smtp.password, "${system.env.GP_TEST_SMTP_PASSWORD}") << "kept as written";
    const auto settings = full.smtpSettings();
    EXPECT_EQ(settings.user, "robot");
    EXPECT_EQ(settings.password, "x${y}$z") << "a value is inserted verbatim";
    EXPECT_EQ(configWith("[smtp]\nhost = h\nfrom = a@b.org\nstarttls = off\n").smtp.starttls,
              gp::config::SmtpConfig::StartTls::Off);
}

TEST(SmtpConfig, BadValuesNameFileAndLine) {
    const std::string head = "[smtp]\nhost = mail.example.org\nfrom = gp@example.org\n";  // lines 4-6
    expectSmtpError(head + "port = 0\n", 7, "port = '0' is not a whole number between 1 and 65535");
    expectSmtpError(head + "port = 70000\n", 7, "between 1 and 65535");
    expectSmtpError(head + "port = 25x\n", 7, "port = '25x'");
    expectSmtpError(head + "timeout = 0\n", 7, "timeout = '0' is not a whole number between 1 and 600");
    expectSmtpError(head + "timeout = 601\n", 7, "between 1 and 600");
    expectSmtpError(head + "starttls = yes\n", 7, "starttls = 'yes' is not auto, required or off");
    expectSmtpError(head + "passwd = x\n", 7, "unknown key 'passwd' in [smtp]");
    expectSmtpError(head + "user = gp\n", 7, "needs both user and password");
    expectSmtpError(head + "password = x\n", 7, "needs both user and password");
    expectSmtpError("[smtp]\nhost = h\nfrom = gp@\n", 6, "from = 'gp@' is not an e-mail address");
    expectSmtpError("[smtp]\nhost = h\n", 4, "[smtp] needs from = the sender's address");
    expectSmtpError("[smtp]\nfrom = gp@example.org\n", 4, "[smtp] needs host =");
    expectSmtpError("[smtp]\nhost = h\n[smtp]\n", 6, "section [smtp] appears twice");
}

TEST(SmtpConfig, UnsetVariableNamesTheKeyNeverAValue) {
    unsetenv("GP_TEST_UNSET_PASSWORD");
    const Config cfg = configWith("[smtp]\nhost = h\nfrom = a@b.org\nuser = gp\npassword = ${system.env.GP_TEST_UNSET_PASSWORD}\n");
    try {
        cfg.smtpSettings();
        FAIL() << "unset variable accepted";
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), gp::ErrorKind::Config);
        EXPECT_EQ(e.line(), 8);
        EXPECT_TRUE(contains(e.what(), "[smtp] password refers to ${system.env.GP_TEST_UNSET_PASSWORD}, which is not set"))
            << e.what();
    }
    // A literal password with a stray "${" is refused without repeating any of it.
    const Config literal = configWith("[smtp]\nhost = h\nfrom = a@b.org\nuser = gp\npassword = hunter${2\n");
    try {
        literal.smtpSettings();
        FAIL() << "unclosed reference accepted";
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.line(), 8);
        EXPECT_FALSE(contains(e.what(), "hunter")) << e.what();
        EXPECT_FALSE(contains(e.what(), "${2")) << e.what();
    }
}

TEST(SmtpConfig, MailAddresses) {
    for (const char* ok : {"ops@example.org", "a.b+c@mail.example.org", "root@localhost"})
        EXPECT_TRUE(gp::config::isMailAddress(ok)) << ok;
    for (const char* bad : {"", "ops", "@example.org", "ops@", "a@b@c", "a b@c.org", "<a@b.org>", "a@b.org,c@d.org",
                            "a@.org", "a@org.", "a@b..org", "оps@example.org"})
        EXPECT_FALSE(gp::config::isMailAddress(bad)) << bad;
}
