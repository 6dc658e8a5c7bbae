#include "template/template.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "core/error.h"
#include "template/xml.h"

namespace gp::tmpl {
namespace {

namespace fs = std::filesystem;

class Compiler {
public:
    explicit Compiler(std::string file) : file_(std::move(file)) {}

    Template compile(const XmlNode& root) {
        if (root.name != "report") fail(root, "the root element must be <report>, not <" + root.name + ">");
        allow(root, {"name", "title", "subject", "author", "keywords", "sheet", "size", "orientation"});
        Template t;
        t.file = file_;
        t.title = textAttr(root, "title", true);
        t.subject = textAttr(root, "subject", false);
        t.author = textAttr(root, "author", false);
        t.keywords = textAttr(root, "keywords", false);
        if (auto* s = root.attribute("sheet")) t.sheet = *s;
        if (auto* s = root.attribute("size")) {
            if (*s == "A4") t.pageSize = model::PageSetup::Size::A4;
            else if (*s == "A3") t.pageSize = model::PageSetup::Size::A3;
            else if (*s == "Letter") t.pageSize = model::PageSetup::Size::Letter;
            else fail(root, "size=\"" + *s + "\" is not A4, A3 or Letter");
        }
        if (auto* o = root.attribute("orientation")) {
            if (*o != "portrait" && *o != "landscape") fail(root, "orientation=\"" + *o + "\" is not portrait or landscape");
            t.landscape = *o == "landscape";
        }
        noText(root);
        for (const auto& child : root.children) {
            if (child->name == "param") t.params.push_back(param(*child));
            else if (child->name == "query") t.queries.push_back(query(*child));
            else t.body.push_back(block(*child, 0));
        }
        std::set<std::string> names;
        for (const auto& p : t.params)
            if (!names.insert(p.name).second) fail(p.loc, "parameter '" + p.name + "' is declared twice");
        for (const auto& q : t.queries)
            if (!names.insert(q.name).second) fail(q.loc, "name '" + q.name + "' is used by two parameters or queries");
        for (const auto& b : t.body) checkRows(t, b);
        return t;
    }

private:
    Location loc(const XmlNode& n) const { return {file_, n.line, n.column}; }
    [[noreturn]] void fail(const Location& l, const std::string& msg) const {
        throw Error(ErrorKind::Template, l.file, l.line, l.column, msg);
    }
    [[noreturn]] void fail(const XmlNode& n, const std::string& msg) const { fail(loc(n), msg); }

    void allow(const XmlNode& n, std::initializer_list<const char*> allowed) const {
        for (const auto& [key, value] : n.attributes) {
            bool ok = std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; });
            if (!ok) {
                std::string list;
                for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
                fail(n, "<" + n.name + "> has no attribute '" + key + "' (allowed: " + list + ")");
            }
        }
    }
    const std::string& required(const XmlNode& n, const char* key) const {
        const std::string* v = n.attribute(key);
        if (!v || v->empty()) fail(n, "<" + n.name + "> needs the attribute " + key + "=\"...\"");
        return *v;
    }
    TextExpr textAttr(const XmlNode& n, const char* key, bool mandatory) const {
        const std::string* v = n.attribute(key);
        if (!v) {
            if (mandatory) required(n, key);
            return {};
        }
        return parseText(*v, loc(n));
    }
    void noText(const XmlNode& n) const {
        if (n.text.find_first_not_of(" \t\r\n") != std::string::npos)
            fail(n, "<" + n.name + "> cannot hold text directly; put it in <paragraph>");
    }
    void noChildren(const XmlNode& n) const {
        if (!n.children.empty()) fail(*n.children.front(), "<" + n.name + "> cannot contain <" + n.children.front()->name + ">");
    }
    bool boolAttr(const XmlNode& n, const char* key) const {
        const std::string* v = n.attribute(key);
        if (!v) return false;
        if (*v == "true") return true;
        if (*v == "false") return false;
        fail(n, std::string(key) + "=\"" + *v + "\" must be true or false");
    }
    model::Target target(const XmlNode& n) const {
        const std::string* v = n.attribute("only");
        if (!v) return model::Target::Both;
        if (*v == "pdf") return model::Target::PdfOnly;
        if (*v == "xlsx") return model::Target::XlsxOnly;
        fail(n, "only=\"" + *v + "\" must be pdf or xlsx");
    }

    ParamDef param(const XmlNode& n) const {
        allow(n, {"name", "type", "required", "default"});
        noText(n);
        noChildren(n);
        ParamDef p;
        p.loc = loc(n);
        p.name = required(n, "name");
        const std::string* type = n.attribute("type");
        std::string t = type ? *type : "text";
        if (t == "integer") p.type = ParamDef::Type::Integer;
        else if (t == "text") p.type = ParamDef::Type::Text;
        else if (t == "date") p.type = ParamDef::Type::Date;
        else if (t == "decimal") p.type = ParamDef::Type::Decimal;
        else if (t == "boolean") p.type = ParamDef::Type::Boolean;
        else fail(n, "type=\"" + t + "\" is not integer, text, date, decimal or boolean");
        p.required = boolAttr(n, "required");
        if (auto* d = n.attribute("default")) p.defaultValue = *d;
        return p;
    }

    QueryDef query(const XmlNode& n) const {
        allow(n, {"name", "one"});
        noChildren(n);
        QueryDef q;
        q.loc = loc(n);
        q.name = required(n, "name");
        q.one = boolAttr(n, "one");
        q.sql = n.text;
        if (q.sql.find_first_not_of(" \t\r\n") == std::string::npos) fail(n, "<query name=\"" + q.name + "\"> has no SQL");
        return q;
    }

    model::Width width(const XmlNode& n, const std::string& w) const {
        auto number = [&](const std::string& s) {
            double v = 0;
            auto r = std::from_chars(s.data(), s.data() + s.size(), v);
            if (r.ec != std::errc() || r.ptr != s.data() + s.size() || v <= 0)
                fail(n, "width=\"" + w + "\": use 30mm, 25% or * / 2* (a share of what is left)");
            return v;
        };
        model::Width out;
        if (!w.empty() && w.back() == '*') {
            out.kind = model::Width::Kind::Share;
            out.amount = w.size() == 1 ? 1 : number(w.substr(0, w.size() - 1));
        } else if (w.size() > 2 && w.compare(w.size() - 2, 2, "mm") == 0) {
            out.kind = model::Width::Kind::Fixed;
            out.amount = number(w.substr(0, w.size() - 2));
        } else if (!w.empty() && w.back() == '%') {
            out.kind = model::Width::Kind::Percent;
            out.amount = number(w.substr(0, w.size() - 1));
        } else {
            number("");
        }
        return out;
    }

    std::optional<model::Aggregate> aggregate(const XmlNode& n, const std::string& v) const {
        if (v == "sum") return model::Aggregate::Sum;
        if (v == "count") return model::Aggregate::Count;
        if (v == "avg") return model::Aggregate::Average;
        if (v == "min") return model::Aggregate::Min;
        if (v == "max") return model::Aggregate::Max;
        if (v == "none") return model::Aggregate::None;
        fail(n, "total=\"" + v + "\" is not sum, count, avg, min, max or none");
    }

    Block block(const XmlNode& n, int depth) const {
        Block b;
        b.loc = loc(n);
        if (n.name == "title") {
            allow(n, {"subtitle", "only"});
            noChildren(n);
            b.kind = Block::Kind::Title;
            b.text = parseText(n.text, b.loc);
            b.subtitle = textAttr(n, "subtitle", false);
        } else if (n.name == "section") {
            allow(n, {"title", "level", "only"});
            noText(n);
            b.kind = Block::Kind::Section;
            b.text = textAttr(n, "title", true);
            b.level = depth + 1;
            if (auto* l = n.attribute("level")) {
                if (*l != "1" && *l != "2" && *l != "3") fail(n, "level=\"" + *l + "\" must be 1, 2 or 3");
                b.level = (*l)[0] - '0';
            }
            if (b.level > 3) fail(n, "sections nest at most three levels deep");
            for (const auto& child : n.children) {
                if (child->name == "param" || child->name == "query")
                    fail(*child, "<" + child->name + "> belongs directly under <report>");
                b.children.push_back(block(*child, b.level));
            }
        } else if (n.name == "paragraph") {
            allow(n, {"only"});
            noChildren(n);
            b.kind = Block::Kind::Paragraph;
            b.text = parseText(n.text, b.loc);
        } else if (n.name == "fields") {
            allow(n, {"row", "only"});
            noText(n);
            b.kind = Block::Kind::Fields;
            b.rows = required(n, "row");
            for (const auto& child : n.children) {
                if (child->name != "field") fail(*child, "<fields> holds only <field>, not <" + child->name + ">");
                allow(*child, {"label"});
                noChildren(*child);
                FieldDef f;
                f.label = parseText(required(*child, "label"), loc(*child));
                f.value = parseText(child->text, loc(*child));
                b.fields.push_back(std::move(f));
            }
            if (b.fields.empty()) fail(n, "<fields> needs at least one <field>");
        } else if (n.name == "table") {
            allow(n, {"rows", "sheet", "caption", "empty", "totals", "only"});
            noText(n);
            b.kind = Block::Kind::Table;
            b.rows = required(n, "rows");
            if (auto* s = n.attribute("sheet")) b.sheet = *s;
            b.text = textAttr(n, "caption", false);
            if (auto* e = n.attribute("empty")) b.emptyText = *e;
            if (auto* t = n.attribute("totals")) {
                b.totals = true;
                b.totalsLabel = *t == "sum" ? "Итого" : *t;
            }
            for (const auto& child : n.children) {
                if (child->name != "column") fail(*child, "<table> holds only <column>, not <" + child->name + ">");
                allow(*child, {"title", "width", "align", "total"});
                noChildren(*child);
                ColumnDef c;
                c.loc = loc(*child);
                c.title = parseText(required(*child, "title"), c.loc);
                c.value = parseText(child->text, c.loc);
                if (c.value.empty()) fail(*child, "<column> needs a value, e.g. {item}");
                c.width = width(*child, child->attribute("width") ? *child->attribute("width") : "*");
                if (auto* a = child->attribute("align")) {
                    if (*a == "left") c.align = model::Align::Left;
                    else if (*a == "center") c.align = model::Align::Center;
                    else if (*a == "right") c.align = model::Align::Right;
                    else fail(*child, "align=\"" + *a + "\" is not left, center or right");
                }
                if (auto* t = child->attribute("total")) c.total = aggregate(*child, *t);
                b.columns.push_back(std::move(c));
            }
            if (b.columns.empty()) fail(n, "<table> needs at least one <column>");
        } else if (n.name == "pagebreak") {
            allow(n, {"only"});
            noText(n);
            noChildren(n);
            b.kind = Block::Kind::PageBreak;
        } else if (n.name == "param" || n.name == "query") {
            fail(n, "<" + n.name + "> belongs directly under <report>");
        } else {
            fail(n, "unknown element <" + n.name + "> (known: title, section, paragraph, fields, table, pagebreak, param, query)");
        }
        b.target = target(n);
        return b;
    }

    void checkRows(const Template& t, const Block& b) const {
        if (b.kind == Block::Kind::Fields || b.kind == Block::Kind::Table) {
            const QueryDef* q = t.query(b.rows);
            if (!q) fail(b.loc, "no <query name=\"" + b.rows + "\"> in this template");
            if (b.kind == Block::Kind::Fields && !q->one)
                fail(b.loc, "<fields row=\"" + b.rows + "\"> needs a one-row query: add one=\"true\" to it");
        }
        for (const auto& c : b.children) checkRows(t, c);
    }

    std::string file_;
};

}  // namespace

const QueryDef* Template::query(const std::string& wanted) const {
    for (const auto& q : queries)
        if (q.name == wanted) return &q;
    return nullptr;
}

Template parseTemplate(const std::string& xml, const std::string& displayName) {
    auto root = parseXmlString(xml, displayName);
    Template t = Compiler(displayName).compile(*root);
    t.name = fs::path(displayName).stem().string();
    return t;
}

Template loadTemplate(const fs::path& path) {
    auto root = parseXmlFile(path.string());
    Template t = Compiler(path.string()).compile(*root);
    t.name = path.stem().string();
    return t;
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
    std::string list;
    for (const auto& n : listTemplates(dir)) list += (list.empty() ? "" : ", ") + n;
    throw Error(ErrorKind::Template, "unknown template '" + name + "': no " + candidate.string() +
                                         (list.empty() ? " (the folder has no templates)" : " (available: " + list + ")"));
}

}  // namespace gp::tmpl
