#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "core/error.h"
#include "output/atomic_file.h"

namespace fs = std::filesystem;

namespace {
fs::path freshDir(const std::string& name) {
    fs::path d = fs::path(::testing::TempDir()) / name;
    fs::remove_all(d);
    return d;
}
size_t entries(const fs::path& d) { return static_cast<size_t>(std::distance(fs::directory_iterator(d), {})); }
}  // namespace

TEST(AtomicFile, AppearsOnlyOnCommit) {
    fs::path dir = freshDir("atomic-commit");
    fs::path target = dir / "заявка-1645.pdf";
    {
        gp::output::AtomicFile f(target);
        std::ofstream(f.tempPath()) << "content";
        EXPECT_FALSE(fs::exists(target));
        EXPECT_EQ(f.tempPath().parent_path(), dir);
        f.commit();
    }
    EXPECT_TRUE(fs::exists(target));
    EXPECT_EQ(entries(dir), 1u);
}

TEST(AtomicFile, LeavesNothingWhenAbandoned) {
    fs::path dir = freshDir("atomic-abandon");
    fs::path target = dir / "a.xlsx";
    {
        gp::output::AtomicFile f(target);
        std::ofstream(f.tempPath()) << "half";
    }
    EXPECT_FALSE(fs::exists(target));
    EXPECT_EQ(entries(dir), 0u);
}

TEST(AtomicFile, UnwritableFolderIsAnOutputError) {
    if (::geteuid() == 0) {
        // root ignores permission bits: use a path below a regular file instead.
        fs::path dir = freshDir("atomic-unwritable");
        fs::create_directories(dir);
        std::ofstream(dir / "file") << "x";
        EXPECT_THROW(gp::output::AtomicFile(dir / "file" / "out.pdf"), gp::Error);
        return;
    }
    fs::path dir = freshDir("atomic-unwritable");
    fs::create_directories(dir);
    ::chmod(dir.c_str(), 0555);
    try {
        gp::output::AtomicFile f(dir / "out.pdf");
        FAIL();
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), gp::ErrorKind::Output);
        EXPECT_NE(std::string(e.what()).find(dir.string()), std::string::npos);
    }
    ::chmod(dir.c_str(), 0755);
}

// A process ended by SIGTERM or SIGINT while writing leaves no temporary file; a committed
// file and one already gone stay as they are.
TEST(AtomicFile, ASignalRemovesTheTemporariesThenEndsTheProcess) {
    for (int sig : {SIGTERM, SIGINT}) {
        fs::path dir = freshDir("atomic-signal-" + std::to_string(sig));
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            gp::output::removeTemporariesOnSignal();
            gp::output::AtomicFile done(dir / "done.pdf");
            std::ofstream(done.tempPath()) << "finished";
            done.commit();
            gp::output::AtomicFile a(dir / "a.pdf");
            gp::output::AtomicFile b(dir / "b.xlsx");
            std::ofstream(a.tempPath()) << "half";
            gp::output::AtomicFile moved(std::move(b));
            ::raise(sig);
            ::_exit(0);  // not reached: the signal ends the process
        }
        int status = 0;
        ASSERT_EQ(::waitpid(child, &status, 0), child);
        ASSERT_TRUE(WIFSIGNALED(status)) << status;
        EXPECT_EQ(WTERMSIG(status), sig);
        EXPECT_EQ(entries(dir), 1u);  // only the committed file
        EXPECT_TRUE(fs::exists(dir / "done.pdf"));
    }
}
