// What a request handler of the server works with: the request (method, path split into
// decoded segments, query, headers, body already read within the limit) and the response it
// gives (status, type, headers, body); errors as JSON with the CLI's kinds and messages and
// the HTTP status each kind means.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "server/accounts.h"

namespace gp::server {

struct Request {
    std::string method;                         // "GET", "POST", …
    std::string path;                           // as sent, without the query
    std::vector<std::string> segments;          // path split at '/', each percent-decoded
    std::map<std::string, std::string> query;   // decoded
    std::map<std::string, std::string> headers; // names lower-case
    std::map<std::string, std::string> cookies;
    std::string body;
    std::string address;                        // the client's IP address
    std::optional<Identity> who;                // signed in (session or token); empty: anonymous
    bool bySession = false;                     // signed in with the session cookie (forms need the CSRF token)
    std::string csrf;                           // the session's CSRF token

    std::string header(const std::string& lowerName) const;
    // The form fields of an application/x-www-form-urlencoded body.
    std::map<std::string, std::string> form() const;
};

struct Response {
    int status = 200;
    std::string type = "application/json; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra headers, in order

    static Response json(int status, const std::string& body);
    static Response html(int status, const std::string& body);
    static Response redirect(const std::string& location);  // 303 See Other
};

// An error as the API answers it: {"error": {"kind": "usage", "message": "…", "file": …,
// "line": …, "column": …}} with the status its kind means (usage 400, data 404 when a record
// or template is missing else 422, template 422, config 500, output 500, render 500, busy 409).
Response errorResponse(const Error& e);
// An error of the server itself (400 bad request, 401, 403, 404, 405, 413, 429, 503).
Response problem(int status, const std::string& kind, const std::string& message);

std::string_view kindName(ErrorKind kind);
int statusFor(const Error& e);

// Percent-decoding of a path segment or form value ('+' as a space in forms). Malformed
// escapes are kept as written.
std::string decode(std::string_view text, bool form);
// HTML-escaped text for element content and attribute values.
std::string escape(std::string_view text);
// A JSON string literal, quotes included.
std::string jsonString(std::string_view text);

}  // namespace gp::server
