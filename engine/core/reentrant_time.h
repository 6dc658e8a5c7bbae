// gmtime() and localtime() made safe for threads, process-wide.
//
// libxlsxwriter writes a workbook's dates with gmtime(), libharu calls gmtime() too, and Poco
// localtime(): each returns glibc's one static `struct tm`, shared by every thread. Two workers
// of a batch writing workbooks at once could each read the other's date (ThreadSanitizer found
// the race; an XLSX could carry another document's creation date). The engine defines both
// functions with a buffer per thread (gmtime_r/localtime_r underneath), which POSIX allows, and
// the dynamic linker binds the libraries' calls to the executable's definitions. The engine's
// own code calls the _r functions.
#pragma once

namespace gp {

// Does nothing; called where the library renders, so that a static link always pulls in the
// object file that holds the definitions (an archive member nobody references is left out).
void useReentrantTime() noexcept;

}  // namespace gp
