#include "pdf/typeset.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/utf8.h"

namespace gp::pdf {

namespace {
// Justified lines: spaces may give up a fifth of their width (and grow by kMaxStretch).
constexpr double kShrink = 0.2;
// A justified paragraph whose last line would be a lone short word may tighten its other
// lines' letters by up to this share of the size (0.15 pt at 10.5 pt): less than a reader sees.
constexpr double kTighten = 0.015;
}  // namespace

double TextBox::widest() const {
    double w = 0;
    for (const Line& l : lines) w = std::max(w, l.width);
    return w;
}

Style combine(Style base, bool bold, bool italic) {
    bold = bold || base == Style::Bold || base == Style::BoldItalic;
    italic = italic || base == Style::Italic || base == Style::BoldItalic;
    return bold ? (italic ? Style::BoldItalic : Style::Bold) : (italic ? Style::Italic : Style::Regular);
}

TextBox Typesetter::box(std::string_view text, Style style, double size, double width, double gray,
                        const std::string& where, BoxOptions options) {
    if (!utf8::valid(text)) throw Error(ErrorKind::Render, "PDF: " + where + ": the text is not valid UTF-8");
    std::u32string u = utf8::decode(text);
    std::vector<Style> styles(u.size(), style);
    return layout(std::move(u), styles, style, size, width, gray, where, options);
}

TextBox Typesetter::box(const std::vector<model::Run>& runs, Style base, double size, double width, double gray,
                        const std::string& where, BoxOptions options) {
    std::u32string u;
    std::vector<Style> styles;
    for (const model::Run& run : runs) {
        if (!utf8::valid(run.text)) throw Error(ErrorKind::Render, "PDF: " + where + ": the text is not valid UTF-8");
        const std::u32string part = utf8::decode(run.text);
        u += part;
        styles.insert(styles.end(), part.size(), combine(base, run.bold, run.italic));
    }
    return layout(std::move(u), styles, base, size, width, gray, where, options);
}

namespace {
// The field a warning names: `where` without the row, so a column's problems are one line.
std::string warningField(const std::string& where) {
    std::string out = "PDF " + where;
    for (auto at = out.find(", row "); at != std::string::npos; at = out.find(", row ", at)) {
        auto end = at + 6;
        while (end < out.size() && out[end] >= '0' && out[end] <= '9') ++end;
        if (end == at + 6) {
            ++at;
            continue;
        }
        out.erase(at, end - at);
    }
    return out;
}
}  // namespace

TextBox Typesetter::layout(std::u32string u, const std::vector<Style>& styles, Style base, double size,
                           double width, double gray, const std::string& where, BoxOptions options) {
    TextBox box;
    box.size = size;
    box.gray = gray;
    bool blank = true;
    for (char32_t cp : u)
        if (needsGlyph(cp)) blank = false;
    if (blank && u.find(U'\n') == std::u32string::npos) return box;  // nothing to draw: load no font
    box.face = &fonts_.face(base);
    std::vector<FontId> ids(u.size());
    for (size_t i = 0; i < u.size(); ++i) {
        if (auto id = fonts_.find(styles[i], u[i])) {
            ids[i] = *id;
            continue;
        }
        if (!warnings_) {
            ids[i] = fonts_.fontFor(styles[i], u, i, where);  // throws, naming the character
            continue;
        }
        // U+FFFD from the fallback face, else '?', which every face has.
        const char32_t missing = u[i];
        auto id = fonts_.find(styles[i], U'\uFFFD');
        const bool ascii = !id;
        u[i] = ascii ? U'?' : U'\uFFFD';
        ids[i] = ascii ? fonts_.fontFor(styles[i], u, i, where) : *id;
        warnings_->add(warningField(where),
                       ascii ? model::Warnings::Kind::NoGlyphAscii : model::Warnings::Kind::NoGlyph,
                       utf8::codePointName(missing));
    }
    FontSet& fonts = fonts_;
    box.lines = wrap(u, ids, width, [&fonts, size](char32_t cp, FontId id) { return fonts.face(id).advance(cp, size); },
                     WrapOptions{options.balanced, options.hyphenate ? hyphenator_ : nullptr,
                                 options.justify ? kShrink : 0.0, options.justify ? kTighten * size : 0.0});
    return box;
}

double Typesetter::baseline(const TextBox& box) {
    // CSS-style half leading: the font's box (ascent + descent) centred in the line.
    return (box.lineHeight() - (box.face->ascent() + box.face->descent()) * box.size) / 2 + box.face->ascent() * box.size;
}

void Typesetter::drawLine(const TextBox& box, const Line& line, double x, double y, double degrees) {
    const double a = degrees * 3.14159265358979323846 / 180;
    const double c = std::cos(a), s = std::sin(a);
    double pos = 0;
    for (const Run& run : line.runs) {
        size_t i = 0;
        while (i < run.text.size()) {
            size_t j = i;
            double w = 0;
            const Face& face = fonts_.face(run.fonts[i]);
            while (j < run.text.size() && run.fonts[j] == run.fonts[i]) w += face.advance(run.text[j++], box.size);
            w += line.tracking * static_cast<double>(j - i);
            const std::u32string_view chunk = std::u32string_view(run.text).substr(i, j - i);
            if (degrees == 0) canvas_.text(face, box.size, x + pos, y, chunk, box.gray, line.tracking);
            else canvas_.rotatedText(face, box.size, x + pos * c, y + pos * s, degrees, chunk, box.gray);
            pos += w;
            i = j;
        }
        pos += line.space;
    }
}

void Typesetter::draw(const TextBox& box, size_t from, size_t count, double x, double width, double top,
                      model::Align align, bool justify) {
    if (!box.face) return;
    const double lh = box.lineHeight();
    const double base = baseline(box);
    for (size_t j = 0; j < count && from + j < box.count(); ++j) {
        const Line& line = box.lines[from + j];
        if (line.runs.empty()) continue;
        const double y = top - static_cast<double>(j) * lh - base;
        double gap = line.space;
        double pos = x;
        const double slack = width - line.width;
        if (justify && !line.last && line.runs.size() > 1 && slack != 0) {
            // A space stretches to at most kMaxStretch times its width more: a line that
            // would need wider gaps ends short instead of showing holes.
            gap += std::min(slack / static_cast<double>(line.runs.size() - 1), kMaxStretch * line.space);
        } else if (slack > 0) {
            if (align == model::Align::Center) pos += slack / 2;
            else if (align == model::Align::Right) pos += slack;
        }
        drawRuns(box, line, pos, y, gap);
    }
}

void Typesetter::drawRuns(const TextBox& box, const Line& line, double x, double y, double gap) {
    // Text drawn with one operator per stretch of one face: where the gap between two runs is
    // exactly the width of that face's space (lines that are not justified), the runs are
    // joined by a drawn space instead of being placed one by one, which makes the page's
    // operators (and the work of writing them) several times fewer.
    std::u32string chunk;
    const Face* chunkFace = nullptr;
    double chunkX = x;
    auto flush = [&] {
        if (!chunk.empty()) canvas_.text(*chunkFace, box.size, chunkX, y, chunk, box.gray, line.tracking);
        chunk.clear();
    };
    double pos = x;
    for (size_t r = 0; r < line.runs.size(); ++r) {
        const Run& run = line.runs[r];
        if (run.text.empty()) {
            pos += run.width + gap;
            continue;
        }
        const Face& first = fonts_.face(run.fonts.front());
        if (!chunk.empty() && &first == chunkFace && first.advance(U' ', box.size) + line.tracking == gap)
            chunk.push_back(U' ');
        else flush();
        double p = pos;
        size_t i = 0;
        while (i < run.text.size()) {
            const Face& face = fonts_.face(run.fonts[i]);
            if (&face != chunkFace || chunk.empty()) {
                flush();
                chunkFace = &face;
                chunkX = p;
            }
            size_t k = i;
            while (k < run.text.size() && run.fonts[k] == run.fonts[i])
                p += face.advance(run.text[k++], box.size) + line.tracking;
            chunk.append(run.text, i, k - i);
            i = k;
        }
        pos += run.width + gap;
    }
    flush();
}

}  // namespace gp::pdf
