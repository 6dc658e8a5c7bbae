// What a reference in a placeholder can see, and the one set of rules that resolves it — used
// both when a template is checked (columns from the database, or unknown) and when it is filled.
#pragma once

#include <cstddef>
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

}  // namespace gp::tmpl
