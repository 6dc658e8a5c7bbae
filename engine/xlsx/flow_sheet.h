// A sheet of running document content: the first sheet, and one per heading that names a
// sheet. Titles, headings, paragraphs, field lists, images, charts and signatures go down
// it row by row over four columns (A:D), each row written once and in order.
#pragma once

#include <xlsxwriter.h>

#include <string>
#include <vector>

#include "model/document.h"
#include "xlsx/sheet.h"

namespace gp::xlsx::detail {

class FlowSheet {
public:
    static constexpr lxw_col_t kColumns = 4;

    // `fields`: the field lists this sheet will hold; they set the column widths.
    FlowSheet(SheetWriter sheet, const model::Document& doc, const std::vector<const model::FieldList*>& fields);

    SheetWriter& sheet() { return sheet_; }

    void add(const model::Title& title);
    void add(const model::Heading& heading);
    void add(const model::Paragraph& paragraph);
    void add(const model::FieldList& list);
    void add(const model::PageBreak&);
    // Scaled to widthMm (natural size at the file's resolution when 0), never wider than A:D.
    // A missing or unreadable file throws gp::Error(Render) naming the path.
    void add(const model::Image& image);
    void add(const model::Signature& signature);
    void addParty(const model::Signatory& party);
    // A chart already filled with series, drawn across A:D at the current row, `heightMm` tall;
    // `chart` null: the title and a note that there is nothing to draw.
    void addChart(lxw_chart* chart, const model::Chart& block);
    // A chart that stands on a sheet of its own: a line naming it, linked to that sheet.
    void addChartReference(const model::Chart& block, const std::string& sheetName);

    // Page breaks and print setup; call once, after the last block.
    void finish();

private:
    void fitColumns(const std::vector<const model::FieldList*>& fields);
    double span(lxw_col_t first, lxw_col_t last) const;
    int spanPixels(lxw_col_t first, lxw_col_t last) const;
    void line(const std::string& text, Style style);
    void next();
    void blankRow();
    // Leaves the rows an object `heightPixels` tall covers (at the default row height).
    void skipPixels(double heightPixels);

    SheetWriter sheet_;
    const model::Document& doc_;
    double widths_[kColumns] = {};
    lxw_row_t row_ = 0;   // the next row to write
    bool blank_ = false;  // the last row is a spacing row
    std::vector<lxw_row_t> breaks_;
};

}  // namespace gp::xlsx::detail
