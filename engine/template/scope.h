// What a reference in a placeholder can see, and the one set of rules that resolves it — used
// both when a template is checked (columns from the database, or unknown) and when it is filled.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "template/expr.h"
#include "template/template.h"

namespace gp::tmpl {

struct RefScope {
    struct Row {  // a row being iterated (table, repeat, chart) or shown (fields)
        std::string query;
        const std::vector<std::string>* columns = nullptr;  // nullptr: not known (no database)
    };
    struct Query {  // a query declared where the reference is (innermost level first)
        std::string name;
        bool one = false;
        const std::vector<std::string>* columns = nullptr;  // one-row queries; nullptr: not known
    };
    std::vector<Row> rows;  // innermost last; rows.back() is the current row
    std::vector<Query> queries;
    std::vector<std::string> allQueries;  // every query of the template, for messages
    const std::vector<ParamDef>* params = nullptr;
    bool header = false;  // {page} and {pages} allowed (header, footer)
    bool env = false;     // {env.NAME} allowed (protection)
};

struct Resolution {
    enum class Kind {
        Row,      // rows[row], column `column`
        OneRow,   // the single row of queries[query], column `column`
        Param,    // parameter `name`
        Date,     // the document date
        Page,     // "{page}" or "{pages}" kept for the renderer (`name`)
        Env,      // environment variable `name`
        Unknown,  // cannot be decided without the database's columns
    };
    Kind kind = Kind::Unknown;
    std::size_t row = 0, query = 0, column = 0;
    std::string name;
};

// Resolves `e.ref` in `scope`; throws gp::Error(Template) at the reference, saying what is
// wrong and what was probably meant.
Resolution resolveRef(const Expr& e, const RefScope& scope);

// Where the `value` and `label` columns of a parameter's choices query (choices="query") are
// among `columns`. Throws gp::Error(Template) at the choices attribute when there is no
// `value`, naming the query and the columns it has: the one message of `check` (columns from
// the database) and of listing the choices (listChoices, fill.h).
struct ChoiceColumns {
    std::size_t value = 0;
    std::optional<std::size_t> label;  // none: the value is shown
};
ChoiceColumns choiceColumns(const ParamDef& p, const std::vector<std::string>& columns);

}  // namespace gp::tmpl
