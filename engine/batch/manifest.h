// The manifest of a batch run (JSON): what was produced from what, with sizes and SHA-256,
// so `grantpress verify` can tell later whether every file is still there and intact.
// Data sources appear by name only: never a connection string or a credential.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace gp::batch {

struct ManifestFile {
    std::string path;  // relative to the manifest's folder, '/' separated
    std::uint64_t size = 0;
    std::string sha256;
    std::string inputs;  // SHA-256 of engine version + template + document content + format
};

struct ManifestRecord {
    std::string key;     // the record's id
    std::string status;  // "done", "skipped" or "failed"
    std::string error;   // why it failed
    std::vector<ManifestFile> files;
};

struct ManifestTemplate {
    std::string name;
    std::string sha256;
};

struct Manifest {
    std::string batch;
    std::string engine;  // "GrantPress 0.1.0"
    std::string source;  // data source name
    std::string started, finished;  // ISO 8601, UTC
    std::string status;             // "complete", "failed" (some records failed), "stopped"
    std::vector<ManifestTemplate> templates;
    std::vector<ManifestRecord> records;
};

std::string toJson(const Manifest& m);
// Throws gp::Error(Data) naming the file on malformed JSON.
Manifest readManifest(const std::filesystem::path& path);

struct VerifyProblem {
    std::string path;
    std::string problem;  // "missing", "size 123, expected 456", "SHA-256 differs"
};
// Checks every file of every record against the manifest (paths relative to its folder).
std::vector<VerifyProblem> verify(const std::filesystem::path& manifestPath, std::size_t* checked = nullptr);

}  // namespace gp::batch
