// `grantpress check`: every problem of a template at once, without rendering — the XML, the
// elements and attributes, the filters, and (with a database) every column a placeholder
// names, found by preparing each query with its parameters bound as NULL.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "data/source.h"
#include "template/template.h"
#include "template/validate.h"

namespace gp::tmpl {

// Runs `SELECT * FROM (<sql>) AS q WHERE 1=0` with every `:name` bound as NULL and reads the
// column names: no rows are read, nothing is written. A query that would do more than read
// (data::Session::ensureReadOnly) is a problem at its <query>.
class DatabaseColumns : public ColumnSource {
public:
    explicit DatabaseColumns(data::Session& session) : session_(session) {}
    std::optional<std::vector<std::string>> columns(const QueryDef& q, std::vector<Error>& problems) override;

private:
    data::Session& session_;
};

struct CheckOptions {
    data::Session* session = nullptr;  // none: columns are not checked
    std::filesystem::path fontsDir;    // set: font="…" must name fonts in it
};

// Every problem of the template file at `path`, in file order; empty when it is fine.
std::vector<Error> checkTemplate(const std::filesystem::path& path, const CheckOptions& options);

}  // namespace gp::tmpl
