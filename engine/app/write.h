// Writes one filled document in several formats, atomically: every file is rendered to a
// temporary name beside its target, and all are renamed into place only when all succeeded.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "config/config.h"
#include "model/document.h"
#include "template/fill.h"

namespace gp::app {

struct Output {
    std::string format;  // "pdf" or "xlsx"
    std::filesystem::path path;
};

// Throws gp::Error(Usage) for an unknown format, Output/Render on failure (nothing is left
// at any target path then). Returns what the document's text needed replaced or cut to be
// shown (fill's warnings and the renderers'; README, "Text the engine cannot show as given").
model::Warnings writeDocument(const model::Document& doc, const std::vector<Output>& outputs, const config::Config& cfg);

// Fill options from reports.ini: creation date, page defaults, font.
tmpl::FillOptions fillOptions(const config::Config& cfg);

// Throws gp::Error(Usage) unless every format is pdf or xlsx and there is at least one.
void checkFormats(const std::vector<std::string>& formats);

}  // namespace gp::app
