// One render: template + parameters + data source -> PDF and/or XLSX files, written
// atomically (all files appear together, or none). The CLI and, later, batches call this.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "template/template.h"

namespace gp::app {

struct RenderRequest {
    std::string templateName;                   // "application" or a path to an .xml file
    std::map<std::string, std::string> params;  // as given on the command line
    std::vector<std::string> formats = {"pdf", "xlsx"};
    std::filesystem::path outDir;  // empty: <output>/<template> from reports.ini
    std::string source;            // data source name; empty: the default one
};

// Files written, in the order of `formats`. `warnings`, when given, receives one line per
// field whose text was replaced or cut, each starting with the document's name
// ("application-1645: query 'project', column 'title': control characters (U+001B) were …").
std::vector<std::filesystem::path> render(const config::Config& cfg, const RenderRequest& request,
                                          std::vector<std::string>* warnings = nullptr);

// One document rendered into memory (the server's answer to a request): its formats' bytes,
// the name its files would have, and the warnings. Same checks and errors as render(); the
// data source is opened for this document alone.
struct MemoryDocument {
    std::string baseName;                        // "application-1645"
    std::map<std::string, std::string> buffers;  // format -> bytes
    std::vector<std::string> warnings;           // as render() gives them
};
MemoryDocument renderToMemory(const config::Config& cfg, const RenderRequest& request,
                              const std::atomic<bool>* cancel = nullptr);

// "application-1645": the template name and the given values of its non-secret parameters,
// made safe for a file name (a secret, such as a PDF password, never names a file).
std::string documentBaseName(const tmpl::Template& t, const std::map<std::string, std::string>& params);

}  // namespace gp::app
