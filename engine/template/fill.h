// Template + query rows -> document model. Runs the template's queries with bound
// parameters and evaluates every placeholder; the renderers never see the database — except
// through a streamed table (stream="true"), whose rows are read while rendering: such a
// document shares the ownership of `session`, so the session lives as long as it does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "data/source.h"
#include "model/document.h"
#include "template/template.h"

namespace gp::tmpl {

struct FillOptions {
    std::int64_t created = 0;  // document creation time (Unix seconds), fixed for reproducibility
    model::PageSetup page;     // defaults from reports.ini; the template may override size, orientation, margins
    std::string fontFamily = "PTSerif";
    double fontSize = 10.5;
};

// Turns command-line strings into typed parameters as the template declares them; applies
// defaults. Unknown, missing required or malformed parameters throw gp::Error(Usage).
data::Params bindParams(const Template& t, const std::map<std::string, std::string>& given);

// The parameters of a query that no template declares (a batch's query in reports.ini):
// each typed by the same parser as bindParams, as the first of `templates` declaring a
// parameter of that name says; one no template declares is text, except that a whole number
// is bound as an integer (LIMIT :n). A value its declaration refuses throws gp::Error(Usage).
data::Params bindQueryParams(const std::vector<Template>& templates, const std::map<std::string, std::string>& given);

// One choice of a parameter with choices="query": its `value` column, and its `label` column
// (Null when the query has none).
struct Choice {
    Value value;
    Value label;
};

// The choices of parameter `p` of `t` (p.choices not empty): the rows of its query run on
// `session`, at most `limit` of them, in the query's order; rows whose value is NULL are left
// out. Errors as fill gives them for the same query (a query the database refuses: a template
// error at the <query>; a missing `value` column: at the choices attribute, scope.h).
std::vector<Choice> listChoices(const Template& t, const ParamDef& p, data::Session& session, std::size_t limit);

model::Document fill(const Template& t, std::shared_ptr<data::Session> session, const data::Params& params,
                     const FillOptions& options);

}  // namespace gp::tmpl
