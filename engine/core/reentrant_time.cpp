#include "core/reentrant_time.h"

#include <ctime>

extern "C" {

// Same result as glibc's, in a buffer of the calling thread (see reentrant_time.h).
struct tm* gmtime(const time_t* t) noexcept {
    thread_local struct tm buffer;
    return gmtime_r(t, &buffer);
}

struct tm* localtime(const time_t* t) noexcept {
    thread_local struct tm buffer;
    return localtime_r(t, &buffer);
}

}  // extern "C"

namespace gp {

void useReentrantTime() noexcept {}

}  // namespace gp
