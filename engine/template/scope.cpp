#include "template/scope.h"

#include <algorithm>

#include "core/error.h"
#include "template/hint.h"

namespace gp::tmpl {
namespace {

std::optional<std::size_t> indexOf(const std::vector<std::string>& names, const std::string& name) {
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) return std::nullopt;
    return static_cast<std::size_t>(it - names.begin());
}

std::string joinNames(const std::vector<std::string>& names, std::size_t max = 12) {
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < max; ++i) out += (out.empty() ? "" : ", ") + names[i];
    if (names.size() > max) out += ", …";
    return out;
}

std::string suggestion(const std::string& name, const std::vector<std::string>& candidates, const std::string& prefix = "") {
    if (auto h = closest(name, candidates)) return " (did you mean {" + prefix + *h + "}?)";
    return "";
}

}  // namespace

Resolution resolveRef(const Expr& e, const RefScope& scope) {
    auto fail = [&](const std::string& why) -> Resolution {
        throw Error(ErrorKind::Template, e.loc.file, e.loc.line, e.loc.column, "{" + e.source + "}: " + why);
    };
    auto param = [&](const std::string& name) {
        if (!scope.params) return false;
        return std::any_of(scope.params->begin(), scope.params->end(), [&](const ParamDef& p) { return p.name == name; });
    };
    std::vector<std::string> paramNames;
    if (scope.params)
        for (const auto& p : *scope.params) paramNames.push_back(p.name);

    Resolution r;
    if (e.ref.empty()) return fail("not a reference");
    if (e.ref.size() == 1) {
        const std::string& name = e.ref[0];
        std::vector<std::string> candidates;
        if (!scope.rows.empty()) {
            const auto& row = scope.rows.back();
            if (!row.columns) return r;  // Unknown
            if (auto i = indexOf(*row.columns, name)) {
                r.kind = Resolution::Kind::Row;
                r.row = scope.rows.size() - 1;
                r.column = *i;
                return r;
            }
            candidates = *row.columns;
        }
        if (param(name)) {
            r.kind = Resolution::Kind::Param;
            r.name = name;
            return r;
        }
        if (name == "date") {
            r.kind = Resolution::Kind::Date;
            return r;
        }
        if (scope.header && (name == "page" || name == "pages")) {
            r.kind = Resolution::Kind::Page;
            r.name = name;
            return r;
        }
        // A column of the one single-row query that has it.
        std::vector<std::size_t> found;
        bool unknown = false;
        for (std::size_t q = 0; q < scope.queries.size(); ++q) {
            const auto& query = scope.queries[q];
            if (!query.one) continue;
            if (!query.columns) {
                unknown = true;
                continue;
            }
            if (std::any_of(found.begin(), found.end(), [&](std::size_t f) { return scope.queries[f].name == query.name; }))
                continue;
            if (auto i = indexOf(*query.columns, name)) {
                if (found.empty()) r.column = *i;
                found.push_back(q);
            }
            candidates.insert(candidates.end(), query.columns->begin(), query.columns->end());
        }
        if (found.size() > 1)
            return fail("'" + name + "' is a column of both '" + scope.queries[found[0]].name + "' and '" +
                        scope.queries[found[1]].name + "': write {" + scope.queries[found[0]].name + "." + name + "}");
        if (found.size() == 1) {
            r.kind = Resolution::Kind::OneRow;
            r.query = found[0];
            return r;
        }
        if (unknown) return r;
        if (name == "page" || name == "pages")
            return fail("the page number is known only in <header> and <footer>");
        candidates.insert(candidates.end(), paramNames.begin(), paramNames.end());
        candidates.push_back("date");
        std::string why;
        if (!scope.rows.empty())
            why = "no column '" + name + "' in query '" + scope.rows.back().query + "' (columns: " +
                  joinNames(*scope.rows.back().columns) + "), and no parameter '" + name + "'";
        else
            why = "no parameter '" + name + "', and no one-row query has a column '" + name + "'";
        return fail(why + suggestion(name, candidates));
    }
    if (e.ref.size() != 2) return fail("a reference has at most two parts: {column} or {query.column}");
    const std::string& head = e.ref[0];
    const std::string& name = e.ref[1];
    if (head == "param") {
        if (!param(name)) {
            std::string why = "no parameter '" + name + "' is declared";
            return fail(why + suggestion(name, paramNames, "param."));
        }
        r.kind = Resolution::Kind::Param;
        r.name = name;
        return r;
    }
    if (head == "env") {
        if (!scope.env) return fail("environment variables can be read only in <protection> (passwords)");
        r.kind = Resolution::Kind::Env;
        r.name = name;
        return r;
    }
    if (head == "parent") {
        if (scope.rows.empty())
            return fail("there is no row here, so no parent row: {parent.column} is the row around the current one "
                        "(a <repeat> row around a table, for instance)");
        if (scope.rows.size() == 1) {
            const auto& current = scope.rows.back();
            std::string why = "nothing encloses the current row (of query '" + current.query + "')";
            if (current.columns && indexOf(*current.columns, name)) why += ": write {" + name + "}";
            return fail(why);
        }
        std::vector<std::string> candidates;
        for (std::size_t i = scope.rows.size() - 1; i-- > 0;) {
            const auto& row = scope.rows[i];
            if (!row.columns) return r;  // Unknown
            if (auto c = indexOf(*row.columns, name)) {
                r.kind = Resolution::Kind::Row;
                r.row = i;
                r.column = *c;
                return r;
            }
            candidates.insert(candidates.end(), row.columns->begin(), row.columns->end());
        }
        return fail("no enclosing row has a column '" + name + "' (columns: " + joinNames(candidates) + ")" +
                    suggestion(name, candidates, "parent."));
    }
    // {query.column}: the current row of a query being iterated, or the row of a one-row query.
    for (std::size_t i = scope.rows.size(); i-- > 0;) {
        const auto& row = scope.rows[i];
        if (row.query != head) continue;
        if (!row.columns) return r;
        if (auto c = indexOf(*row.columns, name)) {
            r.kind = Resolution::Kind::Row;
            r.row = i;
            r.column = *c;
            return r;
        }
        return fail("no column '" + name + "' in query '" + head + "' (columns: " + joinNames(*row.columns) + ")" +
                    suggestion(name, *row.columns, head + "."));
    }
    for (std::size_t q = 0; q < scope.queries.size(); ++q) {
        const auto& query = scope.queries[q];
        if (query.name != head) continue;
        if (!query.one)
            return fail("query '" + head + "' returns many rows: show them with <table rows=\"" + head +
                        "\"> or <repeat rows=\"" + head + "\">, or mark it one=\"true\"");
        if (!query.columns) return r;
        if (auto c = indexOf(*query.columns, name)) {
            r.kind = Resolution::Kind::OneRow;
            r.query = q;
            r.column = *c;
            return r;
        }
        return fail("no column '" + name + "' in query '" + head + "' (columns: " + joinNames(*query.columns) + ")" +
                    suggestion(name, *query.columns, head + "."));
    }
    if (indexOf(scope.allQueries, head))
        return fail("query '" + head + "' is declared inside a <repeat> and can be used only there");
    std::vector<std::string> heads = scope.allQueries;
    heads.push_back("param");
    heads.push_back("parent");
    std::string why = "no query named '" + head + "' (and '" + head + "' is not param or parent)";
    if (auto h = closest(head, heads)) why += " (did you mean {" + *h + "." + name + "}?)";
    return fail(why);
}

}  // namespace gp::tmpl
