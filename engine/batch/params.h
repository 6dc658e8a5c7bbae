// Batch parameters: param.NAME = VALUE in [batch.NAME], overridden by --param. A value may
// compute from the run's clock (local time), so a scheduled report names its own period:
//   param.year = {now.year - 1}
//   param.quarter = {prev_quarter.quarter}   (with param.year = {prev_quarter.year}: in
//                                            January, quarter 4 of the year before)
//   param.from = {prev_month.start}          (2023-02-01: dates are ISO)
// Names: now.{year,month,day,quarter,hour,minute,date}, today, yesterday,
// prev_month.{year,month,start,end}, prev_quarter.{year,quarter,start,end},
// prev_year.{year,start,end}. Arithmetic and filters are the template language's.
#pragma once

#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "batch/batch.h"
#include "core/value.h"

namespace gp::batch {

// The value of a clock name at `now` (local time), or nullopt when there is no such name.
std::optional<Value> clockValue(const std::string& name, std::time_t now);

// Every clock name, for messages.
std::vector<std::string> clockNames();

// The parameters of a run: the batch's param.NAME values computed at `now`, then `overrides`
// (from --param) as given. A value that does not compute is a gp::Error(Config) naming the
// reports.ini line of its key.
std::map<std::string, std::string> resolveParams(const BatchSpec& spec, const std::map<std::string, std::string>& overrides,
                                                 std::time_t now);

}  // namespace gp::batch
