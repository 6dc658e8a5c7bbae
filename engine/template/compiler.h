// The first pass of compileTemplate (template.h): an XML tree to a Template — elements and
// their attributes, expressions, column formulas — every problem appended, none thrown.
// Internal to engine/template.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "template/template.h"
#include "template/xml.h"

namespace gp::tmpl {

Template compileXml(const XmlNode& root, const std::string& file, const std::filesystem::path& folder,
                    std::vector<Error>& problems);

// Every query of `t`: those under <report>, then those of each <repeat> in document order.
std::vector<const QueryDef*> allQueries(const Template& t);

}  // namespace gp::tmpl
