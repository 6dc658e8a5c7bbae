#include "template/column_formula.h"

#include <optional>
#include <variant>

#include "template/hint.h"

namespace gp::tmpl {
namespace {

// Only what a spreadsheet computes from the cells the way the engine computes it from the row is
// accepted: numbers, + - * /, unary minus, parentheses, and columns that show their value
// unchanged.
// formula="true" on a <column>: its one placeholder becomes model::Column::formula, an
// expression over the other columns of the same row that XLSX writes as a live spreadsheet
// formula with the engine's value cached. Only what a spreadsheet computes from the cells the
// way the engine computes it from the row is accepted: numbers, + - * /, unary minus,
// parentheses, and columns that show their value unchanged.
class ColumnFormula {
public:
    ColumnFormula(const std::vector<ColumnDef>& columns, std::size_t self, const std::string& rows, FormulaReport report)
        : columns_(columns), self_(self), rows_(rows), report_(std::move(report)) {}

    // The formula ("[4]*[5]"), or empty when something was reported.
    std::string compile() {
        const ColumnDef& column = columns_[self_];
        const Expr* e = column.value.single();
        if (!e) {
            fail(column.value.loc.line ? column.value.loc : column.loc,
                 "the column must hold one placeholder, the formula, e.g. {quantity * unit_price | money}");
            return {};
        }
        std::string formula = e->node ? node(*e->node, 0) : reference(*e);
        bool rounds = false;
        for (const Filter& f : e->filters) {
            const FormulaUse use = formulaUse(f.kind);
            if (use.rounds) rounds = true;  // the engine rounds the value: so must the sheet
            else if (!use.formats)
                fail(f.loc, "filter '" + f.name +
                                "' cannot format a formula; use money, number, integer or percent (default is allowed "
                                "and shows in PDF only)");
        }
        if (!ok_) return {};
        if (rounds) formula = "round(" + formula + ")";
        // Where the engine gives NULL, the sheet gets an error instead: #DIV/0!, or #VALUE! from
        // the text a `default` shows in a NULL cell. Both become the empty cell NULL is.
        return mayFail_ ? "orempty(" + formula + ")" : formula;
    }

private:
    // Precedence of what a node writes, to put parentheses only where they are needed.
    static int precedence(const Node& n) {
        if (n.kind == Node::Kind::Arith) return n.op == "+" || n.op == "-" ? 1 : 2;
        if (n.kind == Node::Kind::Negate) return 3;
        return 4;
    }

    // `n` written where at least `wanted` binds without parentheses.
    std::string node(const Node& n, int wanted) {
        std::string out;
        switch (n.kind) {
            case Node::Kind::Literal: out = literal(n); break;
            case Node::Kind::Ref: out = reference(n.ref); break;
            case Node::Kind::Negate: out = "-" + node(*n.a, 4); break;
            case Node::Kind::Arith: {
                const int p = precedence(n);
                // The right operand at the same level keeps its parentheses: a - (b - c), and
                // the sheet adds up in the engine's order.
                out = node(*n.a, p) + n.op + node(*n.b, p + 1);
                if (n.op == "/") mayFail_ = true;
                break;
            }
            case Node::Kind::Compare:
                fail(n.loc, "a comparison ('" + n.op + "') cannot be part of a formula; " + kAllowed);
                return "0";
            case Node::Kind::Not:
            case Node::Kind::And:
            case Node::Kind::Or: {
                const char* word = n.kind == Node::Kind::Not ? "not" : n.kind == Node::Kind::And ? "and" : "or";
                fail(n.loc, std::string("'") + word + "' cannot be part of a formula; " + kAllowed);
                return "0";
            }
        }
        return precedence(n) < wanted ? "(" + out + ")" : out;
    }

    std::string literal(const Node& n) {
        std::string text;
        if (const auto* i = std::get_if<std::int64_t>(&n.literal)) {
            text = std::to_string(*i);
        } else if (const auto* d = std::get_if<Decimal>(&n.literal)) {
            text = d->toString(Decimal::kScale);  // '.' as the separator, whatever the locale
            while (text.back() == '0') text.pop_back();
            if (text.back() == '.') text.pop_back();
        } else {
            const std::string shown = std::holds_alternative<std::string>(n.literal) ? "\"" + toPlainString(n.literal) + "\""
                                      : isNull(n.literal)                           ? std::string("null")
                                                                                    : toPlainString(n.literal);
            fail(n.loc, shown + " is not a number; " + kAllowed);
            return "0";
        }
        return text.front() == '-' ? "(" + text + ")" : text;
    }

    // The name a reference gives to a column of the table's rows: {quantity} or {budget.quantity}.
    std::optional<std::string> rowColumn(const std::vector<std::string>& ref) const {
        if (ref.size() == 1) return ref[0];
        if (ref.size() == 2 && ref[0] == rows_) return ref[1];
        return std::nullopt;
    }

    // A column's plain reference, when its content is exactly one: {quantity}, {quantity | money}.
    const Expr* shown(std::size_t j) const {
        const Expr* e = columns_[j].value.single();
        return e && !e->node && !e->ref.empty() ? e : nullptr;
    }

    // The first filter of a shown column that makes the cell differ from the value itself. A
    // `default` with a text argument only fills a NULL cell with text, which the sheet cannot
    // compute with, as the engine cannot with NULL.
    static const Filter* changing(const Expr& e) {
        for (const Filter& f : e.filters) {
            if (formulaUse(f.kind).keepsValue) continue;
            if (f.kind == FilterKind::Default && textDefault(f)) continue;
            return &f;
        }
        return nullptr;
    }
    static bool textDefault(const Filter& f) {
        const Node& arg = *f.argNodes.at(0);
        return arg.kind == Node::Kind::Literal && std::holds_alternative<std::string>(arg.literal) &&
               !Decimal::parse(std::get<std::string>(arg.literal));
    }

    std::string reference(const Expr& e) {
        const auto name = rowColumn(e.ref);
        std::optional<std::size_t> found, rejected;
        std::vector<std::string> names;
        for (std::size_t j = 0; j < columns_.size(); ++j) {
            const Expr* s = j == self_ ? nullptr : shown(j);
            if (!s) continue;
            const auto other = rowColumn(s->ref);
            if (!other) continue;
            names.push_back(*other);
            if (!name || *other != *name) continue;
            if (!changing(*s)) {
                found = j;
                for (const Filter& f : s->filters) mayFail_ = mayFail_ || f.kind == FilterKind::Default;
                break;
            }
            if (!rejected) rejected = j;  // reported only when no other column shows it as it is
        }
        if (found) return "[" + std::to_string(*found) + "]";
        if (rejected) {
            const Expr& s = *shown(*rejected);
            const Filter& f = *changing(s);
            std::string msg = "{" + e.source + "} is shown as {" + s.source + "}, and the cell holds what '" + f.name +
                              "' makes of it; a formula can use a column shown as it is or with money, number, "
                              "percent, date or a text default";
            if (f.kind == FilterKind::Integer) msg += " (integer rounds: use number(0) to show whole numbers)";
            if (f.kind == FilterKind::Default) msg += " (or default with a text, e.g. default(\"—\"))";
            fail(e.loc, msg);
            return "0";
        }
        std::string msg = "{" + e.source + "} is not a column of this table; a formula can use only columns shown in "
                          "the same table, e.g. {" + (names.empty() ? std::string("quantity") : names.front()) + "}";
        if (name)
            if (auto h = closest(*name, names)) msg += " (did you mean {" + *h + "}?)";
        fail(e.loc, msg);
        return "0";
    }

    void fail(const Location& at, const std::string& why) {
        ok_ = false;
        report_(at, "formula=\"true\": " + why);
    }

    static constexpr const char* kAllowed =
        "a formula can use numbers, + - * /, parentheses and columns shown in the same table";

    const std::vector<ColumnDef>& columns_;
    const std::size_t self_;
    const std::string& rows_;
    FormulaReport report_;
    bool ok_ = true;
    bool mayFail_ = false;  // the sheet may fail to compute what the engine makes NULL
};

}  // namespace

std::string compileColumnFormula(const std::vector<ColumnDef>& columns, std::size_t self, const std::string& rows,
                                 FormulaReport report) {
    return ColumnFormula(columns, self, rows, std::move(report)).compile();
}

}  // namespace gp::tmpl
