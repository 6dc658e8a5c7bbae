// Hashes for "did anything change?": a document's complete content (every value a renderer
// reads), files on disk, and strings. SHA-256 through Poco.
#pragma once

#include <filesystem>
#include <string>

#include "model/document.h"

namespace gp::batch {

std::string sha256Hex(const std::string& bytes);
// Reads the file in chunks; throws gp::Error(Output) naming it when it cannot be read.
std::string sha256File(const std::filesystem::path& path);
// Hex SHA-256 over everything in `doc` that can change an output (streamed tables are read).
std::string fingerprint(const model::Document& doc);

}  // namespace gp::batch
