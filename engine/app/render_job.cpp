#include "app/render_job.h"

#include "app/render_document.h"
#include "app/write.h"

#include <optional>

#include "core/error.h"
#include "data/source.h"
#include "output/file_set.h"
#include "template/fill.h"
#include "template/template.h"

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

MemoryDocument renderToMemory(const config::Config& cfg, const RenderRequest& request, const std::atomic<bool>* cancel) {
    checkFormats(request.formats);
    const fs::path templatePath = tmpl::findTemplate(cfg.templatesDir, request.templateName);
    const tmpl::Template t = tmpl::loadTemplate(templatePath);
    tmpl::bindParams(t, request.params);  // a bad parameter is a usage error before anything connects
    DocumentJob job;
    job.tpl = &t;
    job.params = request.params;
    job.buffers = request.formats;
    job.cancel = cancel;
    const auto session = std::make_shared<data::Session>(cfg.source(request.source));
    RenderedDocument done = renderDocument(cfg, session, job);
    MemoryDocument out;
    out.baseName = documentBaseName(t, request.params);
    out.buffers = std::move(done.buffers);
    for (const auto& line : done.warnings.lines()) out.warnings.push_back(out.baseName + ": " + line);
    return out;
}

std::vector<fs::path> render(const config::Config& cfg, const RenderRequest& request, std::vector<std::string>* warnings) {
    checkFormats(request.formats);

    const fs::path templatePath = tmpl::findTemplate(cfg.templatesDir, request.templateName);
    const tmpl::Template t = tmpl::loadTemplate(templatePath);
    tmpl::bindParams(t, request.params);  // a bad parameter is a usage error before anything connects

    const fs::path dir = request.outDir.empty() ? cfg.outputDir / t.name : request.outDir;
    output::recover(dir, false);  // a render killed in this folder: its set finished, its temporaries gone
    const std::string base = documentBaseName(t, request.params);
    DocumentJob job;
    job.tpl = &t;
    job.params = request.params;
    for (const auto& format : request.formats) job.files.push_back({format, dir / (base + "." + format)});
    const auto session = std::make_shared<data::Session>(cfg.source(request.source));
    const RenderedDocument done = renderDocument(cfg, session, job);
    if (warnings)
        for (const auto& line : done.warnings.lines()) warnings->push_back(base + ": " + line);
    std::vector<fs::path> written;
    for (const auto& file : done.written) written.push_back(file.path);
    return written;
}

}  // namespace gp::app
