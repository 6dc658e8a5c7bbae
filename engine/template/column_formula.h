// formula="true" on a <column>: its one placeholder becomes model::Column::formula, an
// expression over the other columns of the same row that XLSX writes as a live spreadsheet
// formula with the engine's value cached. Internal to engine/template (the compiler's).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "template/template.h"

namespace gp::tmpl {

using FormulaReport = std::function<void(const Location&, const std::string&)>;

// The formula of columns[self] ("[4]*[5]"), or empty when a problem was reported. `rows` is the
// table's query, so that {rows.column} names a column of the row, too.
std::string compileColumnFormula(const std::vector<ColumnDef>& columns, std::size_t self, const std::string& rows,
                                 FormulaReport report);

}  // namespace gp::tmpl
