// The manifest of a batch run (JSON): what was produced from what, with sizes and SHA-256,
// so `grantpress verify` can tell later whether every file is still there and intact.
// Data sources appear by name only: never a connection string or a credential.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gp::batch {

// What became of a record, a package and a run. The manifest, the history and the messages
// spell them as statusName() does; parseStatus() reads them back (nullopt: not a status).
enum class RecordStatus { Done, Skipped, Failed, NotRun };
enum class PackageStatus { Written, Skipped, NotWritten };
enum class RunStatus { Complete, Failed, Stopped };

const char* statusName(RecordStatus s);   // "done", "skipped", "failed", "not run"
const char* statusName(PackageStatus s);  // "written", "skipped", "not written"
const char* statusName(RunStatus s);      // "complete", "failed", "stopped"
template <typename Status>
std::optional<Status> parseStatus(std::string_view text);

struct ManifestFile {
    std::string path;  // relative to the manifest's folder, '/' separated
    std::uint64_t size = 0;
    std::string sha256;
    std::string inputs;  // SHA-256 of engine version + template + document content + format
};

struct ManifestRecord {
    std::string key;     // the record's id
    RecordStatus status = RecordStatus::NotRun;  // Done or Skipped; in notRendered: Failed or NotRun
    std::string error;   // why it failed or was not run
    std::vector<ManifestFile> files;
    // Text its documents could not show as given, one line per template and field (README,
    // "Text the engine cannot show as given"): "application: query 'project', column 'title': …".
    // For the documents written in this run; absent from the JSON when empty.
    std::vector<std::string> warnings = {};
};

struct ManifestTemplate {
    std::string name;
    std::string sha256;
};

// A zip of one or more records' documents (the records whose `package` path is the same).
struct ManifestPackage {
    std::string path;                  // relative to the manifest's folder
    PackageStatus status = PackageStatus::NotWritten;  // Skipped: unchanged since the last run
    std::string reason;                // why not written
    std::vector<std::string> records;  // keys, in query order
    std::vector<std::string> members;  // names inside the zip
    ManifestFile file;                 // size and SHA-256 when written or skipped
};

struct Manifest {
    std::string batch;
    std::string engine;  // "GrantPress 0.1.0"
    std::string source;  // data source name
    std::string shard = "1/1";
    std::map<std::string, std::string> params;  // the values the run used
    std::string started, finished;  // ISO 8601, UTC
    RunStatus status = RunStatus::Stopped;  // Failed: some records failed
    std::string reason;             // why not complete
    std::size_t total = 0;          // records the query returned (this shard's share)
    std::vector<ManifestTemplate> templates;
    std::vector<ManifestRecord> records;      // rendered (done or skipped as unchanged)
    std::vector<ManifestRecord> notRendered;  // failed or not run, with why
    std::vector<ManifestPackage> packages;
};

std::string toJson(const Manifest& m);
// Throws gp::Error(Data) naming the file on malformed JSON or a status it does not know.
Manifest readManifest(const std::filesystem::path& path);

// The file `rel` (a path a manifest lists, '/' separated) inside `base`, when it stays inside
// it — not absolute, no "..", symbolic links resolved — else nullopt. A manifest is not
// trusted: verify and the server open only what this gives.
std::optional<std::filesystem::path> insideFolder(const std::filesystem::path& base, const std::string& rel);

struct VerifyProblem {
    std::string path;
    std::string problem;  // "missing", "size 123, expected 456", "SHA-256 differs", "outside …"
};

struct VerifyResult {
    std::vector<VerifyProblem> problems;  // per file
    std::size_t checked = 0;              // files checked
    // Why the run the manifest describes is not complete ("stopped: 120 of 200 records not
    // rendered"); empty when complete. Every listed file may check and the run still be short.
    std::string incomplete;
};
// Checks every file of every record and package against the manifest. Paths must be
// relative and stay inside the manifest's folder (symbolic links resolved): any other is a
// problem and is never opened.
VerifyResult verify(const std::filesystem::path& manifestPath);

}  // namespace gp::batch
