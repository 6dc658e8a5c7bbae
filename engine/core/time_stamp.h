// A moment as people read it in logs, manifests and alerts (never in a document: documents take
// their date from reports.ini or SOURCE_DATE_EPOCH, not the clock).
#pragma once

#include <ctime>
#include <string>

namespace gp {

// "2026-12-02T18:16:44Z": UTC, ISO 8601 (manifests, run history, alerts).
std::string isoUtc(std::time_t t);
// "2026-12-02 21:16:44" in local time; without seconds "2026-12-02 21:16" (logs, listings).
std::string localStamp(std::time_t t, bool seconds = true);

}  // namespace gp
