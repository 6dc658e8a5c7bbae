// Template definitions (templates/*.xml): parsed once, validated, every part carrying its
// file and line. See templates/README.md for the language.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "model/document.h"
#include "template/expr.h"

namespace gp::tmpl {

struct ParamDef {
    enum class Type { Integer, Text, Date, Decimal, Boolean };
    std::string name;
    Type type = Type::Text;
    bool required = false;
    std::optional<std::string> defaultValue;
    Location loc;
};

struct QueryDef {
    std::string name;
    std::string sql;
    bool one = false;  // exactly one row expected; its columns are {name.column}
    Location loc;
};

struct FieldDef {
    TextExpr label;
    TextExpr value;
};

struct ColumnDef {
    TextExpr title;
    TextExpr value;
    model::Width width;
    std::optional<model::Align> align;
    std::optional<model::Aggregate> total;  // unset: decided by the table's totals attribute
    Location loc;
};

struct Block {
    enum class Kind { Title, Section, Paragraph, Fields, Table, PageBreak };
    Kind kind = Kind::Paragraph;
    model::Target target = model::Target::Both;
    Location loc;
    TextExpr text;      // title text, section title, paragraph text, table caption
    TextExpr subtitle;  // title
    int level = 1;      // section
    std::string rows;   // fields (one-row query) or table (any query)
    std::vector<FieldDef> fields;
    std::vector<ColumnDef> columns;
    std::string sheet;        // table: XLSX sheet
    std::string emptyText;    // table: shown when no rows
    std::string totalsLabel;  // table: label of the totals row; empty = no totals row
    bool totals = false;
    std::vector<Block> children;  // section
};

struct Template {
    std::string name;  // file name without .xml
    std::string file;  // path as given, for messages
    TextExpr title, subject, author, keywords;
    std::string sheet = "Сведения";
    std::optional<model::PageSetup::Size> pageSize;
    std::optional<bool> landscape;
    std::vector<ParamDef> params;
    std::vector<QueryDef> queries;
    std::vector<Block> body;

    const QueryDef* query(const std::string& name) const;
};

// Reads and validates a template file. Throws gp::Error(Template) with file:line:column.
Template loadTemplate(const std::filesystem::path& path);
Template parseTemplate(const std::string& xml, const std::string& displayName);

// A template named `name` in `dir` ("application" -> dir/application.xml), or a path to an
// .xml file. Throws gp::Error(Template) listing the available templates when not found.
std::filesystem::path findTemplate(const std::filesystem::path& dir, const std::string& name);
// Names of the templates in `dir`, sorted.
std::vector<std::string> listTemplates(const std::filesystem::path& dir);

}  // namespace gp::tmpl
