// The second pass of compileTemplate (template.h): every reference of a compiled template
// resolved by the rules of fill (scope.h) with what its place can see, every query's `:name`
// bound to a parameter or an enclosing row; with a ColumnSource, the columns come from the
// database. Problems are appended, none thrown.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "template/template.h"

namespace gp::tmpl {

// Where the checker gets the columns of a query (check.h: DatabaseColumns).
struct ColumnSource {
    virtual ~ColumnSource() = default;
    // The columns `q` returns; nullopt when they cannot be known (then its problem, if any,
    // has been added to `problems`).
    virtual std::optional<std::vector<std::string>> columns(const QueryDef& q, std::vector<Error>& problems) = 0;
};

void validateTemplate(const Template& t, ColumnSource* columns, std::vector<Error>& problems);

}  // namespace gp::tmpl
