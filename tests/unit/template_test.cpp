#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "support.h"
#include "template/check.h"
#include "template/fill.h"
#include "template/image.h"
#include "template/template.h"
#include "template/xml.h"

using gp::tmpl::Block;
using gp::tmpl::parseTemplate;

namespace {

// Expects parsing to fail at `line` (and `column` when given) with a message containing `needle`.
void expectError(const std::string& xml, int line, const std::string& needle, int column = 0) {
    try {
        parseTemplate(xml, "broken.xml");
        ADD_FAILURE() << "accepted: " << xml;
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), gp::ErrorKind::Template);
        EXPECT_EQ(e.file(), "broken.xml");
        EXPECT_EQ(e.line(), line) << e.what();
        if (column) {
            EXPECT_EQ(e.column(), column) << e.what();
        }
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
}

}  // namespace

TEST(Template, ParsesTheLanguage) {
    auto t = parseTemplate(R"(<?xml version="1.0" encoding="UTF-8"?>
<!-- comments are allowed -->
<report title="Заявка: {project.title}" sheet="Заявка" orientation="landscape">
  <param name="id" type="integer" required="true"/>
  <query name="project" one="true">SELECT * FROM projects WHERE id = :id</query>
  <query name="budget">SELECT * FROM budget_lines WHERE project_id = :id</query>
  <title subtitle="{project.grantor}">Заявка на грант</title>
  <section title="1. Сведения">
    <fields row="project">
      <field label="Сумма">{amount | money}</field>
    </fields>
    <section title="1.1 Бюджет">
      <table rows="budget" sheet="Бюджет" totals="sum" empty="Нет строк">
        <column title="Статья" width="*">{item}</column>
        <column title="Сумма" width="30mm" align="right">{requested | money}</column>
        <column title="Доля" width="10%" total="none">{share | percent}</column>
      </table>
    </section>
  </section>
  <pagebreak only="pdf"/>
</report>)",
                           "application.xml");
    EXPECT_EQ(t.name, "application");
    ASSERT_EQ(t.params.size(), 1u);
    EXPECT_TRUE(t.params[0].required);
    ASSERT_EQ(t.queries.size(), 2u);
    EXPECT_TRUE(t.queries[0].one);
    EXPECT_EQ(t.queries[0].loc.line, 5);
    ASSERT_EQ(t.body.size(), 3u);
    EXPECT_EQ(t.body[1].kind, Block::Kind::Section);
    EXPECT_EQ(t.body[1].children[1].level, 2);
    const Block& table = t.body[1].children[1].children[0];
    EXPECT_EQ(table.columns.size(), 3u);
    EXPECT_EQ(table.columns[1].width.kind, gp::model::Width::Kind::Fixed);
    EXPECT_EQ(table.columns[1].width.amount, 30);
    EXPECT_EQ(table.columns[1].value.staticFormat(), gp::model::Format::Money);
    EXPECT_EQ(table.totalsLabel, "Итого");
    EXPECT_EQ(t.body[2].target, gp::model::Target::PdfOnly);
    EXPECT_TRUE(t.landscape.value());
}

TEST(Template, MalformedXmlReportsLineAndColumn) {
    expectError("<report title=\"x\">\n  <section title=\"a\">\n  </sectoin>\n</report>", 3, "malformed XML: Tag mismatch", 5);
}

TEST(Template, UnknownElementsAndAttributesAreErrors) {
    expectError("<report title=\"x\">\n<tabel rows=\"q\"/>\n</report>", 2, "unknown element <tabel>");
    expectError("<report title=\"x\">\n<query name=\"q\">SELECT 1</query>\n<table rows=\"q\" colour=\"red\"><column "
                "title=\"a\">{a}</column></table>\n</report>",
                3, "no attribute 'colour'");
    expectError("<report>\n</report>", 1, "needs the attribute title");
    expectError("<document title=\"x\"/>", 1, "root element must be <report>");
}

TEST(Template, ReferencesAreChecked) {
    expectError("<report title=\"x\">\n<fields row=\"nope\"><field label=\"a\">{a}</field></fields>\n</report>", 2,
                "no <query name=\"nope\">");
    expectError("<report title=\"x\">\n<query name=\"q\">SELECT 1</query>\n<fields row=\"q\"><field "
                "label=\"a\">{a}</field></fields>\n</report>",
                3, "one=\"true\"");
    expectError("<report title=\"x\">\n<param name=\"id\" type=\"number\"/>\n</report>", 2, "type=\"number\"");
    expectError("<report title=\"x\">\n<paragraph>{amount | rubles}</paragraph>\n</report>", 2, "unknown filter");
    expectError("<report title=\"x\">\n<query name=\"q\">SELECT 1</query>\n<table rows=\"q\"><column title=\"a\" "
                "width=\"wide\">{a}</column></table>\n</report>",
                3, "width=\"wide\"");
    expectError("<report title=\"x\">\n<query name=\"q\">  </query>\n</report>", 2, "has no SQL");
}

TEST(Template, ParsesTheNewElements) {
    auto t = parseTemplate(R"(<report title="x" margins="20 10" font="PTSans" font-size="11.5" title-page="true">
  <param name="id" type="integer" required="true"/>
  <param name="pin" type="text"/>
  <query name="projects">SELECT id, title FROM projects WHERE id = :id</query>
  <query name="org" one="true">SELECT head_name, head_position FROM organizations</query>
  <header>Заявка {id}</header>
  <footer>{page} / {pages}</footer>
  <protection owner-password="{env.OWNER}" user-password="{param.pin}" allow="print copy edit"/>
  <heading level="2" sheet="Лист">Заголовок</heading>
  <repeat rows="projects" empty="нет">
    <query name="lines">SELECT item, requested, category FROM budget_lines WHERE project_id = :parent_id</query>
    <section title="{title}" sheet="{id}">
      <paragraph>Текст <b>жирный <i>и курсив</i></b> {projects.id}</paragraph>
      <table rows="lines" group="category" group-title="{category}" totals="sum">
        <column title="a">{item}</column>
        <column title="b">{requested / 2 | money}</column>
        <column title="c">{parent.title}</column>
      </table>
      <if test="requested > 0"><paragraph>да</paragraph></if>
      <else><paragraph>нет</paragraph></else>
      <chart type="line" rows="lines" category="item"><series name="s">{requested}</series></chart>
    </section>
  </repeat>
  <table rows="projects" stream="true"><column title="a">{title}</column></table>
  <signature position="{head_position}" name="{org.head_name}" date="{date | date(&quot;long&quot;)}"/>
</report>)",
                           "new.xml");
    ASSERT_TRUE(t.margins);
    EXPECT_EQ((*t.margins)[1], 10);
    EXPECT_EQ((*t.margins)[2], 20);
    EXPECT_EQ(t.fontFamily.value(), "PTSans");
    EXPECT_EQ(t.fontSize.value(), 11.5);
    EXPECT_TRUE(t.titlePage);
    ASSERT_TRUE(t.header && t.footer && t.protection);
    EXPECT_TRUE(t.protection->edit);
    ASSERT_EQ(t.params.size(), 2u);
    EXPECT_FALSE(t.params[0].secret);
    EXPECT_TRUE(t.params[1].secret);  // a password: secret without saying so
    ASSERT_EQ(t.body.size(), 4u);
    EXPECT_EQ(t.body[0].kind, Block::Kind::Heading);
    EXPECT_EQ(t.body[0].level, 2);
    const Block& repeat = t.body[1];
    EXPECT_EQ(repeat.kind, Block::Kind::Repeat);
    ASSERT_EQ(repeat.queries.size(), 1u);
    EXPECT_EQ(repeat.queries[0].name, "lines");
    const Block& section = repeat.children.at(0);
    ASSERT_EQ(section.children.size(), 4u);
    const auto& runs = section.children[0].runs;
    ASSERT_EQ(runs.size(), 4u);
    EXPECT_FALSE(runs[0].bold);
    EXPECT_TRUE(runs[1].bold);
    EXPECT_FALSE(runs[1].italic);
    EXPECT_TRUE(runs[2].bold && runs[2].italic);
    EXPECT_TRUE(section.children[1].group.has_value());
    EXPECT_EQ(section.children[2].kind, Block::Kind::If);
    ASSERT_EQ(section.children[2].otherwise.size(), 1u);
    EXPECT_EQ(section.children[3].chartKind, gp::model::Chart::Kind::Line);
    EXPECT_TRUE(t.body[2].stream);
    EXPECT_EQ(t.body[3].kind, Block::Kind::Signature);
}

TEST(Template, ErrorsPointAtTheAttributeAndThePlaceholder) {
    // The attribute itself, not its element.
    expectError("<report title=\"x\">\n  <pagebreak   colour=\"red\"/>\n</report>", 2, "no attribute 'colour'", 16);
    // A placeholder inside a multi-line attribute value, after an entity.
    expectError("<report title=\"x\"\n  subject=\"&#171;a&#187;\n   {amount | mony}\"/>", 3, "did you mean 'money'", 14);
    // Inside paragraph text, after a bold part.
    expectError("<report title=\"x\">\n<paragraph>a <b>b</b> {c | wrods}</paragraph>\n</report>", 2,
                "unknown filter 'wrods' (did you mean 'words'?)", 28);
}

// Every number a template gives is read strictly: the whole value, finite (never nan or inf),
// within its documented range; a bad one is a problem at the attribute's line and column.
TEST(Template, NumericAttributesAreFiniteWholeAndInRange) {
    struct Case {
        std::string root, body, attribute, needle;  // attribute: as written, to find its column
    };
    const std::string q = "<query name=\"q\">SELECT 1 AS a</query>\n";
    auto column = [&](const std::string& w) {
        return q + "<table rows=\"q\"><column title=\"a\" width=\"" + w + "\">{a}</column></table>";
    };
    auto image = [](const std::string& w) { return "<image src=\"logo.png\" width=\"" + w + "\"/>"; };
    auto chartOnly = [](const std::string& h) {
        return "<chart type=\"bar\" rows=\"q\" category=\"{a}\" height=\"" + h + "\"><series name=\"s\">{a}</series></chart>";
    };
    auto chart = [&](const std::string& h) { return q + chartOnly(h); };
    const std::string fontSize = "give points from 6 to 36";
    const std::string margins = "give 1 to 4 sizes in mm from 0 to 100";
    const std::string width = "more than 0 and at most 1000mm, 100% or 1000*";
    std::vector<Case> bad;
    for (const std::string v : {"nan", "NaN", "inf", "-inf", "infinity", "1e308", "1e999", "5", "36.5", "11pt", " 11", ""})
        bad.push_back({"font-size=\"" + v + "\"", "", "font-size=", "font-size=\"" + v + "\": " + fontSize});
    for (const std::string v : {"nan", "inf", "20 nan", "20 10 inf", "1e308", "-5", "101", "20mm 10cm", "nanmm", ""})
        bad.push_back({"margins=\"" + v + "\"", "", "margins=", "margins=\"" + v + "\": " + margins});
    for (const std::string v : {"1e308mm", "-5mm", "-5", "nanmm", "infmm", "inf%", "nan%", "101%", "0mm", "0%", "1001*",
                                "nan*", "inf*", "0*", "-1*", "30 mm", "30", "1e999mm"})
        bad.push_back({"", column(v), "width=", "width=\"" + v + "\": use 30mm, 25% or * / 2*"});
    for (const std::string v : {"nan", "nanmm", "infmm", "1e308mm", "0.5mm", "1001mm", "-40mm", "40 mm"})
        bad.push_back({"", image(v), "width=", "width=\"" + v + "\": give millimetres from 1 to 1000"});
    for (const std::string v : {"nan", "infmm", "19mm", "401", "1e308mm", "-70mm"})
        bad.push_back({"", chart(v), "height=", "height=\"" + v + "\": give millimetres from 20 to 400"});

    const auto folder = std::filesystem::path(GP_TEST_DATA) / "templates" / "fill";  // has logo.png
    for (const auto& c : bad) {
        const std::string xml = "<report title=\"x\"" + std::string(c.root.empty() ? "" : "\n  " + c.root) + ">\n" +
                                c.body + "\n</report>\n";
        SCOPED_TRACE(xml);
        // Where the attribute is written: its line and column (1-based).
        const size_t at = xml.find(c.attribute, c.root.empty() ? xml.find('\n') : 0);
        ASSERT_NE(at, std::string::npos);
        const int line = 1 + static_cast<int>(std::count(xml.begin(), xml.begin() + static_cast<long>(at), '\n'));
        const int col = static_cast<int>(at - (xml.rfind('\n', at) == std::string::npos ? -1 : xml.rfind('\n', at)));
        std::vector<gp::Error> problems;
        gp::tmpl::compileTemplate(xml, "numbers.xml", folder, problems);
        ASSERT_EQ(problems.size(), 1u) << (problems.empty() ? "accepted" : problems[1].what());
        const auto& e = problems[0];
        EXPECT_EQ(e.kind(), gp::ErrorKind::Template);
        EXPECT_EQ(std::pair(e.line(), e.column()), std::pair(line, col)) << e.what();
        EXPECT_NE(std::string(e.what()).find(c.needle), std::string::npos) << e.what();
    }

    // The same kinds of numbers, well given, are taken as written.
    std::vector<gp::Error> problems;
    auto t = gp::tmpl::compileTemplate(
        "<report title=\"x\" font-size=\"10.5\" margins=\"0 100mm 20 25.5\">\n" + q +
            "<table rows=\"q\"><column title=\"a\" width=\"1000mm\">{a}</column><column title=\"b\" "
            "width=\"100%\">{a}</column><column title=\"c\" width=\"2.5*\">{a}</column>"
            "<column title=\"d\" width=\"*\">{a}</column></table>\n" +
            image("1000mm") + image("1") + chartOnly("400mm") + chartOnly("20") + "\n</report>\n",
        "numbers.xml", folder, problems);
    ASSERT_TRUE(problems.empty()) << problems[0].what();
    ASSERT_TRUE(t);
    EXPECT_EQ(t->fontSize, 10.5);
    ASSERT_TRUE(t->margins);
    EXPECT_EQ(*t->margins, (std::array<double, 4>{0, 100, 20, 25.5}));
}

TEST(Template, LoadingReportsTheFirstProblemAndHowManyMore) {
    try {
        parseTemplate("<report title=\"x\">\n<tabel/>\n<paragraf/>\n<pagebreak only=\"docx\"/>\n</report>", "many.xml");
        FAIL();
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.line(), 2);
        EXPECT_NE(std::string(e.what()).find("unknown element <tabel> (did you mean <table>?) (and 2 more problems"),
                  std::string::npos)
            << e.what();
    }
}

TEST(Template, CompileListsEveryProblem) {
    std::vector<gp::Error> problems;
    auto t = gp::tmpl::compileTemplate(
        "<report title=\"{a | x}\">\n<tabel/>\n<paragraph>{b | y} {c | z}</paragraph>\n<else/>\n</report>", "all.xml", ".",
        problems);
    ASSERT_TRUE(t);
    ASSERT_EQ(problems.size(), 5u);
    EXPECT_EQ(problems[0].line(), 1);
    EXPECT_EQ(problems[1].line(), 2);
    EXPECT_EQ(problems[2].column(), 17);  // the filter names
    EXPECT_EQ(problems[3].column(), 25);
    EXPECT_EQ(problems[4].line(), 4);
}

TEST(Template, XmlTreeKeepsMixedContentInOrder) {
    auto root = gp::tmpl::parseXmlString("<p>one <b>two</b> three <i>four</i></p>", "m.xml");
    ASSERT_EQ(root->content.size(), 4u);
    EXPECT_EQ(root->content[0].text.text, "one ");
    EXPECT_EQ(root->content[1].child->name, "b");
    EXPECT_EQ(root->content[2].text.text, " three ");
    EXPECT_EQ(root->content[3].child->name, "i");
    EXPECT_EQ(root->text, "one  three ");
    EXPECT_EQ(root->line, 1);
    EXPECT_EQ(root->column, 1);
    EXPECT_EQ(root->children[0]->column, 8);
}

TEST(Template, HostileXmlIsRefusedNotExpanded) {
    expectError("<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<report title=\"&x;\"/>",
                2, "cannot have a <!DOCTYPE>", 1);
    std::string deep = "<report title=\"x\">";
    for (int i = 0; i < 10000; ++i) deep += "<section title=\"s\">";
    for (int i = 0; i < 10000; ++i) deep += "</section>";
    deep += "</report>";
    expectError(deep, 1, "nest more than");
    expectError("<report title=\"x\">\xff\xfe</report>", 1, "malformed XML");
    expectError("", 1, "malformed XML");
}

TEST(Template, ImagesAreCheckedWhenRead) {
    const auto dir = std::filesystem::path(::testing::TempDir()) / "gp-images";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "fake.png") << "not a png";
    try {
        parseTemplate("<report title=\"x\">\n  <image src=\"fake.png\"/>\n  <image src=\"none.png\"/>\n</report>", "img.xml", dir);
        FAIL();
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.line(), 2);
        EXPECT_EQ(e.column(), 10);
        EXPECT_NE(std::string(e.what()).find("'fake.png' is not a PNG or JPEG picture (and 1 more"), std::string::npos)
            << e.what();
    }
}

TEST(Template, ImagesBehindLinksMustStayInsideTheFolder) {
    namespace fs = std::filesystem;
    const auto root = fs::path(::testing::TempDir()) / "gp-image-links";
    fs::remove_all(root);
    const auto dir = root / "templates";
    fs::create_directories(dir / "logos");
    fs::create_directories(root / "elsewhere");
    // A whole picture: findImage refuses a damaged or truncated one.
    std::ifstream logo(std::string(GP_TEST_DATA) + "/templates/fill/logo.png", std::ios::binary);
    const std::string png((std::istreambuf_iterator<char>(logo)), std::istreambuf_iterator<char>());
    ASSERT_GT(png.size(), 8u);
    std::ofstream(root / "elsewhere" / "secret.png", std::ios::binary) << png;
    std::ofstream(dir / "logos" / "real.png", std::ios::binary) << png;
    fs::create_symlink(root / "elsewhere" / "secret.png", dir / "outside.png");
    fs::create_symlink(root / "elsewhere", dir / "away");            // a folder leading out
    fs::create_symlink("logos/real.png", dir / "inside.png");        // relative, stays in
    fs::create_symlink(dir / "logos", dir / "alias");                // a folder staying in
    const gp::tmpl::Location loc{"img.xml", 4, 10};

    for (const std::string src : {"outside.png", "away/secret.png"}) {
        SCOPED_TRACE(src);
        try {
            gp::tmpl::findImage(dir, src, loc);
            ADD_FAILURE() << "accepted";
        } catch (const gp::Error& e) {
            EXPECT_EQ(e.kind(), gp::ErrorKind::Template);
            EXPECT_EQ(std::pair(e.line(), e.column()), std::pair(4, 10));
            const std::string m = e.what();
            EXPECT_EQ(m.rfind("img.xml:4:10: image '" + src + "' resolves outside the templates folder", 0), 0u) << m;
            EXPECT_NE(m.find(fs::canonical(root / "elsewhere" / "secret.png").string()), std::string::npos) << m;
        }
    }
    const auto real = fs::canonical(dir / "logos" / "real.png");
    EXPECT_EQ(gp::tmpl::findImage(dir, "inside.png", loc), real);
    EXPECT_EQ(gp::tmpl::findImage(dir, "alias/real.png", loc), real);
    EXPECT_EQ(gp::tmpl::findImage(dir, "logos/real.png", loc), real);
    // The templates folder itself may be reached through a link.
    fs::create_symlink(dir, root / "linked-templates");
    EXPECT_EQ(gp::tmpl::findImage(root / "linked-templates", "inside.png", loc), real);
    EXPECT_THROW(gp::tmpl::findImage(root / "linked-templates", "outside.png", loc), gp::Error);
    // A dangling link is a missing file.
    fs::create_symlink(root / "elsewhere" / "gone.png", dir / "dangling.png");
    try {
        gp::tmpl::findImage(dir, "dangling.png", loc);
        ADD_FAILURE() << "accepted";
    } catch (const gp::Error& e) {
        EXPECT_NE(std::string(e.what()).find("image 'dangling.png' not found"), std::string::npos) << e.what();
    }
}

// ----- formula="true" columns ------------------------------------------------------------

namespace {

// A budget table around `columns` (which start on line 7).
std::string formulaTemplate(const std::string& columns) {
    return "<report title=\"x\">\n"                                             // 1
           "<param name=\"rate\" type=\"decimal\"/>\n"                          // 2
           "<query name=\"project\" one=\"true\">SELECT 1 AS amount</query>\n"  // 3
           "<query name=\"budget\">SELECT 1 AS quantity</query>\n"              // 4
           "<table rows=\"budget\">\n"                                          // 5
           "  <column title=\"Кол-во\">{quantity | number(0)}</column>\n"       // 6
           "  <column title=\"Цена\">{budget.unit_price | money}</column>\n"    // 7
           "  <column title=\"Штук\">{pieces | integer}</column>\n"             // 8
           "  <column title=\"Статья\">{item | upper}</column>\n"               // 9
           + columns +                                                          // 10…
           "</table>\n</report>\n";
}

}  // namespace

TEST(Template, FormulaColumnsBecomeFormulasOverColumnIndexes) {
    auto t = parseTemplate(formulaTemplate(
                               "  <column title=\"Сумма\" formula=\"true\">{quantity * unit_price | money(\"\")}</column>\n"
                               "  <column title=\"Рост\" formula=\"true\">{(budget.unit_price - quantity) / quantity * 100 | integer}</column>\n"
                               "  <column title=\"Лит\" formula=\"true\">{-quantity * 1.50 + -2 | number(1)}</column>\n"
                               "  <column title=\"Скобки\" formula=\"true\">{quantity - (unit_price - 1) | default(\"—\")}</column>\n"
                               "  <column title=\"Копия\" formula=\"true\">{budget.quantity}</column>\n"
                               "  <column title=\"Нет\" formula=\"false\">{quantity * 2}</column>\n"
                               "  <column title=\"Факт\">{spent | money | default(\"—\")}</column>\n"
                               "  <column title=\"Разница\" formula=\"true\">{spent - quantity}</column>\n"),
                           "ok.xml");
    const auto& cols = t.body.at(0).columns;
    ASSERT_EQ(cols.size(), 12u);
    EXPECT_EQ(cols[4].formula, "[0]*[1]");
    // integer rounds the value: so does the sheet; a division by zero leaves the cell empty.
    EXPECT_EQ(cols[5].formula, "orempty(round(([1]-[0])/[0]*100))");
    EXPECT_EQ(cols[6].formula, "-[0]*1.5+(-2)");
    EXPECT_EQ(cols[7].formula, "[0]-([1]-1)");
    EXPECT_EQ(cols[8].formula, "[0]");
    EXPECT_EQ(cols[9].formula, "");
    EXPECT_EQ(cols[0].formula, "");
    // "—" in a cell where the engine has NULL: the sheet cannot compute with it either.
    EXPECT_EQ(cols[11].formula, "orempty([10]-[0])");
}

TEST(Template, FormulaColumnsRejectWhatASheetCannotComputeTheSameWay) {
    const std::string xml = formulaTemplate(
        "  <column title=\"a\" formula=\"true\">{quantity * project.amount}</column>\n"   // 10
        "  <column title=\"b\" formula=\"true\">{quantity * rate}</column>\n"             // 11
        "  <column title=\"c\" formula=\"true\">{parent.amount * 2}</column>\n"           // 12
        "  <column title=\"d\" formula=\"true\">{quantity > 1}</column>\n"                // 13
        "  <column title=\"e\" formula=\"true\">{quantity * unit_price | words}</column>\n"  // 14
        "  <column title=\"f\" formula=\"true\">{pieces * 2}</column>\n"                  // 15
        "  <column title=\"g\" formula=\"true\">{quantity * \"2\"}</column>\n"            // 16
        "  <column title=\"h\" formula=\"true\">ровно {quantity}</column>\n"              // 17
        "  <column title=\"i\" formula=\"true\">{quantity * unit_pricee}</column>\n"      // 18
        "  <column title=\"j\" formula=\"true\">{item * 2}</column>\n"                    // 19
        "  <column title=\"k\" formula=\"yes\">{quantity}</column>\n"                    // 20
        "  <column title=\"l\">{spent | default(0)}</column>\n"                            // 21
        "  <column title=\"m\" formula=\"true\">{spent * 2}</column>\n");                // 22
    const std::string common = "a formula can use only columns shown in the same table, e.g. {quantity}";
    struct Want {
        int line, column;
        std::string message;
    };
    const std::vector<Want> wanted = {
        {10, 48, "formula=\"true\": {project.amount} is not a column of this table; " + common},
        {11, 48, "formula=\"true\": {rate} is not a column of this table; " + common},
        {12, 37, "formula=\"true\": {parent.amount} is not a column of this table; " + common},
        {13, 46,
         "formula=\"true\": a comparison ('>') cannot be part of a formula; a formula can use numbers, + - * /, "
         "parentheses and columns shown in the same table"},
        {14, 61, "formula=\"true\": filter 'words' cannot format a formula; use money, number, integer or percent"},
        {15, 37, "formula=\"true\": {pieces} is shown as {pieces | integer}"},
        {15, 37, "(integer rounds: use number(0) to show whole numbers)"},
        {16, 48, "formula=\"true\": \"2\" is not a number"},
        {17, 36, "formula=\"true\": the column must hold one placeholder, the formula, e.g. {quantity * unit_price | money}"},
        {18, 48, "(did you mean {unit_price}?)"},
        {19, 37, "formula=\"true\": {item} is shown as {item | upper}, and the cell holds what 'upper' makes of it"},
        {20, 21, "formula=\"yes\" must be true or false"},
        {22, 37, "{spent} is shown as {spent | default(0)}, and the cell holds what 'default' makes of it"},
        {22, 37, "(or default with a text, e.g. default(\"—\"))"},
    };
    // `grantpress check` lists them all (with the reference checks' own problems: {parent.amount}
    // outside a <repeat> is one anyway)…
    gp::test::TempDir dir{"gp-formula"};
    const auto file = dir.path() / "formulas.xml";
    std::ofstream(file, std::ios::binary) << xml;
    const auto problems = gp::tmpl::checkTemplate(file, {});
    EXPECT_EQ(problems.size(), 13u);
    for (const Want& w : wanted) {
        const bool found = std::any_of(problems.begin(), problems.end(), [&](const gp::Error& e) {
            return e.file() == file.string() && e.line() == w.line && e.column() == w.column &&
                   std::string(e.what()).find(w.message) != std::string::npos;
        });
        EXPECT_TRUE(found) << "no problem at " << w.line << ":" << w.column << ": " << w.message;
    }
    // …and loading stops at the first, saying how many more there are.
    try {
        gp::tmpl::loadTemplate(file);
        ADD_FAILURE() << "accepted";
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), gp::ErrorKind::Template);
        EXPECT_EQ(std::string(e.what()), file.string() + ":10:48: " + wanted[0].message + " (and " +
                                             std::to_string(problems.size() - 1) +
                                             " more problems: 'grantpress check' lists them all)");
    }
}

TEST(Template, ABatchQuerysParametersAreTypedByTheTemplatesThatDeclareThem) {
    // One parser: a batch's query gets year, since and min typed as the templates' <param>s
    // say (a decimal compared with a numeric column on PostgreSQL must not arrive as text).
    const std::vector<gp::tmpl::Template> templates = {
        parseTemplate(R"(<report title="a"><param name="year" type="integer"/><param name="since" type="date"/>
<paragraph>x</paragraph></report>)", "a.xml"),
        parseTemplate(R"(<report title="b"><param name="min" type="decimal"/><param name="year" type="text"/>
<paragraph>x</paragraph></report>)", "b.xml")};
    const auto p = gp::tmpl::bindQueryParams(
        templates, {{"year", "2022"}, {"since", "2022-01-01"}, {"min", "1000.50"}, {"limit", "10"}, {"who", "Иванов"}});
    EXPECT_EQ(std::get<std::int64_t>(p.at("year")), 2022);  // the first declaration wins
    EXPECT_EQ(std::get<gp::Date>(p.at("since")), (gp::Date{2022, 1, 1}));
    EXPECT_EQ(std::get<gp::Decimal>(p.at("min")), *gp::Decimal::parse("1000.50"));
    EXPECT_EQ(std::get<std::int64_t>(p.at("limit")), 10);  // declared nowhere: a whole number
    EXPECT_EQ(std::get<std::string>(p.at("who")), "Иванов");
    try {
        gp::tmpl::bindQueryParams(templates, {{"since", "01.01.2022"}});
        FAIL() << "a malformed date was bound";
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), gp::ErrorKind::Usage);
        EXPECT_NE(std::string(e.what()).find("param.since: parameter since='01.01.2022' is not a date YYYY-MM-DD"),
                  std::string::npos)
            << e.what();
    }
}

// <param choices="query">: the query listing a parameter's values for a form (app::paramChoices).
TEST(Template, ParamChoicesNameATopLevelQuery) {
    const auto t = parseTemplate(R"(<report title="x">
<param name="id" type="integer" required="true" choices="project_choices"/>
<query name="project_choices">SELECT id AS value, title AS label FROM projects ORDER BY id</query>
<paragraph>{id}</paragraph>
</report>)",
                                 "choices.xml");
    ASSERT_EQ(t.params.size(), 1u);
    EXPECT_EQ(t.params[0].choices, "project_choices");
    EXPECT_EQ(t.params[0].choicesLoc.line, 2);
    EXPECT_EQ(t.params[0].choicesLoc.column, 49);
    EXPECT_TRUE(parseTemplate("<report title=\"x\">\n<param name=\"id\"/>\n</report>", "none.xml").params[0].choices.empty());
}

TEST(Template, ParamChoicesErrorsPointAtTheAttribute) {
    // Unknown: a likely typo is named, else the queries it could name are listed.
    expectError("<report title=\"x\">\n<param name=\"id\" choices=\"project_choises\"/>\n"
                "<query name=\"project_choices\">SELECT 1 AS value</query>\n</report>",
                2, "choices=\"project_choises\": no <query name=\"project_choises\"> directly under <report> (did you "
                   "mean 'project_choices'?)", 18);
    expectError("<report title=\"x\">\n<param name=\"id\" choices=\"ids\"/>\n"
                "<query name=\"a\">SELECT 1 AS value</query>\n<query name=\"bb\">SELECT 2 AS value</query>\n</report>",
                2, "no <query name=\"ids\"> directly under <report> (queries under <report>: a, bb)", 18);
    expectError("<report title=\"x\">\n<param name=\"id\" choices=\"ids\"/>\n</report>", 2,
                "no <query name=\"ids\"> directly under <report> (the template has none)", 18);
    // A parameter is not a query (parameters and queries share one namespace).
    expectError("<report title=\"x\">\n<param name=\"id\" choices=\"id\"/>\n</report>", 2, "no <query name=\"id\">", 18);
    // A query of a <repeat> runs once per row: not a list of choices.
    expectError("<report title=\"x\">\n<query name=\"p\">SELECT id FROM projects</query>\n"
                "<param name=\"line\" choices=\"lines\"/>\n<repeat rows=\"p\">\n"
                "<query name=\"lines\">SELECT line_no AS value FROM budget_lines WHERE project_id = :parent_id</query>\n"
                "<table rows=\"lines\"><column title=\"a\">{value}</column></table>\n</repeat>\n</report>",
                3, "choices=\"lines\": query 'lines' is declared inside a <repeat>; choices name a query directly under "
                   "<report> (queries under <report>: p)", 20);
    // A single record is not a list.
    expectError("<report title=\"x\">\n<param name=\"id\" choices=\"q\"/>\n"
                "<query name=\"q\" one=\"true\">SELECT 1 AS value</query>\n</report>",
                2, "choices=\"q\": query 'q' is one=\"true\" (a single record); choices list the rows of a query without it",
                18);
    // The choices are listed before any value is known: no :parameter.
    expectError("<report title=\"x\">\n<param name=\"year\" type=\"integer\"/>\n<param name=\"id\" choices=\"q\"/>\n"
                "<query name=\"q\">SELECT id AS value FROM projects WHERE year = :year</query>\n</report>",
                3, "choices=\"q\": query 'q' uses :year, but the choices are listed before any parameter is given: their "
                   "query cannot use one", 18);
    // Empty.
    expectError("<report title=\"x\">\n<param name=\"id\" choices=\"\"/>\n</report>", 2,
                "<param> needs a query's name in choices=\"...\"", 18);
}

TEST(Template, ASecretParameterHasNoChoices) {
    expectError("<report title=\"x\">\n<param name=\"pin\" secret=\"true\" choices=\"q\"/>\n"
                "<query name=\"q\">SELECT 1 AS value</query>\n</report>",
                2, "choices=\"q\": parameter 'pin' is secret (secret=\"true\", or used in <protection>): its values are "
                   "never shown, so it cannot have choices", 33);
    // Secret without saying so: it makes a password.
    expectError("<report title=\"x\">\n<param name=\"pw\" choices=\"q\"/>\n"
                "<query name=\"q\">SELECT 1 AS value</query>\n<protection owner-password=\"{param.pw}\"/>\n</report>",
                2, "parameter 'pw' is secret", 18);
}
