#include "template/fill.h"

#include <algorithm>

#include "core/error.h"
#include "template/format.h"

namespace gp::tmpl {
namespace {

struct RowContext {
    const std::string* query = nullptr;
    const std::vector<std::string>* columns = nullptr;
    const std::vector<Value>* values = nullptr;
};

std::string joinNames(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

std::optional<size_t> indexOf(const std::vector<std::string>& names, const std::string& name) {
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) return std::nullopt;
    return static_cast<size_t>(it - names.begin());
}

bool numeric(model::Format f) {
    return f == model::Format::Money || f == model::Format::Number || f == model::Format::Integer ||
           f == model::Format::Percent;
}

class Filler {
public:
    Filler(const Template& t, data::Session& session, const data::Params& params)
        : t_(t), session_(session), params_(params) {}

    model::Document run(const FillOptions& options) {
        for (const auto& q : t_.queries) {
            const std::string what = "query '" + q.name + "' (" + q.loc.file + ":" + std::to_string(q.loc.line) + ")";
            data::Result r = session_.query(q.sql, params_, what);
            if (q.one && r.rows.size() != 1) {
                std::string given;
                for (const auto& [k, v] : params_) given += (given.empty() ? "" : ", ") + k + "=" + toPlainString(v);
                throw Error(ErrorKind::Data, what + " returned " + std::to_string(r.rows.size()) +
                                                 " rows for " + (given.empty() ? "no parameters" : given) +
                                                 ", expected exactly one: check the record ID");
            }
            results_[q.name] = std::move(r);
        }
        model::Document doc;
        doc.meta.title = text(t_.title, {});
        doc.meta.subject = text(t_.subject, {});
        doc.meta.author = text(t_.author, {});
        doc.meta.keywords = text(t_.keywords, {});
        doc.meta.created = options.created;
        doc.page = options.page;
        if (t_.pageSize) doc.page.size = *t_.pageSize;
        if (t_.landscape) doc.page.landscape = *t_.landscape;
        doc.fontFamily = options.fontFamily;
        doc.fontSize = options.fontSize;
        doc.sheet = t_.sheet;
        for (const auto& b : t_.body) emit(b, doc.blocks, model::Target::Both);
        return doc;
    }

private:
    std::optional<Value> resolve(const Expr& e, const RowContext& row, const Location& loc) const {
        auto fail = [&](const std::string& why) -> std::optional<Value> {
            throw Error(ErrorKind::Template, loc.file, loc.line, loc.column, "{" + e.source + "}: " + why);
        };
        if (e.ref.size() == 1) {
            const std::string& name = e.ref[0];
            if (row.columns)
                if (auto i = indexOf(*row.columns, name)) return (*row.values)[*i];
            if (auto p = params_.find(name); p != params_.end()) return p->second;
            if (row.columns)
                return fail("no column '" + name + "' in query '" + *row.query + "' (columns: " +
                            joinNames(*row.columns) + ") and no parameter '" + name + "'");
            return fail("no parameter '" + name + "'; a column needs its query: {query." + name + "}");
        }
        if (e.ref.size() == 2) {
            const std::string& q = e.ref[0];
            if (q == "param") {
                if (auto p = params_.find(e.ref[1]); p != params_.end()) return p->second;
                return fail("no parameter '" + e.ref[1] + "'");
            }
            const QueryDef* def = t_.query(q);
            if (!def) return fail("no query or parameter named '" + q + "'");
            if (!def->one) return fail("query '" + q + "' returns many rows: show it with <table rows=\"" + q + "\">");
            const data::Result& r = results_.at(q);
            if (auto i = indexOf(r.columns, e.ref[1])) return r.rows[0][*i];
            return fail("no column '" + e.ref[1] + "' in query '" + q + "' (columns: " + joinNames(r.columns) + ")");
        }
        return fail("a reference has at most two parts: {column} or {query.column}");
    }

    model::Cell cell(const TextExpr& te, const RowContext& row) const {
        return evaluate(te, [&](const Expr& e) { return resolve(e, row, te.loc); });
    }
    std::string text(const TextExpr& te, const RowContext& row) const { return te.empty() ? "" : cell(te, row).text; }

    static model::Target narrow(model::Target outer, model::Target inner) {
        return inner == model::Target::Both ? outer : inner;
    }

    void emit(const Block& b, std::vector<model::Block>& out, model::Target outer) {
        const model::Target target = narrow(outer, b.target);
        switch (b.kind) {
            case Block::Kind::Title:
                out.push_back({model::Title{text(b.text, {}), text(b.subtitle, {})}, target});
                break;
            case Block::Kind::Section:
                out.push_back({model::Heading{b.level, text(b.text, {}), {}}, target});
                for (const auto& c : b.children) emit(c, out, target);
                break;
            case Block::Kind::Paragraph:
                out.push_back({model::plainParagraph(text(b.text, {})), target});
                break;
            case Block::Kind::Fields: {
                const data::Result& r = results_.at(b.rows);
                RowContext row{&b.rows, &r.columns, &r.rows[0]};
                model::FieldList list;
                for (const auto& f : b.fields) list.fields.push_back({text(f.label, row), cell(f.value, row)});
                out.push_back({std::move(list), target});
                break;
            }
            case Block::Kind::Table: out.push_back({table(b), target}); break;
            case Block::Kind::PageBreak: out.push_back({model::PageBreak{}, target}); break;
        }
    }

    model::Table table(const Block& b) {
        const data::Result& r = results_.at(b.rows);
        model::Table table;
        table.sheet = b.sheet;
        table.caption = text(b.text, {});
        table.emptyText = b.emptyText;
        for (const auto& c : b.columns) {
            model::Column col;
            col.title = text(c.title, {});
            col.width = c.width;
            col.format = c.value.staticFormat();
            col.align = c.align ? *c.align : numeric(col.format) ? model::Align::Right : model::Align::Left;
            if (b.totals) col.total = c.total ? *c.total : numeric(col.format) ? model::Aggregate::Sum : model::Aggregate::None;
            table.columns.push_back(col);
        }
        for (const auto& values : r.rows) {
            RowContext row{&b.rows, &r.columns, &values};
            std::vector<model::Cell> cells;
            for (const auto& c : b.columns) cells.push_back(cell(c.value, row));
            table.rows.push_back(std::move(cells));
        }
        for (size_t i = 0; i < table.columns.size(); ++i)
            if (!table.rows.empty()) table.columns[i].decimals = table.rows.front()[i].decimals;
        if (b.totals) table.totals = totals(b, table);
        return table;
    }

    std::vector<model::Cell> totals(const Block& b, const model::Table& table) const {
        std::vector<model::Cell> out;
        for (size_t i = 0; i < table.columns.size(); ++i) {
            const model::Column& col = table.columns[i];
            model::Cell total;
            if (col.total == model::Aggregate::None) {
                if (i == 0) total.text = b.totalsLabel, total.value = b.totalsLabel;
                out.push_back(total);
                continue;
            }
            Decimal sum;
            std::optional<Decimal> min, max;
            std::int64_t count = 0;
            for (const auto& row : table.rows) {
                if (isNull(row[i].value)) continue;
                ++count;
                if (col.total == model::Aggregate::Count) continue;
                auto d = toDecimal(row[i].value);
                if (!d)
                    throw Error(ErrorKind::Data, b.columns[i].loc.file, b.columns[i].loc.line,
                                "column '" + col.title + "' cannot be totalled: '" + row[i].text + "' is not a number");
                sum += *d;
                if (!min || *d < *min) min = *d;
                if (!max || *d > *max) max = *d;
            }
            Decimal value;
            switch (col.total) {
                case model::Aggregate::Sum: value = sum; break;
                case model::Aggregate::Count: value = Decimal::fromInt(count); break;
                case model::Aggregate::Average: value = count ? sum / Decimal::fromInt(count) : Decimal(); break;
                case model::Aggregate::Min: value = min.value_or(Decimal()); break;
                case model::Aggregate::Max: value = max.value_or(Decimal()); break;
                case model::Aggregate::None: break;
            }
            if (col.total == model::Aggregate::Count) {
                std::int64_t n = value.rounded(0).units() / Decimal::kOne;
                total.value = n;
                total.format = model::Format::Integer;
                total.text = format::integer(n);
            } else {
                // The column's own filters format the total, so it reads like the rows above it.
                Value v = value;
                if (col.format == model::Format::Integer) v = value.rounded(0).units() / Decimal::kOne;
                total = evaluate(b.columns[i].value, [&](const Expr&) { return std::optional<Value>(v); });
            }
            out.push_back(total);
        }
        return out;
    }

    const Template& t_;
    data::Session& session_;
    const data::Params& params_;
    std::map<std::string, data::Result> results_;
};

Value parseParam(const ParamDef& p, const std::string& raw, const std::string& origin) {
    auto bad = [&](const char* want) -> Value {
        throw Error(ErrorKind::Usage, origin + ": parameter " + p.name + "='" + raw + "' is not " + want);
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
    for (const auto& [name, raw] : given) {
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

model::Document fill(const Template& t, data::Session& session, const data::Params& params, const FillOptions& options) {
    return Filler(t, session, params).run(options);
}

}  // namespace gp::tmpl
