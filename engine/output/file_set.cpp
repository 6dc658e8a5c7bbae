#include "output/file_set.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "core/error.h"

namespace gp::output {
namespace {

namespace fs = std::filesystem;

const char* const kJournalPrefix = ".grantpress-commit-";

void syncFolder(const fs::path& folder) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;  // the renames stand; only their durability across a power cut is at stake
    ::fsync(fd);
    ::close(fd);
}

// A path as the journal records it: the name alone inside the journal's folder.
std::string recorded(const fs::path& path, const fs::path& folder) {
    return path.parent_path() == folder ? path.filename().string() : path.string();
}

fs::path resolved(const std::string& text, const fs::path& folder) {
    const fs::path p(text);
    return p.is_absolute() ? p : folder / p;
}

// SIGINT, SIGTERM and SIGHUP wait while alive (on this thread): the renames of a set are not
// cut in two by a Ctrl-C, whose handler would remove the temporaries not yet renamed.
class HoldSignals {
public:
    HoldSignals() {
        sigset_t set;
        sigemptyset(&set);
        for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, sig);
        pthread_sigmask(SIG_BLOCK, &set, &previous_);
    }
    ~HoldSignals() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
    HoldSignals(const HoldSignals&) = delete;
    HoldSignals& operator=(const HoldSignals&) = delete;

private:
    sigset_t previous_;
};

bool processAlive(pid_t pid) { return pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH; }

// Renames what a journal names; a pair whose temporary is gone was renamed before the crash.
void finish(const fs::path& journal) {
    const fs::path folder = journal.parent_path();
    std::ifstream in(journal);
    std::string temp, final;
    while (std::getline(in, temp) && std::getline(in, final)) {
        const fs::path from = resolved(temp, folder);
        std::error_code ec;
        if (fs::exists(from, ec) && ::rename(from.c_str(), resolved(final, folder).c_str()) != 0)
            throwOutputError("cannot finish the interrupted commit " + journal.string() + ": cannot move " +
                                 from.string() + " into place",
                             errno);
    }
    syncFolder(folder);
    std::error_code ec;
    fs::remove(journal, ec);
}

}  // namespace

void commitTogether(std::vector<AtomicFile>& files) {
    if (files.size() == 1) return files.front().commit();
    if (files.empty()) return;
    for (auto& file : files) file.sync();  // every file complete on disk before the first rename

    static std::atomic<unsigned> counter{0};
    const fs::path folder = files.front().finalPath().parent_path().empty() ? fs::path(".")
                                                                           : files.front().finalPath().parent_path();
    const fs::path journalPath =
        folder / (kJournalPrefix + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    AtomicFile journal(journalPath);
    {
        std::ostringstream text;
        for (const auto& file : files)
            text << recorded(file.tempPath(), folder) << '\n' << recorded(file.finalPath(), folder) << '\n';
        std::ofstream out(journal.tempPath(), std::ios::binary);
        out << text.str();
        if (!out.flush()) throwOutputError("cannot write the commit journal " + journalPath.string(), errno);
    }
    HoldSignals hold;
    journal.commit();  // from here on, a crash is finished by the next run
    syncFolder(folder);
    for (auto& file : files) file.commit();
    syncFolder(folder);
    std::error_code ec;
    fs::remove(journalPath, ec);
}

int recover(const fs::path& folder, bool recursive) {
    static const std::regex kJournal(R"(\.grantpress-commit-(\d+)-\d+)");
    static const std::regex kTemp(R"(\..+\.tmp-(\d+)-\d+)");
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) return 0;
    std::vector<fs::path> journals, temporaries;
    auto consider = [&](const fs::directory_entry& entry) {
        std::error_code e;
        if (!entry.is_regular_file(e)) return;
        const std::string name = entry.path().filename().string();
        std::smatch m;
        if (std::regex_match(name, m, kJournal)) {
            if (!processAlive(static_cast<pid_t>(std::stol(m[1].str())))) journals.push_back(entry.path());
        } else if (std::regex_match(name, m, kTemp)) {
            if (!processAlive(static_cast<pid_t>(std::stol(m[1].str())))) temporaries.push_back(entry.path());
        }
    };
    if (recursive) {
        for (auto it = fs::recursive_directory_iterator(folder, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec))
            consider(*it);
    } else {
        for (auto it = fs::directory_iterator(folder, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
            consider(*it);
    }
    for (const auto& journal : journals) finish(journal);  // first: they name temporaries to keep
    for (const auto& temp : temporaries) fs::remove(temp, ec);
    return static_cast<int>(journals.size());
}

}  // namespace gp::output
