#include "app/write.h"

#include "core/error.h"
#include "output/atomic_file.h"
#include "output/file_set.h"
#include "pdf/pdf_renderer.h"
#include "xlsx/xlsx_renderer.h"

namespace gp::app {

tmpl::FillOptions fillOptions(const config::Config& cfg) {
    tmpl::FillOptions options;
    options.created = cfg.created;
    options.page = cfg.page;
    options.fontFamily = cfg.fontFamily;
    options.fontSize = cfg.fontSize;
    return options;
}

void checkFormats(const std::vector<std::string>& formats) {
    if (formats.empty()) throw Error(ErrorKind::Usage, "no output format: use --format pdf,xlsx");
    for (const auto& f : formats)
        if (f != "pdf" && f != "xlsx") throw Error(ErrorKind::Usage, "unknown format '" + f + "' (use pdf, xlsx or both)");
}

model::Warnings writeDocument(const model::Document& doc, const std::vector<Output>& outputs, const config::Config& cfg) {
    model::Warnings warnings = doc.warnings;
    std::vector<output::AtomicFile> files;
    for (const auto& out : outputs) {
        output::AtomicFile file(out.path);
        model::Warnings found;  // the same text in both formats (a streamed table's) is one line
        if (out.format == "pdf") {
            pdf::Options options{cfg.fontsDir};
            options.warnings = &found;
            pdf::render(doc, file.tempPath(), options);
        } else if (out.format == "xlsx") {
            xlsx::Options options;
            options.warnings = &found;
            xlsx::render(doc, file.tempPath(), options);
        } else {
            throw Error(ErrorKind::Usage, "unknown format '" + out.format + "' (use pdf, xlsx or both)");
        }
        warnings.merge(found);
        files.push_back(std::move(file));
    }
    output::commitTogether(files);  // all formats appear together, even across a crash
    return warnings;
}

}  // namespace gp::app
