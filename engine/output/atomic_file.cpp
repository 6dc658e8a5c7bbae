#include "output/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
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

// Temporary paths of live AtomicFiles, as heap copies a signal handler may read: a slot is
// taken with an atomic exchange, by the owner (on commit or destruction) or by the handler.
constexpr int kSlots = 256;
std::atomic<char*> gTemporaries[kSlots];
static_assert(std::atomic<char*>::is_always_lock_free, "a signal handler reads the registry");

int enroll(const fs::path& temp) {
    const std::string& s = temp.native();
    for (int i = 0; i < kSlots; ++i) {
        if (gTemporaries[i].load() != nullptr) continue;
        char* copy = new char[s.size() + 1];
        std::memcpy(copy, s.c_str(), s.size() + 1);
        char* expected = nullptr;
        if (gTemporaries[i].compare_exchange_strong(expected, copy)) return i;
        delete[] copy;
    }
    return -1;  // more than kSlots files at once: this one is only removed by its destructor
}

void withdraw(int slot) {
    if (slot >= 0) delete[] gTemporaries[slot].exchange(nullptr);
}

extern "C" void onFatalSignal(int sig) {
    for (auto& slot : gTemporaries)
        if (char* path = slot.exchange(nullptr)) ::unlink(path);  // async-signal-safe; the copy is left to exit
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

}  // namespace

void removeTemporariesOnSignal() {
    struct sigaction sa {};
    sa.sa_handler = onFatalSignal;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
}

AtomicFile::AtomicFile(fs::path finalPath, unsigned mode) : final_(std::move(finalPath)) {
    static std::atomic<unsigned> counter{0};
    const fs::path dir = final_.parent_path().empty() ? fs::path(".") : final_.parent_path();
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw Error(ErrorKind::Output, "cannot create the output folder " + dir.string() + ": " + ec.message() +
                                           " (choose another with --out DIR)");
    temp_ = dir / ("." + final_.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                   std::to_string(counter++));
    // Enrolled before it exists: a signal between creating the file and enrolling it would
    // leave it behind (a signal before it exists unlinks nothing).
    slot_ = enroll(temp_);
    int fd = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd < 0) {
        const int err = errno;
        withdraw(slot_);
        slot_ = -1;
        temp_.clear();  // nothing of ours to remove
        if (err == ENOSPC || err == EDQUOT) throwOutputError("cannot write in the output folder " + dir.string(), err);
        throw Error(ErrorKind::Output, "cannot write in the output folder " + dir.string() + ": " + why(err) +
                                           " (choose another with --out DIR)");
    }
    ::close(fd);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : final_(std::move(other.final_)),
      temp_(std::move(other.temp_)),
      committed_(other.committed_),
      synced_(other.synced_),
      slot_(other.slot_) {
    other.committed_ = true;  // the moved-from object owns nothing
    other.slot_ = -1;
}

AtomicFile::~AtomicFile() {
    if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
    withdraw(slot_);
}

void AtomicFile::sync() {
    if (synced_) return;
    int fd = ::open(temp_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(ErrorKind::Output, "the temporary file " + temp_.string() + " vanished: " + why(errno));
    bool synced = ::fsync(fd) == 0;
    int syncErr = errno;
    ::close(fd);
    if (!synced) throwOutputError("cannot flush " + temp_.string() + " to disk", syncErr);
    synced_ = true;
}

void AtomicFile::commit() {
    sync();
    if (::rename(temp_.c_str(), final_.c_str()) != 0)
        throwOutputError("cannot move the finished file to " + final_.string(), errno);
    committed_ = true;
    withdraw(slot_);
    slot_ = -1;
}

}  // namespace gp::output
