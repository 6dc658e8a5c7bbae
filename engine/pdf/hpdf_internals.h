// Everything the PDF renderer does with libharu's private parts — its private headers
// (hpdf_doc.h, hpdf_objects.h, hpdf_streams.h, hpdf_fontdef.h, hpdf_font.h, hpdf_pages.h,
// hpdf_gstate.h, hpdf_encrypt.h, hpdf_encryptdict.h), the fields of its structures and the
// functions only those headers declare — in one file, hpdf_internals.cpp, with a comment per use
// saying why libharu's public API is not enough. No other file of the engine includes a private
// libharu header or follows a pointer into a libharu structure (scripts/check-layers.sh checks the
// includes).
//
// Written against libharu 2.3.0 (Debian 12's libhpdf-dev); hpdf_internals.cpp refuses to compile
// against any other version: a new version must be checked use by use against its sources, and
// the documents' bytes against tests/e2e/test_output_bytes.py.
#pragma once

#include <hpdf.h>

#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

namespace gp::pdf {

class HpdfDocument;

namespace hpdf {

// ---- the document

// Raises the PDF version the document declares to at least `version` (libharu 2.3.0 does not
// when an image gets a soft mask, which needs PDF 1.4).
void requirePdfVersion(HPDF_Doc doc, HPDF_PDFVer version);

// Writes the whole document to `out` as HPDF_SaveToStream would, straight through (no copy in
// memory). When the document is encrypted, `idSeed` is given: the file identifier (and with it
// the RC4 key) is the MD5 of idSeed + "\n" + the number of objects, instead of libharu's clock.
// Throws gp::Error(Render) through doc.check; a failed write of `out` shows in `out`'s state.
void writeDocument(HpdfDocument& doc, std::ostream& out, const std::string* idSeed);

// ---- bookmarks

// Points `dst` at `page` as [page /XYZ null top null]: the reader keeps its left position and
// zoom (libharu 2.3.0's HPDF_Destination_SetXYZ refuses zoom 0, "keep").
void setDestinationTop(HpdfDocument& doc, HPDF_Destination dst, HPDF_Page page, HPDF_REAL top);

// ---- pages

// Frees every graphics state GSave pushed on `page` above its first one (a render that failed
// mid-page leaves them; HPDF_Page_OnFree frees only the top one).
void popGraphicsStates(HPDF_Page page);

// Deflates a finished page's content stream now, so that a long document does not hold every
// page's operators uncompressed until it is saved. Nothing may be drawn on the page until
// reopenPage. Does nothing when the document does not compress text.
HPDF_STATUS sealPage(HPDF_Page page);
// Gives a sealed page a new content stream for what is drawn on it later (headers and
// footers, stamped once the page count is known): its /Contents becomes an array, the sealed
// content first. Does nothing for a page that is not sealed.
HPDF_STATUS reopenPage(HPDF_Page page);

// ---- fonts

// HPDF_LoadTTFontFromFile, but from `bytes` in memory (with a 'prep' table that is not empty;
// see the .cpp). Returns the font's name; `loaded` is set to the new font definition (null when
// the face was known already).
const char* loadTrueType(HpdfDocument& doc, const std::string& bytes, const std::string& what, HPDF_FontDef& loaded);
// The document's font definition named `name` (null: none).
HPDF_FontDef findFontDef(HPDF_Doc doc, const char* name);
// The glyph of code point `cp` (BMP) in a TrueType definition; 0: none.
HPDF_UINT16 glyphId(HPDF_FontDef def, HPDF_UINT16 cp);
// Replaces the text of `font`'s /ToUnicode CMap by `cmap` (nothing when it has none).
void replaceToUnicode(HpdfDocument& doc, HPDF_Font font, const std::string& cmap, const std::string& what);
// Lets the deflated font streams of `font` (a Type0 font over an embedded TrueType face) come
// from the process-wide cache (deflate.h) at save time. Harmless for other fonts.
void deflateFontStreamsFromCache(HPDF_Font font);

// While it lives, `def` (when not null) looks glyphs up in `glyphs`, one entry per BMP code
// point (filled from def's own cmap the first time, under `filled`), instead of its cmap.
class DirectCmap {
public:
    DirectCmap(HPDF_FontDef def, std::vector<HPDF_UINT16>& glyphs, std::once_flag& filled);
    ~DirectCmap();
    DirectCmap(const DirectCmap&) = delete;
    DirectCmap& operator=(const DirectCmap&) = delete;

private:
    struct Saved;
    std::unique_ptr<Saved> saved_;
};

}  // namespace hpdf
}  // namespace gp::pdf
