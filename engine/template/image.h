// Pictures used by templates (<image src="logo.png">): found relative to the template's folder.
#pragma once

#include <filesystem>
#include <string>

#include "template/expr.h"

namespace gp::tmpl {

// The absolute path of `src`, a PNG or JPEG file inside `folder`, with symbolic links resolved.
// Throws gp::Error(Template) at `loc` when it is absolute, leaves the folder (as written, or
// once links are followed: a link in the folder pointing outside it), is missing or is not a
// PNG or JPEG picture.
std::filesystem::path findImage(const std::filesystem::path& folder, const std::string& src, const Location& loc);

}  // namespace gp::tmpl
