// The document model: the seam between templates and renderers. A template filled with
// query rows becomes a Document; the PDF and XLSX renderers read a Document and nothing
// else, so one template yields both formats (and a third format is one more renderer).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/value.h"

namespace gp::model {

// How a value is shown. PDF prints Cell::text; XLSX writes Cell::value with a number format.
enum class Format {
    Text,     // string cell
    Integer,  // 2200 -> "2200" (PDF), number with format "0" (XLSX)
    Number,   // decimals digits, grouped: "1 234,50"
    Money,    // "2 691 000,00 ₽" (PDF), number with #,##0.00\ "₽" (XLSX)
    Percent,  // value is a fraction (0.25) -> "25,0 %"
    Date,     // "01.01.2022" (PDF), a real date cell dd.mm.yyyy (XLSX)
    Boolean,  // "Да" / "Нет"
};

struct Cell {
    Value value;                   // typed value; Null for an empty cell
    Format format = Format::Text;  // how XLSX types the cell
    int decimals = 2;              // for Number and Percent
    std::string text;              // display text, already formatted the Russian way
};

enum class Align { Left, Center, Right };

struct Width {
    enum class Kind { Share, Fixed, Percent };
    Kind kind = Kind::Share;  // Share: a share of what fixed and percent columns leave
    double amount = 1;        // Fixed: millimetres; Percent: 0..100; Share: weight
};

enum class Aggregate { None, Sum, Count, Average, Min, Max };

struct Column {
    std::string title;
    Width width;
    Align align = Align::Left;
    Format format = Format::Text;
    int decimals = 2;
    Aggregate total = Aggregate::None;  // what the totals row shows for this column
};

// Document title (title page or top of page 1). Not a bookmark.
struct Title {
    std::string text;
    std::string subtitle;  // may be empty
};

// A section title: level 1..3; becomes a nested PDF bookmark.
struct Heading {
    int level = 1;
    std::string text;
};

struct Paragraph {
    std::string text;
};

struct Field {
    std::string label;
    Cell value;
};

struct FieldList {
    std::vector<Field> fields;
};

struct Table {
    std::string sheet;  // XLSX sheet name wanted by the template (renderer sanitizes); may be empty
    std::string caption;  // shown above the table; may be empty
    std::vector<Column> columns;
    std::vector<std::vector<Cell>> rows;  // each row has columns.size() cells
    // When non-empty: one cell per column, computed exactly by the engine. The first column
    // holds the label ("Итого") unless it has an aggregate of its own. XLSX writes each
    // aggregated column as a formula over the data rows with this cell as its cached value.
    std::vector<Cell> totals;
    std::string emptyText;  // shown instead of the rows when there are none
};

struct PageBreak {};

// Which renderer a block is for.
enum class Target { Both, PdfOnly, XlsxOnly };

using Content = std::variant<Title, Heading, Paragraph, FieldList, Table, PageBreak>;

struct Block {
    Content content;
    Target target = Target::Both;
};

struct PageSetup {
    enum class Size { A4, A3, Letter };
    Size size = Size::A4;
    bool landscape = false;
    // Margins in millimetres.
    double top = 20, right = 15, bottom = 20, left = 25;
};

struct Metadata {
    std::string title;
    std::string subject;
    std::string author;
    std::string keywords;
    std::string creator = "GrantPress";
    // Creation time, seconds since the Unix epoch (UTC). Fixed, never "now", so the same
    // data and template give the same bytes.
    std::int64_t created = 0;
};

struct Document {
    Metadata meta;
    PageSetup page;
    std::string fontFamily = "PTSerif";  // files <fontFamily>-{Regular,Bold,Italic,BoldItalic}.ttf
    double fontSize = 10.5;              // points
    // Footer text; {page} and {pages} are replaced by the renderer. Empty: no footer.
    std::string footer = "Страница {page} из {pages}";
    std::string sheet = "Сведения";  // XLSX name of the first (title and fields) sheet
    std::vector<Block> blocks;
};

}  // namespace gp::model
