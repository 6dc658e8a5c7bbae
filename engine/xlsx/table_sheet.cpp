#include "xlsx/table_sheet.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "xlsx/measure.h"

namespace gp::xlsx::detail {
namespace {

constexpr std::uint32_t kLinkColor = 0x0563C1;  // Excel's hyperlink blue
constexpr std::size_t kMaxLinks = 65530;       // Excel's hyperlinks per sheet
constexpr std::size_t kMaxLinkLength = 2079;   // Excel's longest hyperlink
// A header further down than this is not frozen: the frozen rows would fill the screen.
constexpr lxw_row_t kMaxFrozenRows = 4;

// The function of a plain totals row ("=SUM(E3:E7)").
const char* functionOf(model::Aggregate aggregate) {
    switch (aggregate) {
        case model::Aggregate::Sum: return "SUM";
        case model::Aggregate::Count: return "COUNTA";
        case model::Aggregate::Average: return "AVERAGE";
        case model::Aggregate::Min: return "MIN";
        case model::Aggregate::Max: return "MAX";
        case model::Aggregate::None: break;
    }
    return nullptr;
}

// SUBTOTAL's function number for the same aggregate: SUBTOTAL skips the cells of other
// SUBTOTAL formulas in its range, so a grand total over a grouped table can span the
// group subtotal rows.
int subtotalCode(model::Aggregate aggregate) {
    switch (aggregate) {
        case model::Aggregate::Sum: return 9;
        case model::Aggregate::Count: return 3;  // COUNTA
        case model::Aggregate::Average: return 1;
        case model::Aggregate::Min: return 5;
        case model::Aggregate::Max: return 4;
        case model::Aggregate::None: break;
    }
    return 0;
}

HAlign alignOf(model::Align align) {
    switch (align) {
        case model::Align::Left: return HAlign::General;  // text left, numbers right
        case model::Align::Center: return HAlign::Center;
        case model::Align::Right: return HAlign::Right;
    }
    return HAlign::General;
}

std::string rows(std::size_t n) { return std::to_string(n) + (n == 1 ? " row" : " rows"); }

class TableWriter {
public:
    TableWriter(SheetWriter& sheet, const model::Document& doc, const model::Table& table, std::size_t measureRows,
                const TablePlacement& placement)
        : sheet_(sheet), doc_(doc), table_(table), ncols_(table.columns.size()),
          measureRows_(std::max<std::size_t>(measureRows, 1)), placement_(placement) {}

    lxw_row_t render();

private:
    // ----- where the rows come from ------------------------------------------------------
    void openStream();
    const std::vector<model::Cell>* nextRow();
    void checkWidth(const std::vector<model::Cell>& row, std::size_t index) const;

    // ----- layout ------------------------------------------------------------------------
    void validate() const;
    void fitColumns();
    void widenForTotals(const std::vector<model::Cell>& totals);
    double span(lxw_col_t first, lxw_col_t last) const;
    Style baseStyle(std::size_t c) const;
    void prepareFormats();

    // ----- rows --------------------------------------------------------------------------
    void caption(lxw_row_t row);
    void headerRow(lxw_row_t row);
    void dataRow(lxw_row_t row, const std::vector<model::Cell>& cells, std::uint8_t level);
    int dataCell(lxw_row_t row, std::size_t c, const model::Cell& cell);
    void formulaCell(lxw_row_t row, std::size_t c, const model::Cell& cell);
    lxw_format* numberFormatFor(std::size_t c, const model::Cell& cell);
    void groupRow(lxw_row_t row, const model::Group& group);
    void emptyRow(lxw_row_t row);
    // A totals or subtotal row: `formula(c)` is the formula of aggregated column c, or empty
    // where the cell's own value is written instead.
    template <typename FormulaFor>
    void aggregateRow(lxw_row_t row, const std::vector<model::Cell>& cells, FormulaFor formula);
    std::string range(lxw_col_t col, lxw_row_t first, lxw_row_t last) const {
        return cellName(first, col) + ":" + cellName(last, col);
    }

    lxw_row_t writeGrouped(lxw_row_t row);
    lxw_row_t writeRows(lxw_row_t row);

    SheetWriter& sheet_;
    const model::Document& doc_;
    const model::Table& table_;
    const std::size_t ncols_;
    const std::size_t measureRows_;
    const TablePlacement placement_;

    std::unique_ptr<model::RowCursor> cursor_;
    std::deque<std::vector<model::Cell>> ahead_;  // streamed rows read for measuring, not yet written
    std::vector<model::Cell> current_;
    std::size_t taken_ = 0;  // rows handed out by nextRow()
    bool exhausted_ = false;  // the cursor said there are no more rows

    std::vector<double> widths_;
    std::vector<std::string> firstTexts_;  // texts of the first data row (currency of untyped totals)

    struct NumberKey {
        bool valid = false;
        model::Format format = model::Format::Text;
        int decimals = 0;
        std::optional<std::string> tail;
        lxw_format* format_ = nullptr;
    };
    std::vector<lxw_format*> stringFormats_;
    std::vector<lxw_format*> linkFormats_;  // string cells that open a link: blue, underlined
    std::vector<lxw_format*> blankFormats_;
    std::size_t links_ = 0;  // hyperlinks written on the sheet
    std::vector<NumberKey> numberFormats_;  // the last number format used, per column
    std::vector<std::optional<RowFormula>> formulas_;  // per column with a model formula
};

lxw_row_t TableWriter::render() {
    validate();
    if (table_.stream) openStream();
    fitColumns();
    prepareFormats();
    const lxw_col_t last = ncols_ == 0 ? 0 : static_cast<lxw_col_t>(ncols_ - 1);
    const bool own = placement_.grid == nullptr;

    lxw_row_t row = placement_.firstRow;
    if (!table_.caption.empty()) caption(row++);
    if (ncols_ == 0) {  // nothing to tabulate: just the caption and the empty text
        if (!table_.emptyText.empty()) emptyRow(row++);
        if (own) pageSetup(sheet_, doc_, doc_.page.landscape);
        return row;
    }

    const lxw_row_t header = row;
    headerRow(header);
    const lxw_row_t firstData = header + 1;
    const bool grouped = !table_.stream && !table_.groups.empty() && !table_.rows.empty();
    lxw_row_t next = grouped ? writeGrouped(firstData) : writeRows(firstData);
    const lxw_row_t nrows = next - firstData;  // data rows, with group header and subtotal rows
    // Now, before the totals row: in constant-memory mode libxlsxwriter refuses a filter range
    // that ends above the last row written. A sheet has one filter: the only table's.
    if (nrows > 0 && placement_.alone) sheet_.call(worksheet_autofilter(sheet_.ws(), header, 0, next - 1, last), "autofilter");

    std::vector<model::Cell> streamedTotals;
    if (cursor_) {
        streamedTotals = cursor_->totals();
        if (sheet_.warnings) sheet_.warnings->merge(cursor_->warnings());
        if (!streamedTotals.empty() && streamedTotals.size() != ncols_)
            throw Error(ErrorKind::Render, "sheet '" + sheet_.name() + "': the streamed totals row has " +
                                               std::to_string(streamedTotals.size()) + " cells, the table has " +
                                               std::to_string(ncols_) + " columns");
        widenForTotals(streamedTotals);
    }
    const std::vector<model::Cell>& totals = cursor_ ? streamedTotals : table_.totals;

    if (nrows == 0 && !table_.emptyText.empty()) emptyRow(next++);
    if (!totals.empty()) {
        const lxw_row_t totalsRow = next++;
        const lxw_row_t lastData = totalsRow - 1;
        // Group header titles stand in column A: a COUNTA there must not count them.
        std::size_t titles = 0;
        if (grouped)
            for (const model::Group& g : table_.groups) titles += g.title.empty() ? 0 : 1;
        aggregateRow(totalsRow, totals, [&](std::size_t c) -> std::string {
            const model::Aggregate aggregate = table_.columns[c].total;
            if (nrows == 0 || aggregate == model::Aggregate::None) return {};
            const auto col = static_cast<lxw_col_t>(c);
            if (!grouped) return std::string("=") + functionOf(aggregate) + "(" + range(col, firstData, lastData) + ")";
            std::string f = "=SUBTOTAL(" + std::to_string(subtotalCode(aggregate)) + "," +
                            range(col, firstData, lastData) + ")";
            if (aggregate == model::Aggregate::Count && c == 0 && titles > 0) f += "-" + std::to_string(titles);
            return f;
        });
    }

    // One table at the top of its sheet (a sheet of its own, or a running sheet that opens
    // with it): its header stays on the screen while the rows scroll and is printed on every
    // page. Further down a running sheet it would also top the pages of the text after it.
    if (placement_.alone && firstData <= kMaxFrozenRows) {
        lxw_worksheet* ws = sheet_.ws();
        worksheet_freeze_panes(ws, firstData, 0);
        sheet_.call(worksheet_repeat_rows(ws, header, header), "repeated header rows");
    }
    if (own) pageSetup(sheet_, doc_, doc_.page.landscape);
    return next;
}

// ----- where the rows come from ----------------------------------------------------------

void TableWriter::openStream() {
    cursor_ = table_.stream->open();
    if (!cursor_) throw Error(ErrorKind::Render, "sheet '" + sheet_.name() + "': the table's row source gave no rows");
    // The first rows are read ahead: the column widths are measured on them.
    while (ahead_.size() < measureRows_) {
        std::vector<model::Cell> row;
        if (!cursor_->next(row)) {
            exhausted_ = true;
            break;
        }
        checkWidth(row, ahead_.size());
        ahead_.push_back(std::move(row));
    }
}

const std::vector<model::Cell>* TableWriter::nextRow() {
    if (!cursor_) return taken_ < table_.rows.size() ? &table_.rows[taken_++] : nullptr;
    if (!ahead_.empty()) {
        current_ = std::move(ahead_.front());
        ahead_.pop_front();
        ++taken_;
        return &current_;
    }
    if (exhausted_) return nullptr;  // never ask an exhausted cursor again
    if (!cursor_->next(current_)) {
        exhausted_ = true;
        return nullptr;
    }
    checkWidth(current_, taken_);
    ++taken_;
    return &current_;
}

void TableWriter::checkWidth(const std::vector<model::Cell>& row, std::size_t index) const {
    if (row.size() != ncols_)
        throw Error(ErrorKind::Render, "sheet '" + sheet_.name() + "': row " + std::to_string(index + 1) + " has " +
                                           std::to_string(row.size()) + " cells, the table has " +
                                           std::to_string(ncols_) + " columns");
}

// ----- layout ----------------------------------------------------------------------------

void TableWriter::validate() const {
    const std::string where = "sheet '" + sheet_.name() + "': ";
    if (ncols_ > LXW_COL_MAX)
        throw Error(ErrorKind::Render, where + "the table has " + std::to_string(ncols_) + " columns, Excel allows " +
                                           std::to_string(LXW_COL_MAX));
    if (table_.stream) return;  // rows, groups and totals come from the cursor
    const std::size_t extra = table_.groups.size() * 2 + 4;  // caption, header, empty text, totals
    if (table_.rows.size() + extra > LXW_ROW_MAX)
        throw Error(ErrorKind::Render, where + "the table has " + rows(table_.rows.size()) +
                                           ", more than an Excel sheet holds (" + std::to_string(LXW_ROW_MAX) + ")");
    for (std::size_t i = 0; i < table_.rows.size(); ++i) checkWidth(table_.rows[i], i);
    if (!table_.totals.empty() && table_.totals.size() != ncols_)
        throw Error(ErrorKind::Render, where + "the totals row has " + std::to_string(table_.totals.size()) +
                                           " cells, the table has " + std::to_string(ncols_) + " columns");
    std::size_t expected = 0;
    for (std::size_t g = 0; g < table_.groups.size(); ++g) {
        const model::Group& group = table_.groups[g];
        const std::string name = "group " + std::to_string(g + 1) + " ('" + group.title + "')";
        if (group.begin != expected || group.end < group.begin || group.end > table_.rows.size())
            throw Error(ErrorKind::Render, where + name + " covers rows " + std::to_string(group.begin + 1) + ".." +
                                               std::to_string(group.end) + ", expected to start at row " +
                                               std::to_string(expected + 1) + " and end by row " +
                                               std::to_string(table_.rows.size()));
        if (!group.subtotals.empty() && group.subtotals.size() != ncols_)
            throw Error(ErrorKind::Render, where + name + " has " + std::to_string(group.subtotals.size()) +
                                               " subtotal cells, the table has " + std::to_string(ncols_) + " columns");
        expected = group.end;
    }
    if (!table_.groups.empty() && expected != table_.rows.size())
        throw Error(ErrorKind::Render, where + "the groups cover " + rows(expected) + " of " +
                                           std::to_string(table_.rows.size()));
}

void TableWriter::fitColumns() {
    // A streamed table is measured on the rows read ahead; its totals come at the end.
    const std::vector<ColumnNeed> needs = measureTable(table_, cursor_ ? &ahead_ : nullptr);
    if (ColumnGrid* grid = placement_.grid) {
        // Down a running sheet: the sheet's columns, planned for the tables it holds; a
        // streamed table's rows were not known then.
        if (cursor_) {
            grid->widen(needs, doc_, placement_.firstRow > 0);  // nothing above: free to narrow
            grid->apply(sheet_);
        }
        widths_.assign(grid->widths.begin(), grid->widths.begin() + static_cast<std::ptrdiff_t>(ncols_));
        return;
    }
    std::vector<double> floors(ncols_);
    widths_.resize(ncols_);
    for (std::size_t c = 0; c < ncols_; ++c) {
        widths_[c] = needs[c].want;
        floors[c] = needs[c].floor;
    }
    fitToWidth(widths_, floors, fitTarget(doc_, floors));
    for (std::size_t c = 0; c < ncols_; ++c) sheet_.width(static_cast<lxw_col_t>(c), widths_[c]);
}

// libxlsxwriter writes the column widths when the workbook is closed, so a streamed table's
// column can still be widened once its total is known.
void TableWriter::widenForTotals(const std::vector<model::Cell>& totals) {
    std::vector<ColumnNeed> needs;
    for (std::size_t c = 0; c < totals.size() && c < ncols_; ++c) {
        double wanted = std::min(measure::widthFor(measure::textWidth(displayText(totals[c]), true)), kMaxColumnWidth);
        needs.push_back({wanted, wanted});
        if (wanted > widths_[c]) widths_[c] = wanted;
    }
    if (ColumnGrid* grid = placement_.grid) {
        grid->widen(needs, doc_, true);
        grid->apply(sheet_);
        return;
    }
    for (std::size_t c = 0; c < ncols_; ++c) sheet_.width(static_cast<lxw_col_t>(c), widths_[c]);
}

double TableWriter::span(lxw_col_t first, lxw_col_t last) const {
    if (widths_.empty()) return kMaxColumnWidth;
    double w = 0;
    for (lxw_col_t c = first; c <= last; ++c) w += widths_[c];
    return w;
}

Style TableWriter::baseStyle(std::size_t c) const {
    Style style;
    style.border = true;
    style.top = true;
    style.align = alignOf(table_.columns[c].align);
    return style;
}

void TableWriter::prepareFormats() {
    stringFormats_.resize(ncols_);
    linkFormats_.resize(ncols_);
    blankFormats_.resize(ncols_);
    numberFormats_.assign(ncols_, NumberKey{});
    formulas_.assign(ncols_, std::nullopt);
    for (std::size_t c = 0; c < ncols_; ++c) {
        if (const std::string& formula = table_.columns[c].formula; !formula.empty()) {
            try {
                formulas_[c].emplace(formula, ncols_);
            } catch (const Error& e) {
                throw Error(ErrorKind::Render, "sheet '" + sheet_.name() + "', column '" + table_.columns[c].title +
                                                   "': " + e.what());
            }
        }
        Style style = baseStyle(c);
        blankFormats_[c] = sheet_.format(style);
        style.wrap = true;
        stringFormats_[c] = sheet_.format(style);
        style.color = kLinkColor;
        style.underline = true;
        linkFormats_[c] = sheet_.format(style);
    }
}

// ----- rows ------------------------------------------------------------------------------

void TableWriter::caption(lxw_row_t row) {
    const lxw_col_t last = ncols_ == 0 ? 0 : static_cast<lxw_col_t>(ncols_ - 1);
    Style style;
    style.bold = true;
    style.size = 12;
    style.wrap = true;
    sheet_.merged(row, 0, last, asString(table_.caption), style);
    sheet_.height(row, rowHeight(linesIn(table_.caption, span(0, last), true, 12), 12));
}

void TableWriter::headerRow(lxw_row_t row) {
    Style style;
    style.bold = true;
    style.border = true;
    style.wrap = true;
    style.vcenter = true;
    style.align = HAlign::Center;
    int lines = 1;
    for (std::size_t c = 0; c < ncols_; ++c) {
        const std::string& title = table_.columns[c].title;
        sheet_.put(row, static_cast<lxw_col_t>(c), asString(title), style);
        lines = std::max(lines, linesIn(title, widths_[c], true, kDefaultFontSize));
    }
    if (lines > 1) sheet_.height(row, rowHeight(lines, kDefaultFontSize));
}

lxw_row_t TableWriter::writeRows(lxw_row_t row) {
    // Two rows stay free below the data: the empty text or the totals.
    const lxw_row_t limit = LXW_ROW_MAX - 1;
    while (const std::vector<model::Cell>* cells = nextRow()) {
        if (row >= limit)
            throw Error(ErrorKind::Render, "sheet '" + sheet_.name() + "': the table has more rows than an Excel sheet holds (" +
                                               std::to_string(LXW_ROW_MAX) + " rows)");
        if (firstTexts_.empty())
            for (const model::Cell& cell : *cells) firstTexts_.push_back(cell.text);
        dataRow(row++, *cells, 0);
    }
    return row;
}

lxw_row_t TableWriter::writeGrouped(lxw_row_t row) {
    for (const model::Cell& cell : table_.rows.front()) firstTexts_.push_back(cell.text);
    for (const model::Group& group : table_.groups) {
        groupRow(row++, group);
        const lxw_row_t first = row;
        for (std::size_t r = group.begin; r < group.end; ++r) dataRow(row++, table_.rows[r], 1);
        if (group.subtotals.empty()) continue;
        const lxw_row_t last = row - 1;
        const bool empty = group.end == group.begin;
        aggregateRow(row++, group.subtotals, [&](std::size_t c) -> std::string {
            const model::Aggregate aggregate = table_.columns[c].total;
            if (empty || aggregate == model::Aggregate::None) return {};
            return "=SUBTOTAL(" + std::to_string(subtotalCode(aggregate)) + "," +
                   range(static_cast<lxw_col_t>(c), first, last) + ")";
        });
    }
    return row;
}

void TableWriter::dataRow(lxw_row_t row, const std::vector<model::Cell>& cells, std::uint8_t level) {
    sheet_.at(row);
    int lines = 1;
    for (std::size_t c = 0; c < ncols_; ++c) lines = std::max(lines, dataCell(row, c, cells[c]));
    if (lines > 1 || level > 0)
        sheet_.rowOptions(row, lines > 1 ? rowHeight(lines, kDefaultFontSize) : LXW_DEF_ROW_HEIGHT, level);
}

// Writes one data cell without copying its text; returns the lines it wraps to.
int TableWriter::dataCell(lxw_row_t row, std::size_t c, const model::Cell& cell) {
    if (formulas_[c]) {
        formulaCell(row, c, cell);
        return 1;
    }
    lxw_worksheet* ws = sheet_.ws();
    const auto col = static_cast<lxw_col_t>(c);
    std::string fallback;  // the display text when the engine gave none
    const std::string* text = nullptr;
    switch (cell.format) {
        case model::Format::Text:
        case model::Format::Boolean: break;
        case model::Format::Date:
            if (isNull(cell.value)) {
                sheet_.checkAt(worksheet_write_blank(ws, row, col, numberFormatFor(c, cell)), row, col);
                return 1;
            }
            if (auto dt = excelDate(cell.value)) {
                sheet_.checkAt(worksheet_write_datetime(ws, row, col, &*dt, numberFormatFor(c, cell)), row, col);
                return 1;
            }
            break;
        case model::Format::Integer:
        case model::Format::Number:
        case model::Format::Money:
        case model::Format::Percent:
            if (isNull(cell.value)) {
                sheet_.checkAt(worksheet_write_blank(ws, row, col, numberFormatFor(c, cell)), row, col);
                return 1;
            }
            if (auto n = numeric(cell.value)) {
                sheet_.checkAt(worksheet_write_number(ws, row, col, *n, numberFormatFor(c, cell)), row, col);
                return 1;
            }
            break;
    }
    if (!cell.text.empty() || isNull(cell.value)) {
        text = &cell.text;
    } else {
        fallback = displayText(cell);
        text = &fallback;
    }
    if (text->empty()) {
        sheet_.checkAt(worksheet_write_blank(ws, row, col, blankFormats_[c]), row, col);
        return 1;
    }
    std::string cut;
    text = &sheet_.cellText(*text, col, cut);
    // Excel keeps at most 65,530 links a sheet and 2,079 characters a link: beyond, the text
    // is written without its link rather than failing the document.
    if (!cell.link.empty() && links_ < kMaxLinks && cell.link.size() <= kMaxLinkLength) {
        sheet_.checkAt(worksheet_write_url_opt(ws, row, col, cell.link.c_str(), linkFormats_[c], text->c_str(), nullptr),
                       row, col);
        ++links_;
        return linesIn(*text, widths_[c], false, kDefaultFontSize);
    }
    sheet_.checkAt(worksheet_write_string(ws, row, col, text->c_str(), stringFormats_[c]), row, col);
    return linesIn(*text, widths_[c], false, kDefaultFontSize);
}

// The column's formula for this row with the engine's value as the cached result, so readers
// that do not recalculate show what the PDF shows.
void TableWriter::formulaCell(lxw_row_t row, std::size_t c, const model::Cell& cell) {
    lxw_worksheet* ws = sheet_.ws();
    const auto col = static_cast<lxw_col_t>(c);
    const std::string formula = formulas_[c]->at(row);
    const bool number = cell.format != model::Format::Text && cell.format != model::Format::Boolean &&
                        (numeric(cell.value) || excelDate(cell.value));
    if (number) {
        sheet_.checkAt(worksheet_write_formula_num(ws, row, col, formula.c_str(), numberFormatFor(c, cell),
                                                   cachedNumber(cell.value)),
                       row, col);
        return;
    }
    // NULL (a division by zero or an empty operand), or the text a `default` filter put in its
    // place for PDF: cached as empty text, which is what IFERROR(…,"") gives for a division by
    // zero, and shows as the empty cell the engine means. The cell keeps the number format of
    // the column's rows, for when the sheet recalculates it to a number.
    lxw_format* format = numberFormats_[c].valid ? numberFormats_[c].format_ : nullptr;
    if (!format) {
        const model::Column& column = table_.columns[c];
        model::Cell like;
        like.format = column.format == model::Format::Text ? model::Format::Number : column.format;
        like.decimals = column.decimals;
        format = numberFormatFor(c, like);
    }
    sheet_.checkAt(worksheet_write_formula_str(ws, row, col, formula.c_str(), format, ""), row, col);
}

lxw_format* TableWriter::numberFormatFor(std::size_t c, const model::Cell& cell) {
    NumberKey& key = numberFormats_[c];
    std::optional<std::string_view> tail;
    if (cell.format == model::Format::Money) tail = moneyTail(cell.text);
    if (key.valid && key.format == cell.format && key.decimals == cell.decimals && key.tail == tail)
        return key.format_;
    Style style = baseStyle(c);
    style.numFormat = numberFormat(cell.format, cell.decimals, cell.text);
    key.valid = true;
    key.format = cell.format;
    key.decimals = cell.decimals;
    key.tail = tail ? std::optional<std::string>(*tail) : std::nullopt;
    key.format_ = sheet_.format(style);
    return key.format_;
}

void TableWriter::groupRow(lxw_row_t row, const model::Group& group) {
    const auto last = static_cast<lxw_col_t>(ncols_ - 1);
    Style style;
    style.bold = true;
    style.border = true;
    style.fill = true;
    style.wrap = true;
    style.top = true;
    sheet_.merged(row, 0, last, asString(group.title), style);
    int lines = linesIn(group.title, span(0, last), true, kDefaultFontSize);
    if (lines > 1) sheet_.height(row, rowHeight(lines, kDefaultFontSize));
}

void TableWriter::emptyRow(lxw_row_t row) {
    const lxw_col_t last = ncols_ == 0 ? 0 : static_cast<lxw_col_t>(ncols_ - 1);
    Style style;
    style.italic = true;
    style.wrap = true;
    style.top = true;
    sheet_.merged(row, 0, last, asString(table_.emptyText), style);
    int lines = linesIn(table_.emptyText, span(0, last), false, kDefaultFontSize);
    if (lines > 1) sheet_.height(row, rowHeight(lines, kDefaultFontSize));
}

template <typename FormulaFor>
void TableWriter::aggregateRow(lxw_row_t row, const std::vector<model::Cell>& cells, FormulaFor formulaFor) {
    int lines = 1;
    // The label («Итого: Оплата труда») runs over the empty cells after it, as in the PDF: in a
    // narrow first column («№») it would wrap into a row two or three lines tall.
    std::size_t labelSpan = 1;
    if (ncols_ > 1 && formulaFor(0).empty() && typed(cells[0]).kind == Typed::Kind::String)
        while (labelSpan < ncols_ && formulaFor(labelSpan).empty() && cells[labelSpan].text.empty()) ++labelSpan;
    if (labelSpan > 1) {
        Style style;
        style.bold = true;
        style.border = true;
        style.top = true;
        style.wrap = true;
        const Typed label = typed(cells[0]);
        const auto last = static_cast<lxw_col_t>(labelSpan - 1);
        sheet_.merged(row, 0, last, label, style);
        lines = linesIn(label.text, span(0, last), true, kDefaultFontSize);
    }
    for (std::size_t i = labelSpan > 1 ? labelSpan : 0; i < ncols_; ++i) {
        const auto c = static_cast<lxw_col_t>(i);
        const model::Column& column = table_.columns[i];
        const model::Cell& cell = cells[i];
        Style style;
        style.bold = true;
        style.border = true;
        style.top = true;
        style.align = alignOf(column.align);
        const std::string formula = formulaFor(i);
        if (!formula.empty()) {
            if (cell.format == model::Format::Text || cell.format == model::Format::Boolean) {
                // An untyped totals cell: format it like the column (a count as an integer),
                // with the currency sign of the column's first cell.
                model::Format format = column.total == model::Aggregate::Count ? model::Format::Integer : column.format;
                style.numFormat = numberFormat(format, column.decimals, i < firstTexts_.size() ? firstTexts_[i] : "");
            } else {
                style.numFormat = numberFormat(cell.format, cell.decimals, cell.text);
            }
            sheet_.formula(row, c, formula, cachedNumber(cell.value), style);
        } else {
            Typed value = typed(cell);
            if (value.kind == Typed::Kind::String) {
                style.wrap = true;
                lines = std::max(lines, linesIn(value.text, widths_[i], true, kDefaultFontSize));
            }
            sheet_.put(row, c, value, style);
        }
    }
    if (lines > 1) sheet_.height(row, rowHeight(lines, kDefaultFontSize));
}

}  // namespace

lxw_row_t renderTable(SheetWriter& sheet, const model::Document& doc, const model::Table& table,
                      std::size_t measureRows, const TablePlacement& placement) {
    return TableWriter(sheet, doc, table, measureRows, placement).render();
}

}  // namespace gp::xlsx::detail
