// A file that appears at its final path only when complete: writers fill a temporary file
// in the same folder and commit() renames it into place (an atomic step on POSIX). Until
// then, and if anything fails, nothing is left at the final path.
#pragma once

#include <filesystem>

namespace gp::output {

class AtomicFile {
public:
    // Creates the folder of `finalPath` if needed and reserves a temporary name beside it,
    // created with `mode` (0600 for a file of secrets: nobody else can open it even while it is
    // written; the umask may take more away). Throws gp::Error(Output) naming the folder when it
    // cannot be created or written.
    explicit AtomicFile(std::filesystem::path finalPath, unsigned mode = 0644);
    ~AtomicFile();  // removes the temporary file unless committed
    AtomicFile(AtomicFile&& other) noexcept;
    AtomicFile& operator=(AtomicFile&&) = delete;
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    const std::filesystem::path& tempPath() const { return temp_; }
    const std::filesystem::path& finalPath() const { return final_; }

    // Flushes the temporary file to disk (once; commit() does it when it has not been done).
    void sync();
    // Flushes the temporary file to disk and renames it to the final path.
    void commit();

private:
    std::filesystem::path final_;
    std::filesystem::path temp_;
    bool committed_ = false;
    bool synced_ = false;
    int slot_ = -1;  // in the registry of live temporaries, for removeTemporariesOnSignal
};

// Installs SIGINT/SIGTERM/SIGHUP handlers that remove the temporary files of every live
// AtomicFile, then end the process by the same signal (its default action): a command
// stopped while writing leaves nothing behind. For commands that cannot stop between
// documents (render); a batch installs its own handlers, which finish the documents in flight.
void removeTemporariesOnSignal();

}  // namespace gp::output
