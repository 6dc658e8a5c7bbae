#include "app/render_job.h"

#include <optional>

#include "core/error.h"
#include "data/source.h"
#include "output/atomic_file.h"
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

std::string documentBaseName(const std::string& templateName, const std::map<std::string, std::string>& params) {
    std::string name = safePart(fs::path(templateName).stem().string());
    for (const auto& [key, value] : params) name += "-" + safePart(value);
    return name;
}

std::vector<fs::path> render(const config::Config& cfg, const RenderRequest& request) {
    if (request.formats.empty()) throw Error(ErrorKind::Usage, "no output format: use --format pdf,xlsx");
    for (const auto& f : request.formats)
        if (f != "pdf" && f != "xlsx") throw Error(ErrorKind::Usage, "unknown format '" + f + "' (use pdf, xlsx or both)");

    const fs::path templatePath = tmpl::findTemplate(cfg.templatesDir, request.templateName);
    const tmpl::Template t = tmpl::loadTemplate(templatePath);
    const data::Params params = tmpl::bindParams(t, request.params);

    // Declared before the document: a streamed table reads its rows through this session while
    // the renderers run, so the session must outlive every use of `doc`.
    data::Session session(cfg.source(request.source));
    tmpl::FillOptions options;
    options.created = cfg.created;
    options.page = cfg.page;
    options.fontFamily = cfg.fontFamily;
    options.fontSize = cfg.fontSize;
    const model::Document doc = tmpl::fill(t, session, params, options);

    const fs::path dir = request.outDir.empty() ? cfg.outputDir / t.name : request.outDir;
    const std::string base = documentBaseName(t.name, request.params);
    std::vector<output::AtomicFile> files;
    for (const auto& format : request.formats) {
        output::AtomicFile file(dir / (base + "." + format));
        if (format == "pdf") pdf::render(doc, file.tempPath(), pdf::Options{cfg.fontsDir});
        else xlsx::render(doc, file.tempPath());
        files.push_back(std::move(file));
    }
    std::vector<fs::path> written;
    for (auto& file : files) {
        file.commit();
        written.push_back(file.finalPath());
    }
    return written;
}

}  // namespace gp::app
