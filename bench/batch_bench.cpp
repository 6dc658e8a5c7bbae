// Batch benchmark: N projects x (application PDF + XLSX + zip package) through the real batch
// runner, with 1 and 2 workers; prints documents per second, CPU time and peak RSS. Each
// configuration runs in its own child process so peak RSS is its own.
//
//   scripts/make-sample-db.sh --generator build/gp-samplegen --projects 10000 --out /tmp/bench.db
//   build/bench/batch_bench /tmp/bench.db 1000
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "batch/batch.h"
#include "config/config.h"

namespace fs = std::filesystem;

namespace {

int runOne(const fs::path& config, int workers, long records) {
    auto cfg = gp::config::Config::load(config);
    auto all = gp::batch::batches(cfg);
    const auto& spec = gp::batch::findBatch(all, "bench");
    gp::batch::RunOptions options;
    options.workers = workers;
    options.quiet = true;
    options.force = true;
    options.params["limit"] = std::to_string(records);
    options.outDir = fs::temp_directory_path() / ("gp-batch-bench-" + std::to_string(workers));
    fs::remove_all(options.outDir);
    const auto start = std::chrono::steady_clock::now();
    auto summary = gp::batch::run(cfg, spec, options);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                       static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    const double docs = static_cast<double>(summary.done) * 2;  // a PDF and an XLSX per record (+ a zip)
    std::printf("workers=%d records=%zu failed=%zu  %.2f s  %.1f records/s  %.1f documents/s  CPU %.2f ms/record  "
                "peak RSS %.1f MB\n",
                workers, summary.total, summary.failed, secs, static_cast<double>(summary.done) / secs, docs / secs,
                cpu * 1000 / static_cast<double>(summary.total), static_cast<double>(ru.ru_maxrss) / 1024);
    fs::remove_all(options.outDir);
    return summary.failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s SAMPLE.db [RECORDS=1000]\n", argv[0]);
        return 64;
    }
    const fs::path db = fs::absolute(argv[1]);
    const long records = argc > 2 ? std::stol(argv[2]) : 1000;
    const fs::path config = fs::temp_directory_path() / "gp-batch-bench.ini";
    {
        std::ofstream ini(config);
        ini << "[engine]\ntemplates = " << GP_SOURCE_DIR << "/templates\nfonts = " << GP_SOURCE_DIR
            << "/fonts\noutput = " << fs::temp_directory_path().string() << "\ncreated = 2026-01-01\n"
            << "[source.sample]\nkind = sqlite\npath = " << db.string() << "\n"
            << "[batch.bench]\nquery = SELECT id FROM projects ORDER BY id LIMIT :limit\n"
            << "templates = application\nformats = pdf,xlsx\noutput = {id}/{template}\npackage = {id}/package\n";
    }
    int rc = 0;
    for (int workers : {1, 2}) {
        std::fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            try {
                const int code = runOne(config, workers, records);
                std::fflush(stdout);
                _exit(code);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "batch_bench: %s\n", e.what());
                _exit(1);
            }
        }
        int status = 0;
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) rc = 1;
    }
    return rc;
}
