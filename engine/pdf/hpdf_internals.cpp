// Every use of libharu's private headers and structures (hpdf_internals.h says why they are
// here and what holds for the rest of the engine). Each use names, after "private:", the private
// functions and fields it needs.
#include "pdf/hpdf_internals.h"

#include <hpdf_doc.h>
#include <hpdf_encrypt.h>
#include <hpdf_encryptdict.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_gstate.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>
#include <hpdf_version.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

#include "core/error.h"
#include "pdf/deflate.h"
#include "pdf/hpdf_document.h"

// The version every use below was written and checked against. Another libharu may lay out its
// structures differently, call its hooks at other moments or write objects in another order: a
// build against it must fail here, not produce damaged or different PDFs.
#if !defined(HPDF_VERSION_ID) || HPDF_VERSION_ID != 20300
#error "engine/pdf/hpdf_internals.cpp reaches into libharu 2.3.0's private structures, and this is another libharu version (see HPDF_VERSION_TEXT in hpdf_version.h). Check every use in this file against that version's sources, run tests/e2e/test_output_bytes.py, then change the version here."
#endif
static_assert(HPDF_MAJOR_VERSION == 2 && HPDF_MINOR_VERSION == 3 && HPDF_BUGFIX_VERSION == 0,
              "hpdf_internals.cpp is written against libharu 2.3.0, not " HPDF_VERSION_TEXT);

namespace gp::pdf::hpdf {
namespace {

// ------------------------------------------------------------------ streams deflated here
// (deflate.h says which and why)

// Memory block of the content stream a sealed page gets for stamps (a header or footer line
// takes 100 to 300 bytes of operators).
constexpr HPDF_UINT kStampBlock = 512;

// private: dict->stream, dict->filter.
bool libharuWouldDeflate(HPDF_Dict dict) { return dict->stream && dict->filter == HPDF_STREAM_FILTER_FLATE_DECODE; }

// private: HPDF_Stream_Size, HPDF_Stream_Seek, HPDF_Stream_Read (libharu's own stream calls).
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
//   private: dict->mmgr, dict->stream, dict->filter, dict->write_fn (libharu's hook that writes
//   extra entries of a stream dictionary), HPDF_MemStream_New, HPDF_Stream_Write/Free.
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
        return install(dict, deflatedFontStream(raw));
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

// private: dict->before_write_fn, libharu's hook before a dictionary (and its stream) is written.
void hook(HPDF_Dict dict, HPDF_Dict_BeforeWriteFunc fn) {
    if (dict && !dict->before_write_fn) dict->before_write_fn = fn;  // never replace libharu's own
}

// ------------------------------------------------------------------ fonts

// libharu 2.3.0's memory streams cannot seek to their very end when the data fills their last
// block exactly: HPDF_MemStream_SeekFunc then looks up the block after the last, finds none and
// fails with HPDF_INVALID_OBJECT. Seeking to the end is what libharu does for an empty table at
// the end of a font. When it embeds a subset (HPDF_TTFontDef_SaveFontData), it writes the tables
// it requires into a memory stream of 4 KB blocks, always in the same order, ending with 'prep',
// then seeks to each table to sum it: a face whose 'prep' is missing or empty (a face without
// hinting, as the fast faces in fonts/fast are) ends its subset with an empty table, and every
// subset whose size happens to be a multiple of 4,096 bytes could not be saved ("no object
// returned (libharu error 0x1033)" when writing the PDF) - it depends only on which characters
// the document uses (issue 13: a title and "Ленинградская область" in GrantPress Serif).
//
// So every face is handed to libharu with a 'prep' that is not empty: a face without one gets
// this program, which does nothing (PUSHB[0] 0, POP), appended to its bytes in memory. Its
// subset then always ends inside the data. (Readers that hint TrueType run the program, which
// changes nothing; the faces' glyphs carry no instructions of their own either way.)
constexpr HPDF_BYTE kNoOpPrep[] = {0xB0, 0x00, 0x21};
// Room left after the font's bytes in the one block that holds them: for the appended program,
// and so that seeking to the end of the bytes (an empty glyph or table at the end of the file)
// lands inside that block, not after it.
constexpr HPDF_UINT kStreamSlack = 16;
static_assert(sizeof kNoOpPrep < kStreamSlack);

// Gives the face read from `stream` (its bytes, `size` of them) the do-nothing 'prep' when its
// own is missing or empty: appended to the stream, and named in libharu's copy of the face's
// table directory.
//   private: def->attr (HPDF_TTFontDefAttr: offset_tbl, the table directory), def->mmgr,
//   HPDF_GetMem/HPDF_FreeMem, HPDF_Stream_Write.
HPDF_STATUS ensurePrepProgram(HPDF_FontDef def, HPDF_Stream stream, HPDF_UINT size) {
    auto* attr = static_cast<HPDF_TTFontDefAttr>(def->attr);
    HPDF_TTF_OffsetTbl& directory = attr->offset_tbl;
    HPDF_TTFTable* prep = nullptr;
    for (HPDF_UINT i = 0; i < directory.num_tables; ++i)
        if (std::memcmp(directory.table[i].tag, "prep", 4) == 0) prep = &directory.table[i];
    if (prep && prep->length > 0) return HPDF_OK;
    if (const HPDF_STATUS status = HPDF_Stream_Write(stream, kNoOpPrep, sizeof kNoOpPrep); status != HPDF_OK)
        return status;
    if (!prep) {  // one more entry in the directory (libharu frees it with the face)
        const HPDF_UINT count = directory.num_tables + 1u;
        auto* table = static_cast<HPDF_TTFTable*>(HPDF_GetMem(def->mmgr, sizeof(HPDF_TTFTable) * count));
        if (!table) return HPDF_FAILD_TO_ALLOC_MEM;
        std::memcpy(table, directory.table, sizeof(HPDF_TTFTable) * directory.num_tables);
        HPDF_FreeMem(def->mmgr, directory.table);
        directory.table = table;
        directory.num_tables = static_cast<HPDF_UINT16>(count);
        prep = &table[count - 1];
        std::memcpy(prep->tag, "prep", 4);
    }
    prep->check_sum = 0;  // libharu sums the tables of the subset itself
    prep->offset = size;
    prep->length = sizeof kNoOpPrep;
    return HPDF_OK;
}

// The glyph table DirectCmap puts in place of a cmap: one segment [0, FFFF] with range offset
// 2, so libharu's index into the glyph array, range_offset / 2 + (cp - start) - (segments - i),
// is the code point itself.
HPDF_UINT16 kEnd = 0xFFFF, kStart = 0, kRangeOffset = 2;
HPDF_INT16 kDelta = 0;

// ------------------------------------------------------------------ writing

extern "C" {
// libharu's output goes straight to the stream (no exception may leave this).
//   private: stream->attr, the callback writer's user data.
static HPDF_STATUS gpWriteToStream(HPDF_Stream stream, const HPDF_BYTE* data, HPDF_UINT size) {
    auto* out = static_cast<std::ostream*>(stream->attr);
    out->write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return *out ? HPDF_OK : HPDF_FILE_IO_ERROR;
}
}

// What HPDF_SaveToStream does (header, trailer, encryption, objects), into `out`, with one
// change for encrypted documents: libharu derives their file identifier, and with it the RC4
// key that encrypts every string and stream, from the clock (HPDF_EncryptDict_CreateID), so
// the same document would never give the same bytes twice; here an identifier computed from
// the document takes the clock's place before anything is encrypted.
//   private: pdf->pdf_version, pdf->trailer, pdf->catalog, pdf->info, pdf->encrypt_dict,
//   pdf->xref (and its entries->count), pdf->mmgr, e->encrypt_id, e->user_key;
//   HPDF_Stream_WriteStr, HPDF_Dict_Add, HPDF_Dict_GetItem, HPDF_Doc_PrepareEncryption,
//   HPDF_EncryptDict_GetAttr, HPDF_MD5*, HPDF_Encrypt_Create*Key, HPDF_Binary_New,
//   HPDF_Array_Clear/Add, HPDF_Xref_WriteToStream.
void writeTo(HpdfDocument& doc, HPDF_Stream out, const std::string* idSeed) {
    HPDF_Doc pdf = doc.get();
    const std::string what = idSeed ? "write the encrypted PDF" : "write the PDF";
    static const char* const kHeaders[] = {"%PDF-1.2\n", "%PDF-1.3\n", "%PDF-1.4\n", "%PDF-1.5\n", "%PDF-1.6\n",
                                           "%PDF-1.7\n"};
    const size_t version = std::min<size_t>(static_cast<size_t>(pdf->pdf_version), 5);
    doc.check(HPDF_Stream_WriteStr(out, kHeaders[version]), what);
    doc.check(HPDF_Stream_WriteStr(out, "%\267\276\255\252\n"), what);
    doc.check(HPDF_Dict_Add(pdf->trailer, "Root", pdf->catalog), what);
    doc.check(HPDF_Dict_Add(pdf->trailer, "Info", pdf->info), what);
    HPDF_Encrypt e = nullptr;
    if (idSeed) {
        doc.check(HPDF_Doc_PrepareEncryption(pdf), what);
        e = doc.checked(HPDF_EncryptDict_GetAttr(pdf->encrypt_dict), what);
        const std::string seed = *idSeed + "\n" + std::to_string(pdf->xref->entries->count);
        HPDF_MD5_CTX md5;
        HPDF_MD5Init(&md5);
        HPDF_MD5Update(&md5, reinterpret_cast<const HPDF_BYTE*>(seed.data()), static_cast<HPDF_UINT32>(seed.size()));
        HPDF_MD5Final(e->encrypt_id, &md5);
        HPDF_Encrypt_CreateEncryptionKey(e);
        HPDF_Encrypt_CreateUserKey(e);
        doc.check(HPDF_Dict_Add(pdf->encrypt_dict, "U", HPDF_Binary_New(pdf->mmgr, e->user_key, HPDF_PASSWD_LEN)),
                  what);
        auto* id = static_cast<HPDF_Array>(HPDF_Dict_GetItem(pdf->trailer, "ID", HPDF_OCLASS_ARRAY));
        if (!id) throw Error(ErrorKind::Render, "PDF: libharu wrote no file identifier for the encrypted document");
        HPDF_Array_Clear(id);
        for (int k = 0; k < 2; ++k)
            doc.check(HPDF_Array_Add(id, HPDF_Binary_New(pdf->mmgr, e->encrypt_id, HPDF_ID_LEN)), what);
    }
    doc.check(HPDF_Xref_WriteToStream(pdf->xref, out, e), what);
}

}  // namespace

// ------------------------------------------------------------------ the document

// private: pdf->pdf_version (libharu has no call to set it).
void requirePdfVersion(HPDF_Doc doc, HPDF_PDFVer version) {
    if (doc->pdf_version < version) doc->pdf_version = version;
}

// private: HPDF_CallbackWriter_New, HPDF_Stream_Free, pdf->mmgr, and writeTo above.
void writeDocument(HpdfDocument& doc, std::ostream& out, const std::string* idSeed) {
    struct FreeStream {
        void operator()(HPDF_Stream s) const noexcept { HPDF_Stream_Free(s); }
    };
    const std::unique_ptr<HPDF_Stream_Rec, FreeStream> sink(
        doc.checked(HPDF_CallbackWriter_New(doc.get()->mmgr, gpWriteToStream, &out), "write the PDF"));
    try {
        writeTo(doc, sink.get(), idSeed);
    } catch (const Error&) {
        if (out) throw;  // libharu's failure; a failed write is the caller's to report
    }
}

// ------------------------------------------------------------------ bookmarks

// libharu 2.3.0 refuses zoom 0, but a fixed zoom would change the reader's zoom on every
// click. Rewrite the array HPDF_Destination_SetXYZ built as [page /XYZ null top null].
//   private: a destination is an HPDF_Array; HPDF_Array_Clear/Add/AddName/AddReal,
//   HPDF_Null_New, array->mmgr.
void setDestinationTop(HpdfDocument& doc, HPDF_Destination dst, HPDF_Page page, HPDF_REAL top) {
    const char* what = "set a bookmark destination";
    doc.check(HPDF_Destination_SetXYZ(dst, 0, top, 1), what);
    HPDF_Array array = dst;
    HPDF_Array_Clear(array);
    doc.check(HPDF_Array_Add(array, page), what);
    doc.check(HPDF_Array_AddName(array, "XYZ"), what);
    doc.check(HPDF_Array_Add(array, doc.checked(HPDF_Null_New(array->mmgr), what)), what);
    doc.check(HPDF_Array_AddReal(array, top), what);
    doc.check(HPDF_Array_Add(array, doc.checked(HPDF_Null_New(array->mmgr), what)), what);
}

// ------------------------------------------------------------------ pages

// private: page->attr (HPDF_PageAttr: gstate and its prev chain), page->mmgr, HPDF_GState_Free.
void popGraphicsStates(HPDF_Page page) {
    auto* attr = static_cast<HPDF_PageAttr>(page->attr);
    while (attr && attr->gstate && attr->gstate->prev) attr->gstate = HPDF_GState_Free(page->mmgr, attr->gstate);
}


// Hooks libharu calls just before it writes each font stream:
//   private: font->attr (HPDF_FontAttr: type, cmap_stream, map_stream, descendant_font).
void deflateFontStreamsFromCache(HPDF_Font font) {
    const auto* attr = static_cast<HPDF_FontAttr>(font->attr);
    if (!attr || attr->type != HPDF_FONT_TYPE0_TT) return;
    hook(attr->cmap_stream, gpDeflateFromCache);
    hook(attr->map_stream, gpDeflateFromCache);
    hook(attr->descendant_font, gpHookFontFile);
}

// The page's content stream replaced by its deflated bytes:
//   private: page->attr (HPDF_PageAttr: contents, stream), the stream dictionary's fields.
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

// A new, small content stream after the sealed one:
//   private: page->attr (contents, stream), contents->write_fn/filter/stream/mmgr,
//   HPDF_MemStream_New, HPDF_Stream_Free.
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

// ------------------------------------------------------------------ fonts

// HPDF_LoadTTFontFromFile, but from the bytes in memory (libharu 2.3.0 has no call for that):
// the face is parsed from a memory stream, registered with the document and given the next
// subset tag ("HPDFAA", "HPDFAB", ...) exactly as libharu's own loader does. Returns the font's
// name; `loaded` is set to the new font definition (null when the face was known).
//   private: HPDF_MemStream_New, HPDF_Stream_Write, HPDF_TTFontDef_Load, HPDF_Doc_FindFontDef,
//   HPDF_List_Add, HPDF_TTFontDef_SetTagName, HPDF_FontDef_Free; fields pdf->mmgr,
//   pdf->fontdef_list, pdf->ttfont_tag (the next subset tag), def->base_font.
const char* loadTrueType(HpdfDocument& doc, const std::string& bytes, const std::string& what, HPDF_FontDef& loaded) {
    loaded = nullptr;
    HPDF_Doc pdf = doc.get();
    const auto size = static_cast<HPDF_UINT>(bytes.size());
    HPDF_Stream stream = doc.checked(HPDF_MemStream_New(pdf->mmgr, size + kStreamSlack), what);
    if (const HPDF_STATUS status =
            HPDF_Stream_Write(stream, reinterpret_cast<const HPDF_BYTE*>(bytes.data()), size);
        status != HPDF_OK) {
        HPDF_Stream_Free(stream);
        doc.check(status, what);
    }
    HPDF_FontDef def = HPDF_TTFontDef_Load(pdf->mmgr, stream, HPDF_TRUE);  // owns the stream from here
    if (!def) {  // libharu noted why but, called this way, did not tell the error handler
        const HPDF_STATUS error = HPDF_GetError(pdf);
        doc.check(error != HPDF_OK ? error : HPDF_INVALID_FONTDEF_DATA, what);
    }
    if (const HPDF_STATUS status = ensurePrepProgram(def, stream, size); status != HPDF_OK) {
        HPDF_FontDef_Free(def);
        doc.check(status, what);
    }
    if (HPDF_FontDef known = HPDF_Doc_FindFontDef(pdf, def->base_font)) {
        HPDF_FontDef_Free(def);
        return known->base_font;
    }
    if (const HPDF_STATUS status = HPDF_List_Add(pdf->fontdef_list, def); status != HPDF_OK) {
        HPDF_FontDef_Free(def);
        doc.check(status, what);
    }
    if (pdf->ttfont_tag[0] == 0) {
        std::memcpy(pdf->ttfont_tag, "HPDFAA", 6);
    } else {
        for (int i = 5; i >= 0; --i) {
            if (++pdf->ttfont_tag[i] <= 'Z') break;
            pdf->ttfont_tag[i] = 'A';
        }
    }
    HPDF_TTFontDef_SetTagName(def, reinterpret_cast<char*>(pdf->ttfont_tag));
    doc.checkRecorded(what);
    loaded = def;
    return def->base_font;
}

// private: HPDF_Doc_FindFontDef.
HPDF_FontDef findFontDef(HPDF_Doc doc, const char* name) { return HPDF_Doc_FindFontDef(doc, name); }

// private: HPDF_TTFontDef_GetGlyphid.
HPDF_UINT16 glyphId(HPDF_FontDef def, HPDF_UINT16 cp) { return HPDF_TTFontDef_GetGlyphid(def, cp); }

// private: HPDF_Dict_GetItem (a font is a dictionary), cmap->stream, HPDF_MemStream_FreeData,
// HPDF_Stream_WriteStr.
void replaceToUnicode(HpdfDocument& doc, HPDF_Font font, const std::string& text, const std::string& what) {
    auto* cmap = static_cast<HPDF_Dict>(HPDF_Dict_GetItem(static_cast<HPDF_Dict>(font), "ToUnicode", HPDF_OCLASS_DICT));
    doc.checkRecorded(what);
    if (!cmap || !cmap->stream) return;  // a libharu that writes no ToUnicode: nothing to fix
    HPDF_MemStream_FreeData(cmap->stream);
    doc.check(HPDF_Stream_WriteStr(cmap->stream, text.c_str()), what);
}

// HPDF_GetFont asks for the glyph of every BMP code point (to build the CIDToGIDMap and the
// widths), and libharu's lookup scans the cmap's segments from the first each time: with two
// faces, a sixth of the time an application document took (1.2 of 7.6 ms). The table holds
// exactly the cmap's answers (it is filled by asking the cmap), so libharu builds the same font.
//   private: def->attr (HPDF_TTFontDefAttr: cmap, a HPDF_TTF_CmapRange), HPDF_TTFontDef_GetGlyphid.
struct DirectCmap::Saved {
    HPDF_TTFontDefAttr attr;
    HPDF_TTF_CmapRange cmap;
};

DirectCmap::DirectCmap(HPDF_FontDef def, std::vector<HPDF_UINT16>& glyphs, std::once_flag& filled) {
    auto* attr = def ? static_cast<HPDF_TTFontDefAttr>(def->attr) : nullptr;
    // Format 0 is a direct table already.
    if (!attr || attr->cmap.format != 4 || attr->cmap.seg_count_x2 == 0) return;
    std::call_once(filled, [&] {
        glyphs.resize(0x10000);
        for (unsigned cp = 0; cp <= 0xFFFF; ++cp) glyphs[cp] = HPDF_TTFontDef_GetGlyphid(def, static_cast<HPDF_UINT16>(cp));
    });
    HPDF_TTF_CmapRange& cmap = attr->cmap;
    saved_ = std::make_unique<Saved>(Saved{attr, cmap});
    cmap.seg_count_x2 = 2;
    cmap.end_count = &kEnd;
    cmap.start_count = &kStart;
    cmap.id_delta = &kDelta;
    cmap.id_range_offset = &kRangeOffset;
    cmap.glyph_id_array = glyphs.data();  // only read
    cmap.glyph_id_array_count = static_cast<HPDF_UINT>(glyphs.size());
}

DirectCmap::~DirectCmap() {
    if (saved_) saved_->attr->cmap = saved_->cmap;
}

}  // namespace gp::pdf::hpdf
