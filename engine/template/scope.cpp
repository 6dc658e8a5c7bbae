#include "template/scope.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

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

// The rules of resolveRef, one method per form of reference: {name}, {param.name},
// {env.NAME}, {parent.column} and {query.column}. Each returns the resolution or throws at the
// reference; a default Resolution (Kind::Unknown) means the columns are not known.
class ReferenceRules {
public:
    ReferenceRules(const Expr& e, const RefScope& scope) : e_(e), scope_(scope) {
        if (scope.params)
            for (const auto& p : *scope.params) paramNames_.push_back(p.name);
    }

    Resolution resolve() {
        if (e_.ref.empty()) return fail("not a reference");
        if (e_.ref.size() == 1) return plain(e_.ref[0]);
        if (e_.ref.size() != 2) return fail("a reference has at most two parts: {column} or {query.column}");
        const std::string& head = e_.ref[0];
        const std::string& name = e_.ref[1];
        if (head == "param") return param(name);
        if (head == "env") return env(name);
        if (head == "parent") return parent(name);
        return qualified(head, name);
    }

private:
    [[noreturn]] Resolution fail(const std::string& why) const {
        throw Error(ErrorKind::Template, e_.loc.file, e_.loc.line, e_.loc.column, "{" + e_.source + "}: " + why);
    }

    bool isParam(const std::string& name) const {
        return std::find(paramNames_.begin(), paramNames_.end(), name) != paramNames_.end();
    }

    static Resolution of(Resolution::Kind kind, std::string name = {}) {
        Resolution r;
        r.kind = kind;
        r.name = std::move(name);
        return r;
    }

    static Resolution row(std::size_t row, std::size_t column) {
        Resolution r;
        r.kind = Resolution::Kind::Row;
        r.row = row;
        r.column = column;
        return r;
    }

    // {name}: a column of the current row, a parameter, the date, {page}/{pages} in a header
    // or footer, or a column of the one one-row query that has it.
    Resolution plain(const std::string& name) {
        std::vector<std::string> candidates;
        if (!scope_.rows.empty()) {
            const auto& current = scope_.rows.back();
            if (!current.columns) return {};  // Unknown
            if (auto i = indexOf(*current.columns, name)) return row(scope_.rows.size() - 1, *i);
            candidates = *current.columns;
        }
        if (isParam(name)) return of(Resolution::Kind::Param, name);
        if (name == "date") return of(Resolution::Kind::Date);
        if (scope_.header && (name == "page" || name == "pages")) return of(Resolution::Kind::Page, name);
        bool unknown = false;
        if (auto r = oneRowColumn(name, candidates, unknown)) return *r;
        if (unknown) return {};
        if (name == "page" || name == "pages") return fail("the page number is known only in <header> and <footer>");
        candidates.insert(candidates.end(), paramNames_.begin(), paramNames_.end());
        candidates.push_back("date");
        std::string why;
        if (!scope_.rows.empty())
            why = "no column '" + name + "' in query '" + scope_.rows.back().query + "' (columns: " +
                  joinNames(*scope_.rows.back().columns) + "), and no parameter '" + name + "'";
        else
            why = "no parameter '" + name + "', and no one-row query has a column '" + name + "'";
        return fail(why + suggestion(name, candidates));
    }

    // A column of the one single-row query that has it; nullopt when none has it (`unknown`:
    // some query's columns are not known). Adds the columns seen to `candidates`.
    std::optional<Resolution> oneRowColumn(const std::string& name, std::vector<std::string>& candidates,
                                           bool& unknown) {
        std::vector<std::size_t> found;
        std::size_t column = 0;
        for (std::size_t q = 0; q < scope_.queries.size(); ++q) {
            const auto& query = scope_.queries[q];
            if (!query.one) continue;
            if (!query.columns) {
                unknown = true;
                continue;
            }
            if (std::any_of(found.begin(), found.end(), [&](std::size_t f) { return scope_.queries[f].name == query.name; }))
                continue;
            if (auto i = indexOf(*query.columns, name)) {
                if (found.empty()) column = *i;
                found.push_back(q);
            }
            candidates.insert(candidates.end(), query.columns->begin(), query.columns->end());
        }
        if (found.size() > 1)
            fail("'" + name + "' is a column of both '" + scope_.queries[found[0]].name + "' and '" +
                 scope_.queries[found[1]].name + "': write {" + scope_.queries[found[0]].name + "." + name + "}");
        if (found.empty()) return std::nullopt;
        Resolution r;
        r.kind = Resolution::Kind::OneRow;
        r.query = found[0];
        r.column = column;
        return r;
    }

    Resolution param(const std::string& name) {
        if (!isParam(name)) return fail("no parameter '" + name + "' is declared" + suggestion(name, paramNames_, "param."));
        return of(Resolution::Kind::Param, name);
    }

    Resolution env(const std::string& name) {
        if (!scope_.env) return fail("environment variables can be read only in <protection> (passwords)");
        return of(Resolution::Kind::Env, name);
    }

    // {parent.column}: the nearest row around the current one that has the column.
    Resolution parent(const std::string& name) {
        if (scope_.rows.empty())
            return fail("there is no row here, so no parent row: {parent.column} is the row around the current one "
                        "(a <repeat> row around a table, for instance)");
        if (scope_.rows.size() == 1) {
            const auto& current = scope_.rows.back();
            std::string why = "nothing encloses the current row (of query '" + current.query + "')";
            if (current.columns && indexOf(*current.columns, name)) why += ": write {" + name + "}";
            return fail(why);
        }
        std::vector<std::string> candidates;
        for (std::size_t i = scope_.rows.size() - 1; i-- > 0;) {
            const auto& enclosing = scope_.rows[i];
            if (!enclosing.columns) return {};  // Unknown
            if (auto c = indexOf(*enclosing.columns, name)) return row(i, *c);
            candidates.insert(candidates.end(), enclosing.columns->begin(), enclosing.columns->end());
        }
        return fail("no enclosing row has a column '" + name + "' (columns: " + joinNames(candidates) + ")" +
                    suggestion(name, candidates, "parent."));
    }

    // {query.column}: the current row of a query being iterated, or the row of a one-row query.
    Resolution qualified(const std::string& head, const std::string& name) {
        for (std::size_t i = scope_.rows.size(); i-- > 0;) {
            const auto& iterated = scope_.rows[i];
            if (iterated.query != head) continue;
            if (!iterated.columns) return {};
            if (auto c = indexOf(*iterated.columns, name)) return row(i, *c);
            return fail("no column '" + name + "' in query '" + head + "' (columns: " + joinNames(*iterated.columns) +
                        ")" + suggestion(name, *iterated.columns, head + "."));
        }
        for (std::size_t q = 0; q < scope_.queries.size(); ++q) {
            const auto& query = scope_.queries[q];
            if (query.name != head) continue;
            if (!query.one)
                return fail("query '" + head + "' returns many rows: show them with <table rows=\"" + head +
                            "\"> or <repeat rows=\"" + head + "\">, or mark it one=\"true\"");
            if (!query.columns) return {};
            if (auto c = indexOf(*query.columns, name)) {
                Resolution r;
                r.kind = Resolution::Kind::OneRow;
                r.query = q;
                r.column = *c;
                return r;
            }
            return fail("no column '" + name + "' in query '" + head + "' (columns: " + joinNames(*query.columns) + ")" +
                        suggestion(name, *query.columns, head + "."));
        }
        if (indexOf(scope_.allQueries, head))
            return fail("query '" + head + "' is declared inside a <repeat> and can be used only there");
        std::vector<std::string> heads = scope_.allQueries;
        heads.push_back("param");
        heads.push_back("parent");
        std::string why = "no query named '" + head + "' (and '" + head + "' is not param or parent)";
        if (auto h = closest(head, heads)) why += " (did you mean {" + *h + "." + name + "}?)";
        return fail(why);
    }

    const Expr& e_;
    const RefScope& scope_;
    std::vector<std::string> paramNames_;
};

}  // namespace

Resolution resolveRef(const Expr& e, const RefScope& scope) { return ReferenceRules(e, scope).resolve(); }

ChoiceColumns choiceColumns(const ParamDef& p, const std::vector<std::string>& columns) {
    ChoiceColumns out;
    const auto value = indexOf(columns, "value");
    if (!value) {
        std::string msg = "choices=\"" + p.choices + "\": query '" + p.choices + "' has no column 'value' (columns: " +
                          joinNames(columns) + "): name the column of the values AS value (and, optionally, the text "
                                               "shown for each AS label)";
        throw Error(ErrorKind::Template, p.choicesLoc.file, p.choicesLoc.line, p.choicesLoc.column, msg);
    }
    out.value = *value;
    out.label = indexOf(columns, "label");
    return out;
}

}  // namespace gp::tmpl
