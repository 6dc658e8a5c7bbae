// A render never fails on what the text says (issue 13).
//
// libharu 2.3.0 could not embed the subset of a face without a 'prep' table (the fast faces)
// whenever the subset's tables came to a multiple of 4 KB: its memory stream cannot seek to
// its very end (fonts.cpp, ensurePrepProgram). Whether a document could be written depended
// only on which characters it used. These tests render text of every kind through every kind
// of block, in every face the engine ships, and read each PDF back with qpdf and pdftotext
// (nobody here wrote them). Also here: a failed render releases what libharu allocated for it
// (Canvas owns the graphics states it pushes).
//
// GP_PDF_KEEP=DIR keeps the PDFs these tests write in DIR.
#include <gtest/gtest.h>
#include <hpdf.h>
#include <hpdf_pages.h>
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/utf8.h"
#include "pdf/canvas.h"
#include "pdf/hpdf_document.h"
#include "pdf/pdf_renderer.h"
#include "support.h"

namespace fs = std::filesystem;
namespace model = gp::model;

namespace {

using gp::test::Output;
Output run(const std::string& command) { return gp::test::run(command, true); }
std::string q(const fs::path& p) { return gp::test::shellQuote(p.string()); }

bool haveTools() { return run("pdftotext -v").status == 0 && run("qpdf --version").status == 0; }

#define REQUIRE_TOOLS()                                                                      \
    do {                                                                                     \
        if (!haveTools()) GTEST_SKIP() << "poppler-utils and qpdf are needed for this test"; \
    } while (0)

fs::path fontsDir() { return fs::path(GP_SOURCE_DIR) / "fonts"; }

fs::path workDir() {
    static const fs::path dir = [] {
        const char* keep = std::getenv("GP_PDF_KEEP");
        fs::path d = keep && *keep ? fs::path(keep)
                                   : fs::path(::testing::TempDir()) / ("gp_pdf_robustness_" + std::to_string(getpid()));
        fs::create_directories(d);
        return d;
    }();
    return dir;
}

// A fonts folder with the shipped full faces and DejaVu Sans but no fast/ folder, so the
// renderer draws with PT Serif and PT Sans themselves.
fs::path fullFacesOnly() {
    static const fs::path dir = [] {
        const fs::path d = workDir() / "full-fonts";
        fs::create_directories(d);
        for (const auto& entry : fs::directory_iterator(fontsDir()))
            if (entry.path().extension() == ".ttf" && !fs::exists(d / entry.path().filename()))
                fs::create_symlink(entry.path(), d / entry.path().filename());
        return d;
    }();
    return dir;
}

fs::path render(const model::Document& doc, const std::string& name, const fs::path& fonts = fontsDir()) {
    const fs::path path = workDir() / name;
    gp::pdf::Options options{fonts};
    options.hyphenate = false;  // the text reads back as it was written
    gp::pdf::render(doc, path, options);
    return path;
}

// qpdf finds no damage at all (a warning is exit status 3).
void expectClean(const fs::path& pdf) {
    const Output check = run("qpdf --check " + q(pdf));
    EXPECT_EQ(check.status, 0) << pdf << "\n" << check.text;
    EXPECT_NE(check.text.find("No syntax or stream encoding errors"), std::string::npos) << pdf << "\n" << check.text;
}

// The text in drawing order (pdftotext -raw: no columns guessed, each box's lines together).
std::string rawText(const fs::path& pdf) {
    const Output out = run("pdftotext -raw -enc UTF-8 " + q(pdf) + " -");
    EXPECT_EQ(out.status, 0) << out.text;
    return out.text;
}

// Without whitespace of any kind: wrapped and justified text compares verbatim.
std::u32string squash(std::string_view s) {
    std::u32string out;
    for (char32_t cp : gp::utf8::decode(s))
        if (cp != U' ' && cp != U'\n' && cp != U'\r' && cp != U'\t' && cp != U'\f' && cp != U'\u00A0' &&
            cp != U'\u202F')
            out += cp;
    return out;
}

model::Block block(model::Content c) { return model::Block{std::move(c), model::Target::Both}; }

model::Document base(const std::string& family) {
    model::Document doc;
    doc.meta.title = "Проверка";
    doc.meta.created = 1767225600;  // 2026-01-01
    doc.fontFamily = family;
    return doc;
}

// ----- random text, the same every run ---------------------------------------------------

// SplitMix64: a generator whose sequence is fixed by this file, not by a library.
class Random {
public:
    explicit Random(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    size_t below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(next() % n); }
    template <class T>
    const T& pick(const std::vector<T>& v) { return v[below(v.size())]; }

private:
    std::uint64_t state_;
};

std::vector<char32_t> range(char32_t from, char32_t to) {
    std::vector<char32_t> out;
    for (char32_t c = from; c <= to; ++c) out.push_back(c);
    return out;
}

// What documents say: Russian and other Cyrillic, Latin, digits, punctuation and signs,
// with the first and last characters of each range the fast faces cover, and characters
// beyond them that only the full faces (or DejaVu Sans) have.
struct Alphabet {
    std::vector<char32_t> cyrillic = range(U'\u0400', U'\u045F');
    std::vector<char32_t> russian = [] {
        auto v = range(U'А', U'я');
        v.push_back(U'Ё');
        v.push_back(U'ё');
        return v;
    }();
    std::vector<char32_t> latin = [] {
        auto v = range(U'A', U'Z');
        auto lower = range(U'a', U'z');
        v.insert(v.end(), lower.begin(), lower.end());
        return v;
    }();
    std::vector<char32_t> digits = range(U'0', U'9');
    std::vector<char32_t> punctuation = [] {
        std::vector<char32_t> v;
        for (char32_t c : range(U'!', U'~'))
            if (!(c >= U'0' && c <= U'9') && !(c >= U'A' && c <= U'Z') && !(c >= U'a' && c <= U'z')) v.push_back(c);
        for (char32_t c : std::u32string(U"«»—–…№₽€‰‹›™−§°±×÷‐‒“”„‘’•"))
            v.push_back(c);
        return v;
    }();
    // The edges of the ranges in fonts/fast/make-fast-fonts.py, and Latin-1 (no soft hyphen).
    std::vector<char32_t> edges = [] {
        std::vector<char32_t> v = {U' ', U'~', U'\u00A0', U'\u00A1', U'\u00AC', U'\u00AE', U'\u00FF', U'\u0400',
                                   U'\u045F', U'\u0490', U'\u0491', U'\u2010', U'\u2027', U'\u2030', U'\u2039',
                                   U'\u203A', U'\u2116', U'\u20AC', U'\u20BD', U'\u2122', U'\u2212'};
        for (char32_t c : range(U'\u00A1', U'\u00FF'))
            if (c != U'\u00AD') v.push_back(c);
        return v;
    }();
    // Beyond the fast faces: Latin Extended-A and more Cyrillic (the full faces or DejaVu).
    std::vector<char32_t> beyond = {U'\u0100', U'\u0101', U'\u0131', U'\u0160', U'\u0161', U'\u017D', U'\u017E',
                                    U'\u0492', U'\u0493', U'\u04AE', U'\u04AF', U'\u04D8', U'\u04D9', U'\u04E8',
                                    U'\u04E9', U'\u2116', U'\u2248', U'\u2264', U'\u2265'};
};

// A random text of 0 to `maxLength` characters: words of one kind or mixed, separated by
// spaces, now and then a run of one repeated character.
std::string randomText(Random& rng, const Alphabet& a, size_t maxLength) {
    static const size_t kLengths[] = {0, 1, 2, 5, 12, 30, 60, 120, 250, 400};
    size_t length = kLengths[rng.below(std::size(kLengths))];
    if (length > maxLength) length = maxLength;
    if (length > 2) length = length / 2 + rng.below(length / 2 + 1);
    const std::vector<const std::vector<char32_t>*> pools = {&a.russian, &a.cyrillic, &a.latin, &a.digits,
                                                             &a.punctuation, &a.edges, &a.beyond};
    const size_t mode = rng.below(pools.size() + 1);  // one pool, or (the last) any pool per word
    std::u32string out;
    while (out.size() < length) {
        if (!out.empty()) out += rng.below(8) == 0 ? U'\u00A0' : U' ';
        const std::vector<char32_t>& pool = *pools[mode < pools.size() ? mode : rng.below(pools.size())];
        if (rng.below(10) == 0) {  // a run of one character
            out.append(1 + rng.below(40), pool[rng.below(pool.size())]);
            continue;
        }
        const size_t word = 1 + rng.below(14);
        for (size_t i = 0; i < word; ++i) out += pool[rng.below(pool.size())];
    }
    if (out.size() > length) out.resize(length);
    while (!out.empty() && (out.back() == U' ' || out.back() == U'\u00A0')) out.pop_back();
    return gp::utf8::encode(out);
}

model::Cell cell(const std::string& s) { return gp::test::text(s); }

model::Column column(const std::string& title) {
    model::Column c;
    c.title = title;
    return c;
}

// One document with every kind of block holding random text; `said` collects every string.
model::Document randomDocument(Random& rng, const Alphabet& a, const std::string& family,
                               std::vector<std::string>& said) {
    auto text = [&](size_t maxLength) {
        std::string s = randomText(rng, a, maxLength);
        said.push_back(s);
        return s;
    };
    model::Document doc = base(family);
    doc.header = text(80);
    doc.footer = text(80) + " {page}/{pages}";
    doc.blocks.push_back(block(model::Title{text(120), text(160)}));
    doc.blocks.push_back(block(model::Heading{1 + static_cast<int>(rng.below(3)), text(100), ""}));
    doc.blocks.push_back(block(model::Paragraph{{{text(400), false, false}}}));
    doc.blocks.push_back(block(model::Paragraph{{{text(60), true, false}, {" " + text(60), false, true},
                                                 {" " + text(60), true, true}, {" " + text(60), false, false}}}));
    model::FieldList fields;
    for (size_t i = 0, n = 1 + rng.below(4); i < n; ++i) fields.fields.push_back({text(60), cell(text(200))});
    doc.blocks.push_back(block(fields));
    model::Table empty;
    empty.caption = text(80);
    empty.columns = {column(text(20)), column(text(30))};
    empty.emptyText = text(100);
    doc.blocks.push_back(block(empty));
    model::Table full;
    full.caption = text(80);
    const size_t columns = 1 + rng.below(4);
    for (size_t c = 0; c < columns; ++c) full.columns.push_back(column(text(25)));
    for (size_t r = 0, rows = 1 + rng.below(5); r < rows; ++r) {
        std::vector<model::Cell> row;
        for (size_t c = 0; c < columns; ++c) row.push_back(cell(text(c == 0 ? 150 : 40)));
        full.rows.push_back(std::move(row));
    }
    doc.blocks.push_back(block(full));
    return doc;
}

// Every non-empty string of `said` is in the PDF's text.
void expectSaid(const fs::path& pdf, const std::vector<std::string>& said) {
    const std::u32string all = squash(rawText(pdf));
    for (const std::string& s : said) {
        const std::u32string want = squash(s);
        if (want.empty()) continue;
        EXPECT_NE(all.find(want), std::u32string::npos) << pdf << ": text not found: \"" << s << "\"";
    }
}

// Where the 'prep' table of the one embedded font file of `pdf` starts, counted from the end
// of libharu's table directory (13 entries): the size of the subset's tables written before
// it, exactly the position libharu seeks to when it sums 'prep'. -1 when there is none.
long tablesBeforePrep(const fs::path& pdf) {
    const std::string bytes = gp::test::readFile(pdf);
    const size_t dict = bytes.find("/Length1 ");
    if (dict == std::string::npos) return -1;
    size_t start = bytes.find("stream", dict);
    if (start == std::string::npos) return -1;
    start += 6;
    while (start < bytes.size() && (bytes[start] == '\r' || bytes[start] == '\n')) ++start;
    const size_t end = bytes.find("endstream", start);
    if (end == std::string::npos) return -1;
    std::string font(1 << 20, '\0');
    uLongf size = static_cast<uLongf>(font.size());
    if (uncompress(reinterpret_cast<Bytef*>(font.data()), &size, reinterpret_cast<const Bytef*>(bytes.data() + start),
                   static_cast<uLong>(end - start)) != Z_OK)
        return -1;
    font.resize(size);
    auto u32 = [&](size_t at) {
        return (static_cast<unsigned char>(font[at]) << 24 | static_cast<unsigned char>(font[at + 1]) << 16 |
                static_cast<unsigned char>(font[at + 2]) << 8 | static_cast<unsigned char>(font[at + 3]));
    };
    const size_t tables = static_cast<unsigned char>(font[4]) << 8 | static_cast<unsigned char>(font[5]);
    for (size_t i = 0; i < tables; ++i)
        if (font.compare(12 + 16 * i, 4, "prep") == 0) return static_cast<long>(u32(12 + 16 * i + 8)) - (12 + 16 * 13);
    return -1;
}

}  // namespace

// Issue 13, item 6: a title, an empty table and a paragraph with "Ленинградская область" as
// the subtitle failed with "PDF: libharu failed to write the PDF: no object returned (libharu
// error 0x1033)" (tests/e2e/test_text_robustness.py renders that very template). The case
// itself, built rather than remembered: a paragraph whose characters make the
// subset's tables before 'prep' end exactly at a 4 KB boundary - the subsets libharu could not
// write when the face has no 'prep' of its own (the fast faces). The glyphs of plain letters
// and digits are independent of each other, so the tables grow by each one's own length:
// every candidate is measured once, then a choice of them that reaches the next multiple of
// 4,096 is found (a subset sum) and rendered. It must render, read back, and really sit on
// the boundary.
TEST(PdfRobustness, SubsetEndingAtABlockBoundaryRenders) {
    REQUIRE_TOOLS();
    std::u32string candidates;
    for (char32_t c = U'а'; c <= U'я'; ++c) candidates += c;
    for (char32_t c = U'А'; c <= U'Я'; ++c) candidates += c;
    for (char32_t c = U'a'; c <= U'z'; ++c) candidates += c;
    for (char32_t c = U'A'; c <= U'Z'; ++c) candidates += c;
    for (char32_t c = U'0'; c <= U'9'; ++c) candidates += c;
    for (const char* family : {"PTSerif", "PTSans"}) {
        SCOPED_TRACE(family);
        auto measure = [&](const std::u32string& text, const std::string& name) {
            model::Document doc = base(family);
            doc.footer.clear();  // one face: the paragraph's
            doc.blocks.push_back(block(model::plainParagraph(gp::utf8::encode(text))));
            return std::pair(render(doc, name), text);
        };
        const std::u32string seed = U"Ленинградская";
        const long base = tablesBeforePrep(measure(seed, "boundary-base.pdf").first);
        ASSERT_GT(base, 0);
        std::vector<std::pair<char32_t, long>> grows;  // candidate, how much it adds
        for (char32_t c : candidates) {
            if (seed.find(c) != std::u32string::npos) continue;
            const long with = tablesBeforePrep(measure(seed + U' ' + c, "boundary-measure.pdf").first);
            if (with > base) grows.emplace_back(c, with - base);
        }
        // Subset sum: which candidates add exactly `target` bytes.
        const long target = (base / 4096 + 1) * 4096 - base;
        std::vector<int> from(static_cast<size_t>(target) + 1, -2);  // -2 unreached; else the candidate that reached it
        from[0] = -1;
        for (size_t k = 0; k < grows.size(); ++k)
            for (long sum = target; sum >= grows[k].second; --sum)
                if (from[static_cast<size_t>(sum)] == -2 && from[static_cast<size_t>(sum - grows[k].second)] != -2 &&
                    from[static_cast<size_t>(sum - grows[k].second)] != static_cast<int>(k))
                    from[static_cast<size_t>(sum)] = static_cast<int>(k);
        ASSERT_NE(from[static_cast<size_t>(target)], -2) << "no choice of glyphs adds " << target << " bytes";
        std::u32string text = seed + U' ';
        for (long sum = target; sum > 0;) {
            const auto& [c, grow] = grows[static_cast<size_t>(from[static_cast<size_t>(sum)])];
            text += c;
            sum -= grow;
        }
        const std::string name = std::string("boundary-") + family + ".pdf";
        fs::path pdf;
        try {
            pdf = measure(text, name).first;
        } catch (const gp::Error& e) {
            FAIL() << "text \"" << gp::utf8::encode(text) << "\": " << e.what();
        }
        EXPECT_EQ(tablesBeforePrep(pdf) % 4096, 0) << "the subset does not end at a block boundary: "
                                                   << tablesBeforePrep(pdf);
        expectClean(pdf);
        expectSaid(pdf, {gp::utf8::encode(text)});
    }
}

// Random text through titles, subtitles, headings, styled paragraphs, field lists, empty and
// full tables, headers and footers, in PT Serif and PT Sans, drawn by the fast faces (with
// the full faces and DejaVu Sans behind them) and by the full faces alone: every document
// renders, qpdf finds nothing wrong and pdftotext finds every string.
TEST(PdfRobustness, RandomTextThroughEveryBlockAndFace) {
    REQUIRE_TOOLS();
    const Alphabet a;
    Random rng(20260113);
    int documents = 0;
    for (const char* family : {"PTSerif", "PTSans"}) {
        for (const bool fast : {true, false}) {
            for (int i = 0; i < 16; ++i) {
                std::vector<std::string> said;
                const model::Document doc = randomDocument(rng, a, family, said);
                const std::string name = std::string("random-") + family + (fast ? "-fast-" : "-full-") +
                                         std::to_string(i) + ".pdf";
                fs::path pdf;
                try {
                    pdf = render(doc, name, fast ? fontsDir() : fullFacesOnly());
                } catch (const gp::Error& e) {
                    ADD_FAILURE() << name << ": " << e.what();
                    continue;
                }
                expectClean(pdf);
                expectSaid(pdf, said);
                ++documents;
            }
        }
    }
    EXPECT_EQ(documents, 64);
}

// Issue 13 (LeakSanitizer): a render that fails inside a page's body - here a chart category
// with a character no font has - used to leave the graphics state saved by Canvas::addPage
// behind, which libharu does not free with the page. The failure is reported as before.
TEST(PdfRobustness, FailedChartRenderReportsTheCharacter) {
    model::Document doc = base("PTSerif");
    doc.blocks.push_back(block(model::plainParagraph("Перед диаграммой.")));
    model::Chart chart;
    chart.kind = model::Chart::Kind::Bar;
    chart.title = "Заявки";
    chart.categories = {"Москва", "Пекин 中国"};
    chart.series = {{"Заявки", {std::int64_t{3}, std::int64_t{5}}}};
    doc.blocks.push_back(block(chart));
    for (int attempt = 0; attempt < 2; ++attempt) {
        try {
            render(doc, "chart-missing-glyph.pdf");
            ADD_FAILURE() << "expected an error";
        } catch (const gp::Error& e) {
            EXPECT_NE(std::string(e.what()).find("U+4E2D"), std::string::npos) << e.what();
        }
    }
}

// The ownership behind that: a canvas destroyed with a page body open (GSave not restored)
// leaves every page with only its own graphics state, so libharu frees all of them.
TEST(PdfRobustness, CanvasReleasesTheGraphicsStatesItSaved) {
    gp::pdf::HpdfDocument doc;
    std::vector<HPDF_Page> pages;
    {
        gp::pdf::Canvas canvas(doc, 595, 842);
        canvas.addPage();
        canvas.fillRect(10, 10, 20, 20, 0.5);
        pages.push_back(canvas.page());
        canvas.addPage();  // closes the first page's body, opens the second's
        canvas.fillRect(10, 10, 20, 20, 0.5);
        pages.push_back(canvas.page());
        // A render failing now leaves the second body open: its GSave not restored.
        auto* open = static_cast<HPDF_PageAttr>(pages.back()->attr);
        ASSERT_NE(open->gstate->prev, nullptr) << "the body of the last page should be open";
    }
    for (HPDF_Page page : pages) {
        auto* attr = static_cast<HPDF_PageAttr>(page->attr);
        ASSERT_NE(attr->gstate, nullptr);
        EXPECT_EQ(attr->gstate->prev, nullptr) << "a saved graphics state was left on a page";
    }
}
