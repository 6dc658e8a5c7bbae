#include "output/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "core/error.h"

namespace gp::output {
namespace {

namespace fs = std::filesystem;

std::string why(int err) { return std::strerror(err); }

}  // namespace

AtomicFile::AtomicFile(fs::path finalPath) : final_(std::move(finalPath)) {
    static std::atomic<unsigned> counter{0};
    const fs::path dir = final_.parent_path().empty() ? fs::path(".") : final_.parent_path();
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw Error(ErrorKind::Output, "cannot create the output folder " + dir.string() + ": " + ec.message() +
                                           " (choose another with --out DIR)");
    temp_ = dir / ("." + final_.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                   std::to_string(counter++));
    int fd = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error(ErrorKind::Output, "cannot write in the output folder " + dir.string() + ": " + why(errno) +
                                           " (choose another with --out DIR)");
    ::close(fd);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : final_(std::move(other.final_)), temp_(std::move(other.temp_)), committed_(other.committed_) {
    other.committed_ = true;  // the moved-from object owns nothing
}

AtomicFile::~AtomicFile() {
    if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
}

void AtomicFile::commit() {
    int fd = ::open(temp_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(ErrorKind::Output, "the temporary file " + temp_.string() + " vanished: " + why(errno));
    bool synced = ::fsync(fd) == 0;
    int syncErr = errno;
    ::close(fd);
    if (!synced) throw Error(ErrorKind::Output, "cannot flush " + temp_.string() + " to disk: " + why(syncErr));
    if (::rename(temp_.c_str(), final_.c_str()) != 0)
        throw Error(ErrorKind::Output, "cannot move the finished file to " + final_.string() + ": " + why(errno));
    committed_ = true;
}

}  // namespace gp::output
