// Placeholders in template text: "Заявка: {project.title}", "{amount | money}",
// "{achieved / planned | percent}", "{participants | plural(\"участник|участника|участников\")}".
// Inside the braces: an expression (references, literals, + - * /, comparisons, and/or/not)
// followed by filters chained with `|`. `{{` and `}}` are literal braces.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/value.h"
#include "model/document.h"

namespace gp::tmpl {

struct SourceText;

struct Location {
    std::string file;
    int line = 0;
    int column = 0;
};

struct Node;

// Every filter of the template language. One table (filterSpecs() in expr.cpp) gives each its
// name, its arguments, the format it sets and what a column formula makes of it; its behaviour
// is a switch over this enum without a default (applyFilter), so a filter added here fails to
// compile until it has one, and a name without a kind cannot be in the table.
enum class FilterKind {
    Money, Number, Integer, Percent, Date, Words, Plural, YesNo,
    Upper, Lower, Capitalize, Initials, Truncate, Numbers, Ordinal, Inflect, Default,
};

struct Filter {
    FilterKind kind = FilterKind::Default;  // from the table, by `name`, when the filter is parsed
    std::string name;
    std::vector<Value> args;                        // constant arguments (Null where not constant)
    std::vector<std::shared_ptr<const Node>> argNodes;  // every argument as an expression
    Location loc;
};

// One placeholder, or one reference inside a larger expression.
struct Expr {
    std::vector<std::string> ref;  // a plain reference: "project.title" -> {"project", "title"}; else empty
    std::vector<Filter> filters;
    std::string source;            // the text between the braces, for messages
    std::shared_ptr<const Node> node;  // the expression when it is more than a plain reference
    Location loc;                      // where it starts in the template

    // Every plain reference in this expression (itself, those inside, those in filter arguments).
    void references(std::vector<const Expr*>& out) const;
};

struct Node {
    enum class Kind { Literal, Ref, Negate, Not, And, Or, Arith, Compare };
    Kind kind = Kind::Literal;
    Value literal;       // Literal
    Expr ref;            // Ref: ref, source and loc filled
    std::string op;      // Arith: + - * /; Compare: = != < <= > >=
    std::shared_ptr<const Node> a, b;
    Location loc;
};

struct Segment {
    std::string literal;  // text before the expression (or the whole segment)
    std::optional<Expr> expr;
};

// A piece of template text with its placeholders, parsed and checked once.
struct TextExpr {
    std::vector<Segment> segments;
    Location loc;

    bool empty() const { return segments.empty(); }
    // The text is exactly one placeholder: its value keeps its type (a number stays a number).
    const Expr* single() const;
    // The format the text yields, known without data (from the last formatting filter).
    model::Format staticFormat() const;
    // Decimals of that format (number(0) -> 0, percent -> 1, money -> 2).
    int staticDecimals() const;
    // Every plain reference of every placeholder.
    std::vector<const Expr*> references() const;
};

enum class Spaces {
    Keep,          // as written
    Collapse,      // runs of whitespace in literal text become one space
    CollapseTrim,  // and the ends of the whole text are trimmed
};

// Parses `text`. Unknown filters, wrong arguments and unbalanced braces throw
// gp::Error(Template) at the exact line and column. `loc` is where the text starts.
TextExpr parseText(const std::string& text, const Location& loc, bool collapse = true);
// The same for template text with positions; each problem is passed to `report` (parsing goes
// on with the next placeholder) when given, else thrown.
TextExpr parseText(const SourceText& text, const std::string& file, Spaces spaces,
                   const std::function<void(const Error&)>& report = {});
// One expression without braces (the test of <if>, a group key): "amount > 0".
Expr parseExpression(const SourceText& text, const std::string& file);

// Looks up a reference (Expr::ref); returns nullopt when it does not exist, or throws to
// explain why.
using Resolver = std::function<std::optional<Value>(const Expr& expr)>;

// Evaluates to a cell: typed value, format and the display text. Value problems (a filter
// that cannot apply, text in arithmetic, a number too large) throw gp::Error(Data) at the
// placeholder. Division by zero gives NULL.
model::Cell evaluate(const TextExpr& text, const Resolver& resolve);
// The value of a field or a table cell: as evaluate, but when the text has placeholders and
// every one of them is empty (NULL or empty text), the cell is empty (Null, no text) whatever
// literal text surrounds them ("{start | date} – {end | date}" of two NULLs), and then shows
// `empty` (its value stays Null: XLSX leaves a number or date cell blank).
model::Cell evaluateValue(const TextExpr& text, const Resolver& resolve, const std::string& empty);
model::Cell evaluate(const Expr& expr, const Resolver& resolve);
// The value with the placeholder's filters applied, as a cell: used for totals, which are
// computed by the engine and then shown like the rows above them.
model::Cell formatLike(const TextExpr& text, const Value& value);

// Whether a value counts as true in <if test>: not NULL, not false, not 0, not "".
bool truthy(const Value& v);

// The display text of a value with no filter ("2200", "01.01.2022", "Да").
std::string display(const Value& v);

// Names of the filters, for messages and hints.
std::vector<std::string> filterNames();

// What a column formula (formula="true", column_formula.cpp) makes of a filter.
struct FormulaUse {
    bool formats = false;     // it may format the formula's cell (default: allowed, shows in PDF only)
    bool rounds = false;      // the engine rounds the value, so the sheet's formula must, too
    bool keepsValue = false;  // a column shown through it holds the value itself, usable in a formula
};
FormulaUse formulaUse(FilterKind kind);

}  // namespace gp::tmpl
