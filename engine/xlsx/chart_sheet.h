// A native Excel chart over data the renderer writes itself: categories in column A and one
// column per series on a sheet of the chart's own, the series pointing at those ranges.
#pragma once

#include <xlsxwriter.h>

#include "model/document.h"
#include "xlsx/sheet.h"

namespace gp::xlsx::detail {

// True when the chart has something to draw: categories and at least one series it uses.
bool chartHasData(const model::Chart& chart);

// Writes the chart's data on `data` (a fresh sheet) and returns a new chart of `workbook` over
// it: bar -> column, grouped bar -> column with every series, line, pie (first series);
// title, legend at the bottom, the value axis in the chart's number format. Call only when
// chartHasData(chart).
lxw_chart* writeChart(lxw_workbook* workbook, SheetWriter& data, const model::Document& doc, const model::Chart& chart);
// Inserts `chart` on its data sheet, to the right of the data, as tall as the PDF's chart.
void placeChartBesideData(SheetWriter& data, lxw_chart* chart, const model::Chart& block);

}  // namespace gp::xlsx::detail
