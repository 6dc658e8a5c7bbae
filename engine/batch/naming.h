// File names built from data: a value like "../../etc" or "Клуб / 2022" must never leave the
// output folder or break a path. Cyrillic is kept; length is capped.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace gp::batch {

// One path component from untrusted text: control characters dropped, / \ : * ? " < > |
// replaced by '_', whitespace collapsed, leading/trailing dots and spaces trimmed, at most
// `maxBytes` bytes (cut at a UTF-8 boundary), never empty, ".", or "..".
std::string safeComponent(std::string_view text, std::size_t maxBytes = 120);

// Longest folder or file name a pattern yields, in bytes: under the 255 of Linux file
// systems with room for a collision suffix ("~12") and a temporary name's ".….tmp-PID-N".
constexpr std::size_t kMaxComponentBytes = 200;

// A relative path from a pattern already filled with safe components and '/' separators:
// rejects absolute paths and ".." (throws gp::Error(Config)); cuts a component longer than
// kMaxComponentBytes (a file name keeps its extension).
std::filesystem::path safeRelative(const std::string& filled, const std::string& where);

// Makes names unique in order: the second "a.pdf" becomes "a~2.pdf", the third "a~3.pdf".
// Deterministic for the same list in the same order.
void resolveCollisions(std::vector<std::filesystem::path>& paths);

}  // namespace gp::batch
