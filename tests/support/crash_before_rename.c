/* A test helper, never part of the product: preloaded (LD_PRELOAD) into grantpress, it kills the
 * process with SIGKILL just before a rename() whose destination ends with the text of
 * GP_CRASH_BEFORE_RENAME_TO (say ".xlsx"), as kill -9 or a power cut would stop it there.
 * tests/e2e/test_commit_together.py uses it to stop a render between the PDF's and the
 * XLSX's rename. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

int rename(const char* from, const char* to) {
    int (*real)(const char*, const char*) = (int (*)(const char*, const char*))dlsym(RTLD_NEXT, "rename");
    const char* suffix = getenv("GP_CRASH_BEFORE_RENAME_TO");
    if (suffix && *suffix && to) {
        size_t n = strlen(to), k = strlen(suffix);
        if (n >= k && strcmp(to + n - k, suffix) == 0) raise(SIGKILL);
    }
    return real(from, to);
}
