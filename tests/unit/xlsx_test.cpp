#include <gtest/gtest.h>

#include "support.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <unistd.h>

#include "core/error.h"
#include "core/utf8.h"
#include "core/value.h"
#include "model/document.h"
#include "xlsx/measure.h"
#include "xlsx/sheet.h"
#include "xlsx/xlsx_renderer.h"

namespace fs = std::filesystem;
using namespace gp;
using namespace gp::model;

namespace {

using gp::test::pythonWithOpenpyxl;
using gp::test::readFile;
using gp::test::TempDir;
std::string quoted(const std::string& s) { return gp::test::shellQuote(s); }

using gp::test::cell;
using gp::test::integer;
using gp::test::text;

Cell money(const char* amount, std::string shown) { return cell(*Decimal::parse(amount), Format::Money, std::move(shown)); }

Column column(std::string title, Format format, Aggregate total = Aggregate::None, Align align = Align::Left) {
    Column c;
    c.title = std::move(title);
    c.format = format;
    c.total = total;
    c.align = align;
    return c;
}

// The document check_xlsx.py expects: keep the two in step.
Document grantDocument() {
    Document doc;
    doc.meta.title = "Заявка на грант «Цифровая школа»";
    doc.meta.subject = "Заявка";
    doc.meta.author = "Иванов Иван Иванович";
    doc.meta.keywords = "грант, заявка";
    doc.meta.created = 1640995200;  // 2022-01-01T00:00:00Z
    doc.sheet = "Сведения";

    doc.blocks.push_back({Title{"Заявка на получение гранта", "Проект «Цифровая школа»"}});
    doc.blocks.push_back({Heading{1, "1. Общие сведения", {}}});
    doc.blocks.push_back({plainParagraph(
        "Проект направлен на создание цифровой образовательной среды в сельских школах региона: "
        "закупку оборудования, обучение учителей, разработку методических материалов и организацию "
        "дистанционных занятий для учащихся из отдалённых населённых пунктов. Результаты проекта будут "
        "доступны всем школам региона на безвозмездной основе.")});

    FieldList fields;
    fields.fields.push_back({"Запрашиваемая сумма", money("2691000.00", "2 691 000,00 ₽")});
    fields.fields.push_back({"Собственные средства", money("150000.00", "150 000,00 руб.")});
    fields.fields.push_back({"Без знака валюты", money("1000.00", "1 000,00")});
    fields.fields.push_back({"Дата начала", cell(*Date::parse("2022-01-01"), Format::Date, "01.01.2022")});
    fields.fields.push_back({"Количество участников", integer(2200)});
    fields.fields.push_back({"Софинансирование", cell(true, Format::Boolean, "Да")});
    fields.fields.push_back({"Примечание", cell(Null{}, Format::Text, "")});
    fields.fields.push_back({"Доля софинансирования", cell(*Decimal::parse("0.25"), Format::Percent, "25,0 %", 1)});
    std::string longText;
    for (int i = 0; i < 8; ++i) longText += "Длинное описание проекта, которое не помещается в одну строку. ";
    fields.fields.push_back({"Описание проекта", text(longText)});
    doc.blocks.push_back({fields});

    doc.blocks.push_back({plainParagraph("Только для PDF: этот абзац в книгу не попадает."), Target::PdfOnly});
    doc.blocks.push_back({plainParagraph("Этот абзац только для XLSX."), Target::XlsxOnly});
    doc.blocks.push_back({PageBreak{}});

    Table budget;
    budget.sheet = "Бюджет";
    budget.caption = "Смета расходов проекта";
    budget.columns = {column("№", Format::Integer, Aggregate::None, Align::Center),
                      column("Статья расходов", Format::Text),
                      column("Количество", Format::Integer, Aggregate::Sum, Align::Right),
                      column("Цена, руб.", Format::Money, Aggregate::None, Align::Right),
                      column("Сумма, руб.", Format::Money, Aggregate::Sum, Align::Right)};
    struct Line {
        const char* item;
        int qty;
        const char* price;
        const char* priceText;
        const char* amount;
        const char* amountText;
    };
    const Line lines[] = {
        {"Оплата труда", 12, "45000.50", "45 000,50 ₽", "540006.00", "540 006,00 ₽"},
        {"Аренда помещения", 6, "30000.33", "30 000,33 ₽", "180001.98", "180 001,98 ₽"},
        {"Оборудование", 4, "125999.99", "125 999,99 ₽", "503999.96", "503 999,96 ₽"},
        {"Расходные материалы", 1, "15234.56", "15 234,56 ₽", "15234.56", "15 234,56 ₽"},
        {"Командировки", 3, "7100.07", "7 100,07 ₽", "21300.21", "21 300,21 ₽"},
    };
    Decimal total;
    int n = 0;
    for (const Line& l : lines) {
        budget.rows.push_back({integer(++n), text(l.item), integer(l.qty), money(l.price, l.priceText),
                               money(l.amount, l.amountText)});
        total += *Decimal::parse(l.amount);
    }
    EXPECT_EQ(total.toString(2), "1260542.71");
    budget.totals = {text("Итого"), text(""), integer(26), text(""), cell(total, Format::Money, "1 260 542,71 ₽")};
    doc.blocks.push_back({budget});

    Table indicators;  // a sheet of its own, named with characters Excel forbids
    indicators.caption = "Показатели: план/факт [2022] — результаты проекта *итог*";
    indicators.sheet = indicators.caption;
    indicators.columns = {column("Показатель", Format::Text), column("Значение", Format::Number)};
    indicators.rows.push_back({text("Охват учащихся"), cell(1234.5, Format::Number, "1 234,50")});
    doc.blocks.push_back({indicators});

    Table empty;  // same name as the budget sheet but for case: must become unique
    empty.sheet = "бюджет";
    for (int i = 1; i <= 9; ++i) empty.columns.push_back(column("Показатель " + std::to_string(i), Format::Text));
    empty.emptyText = "Нет данных";
    doc.blocks.push_back({empty});

    Table unnamed;  // no sheet: it goes down the running sheet, after the lines pointing to the others
    unnamed.columns = {column("Месяц", Format::Text), column("Дата", Format::Date, Aggregate::Max)};
    unnamed.rows.push_back({text("Январь"), cell(*Date::parse("2022-01-31"), Format::Date, "31.01.2022")});
    unnamed.totals = {text("Последняя"), cell(*Date::parse("2022-01-31"), Format::Date, "31.01.2022")};
    doc.blocks.push_back({unnamed});

    Table pdfOnly;
    pdfOnly.sheet = "Только для PDF";
    pdfOnly.columns = {column("Только для PDF", Format::Text)};
    doc.blocks.push_back({pdfOnly, Target::PdfOnly});
    return doc;
}

}  // namespace

TEST(XlsxRender, WorkbookReadsBack) {
    TempDir dir{"gp-xlsx"};
    const fs::path file = dir.path() / "заявка.xlsx";
    xlsx::render(grantDocument(), file);
    ASSERT_TRUE(fs::exists(file));

    const std::string python = pythonWithOpenpyxl();
    ASSERT_FALSE(python.empty()) << "no python3 with openpyxl found (set GP_PYTHON)";
    const std::string script = std::string(GP_SOURCE_DIR) + "/tests/unit/check_xlsx.py";
    const std::string command = quoted(python) + " " + quoted(script) + " " + quoted(file.string());
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

TEST(XlsxRender, SameDocumentGivesSameBytes) {
    TempDir dir{"gp-xlsx"};
    const Document doc = grantDocument();
    xlsx::render(doc, dir.path() / "a.xlsx");
    // Anything stamped with the clock (seconds) would now differ.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    xlsx::render(doc, dir.path() / "b.xlsx", xlsx::Options{dir.path()});
    const std::string a = readFile(dir.path() / "a.xlsx");
    const std::string b = readFile(dir.path() / "b.xlsx");
    ASSERT_GT(a.size(), 1000u);
    EXPECT_TRUE(a == b) << "two renders of one document differ";

    Document bare;  // created = 0 must not mean "now" either
    xlsx::render(bare, dir.path() / "c.xlsx");
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    xlsx::render(bare, dir.path() / "d.xlsx");
    EXPECT_TRUE(readFile(dir.path() / "c.xlsx") == readFile(dir.path() / "d.xlsx"));
}

TEST(XlsxRender, OverwritesAnExistingFile) {
    TempDir dir{"gp-xlsx"};
    const fs::path file = dir.path() / "out.xlsx";
    std::ofstream(file) << "old content";
    xlsx::render(grantDocument(), file);
    EXPECT_EQ(readFile(file).substr(0, 2), "PK");
}

TEST(XlsxRender, MissingFolderIsAnErrorNamingThePath) {
    TempDir dir{"gp-xlsx"};
    const fs::path file = dir.path() / "нет такой папки" / "out.xlsx";
    try {
        xlsx::render(grantDocument(), file);
        FAIL() << "no error";
    } catch (const gp::Error& e) {
        EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(file));
}

TEST(XlsxRender, MissingTmpdirIsAnError) {
    TempDir dir{"gp-xlsx"};
    const fs::path tmp = dir.path() / "no-tmp";
    try {
        xlsx::render(grantDocument(), dir.path() / "out.xlsx", xlsx::Options{tmp});
        FAIL() << "no error";
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Render);
        EXPECT_NE(std::string(e.what()).find(tmp.string()), std::string::npos) << e.what();
    }
}

TEST(XlsxRender, FailedRenderLeavesExistingFileAlone) {
    TempDir dir{"gp-xlsx"};
    const fs::path file = dir.path() / "out.xlsx";
    std::ofstream(file) << "old content";
    Document doc = grantDocument();
    Table broken;
    broken.sheet = "Сломанная";
    broken.columns = {column("А", Format::Text), column("Б", Format::Text)};
    broken.rows.push_back({text("только одна ячейка")});
    doc.blocks.push_back({broken});
    try {
        xlsx::render(doc, file);
        FAIL() << "no error";
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Render);
        EXPECT_NE(std::string(e.what()).find("Сломанная"), std::string::npos) << e.what();
    }
    EXPECT_EQ(readFile(file), "old content");
}

// Was an error; now the text is cut to Excel's 32,767 characters, ending with '…', and
// reported (more: HostileText.XlsxCutsACellAtExcelsLimitWithAMark).
TEST(XlsxRender, TooLongTextIsCutWithAMarkAndReported) {
    TempDir dir{"gp-xlsx"};
    Document doc;
    doc.blocks.push_back({plainParagraph(std::string(40000, 'x'))});
    model::Warnings warnings;
    xlsx::Options options;
    options.warnings = &warnings;
    xlsx::render(doc, dir.path() / "out.xlsx", options);
    ASSERT_EQ(warnings.lines().size(), 1u);
    EXPECT_NE(warnings.lines()[0].find("column A: a text of 40,000 characters was cut"), std::string::npos)
        << warnings.lines()[0];
}

TEST(XlsxSheetName, KeepsValidNames) {
    EXPECT_EQ(xlsx::sheetName("Бюджет", {}), "Бюджет");
    EXPECT_EQ(xlsx::sheetName("Смета 2022", {"Сведения"}), "Смета 2022");
}

TEST(XlsxSheetName, ReplacesForbiddenCharacters) {
    // A dash where Excel forbids a character, with a space before it where one follows.
    EXPECT_EQ(xlsx::sheetName("График: показатели", {}), "График - показатели");
    EXPECT_EQ(xlsx::sheetName("Итоги 2022/2023", {}), "Итоги 2022-2023");
    EXPECT_EQ(xlsx::sheetName("План/факт: [2022] *?\\", {}), "План-факт - -2022 - ---");
    EXPECT_EQ(xlsx::sheetName("Строка\nвторая\tтретья", {}), "Строка вторая третья");
    EXPECT_EQ(xlsx::sheetName("'Цитата'", {}), "Цитата");
    EXPECT_EQ(xlsx::sheetName("", {}), "Лист");
    EXPECT_EQ(xlsx::sheetName("  '' ", {}), "Лист");
    EXPECT_EQ(xlsx::sheetName("History", {}), "History (2)");
}

TEST(XlsxSheetName, ShortensToThirtyOneCharacters) {
    const std::string wanted = "Смета расходов на реализацию проекта в 2022 году";
    const std::string name = xlsx::sheetName(wanted, {});
    EXPECT_EQ(utf8::length(name), 31u);
    EXPECT_EQ(name, "Смета расходов на реализацию пр");
    // Cut before a space: the trailing space goes too.
    EXPECT_EQ(xlsx::sheetName("Показатели: план/факт [2022] — результаты", {}), "Показатели - план-факт -2022 -");
    // Characters outside the BMP take two UTF-16 units in Excel's count.
    const std::string emoji = xlsx::sheetName(std::string(30, 'a') + "\U0001F600", {});
    EXPECT_EQ(emoji, std::string(30, 'a'));
}

TEST(XlsxSheetName, MakesDuplicatesUnique) {
    EXPECT_EQ(xlsx::sheetName("Бюджет", {"Бюджет"}), "Бюджет (2)");
    EXPECT_EQ(xlsx::sheetName("бюджет", {"БЮДЖЕТ", "Бюджет (2)"}), "бюджет (3)");
    const std::string wanted = "Смета расходов на реализацию проекта в 2022 году";
    const std::string first = xlsx::sheetName(wanted, {});
    const std::string second = xlsx::sheetName(wanted, {first});
    EXPECT_EQ(second, "Смета расходов на реализаци (2)");
    EXPECT_LE(utf8::length(second), 31u);
    std::vector<std::string> taken;
    for (int i = 0; i < 12; ++i) taken.push_back(xlsx::sheetName(wanted, taken));
    EXPECT_EQ(taken.back(), "Смета расходов на реализац (12)");
    for (const std::string& t : taken) EXPECT_LE(utf8::length(t), 31u) << t;
}

TEST(XlsxMeasure, WrapsLikeAWordProcessor) {
    using xlsx::measure::wrappedLines;
    EXPECT_EQ(wrappedLines("", 10, false), 1);
    EXPECT_EQ(wrappedLines("короткий", 10, false), 1);
    // "один два" is 7.71 units wide (Calibri's letters against its '0'), "один два три" 11.03.
    EXPECT_EQ(wrappedLines("один два три", 9, false), 2);   // "один два" | "три"
    EXPECT_EQ(wrappedLines("один два три", 6, false), 3);   // "один" | "два" | "три"
    EXPECT_EQ(wrappedLines("абвгдежзийклмн", 5, false), 3);  // a long word (14.35 units) is split
    EXPECT_EQ(wrappedLines("строка\nстрока", 40, false), 2);
}

TEST(XlsxMeasure, WidthsComeFromTheFontsMetrics) {
    using xlsx::measure::textWidth;
    using xlsx::measure::wrappedLines;
    EXPECT_DOUBLE_EQ(textWidth("0000", false), 4.0);  // the unit is the width of '0'
    // Narrow and wide letters differ: a width per character count would make them equal.
    EXPECT_LT(textWidth("иииии", false), textWidth("шшшшш", false));
    EXPECT_NEAR(textWidth("iiiii", false), 5 * 0.45, 1e-9);
    EXPECT_NEAR(textWidth("ШШШШШ", false), 5 * 1.71, 1e-9);
    EXPECT_GT(textWidth("Итого", true), textWidth("Итого", false));  // bold is wider
    EXPECT_NEAR(textWidth("ab\nабвгд", false), textWidth("абвгд", false), 1e-9);  // the widest line
    EXPECT_NEAR(xlsx::measure::longestWord("Сумма, руб.", false), textWidth("Сумма,", false), 1e-9);
    // Text fits the column it asked for, on one line.
    const double w = xlsx::measure::widthFor(textWidth("Запрашиваемая сумма", true));
    EXPECT_EQ(wrappedLines("Запрашиваемая сумма", xlsx::measure::textSpace(w), true), 1);
    EXPECT_EQ(wrappedLines("Запрашиваемая сумма", xlsx::measure::textSpace(w) - 0.5, true), 2);
}

TEST(XlsxPrint, WideSheetsTurnAndShrinkOnlyToAReadableScale) {
    using gp::xlsx::detail::printFit;
    model::Document doc;  // A4 portrait, margins 25 + 15 mm: 170 mm wide, 257 mm in landscape
    const auto px = [](double mm) { return static_cast<int>(mm * 96 / 25.4); };
    // Fits portrait: portrait, no shrinking.
    auto fit = printFit(px(150), doc, false);
    EXPECT_FALSE(fit.landscape);
    EXPECT_DOUBLE_EQ(fit.scale, 1.0);
    // A little too wide (shrunk to 90%): stays portrait, like the PDF's pages.
    fit = printFit(px(195), doc, false);
    EXPECT_FALSE(fit.landscape);
    EXPECT_NEAR(fit.scale, 170.0 / 195, 0.01);
    // Much too wide for portrait: landscape, where it fits whole.
    fit = printFit(px(250), doc, false);
    EXPECT_TRUE(fit.landscape);
    EXPECT_DOUBLE_EQ(fit.scale, 1.0);
    // A registry of 500 mm: one landscape page wide would shrink it to 51%, under
    // kMinPrintScale: it is fitted to two pages across (about 100%), never squeezed to 45%.
    fit = printFit(px(500), doc, false);
    EXPECT_TRUE(fit.landscape);
    EXPECT_LT(fit.scale, gp::xlsx::detail::kMinPrintScale);
    EXPECT_EQ(fit.pagesWide, 2);
    EXPECT_EQ(printFit(px(1000), doc, false).pagesWide, 3);  // 257 mm a page at 70%: 367 mm, 3 pages
    EXPECT_EQ(printFit(px(250), doc, false).pagesWide, 1);
    // A landscape document stays landscape.
    EXPECT_TRUE(printFit(px(100), doc, true).landscape);
}
