#include "app/render_document.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include "core/declension.h"
#include "core/error.h"
#include "template/fill.h"

namespace gp::app {
namespace {

namespace fs = std::filesystem;

// A private folder for the buffers' files, removed with everything in it.
class ScratchFolder {
public:
    ScratchFolder() {
        std::string pattern = (fs::temp_directory_path() / "grantpress-XXXXXX").string();
        if (!::mkdtemp(pattern.data()))
            throw Error(ErrorKind::Output, "cannot make a temporary folder in " + fs::temp_directory_path().string());
        path_ = pattern;
    }
    ~ScratchFolder() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    ScratchFolder(const ScratchFolder&) = delete;
    ScratchFolder& operator=(const ScratchFolder&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

std::string readAll(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in && !in.eof()) throw Error(ErrorKind::Output, "cannot read back " + path.string());
    return bytes.str();
}

// The organization's own declension rules and exceptions (templates/declension.txt), read
// once per process and folder, before the first document that could use them.
void loadDeclensionRules(const std::filesystem::path& templatesDir) {
    static std::mutex mutex;
    static std::set<std::filesystem::path> loaded;
    const std::filesystem::path file = templatesDir / "declension.txt";
    std::lock_guard lock(mutex);
    if (loaded.count(file)) return;
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) {
        std::ifstream in(file, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        if (!in && !in.eof()) throw Error(ErrorKind::Config, file.string() + ": cannot read the declension rules");
        words::addDeclensionRules(text.str(), file.string());
    }
    loaded.insert(file);
}

}  // namespace

RenderedDocument renderDocument(const config::Config& cfg, const std::shared_ptr<data::Session>& session,
                                const DocumentJob& job) {
    if (!job.tpl) throw std::invalid_argument("app::renderDocument: no template");
    std::vector<std::string> formats = job.buffers;
    for (const auto& file : job.files) formats.push_back(file.format);
    checkFormats(formats);
    auto stage = [&](std::string_view name) {
        if (job.cancel && job.cancel->load()) throw CancelledError();
        if (job.progress) job.progress(name);
    };

    stage("fill");
    loadDeclensionRules(cfg.templatesDir);
    const data::Params params = tmpl::bindParams(*job.tpl, job.params);
    const model::Document doc = tmpl::fill(*job.tpl, session, params, fillOptions(cfg));

    RenderedDocument out;
    out.warnings = doc.warnings;
    if (!job.buffers.empty()) {
        ScratchFolder scratch;
        std::vector<Output> scratchFiles;
        for (const auto& format : job.buffers) scratchFiles.push_back({format, scratch.path() / ("document." + format)});
        stage("render");
        out.warnings.merge(writeDocument(doc, scratchFiles, cfg));
        for (const auto& file : scratchFiles) out.buffers[file.format] = readAll(file.path);
    }
    const std::vector<Output> todo = job.select ? job.select(doc) : job.files;
    if (!todo.empty()) {
        stage("render");
        out.warnings.merge(writeDocument(doc, todo, cfg));
        out.written = todo;
    }
    if (job.progress) job.progress("done");
    return out;
}

}  // namespace gp::app
