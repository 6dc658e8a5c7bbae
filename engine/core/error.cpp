#include "core/error.h"

#include <cerrno>
#include <cstring>

namespace gp {
namespace {

std::string located(const std::string& file, int line, int column, const std::string& message) {
    std::string out = file;
    if (line > 0) out += ":" + std::to_string(line);
    if (line > 0 && column > 0) out += ":" + std::to_string(column);
    if (!out.empty()) out += ": ";
    return out + message;
}

}  // namespace

Error::Error(ErrorKind kind, const std::string& message)
    : std::runtime_error(message), kind_(kind), message_(message) {}

Error::Error(ErrorKind kind, const std::string& file, int line, const std::string& message)
    : Error(kind, file, line, 0, message) {}

Error::Error(ErrorKind kind, const std::string& file, int line, int column, const std::string& message)
    : std::runtime_error(located(file, line, column, message)),
      kind_(kind),
      message_(message),
      file_(file),
      line_(line),
      column_(column) {}

void throwOutputError(const std::string& message, int err) {
    const std::string text = err ? message + ": " + std::strerror(err) : message;
    if (err == ENOSPC || err == EDQUOT)
        throw DiskFullError(text + " (the disk is full: free space, then run again)");
    throw Error(ErrorKind::Output, text);
}

int exitCodeFor(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::Usage: return 64;
        case ErrorKind::Data: return 65;
        case ErrorKind::Template: return 66;
        case ErrorKind::Render: return 70;
        case ErrorKind::Output: return 73;
        case ErrorKind::Config: return 78;
        case ErrorKind::Busy: return 75;
    }
    return 70;
}

}  // namespace gp
