// A file that appears at its final path only when complete: writers fill a temporary file
// in the same folder and commit() renames it into place (an atomic step on POSIX). Until
// then, and if anything fails, nothing is left at the final path.
#pragma once

#include <filesystem>

namespace gp::output {

class AtomicFile {
public:
    // Creates the folder of `finalPath` if needed and reserves a temporary name beside it.
    // Throws gp::Error(Output) naming the folder when it cannot be created or written.
    explicit AtomicFile(std::filesystem::path finalPath);
    ~AtomicFile();  // removes the temporary file unless committed
    AtomicFile(AtomicFile&& other) noexcept;
    AtomicFile& operator=(AtomicFile&&) = delete;
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    const std::filesystem::path& tempPath() const { return temp_; }
    const std::filesystem::path& finalPath() const { return final_; }

    // Flushes the temporary file to disk and renames it to the final path.
    void commit();

private:
    std::filesystem::path final_;
    std::filesystem::path temp_;
    bool committed_ = false;
};

}  // namespace gp::output
