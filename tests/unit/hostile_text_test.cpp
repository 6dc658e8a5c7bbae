// Text the engine cannot show as given (README, issue 13 part 4): utf8::sanitize, the
// document's Warnings, the PDF renderer's replacement of characters no font has, the XLSX
// renderer's cut at Excel's cell limit. The CLI and batch paths: tests/e2e/test_hostile_data.py.
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/utf8.h"
#include "model/document.h"
#include "pdf/pdf_renderer.h"
#include "support.h"
#include "xlsx/xlsx_renderer.h"

namespace gp {
namespace {

using namespace gp::test;

TEST(HostileText, SanitizeKeepsCleanTextUntouched) {
    for (std::string s : {std::string("plain"), std::string("Кириллица ё № — «»"), std::string("tab\tline\nCR\r"),
                          std::string("😀 שלום e\u0301")}) {
        const std::string before = s;
        EXPECT_FALSE(utf8::sanitize(s)) << before;
        EXPECT_EQ(s, before);
    }
}

TEST(HostileText, SanitizeReplacesBadBytesAndControlCharacters) {
    std::string s = std::string("a\0b", 3) + "\x0c\x1b\x7f" + "\xc2\x85" + "\xff\xfe" + "\xc3" + "z" +
                    "\xed\xa0\x80" /* a surrogate */ + "\xc0\xaf" /* overlong '/' */ + "\xef\xbf\xbe" /* U+FFFE */;
    std::vector<std::string> bytes, controls;
    EXPECT_TRUE(utf8::sanitize(s, &bytes, &controls));
    EXPECT_TRUE(utf8::valid(s));
    const std::string r = "\xef\xbf\xbd";  // U+FFFD
    EXPECT_EQ(s, "a" + r + "b" + r + r + r + r + r + r + r + "z" + r + r + r + r + r + r);
    EXPECT_EQ(bytes, (std::vector<std::string>{"0xFF", "0xFE", "0xC3", "0xED", "0xA0", "0x80", "0xC0", "0xAF"}));
    EXPECT_EQ(controls, (std::vector<std::string>{"U+0000", "U+000C", "U+001B", "U+007F", "U+0085", "U+FFFE"}));
}

TEST(HostileText, WarningsAreOneLinePerFieldAndKind) {
    model::Warnings w;
    w.add("query 'q', column 'c'", model::Warnings::Kind::Control, "U+001B");
    w.add("query 'q', column 'c'", model::Warnings::Kind::Control, "U+001B");
    w.add("query 'q', column 'c'", model::Warnings::Kind::Control, "U+0000");
    w.add("XLSX sheet 'S', column B", model::Warnings::Kind::CellCut, "", 40000);
    model::Warnings other;
    other.add("XLSX sheet 'S', column B", model::Warnings::Kind::CellCut, "", 50000);
    other.add("PDF block 2 (paragraph)", model::Warnings::Kind::NoGlyph, "U+1F600");
    w.merge(other);
    w.merge(other);
    EXPECT_EQ(w.lines(), (std::vector<std::string>{
                             "query 'q', column 'c': control characters (U+001B, U+0000) were replaced by U+FFFD",
                             "XLSX sheet 'S', column B: a text of 50,000 characters was cut to Excel's 32,767 per "
                             "cell, ending with '…'",
                             "PDF block 2 (paragraph): characters no font has (U+1F600) were replaced by U+FFFD",
                         }));
}

model::Column column(const std::string& title) {
    model::Column c;
    c.title = title;
    return c;
}

model::Document emojiDocument() {
    model::Document doc;
    doc.meta.created = 1767225600;
    doc.blocks.push_back({model::Paragraph{{model::Run{"Смайл 😀 и ещё 😀"}}}});
    model::Table t;
    t.columns = {column("Имя")};
    for (int i = 0; i < 3; ++i) t.rows.push_back({text("строка 🎉 " + std::to_string(i))});
    doc.blocks.push_back({t});
    return doc;
}

TEST(HostileText, PdfReplacesWhatNoFontHasAndReportsEachFieldOnce) {
    TempDir dir("hostile-pdf");
    const model::Document doc = emojiDocument();
    pdf::Options options{fs::path(GP_SOURCE_DIR) / "fonts"};
    model::Warnings warnings;
    options.warnings = &warnings;
    pdf::render(doc, dir.path() / "a.pdf", options);
    const std::vector<std::string> lines = warnings.lines();
    ASSERT_EQ(lines.size(), 2u) << ::testing::PrintToString(lines);
    EXPECT_EQ(lines[0], "PDF block 1 (paragraph): characters no font has (U+1F600) were replaced by U+FFFD");
    EXPECT_NE(lines[1].find("PDF block 2 (table"), std::string::npos) << lines[1];
    EXPECT_EQ(lines[1].find("row"), std::string::npos) << lines[1];  // one line for the column, not per row
    const Output text = run("pdftotext " + shellQuote((dir.path() / "a.pdf").string()) + " -", false);
    EXPECT_NE(text.text.find("Смайл \xef\xbf\xbd и ещё \xef\xbf\xbd"), std::string::npos) << text.text;
    // Without a sink it stays an error naming the character.
    try {
        pdf::render(doc, dir.path() / "b.pdf", pdf::Options{fs::path(GP_SOURCE_DIR) / "fonts"});
        ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("U+1F600"), std::string::npos) << e.what();
    }
}

TEST(HostileText, XlsxCutsACellAtExcelsLimitWithAMark) {
    TempDir dir("hostile-xlsx");
    model::Document doc;
    doc.meta.created = 1767225600;
    std::string longText;
    for (int i = 0; i < 20000; ++i) longText += "ю";  // 40,000 bytes, 20,000 characters: fits
    std::string tooLong = longText + longText;      // 40,000 characters
    model::Table t;
    t.sheet = "Т";
    t.columns = {column("A"), column("B")};
    t.rows.push_back({text(longText), text(tooLong)});
    t.rows.push_back({text("короткий"), text(tooLong + "😀")});
    doc.blocks.push_back({t});
    doc.blocks.push_back({model::Paragraph{{model::Run{tooLong, true}, model::Run{" и ещё", false}}}});
    model::Warnings warnings;
    xlsx::Options options;
    options.warnings = &warnings;
    const fs::path path = dir.path() / "a.xlsx";
    xlsx::render(doc, path, options);
    const std::vector<std::string> lines = warnings.lines();
    ASSERT_EQ(lines.size(), 2u) << ::testing::PrintToString(lines);
    EXPECT_EQ(lines[0], "XLSX sheet 'Т', column B: a text of 40,002 characters was cut to Excel's 32,767 per cell, "
                        "ending with '…'");  // the emoji counts two, as in Excel
    EXPECT_NE(lines[1].find("column A: a text of 40,006 characters"), std::string::npos) << lines[1];
    const std::string script =
        "import openpyxl,sys\n"
        "wb = openpyxl.load_workbook(sys.argv[1])\n"
        "ws = wb['Т']\n"
        "assert len(ws['A2'].value) == 20000, len(ws['A2'].value)\n"
        "for c in ('B2', 'B3'):\n"
        "    v = ws[c].value\n"
        "    assert len(v) == 32767 and v.endswith('ю…'), (c, len(v), v[-3:])\n"
        "long = [str(c.value) for row in wb.worksheets[0].iter_rows() for c in row if c.value and len(str(c.value)) > 30000]\n"
        "assert len(long) == 1 and len(long[0]) == 32767 and long[0].endswith('ю…'), [(len(v), v[-3:]) for v in long]\n";
    const std::string python = pythonWithOpenpyxl();
    ASSERT_FALSE(python.empty()) << "no python3 with openpyxl found (set GP_PYTHON)";
    const Output out = run(shellQuote(python) + " -c " + shellQuote(script) + " " + shellQuote(path.string()), true);
    EXPECT_EQ(out.status, 0) << out.text;
}

}  // namespace
}  // namespace gp
