#include "server/http.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

namespace gp::server {
namespace {

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

std::string Request::header(const std::string& lowerName) const {
    auto it = headers.find(lowerName);
    return it == headers.end() ? std::string() : it->second;
}

std::map<std::string, std::string> Request::form() const {
    std::map<std::string, std::string> fields;
    std::size_t start = 0;
    while (start <= body.size()) {
        std::size_t end = body.find('&', start);
        if (end == std::string::npos) end = body.size();
        const std::string_view pair(body.data() + start, end - start);
        if (!pair.empty()) {
            const std::size_t eq = pair.find('=');
            const std::string name = decode(pair.substr(0, eq), true);
            const std::string value = eq == std::string_view::npos ? std::string() : decode(pair.substr(eq + 1), true);
            fields.emplace(name, value);  // the first of repeated names counts
        }
        start = end + 1;
    }
    return fields;
}

Response Response::json(int status, const std::string& body) { return Response{status, "application/json; charset=utf-8", body, {}}; }

Response Response::html(int status, const std::string& body) { return Response{status, "text/html; charset=utf-8", body, {}}; }

Response Response::redirect(const std::string& location) {
    Response r{303, "text/plain; charset=utf-8", "", {}};
    r.headers.emplace_back("Location", location);
    return r;
}

std::string_view kindName(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::Usage: return "usage";
        case ErrorKind::Config: return "config";
        case ErrorKind::Data: return "data";
        case ErrorKind::Template: return "template";
        case ErrorKind::Output: return "output";
        case ErrorKind::Render: return "render";
        case ErrorKind::Busy: return "busy";
    }
    return "internal";
}

int statusFor(const Error& e) {
    switch (e.kind()) {
        case ErrorKind::Usage: return 400;
        case ErrorKind::Data:
            // "query 'project' … returned 0 rows for id=99999, expected exactly one": the record
            // asked for does not exist (tests/e2e/test_server.py keeps these phrases honest).
            return contains(e.message(), "returned 0 rows") ? 404 : 422;
        case ErrorKind::Template:
            return contains(e.message(), "unknown template") ? 404 : 422;
        case ErrorKind::Busy: return 409;
        case ErrorKind::Config:
        case ErrorKind::Output:
        case ErrorKind::Render: return 500;
    }
    return 500;
}

Response errorResponse(const Error& e) {
    Poco::JSON::Object error;
    error.set("kind", std::string(kindName(e.kind())));
    error.set("message", e.message());
    if (!e.file().empty()) error.set("file", e.file());
    if (e.line() > 0) error.set("line", e.line());
    if (e.column() > 0) error.set("column", e.column());
    Poco::JSON::Object root;
    root.set("error", error);
    std::ostringstream out;
    root.stringify(out);
    return Response::json(statusFor(e), out.str());
}

Response problem(int status, const std::string& kind, const std::string& message) {
    Poco::JSON::Object error;
    error.set("kind", kind);
    error.set("message", message);
    Poco::JSON::Object root;
    root.set("error", error);
    std::ostringstream out;
    root.stringify(out);
    return Response::json(status, out.str());
}

std::string decode(std::string_view text, bool form) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+' && form) {
            out += ' ';
        } else if (c == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 && hexValue(text[i + 2]) >= 0) {
            out += static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2]));
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string jsonString(std::string_view text) {
    std::ostringstream out;
    Poco::JSON::Stringifier::formatString(std::string(text), out);
    return out.str();
}

}  // namespace gp::server
