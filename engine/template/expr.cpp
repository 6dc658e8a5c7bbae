#include "template/expr.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "core/error.h"
#include "core/declension.h"
#include "core/format.h"
#include "core/number_words.h"
#include "core/utf8.h"
#include "template/hint.h"
#include "template/xml.h"

namespace gp::tmpl {
namespace {

// What a filter accepts, checked when the template is read.
enum class Arg { Text, Decimals, Count, Forms, DateStyle, Case, Grammar, Any };

struct FilterSpec {
    FilterKind kind;
    size_t minArgs;
    size_t maxArgs;
    std::vector<Arg> args;  // kind of each argument
    model::Format format;   // the format it gives (when `formats`)
    bool formats;           // whether it sets the format
    FormulaUse formula;     // in a column formula: {formats, rounds, keepsValue}
};

// The one table of filters (see FilterKind).
const std::map<std::string, FilterSpec>& filterSpecs() {
    using F = model::Format;
    using K = FilterKind;
    static const std::map<std::string, FilterSpec> specs = {
        {"money", {K::Money, 0, 1, {Arg::Text}, F::Money, true, {true, false, true}}},
        {"number", {K::Number, 0, 2, {Arg::Decimals, Arg::Decimals}, F::Number, true, {true, false, true}}},
        {"integer", {K::Integer, 0, 0, {}, F::Integer, true, {true, true, false}}},
        {"percent", {K::Percent, 0, 1, {Arg::Decimals}, F::Percent, true, {true, false, true}}},
        {"date", {K::Date, 0, 1, {Arg::DateStyle}, F::Date, true, {false, false, true}}},
        {"words", {K::Words, 0, 1, {Arg::Case}, F::Text, true, {}}},
        {"ordinal", {K::Ordinal, 0, 2, {Arg::Grammar, Arg::Grammar}, F::Text, true, {}}},
        {"inflect", {K::Inflect, 1, 2, {Arg::Case, Arg::Grammar}, F::Text, true, {}}},
        {"plural", {K::Plural, 1, 1, {Arg::Forms}, F::Text, true, {}}},
        {"yesno", {K::YesNo, 0, 2, {Arg::Text, Arg::Text}, F::Boolean, true, {}}},
        {"upper", {K::Upper, 0, 0, {}, F::Text, true, {}}},
        {"lower", {K::Lower, 0, 0, {}, F::Text, true, {}}},
        {"capitalize", {K::Capitalize, 0, 0, {}, F::Text, true, {}}},
        {"initials", {K::Initials, 0, 0, {}, F::Text, true, {}}},
        {"truncate", {K::Truncate, 1, 1, {Arg::Count}, F::Text, true, {}}},
        {"numbers", {K::Numbers, 0, 0, {}, F::Text, true, {}}},
        {"default", {K::Default, 1, 1, {Arg::Any}, F::Text, false, {true, false, false}}},
    };
    return specs;
}

const FilterSpec& specOf(FilterKind kind) {
    static const std::map<FilterKind, const FilterSpec*> byKind = [] {
        std::map<FilterKind, const FilterSpec*> out;
        for (const auto& [name, spec] : filterSpecs()) out.emplace(spec.kind, &spec);
        return out;
    }();
    return *byKind.at(kind);
}

const char* kDateStyles = "short, long, quoted, month-year";
const char* kCases = "именительный, родительный, дательный, винительный, творительный, предложный (or им, род, дат, "
                     "вин, твор, пред)";

// A filter's integer argument i (a literal, checked when parsed), or `def` when not given.
int intArg(const Filter& f, size_t i, int def) {
    if (f.args.size() <= i) return def;
    if (auto* n = std::get_if<std::int64_t>(&f.args[i])) return static_cast<int>(*n);
    return def;
}


bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool isIdentStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool isIdentChar(char c) { return isIdentStart(c) || (c >= '0' && c <= '9'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

constexpr int kMaxDepth = 64;
constexpr int kMaxNodes = 400;

// Parses one expression (with filters when `filters` is true) from text[begin, end).
class ExprParser {
public:
    ExprParser(const SourceText& text, size_t begin, size_t end, std::string file)
        : t_(text), s_(text.text), i_(begin), end_(end), file_(std::move(file)) {}

    Expr placeholder() {
        Expr e;
        e.source = s_.substr(i_, end_ - i_);
        e.loc = at(i_ == 0 ? 0 : i_ - 1);  // the opening brace
        expression(e, true);
        return e;
    }

    Expr bare() {
        Expr e;
        skip();
        e.source = s_.substr(i_, end_ - i_);
        e.loc = at(i_);
        expression(e, true);
        return e;
    }

private:
    Location at(size_t offset) const {
        auto [line, column] = t_.position(offset);
        return {file_, line, column};
    }
    char peek(size_t ahead = 0) const { return i_ + ahead < end_ ? s_[i_ + ahead] : '\0'; }
    bool done() const { return i_ >= end_; }
    void skip() {
        while (i_ < end_ && isSpace(s_[i_])) ++i_;
    }
    [[noreturn]] void fail(size_t offset, const std::string& why) const {
        Location l = at(offset);
        throw Error(ErrorKind::Template, l.file, l.line, l.column, why);
    }

    void expression(Expr& e, bool withFilters) {
        skip();
        if (done()) fail(i_, "empty placeholder {}: write a column, e.g. {title}");
        auto node = orExpr();
        if (node->kind == Node::Kind::Ref) {
            e.ref = node->ref.ref;
            e.loc = node->loc;  // a plain reference is pointed at by its name
        } else {
            e.node = node;
        }
        skip();
        while (withFilters && peek() == '|') {
            ++i_;
            e.filters.push_back(filter());
            skip();
        }
        if (!done()) {
            if (peek() == '|') fail(i_, "a filter cannot go here");
            fail(i_, "unexpected '" + s_.substr(i_, utf8Len(i_)) + "' in {" + e.source + "}");
        }
    }

    size_t utf8Len(size_t p) const {
        unsigned char c = static_cast<unsigned char>(s_[p]);
        size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
        return std::min(n, s_.size() - p);
    }

    std::string ident() {
        size_t b = i_;
        while (i_ < end_ && isIdentChar(s_[i_])) ++i_;
        return s_.substr(b, i_ - b);
    }

    // The keyword at the cursor, without consuming it.
    bool keyword(const char* word) const {
        size_t n = std::char_traits<char>::length(word);
        if (s_.compare(i_, n, word) != 0 || i_ + n > end_) return false;
        return i_ + n == end_ || !isIdentChar(s_[i_ + n]);
    }

    std::shared_ptr<Node> make(Node::Kind kind, size_t offset) {
        // Long chains (a + b + c …) nest as deeply as they are long: keep evaluation bounded.
        if (++nodes_ > kMaxNodes) fail(offset, "the expression is too long (at most " + std::to_string(kMaxNodes) + " parts)");
        auto n = std::make_shared<Node>();
        n->kind = kind;
        n->loc = at(offset);
        return n;
    }

    void enter(size_t offset) {
        if (++depth_ > kMaxDepth) fail(offset, "the expression nests too deeply");
    }

    std::shared_ptr<const Node> orExpr() {
        enter(i_);
        auto left = andExpr();
        for (skip(); keyword("or"); skip()) {
            const size_t pos = i_;
            i_ += 2;
            auto n = make(Node::Kind::Or, pos);
            n->a = left;
            n->b = andExpr();
            left = n;
        }
        --depth_;
        return left;
    }

    std::shared_ptr<const Node> andExpr() {
        auto left = notExpr();
        for (skip(); keyword("and"); skip()) {
            const size_t pos = i_;
            i_ += 3;
            auto n = make(Node::Kind::And, pos);
            n->a = left;
            n->b = notExpr();
            left = n;
        }
        return left;
    }

    std::shared_ptr<const Node> notExpr() {
        skip();
        if (keyword("not")) {
            enter(i_);
            auto n = make(Node::Kind::Not, i_);
            i_ += 3;
            n->a = notExpr();
            --depth_;
            return n;
        }
        return compare();
    }

    std::shared_ptr<const Node> compare() {
        auto left = additive();
        skip();
        std::string op;
        const size_t pos = i_;
        char c = peek(), d = peek(1);
        if ((c == '=' && d == '=') || (c == '!' && d == '=') || (c == '<' && d == '=') || (c == '>' && d == '=') ||
            (c == '<' && d == '>')) {
            op = std::string{c, d};
            i_ += 2;
        } else if (c == '=' || c == '<' || c == '>') {
            op = std::string(1, c);
            ++i_;
        } else {
            return left;
        }
        if (op == "==") op = "=";
        if (op == "<>") op = "!=";
        auto n = make(Node::Kind::Compare, pos);
        n->op = op;
        n->a = left;
        n->b = additive();
        skip();
        char e = peek();
        if (e == '=' || e == '<' || e == '>' || (e == '!' && peek(1) == '='))
            fail(i_, "comparisons do not chain: write (a < b) and (b < c)");
        return n;
    }

    std::shared_ptr<const Node> additive() {
        auto left = multiplicative();
        for (skip(); peek() == '+' || peek() == '-'; skip()) {
            auto n = make(Node::Kind::Arith, i_);
            n->op = std::string(1, peek());
            ++i_;
            n->a = left;
            n->b = multiplicative();
            left = n;
        }
        return left;
    }

    std::shared_ptr<const Node> multiplicative() {
        auto left = unary();
        for (skip(); peek() == '*' || peek() == '/'; skip()) {
            auto n = make(Node::Kind::Arith, i_);
            n->op = std::string(1, peek());
            ++i_;
            n->a = left;
            n->b = unary();
            left = n;
        }
        return left;
    }

    std::shared_ptr<const Node> unary() {
        skip();
        if (peek() == '-') {
            enter(i_);
            auto n = make(Node::Kind::Negate, i_);
            ++i_;
            n->a = unary();
            --depth_;
            if (n->a->kind == Node::Kind::Literal) {  // -5 is a literal, so it can be an argument
                if (auto* iv = std::get_if<std::int64_t>(&n->a->literal)) {
                    auto lit = make(Node::Kind::Literal, i_);
                    lit->loc = n->loc;
                    lit->literal = -*iv;
                    return lit;
                }
                if (auto* dv = std::get_if<Decimal>(&n->a->literal)) {
                    auto lit = make(Node::Kind::Literal, i_);
                    lit->loc = n->loc;
                    lit->literal = Decimal() - *dv;
                    return lit;
                }
            }
            return n;
        }
        return primary();
    }

    std::shared_ptr<const Node> primary() {
        skip();
        const size_t pos = i_;
        char c = peek();
        if (c == '(') {
            enter(i_);
            ++i_;
            auto inner = orExpr();
            skip();
            if (peek() == '|') fail(i_, "filters go at the end of the placeholder, not inside parentheses");
            if (peek() != ')') fail(i_, done() ? "missing ')'" : "expected ')'");
            ++i_;
            --depth_;
            return inner;
        }
        if (c == '"' || c == '\'') {
            auto n = make(Node::Kind::Literal, pos);
            n->literal = stringLiteral();
            return n;
        }
        if (isDigit(c)) {
            auto n = make(Node::Kind::Literal, pos);
            n->literal = numberLiteral();
            return n;
        }
        if (isIdentStart(c)) {
            if (keyword("true") || keyword("false") || keyword("null")) {
                auto n = make(Node::Kind::Literal, pos);
                std::string w = ident();
                if (w == "true") n->literal = true;
                else if (w == "false") n->literal = false;
                else n->literal = Null{};
                return n;
            }
            if (keyword("and") || keyword("or") || keyword("not"))
                fail(pos, "expected a value before '" + ident() + "'");
            auto n = make(Node::Kind::Ref, pos);
            n->ref.ref.push_back(ident());
            while (peek() == '.') {
                ++i_;
                if (!isIdentStart(peek())) fail(i_, "expected a name after '.'");
                n->ref.ref.push_back(ident());
            }
            n->ref.source = s_.substr(pos, i_ - pos);
            n->ref.loc = n->loc;
            return n;
        }
        if (done()) fail(i_, "expected a value at the end of the expression");
        if (c == '|') fail(i_, "expected a value before '|'");
        if (c == '{') fail(i_, "'{' inside a placeholder: placeholders do not nest");
        fail(i_, "expected a column, a number or a \"string\", not '" + s_.substr(i_, utf8Len(i_)) + "'");
    }

    std::string stringLiteral() {
        const char quote = s_[i_];
        const size_t start = i_;
        ++i_;
        std::string out;
        while (i_ < end_ && s_[i_] != quote) {
            if (s_[i_] == '\\' && i_ + 1 < end_ && (s_[i_ + 1] == quote || s_[i_ + 1] == '\\')) ++i_;
            out += s_[i_++];
        }
        if (i_ >= end_) fail(start, "unterminated string: close it with " + std::string(1, quote));
        ++i_;
        return out;
    }

    Value numberLiteral() {
        const size_t b = i_;
        while (i_ < end_ && isDigit(s_[i_])) ++i_;
        if (peek() == '.' && isDigit(peek(1))) {
            ++i_;
            while (i_ < end_ && isDigit(s_[i_])) ++i_;
        }
        if (i_ < end_ && isIdentChar(s_[i_])) fail(b, "'" + s_.substr(b, i_ + 1 - b) + "' is not a number");
        std::string tok = s_.substr(b, i_ - b);
        if (tok.find('.') == std::string::npos && tok.size() < 19) return std::int64_t{std::stoll(tok)};
        if (auto d = Decimal::parse(tok)) return *d;
        fail(b, "the number " + tok + " is too large");
    }

    Filter filter() {
        skip();
        Filter f;
        const size_t pos = i_;
        f.loc = at(pos);
        if (!isIdentStart(peek())) fail(i_, "expected a filter name after '|'");
        f.name = ident();
        auto spec = filterSpecs().find(f.name);
        if (spec == filterSpecs().end()) {
            std::string msg = "unknown filter '" + f.name + "'";
            if (auto h = closest(f.name, filterNames())) msg += " (did you mean '" + *h + "'?)";
            else msg += " (known: " + join(filterNames()) + ")";
            fail(pos, msg);
        }
        skip();
        std::vector<size_t> argAt;
        if (peek() == '(') {
            ++i_;
            skip();
            while (peek() != ')') {
                if (done()) fail(i_, "missing ')' after the arguments of " + f.name);
                argAt.push_back(i_);
                auto node = orExpr();
                f.argNodes.push_back(node);
                f.args.push_back(node->kind == Node::Kind::Literal ? node->literal : Value(Null{}));
                skip();
                if (peek() == ',') {
                    ++i_;
                    skip();
                } else if (peek() != ')') {
                    fail(i_, "expected ',' or ')' in the arguments of " + f.name);
                }
            }
            ++i_;
        }
        const FilterSpec& s = spec->second;
        f.kind = s.kind;
        if (f.args.size() < s.minArgs || f.args.size() > s.maxArgs) {
            std::string want = s.minArgs == s.maxArgs ? std::to_string(s.minArgs)
                                                      : std::to_string(s.minArgs) + " to " + std::to_string(s.maxArgs);
            if (f.kind == FilterKind::YesNo) want = "0 or 2";
            fail(pos, "filter '" + f.name + "' takes " + want + " argument" + (want == "1" ? "" : "s") + ", got " +
                         std::to_string(f.args.size()));
        }
        if (f.kind == FilterKind::YesNo && f.args.size() == 1) fail(pos, "filter 'yesno' takes 0 or 2 arguments: yesno(\"да\", \"нет\")");
        for (size_t k = 0; k < f.args.size(); ++k) checkArg(f, s.args[k], k, argAt[k]);
        if (f.kind == FilterKind::Number && f.args.size() == 2 && intArg(f, 1, 0) < intArg(f, 0, 0))
            fail(argAt[1], "number(min, max): the most decimals (" + std::to_string(intArg(f, 1, 0)) +
                               ") is fewer than the least (" + std::to_string(intArg(f, 0, 0)) + ")");
        return f;
    }

    void checkArg(const Filter& f, Arg kind, size_t k, size_t offset) const {
        if (kind == Arg::Any) return;
        const bool constant = f.argNodes[k]->kind == Node::Kind::Literal;
        const Value& v = f.args[k];
        const std::string which = "the argument of " + f.name;
        if (!constant) fail(offset, which + " must be a literal, like \"text\" or 2");
        const auto* text = std::get_if<std::string>(&v);
        const auto* n = std::get_if<std::int64_t>(&v);
        switch (kind) {
            case Arg::Text:
                if (!text) fail(offset, which + " must be a \"string\"");
                break;
            case Arg::Decimals:
                if (!n || *n < 0 || *n > 4) fail(offset, which + " is the number of decimals: 0 to 4");
                break;
            case Arg::Count:
                if (!n || *n < 1 || *n > 100000) fail(offset, which + " is a number of characters, at least 1");
                break;
            case Arg::DateStyle:
                if (!text || (*text != "short" && *text != "long" && *text != "quoted" && *text != "month" &&
                              *text != "month-year"))
                    fail(offset, "date style must be one of " + std::string(kDateStyles));
                break;
            case Arg::Forms: {
                if (!text || std::count(text->begin(), text->end(), '|') != 2)
                    fail(offset, which + " is three forms for 1, 2 and 5: \"участник|участника|участников\"");
                break;
            }
            case Arg::Case:
                if (!text || !words::parseCase(*text)) fail(offset, which + " is a case: " + std::string(kCases));
                break;
            case Arg::Grammar:
                if (!text || (!words::parseCase(*text) && !words::parseGender(*text)))
                    fail(offset, which + " is a case (" + std::string(kCases) + ") or a gender (м, ж, с)");
                break;
            case Arg::Any: break;
        }
    }

    static std::string join(const std::vector<std::string>& v) {
        std::string out;
        for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
        return out;
    }

    const SourceText& t_;
    const std::string& s_;
    size_t i_;
    size_t end_;
    std::string file_;
    int depth_ = 0;
    int nodes_ = 0;
};

std::string collapseSpaces(const std::string& s) {
    std::string out;
    bool space = false;
    for (char c : s) {
        if (isSpace(c)) {
            space = true;
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    if (space) out += ' ';
    return out;
}

// End of the placeholder opened at `open` (the offset of its '}'), skipping quoted strings;
// npos when it is never closed.
size_t closingBrace(const std::string& s, size_t open) {
    for (size_t i = open + 1; i < s.size(); ++i) {
        char c = s[i];
        if (c == '}') return i;
        if (c == '"' || c == '\'') {
            size_t j = i + 1;
            while (j < s.size() && s[j] != c) j += (s[j] == '\\' && j + 1 < s.size()) ? 2 : 1;
            if (j >= s.size()) return std::string::npos;
            i = j;
        }
    }
    return std::string::npos;
}

// ---------------------------------------------------------------- evaluation

[[noreturn]] void valueError(const Location& l, const std::string& source, const std::string& why) {
    throw Error(ErrorKind::Data, l.file, l.line, l.column, "{" + source + "}: " + why);
}

std::string describe(const Value& v) {
    if (isNull(v)) return "NULL";
    std::string s = toPlainString(v);
    if (utf8::length(s) > 40) s = format::truncate(s, 40);
    return std::string(typeName(v)) + " '" + s + "'";
}

model::Format formatOf(const Value& v) {
    if (std::holds_alternative<std::int64_t>(v)) return model::Format::Integer;
    if (std::holds_alternative<Decimal>(v) || std::holds_alternative<double>(v)) return model::Format::Number;
    if (std::holds_alternative<Date>(v)) return model::Format::Date;
    if (std::holds_alternative<bool>(v)) return model::Format::Boolean;
    return model::Format::Text;
}

std::optional<Date> asDate(const Value& v) {
    if (auto* d = std::get_if<Date>(&v)) return *d;
    if (auto* s = std::get_if<std::string>(&v)) return Date::parse(*s);
    return std::nullopt;
}

// A number for arithmetic: integers stay integers, everything else becomes a Decimal.
std::optional<Value> asNumber(const Value& v) {
    if (std::holds_alternative<std::int64_t>(v) || std::holds_alternative<Decimal>(v)) return v;
    if (std::holds_alternative<double>(v) || std::holds_alternative<std::string>(v)) {
        if (auto d = toDecimal(v)) return Value(*d);
    }
    return std::nullopt;
}

class Evaluator {
public:
    Evaluator(const Resolver& resolve, const std::string& source) : resolve_(resolve), source_(source) {}

    Value value(const Expr& e) {
        if (e.node) return eval(*e.node);
        return lookup(e);
    }

    Value eval(const Node& n) {
        switch (n.kind) {
            case Node::Kind::Literal: return n.literal;
            case Node::Kind::Ref: return lookup(n.ref);
            case Node::Kind::Not: return !truthy(eval(*n.a));
            case Node::Kind::And: return truthy(eval(*n.a)) && truthy(eval(*n.b));
            case Node::Kind::Or: return truthy(eval(*n.a)) || truthy(eval(*n.b));
            case Node::Kind::Negate: {
                Value v = eval(*n.a);
                if (isNull(v)) return v;
                auto num = asNumber(v);
                if (!num) valueError(n.loc, source_, "'-' needs a number, got " + describe(v));
                return guard(n, [&]() -> Value {
                    if (auto* i = std::get_if<std::int64_t>(&*num)) {
                        std::int64_t r;
                        if (!__builtin_sub_overflow(std::int64_t{0}, *i, &r)) return r;
                    }
                    return Decimal() - *toDecimal(*num);
                });
            }
            case Node::Kind::Arith: return arith(n, eval(*n.a), eval(*n.b));
            case Node::Kind::Compare: return compare(n, eval(*n.a), eval(*n.b));
        }
        return Null{};
    }

private:
    Value lookup(const Expr& e) {
        auto v = resolve_(e);
        if (!v) throw Error(ErrorKind::Template, e.loc.file, e.loc.line, e.loc.column, "unknown name {" + e.source + "}");
        return *v;
    }

    template <typename F>
    Value guard(const Node& n, F&& f) {
        try {
            return f();
        } catch (const std::overflow_error&) {
            valueError(n.loc, source_, "the number is too large");
        } catch (const std::domain_error&) {
            return Null{};
        }
    }

    Value arith(const Node& n, const Value& a, const Value& b) {
        if (isNull(a) || isNull(b)) return Null{};
        const char op = n.op[0];
        // Dates: date - date is a number of days; date + days and date - days are dates.
        if (std::holds_alternative<Date>(a) || std::holds_alternative<Date>(b)) {
            // Text that reads as a date counts as one beside a date: "2022-12-31" - start_date.
            const std::optional<Date> pa = asDate(a), pb = asDate(b);
            const Date* da = pa ? &*pa : nullptr;
            const Date* db = pb ? &*pb : nullptr;
            if (da && db && op == '-') return format::dayNumber(*da) - format::dayNumber(*db);
            auto* days = std::get_if<std::int64_t>(da ? &b : &a);
            if (days && (op == '+' || (op == '-' && da)) && *days > -4000000 && *days < 4000000) {
                auto r = format::dateFromDayNumber(format::dayNumber(da ? *da : *db) + (op == '-' ? -*days : *days));
                if (r) return *r;
                valueError(n.loc, source_, "the date is out of range");
            }
            valueError(n.loc, source_, std::string("'") + op + "' cannot take " + describe(a) + " and " + describe(b) +
                                           " (dates allow date - date, date + days, date - days)");
        }
        auto x = asNumber(a);
        auto y = asNumber(b);
        if (!x) valueError(n.loc, source_, std::string("'") + op + "' needs numbers, got " + describe(a));
        if (!y) valueError(n.loc, source_, std::string("'") + op + "' needs numbers, got " + describe(b));
        return guard(n, [&]() -> Value {
            auto* i = std::get_if<std::int64_t>(&*x);
            auto* j = std::get_if<std::int64_t>(&*y);
            if (i && j && op != '/') {
                std::int64_t r;
                bool overflow = op == '+'   ? __builtin_add_overflow(*i, *j, &r)
                                : op == '-' ? __builtin_sub_overflow(*i, *j, &r)
                                            : __builtin_mul_overflow(*i, *j, &r);
                if (!overflow) return r;
            }
            Decimal p = *toDecimal(*x), q = *toDecimal(*y);
            switch (op) {
                case '+': return p + q;
                case '-': return p - q;
                case '*': return p * q;
                default: return p / q;  // domain_error on zero -> NULL
            }
        });
    }

    Value compare(const Node& n, const Value& a, const Value& b) {
        const std::string& op = n.op;
        auto result = [&](int c) -> Value {
            if (op == "=") return c == 0;
            if (op == "!=") return c != 0;
            if (op == "<") return c < 0;
            if (op == "<=") return c <= 0;
            if (op == ">") return c > 0;
            return c >= 0;
        };
        if (isNull(a) || isNull(b)) {
            if (op == "=") return isNull(a) && isNull(b);
            if (op == "!=") return isNull(a) != isNull(b);
            return false;
        }
        const bool aText = std::holds_alternative<std::string>(a), bText = std::holds_alternative<std::string>(b);
        if (aText && bText) {
            const auto& s = std::get<std::string>(a);
            const auto& t = std::get<std::string>(b);
            return result(s < t ? -1 : s > t ? 1 : 0);
        }
        if (std::holds_alternative<Date>(a) || std::holds_alternative<Date>(b)) {
            auto x = asDate(a), y = asDate(b);
            if (x && y) return result(*x < *y ? -1 : *x > *y ? 1 : 0);
        } else if (std::holds_alternative<bool>(a) && std::holds_alternative<bool>(b)) {
            return result(static_cast<int>(std::get<bool>(a)) - static_cast<int>(std::get<bool>(b)));
        } else {
            auto toNum = [](const Value& v) -> std::optional<Decimal> {
                if (auto* bv = std::get_if<bool>(&v)) return Decimal::fromInt(*bv ? 1 : 0);
                try {
                    return toDecimal(v);
                } catch (const std::overflow_error&) {
                    return std::nullopt;
                }
            };
            auto x = toNum(a), y = toNum(b);
            if (x && y) return result(*x < *y ? -1 : *x > *y ? 1 : 0);
        }
        if (op == "=") return false;
        if (op == "!=") return true;
        valueError(n.loc, source_, "cannot compare " + describe(a) + " with " + describe(b));
    }

    const Resolver& resolve_;
    const std::string& source_;
};

// The decimals `number` shows for `d`: number(n) always n; number(min, max) as many as `d`
// needs when rounded to max, but at least min (number(0, 2): 2 347, 91,4, 0,25).
int numberDecimals(const Filter& f, const Decimal& d) {
    const int least = intArg(f, 0, 2);
    if (f.args.size() < 2) return least;
    const int most = intArg(f, 1, least);
    std::int64_t units = d.rounded(most).units();
    int needed = Decimal::kScale;
    while (needed > 0 && units % 10 == 0) {
        units /= 10;
        --needed;
    }
    return std::max(least, needed);
}

// One filter applied to a cell, a method per filter (or group of them).
class FilterStep {
public:
    FilterStep(const Expr& e, const Filter& f, model::Cell& cell, Evaluator& ev) : e_(e), f_(f), cell_(cell), ev_(ev) {}

    // Every filter is named (no default): a new FilterKind fails to compile until it is applied.
    void apply() {
        if (f_.kind == FilterKind::Default) return fallback();
        if (isNull(cell_.value)) {  // formatting filters leave NULL empty (add | default("—") to show a dash)
            cell_.format = specOf(f_.kind).format;
            cell_.text.clear();
            return;
        }
        switch (f_.kind) {
            case FilterKind::Money:
            case FilterKind::Number:
            case FilterKind::Percent: return decimal();
            case FilterKind::Integer: return integer();
            case FilterKind::Date: return date();
            case FilterKind::Words:
                return setText(f_.args.empty() ? format::amountInWords(number())
                                               : words::amount(number(), *words::parseCase(toPlainString(f_.args[0]))));
            case FilterKind::Ordinal: return ordinal();
            case FilterKind::Inflect: return inflect();
            case FilterKind::Plural: return plural();
            case FilterKind::YesNo: return yesNo();
            case FilterKind::Upper: return setText(utf8::upper(cell_.text));
            case FilterKind::Lower: return setText(utf8::lower(cell_.text));
            case FilterKind::Capitalize: return setText(format::capitalize(cell_.text));
            case FilterKind::Initials: return setText(format::initials(cell_.text));
            case FilterKind::Numbers: return setText(format::groupNumbersInText(cell_.text));
            case FilterKind::Truncate:
                return setText(format::truncate(cell_.text, static_cast<size_t>(intArg(f_, 0, 1))));
            case FilterKind::Default: return;  // above
        }
    }

private:
    [[noreturn]] void fail(const char* want) {
        valueError(f_.loc, e_.source, "filter '" + f_.name + "' needs " + want + ", got " + describe(cell_.value));
    }

    Decimal number() {
        std::optional<Decimal> d;
        try {
            if (!std::holds_alternative<bool>(cell_.value)) d = toDecimal(cell_.value);
        } catch (const std::overflow_error&) {
            valueError(f_.loc, e_.source, "the number is too large");
        }
        if (!d) fail("a number");
        return *d;
    }

    void setText(std::string text) {
        cell_.text = std::move(text);
        cell_.value = cell_.text;
        cell_.format = model::Format::Text;
    }

    // default(x): x where the value is NULL or shows as nothing.
    void fallback() {
        if (!isNull(cell_.value) && !cell_.text.empty()) return;
        Value v = ev_.eval(*f_.argNodes[0]);
        cell_.value = v;
        cell_.text = display(v);
        if (std::holds_alternative<std::string>(v) || isNull(v)) cell_.format = model::Format::Text;
        else cell_.format = formatOf(v);
    }

    // money, number, percent.
    void decimal() {
        Decimal d = number();
        cell_.value = d;
        if (f_.kind == FilterKind::Money) {
            cell_.format = model::Format::Money;
            cell_.decimals = 2;
            cell_.text = format::money(d, f_.args.empty() ? "₽" : toPlainString(f_.args[0]));
        } else if (f_.kind == FilterKind::Number) {
            cell_.format = model::Format::Number;
            cell_.decimals = numberDecimals(f_, d);
            cell_.text = format::number(d, cell_.decimals);
        } else {
            cell_.format = model::Format::Percent;
            cell_.decimals = intArg(f_, 0, 1);
            try {
                cell_.text = format::percent(d, cell_.decimals);
            } catch (const std::overflow_error&) {
                valueError(f_.loc, e_.source, "the number is too large");
            }
        }
    }

    void integer() {
        Decimal d = number();
        std::int64_t v = d.rounded(0).units() / Decimal::kOne;
        cell_.value = v;
        cell_.format = model::Format::Integer;
        cell_.text = format::integer(v);
    }

    // {n | ordinal}, {n | ordinal("ж")}, {year | ordinal("пред")}: the case and the gender in
    // any order (checked when the template was read).
    void ordinal() {
        const Decimal d = number();
        const std::int64_t n = d.rounded(0).units() / Decimal::kOne;
        if (d != Decimal::fromInt(n) || n < 1) fail("a whole number of 1 or more");
        words::Case c = words::Case::Nominative;
        words::Gender g = words::Gender::Masculine;
        for (const auto& a : f_.args) {
            const std::string s = toPlainString(a);
            if (auto parsed = words::parseCase(s)) c = *parsed;
            else if (auto gender = words::parseGender(s)) g = *gender;
        }
        setText(words::ordinal(n, c, g));
    }

    // {head_name | inflect("род")}, {head_position | inflect("род")}, {name | inflect("дат", "ж")}.
    void inflect() {
        const auto c = words::parseCase(toPlainString(f_.args[0]));
        std::optional<words::Gender> g;
        if (f_.args.size() > 1) g = words::parseGender(toPlainString(f_.args[1]));
        setText(words::inflect(cell_.text, *c, g));
    }

    void date() {
        auto d = asDate(cell_.value);
        if (!d) fail("a date");
        std::string style = f_.args.empty() ? "short" : toPlainString(f_.args[0]);
        cell_.value = *d;
        cell_.format = model::Format::Date;
        if (style == "long") cell_.text = format::dateLong(*d);
        else if (style == "quoted") cell_.text = format::dateQuoted(*d);
        else if (style == "month" || style == "month-year") cell_.text = format::monthYear(*d);
        else cell_.text = format::dateShort(*d);
    }

    void plural() {
        Decimal d = number();
        const std::string forms = toPlainString(f_.args[0]);
        std::vector<std::string> parts;
        for (size_t b = 0;;) {
            size_t bar = forms.find('|', b);
            parts.push_back(forms.substr(b, bar == std::string::npos ? std::string::npos : bar - b));
            if (bar == std::string::npos) break;
            b = bar + 1;
        }
        const bool whole = d.rounded(0) == d;
        const int form = whole ? format::pluralForm(d.units() / Decimal::kOne) : 1;  // 1,5 участника
        const std::string shown = whole ? format::integer(d.units() / Decimal::kOne) : display(Value(d));
        setText(shown + format::kNbsp + parts[static_cast<size_t>(form)]);
    }

    void yesNo() {
        bool b = false;
        if (auto* bv = std::get_if<bool>(&cell_.value)) b = *bv;
        else if (std::holds_alternative<std::string>(cell_.value)) fail("a boolean");
        else b = number() != Decimal();
        if (f_.args.size() == 2) {
            setText(toPlainString(f_.args[b ? 0 : 1]));
        } else {
            cell_.value = b;
            cell_.format = model::Format::Boolean;
            cell_.text = format::yesNo(b);
        }
    }

    const Expr& e_;
    const Filter& f_;
    model::Cell& cell_;
    Evaluator& ev_;
};

void applyFilter(const Expr& e, const Filter& f, model::Cell& cell, Evaluator& ev) { FilterStep(e, f, cell, ev).apply(); }

model::Cell cellOf(const Value& v) {
    model::Cell c;
    c.value = v;
    c.format = formatOf(v);
    c.text = display(v);
    return c;
}

model::Cell evaluateWith(const Expr& e, Evaluator& ev) {
    try {
        model::Cell out = cellOf(ev.value(e));
        for (const auto& f : e.filters) applyFilter(e, f, out, ev);
        return out;
    } catch (const std::overflow_error&) {  // whatever step it was: never an internal error
        valueError(e.loc, e.source, "the number is too large");
    }
}

void collectRefs(const Node& n, std::vector<const Expr*>& out) {
    if (n.kind == Node::Kind::Ref) out.push_back(&n.ref);
    if (n.a) collectRefs(*n.a, out);
    if (n.b) collectRefs(*n.b, out);
}

}  // namespace

void Expr::references(std::vector<const Expr*>& out) const {
    if (!ref.empty()) out.push_back(this);
    if (node) collectRefs(*node, out);
    for (const auto& f : filters)
        for (const auto& a : f.argNodes) collectRefs(*a, out);
}

FormulaUse formulaUse(FilterKind kind) { return specOf(kind).formula; }

std::vector<std::string> filterNames() {
    std::vector<std::string> out;
    for (const auto& [name, spec] : filterSpecs()) out.push_back(name);
    return out;
}

const Expr* TextExpr::single() const {
    if (segments.size() == 1 && segments[0].literal.empty() && segments[0].expr) return &*segments[0].expr;
    return nullptr;
}

model::Format TextExpr::staticFormat() const {
    const Expr* e = single();
    if (!e) return model::Format::Text;
    model::Format f = model::Format::Text;
    for (const auto& filter : e->filters) {
        const FilterSpec& spec = specOf(filter.kind);
        if (!spec.formats) continue;
        f = spec.format;
        if (filter.kind == FilterKind::YesNo && !filter.args.empty()) f = model::Format::Text;
    }
    return f;
}

int TextExpr::staticDecimals() const {
    const Expr* e = single();
    int decimals = 2;
    if (!e) return decimals;
    for (const auto& filter : e->filters) {
        if (filter.kind == FilterKind::Number) decimals = intArg(filter, filter.args.size() > 1 ? 1 : 0, 2);
        else if (filter.kind == FilterKind::Percent) decimals = intArg(filter, 0, 1);
        else if (filter.kind == FilterKind::Money) decimals = 2;
    }
    return decimals;
}

std::vector<const Expr*> TextExpr::references() const {
    std::vector<const Expr*> out;
    for (const auto& s : segments)
        if (s.expr) s.expr->references(out);
    return out;
}

TextExpr parseText(const std::string& text, const Location& loc, bool collapse) {
    SourceText src;
    src.text = text;
    if (loc.line > 0) src.anchors.push_back({0, loc.line, std::max(loc.column, 1)});
    TextExpr out = parseText(src, loc.file, collapse ? Spaces::CollapseTrim : Spaces::Keep);
    out.loc = loc;
    if (loc.line <= 0)  // no position known: every part is at `loc`
        for (auto& s : out.segments)
            if (s.expr) s.expr->loc = loc;
    return out;
}

TextExpr parseText(const SourceText& src, const std::string& file, Spaces spaces,
                   const std::function<void(const Error&)>& report) {
    const std::string& text = src.text;
    TextExpr out;
    {
        auto [line, column] = src.position(0);
        out.loc = {file, line, column};
    }
    auto fail = [&](size_t offset, const std::string& why) {
        auto [line, column] = src.position(offset);
        Error e(ErrorKind::Template, file, line, column, why);
        if (!report) throw e;
        report(e);
    };
    const bool collapse = spaces != Spaces::Keep;
    std::string literal;
    size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
            literal += '{';
            i += 2;
            continue;
        }
        if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
            literal += '}';
            i += 2;
            continue;
        }
        if (c == '}') {
            fail(i, "unmatched '}' (write }} for a literal brace)");
            ++i;
            continue;
        }
        if (c == '{') {
            size_t end = closingBrace(text, i);
            if (end == std::string::npos) {
                fail(i, "unclosed '{' (write {{ for a literal brace)");
                break;
            }
            try {
                Segment seg;
                seg.literal = collapse ? collapseSpaces(literal) : literal;
                seg.expr = ExprParser(src, i + 1, end, file).placeholder();
                out.segments.push_back(std::move(seg));
                literal.clear();
            } catch (const Error& e) {
                if (!report) throw;
                report(e);
            }
            i = end + 1;
            continue;
        }
        literal += c;
        ++i;
    }
    if (!literal.empty()) out.segments.push_back({collapse ? collapseSpaces(literal) : literal, std::nullopt});
    if (spaces == Spaces::CollapseTrim && !out.segments.empty()) {  // trim the ends of the whole text
        auto& first = out.segments.front().literal;
        if (!first.empty() && first.front() == ' ') first.erase(0, 1);
        auto& last = out.segments.back();
        if (!last.expr && !last.literal.empty() && last.literal.back() == ' ') last.literal.pop_back();
        if (!last.expr && last.literal.empty()) out.segments.pop_back();
    }
    return out;
}

Expr parseExpression(const SourceText& text, const std::string& file) {
    return ExprParser(text, 0, text.text.size(), file).bare();
}

std::string display(const Value& v) {
    if (auto* b = std::get_if<bool>(&v)) return format::yesNo(*b);
    if (auto* i = std::get_if<std::int64_t>(&v)) return format::integer(*i);
    if (auto* d = std::get_if<Date>(&v)) return format::dateShort(*d);
    if (std::holds_alternative<Decimal>(v) || std::holds_alternative<double>(v)) {
        std::string plain;
        try {
            plain = toPlainString(std::holds_alternative<double>(v) ? Value(*toDecimal(v)) : v);
        } catch (const std::overflow_error&) {
            plain = toPlainString(v);
        }
        for (auto& c : plain)
            if (c == '.') c = ',';
        if (!plain.empty() && plain[0] == '-') plain.replace(0, 1, "−");
        return plain;
    }
    return toPlainString(v);
}

bool truthy(const Value& v) {
    if (isNull(v)) return false;
    if (auto* b = std::get_if<bool>(&v)) return *b;
    if (auto* i = std::get_if<std::int64_t>(&v)) return *i != 0;
    if (auto* d = std::get_if<Decimal>(&v)) return *d != Decimal();
    if (auto* r = std::get_if<double>(&v)) return *r != 0.0;
    if (auto* s = std::get_if<std::string>(&v)) return !s->empty();
    return true;
}

model::Cell evaluate(const Expr& expr, const Resolver& resolve) {
    Evaluator ev(resolve, expr.source);
    return evaluateWith(expr, ev);
}

model::Cell evaluate(const TextExpr& text, const Resolver& resolve) {
    if (const Expr* e = text.single()) return evaluate(*e, resolve);
    model::Cell out;
    for (const auto& seg : text.segments) {
        out.text += seg.literal;
        if (!seg.expr) continue;
        out.text += evaluate(*seg.expr, resolve).text;
    }
    out.value = out.text;
    out.format = model::Format::Text;
    return out;
}

model::Cell evaluateValue(const TextExpr& text, const Resolver& resolve, const std::string& empty) {
    model::Cell out;
    if (const Expr* e = text.single()) {
        out = evaluate(*e, resolve);
    } else {
        bool filled = false, placeholders = false;
        for (const auto& seg : text.segments) {
            out.text += seg.literal;
            if (!seg.expr) continue;
            placeholders = true;
            const std::string part = evaluate(*seg.expr, resolve).text;
            filled = filled || !part.empty();
            out.text += part;
        }
        out.value = out.text;
        out.format = model::Format::Text;
        if (placeholders && !filled) out.text.clear();
    }
    if (out.text.empty()) {
        out.value = Null{};
        out.text = empty;
    }
    return out;
}

model::Cell formatLike(const TextExpr& text, const Value& value) {
    const Resolver none = [](const Expr&) -> std::optional<Value> { return Value(Null{}); };
    const Expr* e = text.single();
    if (!e) return cellOf(value);
    Evaluator ev(none, e->source);
    try {
        model::Cell out = cellOf(value);
        for (const auto& f : e->filters) applyFilter(*e, f, out, ev);
        return out;
    } catch (const std::overflow_error&) {
        valueError(e->loc, e->source, "the number is too large");
    }
}

}  // namespace gp::tmpl
