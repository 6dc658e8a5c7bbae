#include "template/expr.h"

#include <map>

#include "core/error.h"
#include "core/utf8.h"
#include "template/format.h"

namespace gp::tmpl {
namespace {

struct FilterSpec {
    size_t minArgs;
    size_t maxArgs;
    model::Format format;  // Text when the filter does not fix a format
    bool formats;          // whether it sets the format
};

const std::map<std::string, FilterSpec>& filterSpecs() {
    static const std::map<std::string, FilterSpec> specs = {
        {"money", {0, 1, model::Format::Money, true}},
        {"number", {0, 1, model::Format::Number, true}},
        {"integer", {0, 0, model::Format::Integer, true}},
        {"percent", {0, 1, model::Format::Percent, true}},
        {"date", {0, 1, model::Format::Date, true}},
        {"yesno", {0, 0, model::Format::Boolean, true}},
        {"upper", {0, 0, model::Format::Text, true}},
        {"lower", {0, 0, model::Format::Text, true}},
        {"default", {1, 1, model::Format::Text, false}},
    };
    return specs;
}

std::string knownFilters() {
    std::string out;
    for (const auto& [name, spec] : filterSpecs()) out += (out.empty() ? "" : ", ") + name;
    return out;
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool isIdentChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

class ExprParser {
public:
    ExprParser(const std::string& src, const Location& loc) : s_(src), loc_(loc) {}

    Expr parse() {
        Expr e;
        e.source = s_;
        skip();
        e.ref.push_back(ident("a column or parameter name"));
        while (peek() == '.') {
            ++i_;
            e.ref.push_back(ident("a name after '.'"));
        }
        skip();
        while (peek() == '|') {
            ++i_;
            skip();
            Filter f;
            f.name = ident("a filter name");
            auto spec = filterSpecs().find(f.name);
            if (spec == filterSpecs().end()) fail("unknown filter '" + f.name + "' (known: " + knownFilters() + ")");
            skip();
            if (peek() == '(') {
                ++i_;
                skip();
                while (peek() != ')') {
                    f.args.push_back(literal());
                    skip();
                    if (peek() == ',') { ++i_; skip(); }
                    else if (peek() != ')') fail("expected ',' or ')' in the arguments of " + f.name);
                }
                ++i_;
                skip();
            }
            if (f.args.size() < spec->second.minArgs || f.args.size() > spec->second.maxArgs)
                fail("filter '" + f.name + "' takes " + std::to_string(spec->second.minArgs) +
                     (spec->second.maxArgs != spec->second.minArgs ? "–" + std::to_string(spec->second.maxArgs) : "") +
                     " argument(s), got " + std::to_string(f.args.size()));
            e.filters.push_back(std::move(f));
        }
        if (i_ != s_.size()) fail("unexpected '" + s_.substr(i_, 1) + "'");
        return e;
    }

private:
    char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
    void skip() { while (i_ < s_.size() && isSpace(s_[i_])) ++i_; }
    [[noreturn]] void fail(const std::string& why) const {
        throw Error(ErrorKind::Template, loc_.file, loc_.line, loc_.column, "in {" + s_ + "}: " + why);
    }
    std::string ident(const char* what) {
        skip();
        size_t b = i_;
        while (i_ < s_.size() && isIdentChar(s_[i_])) ++i_;
        if (b == i_) fail(std::string("expected ") + what);
        return s_.substr(b, i_ - b);
    }
    Value literal() {
        if (peek() == '"') {
            size_t e = s_.find('"', i_ + 1);
            if (e == std::string::npos) fail("unterminated string");
            std::string v = s_.substr(i_ + 1, e - i_ - 1);
            i_ = e + 1;
            return v;
        }
        size_t b = i_;
        while (i_ < s_.size() && (isIdentChar(s_[i_]) || s_[i_] == '.' || s_[i_] == '-')) ++i_;
        std::string tok = s_.substr(b, i_ - b);
        std::int64_t n = 0;
        bool isInt = !tok.empty();
        for (char c : tok) isInt = isInt && c >= '0' && c <= '9';
        if (isInt && tok.size() < 18) {
            for (char c : tok) n = n * 10 + (c - '0');
            return n;
        }
        if (auto d = Decimal::parse(tok)) return *d;
        fail(tok.empty() ? "expected an argument" : "'" + tok + "' is neither a number nor a \"string\"");
    }

    const std::string& s_;
    Location loc_;
    size_t i_ = 0;
};

std::string collapseSpaces(const std::string& s) {
    std::string out;
    bool space = false;
    for (char c : s) {
        if (isSpace(c)) { space = true; continue; }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    if (space) out += ' ';
    return out;
}

std::string typeError(const Expr& e, const Filter& f, const Value& v, const char* want) {
    return "{" + e.source + "}: filter '" + f.name + "' needs " + want + ", got " + typeName(v) + " '" +
           toPlainString(v) + "'";
}

int intArg(const Filter& f, size_t i, int def) {
    if (f.args.size() <= i) return def;
    if (auto* n = std::get_if<std::int64_t>(&f.args[i])) return static_cast<int>(*n);
    return def;
}

void applyFilter(const Expr& e, const Filter& f, model::Cell& cell, const Location& loc) {
    auto fail = [&](const std::string& msg) { throw Error(ErrorKind::Data, loc.file, loc.line, msg); };
    const std::string& n = f.name;
    if (n == "default") {
        if (isNull(cell.value) || cell.text.empty()) cell.text = toPlainString(f.args[0]);
        return;
    }
    if (isNull(cell.value)) {  // formatting filters leave NULL empty (add | default("—") to show a dash)
        cell.format = filterSpecs().at(n).format;
        cell.text.clear();
        return;
    }
    if (n == "money" || n == "number" || n == "percent") {
        auto d = toDecimal(cell.value);
        if (!d) fail(typeError(e, f, cell.value, "a number"));
        cell.value = *d;
        if (n == "money") {
            cell.format = model::Format::Money;
            cell.decimals = 2;
            cell.text = format::money(*d, f.args.empty() ? "₽" : toPlainString(f.args[0]));
        } else if (n == "number") {
            cell.format = model::Format::Number;
            cell.decimals = std::clamp(intArg(f, 0, 2), 0, 4);
            cell.text = format::number(*d, cell.decimals);
        } else {
            cell.format = model::Format::Percent;
            cell.decimals = std::clamp(intArg(f, 0, 1), 0, 2);
            cell.text = format::percent(*d, cell.decimals);
        }
    } else if (n == "integer") {
        auto d = toDecimal(cell.value);
        if (!d) fail(typeError(e, f, cell.value, "a number"));
        std::int64_t v = d->rounded(0).units() / Decimal::kOne;
        cell.value = v;
        cell.format = model::Format::Integer;
        cell.text = format::integer(v);
    } else if (n == "date") {
        std::optional<Date> d;
        if (auto* dv = std::get_if<Date>(&cell.value)) d = *dv;
        else if (auto* sv = std::get_if<std::string>(&cell.value)) d = Date::parse(*sv);
        if (!d) fail(typeError(e, f, cell.value, "a date"));
        std::string style = f.args.empty() ? "short" : toPlainString(f.args[0]);
        cell.value = *d;
        cell.format = model::Format::Date;
        if (style == "short") cell.text = format::dateShort(*d);
        else if (style == "long") cell.text = format::dateLong(*d);
        else if (style == "month") cell.text = format::monthYear(*d);
        else throw Error(ErrorKind::Template, loc.file, loc.line, "{" + e.source + "}: date style '" + style +
                                                                     "' is not short, long or month");
    } else if (n == "yesno") {
        bool b;
        if (auto* bv = std::get_if<bool>(&cell.value)) b = *bv;
        else if (auto* iv = std::get_if<std::int64_t>(&cell.value)) b = *iv != 0;
        else fail(typeError(e, f, cell.value, "a boolean"));
        cell.value = b;
        cell.format = model::Format::Boolean;
        cell.text = format::yesNo(b);
    } else if (n == "upper" || n == "lower") {
        cell.text = n == "upper" ? utf8::upper(cell.text) : utf8::lower(cell.text);
        cell.value = cell.text;
        cell.format = model::Format::Text;
    }
}

model::Format formatOf(const Value& v) {
    if (std::holds_alternative<std::int64_t>(v)) return model::Format::Integer;
    if (std::holds_alternative<Decimal>(v) || std::holds_alternative<double>(v)) return model::Format::Number;
    if (std::holds_alternative<Date>(v)) return model::Format::Date;
    if (std::holds_alternative<bool>(v)) return model::Format::Boolean;
    return model::Format::Text;
}

}  // namespace

const Expr* TextExpr::single() const {
    if (segments.size() == 1 && segments[0].literal.empty() && segments[0].expr) return &*segments[0].expr;
    return nullptr;
}

model::Format TextExpr::staticFormat() const {
    const Expr* e = single();
    if (!e) return model::Format::Text;
    model::Format f = model::Format::Text;
    for (const auto& filter : e->filters) {
        const auto& spec = filterSpecs().at(filter.name);
        if (spec.formats) f = spec.format;
    }
    return f;
}

TextExpr parseText(const std::string& text, const Location& loc, bool collapse) {
    TextExpr out;
    out.loc = loc;
    std::string literal;
    size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') { literal += '{'; i += 2; continue; }
        if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') { literal += '}'; i += 2; continue; }
        if (c == '}')
            throw Error(ErrorKind::Template, loc.file, loc.line, loc.column,
                        "unmatched '}' in \"" + text + "\" (write }} for a literal brace)");
        if (c == '{') {
            size_t end = text.find('}', i + 1);
            if (end == std::string::npos)
                throw Error(ErrorKind::Template, loc.file, loc.line, loc.column,
                            "unclosed '{' in \"" + text + "\" (write {{ for a literal brace)");
            Segment seg;
            seg.literal = collapse ? collapseSpaces(literal) : literal;
            seg.expr = ExprParser(text.substr(i + 1, end - i - 1), loc).parse();
            out.segments.push_back(std::move(seg));
            literal.clear();
            i = end + 1;
            continue;
        }
        literal += c;
        ++i;
    }
    if (!literal.empty()) out.segments.push_back({collapse ? collapseSpaces(literal) : literal, std::nullopt});
    if (collapse && !out.segments.empty()) {  // trim the ends of the whole text
        auto& first = out.segments.front().literal;
        if (!first.empty() && first.front() == ' ') first.erase(0, 1);
        auto& last = out.segments.back();
        if (!last.expr && !last.literal.empty() && last.literal.back() == ' ') last.literal.pop_back();
        if (!last.expr && last.literal.empty()) out.segments.pop_back();
    }
    return out;
}

std::string display(const Value& v) {
    if (auto* b = std::get_if<bool>(&v)) return format::yesNo(*b);
    if (auto* i = std::get_if<std::int64_t>(&v)) return format::integer(*i);
    if (auto* d = std::get_if<Date>(&v)) return format::dateShort(*d);
    if (std::holds_alternative<Decimal>(v) || std::holds_alternative<double>(v)) {
        std::string plain = toPlainString(std::holds_alternative<double>(v) ? Value(*toDecimal(v)) : v);
        for (auto& c : plain)
            if (c == '.') c = ',';
        return plain;
    }
    return toPlainString(v);
}

model::Cell evaluate(const TextExpr& text, const Resolver& resolve) {
    model::Cell out;
    if (const Expr* e = text.single()) {
        auto value = resolve(*e);
        out.value = *value;
        out.format = formatOf(out.value);
        out.text = display(out.value);
        for (const auto& f : e->filters) applyFilter(*e, f, out, text.loc);
        return out;
    }
    for (const auto& seg : text.segments) {
        out.text += seg.literal;
        if (!seg.expr) continue;
        model::Cell part;
        part.value = *resolve(*seg.expr);
        part.text = display(part.value);
        for (const auto& f : seg.expr->filters) applyFilter(*seg.expr, f, part, text.loc);
        out.text += part.text;
    }
    out.value = out.text;
    out.format = model::Format::Text;
    return out;
}

}  // namespace gp::tmpl
