// Submission packages: one zip per package path (one project, or every record sharing the path,
// each in a folder of its own) with their documents and a manifest. Member names are ASCII
// ("application.pdf", "budget.xlsx", "manifest.json") because Poco Zip marks
// archives as made on FAT and Debian's unzip would garble Cyrillic names; the Cyrillic
// titles stay inside the documents and the manifest. Timestamps are fixed, so the same
// inputs give the same bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gp::batch {

struct PackageMember {
    std::string name;             // ASCII member path: "application.pdf" or "1645/application.pdf"
    std::filesystem::path source; // file to store
};

// Writes the zip to `path` (overwriting; callers pass an AtomicFile's temporary path).
// `manifestJson` is stored last as manifest.json. Throws gp::Error(Output) on failure.
void writePackage(const std::filesystem::path& path, const std::vector<PackageMember>& members,
                  const std::string& manifestJson, std::int64_t created);

// "application-1645.pdf" for any Unicode name: keeps [A-Za-z0-9._-], replaces the rest.
std::string asciiMemberName(const std::string& name);
// The same for each '/'-separated folder of a member path ("1645/application.pdf");
// "." and ".." become "_".
std::string asciiMemberPath(const std::string& path);

}  // namespace gp::batch
