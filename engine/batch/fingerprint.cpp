#include "batch/fingerprint.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <fstream>

#include "core/error.h"

namespace gp::batch {
namespace {

// Feeds values into the digest with a type tag and a length, so that different documents
// can never serialize to the same bytes.
class Hasher {
public:
    void str(const std::string& s) {
        num(s.size());
        engine_.update(s.data(), static_cast<unsigned>(s.size()));
    }
    void num(std::uint64_t v) { engine_.update(&v, sizeof v); }
    void tag(char t) { engine_.update(t); }
    void dbl(double d) { engine_.update(&d, sizeof d); }
    void value(const Value& v) {
        tag(static_cast<char>('0' + v.index()));
        str(toPlainString(v));
    }
    void cell(const model::Cell& c) {
        value(c.value);
        num(static_cast<std::uint64_t>(c.format));
        num(static_cast<std::uint64_t>(c.decimals));
        str(c.text);
    }
    void cells(const std::vector<model::Cell>& row) {
        num(row.size());
        for (const auto& c : row) cell(c);
    }
    std::string hex() { return Poco::DigestEngine::digestToHex(engine_.digest()); }

    void block(const model::Block& b) {
        num(static_cast<std::uint64_t>(b.target));
        tag(static_cast<char>('A' + b.content.index()));
        std::visit([this](const auto& c) { content(c); }, b.content);
    }

private:
    void content(const model::Title& t) { str(t.text); str(t.subtitle); }
    void content(const model::Heading& h) { num(static_cast<std::uint64_t>(h.level)); str(h.text); str(h.sheet); }
    void content(const model::Paragraph& p) {
        num(p.runs.size());
        for (const auto& r : p.runs) { str(r.text); tag(r.bold ? 'b' : '-'); tag(r.italic ? 'i' : '-'); }
    }
    void content(const model::FieldList& f) {
        num(f.fields.size());
        for (const auto& field : f.fields) { str(field.label); cell(field.value); }
    }
    void content(const model::Table& t) {
        str(t.sheet); str(t.caption); str(t.emptyText);
        num(t.columns.size());
        for (const auto& c : t.columns) {
            str(c.title); num(static_cast<std::uint64_t>(c.width.kind)); dbl(c.width.amount);
            num(static_cast<std::uint64_t>(c.align)); num(static_cast<std::uint64_t>(c.format));
            num(static_cast<std::uint64_t>(c.decimals)); num(static_cast<std::uint64_t>(c.total));
        }
        num(t.rows.size());
        for (const auto& r : t.rows) cells(r);
        cells(t.totals);
        num(t.groups.size());
        for (const auto& g : t.groups) { num(g.begin); num(g.end); str(g.title); cells(g.subtotals); }
        if (t.stream) {
            tag('S');
            auto cursor = t.stream->open();
            std::vector<model::Cell> row;
            while (cursor->next(row)) cells(row);
            cells(cursor->totals());
        }
    }
    void content(const model::PageBreak&) {}
    void content(const model::Image& i) {
        str(i.path); dbl(i.widthMm); num(static_cast<std::uint64_t>(i.align));
        str(sha256File(i.path));  // the picture itself, not just its name
    }
    void content(const model::Chart& c) {
        num(static_cast<std::uint64_t>(c.kind)); str(c.title); str(c.sheet); dbl(c.heightMm);
        num(static_cast<std::uint64_t>(c.format));
        num(c.categories.size());
        for (const auto& cat : c.categories) str(cat);
        num(c.series.size());
        for (const auto& s : c.series) {
            str(s.name);
            num(s.values.size());
            for (const auto& v : s.values) value(v);
        }
    }
    void content(const model::Signature& s) {
        num(s.parties.size());
        for (const auto& p : s.parties) {
            str(p.title);
            str(p.position);
            str(p.name);
            str(p.date);
            num(p.seal ? 1 : 0);
        }
    }

    Poco::SHA2Engine engine_{Poco::SHA2Engine::SHA_256};
};

}  // namespace

std::string sha256Hex(const std::string& bytes) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(bytes);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

std::string sha256File(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::Output, "cannot read " + path.string());
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    char buf[1 << 16];
    while (in) {
        in.read(buf, sizeof buf);
        if (in.gcount() > 0) engine.update(buf, static_cast<unsigned>(in.gcount()));
    }
    if (in.bad()) throw Error(ErrorKind::Output, "cannot read " + path.string());
    return Poco::DigestEngine::digestToHex(engine.digest());
}

std::string fingerprint(const model::Document& doc) {
    Hasher h;
    const auto& m = doc.meta;
    for (const auto* s : {&m.title, &m.subject, &m.author, &m.keywords, &m.creator}) h.str(*s);
    h.num(static_cast<std::uint64_t>(m.created));
    h.num(static_cast<std::uint64_t>(doc.page.size));
    h.tag(doc.page.landscape ? 'L' : 'P');
    for (double d : {doc.page.top, doc.page.right, doc.page.bottom, doc.page.left, doc.fontSize}) h.dbl(d);
    for (const auto* s : {&doc.fontFamily, &doc.header, &doc.footer, &doc.sheet}) h.str(*s);
    h.tag(doc.titlePage ? 'T' : '-');
    const auto& p = doc.protection;
    h.str(p.ownerPassword);
    h.str(p.userPassword);
    h.tag(p.allowPrint ? 'p' : '-');
    h.tag(p.allowCopy ? 'c' : '-');
    h.tag(p.allowEdit ? 'e' : '-');
    h.num(doc.blocks.size());
    for (const auto& b : doc.blocks) h.block(b);
    return h.hex();
}

}  // namespace gp::batch
