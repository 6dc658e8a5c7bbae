// Errors a user can act on. Every stage throws gp::Error with a kind; exitCodeFor() below is the
// one table from kinds to exit codes, and only the CLI calls it. Where the error comes from a
// file, the error keeps the message and the place apart (file, line, column), as qpdf's
// exceptions keep the detail apart from the text; what() is the two joined,
// "file:line:col: message".
#pragma once

#include <stdexcept>
#include <string>

namespace gp {

enum class ErrorKind {
    Usage,     // bad command line
    Config,    // reports.ini unreadable or invalid
    Data,      // database missing, query failed, record not found
    Template,  // template missing, malformed or invalid
    Output,    // output folder or file cannot be written
    Render,    // a renderer failed (font missing, library error)
    Busy,      // the work is under way elsewhere (a batch already running on the folder): try later
};

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message);
    // `file` and `line` (1-based, 0 = unknown) are prepended as "file:line: ".
    Error(ErrorKind kind, const std::string& file, int line, const std::string& message);
    Error(ErrorKind kind, const std::string& file, int line, int column, const std::string& message);

    ErrorKind kind() const noexcept { return kind_; }
    // The message without the "file:line:col: " prefix that what() carries.
    const std::string& message() const noexcept { return message_; }
    const std::string& file() const noexcept { return file_; }
    int line() const noexcept { return line_; }
    int column() const noexcept { return column_; }

private:
    ErrorKind kind_;
    std::string message_;
    std::string file_;
    int line_ = 0;
    int column_ = 0;
};

// A value in the database that cannot be read exactly (text in an amount column, an impossible
// date): a data error that running the query again cannot cure, so a batch does not retry it.
class BadValueError : public Error {
public:
    explicit BadValueError(const std::string& message) : Error(ErrorKind::Data, message) {}
};

// The file system holding the output is full (ENOSPC, EDQUOT): an output error after which no
// later document can be written either, so a batch stops instead of failing every record.
class DiskFullError : public Error {
public:
    explicit DiskFullError(const std::string& message) : Error(ErrorKind::Output, message) {}
};

// Throws an output error: `message`, then ": " and the system's text for `err` (when not 0);
// a DiskFullError when `err` is ENOSPC or EDQUOT.
[[noreturn]] void throwOutputError(const std::string& message, int err);

// Exit codes of the CLI (sysexits-like, documented in README.md).
int exitCodeFor(ErrorKind kind) noexcept;

}  // namespace gp
