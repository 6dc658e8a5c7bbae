#include "config/config.h"

#include <Poco/AutoPtr.h>
#include <arpa/inet.h>
#include <Poco/Util/IniFileConfiguration.h>
#include <Poco/Util/SystemConfiguration.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/value.h"

namespace gp::config {
namespace {

namespace fs = std::filesystem;

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    size_t e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

const std::set<std::string> kEngineKeys = {"templates", "fonts", "output", "locale", "created", "default_source"};
const std::set<std::string> kPageKeys = {"size",         "orientation", "margin_top", "margin_right",
                                         "margin_bottom", "margin_left", "font",       "font_size"};
const std::set<std::string> kSourceKeys = {"kind", "path", "connection"};
const std::set<std::string> kSmtpKeys = {"host", "port", "from", "user", "password", "starttls", "timeout"};
const std::set<std::string> kServerKeys = {"bind", "port", "workers", "queue", "max_body", "timeout",
                                           "state", "users", "schedule"};
const std::set<std::string> kBatchKeys = {"query",    "templates", "formats",  "output", "package", "schedule",
                                          "workers",  "catch_up",  "source",   "notify", "notify_on"};

// Levenshtein distance, for "did you mean" hints on misspelt keys.
std::size_t distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

// " (did you mean 'workers'?)" when a known name is close to `wrong`; else "".
std::string didYouMean(const std::string& wrong, const std::set<std::string>& known) {
    std::string best;
    std::size_t bestDistance = 3;  // at most two edits away
    for (const auto& k : known)
        if (auto d = distance(wrong, k); d < bestDistance) {
            best = k;
            bestDistance = d;
        }
    return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

// A batch parameter key: "param.NAME" with NAME a plain identifier.
bool isParamKey(const std::string& key) {
    if (key.rfind("param.", 0) != 0 || key.size() == 6) return false;
    for (size_t i = 6; i < key.size(); ++i) {
        const char c = key[i];
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!letter && !(i > 6 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

using LineFor = std::function<int(const std::string&)>;  // "section.key" -> its line, 0 if absent

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Line-level syntax check that Poco's reader does not do (it accepts almost anything);
// records the line of every key so later errors can point at it, and gives the text Poco is
// to read: '#' comment lines blanked (Poco takes only ';' for a comment, so "# note" would be
// a key named "#"). Poco's names are not case-sensitive: [batch.A] and [batch.a], or query
// and Query, would be merged into one, so they count as the same name given twice.
struct Scanned {
    std::map<std::string, int> lineOf;  // "section.key" -> line; "section" -> header line
    std::string pocoText;
};

Scanned scanLines(const std::string& text, const std::string& file) {
    Scanned out;
    auto& lineOf = out.lineOf;
    std::map<std::string, std::string> seen;  // lowercase name of a section or "section.key" -> as first written
    // "" for a new name; else how it was first written
    auto earlier = [&](const std::string& name) {
        auto [it, fresh] = seen.emplace(lower(name), name);
        return fresh ? std::string() : it->second;
    };
    std::istringstream in(text);
    std::string raw, section;
    int line = 0;
    while (std::getline(in, raw)) {
        ++line;
        std::string s = trim(raw);
        if (s.empty() || s[0] == ';' || s[0] == '#') {
            out.pocoText += "\n";
            continue;
        }
        out.pocoText += raw + "\n";
        if (s[0] == '[') {
            if (s.back() != ']')
                throw Error(ErrorKind::Config, file, line, "section header '" + s + "' is missing its closing ']'");
            section = trim(s.substr(1, s.size() - 2));
            bool known = section == "engine" || section == "page" || section == "smtp" || section == "server" ||
                         (section.rfind("source.", 0) == 0 && section.size() > 7) ||
                         (section.rfind("batch.", 0) == 0 && section.size() > 6);
            if (!known)
                throw Error(ErrorKind::Config, file, line,
                            "unknown section [" + section + "]: expected [engine], [page], [smtp], [server], [source.NAME] or [batch.NAME]");
            // Poco reads a dot as a level: [batch.a.b] would be batch 'a' with a key 'b' that holds
            // no value, which Poco::Util cannot read (NotFoundException).
            if (const size_t dot = section.find('.'); dot != std::string::npos && section.find('.', dot + 1) != std::string::npos)
                throw Error(ErrorKind::Config, file, line,
                            "section [" + section + "]: a " + section.substr(0, dot) + " name cannot contain '.'");
            if (const std::string first = earlier(section); !first.empty())
                throw Error(ErrorKind::Config, file, line,
                            "section [" + section + "] appears twice" +
                                (first == section ? "" : " (as [" + first + "] first: names do not depend on case)"));
            lineOf[section] = line;
            continue;
        }
        size_t eq = s.find('=');
        if (eq == std::string::npos)
            throw Error(ErrorKind::Config, file, line, "expected 'key = value', a [section] or a ; comment, got '" + s + "'");
        if (section.empty())
            throw Error(ErrorKind::Config, file, line, "key outside of any section: put it under [engine], [page] or [source.NAME]");
        std::string key = trim(s.substr(0, eq));
        const auto& allowed = section == "engine" ? kEngineKeys
                              : section == "page" ? kPageKeys
                              : section == "smtp" ? kSmtpKeys
                              : section == "server" ? kServerKeys
                              : section.rfind("batch.", 0) == 0 ? kBatchKeys
                                                                 : kSourceKeys;
        const bool batchSection = section.rfind("batch.", 0) == 0;
        if (!allowed.count(key) && !(batchSection && isParamKey(key))) {
            std::string list;
            for (const auto& k : allowed) list += (list.empty() ? "" : ", ") + k;
            if (batchSection) list += ", param.NAME";
            throw Error(ErrorKind::Config, file, line,
                        "unknown key '" + key + "' in [" + section + "]" + didYouMean(key, allowed) + " (known: " + list + ")");
        }
        if (const std::string first = earlier(section + "." + key); !first.empty())
            throw Error(ErrorKind::Config, file, line,
                        "key '" + key + "' given twice in [" + section + "]" +
                            (first == section + "." + key ? ""
                                                          : " (as '" + first.substr(section.size() + 1) +
                                                                "' first: keys do not depend on case)"));
        lineOf[section + "." + key] = line;
    }
    return out;
}

double parseNumber(const std::string& value, const std::string& file, int line, const std::string& key, double min,
                   double max) {
    double v = 0;
    auto r = std::from_chars(value.data(), value.data() + value.size(), v);
    // from_chars also reads "nan" and "inf", which no range comparison catches (NaN compares false).
    if (r.ec != std::errc() || r.ptr != value.data() + value.size() || !std::isfinite(v) || v < min || v > max)
        throw Error(ErrorKind::Config, file, line,
                    key + " = '" + value + "' is not a number between " + std::to_string(static_cast<int>(min)) +
                        " and " + std::to_string(static_cast<int>(max)));
    return v;
}

// "2026-01-01" or Unix seconds.
std::optional<std::int64_t> parseCreated(const std::string& value) {
    if (auto d = Date::parse(value); d && value.size() == 10) {
        // Days from civil date (proleptic Gregorian), UTC midnight.
        int y = d->year - (d->month <= 2 ? 1 : 0);
        int era = (y >= 0 ? y : y - 399) / 400;
        int yoe = y - era * 400;
        int mp = (d->month + 9) % 12;
        int doy = (153 * mp + 2) / 5 + d->day - 1;
        int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
        return days * 86400;
    }
    std::int64_t secs = 0;
    auto r = std::from_chars(value.data(), value.data() + value.size(), secs);
    if (r.ec == std::errc() && r.ptr == value.data() + value.size() && secs >= 0) return secs;
    return std::nullopt;
}

// Replaces each ${KEY} of `raw` by Poco's system configuration value of KEY (${system.env.NAME}
// is the environment variable NAME). A value is inserted verbatim, never expanded again, so
// a password holding "$" or "${" arrives intact; `unset` is called with the reference as
// written (never with a value) when KEY has no value or the reference is not closed; it throws.
template <typename OnUnset>
std::string expandReferences(const std::string& raw, OnUnset&& unset) {
    Poco::AutoPtr<Poco::Util::SystemConfiguration> system(new Poco::Util::SystemConfiguration);
    std::string out;
    size_t i = 0;
    while (i < raw.size()) {
        size_t p = raw.find("${", i);
        if (p == std::string::npos) {
            out.append(raw, i, std::string::npos);
            break;
        }
        out.append(raw, i, p - i);
        size_t e = raw.find('}', p + 2);
        if (e == std::string::npos) {
            unset(raw.substr(p));
            out.append(raw, p, std::string::npos);
            break;
        }
        const std::string key = raw.substr(p + 2, e - p - 2);
        if (!key.empty() && system->hasProperty(key)) out += system->getRawString(key);
        else unset(raw.substr(p, e - p + 1));
        i = e + 1;
    }
    return out;
}

int parseInteger(const std::string& value, const std::string& file, int line, const std::string& key, int min, int max) {
    int v = 0;
    auto r = std::from_chars(value.data(), value.data() + value.size(), v);
    if (r.ec != std::errc() || r.ptr != value.data() + value.size() || v < min || v > max)
        throw Error(ErrorKind::Config, file, line,
                    key + " = '" + value + "' is not a whole number between " + std::to_string(min) + " and " +
                        std::to_string(max));
    return v;
}

SmtpConfig::StartTls parseStartTls(const std::string& value, const std::string& file, int line) {
    if (value.empty() || value == "auto") return SmtpConfig::StartTls::Auto;
    if (value == "required") return SmtpConfig::StartTls::Required;
    if (value == "off") return SmtpConfig::StartTls::Off;
    throw Error(ErrorKind::Config, file, line, "starttls = '" + value + "' is not auto, required or off");
}

// The [smtp] section, validated; user and password stay as written (Config::smtpSettings).
SmtpConfig readSmtp(const Poco::Util::AbstractConfiguration& ini, const std::string& file,
                    const std::map<std::string, int>& lineOf) {
    SmtpConfig smtp;
    auto header = lineOf.find("smtp");
    if (header == lineOf.end()) return smtp;
    smtp.configured = true;
    smtp.line = header->second;
    auto lineFor = [&](const std::string& key) {
        auto it = lineOf.find("smtp." + key);
        return it == lineOf.end() ? smtp.line : it->second;
    };
    auto value = [&](const std::string& key) { return trim(ini.getRawString("smtp." + key, "")); };
    smtp.host = value("host");
    if (smtp.host.empty())
        throw Error(ErrorKind::Config, file, lineFor("host"), "[smtp] needs host = the mail server, e.g. host = smtp.example.org");
    smtp.from = value("from");
    if (!isMailAddress(smtp.from))
        throw Error(ErrorKind::Config, file, lineFor("from"),
                    smtp.from.empty() ? "[smtp] needs from = the sender's address, e.g. from = grantpress@example.org"
                                      : "from = '" + smtp.from + "' is not an e-mail address (write from = grantpress@example.org)");
    if (ini.hasProperty("smtp.port")) smtp.port = parseInteger(value("port"), file, lineFor("port"), "port", 1, 65535);
    if (ini.hasProperty("smtp.timeout"))
        smtp.timeout = parseInteger(value("timeout"), file, lineFor("timeout"), "timeout", 1, 600);
    smtp.starttls = parseStartTls(value("starttls"), file, lineFor("starttls"));
    smtp.user = value("user");
    smtp.password = value("password");
    smtp.userLine = lineFor("user");
    smtp.passwordLine = lineFor("password");
    if (smtp.user.empty() != smtp.password.empty())
        throw Error(ErrorKind::Config, file, smtp.user.empty() ? smtp.passwordLine : smtp.userLine,
                    "[smtp] needs both user and password to log in, or neither "
                    "(password = ${system.env.GP_SMTP_PASSWORD} keeps the secret out of the file)");
    return smtp;
}

// Names a reference for a message only when it is a well-formed ${system.env.NAME}: anything
// else may be a piece of a literal secret.
std::string describeReference(const std::string& ref) {
    const std::string prefix = "${system.env.";
    bool plain = ref.size() > prefix.size() + 1 && ref.rfind(prefix, 0) == 0 && ref.back() == '}';
    for (size_t i = prefix.size(); plain && i + 1 < ref.size(); ++i)
        plain = std::isalnum(static_cast<unsigned char>(ref[i])) || ref[i] == '_';
    return plain ? ref + ", which is not set: export the environment variable before running"
                 : "a '${' that is not a set ${system.env.NAME} variable";
}

// The value of "section.key" (or `def` when absent), its ${system.env.NAME} references
// expanded once, never recursively: Poco's own expansion would also follow references to other
// keys of the file, and one that leads back to itself ended in an uncaught exception.
std::string valueOf(const Poco::Util::AbstractConfiguration& ini, const std::string& file, const LineFor& lineFor,
                    const std::string& key, const std::string& def) {
    if (!ini.hasProperty(key)) return def;
    const std::string dot = key.substr(0, key.find('.'));
    return expandReferences(ini.getRawString(key), [&](const std::string& ref) {
        throw Error(ErrorKind::Config, file, lineFor(key),
                    "[" + dot + "] " + key.substr(dot.size() + 1) + " refers to " + describeReference(ref));
    });
}

// [server]: where `grantpress serve` listens, its limits and where its state lives.
ServerConfig readServer(const Poco::Util::AbstractConfiguration& ini, const std::string& file, const LineFor& lineFor,
                        const Config& cfg) {
    ServerConfig server;
    server.line = lineFor("server");
    server.configured = server.line != 0;
    auto value = [&](const std::string& key) { return trim(ini.getRawString("server." + key, "")); };
    auto has = [&](const std::string& key) { return ini.hasProperty("server." + key); };
    auto integer = [&](const std::string& key, int min, int max, int def) {
        return has(key) ? parseInteger(value(key), file, lineFor("server." + key), key, min, max) : def;
    };
    if (has("bind")) {
        server.bind = value("bind");
        // inet_pton, not Poco's IPAddress::tryParse, which refuses the IPv6 wildcard "::".
        unsigned char address[sizeof(in6_addr)];
        if (inet_pton(AF_INET, server.bind.c_str(), address) != 1 && inet_pton(AF_INET6, server.bind.c_str(), address) != 1)
            throw Error(ErrorKind::Config, file, lineFor("server.bind"),
                        "bind = '" + server.bind + "' is not an IP address (127.0.0.1, ::1, or 0.0.0.0 for every interface)");
    }
    server.port = integer("port", 1, 65535, server.port);
    server.workers = integer("workers", 1, 256, 0);
    server.queue = integer("queue", 1, 100000, 0);
    server.maxBody = integer("max_body", 1024, 1 << 30, server.maxBody);
    server.timeout = integer("timeout", 1, 3600, server.timeout);
    if (has("schedule")) {
        const auto flag = parseBooleanText(value("schedule"));
        if (!flag)
            throw Error(ErrorKind::Config, file, lineFor("server.schedule"),
                        "schedule = '" + value("schedule") + "' is not true or false");
        server.schedule = *flag;
    }
    const fs::path base = cfg.file.parent_path();
    auto path = [&](const std::string& key, const fs::path& def) {
        if (!has(key)) return def;
        fs::path p = valueOf(ini, file, lineFor, "server." + key, "");
        if (p.empty())
            throw Error(ErrorKind::Config, file, lineFor("server." + key), key + " = needs a path");
        return (p.is_absolute() ? p : base / p).lexically_normal();
    };
    server.state = path("state", cfg.outputDir / ".server");
    server.users = path("users", server.state / "users");
    return server;
}

// [engine]: folders (relative to the file's folder), locale, the creation date.
void readEngine(const Poco::Util::AbstractConfiguration& ini, const std::string& file, const LineFor& lineFor,
                Config& cfg) {
    const fs::path base = cfg.file.parent_path();
    auto dir = [&](const std::string& key, const std::string& def) {
        fs::path p = valueOf(ini, file, lineFor, "engine." + key, def);
        return (p.is_absolute() ? p : base / p).lexically_normal();
    };
    cfg.templatesDir = dir("templates", "templates");
    cfg.fontsDir = dir("fonts", "fonts");
    cfg.outputDir = dir("output", "out");
    cfg.locale = valueOf(ini, file, lineFor, "engine.locale", "ru_RU");
    if (cfg.locale != "ru_RU")
        throw Error(ErrorKind::Config, file, lineFor("engine.locale"),
                    "locale '" + cfg.locale + "' is not supported yet (use ru_RU)");

    std::string created = valueOf(ini, file, lineFor, "engine.created", "2026-01-01");
    int createdLine = lineFor("engine.created");
    if (const char* env = std::getenv("SOURCE_DATE_EPOCH"); env && *env) {
        created = env;
        createdLine = 0;
    }
    auto epoch = parseCreated(created);
    if (!epoch)
        throw Error(ErrorKind::Config, createdLine ? file : std::string("SOURCE_DATE_EPOCH"), createdLine,
                    "created = '" + created + "' is neither a date YYYY-MM-DD nor Unix seconds");
    cfg.created = *epoch;
}

// [page]: size, orientation, margins and the body font.
void readPage(const Poco::Util::AbstractConfiguration& ini, const std::string& file, const LineFor& lineFor,
              Config& cfg) {
    std::string size = valueOf(ini, file, lineFor, "page.size", "A4");
    if (size == "A4") cfg.page.size = model::PageSetup::Size::A4;
    else if (size == "A3") cfg.page.size = model::PageSetup::Size::A3;
    else if (size == "Letter") cfg.page.size = model::PageSetup::Size::Letter;
    else throw Error(ErrorKind::Config, file, lineFor("page.size"), "page size '" + size + "' is not A4, A3 or Letter");
    std::string orientation = valueOf(ini, file, lineFor, "page.orientation", "portrait");
    if (orientation != "portrait" && orientation != "landscape")
        throw Error(ErrorKind::Config, file, lineFor("page.orientation"),
                    "orientation '" + orientation + "' is not portrait or landscape");
    cfg.page.landscape = orientation == "landscape";
    auto margin = [&](const std::string& key, double def) {
        if (!ini.hasProperty("page." + key)) return def;
        return parseNumber(trim(valueOf(ini, file, lineFor, "page." + key, "")), file, lineFor("page." + key), key, 0, 100);
    };
    cfg.page.top = margin("margin_top", cfg.page.top);
    cfg.page.right = margin("margin_right", cfg.page.right);
    cfg.page.bottom = margin("margin_bottom", cfg.page.bottom);
    cfg.page.left = margin("margin_left", cfg.page.left);
    cfg.fontFamily = valueOf(ini, file, lineFor, "page.font", cfg.fontFamily);
    if (ini.hasProperty("page.font_size"))
        cfg.fontSize = parseNumber(trim(valueOf(ini, file, lineFor, "page.font_size", "")), file,
                                   lineFor("page.font_size"), "font_size", 5, 30);
}

// [batch.NAME] sections as written, with the line of every key; engine/batch interprets them.
void readBatches(const Poco::Util::AbstractConfiguration& ini, const LineFor& lineFor, Config& cfg) {
    Poco::Util::AbstractConfiguration::Keys batchNames;
    ini.keys("batch", batchNames);
    for (const auto& name : batchNames) {
        cfg.batchLines[name] = lineFor("batch." + name);
        Poco::Util::AbstractConfiguration::Keys keys;
        ini.keys("batch." + name, keys);
        for (const auto& key : keys) {
            if (key == "param") {  // param.NAME keys: Poco reads the dot as a level
                Poco::Util::AbstractConfiguration::Keys params;
                ini.keys("batch." + name + ".param", params);
                for (const auto& p : params) {
                    cfg.batchValues[name]["param." + p] = ini.getRawString("batch." + name + ".param." + p);
                    cfg.batchLines[name + ".param." + p] = lineFor("batch." + name + ".param." + p);
                }
                continue;
            }
            cfg.batchValues[name][key] = ini.getRawString("batch." + name + "." + key);
            cfg.batchLines[name + "." + key] = lineFor("batch." + name + "." + key);
        }
    }
}

}  // namespace

bool isMailAddress(const std::string& a) {
    const size_t at = a.find('@');
    if (at == std::string::npos || at == 0 || at + 1 >= a.size() || a.find('@', at + 1) != std::string::npos)
        return false;
    for (unsigned char c : a)
        if (c <= ' ' || c >= 0x7f || std::string_view("<>,;:\"()[]\\").find(static_cast<char>(c)) != std::string_view::npos)
            return false;
    const std::string domain = a.substr(at + 1);
    return domain.front() != '.' && domain.back() != '.' && domain.find("..") == std::string::npos;
}

Config Config::load(const fs::path& path) {
    const std::string file = path.string();
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorKind::Config, file + ": cannot read the configuration file (give another with --config FILE)");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // a BOM would break Poco's first key
    Scanned scanned = scanLines(text, file);
    auto& lineOf = scanned.lineOf;
    const LineFor lineFor = [&](const std::string& key) { return lineOf.count(key) ? lineOf[key] : 0; };

    Poco::AutoPtr<Poco::Util::IniFileConfiguration> ini(new Poco::Util::IniFileConfiguration);
    std::istringstream iniStream(scanned.pocoText);
    ini->load(iniStream);

    Config cfg;
    cfg.file = fs::absolute(path).lexically_normal();
    readEngine(*ini, file, lineFor, cfg);
    readPage(*ini, file, lineFor, cfg);
    Poco::Util::AbstractConfiguration::Keys names;
    ini->keys("source", names);
    for (const auto& name : names) {
        data::SourceConfig src;
        src.name = name;
        src.configFile = file;
        src.configLine = lineFor("source." + name);
        const std::string prefix = "source." + name + ".";
        src.kind = ini->getRawString(prefix + "kind", "");
        if (src.kind != "sqlite" && src.kind != "odbc")
            throw Error(ErrorKind::Config, file, src.kind.empty() ? src.configLine : lineFor(prefix + "kind"),
                        "[source." + name + "] needs kind = sqlite or kind = odbc");
        const std::string need = src.kind == "sqlite" ? "path" : "connection";
        if (!ini->hasProperty(prefix + need) || trim(ini->getRawString(prefix + need)).empty())
            throw Error(ErrorKind::Config, file, src.configLine, "[source." + name + "] of kind " + src.kind + " needs " + need + " = ...");
        for (const auto& key : {"path", "connection"})
            if (ini->hasProperty(prefix + key)) cfg.rawSourceValues_[name + "." + key] = ini->getRawString(prefix + key);
        cfg.sources[name] = src;
    }
    readBatches(*ini, lineFor, cfg);
    cfg.smtp = readSmtp(*ini, file, lineOf);
    cfg.server = readServer(*ini, file, lineFor, cfg);
    cfg.defaultSource = valueOf(*ini, file, lineFor, "engine.default_source",
                                cfg.sources.size() == 1 ? cfg.sources.begin()->first : "");
    if (cfg.sources.empty())
        throw Error(ErrorKind::Config, file, 0, "no data source: add a [source.NAME] section with kind and path");
    if (!cfg.sources.count(cfg.defaultSource))
        throw Error(ErrorKind::Config, file, lineFor("engine.default_source"),
                    "default_source = '" + cfg.defaultSource + "' names no [source.NAME] section");
    return cfg;
}

data::SourceConfig Config::source(const std::string& wanted) const {
    const std::string name = wanted.empty() ? defaultSource : wanted;
    auto it = sources.find(name);
    if (it == sources.end()) {
        std::string list;
        for (const auto& [n, s] : sources) list += (list.empty() ? "" : ", ") + n;
        throw Error(ErrorKind::Config, file.string() + ": no data source '" + name + "' (configured: " + list + ")");
    }
    data::SourceConfig src = it->second;
    for (const auto& key : {"path", "connection"}) {
        auto raw = rawSourceValues_.find(name + "." + key);
        if (raw == rawSourceValues_.end()) continue;
        std::string value = expandReferences(raw->second, [&](const std::string& ref) {
            throw Error(ErrorKind::Config, src.configFile, src.configLine,
                        "[source." + name + "] " + key + " refers to " + ref +
                            ", which is not set: export the environment variable before running");
        });
        if (std::string(key) == "path") {
            fs::path p = value;
            src.path = (p.is_absolute() ? p : file.parent_path() / p).lexically_normal().string();
        } else {
            src.connection = value;
        }
    }
    return src;
}

SmtpConfig Config::smtpSettings() const {
    SmtpConfig s = smtp;
    auto expand = [&](std::string& value, const std::string& key, int line) {
        value = expandReferences(value, [&](const std::string& ref) {
            throw Error(ErrorKind::Config, file.string(), line, "[smtp] " + key + " refers to " + describeReference(ref));
        });
    };
    expand(s.user, "user", s.userLine);
    expand(s.password, "password", s.passwordLine);
    return s;
}

}  // namespace gp::config
