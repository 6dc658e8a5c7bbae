// grantpress: the thin command-line front of the engine library. Parses arguments with
// Poco::Util::Application, calls gp::app, and maps gp::Error kinds to exit codes.
#include <Poco/Util/Application.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionSet.h>

#include <unistd.h>

#include <iostream>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "app/catalog.h"
#include "app/render_job.h"
#include "cli/batch_commands.h"
#include "cli/user_commands.h"
#include "config/config.h"
#include "core/error.h"
#include "core/strings.h"
#include "output/atomic_file.h"
#include "server/server.h"

namespace {

using Poco::Util::Option;
using Poco::Util::OptionSet;

constexpr int kExitUsage = 64;

class GrantPress : public Poco::Util::Application {
protected:
    void defineOptions(OptionSet& options) override {
        Application::defineOptions(options);
        options.addOption(Option("help", "h", "show this help and exit").callback(
            Poco::Util::OptionCallback<GrantPress>(this, &GrantPress::onHelp)));
        options.addOption(Option("config", "c", "configuration file (default: reports.ini)")
                              .argument("FILE")
                              .callback(Poco::Util::OptionCallback<GrantPress>(this, &GrantPress::onConfig)));
        options.addOption(Option("param", "p", "template parameter, repeatable: --param id=1645")
                              .argument("NAME=VALUE")
                              .repeatable(true)
                              .callback(Poco::Util::OptionCallback<GrantPress>(this, &GrantPress::onParam)));
        options.addOption(Option("format", "f", "output formats (default: pdf,xlsx)")
                              .argument("LIST")
                              .callback(Poco::Util::OptionCallback<GrantPress>(this, &GrantPress::onFormat)));
        options.addOption(Option("out", "o", "output folder (default: [engine] output / template name)")
                              .argument("DIR")
                              .callback(Poco::Util::OptionCallback<GrantPress>(this, &GrantPress::onOut)));
        options.addOption(Option("source", "s", "data source from reports.ini (default: default_source)")
                              .argument("NAME")
                              .callback(Poco::Util::OptionCallback<GrantPress>(this, &GrantPress::onSource)));
        options.addOption(Option("workers", "w", "batch: parallel workers (default: the batch's workers)")
                              .argument("N")
                              .callback(Poco::Util::OptionCallback<GrantPress>(this, &GrantPress::onWorkers)));
        options.addOption(Option("force", "", "batch: redo every document, even unchanged ones")
                              .callback(Poco::Util::OptionCallback<GrantPress>(this, &GrantPress::onFlag)));
        options.addOption(Option("shard", "", "batch: take share K of N of the records, e.g. --shard 1/3")
                              .argument("K/N")
                              .callback(Poco::Util::OptionCallback<GrantPress>(this, &GrantPress::onShard)));
        options.addOption(Option("quiet", "q", "batch: no progress output")
                              .callback(Poco::Util::OptionCallback<GrantPress>(this, &GrantPress::onFlag)));
        options.addOption(Option("now", "", "schedule: pretend the time is 'YYYY-MM-DD HH:MM'")
                              .argument("TIME")
                              .callback(Poco::Util::OptionCallback<GrantPress>(this, &GrantPress::onNow)));
        options.addOption(Option("once", "", "schedule: run what is due now, then exit")
                              .callback(Poco::Util::OptionCallback<GrantPress>(this, &GrantPress::onFlag)));
        options.addOption(Option("role", "", "user add: the account's role: viewer, operator or admin")
                              .argument("ROLE")
                              .callback(Poco::Util::OptionCallback<GrantPress>(this, &GrantPress::onRole)));
        options.addOption(Option("show", "", "runs: show one run in full")
                              .argument("ID")
                              .callback(Poco::Util::OptionCallback<GrantPress>(this, &GrantPress::onShow)));
    }

    // Which command takes which option: any other is refused, never ignored.
    static const std::map<std::string, std::set<std::string>>& applicable() {
        static const std::map<std::string, std::set<std::string>> table = {
            {"render", {"config", "param", "format", "out", "source"}},
            {"templates", {"config"}},
            {"check", {"config", "source"}},
            {"batch", {"config", "param", "out", "source", "workers", "force", "shard", "quiet", "now"}},
            {"verify", {}},
            {"schedule", {"config", "param", "now", "once"}},
            {"runs", {"config", "show"}},
            {"serve", {"config"}},
            {"user", {"config", "role"}},
        };
        return table;
    }

    void refuseInapplicable(const std::string& command) const {
        auto it = applicable().find(command);
        if (it == applicable().end()) return;  // unknown command: reported as such
        for (const auto& option : given_) {
            if (it->second.count(option)) continue;
            std::string takers;
            for (const auto& [c, options] : applicable())
                if (options.count(option)) takers += (takers.empty() ? "" : ", ") + c;
            throw gp::Error(gp::ErrorKind::Usage, "--" + option + " does not apply to '" + command + "'" +
                                                      (takers.empty() ? "" : " (it is for: " + takers + ")"));
        }
    }

    void handleOption(const std::string& name, const std::string& value) override {
        Application::handleOption(name, value);
        if (name != "help") given_.insert(name);
    }

    int main(const ArgVec& args) override {
        if (help_) {
            printHelp();
            return EXIT_OK;
        }
        try {
            if (args.empty()) throw gp::Error(gp::ErrorKind::Usage, "no command given");
            const std::string& command = args[0];
            refuseInapplicable(command);
            if (command == "render") return render(args);
            if (command == "templates") return templates(args);
            if (command == "check") return check(args);
            if (command == "batch") {
                if (args.size() != 2) throw gp::Error(gp::ErrorKind::Usage, "batch takes one batch name: batch NAME");
                return gp::cli::batchCommand(loadConfig(), args[1], batchFlags());
            }
            if (command == "verify") {
                if (args.size() != 2) throw gp::Error(gp::ErrorKind::Usage, "verify takes one manifest: verify MANIFEST");
                return gp::cli::verifyCommand(args[1]);
            }
            if (command == "schedule") {
                if (args.size() != 1) throw gp::Error(gp::ErrorKind::Usage, "schedule takes no arguments");
                return gp::cli::scheduleCommand(loadConfig(), batchFlags());
            }
            if (command == "serve") {
                if (args.size() != 1) throw gp::Error(gp::ErrorKind::Usage, "serve takes no arguments: its settings are in [server]");
                return gp::server::serveCommand(loadConfig());
            }
            if (command == "user") {
                std::vector<std::string> words(args.begin() + 1, args.end());
                if (!role_.empty()) {
                    words.push_back("--role");
                    words.push_back(role_);
                }
                const gp::config::Config cfg = loadConfig();
                return gp::cli::userCommand(words, cfg.server.users, std::cin, std::cout, std::cerr, isatty(STDIN_FILENO) == 1);
            }
            if (command == "runs") {
                if (args.size() != 1) throw gp::Error(gp::ErrorKind::Usage, "runs takes no arguments (one run: runs --show ID)");
                return gp::cli::runsCommand(loadConfig(), show_);
            }
            throw gp::Error(gp::ErrorKind::Usage, "unknown command '" + command + "'");
        } catch (const gp::Error& e) {
            std::cerr << "grantpress: error: " << e.what() << "\n";
            if (e.kind() == gp::ErrorKind::Usage) std::cerr << "Run 'grantpress --help' for usage.\n";
            return gp::exitCodeFor(e.kind());
        } catch (const std::exception& e) {
            std::cerr << "grantpress: internal error: " << e.what() << "\n";
            return 70;
        }
    }

private:
    void onHelp(const std::string&, const std::string&) {
        help_ = true;
        stopOptionsProcessing();
    }
    void onConfig(const std::string&, const std::string& v) { configFile_ = v; }
    void onParam(const std::string&, const std::string& v) {
        auto eq = v.find('=');
        if (eq == std::string::npos || eq == 0)
            throw Poco::Util::InvalidArgumentException("--param " + v + ": write NAME=VALUE, e.g. --param id=1645");
        params_[v.substr(0, eq)] = v.substr(eq + 1);
    }
    void onFormat(const std::string&, const std::string& v) { formats_ = gp::splitList(v); }
    void onOut(const std::string&, const std::string& v) { out_ = v; }
    void onSource(const std::string&, const std::string& v) { source_ = v; }
    void onWorkers(const std::string&, const std::string& v) {
        try {
            workers_ = std::stoi(v);
        } catch (const std::exception&) {
            workers_ = 0;
        }
        if (workers_ < 1 || workers_ > 64)
            throw Poco::Util::InvalidArgumentException("--workers " + v + ": give a number from 1 to 64");
    }
    void onShard(const std::string&, const std::string& v) { shard_ = v; }
    void onNow(const std::string&, const std::string& v) { now_ = v; }
    void onShow(const std::string&, const std::string& v) { show_ = v; }
    void onRole(const std::string&, const std::string& v) { role_ = v; }
    void onFlag(const std::string& name, const std::string&) {
        if (name == "force") force_ = true;
        else if (name == "quiet") quiet_ = true;
        else if (name == "once") once_ = true;
    }

    gp::cli::BatchFlags batchFlags() const {
        gp::cli::BatchFlags f;
        f.params = params_;
        f.workers = workers_;
        f.force = force_;
        f.shard = shard_;
        f.quiet = quiet_;
        f.now = now_;
        f.once = once_;
        f.out = out_;
        f.source = source_;
        return f;
    }

    void printHelp() {
        Poco::Util::HelpFormatter help(options());
        help.setCommand("grantpress");
        help.setWidth(100);  // the command list is laid out by hand, up to 96 columns
        help.setUsage("COMMAND [OPTIONS]");
        help.setHeader(
            "Renders grant documents (PDF, XLSX) from templates and a database.\n\n"
            "Commands:\n"
            "  render TEMPLATE   fill TEMPLATE (a name in the templates folder or an .xml path)\n"
            "                    and write its documents, e.g.\n"
            "                    grantpress render application --param id=1645 --format pdf,xlsx --out out\n"
            "  templates         list the templates in the templates folder\n"
            "  check [TEMPLATE…] check templates without rendering (all of them when none\n"
            "                    is named), queries against the data source; lists every\n"
            "                    problem as file:line:col: message, else prints OK NAME\n"
            "  batch NAME        run [batch.NAME] of reports.ini: one document set per record, in\n"
            "                    parallel, skipping unchanged documents; writes NAME.manifest.json;\n"
            "                    --param overrides the batch's param.NAME values, --source its source\n"
            "  verify MANIFEST   re-check every file of a batch manifest (missing or altered) and\n"
            "                    that the run it describes is complete\n"
            "  schedule          run scheduled batches in the foreground until SIGTERM/SIGINT\n"
            "                    (--once: what is due now, then exit; --now: pretend the time)\n"
            "  runs              list recent batch runs with their outcome and why;\n"
            "                    runs --show ID: one run in full\n"
            "  serve             the web page and JSON API ([server] of reports.ini; loopback by\n"
            "                    default) until SIGTERM/SIGINT, which finish the requests in flight\n"
            "  user …            accounts of the server: user add NAME --role ROLE, user passwd NAME,\n"
            "                    user role NAME ROLE, user remove NAME, user token NAME, user revoke ID,\n"
            "                    user list (passwords are read from standard input)\n\n"
            "An option that does not apply to the command is refused (exit 64).\n\n"
            "Options:");
        help.setFooter(
            "Exit codes:\n"
            "  0  done\n"
            "  64 usage (an option that does not apply to the command, too)\n"
            "  65 data: database, record; a batch with a failed record;\n"
            "     verify: a file missing or altered, or a run not complete\n"
            "  66 template\n"
            "  70 internal\n"
            "  73 output: folder not writable\n"
            "  75 stopped by SIGINT/SIGTERM (a batch; schedule --once), or the\n"
            "     batch already running on its folder: run it again to finish\n"
            "  78 configuration (reports.ini)\n"
            "schedule --once exits non-zero when a batch it ran failed or stopped.");
        help.format(std::cout);
    }

    gp::config::Config loadConfig() const { return gp::config::Config::load(configFile_); }

    int render(const ArgVec& args) {
        if (args.size() != 2) throw gp::Error(gp::ErrorKind::Usage, "render takes one template name: render TEMPLATE");
        gp::output::removeTemporariesOnSignal();  // Ctrl-C or SIGTERM mid-render leaves no .tmp files
        gp::config::Config cfg = loadConfig();
        gp::app::RenderRequest request;
        request.templateName = args[1];
        request.params = params_;
        if (!formats_.empty()) request.formats = formats_;
        request.outDir = out_;
        request.source = source_;
        std::vector<std::string> warnings;
        for (const auto& file : gp::app::render(cfg, request, &warnings)) std::cout << file.string() << "\n";
        for (const auto& line : warnings) std::cerr << "grantpress: warning: " << line << "\n";
        return EXIT_OK;
    }

    int templates(const ArgVec& args) {
        if (args.size() != 1) throw gp::Error(gp::ErrorKind::Usage, "templates takes no arguments");
        gp::config::Config cfg = loadConfig();
        int rc = EXIT_OK;
        for (const auto& t : gp::app::listTemplates(cfg)) {
            if (t.broken) {
                std::cout << t.name << "  BROKEN: " << t.broken->what() << "\n";
                rc = gp::exitCodeFor(gp::ErrorKind::Template);
                continue;
            }
            std::string params;
            for (const auto& p : t.params) params += (params.empty() ? "" : " ") + std::string("--param ") + p + "=…";
            std::cout << t.name << (params.empty() ? "" : "  " + params) << "\n";
        }
        return rc;
    }

    int check(const ArgVec& args) {
        gp::config::Config cfg = loadConfig();
        const gp::app::CheckReport report =
            gp::app::checkTemplates(cfg, std::vector<std::string>(args.begin() + 1, args.end()), source_);
        for (const auto& e : report.unknown) std::cerr << e.what() << "\n";
        if (args.size() == 1 && report.templates.empty())
            std::cerr << "grantpress: no templates in " << cfg.templatesDir.string() << "\n";
        for (const auto& t : report.templates) {
            for (const auto& e : t.problems) std::cerr << e.what() << "\n";
            if (t.problems.empty()) std::cout << "OK " << t.name << (report.noDatabase ? " (columns not checked)" : "") << "\n";
        }
        const std::size_t problems = report.problems();
        if (problems > 0)
            std::cerr << "grantpress: " << problems << (problems == 1 ? " problem" : " problems") << " found\n";
        if (report.noDatabase)
            std::cerr << "grantpress: error: " << report.noDatabase->what() << "\n"
                      << "grantpress: the columns the templates use were not checked against a database\n";
        if (problems > 0) return gp::exitCodeFor(gp::ErrorKind::Template);
        return report.noDatabase ? gp::exitCodeFor(report.noDatabase->kind()) : EXIT_OK;
    }

    bool help_ = false;
    std::string configFile_ = "reports.ini";
    std::map<std::string, std::string> params_;
    std::vector<std::string> formats_;
    std::string out_;
    std::string source_;
    int workers_ = 0;
    bool force_ = false;
    bool quiet_ = false;
    bool once_ = false;
    std::string shard_;
    std::string now_;
    std::string show_;
    std::string role_;
    std::set<std::string> given_;  // options on the command line, by full name
};

}  // namespace

int main(int argc, char** argv) {
    GrantPress app;
    try {
        app.init(argc, argv);
    } catch (const Poco::Exception& e) {
        std::cerr << "grantpress: error: " << e.displayText() << "\nRun 'grantpress --help' for usage.\n";
        return kExitUsage;
    }
    return app.run();
}
