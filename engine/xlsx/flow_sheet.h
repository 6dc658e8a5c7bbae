// A sheet of running document content: the first sheet, and one per heading that names a
// sheet. Titles, headings, paragraphs, field lists, tables, images, charts and signatures go
// down it row by row in the template's order, each row written once, so the printed sheet
// reads like the PDF. Its columns are the tables' columns (the widest of each, fitted to the
// page together); text spans them all, a field's label the first ones and its value the rest.
// Without tables it has four columns (A:D) sized by its field lists.
#pragma once

#include <xlsxwriter.h>

#include <string>
#include <vector>

#include "model/document.h"
#include "xlsx/columns.h"
#include "xlsx/sheet.h"

namespace gp::xlsx::detail {

class FlowSheet {
public:
    // `fields` and `tables`: the field lists and tables this sheet will hold; they set the
    // columns. `measureRows`: how many rows of a streamed table its columns are fitted to.
    FlowSheet(SheetWriter sheet, const model::Document& doc, const std::vector<const model::FieldList*>& fields,
              const std::vector<const model::Table*>& tables, std::size_t measureRows);

    SheetWriter& sheet() { return sheet_; }

    void add(const model::Title& title);
    void add(const model::Heading& heading);
    void add(const model::Paragraph& paragraph);
    void add(const model::FieldList& list);
    void add(const model::PageBreak&);
    void add(const model::Table& table);
    // Scaled to widthMm (natural size at the file's resolution when 0), never wider than A:D.
    // A missing or unreadable file throws gp::Error(Render) naming the path.
    void add(const model::Image& image);
    void add(const model::Signature& signature);
    void addParty(const model::Signatory& party);
    // A chart already filled with series, drawn across A:D at the current row, `heightMm` tall;
    // `chart` null: the title and a note that there is nothing to draw.
    void addChart(lxw_chart* chart, const model::Chart& block);
    // A table or chart that stands on a sheet of its own: a line naming it ("Таблица «…» — на
    // листе «…»"), linked to that sheet.
    void addReference(const std::string& what, const std::string& sheetName);

    // Page breaks and print setup; call once, after the last block.
    void finish();

private:
    void fitColumns(const std::vector<const model::FieldList*>& fields);
    void fitTables(const std::vector<const model::FieldList*>& fields, const std::vector<const model::Table*>& tables);
    lxw_col_t last() const { return static_cast<lxw_col_t>(grid_.size() - 1); }
    double span(lxw_col_t first, lxw_col_t last) const { return grid_.span(first, last); }
    int spanPixels(lxw_col_t first, lxw_col_t last) const;
    // The columns split into `parts` runs of about equal width: [first, last] of each.
    std::vector<std::pair<lxw_col_t, lxw_col_t>> partition(std::size_t parts) const;
    void line(const std::string& text, Style style);
    void next();
    void blankRow();
    // Leaves the rows an object `heightPixels` tall covers (at the default row height).
    void skipPixels(double heightPixels);

    SheetWriter sheet_;
    const model::Document& doc_;
    const std::size_t measureRows_;
    ColumnGrid grid_;
    lxw_col_t labelColumns_ = 1;  // a field's label spans columns [0, labelColumns_)
    std::size_t tables_ = 0;      // tables the sheet holds
    lxw_row_t row_ = 0;   // the next row to write
    bool blank_ = false;  // the last row is a spacing row
    std::vector<lxw_row_t> breaks_;
};

}  // namespace gp::xlsx::detail
