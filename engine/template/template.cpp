#include "template/template.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/error.h"
#include "data/source.h"
#include "template/check.h"
#include "template/hint.h"
#include "template/image.h"
#include "template/scope.h"
#include "template/xml.h"

namespace gp::tmpl {
namespace {

namespace fs = std::filesystem;

using Attr = XmlNode::Attribute;

const std::vector<std::string>& blockElements() {
    static const std::vector<std::string> names = {"title",   "section", "heading",   "paragraph", "fields",
                                                   "table",   "repeat",  "if",        "else",      "image",
                                                   "chart",   "pagebreak", "signature"};
    return names;
}

std::string list(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

bool isIdentifier(const std::string& s) {
    if (s.empty()) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80 ||
                  (i > 0 && c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

bool reservedName(const std::string& s) { return s == "param" || s == "parent" || s == "env"; }

bool hasPlaceholder(const TextExpr& t) {
    return std::any_of(t.segments.begin(), t.segments.end(), [](const Segment& s) { return s.expr.has_value(); });
}

std::string trimmed(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    size_t e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

// ------------------------------------------------------------------ column formulas

// formula="true" on a <column>: its one placeholder becomes model::Column::formula, an
// expression over the other columns of the same row that XLSX writes as a live spreadsheet
// formula with the engine's value cached. Only what a spreadsheet computes from the cells the
// way the engine computes it from the row is accepted: numbers, + - * /, unary minus,
// parentheses, and columns that show their value unchanged.
class ColumnFormula {
public:
    using Report = std::function<void(const Location&, const std::string&)>;

    ColumnFormula(const std::vector<ColumnDef>& columns, std::size_t self, const std::string& rows, Report report)
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
            if (f.name == "integer") rounds = true;  // the engine rounds the value: so must the sheet
            else if (f.name != "money" && f.name != "number" && f.name != "percent" && f.name != "default")
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
            if (f.name == "money" || f.name == "number" || f.name == "percent" || f.name == "date") continue;
            if (f.name == "default" && textDefault(f)) continue;
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
                for (const Filter& f : s->filters) mayFail_ = mayFail_ || f.name == "default";
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
            if (f.name == "integer") msg += " (integer rounds: use number(0) to show whole numbers)";
            if (f.name == "default") msg += " (or default with a text, e.g. default(\"—\"))";
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
    Report report_;
    bool ok_ = true;
    bool mayFail_ = false;  // the sheet may fail to compute what the engine makes NULL
};

class Compiler {
public:
    Compiler(std::string file, fs::path folder, std::vector<Error>& problems)
        : file_(std::move(file)), folder_(std::move(folder)), problems_(problems) {}

    Template compile(const XmlNode& root) {
        Template t;
        t.file = file_;
        t.folder = folder_;
        if (root.name != "report") {
            report(loc(root), "the root element must be <report>, not <" + root.name + ">");
            return t;
        }
        allow(root, {"name", "title", "subject", "author", "keywords", "sheet", "size", "orientation", "margins",
                     "font", "font-size", "title-page"});
        if (required(root, "title")) t.title = textAttr(root, "title");
        t.subject = textAttr(root, "subject");
        t.author = textAttr(root, "author");
        t.keywords = textAttr(root, "keywords");
        if (auto* s = root.attribute("sheet")) t.sheet = *s;
        if (auto* a = root.findAttribute("size")) {
            const std::string& s = a->value.text;
            if (s == "A4") t.pageSize = model::PageSetup::Size::A4;
            else if (s == "A3") t.pageSize = model::PageSetup::Size::A3;
            else if (s == "Letter") t.pageSize = model::PageSetup::Size::Letter;
            else report(*a, "size=\"" + s + "\" is not A4, A3 or Letter");
        }
        if (auto* a = root.findAttribute("orientation")) {
            const std::string& o = a->value.text;
            if (o != "portrait" && o != "landscape") report(*a, "orientation=\"" + o + "\" is not portrait or landscape");
            else t.landscape = o == "landscape";
        }
        if (auto* a = root.findAttribute("margins")) t.margins = margins(*a);
        if (auto* a = root.findAttribute("font")) {
            t.fontLoc = loc(*a);
            bool ok = !a->value.text.empty() && a->value.text.size() < 64 &&
                      std::all_of(a->value.text.begin(), a->value.text.end(), [](char c) {
                          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                 c == '-' || c == '_';
                      });
            if (ok) t.fontFamily = a->value.text;
            else report(*a, "font=\"" + a->value.text + "\": name a font of the fonts folder, e.g. PTSerif or PTSans");
        }
        if (auto* a = root.findAttribute("font-size")) {
            auto v = number(a->value.text);
            if (!v || *v < 6 || *v > 36) report(*a, "font-size=\"" + a->value.text + "\": give points from 6 to 36, e.g. 11");
            else t.fontSize = *v;
        }
        t.titlePage = boolAttr(root, "title-page");
        noText(root);
        for (const auto& c : root.children) {
            const XmlNode& child = *c;
            if (child.name == "param") {
                if (auto p = param(child)) t.params.push_back(*p);
            } else if (child.name == "query") {
                if (auto q = query(child)) t.queries.push_back(*q);
            } else if (child.name == "header" || child.name == "footer") {
                auto& slot = child.name == "header" ? t.header : t.footer;
                if (slot) report(loc(child), "<" + child.name + "> is given twice");
                allow(child, {});
                noChildren(child);
                slot = content(child, Spaces::CollapseTrim);
            } else if (child.name == "protection") {
                if (t.protection) report(loc(child), "<protection> is given twice");
                t.protection = protection(child);
            }
        }
        t.body = blocks(root, 0, Where::Report);
        // A parameter that makes a password is a secret wherever it is declared.
        if (t.protection)
            for (const TextExpr* te : {&t.protection->ownerPassword, &t.protection->userPassword})
                for (const Expr* e : te->references()) {
                    const std::string name = e->ref.size() == 2 && e->ref[0] == "param" ? e->ref[1]
                                             : e->ref.size() == 1                      ? e->ref[0]
                                                                                       : std::string();
                    for (auto& p : t.params)
                        if (p.name == name) p.secret = true;
                }
        std::map<std::string, Location> names;
        for (const auto& p : t.params)
            if (!names.emplace(p.name, p.loc).second) report(p.loc, "parameter '" + p.name + "' is declared twice");
        std::vector<const QueryDef*> all;
        collectQueries(t, all);
        for (const QueryDef* q : all)
            if (!names.emplace(q->name, q->loc).second)
                report(q->loc, "the name '" + q->name + "' is already used by a parameter or query (line " +
                                   std::to_string(names[q->name].line) + ")");
        return t;
    }

    static void collectQueries(const std::vector<Block>& blocks, std::vector<const QueryDef*>& out) {
        for (const auto& b : blocks) {
            for (const auto& q : b.queries) out.push_back(&q);
            collectQueries(b.children, out);
            collectQueries(b.otherwise, out);
        }
    }
    static void collectQueries(const Template& t, std::vector<const QueryDef*>& out) {
        for (const auto& q : t.queries) out.push_back(&q);
        collectQueries(t.body, out);
    }

private:
    enum class Where { Report, Section, Repeat, If };

    Location loc(const XmlNode& n) const { return {file_, n.line, n.column}; }
    Location loc(const Attr& a) const { return {file_, a.line, a.column}; }
    void report(const Location& l, const std::string& msg) { problems_.emplace_back(ErrorKind::Template, l.file, l.line, l.column, msg); }
    void report(const Attr& a, const std::string& msg) { report(loc(a), msg); }
    std::function<void(const Error&)> sink() {
        return [this](const Error& e) { problems_.push_back(e); };
    }

    void allow(const XmlNode& n, std::initializer_list<const char*> allowed) {
        std::vector<std::string> names(allowed.begin(), allowed.end());
        for (const auto& a : n.attributes) {
            if (std::find(names.begin(), names.end(), a.name) != names.end()) continue;
            std::string msg = "<" + n.name + "> has no attribute '" + a.name + "'";
            if (auto h = closest(a.name, names)) msg += " (did you mean '" + *h + "'?)";
            else if (names.empty()) msg += " (it takes none)";
            else msg += " (allowed: " + list(names) + ")";
            report(a, msg);
        }
    }
    const Attr* required(const XmlNode& n, const char* key) {
        const Attr* a = n.findAttribute(key);
        if (!a) {
            report(loc(n), "<" + n.name + "> needs the attribute " + key + "=\"...\"");
            return nullptr;
        }
        if (trimmed(a->value.text).empty()) {
            report(*a, "<" + n.name + "> needs a value in " + key + "=\"...\"");
            return nullptr;
        }
        return a;
    }
    TextExpr text(const Attr& a, Spaces spaces = Spaces::CollapseTrim) { return parseText(a.value, file_, spaces, sink()); }
    TextExpr textAttr(const XmlNode& n, const char* key) {
        const Attr* a = n.findAttribute(key);
        return a ? text(*a) : TextExpr{};
    }
    TextExpr content(const XmlNode& n, Spaces spaces) {
        TextExpr t = parseText(n.directText(), file_, spaces, sink());
        if (t.loc.line == 0) t.loc = loc(n);
        return t;
    }
    void noText(const XmlNode& n) {
        for (const auto& part : n.content)
            if (!part.child && !part.text.blank()) {
                size_t at = part.text.text.find_first_not_of(" \t\r\n");
                auto [line, column] = part.text.position(at);
                report({file_, line, column}, "<" + n.name + "> cannot hold text directly; put it in <paragraph>");
                return;
            }
    }
    void noChildren(const XmlNode& n) {
        for (const auto& c : n.children) report(loc(*c), "<" + n.name + "> cannot contain <" + c->name + ">");
    }
    bool boolAttr(const XmlNode& n, const char* key) {
        const Attr* a = n.findAttribute(key);
        if (!a) return false;
        if (a->value.text == "true") return true;
        if (a->value.text != "false") report(*a, std::string(key) + "=\"" + a->value.text + "\" must be true or false");
        return false;
    }
    model::Target target(const XmlNode& n) {
        const Attr* a = n.findAttribute("only");
        if (!a) return model::Target::Both;
        if (a->value.text == "pdf") return model::Target::PdfOnly;
        if (a->value.text == "xlsx") return model::Target::XlsxOnly;
        report(*a, "only=\"" + a->value.text + "\" must be pdf or xlsx");
        return model::Target::Both;
    }
    // A number written out in full: the whole string, finite (from_chars also reads "nan",
    // "inf" and "1e999" as infinity), so every range check after it means what it says.
    static std::optional<double> number(const std::string& s) {
        double v = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
        return v;
    }
    static std::string plain(double v) {
        std::ostringstream out;
        out << v;
        return out.str();
    }
    std::optional<double> millimetres(const Attr& a, double min, double max) {
        std::string s = trimmed(a.value.text);
        if (s.size() > 2 && s.compare(s.size() - 2, 2, "mm") == 0) s.resize(s.size() - 2);
        auto v = number(s);
        if (!v || *v < min || *v > max) {
            report(a, a.name + "=\"" + a.value.text + "\": give millimetres from " + plain(min) + " to " + plain(max) +
                          ", e.g. 40mm");
            return std::nullopt;
        }
        return v;
    }
    std::optional<std::array<double, 4>> margins(const Attr& a) {
        std::istringstream in(a.value.text);
        std::vector<double> v;
        for (std::string part; in >> part;) {
            if (part.size() > 2 && part.compare(part.size() - 2, 2, "mm") == 0) part.resize(part.size() - 2);
            auto d = number(part);
            if (!d || *d < 0 || *d > 100) {
                v.clear();
                break;
            }
            v.push_back(*d);
        }
        if (v.empty() || v.size() > 4) {
            report(a, "margins=\"" + a.value.text +
                          "\": give 1 to 4 sizes in mm from 0 to 100: top right bottom left, e.g. \"20 10 20 25\"");
            return std::nullopt;
        }
        // As in CSS: one value for all sides; two: vertical, horizontal; three: top, sides, bottom.
        if (v.size() == 1) return std::array<double, 4>{v[0], v[0], v[0], v[0]};
        if (v.size() == 2) return std::array<double, 4>{v[0], v[1], v[0], v[1]};
        if (v.size() == 3) return std::array<double, 4>{v[0], v[1], v[2], v[1]};
        return std::array<double, 4>{v[0], v[1], v[2], v[3]};
    }
    // An attribute holding one expression: a column name, an expression, or one {placeholder}.
    std::optional<Expr> exprAttr(const Attr& a) {
        const std::string t = trimmed(a.value.text);
        try {
            if (t.size() >= 2 && t.front() == '{' && t.back() == '}') {
                TextExpr te = parseText(a.value, file_, Spaces::CollapseTrim);
                if (const Expr* e = te.single()) return *e;
                report(a, a.name + "=\"" + a.value.text + "\" must be one expression, e.g. {category}");
                return std::nullopt;
            }
            return parseExpression(a.value, file_);
        } catch (const Error& e) {
            problems_.push_back(e);
            return std::nullopt;
        }
    }

    std::optional<ParamDef> param(const XmlNode& n) {
        allow(n, {"name", "type", "required", "default", "secret"});
        noText(n);
        noChildren(n);
        ParamDef p;
        p.loc = loc(n);
        const Attr* name = required(n, "name");
        if (!name) return std::nullopt;
        p.name = name->value.text;
        if (!isIdentifier(p.name)) report(*name, "parameter name '" + p.name + "' must be letters, digits and _");
        else if (reservedName(p.name) || p.name.rfind("parent_", 0) == 0)
            report(*name, "'" + p.name + "' is reserved (param, parent, env and parent_… have a meaning): pick another name");
        std::string type = "text";
        if (const Attr* t = n.findAttribute("type")) {
            type = t->value.text;
            if (type == "integer") p.type = ParamDef::Type::Integer;
            else if (type == "text") p.type = ParamDef::Type::Text;
            else if (type == "date") p.type = ParamDef::Type::Date;
            else if (type == "decimal") p.type = ParamDef::Type::Decimal;
            else if (type == "boolean") p.type = ParamDef::Type::Boolean;
            else report(*t, "type=\"" + type + "\" is not integer, text, date, decimal or boolean");
        }
        p.required = boolAttr(n, "required");
        p.secret = boolAttr(n, "secret");
        if (const Attr* d = n.findAttribute("default")) {
            p.defaultValue = d->value.text;
            const std::string& v = d->value.text;
            const auto number = Decimal::parse(v);
            bool ok = true;
            const char* want = "";
            switch (p.type) {  // as bindParams reads them
                case ParamDef::Type::Integer:
                    ok = number && v.find('.') == std::string::npos;
                    want = "an integer";
                    break;
                case ParamDef::Type::Decimal:
                    ok = number.has_value();
                    want = "a decimal number like 1234.56";
                    break;
                case ParamDef::Type::Date:
                    ok = Date::parse(v) && v.size() == 10;
                    want = "a date YYYY-MM-DD";
                    break;
                case ParamDef::Type::Boolean:
                    ok = v == "true" || v == "false" || v == "1" || v == "0" || v == "да" || v == "нет";
                    want = "true or false";
                    break;
                case ParamDef::Type::Text: break;
            }
            if (!ok) report(*d, "default=\"" + v + "\" is not " + want);
        }
        return p;
    }

    std::optional<QueryDef> query(const XmlNode& n) {
        allow(n, {"name", "one"});
        noChildren(n);
        QueryDef q;
        q.loc = loc(n);
        const Attr* name = required(n, "name");
        q.one = boolAttr(n, "one");
        q.source = n.directText();
        q.sql = n.text;
        if (!name) return std::nullopt;
        q.name = name->value.text;
        if (!isIdentifier(q.name)) report(*name, "query name '" + q.name + "' must be letters, digits and _");
        else if (reservedName(q.name)) report(*name, "'" + q.name + "' is reserved: pick another query name");
        if (trimmed(q.sql).empty()) report(loc(n), "<query name=\"" + q.name + "\"> has no SQL");
        return q;
    }

    ProtectionDef protection(const XmlNode& n) {
        allow(n, {"owner-password", "user-password", "allow"});
        noText(n);
        noChildren(n);
        ProtectionDef p;
        p.loc = loc(n);
        if (const Attr* a = required(n, "owner-password")) p.ownerPassword = text(*a, Spaces::Keep);
        if (const Attr* a = n.findAttribute("user-password")) p.userPassword = text(*a, Spaces::Keep);
        if (const Attr* a = n.findAttribute("allow")) {
            p.print = p.copy = p.edit = false;
            std::string v = a->value.text;
            std::replace(v.begin(), v.end(), ',', ' ');
            std::istringstream in(v);
            for (std::string w; in >> w;) {
                if (w == "print") p.print = true;
                else if (w == "copy") p.copy = true;
                else if (w == "edit") p.edit = true;
                else report(*a, "allow=\"" + a->value.text + "\": '" + w + "' is not print, copy or edit");
            }
        }
        return p;
    }

    // Child elements of a container (report, section, repeat, if, else), <else> joined to its <if>.
    std::vector<Block> blocks(const XmlNode& parent, int depth, Where where) {
        std::vector<Block> out;
        noText(parent);
        std::optional<size_t> openIf;  // the <if> just before, still without an <else>
        for (const auto& c : parent.children) {
            const XmlNode& child = *c;
            const std::optional<size_t> lastIf = openIf;
            openIf.reset();
            if (where == Where::Report &&
                (child.name == "param" || child.name == "query" || child.name == "header" || child.name == "footer" ||
                 child.name == "protection"))
                continue;
            if (where == Where::Repeat && child.name == "query") continue;
            if (child.name == "else") {
                allow(child, {"only"});
                if (!lastIf) {
                    report(loc(child), "<else> must follow an <if> directly");
                    continue;
                }
                Block& ifBlock = out[*lastIf];
                ifBlock.otherwise = blocks(child, depth, Where::If);
                const model::Target t = target(child);
                for (auto& b : ifBlock.otherwise) b.target = narrow(t, b.target, child);
                continue;
            }
            if (child.name == "param" || child.name == "query" || child.name == "header" || child.name == "footer" ||
                child.name == "protection") {
                report(loc(child), "<" + child.name + "> belongs directly under <report>" +
                                       (child.name == "query" ? " (or directly in a <repeat>)" : ""));
                continue;
            }
            if (auto b = block(child, depth)) {
                out.push_back(std::move(*b));
                if (out.back().kind == Block::Kind::If) openIf = out.size() - 1;
            }
        }
        return out;
    }
    model::Target narrow(model::Target outer, model::Target inner, const XmlNode& n) {
        if (inner == model::Target::Both) return outer;
        if (outer != model::Target::Both && outer != inner) report(loc(n), "only=\"…\" contradicts an enclosing only=\"…\"");
        return inner;
    }

    std::optional<Block> block(const XmlNode& n, int depth) {
        Block b;
        b.loc = loc(n);
        const std::string& e = n.name;
        if (e == "title") {
            allow(n, {"subtitle", "only"});
            noChildren(n);
            b.kind = Block::Kind::Title;
            b.text = content(n, Spaces::CollapseTrim);
            b.subtitle = textAttr(n, "subtitle");
        } else if (e == "section") {
            allow(n, {"title", "level", "sheet", "only"});
            b.kind = Block::Kind::Section;
            if (required(n, "title")) b.text = textAttr(n, "title");
            b.sheet = textAttr(n, "sheet");
            b.level = level(n, depth);
            b.children = blocks(n, b.level, Where::Section);
        } else if (e == "heading") {
            allow(n, {"level", "sheet", "only"});
            noChildren(n);
            b.kind = Block::Kind::Heading;
            b.text = content(n, Spaces::CollapseTrim);
            if (b.text.empty()) report(loc(n), "<heading> needs text, e.g. <heading>Бюджет</heading>");
            b.sheet = textAttr(n, "sheet");
            b.level = level(n, depth);
        } else if (e == "paragraph") {
            allow(n, {"only"});
            b.kind = Block::Kind::Paragraph;
            runs(n, false, false, b.runs);
            tidyRuns(b.runs);
            b.text.loc = b.loc;
        } else if (e == "fields") {
            allow(n, {"row", "only"});
            noText(n);
            b.kind = Block::Kind::Fields;
            if (const Attr* a = n.findAttribute("row")) {
                b.rows = trimmed(a->value.text);
                b.rowsLoc = loc(*a);
            }
            for (const auto& c : n.children) {
                const XmlNode& child = *c;
                if (child.name != "field") {
                    unknownChild(n, child, {"field"});
                    continue;
                }
                allow(child, {"label"});
                noChildren(child);
                FieldDef f;
                f.loc = loc(child);
                if (const Attr* label = required(child, "label")) f.label = text(*label);
                f.value = content(child, Spaces::CollapseTrim);
                b.fields.push_back(std::move(f));
            }
            if (b.fields.empty()) report(loc(n), "<fields> needs at least one <field>");
        } else if (e == "table") {
            table(n, b);
        } else if (e == "repeat") {
            allow(n, {"rows", "empty", "only"});
            b.kind = Block::Kind::Repeat;
            rowsAttr(n, b);
            if (auto* a = n.attribute("empty")) b.emptyText = *a;
            for (const auto& c : n.children)
                if (c->name == "query")
                    if (auto q = query(*c)) b.queries.push_back(std::move(*q));
            b.children = blocks(n, depth, Where::Repeat);
        } else if (e == "if") {
            allow(n, {"test", "only"});
            b.kind = Block::Kind::If;
            if (const Attr* a = required(n, "test")) b.test = exprAttr(*a);
            b.children = blocks(n, depth, Where::If);
        } else if (e == "image") {
            allow(n, {"src", "width", "align", "only"});
            noText(n);
            noChildren(n);
            b.kind = Block::Kind::Image;
            if (const Attr* a = required(n, "src")) {
                b.text = text(*a);
                if (!hasPlaceholder(b.text) && !b.text.empty()) {
                    try {
                        findImage(folder_, b.text.segments.front().literal, loc(*a));
                    } catch (const Error& err) {
                        problems_.push_back(err);
                    }
                }
            }
            if (const Attr* a = n.findAttribute("width"))
                if (auto w = millimetres(*a, 1, 1000)) b.widthMm = *w;
            if (const Attr* a = n.findAttribute("align"))
                if (auto al = align(*a)) b.align = *al;
        } else if (e == "chart") {
            chart(n, b);
        } else if (e == "pagebreak") {
            allow(n, {"only"});
            noText(n);
            noChildren(n);
            b.kind = Block::Kind::PageBreak;
        } else if (e == "signature") {
            allow(n, {"position", "name", "date", "only"});
            noText(n);
            noChildren(n);
            b.kind = Block::Kind::Signature;
            b.position = textAttr(n, "position");
            b.name = textAttr(n, "name");
            b.date = textAttr(n, "date");
            if (!n.findAttribute("position") && !n.findAttribute("name"))
                report(loc(n), "<signature> needs position=\"…\" or name=\"…\" (or both)");
        } else {
            std::string msg = "unknown element <" + e + ">";
            if (auto h = closest(e, blockElements())) msg += " (did you mean <" + *h + ">?)";
            else msg += " (known: " + list(blockElements()) + ", and under <report>: param, query, header, footer, protection)";
            report(loc(n), msg);
            return std::nullopt;
        }
        b.target = target(n);
        return b;
    }

    void unknownChild(const XmlNode& parent, const XmlNode& child, const std::vector<std::string>& allowed) {
        std::string msg = "<" + parent.name + "> holds only " + list(allowed) + ", not <" + child.name + ">";
        if (auto h = closest(child.name, allowed)) msg += " (did you mean <" + *h + ">?)";
        report(loc(child), msg);
    }

    int level(const XmlNode& n, int depth) {
        int lvl = depth + 1;
        if (const Attr* a = n.findAttribute("level")) {
            const std::string& l = a->value.text;
            if (l != "1" && l != "2" && l != "3") report(*a, "level=\"" + l + "\" must be 1, 2 or 3");
            else lvl = l[0] - '0';
        } else if (lvl > 3) {
            report(loc(n), n.name == "section" ? "sections nest at most three levels deep"
                                               : "headings go at most three levels deep: give level=\"3\"");
            lvl = 3;
        }
        return lvl;
    }

    std::optional<model::Align> align(const Attr& a) {
        const std::string& v = a.value.text;
        if (v == "left") return model::Align::Left;
        if (v == "center") return model::Align::Center;
        if (v == "right") return model::Align::Right;
        report(a, "align=\"" + v + "\" is not left, center or right");
        return std::nullopt;
    }

    void rowsAttr(const XmlNode& n, Block& b) {
        if (const Attr* a = required(n, "rows")) {
            b.rows = trimmed(a->value.text);
            b.rowsLoc = loc(*a);
            if (b.rows.size() > 2 && b.rows.front() == '{' && b.rows.back() == '}') b.rows = trimmed(b.rows.substr(1, b.rows.size() - 2));
        } else {
            b.rowsLoc = loc(n);
        }
    }

    // Paragraph text and its <b>/<i> parts, in order.
    void runs(const XmlNode& n, bool bold, bool italic, std::vector<RunDef>& out) {
        for (const auto& part : n.content) {
            if (!part.child) {
                RunDef r;
                r.text = parseText(part.text, file_, Spaces::Collapse, sink());
                r.bold = bold;
                r.italic = italic;
                if (!r.text.empty()) out.push_back(std::move(r));
                continue;
            }
            const XmlNode& c = *part.child;
            if (c.name == "b" || c.name == "i") {
                allow(c, {});
                runs(c, bold || c.name == "b", italic || c.name == "i", out);
            } else {
                std::string msg = "<" + n.name + "> holds text with <b> and <i> only, not <" + c.name + ">";
                if (c.name == "paragraph" || c.name == "table" || c.name == "fields")
                    msg += ": close the paragraph first";
                report(loc(c), msg);
            }
        }
    }
    // Whitespace between runs as HTML does it: one space where the text has any, none at the ends.
    static void tidyRuns(std::vector<RunDef>& runs) {
        bool space = true;  // at the start, leading spaces go
        for (auto& r : runs) {
            for (auto& seg : r.text.segments) {
                if (space && !seg.literal.empty() && seg.literal.front() == ' ') seg.literal.erase(0, 1);
                if (!seg.literal.empty()) space = seg.literal.back() == ' ';
                if (seg.expr) space = false;
            }
        }
        for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
            auto& segs = it->text.segments;
            while (!segs.empty() && !segs.back().expr && (segs.back().literal.empty() || segs.back().literal == " "))
                segs.pop_back();
            if (!segs.empty() && !segs.back().expr && segs.back().literal.back() == ' ') segs.back().literal.pop_back();
            if (!segs.empty()) break;
        }
        runs.erase(std::remove_if(runs.begin(), runs.end(),
                                  [](const RunDef& r) {
                                      return std::all_of(r.text.segments.begin(), r.text.segments.end(),
                                                         [](const Segment& s) { return !s.expr && s.literal.empty(); });
                                  }),
                   runs.end());
    }

    model::Width width(const Attr& a) {
        const std::string& w = a.value.text;
        auto upTo = [&](const std::string& s, double max) -> std::optional<double> {
            auto v = number(s);
            if (!v || *v <= 0 || *v > max) return std::nullopt;
            return v;
        };
        model::Width out;
        std::optional<double> v;
        if (!w.empty() && w.back() == '*') {
            out.kind = model::Width::Kind::Share;
            v = w.size() == 1 ? 1.0 : upTo(w.substr(0, w.size() - 1), 1000);
        } else if (w.size() > 2 && w.compare(w.size() - 2, 2, "mm") == 0) {
            out.kind = model::Width::Kind::Fixed;
            v = upTo(w.substr(0, w.size() - 2), 1000);
        } else if (!w.empty() && w.back() == '%') {
            out.kind = model::Width::Kind::Percent;
            v = upTo(w.substr(0, w.size() - 1), 100);
        }
        if (!v) {
            report(a, "width=\"" + w + "\": use 30mm, 25% or * / 2* (a share of what is left); more than 0 and at most "
                      "1000mm, 100% or 1000*");
            return {};
        }
        out.amount = *v;
        return out;
    }

    std::optional<model::Aggregate> aggregate(const Attr& a) {
        const std::string& v = a.value.text;
        if (v == "sum") return model::Aggregate::Sum;
        if (v == "count") return model::Aggregate::Count;
        if (v == "avg") return model::Aggregate::Average;
        if (v == "min") return model::Aggregate::Min;
        if (v == "max") return model::Aggregate::Max;
        if (v == "none") return model::Aggregate::None;
        report(a, "total=\"" + v + "\" is not sum, count, avg, min, max or none");
        return std::nullopt;
    }

    void table(const XmlNode& n, Block& b) {
        allow(n, {"rows", "sheet", "caption", "empty", "totals", "group", "group-title", "group-totals", "stream", "only"});
        noText(n);
        b.kind = Block::Kind::Table;
        rowsAttr(n, b);
        b.sheet = textAttr(n, "sheet");
        b.text = textAttr(n, "caption");
        if (auto* e = n.attribute("empty")) b.emptyText = *e;
        if (auto* t = n.attribute("totals")) {
            b.totals = true;
            b.totalsLabel = *t == "sum" ? "Итого" : *t;
        }
        if (const Attr* g = n.findAttribute("group")) b.group = exprAttr(*g);
        if (const Attr* g = n.findAttribute("group-title")) {
            b.groupTitle = text(*g);
            if (!b.group) report(*g, "group-title needs group=\"column\" on the table");
        }
        if (const Attr* g = n.findAttribute("group-totals")) {
            b.groupTotals = text(*g);
            if (!b.group) report(*g, "group-totals needs group=\"column\" on the table");
        }
        b.stream = boolAttr(n, "stream");
        if (b.stream && n.findAttribute("group"))
            report(*n.findAttribute("stream"), "a streamed table cannot be grouped: drop group=… or stream=\"true\"");
        std::vector<std::size_t> formulas;  // columns with formula="true"
        for (const auto& c : n.children) {
            const XmlNode& child = *c;
            if (child.name != "column") {
                unknownChild(n, child, {"column"});
                continue;
            }
            allow(child, {"title", "width", "align", "total", "formula", "link"});
            noChildren(child);
            ColumnDef col;
            col.loc = loc(child);
            if (const Attr* t = required(child, "title")) col.title = text(*t);
            col.value = content(child, Spaces::CollapseTrim);
            if (col.value.empty()) report(loc(child), "<column> needs a value, e.g. {item}");
            if (const Attr* w = child.findAttribute("width")) col.width = width(*w);
            if (const Attr* a = child.findAttribute("align")) col.align = align(*a);
            if (const Attr* t = child.findAttribute("total")) col.total = aggregate(*t);
            if (const Attr* l = child.findAttribute("link")) col.link = text(*l);
            if (boolAttr(child, "formula") && !col.value.empty()) formulas.push_back(b.columns.size());
            b.columns.push_back(std::move(col));
        }
        if (b.columns.empty()) report(loc(n), "<table> needs at least one <column>");
        // Once every column is known: a formula refers to the others.
        for (std::size_t i : formulas)
            b.columns[i].formula =
                ColumnFormula(b.columns, i, b.rows, [this](const Location& l, const std::string& m) { report(l, m); })
                    .compile();
    }

    void chart(const XmlNode& n, Block& b) {
        allow(n, {"type", "rows", "category", "title", "sheet", "height", "only"});
        noText(n);
        b.kind = Block::Kind::Chart;
        if (const Attr* t = required(n, "type")) {
            const std::string& v = t->value.text;
            if (v == "bar") b.chartKind = model::Chart::Kind::Bar;
            else if (v == "grouped-bar") b.chartKind = model::Chart::Kind::GroupedBar;
            else if (v == "line") b.chartKind = model::Chart::Kind::Line;
            else if (v == "pie") b.chartKind = model::Chart::Kind::Pie;
            else {
                std::string msg = "type=\"" + v + "\" is not bar, grouped-bar, line or pie";
                if (auto h = closest(v, {"bar", "grouped-bar", "line", "pie"})) msg += " (did you mean '" + *h + "'?)";
                report(*t, msg);
            }
        }
        rowsAttr(n, b);
        if (const Attr* c = required(n, "category")) {
            if (c->value.text.find('{') == std::string::npos) {
                if (auto e = exprAttr(*c)) b.category.segments.push_back({"", std::move(*e)});
                b.category.loc = loc(*c);
            } else {
                b.category = text(*c);
            }
        }
        b.text = textAttr(n, "title");
        b.sheet = textAttr(n, "sheet");
        if (const Attr* h = n.findAttribute("height"))
            if (auto v = millimetres(*h, 20, 400)) b.heightMm = *v;
        for (const auto& c : n.children) {
            const XmlNode& child = *c;
            if (child.name != "series") {
                unknownChild(n, child, {"series"});
                continue;
            }
            allow(child, {"name"});
            noChildren(child);
            SeriesDef s;
            s.loc = loc(child);
            if (const Attr* name = required(child, "name")) s.name = text(*name);
            s.value = content(child, Spaces::CollapseTrim);
            if (!s.value.single()) report(s.loc, "<series> holds one value, e.g. <series name=\"План\">{planned}</series>");
            b.series.push_back(std::move(s));
        }
        if (b.series.empty()) report(loc(n), "<chart> needs at least one <series name=\"…\">{column}</series>");
        if ((b.chartKind == model::Chart::Kind::Bar || b.chartKind == model::Chart::Kind::Pie) && b.series.size() > 1)
            report(b.series[1].loc, "a bar or pie chart shows one series: use type=\"grouped-bar\" or \"line\" for more");
    }

    std::string file_;
    fs::path folder_;
    std::vector<Error>& problems_;
};

// ------------------------------------------------------------------ references

// Walks a compiled template with what each place can see, resolving every reference by the
// rules of fill (scope.h); with a ColumnSource the columns come from the database.
class Validator {
public:
    Validator(const Template& t, ColumnSource* columns, std::vector<Error>& problems)
        : t_(t), source_(columns), problems_(problems) {
        std::vector<const QueryDef*> all;
        Compiler::collectQueries(t, all);
        for (const QueryDef* q : all) allQueries_.push_back(q->name);
    }

    void run() {
        levels_.push_back(&t_.queries);
        for (const auto& q : t_.queries) {
            binds(q, false);
            columnsOf(q);  // every query runs, used or not
        }
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
        const auto bound = data::bindNames(q.sql);
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
                text(b.position, s);
                text(b.name, s);
                text(b.date, s);
                break;
            case Block::Kind::If:
                if (b.test) expr(*b.test, s);
                walk(b.children);
                walk(b.otherwise);
                break;
            case Block::Kind::Fields: {
                if (b.rows.empty()) {
                    if (rows_.empty()) {
                        report(b.loc, "<fields> needs row=\"query\" (a one=\"true\" query) outside a <repeat>");
                        break;
                    }
                    for (const auto& f : b.fields) {
                        text(f.label, s);
                        text(f.value, s);
                    }
                    break;
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
                    if (!q) break;
                    if (!q->one) {
                        report(b.rowsLoc, "<fields row=\"" + b.rows + "\"> needs a query with one=\"true\" (exactly one row)");
                        break;
                    }
                    row = {q->name, columnsOf(*q)};
                }
                for (const auto& f : b.fields) text(f.label, s);
                rows_.push_back(row);
                RefScope inner = scope();
                for (const auto& f : b.fields) text(f.value, inner);
                rows_.pop_back();
                break;
            }
            case Block::Kind::Table: {
                text(b.text, s);
                text(b.sheet, s);
                for (const auto& c : b.columns) text(c.title, s);
                const QueryDef* q = rowsQuery(b, "table");
                if (!q) break;
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
                break;
            }
            case Block::Kind::Chart: {
                text(b.text, s);
                text(b.sheet, s);
                for (const auto& series : b.series) text(series.name, s);
                const QueryDef* q = rowsQuery(b, "chart");
                if (!q) break;
                rows_.push_back({q->name, columnsOf(*q)});
                RefScope inner = scope();
                text(b.category, inner);
                for (const auto& series : b.series) text(series.value, inner);
                rows_.pop_back();
                break;
            }
            case Block::Kind::Repeat: {
                const QueryDef* q = rowsQuery(b, "repeat");
                if (!q) break;
                rows_.push_back({q->name, columnsOf(*q)});
                levels_.push_back(&b.queries);
                for (const auto& nested : b.queries) {
                    binds(nested, true);
                    columnsOf(nested);
                }
                walk(b.children);
                levels_.pop_back();
                rows_.pop_back();
                break;
            }
        }
    }

    const Template& t_;
    ColumnSource* source_;
    std::vector<Error>& problems_;
    std::vector<std::string> allQueries_;
    std::vector<RefScope::Row> rows_;
    std::vector<const std::vector<QueryDef>*> levels_;
    std::map<const QueryDef*, std::optional<std::vector<std::string>>> cache_;
};

fs::path folderOf(const std::string& displayName, const fs::path& folder) {
    if (!folder.empty()) return folder;
    fs::path parent = fs::path(displayName).parent_path();
    return parent.empty() ? fs::path(".") : parent;
}

[[noreturn]] void throwFirst(std::vector<Error>& problems) {
    Error first = problems.front();
    if (problems.size() == 1) throw first;
    const std::string more = std::to_string(problems.size() - 1);
    const std::string message = first.message();
    throw Error(first.kind(), first.file(), first.line(), first.column(),
                message + " (and " + more + " more problem" + (more == "1" ? "" : "s") +
                    ": 'grantpress check' lists them all)");
}

}  // namespace

bool isSecretParam(const Template& t, const std::string& name) {
    return std::any_of(t.params.begin(), t.params.end(), [&](const ParamDef& p) { return p.secret && p.name == name; });
}

const QueryDef* Template::query(const std::string& wanted) const {
    for (const auto& q : queries)
        if (q.name == wanted) return &q;
    return nullptr;
}

const ParamDef* Template::param(const std::string& wanted) const {
    for (const auto& p : params)
        if (p.name == wanted) return &p;
    return nullptr;
}

std::optional<Template> compileTemplate(const std::string& xml, const std::string& displayName, const fs::path& folder,
                                        std::vector<Error>& problems, ColumnSource* columns) {
    std::unique_ptr<XmlNode> root;
    try {
        root = parseXmlString(xml, displayName);
    } catch (const Error& e) {
        problems.push_back(e);
        return std::nullopt;
    }
    const size_t before = problems.size();
    Template t = Compiler(displayName, folderOf(displayName, folder), problems).compile(*root);
    t.name = fs::path(displayName).stem().string();
    Validator(t, columns, problems).run();
    std::stable_sort(problems.begin() + static_cast<std::ptrdiff_t>(before), problems.end(),
                     [](const Error& a, const Error& b) {
                         return std::pair(a.line(), a.column()) < std::pair(b.line(), b.column());
                     });
    // The same message at the same place (a shared query checked twice) once.
    problems.erase(std::unique(problems.begin() + static_cast<std::ptrdiff_t>(before), problems.end(),
                               [](const Error& a, const Error& b) { return std::string(a.what()) == b.what(); }),
                   problems.end());
    return t;
}

Template parseTemplate(const std::string& xml, const std::string& displayName, const fs::path& folder) {
    std::vector<Error> problems;
    auto t = compileTemplate(xml, displayName, folder, problems);
    if (!problems.empty()) throwFirst(problems);
    return std::move(*t);
}

Template loadTemplate(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::Template, path.string() + ": cannot read the template");
    std::ostringstream buf;
    buf << in.rdbuf();
    fs::path folder = path.parent_path();
    if (folder.empty()) folder = ".";
    return parseTemplate(buf.str(), path.string(), folder);
}

std::vector<std::string> listTemplates(const fs::path& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.is_regular_file() && entry.path().extension() == ".xml") names.push_back(entry.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

fs::path findTemplate(const fs::path& dir, const std::string& name) {
    fs::path candidate = name;
    if (candidate.extension() == ".xml" || name.find('/') != std::string::npos) {
        if (fs::is_regular_file(candidate)) return candidate;
        throw Error(ErrorKind::Template, name + ": template file not found");
    }
    candidate = dir / (name + ".xml");
    if (fs::is_regular_file(candidate)) return candidate;
    std::string names;
    for (const auto& n : listTemplates(dir)) names += (names.empty() ? "" : ", ") + n;
    throw Error(ErrorKind::Template, "unknown template '" + name + "': no " + candidate.string() +
                                         (names.empty() ? " (the folder has no templates)" : " (available: " + names + ")"));
}

}  // namespace gp::tmpl
