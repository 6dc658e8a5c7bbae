#include "app/render_job.h"

#include "app/write.h"

#include <optional>

#include "core/error.h"
#include "data/source.h"
#include "output/atomic_file.h"
#include "output/file_set.h"
#include "pdf/pdf_renderer.h"
#include "template/fill.h"
#include "template/template.h"
#include "xlsx/xlsx_renderer.h"

namespace gp::app {
namespace {

namespace fs = std::filesystem;

// Keeps letters (Cyrillic included), digits and - _ . ; everything else becomes '_'.
std::string safePart(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        bool ok = c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '-' || c == '_' || c == '.';
        out += ok ? static_cast<char>(c) : '_';
    }
    if (out.empty() || out[0] == '.') out.insert(out.begin(), '_');
    return out;
}

}  // namespace

std::string documentBaseName(const tmpl::Template& t, const std::map<std::string, std::string>& params) {
    std::string name = safePart(fs::path(t.name).stem().string());
    for (const auto& [key, value] : params)
        if (!tmpl::isSecretParam(t, key)) name += "-" + safePart(value);
    // Under the file system's 255 bytes with the extension and a temporary name's suffix,
    // cut at a character boundary.
    constexpr std::size_t kMaxBytes = 200;
    if (name.size() > kMaxBytes) {
        std::size_t cut = kMaxBytes;
        while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
        name.resize(cut);
    }
    return name;
}

std::vector<fs::path> render(const config::Config& cfg, const RenderRequest& request, std::vector<std::string>* warnings) {
    checkFormats(request.formats);

    const fs::path templatePath = tmpl::findTemplate(cfg.templatesDir, request.templateName);
    const tmpl::Template t = tmpl::loadTemplate(templatePath);
    const data::Params params = tmpl::bindParams(t, request.params);

    auto session = std::make_shared<data::Session>(cfg.source(request.source));
    const model::Document doc = tmpl::fill(t, session, params, fillOptions(cfg));

    const fs::path dir = request.outDir.empty() ? cfg.outputDir / t.name : request.outDir;
    output::recover(dir, false);  // a render killed in this folder: its set finished, its temporaries gone
    const std::string base = documentBaseName(t, request.params);
    std::vector<Output> outputs;
    std::vector<fs::path> written;
    for (const auto& format : request.formats) {
        outputs.push_back({format, dir / (base + "." + format)});
        written.push_back(outputs.back().path);
    }
    const model::Warnings found = writeDocument(doc, outputs, cfg);
    if (warnings)
        for (const auto& line : found.lines()) warnings->push_back(base + ": " + line);
    return written;
}

}  // namespace gp::app
