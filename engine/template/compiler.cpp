#include "template/compiler.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <sstream>

#include "template/column_formula.h"
#include "template/hint.h"
#include "template/image.h"

namespace gp::tmpl {
namespace {

namespace fs = std::filesystem;

using Attr = XmlNode::Attribute;

const std::vector<std::string>& blockElements() {
    static const std::vector<std::string> names = {"title",   "section", "heading",   "paragraph", "fields",
                                                   "table",   "repeat",  "if",        "else",      "image",
                                                   "chart",   "pagebreak", "signature", "signatures"};
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

void collectQueries(const std::vector<Block>& blocks, std::vector<const QueryDef*>& out) {
    for (const auto& b : blocks) {
        for (const auto& q : b.queries) out.push_back(&q);
        collectQueries(b.children, out);
        collectQueries(b.otherwise, out);
    }
}

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
        reportAttributes(root, t);
        noText(root);
        reportChildren(root, t);
        t.body = blocks(root, 0, Where::Report);
        markSecrets(t);
        uniqueNames(t);
        return t;
    }

private:
    // The attributes of <report>: document properties, page and font.
    void reportAttributes(const XmlNode& root, Template& t) {
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
    }

    // What only <report> holds directly: parameters, queries, header, footer, protection.
    void reportChildren(const XmlNode& root, Template& t) {
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
    }

    // A parameter that makes a password is a secret wherever it is declared.
    static void markSecrets(Template& t) {
        if (!t.protection) return;
        for (const TextExpr* te : {&t.protection->ownerPassword, &t.protection->userPassword})
            for (const Expr* e : te->references()) {
                const std::string name = e->ref.size() == 2 && e->ref[0] == "param" ? e->ref[1]
                                         : e->ref.size() == 1                      ? e->ref[0]
                                                                                   : std::string();
                for (auto& p : t.params)
                    if (p.name == name) p.secret = true;
            }
    }

    // Parameters and queries share one namespace.
    void uniqueNames(const Template& t) {
        std::map<std::string, Location> names;
        for (const auto& p : t.params)
            if (!names.emplace(p.name, p.loc).second) report(p.loc, "parameter '" + p.name + "' is declared twice");
        for (const QueryDef* q : allQueries(t))
            if (!names.emplace(q->name, q->loc).second)
                report(q->loc, "the name '" + q->name + "' is already used by a parameter or query (line " +
                                   std::to_string(names[q->name].line) + ")");
    }

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
        allow(n, {"name", "type", "required", "default", "secret", "choices"});
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
        if (const Attr* c = n.findAttribute("choices")) {
            // What it names is resolved by the validator, once every query is known.
            p.choicesLoc = loc(*c);
            p.choices = trimmed(c->value.text);
            if (p.choices.empty()) report(*c, "<param> needs a query's name in choices=\"...\"");
        }
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
        q.bound = data::bindNames(q.sql);
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

    // One element of the body. Each element's parse is one method below; the model block it
    // becomes is filled in template/fill.cpp and drawn by each renderer (ARCHITECTURE.md, "Where
    // to add": a template element).
    std::optional<Block> block(const XmlNode& n, int depth) {
        Block b;
        b.loc = loc(n);
        const std::string& e = n.name;
        if (e == "title") title(n, b);
        else if (e == "section") section(n, b, depth);
        else if (e == "heading") heading(n, b, depth);
        else if (e == "paragraph") paragraph(n, b);
        else if (e == "fields") fields(n, b);
        else if (e == "table") table(n, b);
        else if (e == "repeat") repeat(n, b, depth);
        else if (e == "if") ifBlock(n, b, depth);
        else if (e == "image") image(n, b);
        else if (e == "chart") chart(n, b);
        else if (e == "pagebreak") pageBreak(n, b);
        else if (e == "signature") signature(n, b);
        else if (e == "signatures") signatures(n, b);
        else {
            std::string msg = "unknown element <" + e + ">";
            if (auto h = closest(e, blockElements())) msg += " (did you mean <" + *h + ">?)";
            else msg += " (known: " + list(blockElements()) + ", and under <report>: param, query, header, footer, protection)";
            report(loc(n), msg);
            return std::nullopt;
        }
        b.target = target(n);
        return b;
    }

    void title(const XmlNode& n, Block& b) {
        allow(n, {"subtitle", "only"});
        noChildren(n);
        b.kind = Block::Kind::Title;
        b.text = content(n, Spaces::CollapseTrim);
        b.subtitle = textAttr(n, "subtitle");
    }

    void section(const XmlNode& n, Block& b, int depth) {
        allow(n, {"title", "level", "sheet", "only"});
        b.kind = Block::Kind::Section;
        if (required(n, "title")) b.text = textAttr(n, "title");
        b.sheet = textAttr(n, "sheet");
        b.level = level(n, depth);
        b.children = blocks(n, b.level, Where::Section);
    }

    void heading(const XmlNode& n, Block& b, int depth) {
        allow(n, {"level", "sheet", "only"});
        noChildren(n);
        b.kind = Block::Kind::Heading;
        b.text = content(n, Spaces::CollapseTrim);
        if (b.text.empty()) report(loc(n), "<heading> needs text, e.g. <heading>Бюджет</heading>");
        b.sheet = textAttr(n, "sheet");
        b.level = level(n, depth);
    }

    void paragraph(const XmlNode& n, Block& b) {
        allow(n, {"only"});
        b.kind = Block::Kind::Paragraph;
        runs(n, false, false, b.runs);
        tidyRuns(b.runs);
        b.text.loc = b.loc;
    }

    void fields(const XmlNode& n, Block& b) {
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
            allow(child, {"label", "empty"});
            noChildren(child);
            FieldDef f;
            f.loc = loc(child);
            if (const Attr* label = required(child, "label")) f.label = text(*label);
            if (const Attr* e = child.findAttribute("empty")) f.empty = emptyMark(*e);
            f.value = content(child, Spaces::CollapseTrim);
            b.fields.push_back(std::move(f));
        }
        if (b.fields.empty()) report(loc(n), "<fields> needs at least one <field>");
    }

    void repeat(const XmlNode& n, Block& b, int depth) {
        allow(n, {"rows", "empty", "only"});
        b.kind = Block::Kind::Repeat;
        rowsAttr(n, b);
        if (auto* a = n.attribute("empty")) b.emptyText = *a;
        for (const auto& c : n.children)
            if (c->name == "query")
                if (auto q = query(*c)) b.queries.push_back(std::move(*q));
        b.children = blocks(n, depth, Where::Repeat);
    }

    void ifBlock(const XmlNode& n, Block& b, int depth) {
        allow(n, {"test", "only"});
        b.kind = Block::Kind::If;
        if (const Attr* a = required(n, "test")) b.test = exprAttr(*a);
        b.children = blocks(n, depth, Where::If);
    }

    void image(const XmlNode& n, Block& b) {
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
    }

    void pageBreak(const XmlNode& n, Block& b) {
        allow(n, {"only"});
        noText(n);
        noChildren(n);
        b.kind = Block::Kind::PageBreak;
    }

    void signature(const XmlNode& n, Block& b) {
        allow(n, {"title", "position", "name", "date", "seal", "only"});
        b.kind = Block::Kind::Signature;
        b.parties.push_back(signatory(n));
    }

    Block::SignatoryDef signatory(const XmlNode& n) {
        noText(n);
        noChildren(n);
        Block::SignatoryDef p;
        p.title = textAttr(n, "title");
        p.position = textAttr(n, "position");
        p.name = textAttr(n, "name");
        p.date = textAttr(n, "date");
        p.seal = boolAttr(n, "seal");
        if (!n.findAttribute("position") && !n.findAttribute("name"))
            report(loc(n), "<signature> needs position=\"…\" or name=\"…\" (or both)");
        return p;
    }

    // <signatures>: two or three parties side by side (Грантополучатель / Грантодатель).
    void signatures(const XmlNode& n, Block& b) {
        allow(n, {"only"});
        noText(n);
        b.kind = Block::Kind::Signature;
        for (const auto& c : n.children) {
            const XmlNode& child = *c;
            if (child.name != "signature") {
                unknownChild(n, child, {"signature"});
                continue;
            }
            allow(child, {"title", "position", "name", "date", "seal"});
            b.parties.push_back(signatory(child));
        }
        if (b.parties.size() < 2 || b.parties.size() > 3)
            report(loc(n), "<signatures> holds two or three <signature> side by side (one: write <signature> alone)");
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
            allow(child, {"title", "width", "align", "total", "formula", "link", "empty"});
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
            if (const Attr* e = child.findAttribute("empty")) col.empty = emptyMark(*e);
            if (boolAttr(child, "formula") && !col.value.empty()) formulas.push_back(b.columns.size());
            b.columns.push_back(std::move(col));
        }
        if (b.columns.empty()) report(loc(n), "<table> needs at least one <column>");
        // Once every column is known: a formula refers to the others.
        for (std::size_t i : formulas)
            b.columns[i].formula =
                compileColumnFormula(b.columns, i, b.rows, [this](const Location& l, const std::string& m) { report(l, m); });
    }

    // empty="…" of a field or column: plain text, shown as written.
    std::string emptyMark(const Attr& a) {
        if (a.value.text.find('{') != std::string::npos)
            report(a, "empty=\"" + a.value.text + "\" takes plain text (what an empty value shows, e.g. empty=\"—\" or "
                      "empty=\"\"), not a placeholder");
        return a.value.text;
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

}  // namespace

std::vector<const QueryDef*> allQueries(const Template& t) {
    std::vector<const QueryDef*> out;
    for (const auto& q : t.queries) out.push_back(&q);
    collectQueries(t.body, out);
    return out;
}

Template compileXml(const XmlNode& root, const std::string& file, const fs::path& folder, std::vector<Error>& problems) {
    return Compiler(file, folder, problems).compile(root);
}

}  // namespace gp::tmpl
