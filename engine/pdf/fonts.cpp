#include "pdf/fonts.h"

#include <hpdf_doc.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <system_error>
#include <unordered_map>

#include "core/error.h"
#include "core/utf8.h"
#include "pdf/deflate.h"
#include "pdf/text_layout.h"

namespace gp::pdf {
namespace {

const char* styleName(Style style) {
    switch (style) {
        case Style::Regular: return "Regular";
        case Style::Bold: return "Bold";
        case Style::Italic: return "Italic";
        case Style::BoldItalic: return "BoldItalic";
    }
    return "Regular";
}

std::string codePoint(char32_t cp) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
    return buf;
}

// Up to `radius` code points either side of text[pos], with ellipses where cut.
std::string around(std::u32string_view text, size_t pos, size_t radius) {
    const size_t from = pos > radius ? pos - radius : 0;
    const size_t to = std::min(text.size(), pos + radius + 1);
    std::string out = from > 0 ? "…" : "";
    for (size_t i = from; i < to; ++i) {
        const char32_t cp = text[i];
        utf8::append(out, cp < 0x20 || (cp >= 0x7F && cp < 0xA0) ? U' ' : cp);
    }
    if (to < text.size()) out += "…";
    return out;
}

// libharu 2.3.0 gives UTF-8 fonts a /ToUnicode CMap written with "begincidrange", which is
// not allowed there (poppler warns "Invalid 'begincidrange' operator in ToUnicode CMap";
// other readers may not extract the text). The codes libharu writes for UTF-8 text are the
// Unicode code points themselves (BMP), so the correct CMap is the identity, written here
// with bfrange entries, one per high byte (a bfrange may not cross one), surrogates skipped.
std::string identityToUnicodeCMap() {
    std::vector<unsigned> highs;
    for (unsigned high = 0; high <= 0xFF; ++high)
        if (high < 0xD8 || high > 0xDF) highs.push_back(high);
    std::string cmap =
        "/CIDInit /ProcSet findresource begin\n"
        "12 dict begin\n"
        "begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n"
        "/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
    for (size_t i = 0; i < highs.size(); i += 100) {  // at most 100 entries per block
        const size_t n = std::min<size_t>(100, highs.size() - i);
        cmap += std::to_string(n) + " beginbfrange\n";
        for (size_t k = i; k < i + n; ++k) {
            char line[32];
            std::snprintf(line, sizeof line, "<%02X00> <%02XFF> <%02X00>\n", highs[k], highs[k], highs[k]);
            cmap += line;
        }
        cmap += "endbfrange\n";
    }
    cmap += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
    return cmap;
}

void fixToUnicode(HpdfDocument& doc, HPDF_Font font, const std::string& what) {
    auto* cmap = static_cast<HPDF_Dict>(HPDF_Dict_GetItem(static_cast<HPDF_Dict>(font), "ToUnicode", HPDF_OCLASS_DICT));
    doc.checkRecorded(what);
    if (!cmap || !cmap->stream) return;  // a libharu that writes no ToUnicode: nothing to fix
    static const std::string text = identityToUnicodeCMap();
    HPDF_MemStream_FreeData(cmap->stream);
    doc.check(HPDF_Stream_WriteStr(cmap->stream, text.c_str()), what);
}

// A font file as read once per process: every document loads the same faces, and libharu
// reading a face from its file costs hundreds of seeks and reads per document (when loading,
// and again when embedding the subset).
struct FontFile {
    std::string bytes;
    std::uintmax_t size = 0;
    std::filesystem::file_time_type time;
    // The face's glyph for every BMP code point, filled the first time a document loads it.
    std::once_flag glyphsOnce;
    std::vector<HPDF_UINT16> glyphs;
};

// Font files by path; a file changed on disk is read again.
class FontFileCache {
public:
    std::shared_ptr<FontFile> get(const std::filesystem::path& file) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(file, ec);
        if (ec) return nullptr;  // the caller reports the file it cannot read
        const auto time = std::filesystem::last_write_time(file, ec);
        if (ec) return nullptr;
        std::lock_guard lock(mutex_);
        std::shared_ptr<FontFile>& entry = entries_[file.string()];
        if (!entry || entry->size != size || entry->time != time) {
            auto read = std::make_shared<FontFile>();
            read->bytes.resize(size);
            read->size = size;
            read->time = time;
            std::ifstream in(file, std::ios::binary);
            if (!in.read(read->bytes.data(), static_cast<std::streamsize>(size))) return nullptr;
            entry = std::move(read);
        }
        return entry;
    }

private:
    std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<FontFile>> entries_;
};

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

// HPDF_LoadTTFontFromFile, but from the bytes in memory (libharu 2.3.0 has no call for that):
// the face is parsed from a memory stream, registered with the document and given the next
// subset tag ("HPDFAA", "HPDFAB", ...) exactly as libharu's own loader does. Returns the font's
// name; `loaded` is set to the new font definition (null when the face was known).
const char* loadTrueType(HpdfDocument& doc, const FontFile* file, const std::filesystem::path& path,
                         const std::string& what, HPDF_FontDef& loaded) {
    loaded = nullptr;
    if (!file) throw Error(ErrorKind::Render, "PDF: cannot read the font file " + path.string());
    HPDF_Doc pdf = doc.get();
    const auto size = static_cast<HPDF_UINT>(file->bytes.size());
    HPDF_Stream stream = doc.checked(HPDF_MemStream_New(pdf->mmgr, size + kStreamSlack), what);
    if (const HPDF_STATUS status =
            HPDF_Stream_Write(stream, reinterpret_cast<const HPDF_BYTE*>(file->bytes.data()), size);
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

// While it lives, `def` (when not null) looks glyphs up in one table of all 65,536 BMP code
// points instead of its cmap. HPDF_GetFont asks for the glyph of every one of them (to build
// the CIDToGIDMap and the widths), and libharu's lookup scans the cmap's segments from the
// first each time: with two faces, a sixth of the time an application document took (1.2 of
// 7.6 ms). The table holds exactly the cmap's answers (it is filled by asking the cmap), so
// libharu builds the same font; it is a cmap of one segment [0, FFFF] whose glyph array is
// indexed by the code point itself.
class DirectCmap {
public:
    DirectCmap(HPDF_FontDef def, FontFile* file)
        : attr_(def ? static_cast<HPDF_TTFontDefAttr>(def->attr) : nullptr) {
        // Format 0 is a direct table already.
        if (!attr_ || !file || attr_->cmap.format != 4 || attr_->cmap.seg_count_x2 == 0) {
            attr_ = nullptr;
            return;
        }
        std::call_once(file->glyphsOnce, [&] {
            file->glyphs.resize(0x10000);
            for (unsigned cp = 0; cp <= 0xFFFF; ++cp)
                file->glyphs[cp] = HPDF_TTFontDef_GetGlyphid(def, static_cast<HPDF_UINT16>(cp));
        });
        HPDF_TTF_CmapRange& cmap = attr_->cmap;
        saved_ = cmap;
        cmap.seg_count_x2 = 2;
        cmap.end_count = &kEnd;
        cmap.start_count = &kStart;
        cmap.id_delta = &kDelta;
        cmap.id_range_offset = &kRangeOffset;
        cmap.glyph_id_array = file->glyphs.data();  // only read
        cmap.glyph_id_array_count = static_cast<HPDF_UINT>(file->glyphs.size());
    }
    ~DirectCmap() {
        if (attr_) attr_->cmap = saved_;
    }
    DirectCmap(const DirectCmap&) = delete;
    DirectCmap& operator=(const DirectCmap&) = delete;

private:
    // libharu's index into the glyph array is range_offset / 2 + (cp - start) - (segments - i):
    // with one segment starting at 0 and range offset 2, that is the code point.
    static inline HPDF_UINT16 kEnd = 0xFFFF, kStart = 0, kRangeOffset = 2;
    static inline HPDF_INT16 kDelta = 0;
    HPDF_TTFontDefAttr attr_;
    HPDF_TTF_CmapRange saved_{};
};

}  // namespace

Face::Face(HpdfDocument& doc, const std::filesystem::path& file) : doc_(doc), file_(file) {
    const std::string what = "load the font " + file.string();
    static FontFileCache files;
    const std::shared_ptr<FontFile> cached = files.get(file);
    HPDF_FontDef loaded = nullptr;
    const char* name = loadTrueType(doc, cached.get(), file, what, loaded);
    name_ = name;
    {
        const DirectCmap direct(loaded, cached.get());
        font_ = doc.checked(HPDF_GetFont(doc.get(), name, "UTF-8"), what);
    }
    def_ = doc.checked(HPDF_Doc_FindFontDef(doc.get(), name), what);
    fixToUnicode(doc, font_, what);
    deflateFontStreamsFromCache(font_);
    const HPDF_INT ascent = HPDF_Font_GetAscent(font_);
    const HPDF_INT descent = HPDF_Font_GetDescent(font_);
    doc.checkRecorded(what);
    if (ascent > 0 && descent <= 0) {
        ascent_ = ascent / 1000.0;
        descent_ = -descent / 1000.0;
    }
    for (char32_t cp : {U' ', U'-'})
        if (!hasGlyph(cp))
            throw Error(ErrorKind::Render, "PDF: the font " + file.string() + " has no glyph for " + codePoint(cp));
}

Face::CachePage& Face::cachePage(char32_t cp) const {
    auto& page = cache_[cp >> 8];
    if (!page) {
        page = std::make_unique<CachePage>();
        std::fill(std::begin(page->width), std::end(page->width), -1);
        std::fill(std::begin(page->glyph), std::end(page->glyph), std::int8_t{-1});
    }
    return *page;
}

bool Face::hasGlyph(char32_t cp) const {
    if (cp == 0 || cp > 0xFFFF) return false;  // libharu's UTF-8 fonts address the BMP only
    std::int8_t& known = cachePage(cp).glyph[cp & 0xFF];
    if (known < 0) {
        const HPDF_UINT16 gid = HPDF_TTFontDef_GetGlyphid(def_, static_cast<HPDF_UINT16>(cp));
        doc_.checkRecorded("look up a glyph in " + file_.string());
        known = gid != 0 ? 1 : 0;
    }
    return known == 1;
}

double Face::advance(char32_t cp, double size) const {
    if (cp > 0xFFFF)
        throw Error(ErrorKind::Render, "PDF: " + codePoint(cp) + " is outside the range libharu can draw");
    std::int32_t& width = cachePage(cp).width[cp & 0xFF];
    if (width < 0) {
        width = HPDF_Font_GetUnicodeWidth(font_, static_cast<HPDF_UNICODE>(cp));
        doc_.checkRecorded("measure text in " + file_.string());
        if (width < 0) width = 0;
    }
    return width * size / 1000.0;
}

void Face::requireGlyphs(std::u32string_view text, std::string_view where) const {
    for (size_t i = 0; i < text.size(); ++i)
        if (needsGlyph(text[i]) && !hasGlyph(text[i])) reportMissing(text, i, where, "");
}

void Face::reportMissing(std::u32string_view text, size_t i, std::string_view where, std::string_view also) const {
    const char32_t cp = text[i];
    std::string message = "PDF: character " + codePoint(cp);
    if (cp >= 0x20 && !(cp >= 0x7F && cp < 0xA0)) {
        message += " \"";
        utf8::append(message, cp);
        message += "\"";
    }
    message += " is not in the font " + name_ + " (" + file_.string() + ")";
    if (!also.empty()) message += " nor in " + std::string(also);
    if (!where.empty()) message += "; " + std::string(where);
    message += "; text: \"" + around(text, i, 40) + "\"";
    throw Error(ErrorKind::Render, message);
}

FontSet::FontSet(HpdfDocument& doc, std::filesystem::path dir, std::string family)
    : doc_(doc), dir_(std::move(dir)), family_(std::move(family)) {
    if (family_.empty() || family_.find_first_of("/\\") != std::string::npos)
        throw Error(ErrorKind::Render, "PDF: invalid font family \"" + family_ + "\"");
    // fast/substitutes.txt: "PTSerif = GrantPressSerif" lines; '#' starts a comment.
    std::ifstream in(dir_ / "fast" / "substitutes.txt");
    std::string line;
    while (std::getline(in, line)) {
        if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        const auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        auto trim = [](std::string s) {
            const auto b = s.find_first_not_of(" \t\r");
            const auto e = s.find_last_not_of(" \t\r");
            return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
        };
        if (trim(line.substr(0, eq)) == family_) fast_ = trim(line.substr(eq + 1));
    }
    if (fast_.find_first_of("/\\") != std::string::npos) fast_.clear();
}

std::filesystem::path FontSet::fullPath(Style style) const { return dir_ / (family_ + "-" + styleName(style) + ".ttf"); }

const Face& FontSet::face(Style style) {
    auto& slot = faces_[static_cast<size_t>(style)];
    if (!slot) {
        std::error_code ec;
        if (!fast_.empty()) {
            const std::filesystem::path fast = dir_ / "fast" / (fast_ + "-" + styleName(style) + ".ttf");
            if (std::filesystem::is_regular_file(fast, ec)) {
                slot = std::make_unique<Face>(doc_, fast);
                return *slot;
            }
        }
        const std::filesystem::path file = fullPath(style);
        if (!std::filesystem::is_regular_file(file, ec)) {
            if (!std::filesystem::is_directory(dir_, ec))
                throw Error(ErrorKind::Render, "PDF: fonts folder " + dir_.string() + " does not exist (looking for " +
                                                   file.filename().string() + ")");
            throw Error(ErrorKind::Render, "PDF: font file " + file.string() + " not found (family " + family_ +
                                               ", style " + styleName(style) + ")");
        }
        slot = std::make_unique<Face>(doc_, file);
    }
    return *slot;
}

const Face& FontSet::face(FontId id) {
    if (id < 4) return face(static_cast<Style>(id));
    const auto& slot = faces_.at(id);
    if (!slot) throw Error(ErrorKind::Render, "PDF: internal error: fallback font used before it was loaded");
    return *slot;
}

const Face* FontSet::full(Style style) {
    const Face& first = face(style);
    if (first.file() == fullPath(style)) return nullptr;  // the first face is the full one
    auto& slot = faces_[4 + static_cast<size_t>(style)];
    if (!slot) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(fullPath(style), ec)) return nullptr;
        slot = std::make_unique<Face>(doc_, fullPath(style));
    }
    return slot.get();
}

const Face* FontSet::fallback(bool bold) {
    const size_t k = bold ? 1 : 0;
    auto& slot = faces_[8 + k];
    if (!slot && !fallbackMissing_[k]) {
        const std::filesystem::path file = dir_ / (bold ? "DejaVuSans-Bold.ttf" : "DejaVuSans.ttf");
        std::error_code ec;
        if (std::filesystem::is_regular_file(file, ec)) slot = std::make_unique<Face>(doc_, file);
        else fallbackMissing_[k] = true;
    }
    return slot.get();
}

std::optional<FontId> FontSet::find(Style style, char32_t cp) {
    const Face& primary = face(style);
    if (!needsGlyph(cp) || primary.hasGlyph(cp)) return id(style);
    if (const Face* f = full(style); f && f->hasGlyph(cp)) return static_cast<FontId>(4 + static_cast<int>(style));
    const bool bold = style == Style::Bold || style == Style::BoldItalic;
    if (const Face* f = fallback(bold); f && f->hasGlyph(cp)) return static_cast<FontId>(bold ? 9 : 8);
    return std::nullopt;
}

FontId FontSet::fontFor(Style style, std::u32string_view text, size_t pos, std::string_view where) {
    const char32_t cp = text[pos];
    if (auto found = find(style, cp)) return *found;
    const Face& primary = face(style);
    const bool bold = style == Style::Bold || style == Style::BoldItalic;
    std::string also;
    if (const Face* f = full(style)) also = f->file().filename().string();
    if (const Face* f = fallback(bold)) also += (also.empty() ? "" : ", ") + f->file().filename().string();
    primary.reportMissing(text, pos, where, also);
}

}  // namespace gp::pdf
