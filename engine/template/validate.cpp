#include "template/validate.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "data/source.h"
#include "template/compiler.h"
#include "template/hint.h"
#include "template/scope.h"

namespace gp::tmpl {
namespace {

// Walks a compiled template with what each place can see, resolving every reference by the
// rules of fill (scope.h); with a ColumnSource the columns come from the database.
// Walks a compiled template with what each place can see, resolving every reference by the
// rules of fill (scope.h); with a ColumnSource the columns come from the database.
class Validator {
public:
    Validator(const Template& t, ColumnSource* columns, std::vector<Error>& problems)
        : t_(t), source_(columns), problems_(problems) {
        for (const QueryDef* q : allQueries(t)) allQueries_.push_back(q->name);
    }

    void run() {
        levels_.push_back(&t_.queries);
        for (const auto& q : t_.queries) {
            binds(q, false);
            columnsOf(q);  // every query runs, used or not
        }
        for (const auto& p : t_.params)
            if (!p.choices.empty()) choices(p);
        RefScope s = scope();
        for (const TextExpr* te : {&t_.title, &t_.subject, &t_.author, &t_.keywords}) text(*te, s);
        {
            RefScope h = scope();
            h.header = true;
            if (t_.header) text(*t_.header, h);
            if (t_.footer) text(*t_.footer, h);
        }
        if (t_.protection) {
            RefScope p = scope();
            p.env = true;
            text(t_.protection->ownerPassword, p);
            text(t_.protection->userPassword, p);
        }
        walk(t_.body);
    }

private:
    void report(const Location& l, const std::string& msg) { problems_.emplace_back(ErrorKind::Template, l.file, l.line, l.column, msg); }

    const std::vector<std::string>* columnsOf(const QueryDef& q) {
        if (!source_) return nullptr;
        auto it = cache_.find(&q);
        if (it == cache_.end()) it = cache_.emplace(&q, source_->columns(q, problems_)).first;
        return it->second ? &*it->second : nullptr;
    }

    RefScope scope() {
        RefScope s;
        s.rows = rows_;
        s.params = &t_.params;
        s.allQueries = allQueries_;
        for (auto level = levels_.rbegin(); level != levels_.rend(); ++level)
            for (const auto& q : **level) s.queries.push_back({q.name, q.one, q.one ? columnsOf(q) : nullptr});
        return s;
    }

    const QueryDef* find(const std::string& name) const {
        for (auto level = levels_.rbegin(); level != levels_.rend(); ++level)
            for (const auto& q : **level)
                if (q.name == name) return &q;
        return nullptr;
    }

    // The `:name` parameters of a query: declared parameters, or (in a <repeat>) parent_column.
    void binds(const QueryDef& q, bool nested) {
        const auto& bound = q.bound;
        std::set<std::string> seen;
        for (const auto& name : bound.names) {
            if (!seen.insert(name).second) continue;
            if (t_.param(name)) continue;
            Location at = where(q, name);
            if (name.rfind("parent_", 0) == 0 && name.size() > 7) {
                if (!nested) {
                    report(at, "query '" + q.name + "' uses :" + name +
                                   ", but parent_… refers to the row of an enclosing <repeat>: declare the query inside it");
                    continue;
                }
                const std::string column = name.substr(7);
                bool unknown = false, found = false;
                std::vector<std::string> candidates;
                for (auto row = rows_.rbegin(); row != rows_.rend() && !found; ++row) {
                    if (!row->columns) unknown = true;
                    else if (std::find(row->columns->begin(), row->columns->end(), column) != row->columns->end()) found = true;
                    else candidates.insert(candidates.end(), row->columns->begin(), row->columns->end());
                }
                if (!found && !unknown) {
                    std::string msg = "query '" + q.name + "' uses :" + name + ", but no enclosing row has a column '" +
                                      column + "'";
                    if (auto h = closest(column, candidates)) msg += " (did you mean :parent_" + *h + "?)";
                    report(at, msg);
                }
                continue;
            }
            std::vector<std::string> names;
            for (const auto& p : t_.params) names.push_back(p.name);
            std::string msg = "query '" + q.name + "' uses :" + name + ", but no <param name=\"" + name + "\"> is declared";
            if (auto h = closest(name, names)) msg += " (did you mean :" + *h + "?)";
            else if (nested) msg += " (a column of the enclosing row is :parent_column)";
            report(at, msg);
        }
    }

    // choices="query" of parameter `p`: a query directly under <report>, listing rows (not
    // one="true"), using no parameter (the choices are listed before any value is given), with
    // a `value` column (known with a database); the parameter is not secret. Each problem at
    // the attribute.
    void choices(const ParamDef& p) {
        const Location& at = p.choicesLoc;
        const std::string attr = "choices=\"" + p.choices + "\": ";
        if (p.secret)
            report(at, attr + "parameter '" + p.name +
                           "' is secret (secret=\"true\", or used in <protection>): its values are never shown, so "
                           "it cannot have choices");
        const QueryDef* q = t_.query(p.choices);
        if (!q) {
            std::vector<std::string> top;
            for (const auto& tq : t_.queries) top.push_back(tq.name);
            std::string msg = attr;
            if (std::find(allQueries_.begin(), allQueries_.end(), p.choices) != allQueries_.end())
                msg += "query '" + p.choices + "' is declared inside a <repeat>; choices name a query directly under <report>";
            else
                msg += "no <query name=\"" + p.choices + "\"> directly under <report>";
            if (auto h = closest(p.choices, top)) msg += " (did you mean '" + *h + "'?)";
            else if (top.empty()) msg += " (the template has none)";
            else {
                std::string names;
                for (const auto& n : top) names += (names.empty() ? "" : ", ") + n;
                msg += " (queries under <report>: " + names + ")";
            }
            report(at, msg);
            return;
        }
        if (q->one)
            report(at, attr + "query '" + q->name +
                           "' is one=\"true\" (a single record); choices list the rows of a query without it");
        if (!q->bound.names.empty())
            report(at, attr + "query '" + q->name + "' uses :" + q->bound.names.front() +
                           ", but the choices are listed before any parameter is given: their query cannot use one");
        if (const auto* columns = columnsOf(*q)) try {
                choiceColumns(p, *columns);
            } catch (const Error& e) {
                problems_.push_back(e);
            }
    }

    // Where `:name` first appears in the query's SQL.
    static Location where(const QueryDef& q, const std::string& name) {
        const std::string& sql = q.source.text;
        const std::string needle = ":" + name;
        for (size_t p = sql.find(needle); p != std::string::npos; p = sql.find(needle, p + 1)) {
            size_t end = p + needle.size();
            bool whole = end >= sql.size() || !(std::isalnum(static_cast<unsigned char>(sql[end])) || sql[end] == '_');
            bool single = p == 0 || sql[p - 1] != ':';
            if (whole && single) {
                auto [line, column] = q.source.position(p);
                return {q.loc.file, line, column};
            }
        }
        return q.loc;
    }

    void text(const TextExpr& te, const RefScope& s) {
        for (const Expr* e : te.references()) ref(*e, s);
    }
    void expr(const Expr& e, const RefScope& s) {
        std::vector<const Expr*> refs;
        e.references(refs);
        for (const Expr* r : refs) ref(*r, s);
    }
    void ref(const Expr& e, const RefScope& s) {
        try {
            const Resolution r = resolveRef(e, s);
            if (r.kind == Resolution::Kind::Param && !s.env && isSecretParam(t_, r.name))
                report(e.loc, "{" + e.source + "}: parameter '" + r.name +
                                  "' is secret (secret=\"true\", or used in <protection>): it is never shown; use it "
                                  "only in <protection> or bind it in a query as :" + r.name);
        } catch (const Error& err) {
            problems_.push_back(err);
        }
    }

    // The query a block iterates; reports it when it is not visible here.
    const QueryDef* rowsQuery(const Block& b, const char* element) {
        if (b.rows.empty()) return nullptr;  // already reported
        if (const QueryDef* q = find(b.rows)) return q;
        std::string msg;
        if (std::find(allQueries_.begin(), allQueries_.end(), b.rows) != allQueries_.end())
            msg = "query '" + b.rows + "' is declared inside a <repeat> and can be used only there";
        else {
            msg = "no <query name=\"" + b.rows + "\"> in this template";
            if (auto h = closest(b.rows, allQueries_)) msg += " (did you mean '" + *h + "'?)";
        }
        report(b.rowsLoc.line ? b.rowsLoc : b.loc, std::string("<") + element + ">: " + msg);
        return nullptr;
    }

    void walk(const std::vector<Block>& blocks) {
        for (const auto& b : blocks) walk(b);
    }

    // Every block kind is named here (no default): a new kind of block fails to compile until
    // the validator knows what its references can see.
    void walk(const Block& b) {
        RefScope s = scope();
        switch (b.kind) {
            case Block::Kind::Title:
                text(b.text, s);
                text(b.subtitle, s);
                break;
            case Block::Kind::Section:
                text(b.text, s);
                text(b.sheet, s);
                walk(b.children);
                break;
            case Block::Kind::Heading:
                text(b.text, s);
                text(b.sheet, s);
                break;
            case Block::Kind::Paragraph:
                for (const auto& r : b.runs) text(r.text, s);
                break;
            case Block::Kind::PageBreak: break;
            case Block::Kind::Image: text(b.text, s); break;
            case Block::Kind::Signature:
                for (const auto& p : b.parties)
                    for (const TextExpr* t : {&p.title, &p.position, &p.name, &p.date}) text(*t, s);
                break;
            case Block::Kind::If:
                if (b.test) expr(*b.test, s);
                walk(b.children);
                walk(b.otherwise);
                break;
            case Block::Kind::Fields: fields(b, s); break;
            case Block::Kind::Table: table(b, s); break;
            case Block::Kind::Chart: chart(b, s); break;
            case Block::Kind::Repeat: repeat(b); break;
        }
    }

    // <fields>: labels in the enclosing scope, values in the row given by row="…" (a one-row
    // query) or the enclosing row.
    void fields(const Block& b, const RefScope& s) {
        if (b.rows.empty()) {
            if (rows_.empty()) {
                report(b.loc, "<fields> needs row=\"query\" (a one=\"true\" query) outside a <repeat>");
                return;
            }
            for (const auto& f : b.fields) {
                text(f.label, s);
                text(f.value, s);
            }
            return;
        }
        RefScope::Row row;
        bool ok = false;
        for (auto r = rows_.rbegin(); r != rows_.rend(); ++r)
            if (r->query == b.rows) {
                row = *r;
                ok = true;
                break;
            }
        if (!ok) {
            const QueryDef* q = rowsQuery(b, "fields");
            if (!q) return;
            if (!q->one) {
                report(b.rowsLoc, "<fields row=\"" + b.rows + "\"> needs a query with one=\"true\" (exactly one row)");
                return;
            }
            row = {q->name, columnsOf(*q)};
        }
        for (const auto& f : b.fields) text(f.label, s);
        rows_.push_back(row);
        RefScope inner = scope();
        for (const auto& f : b.fields) text(f.value, inner);
        rows_.pop_back();
    }

    void table(const Block& b, const RefScope& s) {
        text(b.text, s);
        text(b.sheet, s);
        for (const auto& c : b.columns) text(c.title, s);
        const QueryDef* q = rowsQuery(b, "table");
        if (!q) return;
        rows_.push_back({q->name, columnsOf(*q)});
        RefScope inner = scope();
        for (const auto& c : b.columns) {
            text(c.value, inner);
            text(c.link, inner);
        }
        if (b.group) expr(*b.group, inner);
        text(b.groupTitle, inner);
        text(b.groupTotals, inner);
        rows_.pop_back();
    }

    void chart(const Block& b, const RefScope& s) {
        text(b.text, s);
        text(b.sheet, s);
        for (const auto& series : b.series) text(series.name, s);
        const QueryDef* q = rowsQuery(b, "chart");
        if (!q) return;
        rows_.push_back({q->name, columnsOf(*q)});
        RefScope inner = scope();
        text(b.category, inner);
        for (const auto& series : b.series) text(series.value, inner);
        rows_.pop_back();
    }

    void repeat(const Block& b) {
        const QueryDef* q = rowsQuery(b, "repeat");
        if (!q) return;
        rows_.push_back({q->name, columnsOf(*q)});
        levels_.push_back(&b.queries);
        for (const auto& nested : b.queries) {
            binds(nested, true);
            columnsOf(nested);
        }
        walk(b.children);
        levels_.pop_back();
        rows_.pop_back();
    }

    const Template& t_;
    ColumnSource* source_;
    std::vector<Error>& problems_;
    std::vector<std::string> allQueries_;
    std::vector<RefScope::Row> rows_;
    std::vector<const std::vector<QueryDef>*> levels_;
    std::map<const QueryDef*, std::optional<std::vector<std::string>>> cache_;
};

}  // namespace

void validateTemplate(const Template& t, ColumnSource* columns, std::vector<Error>& problems) {
    Validator(t, columns, problems).run();
}

}  // namespace gp::tmpl
