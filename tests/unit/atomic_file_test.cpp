#include <gtest/gtest.h>

#include <sys/stat.h>
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
