#include <gtest/gtest.h>

#include "core/error.h"
#include "template/template.h"

using gp::tmpl::Block;
using gp::tmpl::parseTemplate;

namespace {

// Expects parsing to fail at `line` with a message containing `needle`.
void expectError(const std::string& xml, int line, const std::string& needle) {
    try {
        parseTemplate(xml, "broken.xml");
        ADD_FAILURE() << "accepted: " << xml;
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.kind(), gp::ErrorKind::Template);
        EXPECT_EQ(e.file(), "broken.xml");
        EXPECT_EQ(e.line(), line) << e.what();
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
    expectError("<report title=\"x\">\n  <section title=\"a\">\n  </sectoin>\n</report>", 3, "malformed XML");
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
