#include "pdf/fonts.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <system_error>
#include <unordered_map>

#include "core/error.h"
#include "core/utf8.h"
#include "pdf/hpdf_internals.h"
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

}  // namespace

Face::Face(HpdfDocument& doc, const std::filesystem::path& file) : doc_(doc), file_(file) {
    const std::string what = "load the font " + file.string();
    static FontFileCache files;
    const std::shared_ptr<FontFile> cached = files.get(file);
    if (!cached) throw Error(ErrorKind::Render, "PDF: cannot read the font file " + file.string());
    HPDF_FontDef loaded = nullptr;
    const char* name = hpdf::loadTrueType(doc, cached->bytes, what, loaded);
    name_ = name;
    {
        const hpdf::DirectCmap direct(loaded, cached->glyphs, cached->glyphsOnce);
        font_ = doc.checked(HPDF_GetFont(doc.get(), name, "UTF-8"), what);
    }
    def_ = doc.checked(hpdf::findFontDef(doc.get(), name), what);
    static const std::string toUnicode = identityToUnicodeCMap();
    hpdf::replaceToUnicode(doc, font_, toUnicode, what);
    hpdf::deflateFontStreamsFromCache(font_);
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
        const HPDF_UINT16 gid = hpdf::glyphId(def_, static_cast<HPDF_UINT16>(cp));
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
