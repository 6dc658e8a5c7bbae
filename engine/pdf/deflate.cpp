#include "pdf/deflate.h"

#include <hpdf_font.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>
#include <zlib.h>

#include <algorithm>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>

namespace gp::pdf {
namespace {

// The deflated form of `raw`, exactly as libharu's save makes it: deflateInit with
// Z_DEFAULT_COMPRESSION and default window, memory level and strategy (compress2 uses the
// same), one zlib stream. How the input is fed does not change zlib's output.
std::string deflated(const std::string& raw) {
    uLongf size = compressBound(static_cast<uLong>(raw.size()));
    std::string out(size, '\0');
    if (compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
                  static_cast<uLong>(raw.size()), Z_DEFAULT_COMPRESSION) != Z_OK)
        throw std::bad_alloc();  // compress2 fails only for lack of memory with these arguments
    out.resize(size);
    return out;
}

// Deflated font streams by their raw bytes, shared by all documents (and threads) of the
// process. A face gives the same ToUnicode CMap and CIDToGIDMap in every document, and the
// same embedded subset whenever the same characters are used, so after the first documents
// nearly every lookup hits. Bounded: emptied when it outgrows kBudget.
class FontStreamCache {
public:
    std::string get(const std::string& raw) {
        {
            std::lock_guard lock(mutex_);
            if (auto it = entries_.find(raw); it != entries_.end()) return it->second;
        }
        std::string packed = deflated(raw);
        std::lock_guard lock(mutex_);
        if (bytes_ + raw.size() + packed.size() > kBudget) {
            entries_.clear();
            bytes_ = 0;
        }
        bytes_ += raw.size() + packed.size();
        entries_.emplace(raw, packed);
        return packed;
    }

private:
    static constexpr size_t kBudget = 32u << 20;
    std::mutex mutex_;
    std::unordered_map<std::string, std::string> entries_;
    size_t bytes_ = 0;
};

FontStreamCache& fontStreamCache() {
    static FontStreamCache cache;
    return cache;
}

// Memory block of the content stream a sealed page gets for stamps (a header or footer line
// takes 100 to 300 bytes of operators).
constexpr HPDF_UINT kStampBlock = 512;

bool libharuWouldDeflate(HPDF_Dict dict) { return dict->stream && dict->filter == HPDF_STREAM_FILTER_FLATE_DECODE; }

HPDF_STATUS readAll(HPDF_Stream stream, std::string& out) {
    HPDF_UINT size = HPDF_Stream_Size(stream);
    out.assign(size, '\0');
    if (size == 0) return HPDF_OK;
    if (const HPDF_STATUS status = HPDF_Stream_Seek(stream, 0, HPDF_SEEK_SET); status != HPDF_OK) return status;
    return HPDF_Stream_Read(stream, reinterpret_cast<HPDF_BYTE*>(out.data()), &size);
}

extern "C" {

// libharu drops a stream's /Filter entry when the stream is written unfiltered; this puts
// it back, as the very entry libharu writes for deflated streams, in the same place (last).
static HPDF_STATUS gpWriteFlateFilter(HPDF_Dict, HPDF_Stream out) {
    return HPDF_Stream_WriteStr(out, "/Filter [ /FlateDecode ]\012");
}

}  // extern "C"

// Replaces the stream's bytes by `packed` and has libharu copy them as they are. The new
// memory stream is exactly as large as the data (libharu's grows in 4 KB blocks).
HPDF_STATUS install(HPDF_Dict dict, const std::string& packed) {
    const auto size = static_cast<HPDF_UINT>(packed.size());
    HPDF_Stream stream = HPDF_MemStream_New(dict->mmgr, std::max<HPDF_UINT>(size, 1));
    if (!stream) return HPDF_FAILD_TO_ALLOC_MEM;
    if (const HPDF_STATUS status = HPDF_Stream_Write(stream, reinterpret_cast<const HPDF_BYTE*>(packed.data()), size);
        status != HPDF_OK) {
        HPDF_Stream_Free(stream);
        return status;
    }
    HPDF_Stream_Free(dict->stream);
    dict->stream = stream;
    dict->filter = HPDF_STREAM_FILTER_NONE;
    dict->write_fn = gpWriteFlateFilter;
    return HPDF_OK;
}

extern "C" {

// Called by libharu just before it writes a font stream (no exception may leave it).
static HPDF_STATUS gpDeflateFromCache(HPDF_Dict dict) {
    if (!libharuWouldDeflate(dict)) return HPDF_OK;  // compression off, or done already
    try {
        std::string raw;
        if (const HPDF_STATUS status = readAll(dict->stream, raw); status != HPDF_OK) return status;
        return install(dict, fontStreamCache().get(raw));
    } catch (...) {  // only allocations can fail here
        return HPDF_FAILD_TO_ALLOC_MEM;
    }
}

// The embedded font file is made while the Type0 font is being written (it depends on the
// characters used), so its hook is set when its CIDFont, written next, is about to be.
static HPDF_STATUS gpHookFontFile(HPDF_Dict cidFont) {
    auto* descriptor = static_cast<HPDF_Dict>(HPDF_Dict_GetItem(cidFont, "FontDescriptor", HPDF_OCLASS_DICT));
    if (!descriptor) return HPDF_OK;
    auto* file = static_cast<HPDF_Dict>(HPDF_Dict_GetItem(descriptor, "FontFile2", HPDF_OCLASS_DICT));
    if (file && !file->before_write_fn) file->before_write_fn = gpDeflateFromCache;
    return HPDF_OK;
}

}  // extern "C"

void hook(HPDF_Dict dict, HPDF_Dict_BeforeWriteFunc fn) {
    if (dict && !dict->before_write_fn) dict->before_write_fn = fn;  // never replace libharu's own
}

}  // namespace

void deflateFontStreamsFromCache(HPDF_Font font) {
    const auto* attr = static_cast<HPDF_FontAttr>(font->attr);
    if (!attr || attr->type != HPDF_FONT_TYPE0_TT) return;
    hook(attr->cmap_stream, gpDeflateFromCache);
    hook(attr->map_stream, gpDeflateFromCache);
    hook(attr->descendant_font, gpHookFontFile);
}

HPDF_STATUS sealPage(HPDF_Page page) {
    auto* attr = static_cast<HPDF_PageAttr>(page->attr);
    if (!libharuWouldDeflate(attr->contents)) return HPDF_OK;
    try {
        std::string raw;
        if (const HPDF_STATUS status = readAll(attr->contents->stream, raw); status != HPDF_OK) return status;
        if (const HPDF_STATUS status = install(attr->contents, deflated(raw)); status != HPDF_OK) return status;
    } catch (const std::bad_alloc&) {  // only allocations can fail here
        return HPDF_FAILD_TO_ALLOC_MEM;
    }
    attr->stream = attr->contents->stream;  // the page's drawing calls write there
    return HPDF_OK;
}

HPDF_STATUS reopenPage(HPDF_Page page) {
    if (static_cast<HPDF_PageAttr>(page->attr)->contents->write_fn != gpWriteFlateFilter) return HPDF_OK;
    if (const HPDF_STATUS status = HPDF_Page_New_Content_Stream(page, nullptr); status != HPDF_OK) return status;
    auto* attr = static_cast<HPDF_PageAttr>(page->attr);
    // The new stream copied the sealed one's filter, which says "copy as is" now.
    attr->contents->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
    // What is stamped is a line or two, but libharu gives a new stream a 4 KB block; on
    // every page of a long document that would be most of what the page costs.
    HPDF_Stream small = HPDF_MemStream_New(attr->contents->mmgr, kStampBlock);
    if (!small) return HPDF_FAILD_TO_ALLOC_MEM;
    HPDF_Stream_Free(attr->contents->stream);
    attr->contents->stream = small;
    attr->stream = small;
    return HPDF_OK;
}

}  // namespace gp::pdf
