// Streams the renderer deflates itself instead of leaving them to libharu's save.
//
// libharu 2.3.0 keeps every stream uncompressed in memory and deflates it while saving. Two
// kinds of stream are better handled here:
//  - font streams (ToUnicode CMap, CIDToGIDMap, the embedded font file): the same bytes come
//    back in every document that uses a face (the CIDToGIDMap alone is 128 KB per face), so
//    their deflated form is computed once per process and reused;
//  - the contents of pages a long document is done with: deflated then, not at the end.
// A stream deflated here is written byte for byte as libharu would have written it (same zlib
// settings, same "/Filter" entry).
// The streams' hooks into libharu are in hpdf_internals.cpp (deflateFontStreamsFromCache,
// sealPage, reopenPage); this file is zlib and the cache.
#pragma once

#include <string>

namespace gp::pdf {

// `raw` deflated exactly as libharu's save deflates a stream.
std::string deflated(const std::string& raw);
// The same, for a font stream: from a process-wide cache of font streams (thread-safe).
std::string deflatedFontStream(const std::string& raw);

}  // namespace gp::pdf
