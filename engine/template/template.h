// Template definitions (templates/*.xml): parsed once, validated, every part carrying its
// file, line and column. See templates/README.md for the language.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "data/source.h"
#include "model/document.h"
#include "template/expr.h"
#include "template/xml.h"

namespace gp::tmpl {

struct ParamDef {
    enum class Type { Integer, Text, Date, Decimal, Boolean };
    std::string name;
    Type type = Type::Text;
    bool required = false;
    // secret="true", or used in <protection>: its value is never shown — not in file names,
    // logs, manifests, run history, document text or metadata, nor in error messages ("***").
    // It may be used only in <protection> and bound in queries.
    bool secret = false;
    std::optional<std::string> defaultValue;
    // choices="query": a query directly under <report>, using no parameter, whose rows (a
    // `value` column, an optional `label`) are the values a form offers. Empty: none.
    // Run only when asked for (tmpl::listChoices, fill.h), never by a render unless the document
    // itself uses the query.
    std::string choices;
    Location choicesLoc;  // of the choices attribute
    Location loc;
};

struct QueryDef {
    std::string name;
    std::string sql;
    data::BoundSql bound;  // `sql` with its :name parameters found, once, when compiled
    bool one = false;  // exactly one row expected; its columns are {name.column}
    Location loc;
    SourceText source;  // the SQL with positions, to point at a `:name` in it
};

// What a field or column shows when every placeholder of its value is empty (NULL or empty
// text): "—" unless empty="…" says otherwise; "" leaves it blank.
inline constexpr const char* kEmptyMark = "\u2014";

struct FieldDef {
    TextExpr label;
    TextExpr value;
    std::string empty = kEmptyMark;
    Location loc;
};

struct ColumnDef {
    TextExpr title;
    TextExpr value;
    std::string empty = kEmptyMark;
    model::Width width;
    std::optional<model::Align> align;
    std::optional<model::Aggregate> total;  // unset: decided by the table's totals attribute
    TextExpr link;  // link="{url}": the address each cell opens; empty: no links
    // formula="true": the column's expression over other columns of the table, in the form of
    // model::Column::formula ("[4]*[5]"); empty for a plain column (or when it was rejected).
    std::string formula;
    Location loc;
};

// A stretch of paragraph text in one style (<b>, <i> inside <paragraph>).
struct RunDef {
    TextExpr text;
    bool bold = false;
    bool italic = false;
};

struct SeriesDef {
    TextExpr name;
    TextExpr value;
    Location loc;
};

struct Block {
    enum class Kind { Title, Section, Paragraph, Fields, Table, PageBreak, Heading, Repeat, If, Image, Chart, Signature };
    Kind kind = Kind::Paragraph;
    model::Target target = model::Target::Both;
    Location loc;
    TextExpr text;      // title text, section/heading title, table caption, chart title, image src
    TextExpr subtitle;  // title
    int level = 1;      // section, heading
    TextExpr sheet;     // section/heading (new XLSX sheet), table, chart
    std::string rows;   // fields (one-row query; empty: the current row), table, repeat, chart
    Location rowsLoc;
    std::vector<FieldDef> fields;
    std::vector<ColumnDef> columns;
    std::vector<RunDef> runs;  // paragraph
    std::string emptyText;     // table, repeat: shown when there are no rows
    std::string totalsLabel;   // table: label of the totals row; empty = no totals row
    bool totals = false;
    // table: consecutive rows with the same `group` value form a group with a header row
    // (`groupTitle`, default the value) and, with totals, a subtotal row (`groupTotals`).
    std::optional<Expr> group;
    TextExpr groupTitle;
    TextExpr groupTotals;
    bool stream = false;  // table: rows read while rendering (model::Table::stream)
    std::optional<Expr> test;       // if
    std::vector<Block> children;    // section, repeat, if (when true)
    std::vector<Block> otherwise;   // if: the <else> that follows it
    std::vector<QueryDef> queries;  // repeat: detail queries run for each row
    double widthMm = 0;             // image
    model::Align align = model::Align::Center;  // image
    model::Chart::Kind chartKind = model::Chart::Kind::Bar;
    TextExpr category;  // chart
    std::vector<SeriesDef> series;
    double heightMm = 70;  // chart
    struct SignatoryDef {
        TextExpr title, position, name, date;
        bool seal = false;
    };
    std::vector<SignatoryDef> parties;  // signature: one, or two or three side by side
};

struct ProtectionDef {
    TextExpr ownerPassword;
    TextExpr userPassword;
    bool print = true, copy = true, edit = false;
    Location loc;
};

struct Template;
// Whether `name` is a secret parameter of `t`.
bool isSecretParam(const Template& t, const std::string& name);

struct Template {
    std::string name;  // file name without .xml
    std::string file;  // path as given, for messages
    std::filesystem::path folder;  // images are found relative to it
    TextExpr title, subject, author, keywords;
    std::string sheet = "Сведения";
    std::optional<model::PageSetup::Size> pageSize;
    std::optional<bool> landscape;
    std::optional<std::array<double, 4>> margins;  // top, right, bottom, left (mm)
    std::optional<std::string> fontFamily;
    Location fontLoc;
    std::optional<double> fontSize;
    bool titlePage = false;
    std::optional<TextExpr> header, footer;
    std::optional<ProtectionDef> protection;
    std::vector<ParamDef> params;
    std::vector<QueryDef> queries;
    std::vector<Block> body;

    // A query declared directly under <report>.
    const QueryDef* query(const std::string& name) const;
    const ParamDef* param(const std::string& name) const;
};

// Reads and validates a template file. Throws gp::Error(Template) with file:line:column of
// the first problem (and how many more there are).
Template loadTemplate(const std::filesystem::path& path);
// `folder` is where images are looked for; empty: the folder of `displayName`.
Template parseTemplate(const std::string& xml, const std::string& displayName,
                       const std::filesystem::path& folder = {});

// Every problem of a template, in file order, without stopping at the first. `columns`
// gives the columns of a query (validate.h; check.h reads them from a database); without it
// only what needs no database is checked. Returns the template when it could be read at all.
struct ColumnSource;
std::optional<Template> compileTemplate(const std::string& xml, const std::string& displayName,
                                        const std::filesystem::path& folder, std::vector<Error>& problems,
                                        ColumnSource* columns = nullptr);

// A template named `name` in `dir` ("application" -> dir/application.xml), or a path to an
// .xml file. Throws gp::Error(Template) listing the available templates when not found.
std::filesystem::path findTemplate(const std::filesystem::path& dir, const std::string& name);
// Names of the templates in `dir`, sorted.
std::vector<std::string> listTemplates(const std::filesystem::path& dir);

}  // namespace gp::tmpl
