// formula="true" columns end to end: a budget template (a plain, a grouped and a streamed
// table) filled from SQLite, written as XLSX and read back by openpyxl (the formula of every
// row, its cached value and number format: check_xlsx_formulas.py) and by LibreOffice, which
// recalculates the formulas and must arrive at the engine's values (check_xlsx_libreoffice.py);
// the PDF still shows the values.
#include <gtest/gtest.h>

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "data/source.h"
#include "model/document.h"
#include "pdf/pdf_renderer.h"
#include "support.h"
#include "template/fill.h"
#include "template/template.h"
#include "xlsx/xlsx_renderer.h"

namespace fs = std::filesystem;
using namespace gp;
using gp::test::runScript;
using gp::test::TempDir;

namespace {

std::string sh(const std::string& s) { return gp::test::shellQuote(s); }

// Line 4 has no quantity: its cost per unit divides by zero (NULL, an empty cell).
const char* kBudget = R"(
CREATE TABLE lines (line_no INTEGER PRIMARY KEY, category TEXT, item TEXT, quantity NUMERIC(12,2),
                    unit_price NUMERIC(15,2), spent NUMERIC(15,2));
INSERT INTO lines VALUES
  (1, 'Оплата труда', 'Бухгалтер', 12, 45000.00, 540000.00),
  (2, 'Оплата труда', 'Юрист', 6, 30000.50, 90000.00),
  (3, 'Оборудование', 'Ноутбук', 2, 85999.99, 171999.98),
  (4, 'Оборудование', 'Проектор', 0, 55000.00, 0.00),
  (5, 'Услуги', 'Аренда', 2.5, 1000.10, 500.00);
)";

const char* kTemplate = R"(<report title="Смета">
<query name="budget">SELECT * FROM lines ORDER BY line_no</query>
<table rows="budget" sheet="Смета" totals="sum">
  <column title="№" total="none">{line_no}</column>
  <column title="Статья">{item}</column>
  <column title="Кол-во" total="none">{quantity | number(0)}</column>
  <column title="Цена, ₽" total="none">{budget.unit_price | money("")}</column>
  <column title="Сумма, ₽" formula="true">{quantity * unit_price | money("")}</column>
  <column title="Израсходовано">{spent | money}</column>
  <column title="На единицу" formula="true" total="none">{spent / quantity | money | default("—")}</column>
</table>
<table rows="budget" sheet="По статьям" group="category" totals="sum">
  <column title="Статья">{item}</column>
  <column title="Кол-во" total="none">{quantity}</column>
  <column title="Цена" total="none">{unit_price | money}</column>
  <column title="Сумма" formula="true">{quantity * unit_price | money}</column>
  <column title="Израсходовано">{spent | money}</column>
  <column title="Остаток" formula="true">{quantity * unit_price - (spent + 0.5) | money}</column>
</table>
<table rows="budget" sheet="Поток" stream="true" totals="sum">
  <column title="Кол-во" total="none">{quantity}</column>
  <column title="Цена" total="none">{unit_price | money}</column>
  <column title="Сумма, округлённо" formula="true">{quantity * unit_price | integer}</column>
  <column title="Израсходовано">{spent | money}</column>
  <column title="На единицу" formula="true">{spent / quantity | money}</column>
</table>
</report>
)";

struct Rendered {
    fs::path xlsx, pdf;
};

// The template filled from a fresh SQLite database and written as XLSX and PDF in `dir`.
Rendered render(const fs::path& dir) {
    const fs::path db = dir / "budget.db";
    {
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::Session s("SQLite", db.string());
        s << kBudget, Poco::Data::Keywords::now;
    }
    const fs::path file = dir / "budget.xml";
    std::ofstream(file, std::ios::binary) << kTemplate;
    const tmpl::Template t = tmpl::loadTemplate(file);
    data::SourceConfig source;
    source.name = "budget";
    source.kind = "sqlite";
    source.path = db.string();
    auto session = std::make_shared<data::Session>(source);
    tmpl::FillOptions options;
    options.created = 1767225600;
    const model::Document doc = tmpl::fill(t, session, tmpl::bindParams(t, {}), options);
    Rendered out{dir / "смета.xlsx", dir / "смета.pdf"};
    xlsx::render(doc, out.xlsx);
    pdf::render(doc, out.pdf, {fs::path(GP_SOURCE_DIR) / "fonts"});
    return out;
}

const std::string kMoney = "#,##0.00\\ \"₽\"";

}  // namespace

TEST(XlsxFormula, EveryRowHasItsFormulaWithTheEngineValueCached) {
    TempDir dir{"gp-xlsx-formula"};
    const Rendered files = render(dir.path());

    std::map<std::string, std::string> cells;  // "Смета!E2" -> its JSON spec
    auto expect = [&](const std::string& cell, const std::string& formula, const std::string& cached,
                      const std::string& format) {
        std::string formulaJson;
        for (char ch : formula) formulaJson += ch == '"' ? std::string("\\\"") : std::string(1, ch);
        std::string formatJson;
        for (char ch : format) formatJson += ch == '"' || ch == '\\' ? std::string("\\") + ch : std::string(1, ch);
        cells[cell] = "{\"formula\": \"" + formulaJson + "\", \"cached\": \"" + cached + "\", \"format\": \"" +
                      formatJson + "\"}";
    };
    // Смета: header in row 1, data in rows 2..6, totals in row 7.
    const std::string perUnit[] = {"45000", "15000", "85999.99", "", "200"};
    const std::string cost[] = {"540000", "180003", "171999.98", "0", "2500.25"};
    for (int i = 0; i < 5; ++i) {
        const std::string r = std::to_string(i + 2);
        expect("Смета!E" + r, "=C" + r + "*D" + r, cost[i], "#,##0.00");
        expect("Смета!G" + r, "=IFERROR(F" + r + "/C" + r + ",\"\")", perUnit[i], kMoney);
    }
    expect("Смета!E7", "=SUM(E2:E6)", "894503.23", "#,##0.00");
    // По статьям: each group a header row, its rows and a subtotal row.
    const std::string left[] = {"-0.5", "90002.5", "-0.5", "-0.5", "1999.75"};
    const int rowOf[] = {3, 4, 7, 8, 11};
    for (int i = 0; i < 5; ++i) {
        const std::string r = std::to_string(rowOf[i]);
        expect("По статьям!D" + r, "=B" + r + "*C" + r, cost[i], kMoney);
        expect("По статьям!F" + r, "=B" + r + "*C" + r + "-(E" + r + "+0.5)", left[i], kMoney);
    }
    expect("По статьям!D5", "=SUBTOTAL(9,D3:D4)", "720003", kMoney);
    expect("По статьям!F9", "=SUBTOTAL(9,F7:F8)", "-1", kMoney);
    expect("По статьям!D13", "=SUBTOTAL(9,D2:D12)", "894503.23", kMoney);
    // Поток: streamed (a constant-memory workbook); the integer filter rounds, so does the formula.
    const std::string rounded[] = {"540000", "180003", "172000", "0", "2500"};
    for (int i = 0; i < 5; ++i) {
        const std::string r = std::to_string(i + 2);
        expect("Поток!C" + r, "=ROUND(A" + r + "*B" + r + ",0)", rounded[i], "0");
        expect("Поток!E" + r, "=IFERROR(D" + r + "/A" + r + ",\"\")", perUnit[i], kMoney);
    }
    expect("Поток!E7", "=SUM(E2:E6)", "146199.99", kMoney);
    std::string json = "{";
    for (const auto& [cell, spec] : cells) json += (json.size() > 1 ? ",\n\"" : "\"") + cell + "\": " + spec;
    json += "}";
    const fs::path specFile = dir.path() / "expected.json";
    std::ofstream(specFile, std::ios::binary) << json;
    EXPECT_EQ(runScript("check_xlsx_formulas.py", sh(files.xlsx.string()) + " " + sh(specFile.string())), 0);
}

TEST(XlsxFormula, LibreOfficeRecalculatesTheEngineValues) {
    if (std::system("command -v soffice >/dev/null 2>&1") != 0) GTEST_SKIP() << "LibreOffice (soffice) not installed";
    TempDir dir{"gp-xlsx-formula"};
    const Rendered files = render(dir.path());
    // As stored and recalculated, every formula cell shows the engine's value: the empty cell
    // of the division by zero included.
    const std::vector<std::string> expected = {
        "Смета!E2=540000", "Смета!E3=180003", "Смета!E4=171999.98", "Смета!E5=0", "Смета!E6=2500.25",
        "Смета!E7=894503.23", "Смета!G2=45000", "Смета!G3=15000", "Смета!G4=85999.99", "Смета!G5=",
        "Смета!G6=200", "По статьям!D3=540000", "По статьям!D4=180003", "По статьям!D5=720003",
        "По статьям!D7=171999.98", "По статьям!D8=0", "По статьям!D11=2500.25", "По статьям!D13=894503.23",
        "По статьям!F3=-0.5", "По статьям!F4=90002.5", "По статьям!F9=-1", "По статьям!F11=1999.75",
        "По статьям!F13=92000.75", "Поток!C2=540000", "Поток!C4=172000", "Поток!C5=0", "Поток!C6=2500",
        "Поток!C7=894503", "Поток!E2=45000", "Поток!E5=", "Поток!E7=146199.99"};
    std::string args;
    for (const std::string& cell : expected) args += " " + sh(cell);
    EXPECT_EQ(runScript("check_xlsx_libreoffice.py", sh(files.xlsx.string()) + " " + sh(dir.path().string()) + args),
              0);
}

TEST(XlsxFormula, PdfShowsTheValues) {
    if (gp::test::run("pdftotext -v", true).status != 0) GTEST_SKIP() << "pdftotext not installed";
    TempDir dir{"gp-xlsx-formula"};
    const Rendered files = render(dir.path());
    const std::string text = gp::test::run("pdftotext -layout -enc UTF-8 " + sh(files.pdf.string()) + " -", false).text;
    for (const char* shown : {"540 000,00", "171 999,98", "2 500,25", "85 999,99 ₽", "—", "894 503,23", "172 000"})
        EXPECT_NE(text.find(shown), std::string::npos) << shown << " not in:\n" << text;
}

TEST(XlsxFormula, AFormulaOverAMissingColumnIsARenderError) {
    TempDir dir{"gp-xlsx-formula"};
    model::Table table;
    table.columns.resize(2);
    table.columns[1].formula = "[0]*[2]";  // the table has no column 2
    table.rows = {{model::Cell{Value(std::int64_t{1}), model::Format::Integer, 0, "1"}, model::Cell{}}};
    model::Document doc;
    doc.blocks.push_back({table});
    try {
        xlsx::render(doc, dir.path() / "broken.xlsx");
        ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Render);
        EXPECT_NE(std::string(e.what()).find("column 2 is not in the table"), std::string::npos) << e.what();
    }
}
