// "Did you mean …?" for misspelt names: the closest candidate by edit distance.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace gp::tmpl {

// Edit distance (insertions, deletions, substitutions, swaps of neighbours) between two
// UTF-8 strings, counted in characters and ignoring case.
std::size_t editDistance(const std::string& a, const std::string& b);

// The candidate closest to `name`, when it is close enough to be a likely typo.
std::optional<std::string> closest(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace gp::tmpl
