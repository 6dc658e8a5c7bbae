// Small string helpers shared by the layers above (reports.ini values, command-line options).
#pragma once

#include <string>
#include <vector>

namespace gp {

// "pdf, xlsx" -> {"pdf", "xlsx"}: split at commas, each item trimmed of spaces and tabs, empty
// items dropped.
std::vector<std::string> splitList(const std::string& s);

}  // namespace gp
