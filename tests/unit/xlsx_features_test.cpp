// The XLSX renderer's newer parts: rich paragraphs, sheets started by headings, grouped
// tables with SUBTOTAL rows and outline levels, images, native charts, signatures, and
// streamed tables written in constant-memory mode. The workbooks are read back by
// check_xlsx_features.py (openpyxl and the package's XML) and, when LibreOffice is
// installed, by check_xlsx_libreoffice.py.
#include <gtest/gtest.h>

#include "support.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>

#include "core/error.h"
#include "core/value.h"
#include "model/document.h"
#include "xlsx/image_info.h"
#include "xlsx/xlsx_renderer.h"

namespace fs = std::filesystem;
using namespace gp;
using namespace gp::model;

namespace {

using gp::test::pythonWithOpenpyxl;
using gp::test::readFile;
using gp::test::runScript;
using gp::test::TempDir;
std::string quoted(const std::string& s) { return gp::test::shellQuote(s); }

// ----- helpers ---------------------------------------------------------------------------

void writeFile(const fs::path& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary);
    out << data;
}

std::string be32(std::uint32_t v) {
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::uint32_t crc32(const std::string& data) {
    std::uint32_t crc = 0xFFFFFFFFu;
    for (unsigned char byte : data) {
        crc ^= byte;
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

std::string chunk(const std::string& type, const std::string& data) {
    return be32(static_cast<std::uint32_t>(data.size())) + type + data + be32(crc32(type + data));
}

// A valid RGB PNG of `width` x `height` pixels (stored, uncompressed deflate), with a pHYs
// chunk saying `dpi` unless dpi is 0.
std::string png(std::uint32_t width, std::uint32_t height, double dpi) {
    std::string raw;
    for (std::uint32_t y = 0; y < height; ++y) {
        raw += '\0';  // filter: none
        for (std::uint32_t x = 0; x < width; ++x) raw += std::string{'\x30', static_cast<char>(x), '\x90'};
    }
    std::string z = "\x78\x01";
    std::uint32_t a = 1, b = 0;
    for (unsigned char c : raw) {
        a = (a + c) % 65521;
        b = (b + a) % 65521;
    }
    for (std::size_t at = 0; at < raw.size() || at == 0; at += 65535) {
        const std::size_t n = std::min<std::size_t>(65535, raw.size() - at);
        const bool last = at + n >= raw.size();
        z += static_cast<char>(last ? 1 : 0);
        z += static_cast<char>(n & 0xFF);
        z += static_cast<char>(n >> 8);
        z += static_cast<char>(~n & 0xFF);
        z += static_cast<char>((~n >> 8) & 0xFF);
        z += raw.substr(at, n);
        if (last) break;
    }
    z += be32((b << 16) | a);
    std::string ihdr = be32(width) + be32(height) + std::string("\x08\x02\x00\x00\x00", 5);
    std::string out("\x89PNG\r\n\x1a\n", 8);
    out += chunk("IHDR", ihdr);
    if (dpi > 0) {
        const auto ppm = static_cast<std::uint32_t>(dpi / 0.0254 + 0.5);
        out += chunk("pHYs", be32(ppm) + be32(ppm) + std::string(1, '\x01'));
    }
    out += chunk("IDAT", z);
    out += chunk("IEND", "");
    return out;
}

// A 30 x 20 JPEG saying 150 dpi (JFIF), made once with Pillow.
const std::string& jpeg() {
    static const std::string data(
        "\xff\xd8\xff\xe0\x00\x10\x4a\x46\x49\x46\x00\x01\x01\x01\x00\x96\x00\x96\x00\x00\xff\xdb\x00\x43\x00\x1b"
        "\x12\x14\x17\x14\x11\x1b\x17\x16\x17\x1e\x1c\x1b\x20\x28\x42\x2b\x28\x25\x25\x28\x51\x3a\x3d\x30\x42\x60"
        "\x55\x65\x64\x5f\x55\x5d\x5b\x6a\x78\x99\x81\x6a\x71\x90\x73\x5b\x5d\x85\xb5\x86\x90\x9e\xa3\xab\xad\xab"
        "\x67\x80\xbc\xc9\xba\xa6\xc7\x99\xa8\xab\xa4\xff\xdb\x00\x43\x01\x1c\x1e\x1e\x28\x23\x28\x4e\x2b\x2b\x4e"
        "\xa4\x6e\x5d\x6e\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4"
        "\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4"
        "\xa4\xa4\xff\xc0\x00\x11\x08\x00\x14\x00\x1e\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xff\xc4\x00\x15\x00"
        "\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\xff\xc4\x00\x14\x10\x01\x00\x00"
        "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xc4\x00\x16\x01\x01\x01\x01\x00\x00\x00\x00"
        "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x05\xff\xc4\x00\x14\x11\x01\x00\x00\x00\x00\x00\x00\x00\x00"
        "\x00\x00\x00\x00\x00\x00\x00\x00\xff\xda\x00\x0c\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00\x84\x04\xed\x80"
        "\x00\x00\x00\x00\x7f\xff\xd9",
        293);
    return data;
}

using gp::test::cell;
using gp::test::integer;
using gp::test::text;


// "1 234 567,89 ₽" for 1234567.89: the engine's Russian money text.
std::string moneyText(Decimal d) {
    std::string plain = d.toString(2);
    std::string sign;
    if (plain[0] == '-') {
        sign = "-";
        plain.erase(0, 1);
    }
    const std::size_t dot = plain.find('.');
    std::string whole = plain.substr(0, dot), grouped;
    for (std::size_t i = 0; i < whole.size(); ++i) {
        if (i > 0 && (whole.size() - i) % 3 == 0) grouped += "\u00A0";
        grouped += whole[i];
    }
    return sign + grouped + "," + plain.substr(dot + 1) + " ₽";
}

Cell money(Decimal d) { return cell(d, Format::Money, moneyText(d)); }
Cell money(const char* amount) { return money(*Decimal::parse(amount)); }

Column column(std::string title, Format format, Aggregate total = Aggregate::None, Align align = Align::Left) {
    Column c;
    c.title = std::move(title);
    c.format = format;
    c.total = total;
    c.align = align;
    return c;
}

Paragraph runs(std::vector<Run> r) { return Paragraph{std::move(r)}; }

// ----- the streamed registry -------------------------------------------------------------

// Rows made on the fly, never held: a registry of `rows` projects. Row i's description grows
// past the first 1,000 rows (the measured ones) to show the widths come from those.
class Registry : public RowSource {
public:
    explicit Registry(std::size_t rows) : rows_(rows) {}
    std::unique_ptr<RowCursor> open() const override {
        ++opened;
        return std::make_unique<Cursor>(rows_);
    }
    mutable int opened = 0;

    static Decimal amount(std::size_t i) { return Decimal::fromUnits(static_cast<std::int64_t>(100000000 + i * 3700)); }

private:
    class Cursor : public RowCursor {
    public:
        explicit Cursor(std::size_t rows) : rows_(rows) {}
        bool next(std::vector<Cell>& row) override {
            if (i_ == rows_) return false;
            ++i_;
            const Decimal a = amount(i_);
            sum_ += a;
            row.clear();
            row.push_back(integer(static_cast<std::int64_t>(i_)));
            row.push_back(text("Проект № " + std::to_string(i_)));
            row.push_back(text(i_ % 3 == 0 ? "Москва" : i_ % 3 == 1 ? "Республика Татарстан" : "Пермский край"));
            row.push_back(money(a));
            Date d{2022, 1 + static_cast<int>(i_ % 12), 1 + static_cast<int>(i_ % 28)};
            row.push_back(cell(d, Format::Date, ""));
            row.push_back(text(std::string(i_ > 1000 ? 300 : 40, 'x')));
            return true;
        }
        std::vector<Cell> totals() const override {
            return {text("Итого"), text(""), text(""), money(sum_), text(""), text("")};
        }

    private:
        std::size_t rows_;
        std::size_t i_ = 0;
        Decimal sum_;
    };

    std::size_t rows_;
};

Table registryTable(std::shared_ptr<const RowSource> source) {
    Table t;
    t.sheet = "Реестр";
    t.caption = "Реестр проектов";
    t.columns = {column("№", Format::Integer, Aggregate::None, Align::Center), column("Проект", Format::Text),
                 column("Регион", Format::Text), column("Сумма, руб.", Format::Money, Aggregate::Sum, Align::Right),
                 column("Дата", Format::Date), column("Описание", Format::Text)};
    t.stream = std::move(source);
    return t;
}

// ----- the document check_xlsx_features.py expects: keep the two in step ------------------

struct Files {
    fs::path png;
    fs::path jpeg;
};

Files pictures(const fs::path& dir) {
    Files f{dir / "логотип.png", dir / "печать.jpg"};
    writeFile(f.png, png(200, 100, 150));
    writeFile(f.jpeg, jpeg());
    return f;
}

Series series(std::string name, std::vector<Value> values) { return Series{std::move(name), std::move(values)}; }

Document featuresDocument(const Files& files) {
    Document doc;
    doc.meta.title = "Отчёт о реализации проекта";
    doc.meta.author = "Иванов Иван Иванович";
    doc.meta.created = 1640995200;
    doc.header = "Отчёт & приложения";
    doc.sheet = "Сведения";

    doc.blocks.push_back({Title{"Отчёт о реализации проекта", "Грант № 22-1-001"}});
    doc.blocks.push_back({runs({{"Проект ", false, false},
                                {"выполнен", true, false},
                                {" в срок, ", false, false},
                                {"без отклонений", false, true},
                                {".", false, false}})});
    doc.blocks.push_back({runs({{"Весь абзац ", true, false}, {"жирный", true, false}})});
    FieldList fields;
    fields.fields.push_back({"Сумма гранта", money("2691000.00")});
    fields.fields.push_back({"Срок", text("01.01.2022 — 31.12.2022")});
    doc.blocks.push_back({fields});

    doc.blocks.push_back({Image{files.png.string(), 40, Align::Center}});
    doc.blocks.push_back({Image{files.jpeg.string(), 0, Align::Left}});

    Chart bar;
    bar.kind = Chart::Kind::Bar;
    bar.title = "Расходы по статьям";
    bar.categories = {"Оплата труда", "Аренда", "Оборудование", "Прочее"};
    bar.series = {series("Сумма", {*Decimal::parse("540006.00"), *Decimal::parse("180001.98"), Null{},
                                   *Decimal::parse("15234.56")}),
                  series("Не используется", {std::int64_t{1}, std::int64_t{2}, std::int64_t{3}, std::int64_t{4}})};
    bar.format = Format::Money;
    doc.blocks.push_back({bar});

    Chart grouped;
    grouped.kind = Chart::Kind::GroupedBar;
    grouped.title = "План и факт";
    grouped.sheet = "Данные: план/факт";
    grouped.categories = {"2021", "2022", "2023"};
    grouped.series = {series("План", {std::int64_t{100}, std::int64_t{120}, std::int64_t{150}}),
                      series("Факт", {std::int64_t{90}, std::int64_t{130}, std::int64_t{140}})};
    grouped.format = Format::Integer;
    doc.blocks.push_back({grouped});

    Chart line;
    line.kind = Chart::Kind::Line;
    line.title = "Динамика";
    line.categories = {"I", "II", "III", "IV"};
    line.series = {series("Участники", {std::int64_t{10}, std::int64_t{25}, std::int64_t{40}, std::int64_t{55}}),
                   series("Волонтёры", {std::int64_t{3}, std::int64_t{5}, Null{}, std::int64_t{9}}),
                   series("Партнёры", {1.5, 2.5, 3.5, 4.5})};
    doc.blocks.push_back({line});

    Chart pie;
    pie.kind = Chart::Kind::Pie;
    pie.title = "Структура";
    pie.categories = {"Грант", "Софинансирование"};
    pie.series = {series("Доля", {0.8, 0.2}), series("Лишняя", {1.0, 2.0})};
    pie.format = Format::Percent;
    doc.blocks.push_back({pie});

    Chart empty;
    empty.kind = Chart::Kind::Bar;
    empty.title = "Пустая диаграмма";
    doc.blocks.push_back({empty});

    doc.blocks.push_back({Signature{{{"Руководитель проекта", "И. И. Иванов", ""}}}});
    Signature parties;  // two parties side by side, each with its title and «М.П.»
    parties.parties = {{"Генеральный директор", "Е. С. Воронцова", "", "Грантополучатель", true},
                       {"Председатель комитета", "А. А. Смирнов", "15.03.2023", "Грантодатель", true}};
    doc.blocks.push_back({parties});
    doc.blocks.push_back({plainParagraph("Только для PDF"), Target::PdfOnly});

    doc.blocks.push_back({Heading{1, "Отчёт по бюджету", "Бюджет по статьям"}});
    doc.blocks.push_back({plainParagraph("Ниже — смета с группами.")});

    Table smeta;
    smeta.sheet = "Смета";
    smeta.caption = "Смета по группам";
    smeta.columns = {column("Статья", Format::Text, Aggregate::Count), column("Примечание", Format::Text),
                     column("Количество", Format::Integer, Aggregate::Sum, Align::Right),
                     column("Сумма, руб.", Format::Money, Aggregate::Sum, Align::Right)};
    struct Line {
        const char* item;
        int qty;
        const char* amount;
    };
    const std::vector<std::vector<Line>> groups = {
        {{"Руководитель", 12, "540006.00"}, {"Бухгалтер", 12, "180001.98"}},
        {{"Ноутбук", 4, "503999.96"}, {"Проектор", 1, "15234.56"}, {"Экран", 2, "21300.21"}},
        {{"Связь", 12, "7100.07"}},
    };
    const char* titles[] = {"Оплата труда", "Оборудование", "Прочее"};
    Decimal total;
    int qty = 0;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        Group group;
        group.begin = smeta.rows.size();
        group.title = titles[g];
        Decimal sub;
        int subQty = 0;
        for (const Line& l : groups[g]) {
            smeta.rows.push_back({text(l.item), text(""), integer(l.qty), money(l.amount)});
            sub += *Decimal::parse(l.amount);
            subQty += l.qty;
        }
        group.end = smeta.rows.size();
        group.subtotals = {integer(static_cast<std::int64_t>(groups[g].size())), text("Итого: " + group.title),
                           integer(subQty), money(sub)};
        smeta.groups.push_back(group);
        total += sub;
        qty += subQty;
    }
    smeta.totals = {integer(6), text("Итого"), integer(qty), money(total)};
    doc.blocks.push_back({smeta});
    doc.blocks.push_back({Signature{{{"Главный бухгалтер", "П. П. Петрова", "15.03.2023"}}}});
    return doc;
}

}  // namespace

// ----- the workbook read back ------------------------------------------------------------

TEST(XlsxFeatures, WorkbookReadsBack) {
    TempDir dir{"gp-xlsxf"};
    const fs::path file = dir.path() / "отчёт.xlsx";
    xlsx::render(featuresDocument(pictures(dir.path())), file);
    EXPECT_EQ(runScript("check_xlsx_features.py", quoted(file.string())), 0);
}

TEST(XlsxFeatures, StreamedWorkbookReadsBack) {
    TempDir dir{"gp-xlsxf"};
    Document doc = featuresDocument(pictures(dir.path()));
    auto registry = std::make_shared<Registry>(2500);
    doc.blocks.push_back({registryTable(registry)});
    const fs::path file = dir.path() / "реестр.xlsx";
    xlsx::render(doc, file);
    EXPECT_EQ(registry->opened, 1) << "the rows are read once";
    EXPECT_EQ(runScript("check_xlsx_features.py", quoted(file.string()) + " --streamed 2500"), 0);
}

TEST(XlsxFeatures, LibreOfficeShowsTheEngineTotals) {
    if (std::system("command -v soffice >/dev/null 2>&1") != 0) GTEST_SKIP() << "LibreOffice (soffice) not installed";
    TempDir dir{"gp-xlsxf"};
    Document doc = featuresDocument(pictures(dir.path()));
    doc.blocks.push_back({registryTable(std::make_shared<Registry>(1200))});
    const fs::path file = dir.path() / "итоги.xlsx";
    xlsx::render(doc, file);
    // Expected: the engine's totals as the cells show them (raw values).
    Decimal registry;
    for (std::size_t i = 1; i <= 1200; ++i) registry += Registry::amount(i);
    const std::string expected = "Смета!C15=43 Смета!D15=1267642.78 Смета!A15=6 Смета!D6=720007.98 "
                                 "Смета!A11=3 Реестр!D1203=" +
                                 registry.toString(2);
    EXPECT_EQ(runScript("check_xlsx_libreoffice.py", quoted(file.string()) + " " + quoted(dir.path().string()) +
                                                         " " + expected),
              0);
}

TEST(XlsxFeatures, SameDocumentGivesSameBytesAlsoInConstantMemory) {
    TempDir dir{"gp-xlsxf"};
    const Files files = pictures(dir.path());
    for (bool streamed : {false, true}) {
        Document doc = featuresDocument(files);
        if (streamed) doc.blocks.push_back({registryTable(std::make_shared<Registry>(1500))});
        const std::string name = streamed ? "cm" : "plain";
        xlsx::render(doc, dir.path() / (name + "-a.xlsx"));
        std::this_thread::sleep_for(std::chrono::milliseconds(1100));
        xlsx::render(doc, dir.path() / (name + "-b.xlsx"), xlsx::Options{dir.path()});
        const std::string a = readFile(dir.path() / (name + "-a.xlsx"));
        EXPECT_GT(a.size(), 5000u);
        EXPECT_TRUE(a == readFile(dir.path() / (name + "-b.xlsx"))) << name << ": two renders differ";
    }
}

TEST(XlsxFeatures, LargeTableSwitchesToConstantMemory) {
    TempDir dir{"gp-xlsxf"};
    Document doc;
    Table t;
    t.sheet = "Большая";
    t.columns = {column("№", Format::Integer), column("Текст", Format::Text)};
    for (int i = 0; i < 50; ++i) t.rows.push_back({integer(i), text("строка " + std::to_string(i))});
    doc.blocks.push_back({Title{"Заголовок", ""}});
    doc.blocks.push_back({t});
    xlsx::Options small;
    small.constantMemoryRows = 10;
    xlsx::render(doc, dir.path() / "cm.xlsx", small);
    xlsx::render(doc, dir.path() / "plain.xlsx");
    // Constant memory writes strings into the cells; the default mode shares them.
    const std::string probe = "unzip -p " + quoted((dir.path() / "cm.xlsx").string()) +
                              " xl/worksheets/sheet2.xml | grep -q 'inlineStr'";
    EXPECT_EQ(std::system(probe.c_str()), 0) << "constant-memory workbook has no inline strings";
    const std::string probe2 = "unzip -p " + quoted((dir.path() / "plain.xlsx").string()) +
                               " xl/worksheets/sheet2.xml | grep -q 'inlineStr'";
    EXPECT_NE(std::system(probe2.c_str()), 0) << "default workbook has inline strings";
}

// ----- errors ----------------------------------------------------------------------------

TEST(XlsxFeatures, MissingImageIsAnErrorNamingThePath) {
    TempDir dir{"gp-xlsxf"};
    Document doc;
    const fs::path missing = dir.path() / "нет-логотипа.png";
    doc.blocks.push_back({Image{missing.string(), 30, Align::Center}});
    const fs::path file = dir.path() / "out.xlsx";
    try {
        xlsx::render(doc, file);
        FAIL() << "no error";
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Render);
        EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(file));

    writeFile(missing, "not a picture at all");
    try {
        xlsx::render(doc, file);
        FAIL() << "no error";
    } catch (const gp::Error& e) {
        EXPECT_NE(std::string(e.what()).find("not a PNG or JPEG"), std::string::npos) << e.what();
    }
}

TEST(XlsxFeatures, ImageSizeComesFromTheHeader) {
    TempDir dir{"gp-xlsxf"};
    const Files files = pictures(dir.path());
    auto info = xlsx::detail::readImageInfo(files.png);
    EXPECT_EQ(info.width, 200);
    EXPECT_EQ(info.height, 100);
    EXPECT_NEAR(info.xDpi, 150, 0.02);  // 5906 pixels per metre
    info = xlsx::detail::readImageInfo(files.jpeg);
    EXPECT_EQ(info.width, 30);
    EXPECT_EQ(info.height, 20);
    EXPECT_DOUBLE_EQ(info.xDpi, 150);
    writeFile(dir.path() / "plain.png", png(10, 5, 0));
    info = xlsx::detail::readImageInfo(dir.path() / "plain.png");
    EXPECT_DOUBLE_EQ(info.xDpi, 96);
    EXPECT_DOUBLE_EQ(info.screenWidth(), 10);
}

namespace {

// A cursor that fails half-way, like a database that drops the connection.
class Failing : public RowSource {
public:
    std::unique_ptr<RowCursor> open() const override { return std::make_unique<Cursor>(); }

private:
    class Cursor : public RowCursor {
    public:
        bool next(std::vector<Cell>& row) override {
            if (++n_ > 1500) throw Error(ErrorKind::Data, "connection lost at row 1501");
            row = {integer(n_), text("x"), text("y"), money("1.00"), cell(Null{}, Format::Date, ""), text("")};
            return true;
        }
        std::vector<Cell> totals() const override { return {}; }

    private:
        int n_ = 0;
    };
};

// Rows of the wrong width after the measured ones.
class Ragged : public RowSource {
public:
    std::unique_ptr<RowCursor> open() const override { return std::make_unique<Cursor>(); }

private:
    class Cursor : public RowCursor {
    public:
        bool next(std::vector<Cell>& row) override {
            if (++n_ > 1200) return false;
            row = {integer(n_), text("x"), text("y"), money("1.00"), cell(Null{}, Format::Date, "")};
            if (n_ != 1100) row.push_back(text(""));
            return true;
        }
        std::vector<Cell> totals() const override { return {}; }

    private:
        int n_ = 0;
    };
};

}  // namespace

TEST(XlsxFeatures, CursorErrorsPassThroughAndLeaveNoFile) {
    TempDir dir{"gp-xlsxf"};
    const fs::path file = dir.path() / "out.xlsx";
    Document doc;
    doc.blocks.push_back({registryTable(std::make_shared<Failing>())});
    try {
        xlsx::render(doc, file);
        FAIL() << "no error";
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Data);
        EXPECT_NE(std::string(e.what()).find("row 1501"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(file));
}

TEST(XlsxFeatures, StreamedRowOfTheWrongWidthIsAnError) {
    TempDir dir{"gp-xlsxf"};
    Document doc;
    doc.blocks.push_back({registryTable(std::make_shared<Ragged>())});
    try {
        xlsx::render(doc, dir.path() / "out.xlsx");
        FAIL() << "no error";
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Render);
        const std::string what = e.what();
        EXPECT_NE(what.find("Реестр"), std::string::npos) << what;
        EXPECT_NE(what.find("row 1100 has 5 cells"), std::string::npos) << what;
    }
}

TEST(XlsxFeatures, GroupsMustCoverTheRowsInOrder) {
    TempDir dir{"gp-xlsxf"};
    Document doc = featuresDocument(pictures(dir.path()));
    for (Block& block : doc.blocks)
        if (auto* table = std::get_if<Table>(&block.content)) table->groups[1].begin = 1;  // overlaps group 1
    try {
        xlsx::render(doc, dir.path() / "out.xlsx");
        FAIL() << "no error";
    } catch (const gp::Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("group 2 ('Оборудование')"), std::string::npos) << what;
    }
}

TEST(XlsxFeatures, RowsAreNeverWrittenOutOfOrder) {
    // A bare table streamed in constant-memory mode with no caption, empty text and totals:
    // every row follows the last one, the file opens and has them all.
    TempDir dir{"gp-xlsxf"};
    Document doc;
    doc.blocks.push_back({registryTable(std::make_shared<Registry>(0))});
    std::get<Table>(doc.blocks.back().content).emptyText = "Нет проектов";
    xlsx::render(doc, dir.path() / "empty.xlsx");
    EXPECT_EQ(runScript("check_xlsx_features.py", quoted((dir.path() / "empty.xlsx").string()) + " --empty-registry"),
              0);
}

// ----- the running sheet: tables in the flow -----------------------------------------------

namespace {

// Text, two tables without a sheet of their own and two signatories: one sheet, in order.
Document flowDocument() {
    Document doc;
    doc.sheet = "Отчёт";
    doc.blocks.push_back({Title{"Отчёт о мероприятиях", ""}});
    doc.blocks.push_back({Heading{1, "1. Мероприятия", {}}});
    Table events;
    events.columns = {column("№", Format::Integer, Aggregate::None, Align::Center), column("Мероприятие", Format::Text),
                      column("Участники", Format::Integer, Aggregate::Sum)};
    const std::string long_text =
        "Серия открытых лекций для жителей района о сохранении городского наследия, с экскурсиями "
        "по историческим улицам, встречами с краеведами и архитекторами и выставкой фотографий "
        "из семейных архивов участников проекта";
    for (int i = 1; i <= 3; ++i) events.rows.push_back({integer(i), text(long_text), integer(100 * i)});
    events.totals = {text("Итого"), text(""), integer(600)};
    doc.blocks.push_back({events});
    doc.blocks.push_back({Heading{1, "2. Расходы", {}}});
    Table costs;
    costs.columns = {column("№", Format::Integer, Aggregate::None, Align::Center), column("Статья", Format::Text),
                     column("Ед.", Format::Text), column("Кол-во", Format::Integer),
                     column("Цена, ₽", Format::Money), column("Сумма, ₽", Format::Money, Aggregate::Sum)};
    costs.rows.push_back({integer(1), text("Аренда зала"), text("час"), integer(48), money("4250.00"), money("204000.00")});
    costs.rows.push_back({integer(2), text("Печать афиш"), text("шт."), integer(500), money("12.50"), money("6250.00")});
    costs.totals = {text("Итого"), text(""), text(""), text(""), text(""), money("210250.00")};
    doc.blocks.push_back({costs});
    Signature parties;
    parties.parties = {{"Генеральный директор", "Е. С. Воронцова", "", "Грантополучатель", true},
                       {"Председатель комитета", "А. А. Смирнов", "", "Грантодатель", true}};
    doc.blocks.push_back({parties});
    return doc;
}

}  // namespace

TEST(XlsxFlow, TablesFollowTheTextOnOneSheetFittedToThePage) {
    TempDir dir{"gp-xlsx-flow"};
    const fs::path file = dir.path() / "поток.xlsx";
    xlsx::render(flowDocument(), file);
    EXPECT_EQ(runScript("check_xlsx_flow.py", quoted(file.string())), 0);
}

TEST(XlsxFlow, ATableWithASheetNameStandsApartAndTheFlowPointsToIt) {
    TempDir dir{"gp-xlsx-flow"};
    Document doc = flowDocument();
    std::get<Table>(doc.blocks[4].content).sheet = "Расходы";
    const fs::path file = dir.path() / "поток.xlsx";
    xlsx::render(doc, file);
    EXPECT_EQ(runScript("check_xlsx_flow.py", quoted(file.string()) + " --apart"), 0);
}
