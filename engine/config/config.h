// reports.ini, read with Poco Util: where templates, fonts and output live, page defaults,
// the fixed creation date and the data sources. Paths are relative to the ini file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "data/source.h"
#include "model/document.h"

namespace gp::config {

// The [smtp] section: the mail server that batch alerts (engine/batch/notify) go through.
struct SmtpConfig {
    enum class StartTls { Auto, Required, Off };
    bool configured = false;  // an [smtp] section exists
    std::string host;
    int port = 25;
    std::string from;      // the sender address
    std::string user;      // as written: may hold ${system.env.NAME}; see Config::smtpSettings()
    std::string password;  // as written, never expanded here, never put into a message
    StartTls starttls = StartTls::Auto;  // auto: when the server offers it
    int timeout = 30;                    // seconds, for connect and for every read and write
    int line = 0, userLine = 0, passwordLine = 0;  // lines of the header and keys, for messages
};

// The [server] section: `grantpress serve` (engine/server). Paths are relative to the file.
struct ServerConfig {
    bool configured = false;           // a [server] section exists
    std::string bind = "127.0.0.1";    // loopback unless told otherwise
    int port = 8080;
    int workers = 0;                   // render threads; 0: the machine's cores
    int queue = 0;                     // renders waiting for a worker before 503; 0: 4 × workers
    int maxBody = 1 << 20;             // bytes of a request body
    int timeout = 30;                  // seconds for reading a request and writing a response
    std::filesystem::path state;       // runs, sessions' secrets: default <output>/.server
    std::filesystem::path users;       // the accounts file: default <state>/users
    bool schedule = false;             // run the [batch.*] schedules inside the server too
    int line = 0;                      // of the header, for messages
};

// A plausible e-mail address: local@domain, no spaces, brackets, commas or quotes.
bool isMailAddress(const std::string& address);

struct Config {
    std::filesystem::path file;  // the reports.ini that was read
    std::filesystem::path templatesDir;
    std::filesystem::path fontsDir;
    std::filesystem::path outputDir;
    std::string locale = "ru_RU";
    std::string defaultSource;
    // Creation date written into every document (Unix seconds, UTC): from [engine] created,
    // overridden by the SOURCE_DATE_EPOCH environment variable.
    std::int64_t created = 0;
    model::PageSetup page;
    std::string fontFamily = "PTSerif";
    double fontSize = 10.5;
    std::map<std::string, data::SourceConfig> sources;

    // [batch.NAME] sections as written (engine/batch interprets them): name -> key -> value,
    // and the line of every key ("NAME.key") and header ("NAME") for messages.
    std::map<std::string, std::map<std::string, std::string>> batchValues;
    std::map<std::string, int> batchLines;

    SmtpConfig smtp;  // user and password unexpanded; smtpSettings() expands them
    ServerConfig server;

    // Reads and validates `file`. Throws gp::Error(Config) naming the file and line.
    static Config load(const std::filesystem::path& file);

    // The named source (or the default one when `name` is empty), with ${system.env.X}
    // references expanded; throws gp::Error(Config) when unknown or a variable is unset.
    data::SourceConfig source(const std::string& name = "") const;

    // `smtp` with ${system.env.X} expanded in user and password; throws gp::Error(Config)
    // naming the file, line and key (never the value) when a variable is unset.
    SmtpConfig smtpSettings() const;

private:
    std::map<std::string, std::string> rawSourceValues_;  // "sample.path" -> unexpanded value
};

}  // namespace gp::config
