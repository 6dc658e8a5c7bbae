#include "template/fill.h"

#include <algorithm>
#include <cstdlib>
#include <unordered_map>

#include "core/error.h"
#include "core/format.h"
#include "core/utf8.h"
#include "template/image.h"
#include "template/scope.h"

namespace gp::tmpl {
namespace {

// What every reference can see regardless of where it is.
struct Globals {
    const data::Params* params = nullptr;
    Date date;  // the document date ({date})
};

// A built scope: what RefScope describes plus the values behind it. Resolutions are cached per
// placeholder, so iterating rows of the same shape resolves each name once.
struct Scope {
    RefScope ref;
    std::vector<const std::vector<Value>*> rowValues;  // parallel to ref.rows
    std::vector<const data::Result*> queryResults;    // parallel to ref.queries (one-row queries)
    std::unordered_map<const Expr*, Resolution> cache;
    model::Warnings* warnings = nullptr;  // where replaced text is reported

    Value value(const Expr& e, const Globals& g) {
        auto it = cache.find(&e);
        if (it == cache.end()) it = cache.emplace(&e, resolveRef(e, ref)).first;
        const Resolution& r = it->second;
        switch (r.kind) {
            case Resolution::Kind::Row: {
                const auto& row = ref.rows[r.row];  // not a structured binding: clang 14 cannot capture one
                return cleaned((*rowValues[r.row])[r.column], [&] {
                    return "query '" + row.query + "', column '" + (*row.columns)[r.column] + "'";
                });
            }
            case Resolution::Kind::OneRow: {
                const auto& q = ref.queries[r.query];
                return cleaned(queryResults[r.query]->rows[0][r.column], [&] {
                    return "query '" + q.name + "', column '" + queryResults[r.query]->columns[r.column] + "'";
                });
            }
            case Resolution::Kind::Param: {
                auto p = g.params->find(r.name);
                if (p == g.params->end()) return Value(Null{});
                return cleaned(p->second, [&] { return "parameter '" + r.name + "'"; });
            }
            case Resolution::Kind::Date: return g.date;
            case Resolution::Kind::Page: return "{" + r.name + "}";
            case Resolution::Kind::Env: {
                const char* v = std::getenv(r.name.c_str());
                if (!v)
                    throw Error(ErrorKind::Usage, e.loc.file, e.loc.line, e.loc.column,
                                "{" + e.source + "}: the environment variable " + r.name + " is not set");
                return cleaned(std::string(v), [&] { return "environment variable " + r.name; });
            }
            case Resolution::Kind::Unknown: break;
        }
        throw Error(ErrorKind::Template, e.loc.file, e.loc.line, e.loc.column, "{" + e.source + "}: cannot be resolved");
    }

    // Text from data as valid UTF-8 without control characters (utf8::sanitize), what was
    // replaced reported once per field.
    template <typename Field>
    Value cleaned(Value v, Field&& field) {
        auto* text = std::get_if<std::string>(&v);
        std::vector<std::string> bytes, controls;
        if (!text || !utf8::sanitize(*text, &bytes, &controls) || !warnings) return v;
        const std::string name = field();
        for (const auto& b : bytes) warnings->add(name, model::Warnings::Kind::InvalidUtf8, b);
        for (const auto& c : controls) warnings->add(name, model::Warnings::Kind::Control, c);
        return v;
    }

    model::Cell cell(const TextExpr& te, const Globals& g) {
        return evaluate(te, [&](const Expr& e) { return std::optional<Value>(value(e, g)); });
    }
    model::Cell cell(const Expr& e, const Globals& g) {
        return evaluate(e, [&](const Expr& r) { return std::optional<Value>(value(r, g)); });
    }
    std::string text(const TextExpr& te, const Globals& g) { return te.empty() ? "" : cell(te, g).text; }
    model::Cell field(const FieldDef& def, const Globals& g) {
        return evaluateValue(def.value, [&](const Expr& e) { return std::optional<Value>(value(e, g)); }, def.empty);
    }
    // The cell of a table column in the current row, with the address it opens when the column
    // has link="…".
    model::Cell column(const ColumnDef& def, const Globals& g) {
        model::Cell c = evaluateValue(def.value, [&](const Expr& e) { return std::optional<Value>(value(e, g)); }, def.empty);
        if (!def.link.empty()) c.link = format::webLink(text(def.link, g));
        return c;
    }
};

// Value problems in a row name the row.
template <typename F>
auto atRow(const std::string& query, size_t index, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::Data) throw;
        throw Error(e.kind(), e.file(), e.line(), e.column(),
                    e.message() + " (row " + std::to_string(index + 1) + " of query '" + query + "')");
    }
}

// A query the data source refuses as a template's fault (one that would write: the engine only
// reads) is reported at the <query>'s place in the template.
template <typename F>
auto atQuery(const Location& loc, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::Template || !e.file().empty()) throw;
        std::string message = e.what();
        const std::string tag = " (" + loc.file + ":" + std::to_string(loc.line) + ")";
        if (auto at = message.find(tag); at != std::string::npos) message.erase(at, tag.size());
        throw Error(ErrorKind::Template, loc.file, loc.line, loc.column, message);
    }
}

// How a query is named in the messages of the data source ("query 'x' (file:line)"; atQuery
// takes the place off again for a template error, which carries it).
std::string where(const QueryDef& q) {
    return "query '" + q.name + "' (" + q.loc.file + ":" + std::to_string(q.loc.line) + ")";
}

// Totals of table columns, exact, computed row by row.
// The number style of a table (core/format.h): a four-digit number is grouped in a column
// that also holds a number of five digits or more, its totals and subtotals counted. A
// streamed table cannot look ahead: its four-digit numbers stay whole, as outside tables.
bool numericValue(const Value& v) {
    return std::holds_alternative<std::int64_t>(v) || std::holds_alternative<Decimal>(v) || std::holds_alternative<double>(v);
}
// A cell the rule may regroup: a number the engine formatted (not a default("—") shown for NULL).
bool formattedNumber(const model::Cell& c) { return model::isNumber(c.format) && numericValue(c.value); }

void groupFourDigitColumns(model::Table& t) {
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
        std::vector<model::Cell*> cells;
        for (auto& row : t.rows) cells.push_back(&row[c]);
        if (c < t.totals.size()) cells.push_back(&t.totals[c]);
        for (auto& g : t.groups)
            if (c < g.subtotals.size()) cells.push_back(&g.subtotals[c]);
        const bool wide = std::any_of(cells.begin(), cells.end(), [](const model::Cell* cell) {
            return formattedNumber(*cell) && format::integerDigits(cell->text) >= 5;
        });
        if (!wide) continue;
        for (model::Cell* cell : cells)
            if (formattedNumber(*cell)) cell->text = format::groupFourDigits(cell->text);
    }
}

// "№", "№ п/п", "N п/п": the title of a column of row numbers.
bool isRowNumberTitle(const std::string& title) {
    std::string t;
    for (char ch : title)
        if (ch != ' ') t += ch;
    return t == "№" || t == "№п/п" || t == "Nп/п" || t == "№пп";
}

class Totals {
public:
    Totals(const std::vector<model::Column>& columns, const std::vector<ColumnDef>& defs)
        : columns_(columns), defs_(defs), acc_(columns.size()) {}

    void add(const std::vector<model::Cell>& row) {
        for (size_t i = 0; i < columns_.size(); ++i) {
            const model::Column& col = columns_[i];
            if (col.total == model::Aggregate::None || isNull(row[i].value)) continue;
            Acc& a = acc_[i];
            ++a.count;
            if (col.total == model::Aggregate::Count) continue;
            std::optional<Decimal> d;
            try {
                if (!std::holds_alternative<bool>(row[i].value)) d = toDecimal(row[i].value);
            } catch (const std::overflow_error&) {
            }
            if (!d)
                throw Error(ErrorKind::Data, defs_[i].loc.file, defs_[i].loc.line, defs_[i].loc.column,
                            "column '" + col.title + "' cannot be totalled: '" + row[i].text + "' is not a number");
            try {
                a.sum += *d;
            } catch (const std::overflow_error&) {
                throw Error(ErrorKind::Data, defs_[i].loc.file, defs_[i].loc.line, defs_[i].loc.column,
                            "column '" + col.title + "': the total is too large");
            }
            if (!a.min || *d < *a.min) a.min = *d;
            if (!a.max || *d > *a.max) a.max = *d;
        }
    }

    // One cell per column; `label` in the first column unless it has an aggregate.
    std::vector<model::Cell> result(const std::string& label) const {
        std::vector<model::Cell> out;
        for (size_t i = 0; i < columns_.size(); ++i) {
            const model::Column& col = columns_[i];
            const Acc& a = acc_[i];
            model::Cell total;
            if (col.total == model::Aggregate::None) {
                if (i == 0) total.text = label, total.value = label;
                out.push_back(total);
                continue;
            }
            if (col.total == model::Aggregate::Count) {
                total.value = a.count;
                total.format = model::Format::Integer;
                total.text = format::integer(a.count);
                out.push_back(total);
                continue;
            }
            Decimal value;
            switch (col.total) {
                case model::Aggregate::Sum: value = a.sum; break;
                case model::Aggregate::Average: value = a.count ? average(a, i) : Decimal(); break;
                case model::Aggregate::Min: value = a.min.value_or(Decimal()); break;
                case model::Aggregate::Max: value = a.max.value_or(Decimal()); break;
                default: break;
            }
            // The column's own filters format the total, so it reads like the rows above it.
            Value v = value;
            try {
                if (col.format == model::Format::Integer) v = value.rounded(0).units() / Decimal::kOne;
            } catch (const std::overflow_error&) {
                const Location& l = defs_[i].loc;
                throw Error(ErrorKind::Data, l.file, l.line, l.column, "column '" + col.title + "': the total is too large");
            }
            out.push_back(formatLike(defs_[i].value, v));
        }
        return out;
    }

private:
    struct Acc {
        Decimal sum;
        std::int64_t count = 0;
        std::optional<Decimal> min, max;
    };
    Decimal average(const Acc& a, size_t i) const {
        try {
            return a.sum / Decimal::fromInt(a.count);
        } catch (const std::overflow_error&) {
            const Location& l = defs_[i].loc;
            throw Error(ErrorKind::Data, l.file, l.line, l.column, "column '" + columns_[i].title + "': the total is too large");
        }
    }
    const std::vector<model::Column>& columns_;
    const std::vector<ColumnDef>& defs_;
    std::vector<Acc> acc_;
};

// ------------------------------------------------------------------ streamed tables

// Everything a streamed table needs to produce its rows later, owned (the template and the
// filler are gone by then), the session too: a document with a streamed table keeps its data
// session open for as long as it lives.
struct StreamSpec {
    std::shared_ptr<data::Session> session;
    data::BoundSql bound;
    std::string what, query;
    Location loc;          // of the <query>
    data::Params binding;  // the query's parameters
    data::Params params;   // the template's parameters, for {param.x}
    Globals globals;
    std::vector<ColumnDef> defs;
    std::vector<model::Column> columns;
    bool totals = false;
    std::string totalsLabel;
    // The rows and one-row queries in scope where the table is.
    std::vector<std::string> frameQueries;
    std::vector<std::vector<std::string>> frameColumns;
    std::vector<std::vector<Value>> frameValues;
    std::vector<RefScope::Query> queries;  // columns pointers filled on open
    std::vector<data::Result> queryResults;
    std::vector<std::string> allQueries;
    std::vector<ParamDef> paramDefs;
};

class StreamCursor : public model::RowCursor {
public:
    explicit StreamCursor(std::shared_ptr<const StreamSpec> spec)
        : spec_(std::move(spec)), totals_(spec_->columns, spec_->defs) {
        globals_ = spec_->globals;
        globals_.params = &spec_->params;
        cursor_ = atQuery(spec_->loc, [&] { return spec_->session->open(spec_->bound, spec_->binding, spec_->what); });
        for (size_t i = 0; i < spec_->frameQueries.size(); ++i) {
            scope_.ref.rows.push_back({spec_->frameQueries[i], &spec_->frameColumns[i]});
            scope_.rowValues.push_back(&spec_->frameValues[i]);
        }
        scope_.ref.rows.push_back({spec_->query, &cursor_->columns()});
        scope_.rowValues.push_back(&row_);
        scope_.ref.queries = spec_->queries;
        for (size_t q = 0; q < spec_->queries.size(); ++q) {
            scope_.queryResults.push_back(&spec_->queryResults[q]);
            if (spec_->queries[q].one) scope_.ref.queries[q].columns = &spec_->queryResults[q].columns;
        }
        scope_.ref.allQueries = spec_->allQueries;
        scope_.ref.params = &spec_->paramDefs;
        scope_.warnings = &warnings_;
    }

    bool next(std::vector<model::Cell>& out) override {
        if (!cursor_->next(row_)) return false;
        out.clear();
        atRow(spec_->query, index_, [&] {
            for (const auto& def : spec_->defs) out.push_back(scope_.column(def, globals_));
            if (spec_->totals) totals_.add(out);
            return 0;
        });
        ++index_;
        return true;
    }

    std::vector<model::Cell> totals() const override {
        if (!spec_->totals) return {};
        return totals_.result(spec_->totalsLabel);
    }

    model::Warnings warnings() const override { return warnings_; }

private:
    std::shared_ptr<const StreamSpec> spec_;
    model::Warnings warnings_;
    Globals globals_;
    std::unique_ptr<data::Cursor> cursor_;
    std::vector<Value> row_;
    Scope scope_;
    Totals totals_;
    size_t index_ = 0;
};

class StreamSource : public model::RowSource {
public:
    explicit StreamSource(std::shared_ptr<const StreamSpec> spec) : spec_(std::move(spec)) {}
    std::unique_ptr<model::RowCursor> open() const override { return std::make_unique<StreamCursor>(spec_); }

private:
    std::shared_ptr<const StreamSpec> spec_;
};

// ------------------------------------------------------------------ the filler

struct Frame {
    std::string query;
    const std::vector<std::string>* columns = nullptr;
    const std::vector<Value>* values = nullptr;
};

// Queries declared at one place (the report, or one row of a <repeat>), run when first used;
// one-row queries run on entry.
struct Level {
    const std::vector<QueryDef>* queries = nullptr;
    std::vector<Frame> entryRows;  // rows in scope at entry: the values of :parent_column
    std::map<std::string, data::Result> results;
};

struct Env {
    std::vector<Frame> rows;
    std::vector<Level*> levels;  // outermost first
    model::Target target = model::Target::Both;
};

class Filler {
public:
    Filler(const Template& t, std::shared_ptr<data::Session> session, const data::Params& params, const FillOptions& options)
        : t_(t), session_(std::move(session)), params_(params) {
        globals_.params = &params_;
        globals_.date = format::dateOfUnixTime(options.created);
        for (const QueryDef* q : allQueryDefs()) allQueries_.push_back(q->name);
    }

    model::Document run(const FillOptions& options) {
        Level top;
        top.queries = &t_.queries;
        enter(top, {});
        Env env;
        env.levels.push_back(&top);
        Scope s = scope(env);

        model::Document doc;
        doc.meta.title = property(s.text(t_.title, globals_), "title");
        doc.meta.subject = property(s.text(t_.subject, globals_), "subject");
        doc.meta.author = property(s.text(t_.author, globals_), "author");
        doc.meta.keywords = property(s.text(t_.keywords, globals_), "keywords");
        doc.meta.created = options.created;
        doc.page = options.page;
        if (t_.pageSize) doc.page.size = *t_.pageSize;
        if (t_.landscape) doc.page.landscape = *t_.landscape;
        if (t_.margins) {
            doc.page.top = (*t_.margins)[0];
            doc.page.right = (*t_.margins)[1];
            doc.page.bottom = (*t_.margins)[2];
            doc.page.left = (*t_.margins)[3];
        }
        doc.fontFamily = t_.fontFamily.value_or(options.fontFamily);
        doc.fontSize = t_.fontSize.value_or(options.fontSize);
        doc.sheet = t_.sheet;
        doc.titlePage = t_.titlePage;
        {
            Scope h = scope(env);
            h.ref.header = true;
            if (t_.header) doc.header = h.text(*t_.header, globals_);
            if (t_.footer) doc.footer = h.text(*t_.footer, globals_);
        }
        if (t_.protection) {
            Scope p = scope(env);
            p.ref.env = true;
            const ProtectionDef& def = *t_.protection;
            doc.protection.ownerPassword = p.text(def.ownerPassword, globals_);
            doc.protection.userPassword = p.text(def.userPassword, globals_);
            if (doc.protection.ownerPassword.empty())
                throw Error(ErrorKind::Usage, def.loc.file, def.loc.line, def.loc.column,
                            "<protection>: the owner password is empty (give the parameter or set the variable it "
                            "names)");
            // What the PDF's standard security handler takes, checked here where the password is
            // given (a parameter, a variable), never shown.
            for (const auto& [pw, which] : {std::pair{&doc.protection.ownerPassword, "owner"},
                                            std::pair{&doc.protection.userPassword, "user"}}) {
                const bool printable = std::all_of(pw->begin(), pw->end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
                if (!printable || pw->size() > 32)
                    throw Error(ErrorKind::Usage, def.loc.file, def.loc.line, def.loc.column,
                                std::string("<protection>: the ") + which +
                                    " password must be at most 32 printable ASCII characters (Latin letters, digits, "
                                    "signs): give another (it is not shown)");
            }
            if (doc.protection.ownerPassword == doc.protection.userPassword)
                throw Error(ErrorKind::Usage, def.loc.file, def.loc.line, def.loc.column,
                            "<protection>: the owner and user passwords must differ");
            doc.protection.allowPrint = def.print;
            doc.protection.allowCopy = def.copy;
            doc.protection.allowEdit = def.edit;
        }
        for (const auto& b : t_.body) emit(b, doc.blocks, env);
        doc.warnings = std::move(warnings_);
        return doc;
    }

private:
    // A document property (<report title|subject|author|keywords>) of at most
    // model::kMaxPropertyChars characters: a longer one is cut, ending with '…'.
    std::string property(std::string text, const std::string& name) {
        const std::size_t length = utf8::length(text);
        if (length <= model::kMaxPropertyChars) return text;
        std::size_t cut = 0;
        for (std::size_t chars = 0; cut < text.size(); ++cut)
            if ((static_cast<unsigned char>(text[cut]) & 0xC0) != 0x80 && chars++ == model::kMaxPropertyChars - 1) break;
        text.resize(cut);
        warnings_.add("document property '" + name + "'", model::Warnings::Kind::PropertyCut, "", length);
        return text + "…";
    }

    std::vector<const QueryDef*> allQueryDefs() const {
        std::vector<const QueryDef*> out;
        for (const auto& q : t_.queries) out.push_back(&q);
        collect(t_.body, out);
        return out;
    }
    static void collect(const std::vector<Block>& blocks, std::vector<const QueryDef*>& out) {
        for (const auto& b : blocks) {
            for (const auto& q : b.queries) out.push_back(&q);
            collect(b.children, out);
            collect(b.otherwise, out);
        }
    }

    // The parameters of a query run at `level`: the template's, and parent_column from the rows
    // in scope where the level was entered.
    data::Params binding(const QueryDef& q, const Level& level) const {
        data::Params out = params_;
        for (const auto& name : q.bound.names) {
            if (out.count(name) || name.rfind("parent_", 0) != 0) continue;
            const std::string column = name.substr(7);
            for (auto row = level.entryRows.rbegin(); row != level.entryRows.rend(); ++row) {
                auto it = std::find(row->columns->begin(), row->columns->end(), column);
                if (it != row->columns->end()) {
                    out[name] = (*row->values)[static_cast<size_t>(it - row->columns->begin())];
                    break;
                }
            }
            if (!out.count(name))
                throw Error(ErrorKind::Template, q.loc.file, q.loc.line, q.loc.column,
                            "query '" + q.name + "' uses :" + name + ", but no enclosing row has a column '" + column + "'");
        }
        return out;
    }

    const data::Result& run(const QueryDef& q, Level& level) {
        data::Result r = atQuery(q.loc, [&] { return session_->query(q.bound, binding(q, level), where(q)); });
        if (q.one && r.rows.size() != 1) {
            std::string given;
            for (const auto& [k, v] : params_)
                given += (given.empty() ? "" : ", ") + k + "=" + (isSecretParam(t_, k) ? "***" : toPlainString(v));
            throw Error(ErrorKind::Data, where(q) + " returned " + std::to_string(r.rows.size()) + " rows for " +
                                             (given.empty() ? "no parameters" : given) +
                                             ", expected exactly one: check the record ID");
        }
        return level.results[q.name] = std::move(r);
    }

    void enter(Level& level, const std::vector<Frame>& rows) {
        level.entryRows = rows;
        for (const auto& q : *level.queries)
            if (q.one) run(q, level);
    }

    // The declaration of query `name` visible in `env`, and its level.
    std::pair<const QueryDef*, Level*> declared(const std::string& name, const Env& env) const {
        for (auto level = env.levels.rbegin(); level != env.levels.rend(); ++level)
            for (const auto& q : *(*level)->queries)
                if (q.name == name) return {&q, *level};
        return {nullptr, nullptr};
    }

    const data::Result& result(const std::string& name, const Env& env, const Location& loc) {
        auto [q, level] = declared(name, env);
        if (!q) throw Error(ErrorKind::Template, loc.file, loc.line, loc.column, "no <query name=\"" + name + "\"> here");
        auto it = level->results.find(name);
        if (it != level->results.end()) return it->second;
        return run(*q, *level);
    }

    Scope scope(const Env& env) const {
        Scope s;
        for (const auto& f : env.rows) {
            s.ref.rows.push_back({f.query, f.columns});
            s.rowValues.push_back(f.values);
        }
        for (auto level = env.levels.rbegin(); level != env.levels.rend(); ++level)
            for (const auto& q : *(*level)->queries) {
                const data::Result* r = nullptr;
                if (q.one) r = &(*level)->results.at(q.name);
                s.ref.queries.push_back({q.name, q.one, r ? &r->columns : nullptr});
                s.queryResults.push_back(r);
            }
        s.ref.allQueries = allQueries_;
        s.ref.params = &t_.params;
        s.warnings = &warnings_;
        return s;
    }

    static model::Target narrow(model::Target outer, model::Target inner) {
        return inner == model::Target::Both ? outer : inner;
    }

    void emitAll(const std::vector<Block>& blocks, std::vector<model::Block>& out, Env& env) {
        for (const auto& b : blocks) emit(b, out, env);
    }

    void emit(const Block& b, std::vector<model::Block>& out, Env& env) {
        const model::Target outer = env.target;
        const model::Target target = narrow(outer, b.target);
        env.target = target;
        struct Restore {
            Env& e;
            model::Target t;
            ~Restore() { e.target = t; }
        } restore{env, outer};
        switch (b.kind) {
            case Block::Kind::Title: {
                Scope s = scope(env);
                out.push_back({model::Title{s.text(b.text, globals_), s.text(b.subtitle, globals_)}, target});
                break;
            }
            case Block::Kind::Section:
            case Block::Kind::Heading: {
                Scope s = scope(env);
                out.push_back({model::Heading{b.level, s.text(b.text, globals_), s.text(b.sheet, globals_)}, target});
                emitAll(b.children, out, env);
                break;
            }
            case Block::Kind::Paragraph: out.push_back({paragraph(b, env), target}); break;
            case Block::Kind::Fields: fields(b, out, env); break;
            case Block::Kind::Table: out.push_back({table(b, env), target}); break;
            case Block::Kind::PageBreak: out.push_back({model::PageBreak{}, target}); break;
            case Block::Kind::Repeat: repeat(b, out, env); break;
            case Block::Kind::If: {
                Scope s = scope(env);
                const bool yes = b.test && truthy(s.cell(*b.test, globals_).value);
                emitAll(yes ? b.children : b.otherwise, out, env);
                break;
            }
            case Block::Kind::Image: {
                Scope s = scope(env);
                model::Image image;
                image.path = findImage(t_.folder, s.text(b.text, globals_), b.text.loc.line ? b.text.loc : b.loc).string();
                image.widthMm = b.widthMm;
                image.align = b.align;
                out.push_back({image, target});
                break;
            }
            case Block::Kind::Chart:
                if (auto c = chart(b, env)) out.push_back({std::move(*c), target});
                break;
            case Block::Kind::Signature: {
                Scope s = scope(env);
                model::Signature signature;
                for (const auto& p : b.parties)
                    signature.parties.push_back({s.text(p.position, globals_), s.text(p.name, globals_),
                                                 s.text(p.date, globals_), s.text(p.title, globals_), p.seal});
                out.push_back({std::move(signature), target});
                break;
            }
        }
    }

    model::Paragraph paragraph(const Block& b, const Env& env) {
        Scope s = scope(env);
        model::Paragraph p;
        for (const auto& run : b.runs) {
            std::string text = s.cell(run.text, globals_).text;
            if (text.empty()) continue;
            if (!p.runs.empty() && p.runs.back().bold == run.bold && p.runs.back().italic == run.italic)
                p.runs.back().text += text;
            else
                p.runs.push_back({std::move(text), run.bold, run.italic});
        }
        return p;
    }

    void fields(const Block& b, std::vector<model::Block>& out, Env& env) {
        Env inner = env;
        if (!b.rows.empty()) {
            auto frame = std::find_if(env.rows.rbegin(), env.rows.rend(), [&](const Frame& f) { return f.query == b.rows; });
            if (frame != env.rows.rend()) {
                inner.rows.push_back(*frame);
            } else {
                const data::Result& r = result(b.rows, env, b.rowsLoc);
                inner.rows.push_back({b.rows, &r.columns, &r.rows.at(0)});
            }
        }
        Scope labels = scope(env);
        Scope values = scope(inner);
        model::FieldList list;
        for (const auto& f : b.fields) list.fields.push_back({labels.text(f.label, globals_), values.field(f, globals_)});
        out.push_back({std::move(list), env.target});
    }

    void repeat(const Block& b, std::vector<model::Block>& out, Env& env) {
        const data::Result& r = result(b.rows, env, b.rowsLoc);
        if (r.rows.empty() && !b.emptyText.empty()) out.push_back({model::plainParagraph(b.emptyText), env.target});
        for (const auto& row : r.rows) {
            Env inner = env;
            inner.rows.push_back({b.rows, &r.columns, &row});
            Level level;
            level.queries = &b.queries;
            enter(level, inner.rows);
            inner.levels.push_back(&level);
            emitAll(b.children, out, inner);
        }
    }

    std::vector<model::Column> columns(const Block& b, Scope& outer) const {
        std::vector<model::Column> out;
        for (const auto& c : b.columns) {
            model::Column col;
            col.title = outer.text(c.title, globals_);
            col.width = c.width;
            col.format = c.value.staticFormat();
            col.decimals = c.value.staticDecimals();
            col.formula = c.formula;
            // A row-number column ("№", "№ п/п") is centred and never summed unless the template
            // says so; other numbers are right-aligned and summed.
            const bool rowNumbers = isRowNumberTitle(col.title);
            col.align = c.align             ? *c.align
                        : rowNumbers        ? model::Align::Center
                        : model::isNumber(col.format) ? model::Align::Right
                                              : model::Align::Left;
            if (b.totals)
                col.total = c.total                         ? *c.total
                            : model::isNumber(col.format) && !rowNumbers ? model::Aggregate::Sum
                                                                 : model::Aggregate::None;
            out.push_back(col);
        }
        return out;
    }

    model::Table table(const Block& b, const Env& env) {
        Scope outer = scope(env);
        model::Table table;
        table.sheet = outer.text(b.sheet, globals_);
        table.caption = outer.text(b.text, globals_);
        table.emptyText = b.emptyText;
        table.columns = columns(b, outer);
        if (b.stream) {
            table.stream = std::make_shared<StreamSource>(streamSpec(b, env, table.columns));
            return table;
        }
        const data::Result& r = result(b.rows, env, b.rowsLoc);
        Env inner = env;
        inner.rows.push_back({b.rows, &r.columns, nullptr});
        Scope s = scope(inner);
        std::vector<std::string> keys;
        for (size_t i = 0; i < r.rows.size(); ++i) {
            s.rowValues.back() = &r.rows[i];
            atRow(b.rows, i, [&] {
                std::vector<model::Cell> cells;
                for (const auto& c : b.columns) cells.push_back(s.column(c, globals_));
                table.rows.push_back(std::move(cells));
                if (b.group) keys.push_back(s.cell(*b.group, globals_).text);
                return 0;
            });
        }
        if (b.totals) {
            Totals all(table.columns, b.columns);
            for (const auto& row : table.rows) all.add(row);
            table.totals = all.result(b.totalsLabel);
        }
        if (b.group) {
            for (size_t begin = 0; begin < keys.size();) {
                size_t end = begin + 1;
                while (end < keys.size() && keys[end] == keys[begin]) ++end;
                s.rowValues.back() = &r.rows[begin];
                model::Group g;
                g.begin = begin;
                g.end = end;
                g.title = b.groupTitle.empty() ? keys[begin] : s.text(b.groupTitle, globals_);
                if (b.totals) {
                    Totals sub(table.columns, b.columns);
                    for (size_t i = begin; i < end; ++i) sub.add(table.rows[i]);
                    g.subtotals = sub.result(b.groupTotals.empty() ? "Итого: " + g.title : s.text(b.groupTotals, globals_));
                }
                table.groups.push_back(std::move(g));
                begin = end;
            }
        }
        groupFourDigitColumns(table);
        return table;
    }

    std::shared_ptr<const StreamSpec> streamSpec(const Block& b, const Env& env, const std::vector<model::Column>& cols) {
        auto [q, level] = declared(b.rows, env);
        if (!q) throw Error(ErrorKind::Template, b.rowsLoc.file, b.rowsLoc.line, b.rowsLoc.column, "no <query name=\"" + b.rows + "\"> here");
        auto spec = std::make_shared<StreamSpec>();
        spec->session = session_;
        spec->bound = q->bound;
        spec->what = where(*q);
        spec->loc = q->loc;
        spec->query = q->name;
        spec->binding = binding(*q, *level);
        spec->params = params_;
        spec->globals = globals_;
        spec->defs = b.columns;
        spec->columns = cols;
        spec->totals = b.totals;
        spec->totalsLabel = b.totalsLabel;
        for (const auto& f : env.rows) {
            spec->frameQueries.push_back(f.query);
            spec->frameColumns.push_back(*f.columns);
            spec->frameValues.push_back(*f.values);
        }
        Scope s = scope(env);
        spec->queries = s.ref.queries;
        for (size_t i = 0; i < s.ref.queries.size(); ++i) {
            spec->queries[i].columns = nullptr;
            spec->queryResults.push_back(s.queryResults[i] ? *s.queryResults[i] : data::Result{});
        }
        spec->allQueries = allQueries_;
        spec->paramDefs = t_.params;
        return spec;
    }

    std::optional<model::Chart> chart(const Block& b, const Env& env) {
        const data::Result& r = result(b.rows, env, b.rowsLoc);
        if (r.rows.empty()) return std::nullopt;  // nothing to draw
        Scope outer = scope(env);
        model::Chart c;
        c.kind = b.chartKind;
        c.title = outer.text(b.text, globals_);
        c.sheet = outer.text(b.sheet, globals_);
        c.heightMm = b.heightMm;
        c.format = b.series.empty() ? model::Format::Number : b.series.front().value.staticFormat();
        if (!model::isNumber(c.format)) c.format = model::Format::Number;
        for (const auto& series : b.series) c.series.push_back({outer.text(series.name, globals_), {}});
        Env inner = env;
        inner.rows.push_back({b.rows, &r.columns, nullptr});
        Scope s = scope(inner);
        for (size_t i = 0; i < r.rows.size(); ++i) {
            s.rowValues.back() = &r.rows[i];
            atRow(b.rows, i, [&] {
                c.categories.push_back(s.text(b.category, globals_));
                for (size_t k = 0; k < b.series.size(); ++k) {
                    model::Cell cell = s.cell(b.series[k].value, globals_);
                    Value v = cell.value;
                    if (auto* text = std::get_if<std::string>(&v)) {
                        auto d = Decimal::parse(*text);
                        if (!d) {
                            const Location& l = b.series[k].loc;
                            throw Error(ErrorKind::Data, l.file, l.line, l.column,
                                        "series '" + c.series[k].name + "' needs numbers, got '" + *text + "'");
                        }
                        v = *d;
                    } else if (std::holds_alternative<bool>(v) || std::holds_alternative<Date>(v)) {
                        const Location& l = b.series[k].loc;
                        throw Error(ErrorKind::Data, l.file, l.line, l.column,
                                    "series '" + c.series[k].name + "' needs numbers, got " + typeName(v));
                    }
                    c.series[k].values.push_back(v);
                }
                return 0;
            });
        }
        return c;
    }

    const Template& t_;
    std::shared_ptr<data::Session> session_;  // never null
    const data::Params& params_;
    Globals globals_;
    std::vector<std::string> allQueries_;
    mutable model::Warnings warnings_;  // mutable: scopes (built by const scope()) report to it
};

Value parseParam(const ParamDef& p, const std::string& raw, const std::string& origin) {
    auto bad = [&](const char* want) -> Value {
        throw Error(ErrorKind::Usage, origin + ": parameter " + p.name + "='" + (p.secret ? "***" : raw) + "' is not " + want);
    };
    switch (p.type) {
        case ParamDef::Type::Text: return raw;
        case ParamDef::Type::Integer: {
            auto d = Decimal::parse(raw);
            if (!d || raw.find('.') != std::string::npos) return bad("an integer");
            return d->units() / Decimal::kOne;
        }
        case ParamDef::Type::Decimal: {
            auto d = Decimal::parse(raw);
            if (!d) return bad("a decimal number like 1234.56");
            return *d;
        }
        case ParamDef::Type::Date: {
            auto d = Date::parse(raw);
            if (!d || raw.size() != 10) return bad("a date YYYY-MM-DD");
            return *d;
        }
        case ParamDef::Type::Boolean:
            if (raw == "true" || raw == "1" || raw == "да") return true;
            if (raw == "false" || raw == "0" || raw == "нет") return false;
            return bad("true or false");
    }
    return raw;
}

}  // namespace

data::Params bindParams(const Template& t, const std::map<std::string, std::string>& given) {
    data::Params params;
    for (const auto& entry : given) {  // not [name, raw]: clang before 16 cannot capture those
        const std::string& name = entry.first;
        const std::string& raw = entry.second;
        auto it = std::find_if(t.params.begin(), t.params.end(), [&](const ParamDef& p) { return p.name == name; });
        if (it == t.params.end()) {
            std::string list;
            for (const auto& p : t.params) list += (list.empty() ? "" : ", ") + p.name;
            throw Error(ErrorKind::Usage, "template '" + t.name + "' has no parameter '" + name + "'" +
                                              (list.empty() ? " (it takes none)" : " (it takes: " + list + ")"));
        }
        params[name] = parseParam(*it, raw, "--param");
    }
    for (const auto& p : t.params) {
        if (params.count(p.name)) continue;
        if (p.defaultValue) params[p.name] = parseParam(p, *p.defaultValue, p.loc.file + ":" + std::to_string(p.loc.line));
        else if (p.required)
            throw Error(ErrorKind::Usage, "template '" + t.name + "' needs --param " + p.name + "=VALUE");
        else params[p.name] = Null{};
    }
    return params;
}

data::Params bindQueryParams(const std::vector<Template>& templates, const std::map<std::string, std::string>& given) {
    data::Params params;
    for (const auto& [name, raw] : given) {
        const ParamDef* declared = nullptr;
        for (const auto& t : templates)
            for (const auto& p : t.params)
                if (!declared && p.name == name) declared = &p;
        if (declared) {
            params[name] = parseParam(*declared, raw, "param." + name);
            continue;
        }
        const bool whole = !raw.empty() && raw.size() < 18 && raw != "-" &&
                           raw.find_first_not_of("0123456789", raw[0] == '-' ? 1 : 0) == std::string::npos;
        params[name] = whole ? Value(static_cast<std::int64_t>(std::stoll(raw))) : Value(raw);
    }
    return params;
}

std::vector<Choice> listChoices(const Template& t, const ParamDef& p, data::Session& session, std::size_t limit) {
    const QueryDef* q = t.query(p.choices);
    if (!q)  // a compiled template has it (validate.cpp)
        throw Error(ErrorKind::Template, p.choicesLoc.file, p.choicesLoc.line, p.choicesLoc.column,
                    "choices=\"" + p.choices + "\": no <query name=\"" + p.choices + "\"> directly under <report>");
    return atQuery(q->loc, [&] {
        auto cursor = session.open(q->bound, data::Params{}, where(*q));
        const ChoiceColumns at = choiceColumns(p, cursor->columns());
        std::vector<Choice> out;
        std::vector<Value> row;
        while (out.size() < limit && cursor->next(row)) {
            if (isNull(row[at.value])) continue;
            out.push_back({row[at.value], at.label ? row[*at.label] : Value(Null{})});
        }
        return out;
    });
}

model::Document fill(const Template& t, std::shared_ptr<data::Session> session, const data::Params& params,
                     const FillOptions& options) {
    if (!session) throw std::invalid_argument("tmpl::fill: no data session");
    return Filler(t, std::move(session), params, options).run(options);
}

}  // namespace gp::tmpl
