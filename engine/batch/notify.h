// Alerts after a batch run: an e-mail (SMTP, [smtp] section of reports.ini) and/or a webhook
// (HTTP(S) POST of a JSON summary). A notification that cannot be sent is reported back to
// the caller, which logs and records it; it never changes the run's outcome or exit code.
#pragma once

#include <ctime>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"

namespace gp::batch {

// What a run did, as the alert tells it. Secret parameter values never reach it.
struct RunReport {
    std::string batch;
    std::string trigger;  // "manual", "schedule", "catch-up"
    std::string status;   // "complete", "failed", "stopped", "error" (the batch could not run)
    std::string reason;   // one line: why it failed or stopped; empty when complete
    std::time_t started = 0, finished = 0;
    std::size_t total = 0, done = 0, skipped = 0, failed = 0, notRun = 0;
    std::vector<std::pair<std::string, std::string>> failures;  // record id, its error (first ones)
    std::map<std::string, std::string> params;                  // parameter values the run used
    std::string manifest;                                       // path of the manifest, if written
};

// Where to send: the `notify` list of a [batch.NAME] section and when (`notify_on`).
struct NotifySpec {
    std::vector<std::string> targets;  // "mailto:a@b.org" or "http(s)://…"
    bool always = false;               // notify_on = always; default: only when not complete
};

// Checks one target as written in reports.ini: mailto: and one plausible address, or an
// http:// or https:// URL with a host. Throws gp::Error(Config) "where: …" saying what to write;
// the message never shows a URL's user:password or query.
void checkNotifyTarget(const std::string& target, const std::string& where);
// The same, and a mailto: target needs an [smtp] section in `cfg`.
void checkNotifyTarget(const std::string& target, const std::string& where, const config::Config& cfg);

// Sends the report to every target when due (spec.always, or report.status != "complete"):
// mailto: as a UTF-8 text e-mail through [smtp] (STARTTLS per `starttls`, AUTH only when
// `user` is set, [smtp] timeout), http(s): as a POST of a JSON summary (30 s timeout; a
// user:password in the URL is sent as HTTP Basic; any status but 2xx fails).
// Never throws: returns one line per target that failed ("mailto:ops@x: SMTP 550 …"),
// with no credential in it. Targets are tried one after another.
std::vector<std::string> notify(const config::Config& cfg, const NotifySpec& spec, const RunReport& report);

}  // namespace gp::batch
