// Placeholders in template text: "Заявка: {project.title}", "{amount | money}",
// "{start_date | date(\"long\")}", "{head | default(\"—\")}". `{{` and `}}` are literal braces.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/value.h"
#include "model/document.h"

namespace gp::tmpl {

struct Location {
    std::string file;
    int line = 0;
    int column = 0;
};

struct Filter {
    std::string name;
    std::vector<Value> args;
};

struct Expr {
    std::vector<std::string> ref;  // "project.title" -> {"project", "title"}
    std::vector<Filter> filters;
    std::string source;  // the text between the braces, for messages
};

struct Segment {
    std::string literal;        // text before the expression (or the whole segment)
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
};

// Parses `text`. When `collapse` is true, runs of whitespace in the literal parts become one
// space and the ends are trimmed (template text is indented and spans lines). Unknown filters,
// wrong argument counts and unbalanced braces throw gp::Error(Template) at `loc`.
TextExpr parseText(const std::string& text, const Location& loc, bool collapse = true);

// Looks up a reference; returns nullopt when it does not exist, throws to explain why.
using Resolver = std::function<std::optional<Value>(const Expr& expr)>;

// Evaluates to a cell: typed value, format and the display text.
model::Cell evaluate(const TextExpr& text, const Resolver& resolve);

// The display text of a value with no filter ("2200", "01.01.2022", "Да").
std::string display(const Value& v);

}  // namespace gp::tmpl
