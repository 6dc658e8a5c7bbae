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
#pragma once

#include <hpdf.h>

namespace gp::pdf {

// Lets the deflated font streams of `font` (a Type0 font over an embedded TrueType face)
// come from the process-wide cache at save time. Harmless for other fonts.
void deflateFontStreamsFromCache(HPDF_Font font);

// Deflates a finished page's content stream now, so that a long document does not hold every
// page's operators uncompressed until it is saved. Nothing may be drawn on the page until
// reopenPage. Does nothing when the document does not compress text.
HPDF_STATUS sealPage(HPDF_Page page);
// Gives a sealed page a new content stream for what is drawn on it later (headers and
// footers, stamped once the page count is known): its /Contents becomes an array, the sealed
// content first. Does nothing for a page that is not sealed.
HPDF_STATUS reopenPage(HPDF_Page page);

}  // namespace gp::pdf
