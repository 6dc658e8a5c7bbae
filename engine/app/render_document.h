// The one way a document is made: a compiled template, its parameters as given (text, typed
// here by the template's declarations: tmpl::bindParams is the one parameter parser), a data
// session -> files (all formats committed together) and/or memory buffers. The CLI's render,
// the batch runner and (next) the server call this and nothing below it.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/write.h"
#include "config/config.h"
#include "data/source.h"
#include "model/document.h"
#include "template/template.h"

namespace gp::app {

struct DocumentJob {
    const tmpl::Template* tpl = nullptr;         // compiled once by the caller (a batch: once per run)
    std::map<std::string, std::string> params;   // as given; unknown or malformed ones are usage errors
    std::vector<Output> files;                   // formats to write, each at its final path
    std::vector<std::string> buffers;            // formats to render into memory instead
    // Called once the document is filled, before anything is written: which of `files` to
    // write (a batch leaves out those whose content has not changed). Unset: all of them.
    std::function<std::vector<Output>(const model::Document&)> select;
    // Called as the work moves on: "fill" (queries and placeholders), "render" (the formats
    // written and committed; twice when there are both buffers and files), then "done".
    std::function<void(std::string_view stage)> progress;
    // Checked before "fill" and "render": once set, the job stops with CancelledError, and
    // nothing more is written (a "render" stage under way finishes its files together).
    const std::atomic<bool>* cancel = nullptr;
};

struct RenderedDocument {
    std::vector<Output> written;                 // the files written, in the order of `files`
    std::map<std::string, std::string> buffers;  // format -> the document's bytes
    model::Warnings warnings;                    // text replaced or cut to be shown (fill's and the renderers')
};

// A job stopped through DocumentJob::cancel (exit code 75, like a batch stopped by a signal).
class CancelledError : public Error {
public:
    CancelledError() : Error(ErrorKind::Busy, "the render was cancelled before it finished; nothing was written") {}
};

// Throws gp::Error: Usage for bad parameters or formats, Data/Template/Output/Render as the
// stage that failed says; nothing is left at any final path then.
RenderedDocument renderDocument(const config::Config& cfg, const std::shared_ptr<data::Session>& session,
                                const DocumentJob& job);

}  // namespace gp::app
