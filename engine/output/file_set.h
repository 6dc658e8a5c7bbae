// Several files that appear together or not at all: the PDF and the XLSX of one document.
//
// Each file is complete in its temporary (AtomicFile) before anything is renamed. Then a
// journal naming every (temporary, final) pair is written beside the first file, atomically
// (.grantpress-commit-PID-N, itself written to a temporary and renamed), and only then are
// the files renamed, with SIGINT/SIGTERM/SIGHUP held back until the last one is in place. A
// crash between two renames leaves the journal: the next run in that folder (recover())
// finishes the renames it names, so the set is whole again, never a new PDF next to an old
// XLSX for longer than the crash lasts. Without a journal, a temporary of a dead process is
// an unfinished document and is removed.
#pragma once

#include <filesystem>
#include <vector>

#include "output/atomic_file.h"

namespace gp::output {

// Commits every file as one step (see above). One file: a plain commit. Throws gp::Error(Output)
// (DiskFullError on a full disk); a failure before the journal is in place leaves nothing at
// any final path; one after it leaves the journal for recover() to finish.
void commitTogether(std::vector<AtomicFile>& files);

// Finishes the commits a dead process left half done in `folder` (and its subfolders when
// `recursive`), then removes temporaries of dead processes that no journal names. Journals
// and temporaries of live processes are left alone. Returns the number of commits finished.
int recover(const std::filesystem::path& folder, bool recursive);

}  // namespace gp::output
