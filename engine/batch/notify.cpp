#include "batch/notify.h"

#include <Poco/Base64Encoder.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timespan.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "core/error.h"

namespace gp::batch {
namespace {

using config::SmtpConfig;

constexpr std::size_t kListedFailures = 20;  // failed records named in an e-mail
constexpr int kWebhookTimeout = 30;          // seconds, for connect and I/O of a webhook

// ---- targets and what may be shown of them ----

struct Target {
    bool mail = false;
    std::string address;  // mailto: the recipient
    Poco::URI uri;        // http(s): the URL
};

bool startsWithNoCase(const std::string& s, const std::string& prefix) {
    return s.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           });
}

std::string trim(const std::string& s) {
    const size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// The user:password of a URL as written ("" when none).
std::string rawUserInfo(const std::string& target) {
    const size_t scheme = target.find("://");
    if (scheme == std::string::npos) return "";
    const std::string authority = target.substr(scheme + 3, target.find_first_of("/?#", scheme + 3) - scheme - 3);
    const size_t at = authority.rfind('@');
    return at == std::string::npos ? "" : authority.substr(0, at);
}

// A target as it may appear in a message: a URL without its user:password and its query.
std::string shown(const std::string& target) {
    const size_t scheme = target.find("://");
    if (scheme == std::string::npos) return target;
    std::string out = target;
    if (const std::string info = rawUserInfo(target); !info.empty()) out.erase(scheme + 3, info.size() + 1);
    const size_t query = out.find_first_of("?#", scheme + 3);
    return query == std::string::npos ? out : out.substr(0, query) + "?...";
}

// Parses a target as written in reports.ini; returns what is wrong with it, or "".
std::string parseTarget(const std::string& written, Target& out) {
    const std::string text = trim(written);
    const std::string example = " (write e.g. notify = mailto:ops@example.org, https://hooks.example.org/gp)";
    if (text.empty()) return "empty notify target" + example;
    if (startsWithNoCase(text, "mailto:")) {
        out.mail = true;
        out.address = text.substr(7);
        if (config::isMailAddress(out.address)) return "";
        return "'" + text + "' is not mailto: and one e-mail address" + example;
    }
    if (!startsWithNoCase(text, "http://") && !startsWithNoCase(text, "https://"))
        return "'" + shown(text) + "' is neither mailto:ADDRESS nor an http:// or https:// URL" + example;
    try {
        out.uri = Poco::URI(text);
    } catch (const Poco::Exception&) {
        return "'" + shown(text) + "' is not a valid URL" + example;
    }
    if (out.uri.getHost().empty()) return "'" + shown(text) + "' names no host" + example;
    return "";
}

// ---- keeping secrets out of returned lines ----

std::string base64(const std::string& s) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);
    encoder << s;
    encoder.close();
    return out.str();
}

class Scrubber {
public:
    // Adds a secret and the base64 forms an SMTP AUTH or HTTP Basic exchange would carry.
    void add(const std::string& secret) {
        if (secret.empty()) return;
        for (const auto& s : {secret, base64(secret)}) secrets_.push_back(s);
    }
    std::string operator()(std::string text) const {
        for (const auto& s : secrets_)
            for (size_t p = text.find(s); p != std::string::npos; p = text.find(s, p + 3)) text.replace(p, s.size(), "***");
        return text;
    }

private:
    std::vector<std::string> secrets_;
};

// One line, no control characters, not endless.
std::string oneLine(const std::string& text) {
    std::string out;
    for (char c : text) {
        const bool control = static_cast<unsigned char>(c) < 0x20;
        if (control && (out.empty() || out.back() == ' ')) continue;
        out += control ? ' ' : c;
    }
    out = trim(out);
    if (out.size() <= 400) return out;
    size_t cut = 400;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 letter
    return out.substr(0, cut) + "...";
}

// ---- what the alert says ----

std::string isoTime(std::time_t t) {
    if (t == 0) return "";
    return Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(t), "%Y-%m-%dT%H:%M:%SZ");
}

// "batch final_reports failed (3 of 49 records)"
std::string outcomeOf(const RunReport& r) {
    const std::string head = "batch " + r.batch + " ";
    const auto n = [](std::size_t v) { return std::to_string(v); };
    if (r.status == "complete") return head + "complete (" + n(r.done + r.skipped) + " of " + n(r.total) + " records)";
    if (r.status == "failed") return head + "failed (" + n(r.failed) + " of " + n(r.total) + " records)";
    if (r.status == "stopped") return head + "stopped (" + n(r.notRun) + " of " + n(r.total) + " records not run)";
    if (r.status == "error") return head + "could not run";
    return head + r.status;
}

std::string countsOf(const RunReport& r) {
    return std::to_string(r.total) + " total, " + std::to_string(r.done) + " done, " + std::to_string(r.skipped) +
           " skipped (unchanged), " + std::to_string(r.failed) + " failed, " + std::to_string(r.notRun) + " not run";
}

std::string paramsOf(const RunReport& r) {
    std::string out;
    for (const auto& [name, value] : r.params) out += (out.empty() ? "" : ", ") + name + " = " + value;
    return out.empty() ? "none" : out;
}

std::string failuresOf(const RunReport& r) {
    if (r.failures.empty()) return "";
    std::string out = "\nFailed records (first error of each):\n";
    const std::size_t listed = std::min(r.failures.size(), kListedFailures);
    for (std::size_t i = 0; i < listed; ++i)
        out += "  " + oneLine(r.failures[i].first) + ": " + oneLine(r.failures[i].second) + "\n";
    const std::size_t all = std::max(r.failures.size(), r.failed);
    if (all > listed) out += "  and " + std::to_string(all - listed) + " more\n";
    return out;
}

std::string bodyOf(const RunReport& r) {
    std::string body = "GrantPress " + outcomeOf(r) + ".\n\n";
    body += "Batch:      " + r.batch + "\n";
    body += "Trigger:    " + r.trigger + "\n";
    body += "Outcome:    " + r.status + "\n";
    if (!r.reason.empty()) body += "Reason:     " + oneLine(r.reason) + "\n";
    body += "Records:    " + countsOf(r) + "\n";
    body += "Parameters: " + paramsOf(r) + "\n";
    body += "Started:    " + isoTime(r.started) + "\n";
    body += "Finished:   " + isoTime(r.finished) + "\n";
    body += "Manifest:   " + (r.manifest.empty() ? std::string("not written") : r.manifest) + "\n";
    return body + failuresOf(r) + "\n-- \nGrantPress " GP_VERSION "\n";
}

std::string jsonOf(const RunReport& r) {
    using Poco::JSON::Array;
    using Poco::JSON::Object;
    Object::Ptr root = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [key, value] : {std::pair<const char*, std::string>{"batch", r.batch},
                                     {"trigger", r.trigger},
                                     {"status", r.status},
                                     {"reason", r.reason},
                                     {"started", isoTime(r.started)},
                                     {"finished", isoTime(r.finished)}})
        root->set(key, value);
    for (const auto& [key, value] : {std::pair<const char*, std::size_t>{"total", r.total},
                                     {"done", r.done},
                                     {"skipped", r.skipped},
                                     {"failed", r.failed},
                                     {"not_run", r.notRun}})
        root->set(key, static_cast<Poco::UInt64>(value));
    Array::Ptr failures = new Array;
    for (const auto& [id, error] : r.failures) {
        Object::Ptr f = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        f->set("id", id);
        f->set("error", error);
        failures->add(f);
    }
    root->set("failures", failures);
    Object::Ptr params = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [name, value] : r.params) params->set(name, value);
    root->set("params", params);
    root->set("manifest", r.manifest);
    std::ostringstream out;
    // Poco escapes non-ASCII as \uXXXX by default; keep UTF-8 readable (as the manifest does).
    Poco::JSON::Stringifier::stringify(root, out, 0, -1, Poco::JSON_PRESERVE_KEY_ORDER | Poco::JSON_WRAP_STRINGS);
    return out.str();
}

// ---- TLS ----

// A client context that verifies the server's certificate against the system's CAs (and its
// name); a certificate that fails is rejected, never asked about.
Poco::Net::Context::Ptr tlsContext() {
    static std::once_flag once;
    std::call_once(once, [] { Poco::Net::initializeSSL(); });
    Poco::Net::Context::Params params;
    params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
    params.loadDefaultCAs = true;
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    context->setInvalidCertificateHandler(new Poco::Net::RejectCertificateHandler(false));
    return context;
}

// ---- SMTP ----

// Poco's session with the steps it keeps protected: STARTTLS that checks the certificate
// against the configured host name, and AUTH without a second EHLO.
class SmtpSession : public Poco::Net::SMTPClientSession {
public:
    using SMTPClientSession::SMTPClientSession;

    std::string hello() {
        std::string response;
        if (!isPositiveCompletion(sendCommand("EHLO", "grantpress", response)) &&
            !isPositiveCompletion(sendCommand("HELO", "grantpress", response)))
            throw Poco::Net::SMTPException("the server refused EHLO and HELO", response);
        return response;
    }
    void startTls(const std::string& host) {
        std::string response;
        const int status = sendCommand("STARTTLS", response);
        if (!isPositiveCompletion(status)) throw Poco::Net::SMTPException("STARTTLS refused", response, status);
        socket() = Poco::Net::SecureStreamSocket::attach(socket(), host, tlsContext());
    }
    void abort() noexcept {
        try {
            socket().close();
        } catch (...) {
        }
    }
    // AUTH PLAIN or LOGIN with unwrapped base64 (Poco's own breaks long credentials into lines).
    void authenticate(const std::string& mechanism, const std::string& user, const std::string& password) {
        std::string response;
        int status = 0;
        if (mechanism == "PLAIN") {
            status = sendCommand("AUTH PLAIN", base64(std::string(1, '\0') + user + std::string(1, '\0') + password), response);
        } else if (isPositiveIntermediate(status = sendCommand("AUTH LOGIN", response)) &&
                   isPositiveIntermediate(status = sendCommand(base64(user), response))) {
            status = sendCommand(base64(password), response);
        }
        if (!isPositiveCompletion(status))
            throw Poco::Net::SMTPException("the server refused the login of user " + user + " (AUTH " + mechanism + ")",
                                           response, status);
    }
};

// Whether the EHLO reply offers `word` ("STARTTLS") or, with `mechanism`, AUTH `mechanism`.
bool offers(const std::string& ehlo, const std::string& word, const std::string& mechanism = "") {
    std::istringstream lines(ehlo);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream words(line.size() > 4 ? line.substr(4) : "");
        std::string first, next;
        words >> first;
        if (!startsWithNoCase(first, word) || first.size() != word.size()) continue;
        if (mechanism.empty()) return true;
        while (words >> next)
            if (startsWithNoCase(next, mechanism) && next.size() == mechanism.size()) return true;
    }
    return false;
}

// EHLO, STARTTLS when offered or required (never when off), EHLO again over TLS.
bool negotiateTls(SmtpSession& session, const SmtpConfig& smtp, std::string& ehlo) {
    const bool offered = offers(ehlo, "STARTTLS");
    if (smtp.starttls == SmtpConfig::StartTls::Off || (!offered && smtp.starttls == SmtpConfig::StartTls::Auto))
        return false;
    if (!offered)
        throw std::runtime_error("the server " + smtp.host + " does not offer STARTTLS, and [smtp] starttls = required");
    session.startTls(smtp.host);
    session.setTimeout(Poco::Timespan(smtp.timeout, 0));
    ehlo = session.hello();
    return true;
}

void login(SmtpSession& session, const SmtpConfig& smtp, const std::string& ehlo, bool tls) {
    if (smtp.user.empty()) return;
    if (!tls && smtp.starttls != SmtpConfig::StartTls::Off)
        throw std::runtime_error("the server offers no STARTTLS: not sending the password unencrypted "
                                 "(starttls = off in [smtp] allows it)");
    const std::string mechanism = offers(ehlo, "AUTH", "PLAIN") ? "PLAIN" : offers(ehlo, "AUTH", "LOGIN") ? "LOGIN" : "";
    if (mechanism.empty()) throw std::runtime_error("the server offers neither AUTH PLAIN nor AUTH LOGIN");
    session.authenticate(mechanism, smtp.user, smtp.password);
}

void fillMail(Poco::Net::MailMessage& message, const SmtpConfig& smtp, const std::string& to, const RunReport& report) {
    message.setSender(smtp.from);
    message.addRecipient(Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT, to));
    message.setSubject(Poco::Net::MailMessage::encodeWord("GrantPress: " + outcomeOf(report), "UTF-8"));
    message.set("Auto-Submitted", "auto-generated");
    message.setContentType("text/plain; charset=UTF-8");
    message.setContent(bodyOf(report), Poco::Net::MailMessage::ENCODING_QUOTED_PRINTABLE);
}

// Greeting, EHLO, STARTTLS, AUTH, the message, QUIT.
void converse(SmtpSession& session, const SmtpConfig& smtp, const std::string& to, const RunReport& report) {
    session.open();
    std::string ehlo = session.hello();
    const bool tls = negotiateTls(session, smtp, ehlo);
    login(session, smtp, ehlo, tls);
    Poco::Net::MailMessage message;  // dated now
    fillMail(message, smtp, to, report);
    session.sendMessage(message);
    session.close();
}

void sendMail(const SmtpConfig& smtp, const std::string& to, const RunReport& report) {
    const Poco::Timespan timeout(smtp.timeout, 0);
    Poco::Net::StreamSocket socket;
    socket.connect(Poco::Net::SocketAddress(smtp.host, static_cast<Poco::UInt16>(smtp.port)), timeout);
    socket.setSendTimeout(timeout);
    SmtpSession session(socket);
    session.setTimeout(timeout);
    try {
        converse(session, smtp, to, report);
    } catch (...) {
        session.abort();  // no QUIT: a server that failed once would make us wait a second timeout
        throw;
    }
}

void sendMail(const config::Config& cfg, const std::string& to, const RunReport& report, Scrubber& scrub) {
    if (!cfg.smtp.configured)
        throw Error(ErrorKind::Config, "no [smtp] section in " + cfg.file.string() + ": add host = and from =");
    const SmtpConfig smtp = cfg.smtpSettings();
    scrub.add(smtp.password);
    scrub.add(std::string(1, '\0') + smtp.user + std::string(1, '\0') + smtp.password);  // AUTH PLAIN
    try {
        sendMail(smtp, to, report);
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("SMTP server " + smtp.host + ":" + std::to_string(smtp.port) + ": " + e.displayText());
    }
}

// ---- webhook ----

void postJson(const Poco::URI& uri, const RunReport& report, Scrubber& scrub) {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (uri.getScheme() == "https") session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), tlsContext());
    else session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    session->setTimeout(Poco::Timespan(kWebhookTimeout, 0));
    const std::string body = jsonOf(report);
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathEtc().empty() ? "/" : uri.getPathEtc(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    request.set("User-Agent", "GrantPress/" GP_VERSION);
    if (const std::string info = uri.getUserInfo(); !info.empty()) {
        const size_t colon = info.find(':');
        scrub.add(info);
        if (colon != std::string::npos) scrub.add(info.substr(colon + 1));
        Poco::Net::HTTPBasicCredentials(info.substr(0, colon), colon == std::string::npos ? "" : info.substr(colon + 1))
            .authenticate(request);
    }
    session->sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    std::string answer;
    Poco::StreamCopier::copyToString(in, answer);  // read to the end; its content is not used
    const int status = static_cast<int>(response.getStatus());
    if (status < 200 || status > 299)
        throw std::runtime_error("HTTP " + std::to_string(status) + " " + response.getReason());
}

// Sends to one target; returns "" or the line that says why it failed (no secret in it).
std::string sendTo(const config::Config& cfg, const std::string& written, const RunReport& report) {
    Scrubber scrub;
    std::string why;
    try {
        Target target;
        why = parseTarget(written, target);
        if (why.empty() && target.mail) sendMail(cfg, target.address, report, scrub);
        else if (why.empty()) {
            scrub.add(rawUserInfo(trim(written)));
            postJson(target.uri, report, scrub);
        }
    } catch (const Poco::Exception& e) {
        why = e.displayText();
    } catch (const std::exception& e) {
        why = e.what();
    } catch (...) {
        why = "unknown error";
    }
    // The target is shown without credentials already; a short secret must not garble it.
    return why.empty() ? "" : shown(trim(written)) + ": " + oneLine(scrub(why));
}

}  // namespace

void checkNotifyTarget(const std::string& target, const std::string& where) {
    Target parsed;
    if (std::string why = parseTarget(target, parsed); !why.empty()) throw Error(ErrorKind::Config, where + ": " + why);
}

void checkNotifyTarget(const std::string& target, const std::string& where, const config::Config& cfg) {
    checkNotifyTarget(target, where);
    Target parsed;
    parseTarget(target, parsed);
    if (parsed.mail && !cfg.smtp.configured)
        throw Error(ErrorKind::Config, where + ": " + trim(target) +
                                           " needs an [smtp] section (host = smtp.example.org, from = grantpress@example.org)");
}

std::vector<std::string> notify(const config::Config& cfg, const NotifySpec& spec, const RunReport& report) {
    std::vector<std::string> failed;
    try {
        if (!spec.always && report.status == "complete") return failed;
        for (const auto& target : spec.targets)
            if (std::string line = sendTo(cfg, target, report); !line.empty()) failed.push_back(std::move(line));
    } catch (...) {  // only an allocation can fail here; never let it escape
        try {
            failed.emplace_back("notify: out of memory");
        } catch (...) {
        }
    }
    return failed;
}

}  // namespace gp::batch
