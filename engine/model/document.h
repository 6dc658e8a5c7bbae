// The document model: the seam between templates and renderers. A template filled with
// query rows becomes a Document; the PDF and XLSX renderers read a Document and nothing
// else, so one template yields both formats (and a third format is one more renderer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "core/value.h"

namespace gp::model {

// Text the engine could not show as given (README, "Text the engine cannot show as given"):
// it was replaced or cut, and the document is still valid. One line per field and kind of
// problem, however often it occurs, in the order first found; the distinct characters or
// bytes are listed (the first few). Filled by fill (invalid UTF-8, control characters,
// document properties) and by the renderers (a character no font has, a cell over Excel's
// limit); the CLI prints the lines, a batch logs them per record.
class Warnings {
public:
    enum class Kind {
        InvalidUtf8,  // bytes that are not UTF-8: each became U+FFFD
        Control,      // a control character (not tab, line feed, carriage return): became U+FFFD
        NoGlyph,      // a character no font has (PDF): became U+FFFD (drawn from DejaVu Sans)
        NoGlyphAscii, // the same where the fonts folder has no DejaVu Sans: became '?'
        CellCut,      // a text over Excel's 32,767 characters per cell: cut, ending with '…'
        PropertyCut,  // a document property over kMaxPropertyChars: cut, ending with '…'
        HeaderCut,    // an XLSX page header or footer over Excel's 255 characters: cut, ending with '…'
    };
    // `field` names where ("query 'project', column 'title'"); `item` what ("U+001B", "0xFF");
    // `length` for cuts, the text's length in characters (the longest is kept).
    void add(const std::string& field, Kind kind, const std::string& item = "", std::size_t length = 0);
    // Every line of `other` not here yet; a line both have keeps the items of both.
    void merge(const Warnings& other);
    bool empty() const { return entries_.empty(); }
    // "query 'project', column 'title': control characters (U+0000, U+001B) were replaced by U+FFFD"
    std::vector<std::string> lines() const;

private:
    struct Entry {
        std::string field;
        Kind kind;
        std::vector<std::string> items;
        std::size_t length = 0;
        std::size_t moreItems = 0;
    };
    std::vector<Entry> entries_;
};

// Document properties (title, subject, author, keywords) longer than this many characters are
// cut, ending with '…' (libharu refuses strings over 64 KB; no viewer shows more).
inline constexpr std::size_t kMaxPropertyChars = 1000;
// Excel's limit of characters in one cell; a longer text is cut to it, ending with '…'.
inline constexpr std::size_t kMaxCellChars = 32767;

// How a value is shown. PDF prints Cell::text; XLSX writes Cell::value with a number format.
enum class Format {
    Text,     // string cell
    Integer,  // 2200 -> "2200" (PDF), number with format "0" (XLSX)
    Number,   // decimals digits, grouped from five digits: "1234,50", "12 345,50"
    Money,    // "2 691 000,00 ₽" (PDF), number with #,##0.00\ "₽" (XLSX)
    Percent,  // value is a fraction (0.25) -> "25,0 %"
    Date,     // "01.01.2022" (PDF), a real date cell dd.mm.yyyy (XLSX)
    Boolean,  // "Да" / "Нет"
};
// Integer, Number, Money and Percent: the formats of numbers (right-aligned, summed, aligned
// on the decimal comma).
inline bool isNumber(Format f) {
    return f == Format::Integer || f == Format::Number || f == Format::Money || f == Format::Percent;
}

struct Cell {
    Value value;                   // typed value; Null for an empty cell
    Format format = Format::Text;  // how XLSX types the cell
    int decimals = 2;              // for Number and Percent
    std::string text;              // display text, already formatted the Russian way
    // A web or mail address the cell opens when clicked (http, https or mailto, ASCII, spaces
    // and non-ASCII bytes percent-encoded); empty: none. Table cells only.
    std::string link = {};  // (initialized: brace-initialized cells elsewhere may leave it out)
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
    // When non-empty, how each cell of the column follows from other cells of its row, for
    // renderers that can keep it live (XLSX writes a spreadsheet formula with the cell's value
    // as its cached result; PDF shows the value). The cells still hold the engine's exact
    // values. The form, independent of any renderer:
    //   [4]         the cell of column 4 (0-based) in the same row
    //   12, 1.5     numbers, '.' as the decimal separator (a negative one in parentheses)
    //   + - * /     arithmetic; unary minus; parentheses
    //   round(x)    x rounded half away from zero to a whole number (the `integer` filter)
    //   orempty(x)  x, or an empty cell where x cannot be computed: a division by zero, or a
    //               cell holding text (a `default` shown for NULL) — where the engine has NULL
    // e.g. "[4]*[5]", "orempty(round(([6]-[5])/[5]*100))". Every formula with a division is
    // wrapped in orempty.
    // (Initialized so that brace-initialized Columns elsewhere may leave it out.)
    std::string formula = {};
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
    // When set, XLSX starts a new sheet with this name here: the blocks that follow (until the
    // next heading with a sheet) go on it. PDF ignores it.
    std::string sheet;
};

// A stretch of paragraph text in one style.
struct Run {
    std::string text;
    bool bold = false;
    bool italic = false;
};

struct Paragraph {
    std::vector<Run> runs;
};

// The paragraph's text without styles.
std::string plainText(const Paragraph& p);
// A paragraph of one unstyled run.
Paragraph plainParagraph(std::string text);

struct Field {
    std::string label;
    Cell value;
};

struct FieldList {
    std::vector<Field> fields;
};

// Rows of a table that share a group key: a header row before them and, when the table has
// totals, a subtotal row after them.
struct Group {
    std::size_t begin = 0;  // first data row of the group
    std::size_t end = 0;    // one past its last data row
    std::string title;      // group header text, e.g. "Оплата труда"
    std::vector<Cell> subtotals;  // one per column (like Table::totals); empty when no totals
};

// Rows produced while rendering, for tables too large to hold (a registry of a million rows).
// Each renderer opens its own cursor and reads the rows once, in order.
class RowCursor {
public:
    virtual ~RowCursor() = default;
    // The next row (one cell per column); false after the last.
    virtual bool next(std::vector<Cell>& row) = 0;
    // After next() returned false: the totals row (one cell per column), or empty for none.
    virtual std::vector<Cell> totals() const = 0;
    // After next() returned false: what the rows' text needed replaced (see Warnings).
    virtual Warnings warnings() const { return {}; }
};

class RowSource {
public:
    virtual ~RowSource() = default;
    virtual std::unique_ptr<RowCursor> open() const = 0;
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
    // In row order, not overlapping; when non-empty every row belongs to one group.
    std::vector<Group> groups;
    // When set, the rows come from here instead of `rows` (which, with `groups` and `totals`,
    // stays empty); the totals from the cursor once it is exhausted.
    std::shared_ptr<const RowSource> stream;
};

// A picture from the templates folder (a logo on the title page).
struct Image {
    std::string path;    // absolute path of a PNG or JPEG file
    double widthMm = 0;  // 0: natural size (at 96 dpi), never wider than the text column
    Align align = Align::Center;
};

struct Series {
    std::string name;
    std::vector<Value> values;  // one per category: numbers (int, decimal, double) or Null for a gap
};

// A chart declared once, drawn by the PDF renderer as vector graphics and written by the
// XLSX renderer as a native chart over its data.
struct Chart {
    enum class Kind { Bar, GroupedBar, Line, Pie };
    Kind kind = Kind::Bar;
    std::string title;
    std::vector<std::string> categories;
    std::vector<Series> series;            // Bar and Pie use the first series only
    Format format = Format::Number;        // how values are labelled (Money, Integer, Percent…)
    std::string sheet;                     // XLSX sheet for the chart and its data; may be empty
    double heightMm = 70;                  // PDF height
};

// One party to a signature block.
struct Signatory {
    std::string position;  // "Генеральный директор"
    std::string name;      // "Е. С. Воронцова"
    std::string date;      // printed date; empty: a blank line «___» __________ 20__ г.
    std::string title = {};  // the party, above the block: "Грантополучатель"; may be empty
    bool seal = false;       // «М.П.»: where the seal goes
};

// A signature block: one party (position, the line to sign on and the name on one row, a date
// line below) or two or three side by side, each a column (title, position, line, name, date).
struct Signature {
    std::vector<Signatory> parties;
};

struct PageBreak {};

// Which renderer a block is for.
enum class Target { Both, PdfOnly, XlsxOnly };

using Content = std::variant<Title, Heading, Paragraph, FieldList, Table, PageBreak, Image, Chart, Signature>;

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

// Optional PDF protection.
struct Protection {
    std::string ownerPassword;  // empty: no protection
    std::string userPassword;   // empty: opens without a password
    bool allowPrint = true;
    bool allowCopy = true;
    bool allowEdit = false;
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
    // Header and footer text; {page} and {pages} are replaced by the renderer. Empty: none.
    std::string header;
    std::string footer = "Страница {page} из {pages}";
    bool titlePage = false;  // page 1 is a title page: no header or footer on it
    Protection protection;
    std::string sheet = "Сведения";  // XLSX name of the first (title and fields) sheet
    std::vector<Block> blocks;
    // What fill replaced or cut (the renderers report theirs to a sink of their own).
    Warnings warnings;
};

}  // namespace gp::model
