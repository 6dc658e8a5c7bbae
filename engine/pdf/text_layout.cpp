#include "pdf/text_layout.h"

#include <hyphen.h>

#include <algorithm>
#include <cmath>
#include <array>
#include <limits>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "core/error.h"

namespace gp::pdf {
namespace {

enum class Kind {
    Glyph,           // drawn with the font's glyph
    Space,           // breakable space
    NoBreakSpace,    // drawn and measured as a space, never broken
    NewLine,         // forced line break
    SoftHyphen,      // break opportunity shown as "-" when used
    ZeroWidthBreak,  // break opportunity, invisible
    Invisible,       // dropped (joiners, BOM)
};

Kind kindOf(char32_t cp) {
    switch (cp) {
        case U' ': case U'\t': case U'\u1680': case U'\u205F': case U'\u3000':
            return Kind::Space;
        case U'\u00A0': case U'\u202F': case U'\u2007':
            return Kind::NoBreakSpace;
        case U'\n': case U'\v': case U'\f': case U'\r': case U'\u0085': case U'\u2028': case U'\u2029':
            return Kind::NewLine;
        case U'\u00AD':
            return Kind::SoftHyphen;
        case U'\u200B':
            return Kind::ZeroWidthBreak;
        case U'\u200C': case U'\u200D': case U'\u2060': case U'\uFEFF':
            return Kind::Invisible;
        default:
            break;
    }
    if (cp >= U'\u2000' && cp <= U'\u200A') return Kind::Space;  // en quad .. hair space
    return Kind::Glyph;
}

// A break is allowed after these when they stand inside a word.
bool isBreakingHyphen(char32_t cp) {
    return cp == U'-' || cp == U'\u2010' || cp == U'\u2013' || cp == U'\u2014';
}

// A break is allowed after a slash inside a word (paths, web addresses), as a last resort.
bool isBreakingSlash(char32_t cp) { return cp == U'/'; }

bool isCyrillic(char32_t cp) { return (cp >= U'А' && cp <= U'я') || cp == U'ё' || cp == U'Ё'; }
bool isUpper(char32_t cp) { return (cp >= U'А' && cp <= U'Я') || cp == U'Ё' || (cp >= U'A' && cp <= U'Z'); }
bool isDigit(char32_t cp) { return cp >= U'0' && cp <= U'9'; }

bool isLetter(char32_t cp) {
    return (cp >= U'a' && cp <= U'z') || (cp >= U'A' && cp <= U'Z') || (cp >= 0x0400 && cp <= 0x04FF);
}

bool isCombiningMark(char32_t cp) {
    return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
           (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
           (cp >= 0xFE20 && cp <= 0xFE2F);
}

char32_t lower(char32_t c) {
    if (c >= U'A' && c <= U'Z') return c + 32;
    if (c >= U'А' && c <= U'Я') return c + 32;
    if (c == U'Ё') return U'ё';
    return c;
}

std::u32string lowerWord(std::u32string_view w) {
    std::u32string out(w);
    for (char32_t& c : out) c = lower(c);
    return out;
}

// ---------------------------------------------------------------------------------------
// Words that bind to their neighbours (see the header)

bool isOpening(char32_t cp) { return cp == U'(' || cp == U'«' || cp == U'"' || cp == U'[' || cp == U'„' || cp == U'“'; }
bool isClosing(char32_t cp) {
    return cp == U',' || cp == U';' || cp == U':' || cp == U')' || cp == U'»' || cp == U'"' || cp == U']' ||
           cp == U'!' || cp == U'?' || cp == U'“' || cp == U'.';
}

std::u32string_view stripOpening(std::u32string_view w) {
    while (!w.empty() && isOpening(w.front())) w.remove_prefix(1);
    return w;
}

std::u32string_view stripClosing(std::u32string_view w) {
    while (!w.empty() && isClosing(w.back())) w.remove_suffix(1);
    return w;
}

// "2", "691", "1,5", "-3": a number as written, nothing after it.
bool isNumber(std::u32string_view w) {
    if (!w.empty() && (w.front() == U'-' || w.front() == U'−' || w.front() == U'+')) w.remove_prefix(1);
    if (w.empty() || !isDigit(w.front()) || !isDigit(w.back())) return false;
    for (char32_t c : w)
        if (!isDigit(c) && c != U',' && c != U'.') return false;
    return true;
}

size_t leadingDigits(std::u32string_view w) {
    size_t n = 0;
    while (n < w.size() && isDigit(w[n])) ++n;
    return n;
}

// "000", "000,00", "500." — a group of three digits that continues a number.
bool isDigitGroup(std::u32string_view w) {
    w = stripClosing(w);
    if (leadingDigits(w) != 3) return false;
    const std::u32string_view rest = w.substr(3);
    if (rest.empty()) return true;
    return (rest[0] == U',' || rest[0] == U'.') && rest.size() > 1 && leadingDigits(rest.substr(1)) == rest.size() - 1;
}

// "Е.", "С.", "A." — an initial.
bool isInitial(std::u32string_view w) { return w.size() == 2 && isUpper(w[0]) && w[1] == U'.'; }

// "С." or "С.," ending a name.
bool isInitialWord(std::u32string_view w) {
    return isInitial(w) || (w.size() == 3 && isInitial(w.substr(0, 2)) && isClosing(w[2]));
}

bool isCapitalizedWord(std::u32string_view w) {
    if (w.size() < 2 || !isUpper(w[0])) return false;
    for (char32_t c : w.substr(1))
        if (!isLetter(c) && c != U'-') return false;
    return true;
}

bool inList(std::u32string_view w, std::initializer_list<std::u32string_view> list) {
    return std::find(list.begin(), list.end(), w) != list.end();
}

// Abbreviations that are never left at the end of a line.
bool isLeadingAbbreviation(std::u32string_view w) {
    const std::u32string l = lowerWord(w);
    return inList(l, {U"г.", U"гг.", U"ул.", U"д.", U"пр.", U"просп.", U"пер.", U"пл.", U"наб.", U"б-р", U"ш.",
                      U"кв.", U"корп.", U"стр.", U"обл.", U"р-н", U"пос.", U"пгт", U"с.", U"п.", U"пп.", U"ст.",
                      U"ч.", U"гл.", U"рис.", U"табл.", U"см.", U"им.", U"т.", U"тел.", U"разд.", U"прил.",
                      U"№№", U"ок.", U"мкр.", U"оф.", U"каб."});
}

const std::initializer_list<std::u32string_view> kMonths = {
    U"января", U"февраля", U"марта", U"апреля", U"мая", U"июня", U"июля", U"августа",
    U"сентября", U"октября", U"ноября", U"декабря"};

// A word after a number that stays with it, stretching like a space.
// Short prepositions, conjunctions and particles that never end a line in Russian text: they
// go down with the next word ("на сайте", "не менее"). One-letter words are handled with the
// other one-character words. Punctuation after the word ("но,") ends it.
bool isShortFunctionWord(std::u32string_view w) {
    return inList(lowerWord(w), {U"на", U"по", U"от", U"за", U"до", U"из", U"об", U"обо", U"во", U"ко", U"со", U"не",
                                 U"ни", U"но", U"да", U"без", U"для", U"над", U"под", U"при", U"про", U"изо", U"ото"});
}

// Particles that stay with the word before them ("был бы", "он же", "так ли").
bool isTrailingParticle(std::u32string_view w) { return inList(lowerWord(w), {U"же", U"ли", U"бы", U"ль", U"ж", U"б"}); }

bool isUnitWord(std::u32string_view w) {
    const std::u32string_view s = stripClosing(w);
    const std::u32string l = lowerWord(s);
    if (inList(l, kMonths)) return true;
    // With its dot ("г." stripped to "г"): match both spellings.
    return inList(l, {U"г", U"гг", U"год", U"года", U"тыс", U"млн", U"млрд", U"трлн", U"руб", U"р", U"коп", U"чел",
                      U"шт", U"экз", U"км", U"м", U"см", U"мм", U"кг", U"т", U"л", U"ч", U"мин", U"сек", U"стр",
                      U"с", U"п", U"°c", U"га", U"кв", U"мес", U"дн", U"ед"});
}

// A sign after a number that stays with it at a fixed width ("000 ₽").
bool isUnitSign(std::u32string_view w) {
    const std::u32string_view s = stripClosing(w);
    return s == U"₽" || s == U"%" || s == U"‰" || s == U"€" || s == U"$" || s == U"°";
}

// ---------------------------------------------------------------------------------------
// Pieces

// How a piece of text joins the next one.
enum class Join {
    End,     // last piece of the segment
    Space,   // a breakable, stretchable space
    Glue,    // a stretchable space that must not break ("в" + next word)
    Bind,    // a stretchable space best not broken ("на" + next word): a break there costs
    Fixed,   // a space that neither breaks nor stretches (merged away before line breaking)
    Hyphen,  // break allowed after a visible hyphen or dash, no space
    Soft,    // break allowed; shows "-" only when broken
    Auto,    // hyphenation point found by the Hyphenator; shows "-" when broken
    Zero,    // break allowed (zero-width space), nothing shown
    Slash,   // break allowed after "/", nothing shown
    Tie,     // a no-break space, broken only when the group is wider than the line
    Cut,     // between characters of a word wider than the line
    None,    // no break, no space (merged away before line breaking)
};

bool breakable(Join j) { return j != Join::None && j != Join::Fixed; }
bool stretches(Join j) { return j == Join::Space || j == Join::Glue || j == Join::Bind; }
// Words are separated by these.
bool separates(Join j) { return stretches(j) || j == Join::Fixed; }
bool showsHyphen(Join j) { return j == Join::Soft || j == Join::Auto; }
// A line ending here ends with a hyphen (shown or written).
bool hyphenated(Join j) { return j == Join::Soft || j == Join::Auto || j == Join::Hyphen; }

struct Piece {
    std::u32string text;
    std::vector<FontId> fonts;
    std::vector<double> prefix{0.0};  // prefix[i]: width of text[0, i)
    std::vector<size_t> ties;         // positions of no-break spaces in text
    Join join = Join::End;

    double width() const { return prefix.back(); }
    void push(char32_t cp, FontId font, double w) {
        text.push_back(cp);
        fonts.push_back(font);
        prefix.push_back(prefix.back() + w);
    }
    void append(const Piece& other) {
        const size_t base = text.size();
        const double offset = width();
        text += other.text;
        fonts.insert(fonts.end(), other.fonts.begin(), other.fonts.end());
        for (size_t i = 1; i < other.prefix.size(); ++i) prefix.push_back(offset + other.prefix[i]);
        for (size_t t : other.ties) ties.push_back(base + t);
    }
    Piece slice(size_t from, size_t to) const {
        Piece p;
        for (size_t i = from; i < to; ++i) p.push(text[i], fonts[i], prefix[i + 1] - prefix[i]);
        for (size_t t : ties)
            if (t >= from && t < to) p.ties.push_back(t - from);
        return p;
    }
};

// Smallest number of characters left on either side of a hyphenation point (templates/
// README.md, "Typography"): "по-|мощь", never "п-|омощь" or "помо-|щь".
constexpr size_t kMinHyphenPart = 2;
// Shortest word the hyphenator splits.
constexpr size_t kMinHyphenWord = 5;
constexpr double kEpsilon = 1e-6;

struct Measure {
    const StyledAdvance& advance;
    double space;        // width of a space
    double shrink = 0;   // how much of a space a justified line may give up
    double tighten = 0;  // how much a character's advance may give up (WrapOptions::tighten)
};

// Hyphenation points for the pieces [b, e] forming one word: the word is split into
// pieces joined by Join::Auto. Not for numbers, addresses, abbreviations in capitals,
// compounds with a hyphen or words the author already gave soft hyphens.
void hyphenateWord(std::vector<Piece>& pieces, size_t b, size_t e, const Hyphenator& hyphenator,
                   std::vector<Piece>& out) {
    std::u32string word;
    bool eligible = true;
    for (size_t k = b; k <= e; ++k) {
        word += pieces[k].text;
        // Soft hyphens, slashes: the author decided. A compound ("северо-западный") breaks
        // only at its hyphen, as Russian rules want.
        if (k < e) eligible = false;
    }
    size_t cyrillic = 0, upper = 0;
    for (size_t i = 0; i < word.size() && eligible; ++i) {
        const char32_t c = word[i];
        if (isDigit(c) || c == U'@' || c == U'/' || c == U'\\' || c == U'_' || c == U'=' || c == U'#') eligible = false;
        if (c == U'.' && i + 1 < word.size() && isLetter(word[i + 1])) eligible = false;  // www.example, a.b.c
        if (isCyrillic(c)) ++cyrillic;
        if (isUpper(c)) ++upper;
    }
    if (eligible && cyrillic >= kMinHyphenWord && upper * 2 <= cyrillic + 1) {
        for (size_t k = b; k <= e; ++k) {
            Piece& p = pieces[k];
            std::vector<size_t> cuts;
            for (size_t i = 0; i < p.text.size();) {
                if (!isCyrillic(p.text[i])) {
                    ++i;
                    continue;
                }
                size_t j = i;
                while (j < p.text.size() && isCyrillic(p.text[j])) ++j;
                if (j - i >= kMinHyphenWord)
                    for (size_t point : hyphenator.points(std::u32string_view(p.text).substr(i, j - i)))
                        cuts.push_back(i + point);
                i = j;
            }
            if (cuts.empty()) {
                out.push_back(std::move(p));
                continue;
            }
            size_t from = 0;
            for (size_t cut : cuts) {
                out.push_back(p.slice(from, cut));
                out.back().join = Join::Auto;
                from = cut;
            }
            out.push_back(p.slice(from, p.text.size()));
            out.back().join = p.join;
        }
        return;
    }
    for (size_t k = b; k <= e; ++k) out.push_back(std::move(pieces[k]));
}

// Splits a text without line breaks into pieces and sets the joins between them.
// Long on purpose: one pass over the characters, a switch over the character kinds sharing the
// piece under construction and the start of the current word; split apart, every part would
// take and return that state, and the joins it sets decide every line break (and the bytes).
std::vector<Piece> tokenize(std::u32string_view text, std::span<const FontId> fonts, const Measure& m,
                            const Hyphenator* hyphenator) {
    std::vector<Piece> pieces;
    Piece cur;
    size_t wordStart = 0;  // index in `pieces` of the current word's first piece
    auto endPiece = [&](Join join) {
        if (cur.text.empty()) {
            // A space after a space or after a break point: strengthen the previous join.
            if (join == Join::Space && !pieces.empty() && pieces.size() > wordStart) pieces.back().join = Join::Space;
            return;
        }
        cur.join = join;
        pieces.push_back(std::move(cur));
        cur = Piece{};
    };
    for (size_t i = 0; i < text.size(); ++i) {
        const char32_t cp = text[i];
        const FontId font = fonts.empty() ? FontId{0} : fonts[i];
        switch (kindOf(cp)) {
            case Kind::Glyph: {
                const bool wordEmpty = cur.text.empty() && pieces.size() == wordStart;
                cur.push(cp, font, m.advance(cp, font));
                if (isBreakingHyphen(cp) && !wordEmpty) endPiece(Join::Hyphen);
                else if (isBreakingSlash(cp) && !wordEmpty) endPiece(Join::Slash);
                break;
            }
            case Kind::NoBreakSpace:
                cur.ties.push_back(cur.text.size());
                cur.push(U' ', font, m.space);
                break;
            case Kind::Space:
            case Kind::NewLine:  // the caller split at line breaks already
                endPiece(Join::Space);
                wordStart = pieces.size();
                break;
            case Kind::SoftHyphen:
                endPiece(Join::Soft);
                break;
            case Kind::ZeroWidthBreak:
                endPiece(Join::Zero);
                break;
            case Kind::Invisible:
                break;
        }
    }
    endPiece(Join::End);
    if (pieces.empty()) return pieces;
    pieces.back().join = Join::End;

    // Word boundaries: a whole word is pieces [b, e] with spaces (or the ends) around.
    auto wordOf = [&](size_t i, size_t& b, size_t& e) {
        b = i;
        while (b > 0 && !separates(pieces[b - 1].join)) --b;
        e = i;
        while (e + 1 < pieces.size() && !separates(pieces[e].join) && pieces[e].join != Join::End) ++e;
    };
    auto wordText = [&](size_t b, size_t e) {
        std::u32string w;
        for (size_t k = b; k <= e; ++k) w += pieces[k].text;
        return w;
    };

    if (hyphenator) {
        std::vector<Piece> split;
        size_t b = 0, e = 0;
        while (b < pieces.size()) {
            wordOf(b, b, e);
            hyphenateWord(pieces, b, e, *hyphenator, split);
            b = e + 1;
        }
        pieces = std::move(split);
    }

    for (size_t i = 0; i + 1 < pieces.size(); ++i) {
        Piece& p = pieces[i];
        if (p.join == Join::Hyphen || p.join == Join::Soft || p.join == Join::Zero || p.join == Join::Slash) {
            // Too short a part on either side of the break: keep the word whole there.
            size_t b, e;
            wordOf(i, b, e);
            size_t before = 0, after = 0;
            for (size_t k = b; k <= i; ++k) before += pieces[k].text.size();
            for (size_t k = i + 1; k <= e; ++k) after += pieces[k].text.size();
            if (p.join == Join::Hyphen || p.join == Join::Slash) --before;  // the mark itself does not count
            if (before < kMinHyphenPart || after < kMinHyphenPart) p.join = Join::None;
            if (p.join == Join::Slash && pieces[i + 1].text.front() == U'/') p.join = Join::None;  // "//"
        } else if (p.join == Join::Space) {
            size_t b, e;
            wordOf(i, b, e);
            const std::u32string prev = wordText(b, e);
            wordOf(i + 1, b, e);
            const std::u32string next = wordText(b, e);
            // After a run of initials starting at `next`: a capitalized word means the
            // initials come before a surname, not after one.
            bool initialsEndName = false;
            if (isInitialWord(next)) {
                size_t k = e + 1;
                std::u32string after;
                while (k < pieces.size()) {
                    size_t b2, e2;
                    wordOf(k, b2, e2);
                    after = wordText(b2, e2);
                    if (!isInitialWord(after)) break;
                    after.clear();
                    k = e2 + 1;
                }
                initialsEndName = after.empty() || !isCapitalizedWord(stripClosing(after));
            }
            const std::u32string_view a = stripOpening(prev);
            const std::u32string_view bare = stripClosing(a);
            if (isNumber(a) && ((a.size() <= 3 && isDigitGroup(next)) || isUnitSign(next))) {
                p.join = Join::Fixed;  // "2 691 000", "000,00 ₽", "25 %"
            } else if ((a.size() == 1 && (isLetter(a[0]) || a[0] == U'№' || a[0] == U'§')) ||
                       (next.size() == 1 && (next[0] == U'\u2014' || next[0] == U'\u2013')) ||  // " —"
                       isInitial(a) || isLeadingAbbreviation(a) ||
                       (initialsEndName && isCapitalizedWord(bare)) ||
                       (isNumber(a) && isUnitWord(next)) ||
                       (inList(lowerWord(bare), {U"тыс", U"млн", U"млрд"}) && isUnitSign(next))) {
                p.join = Join::Glue;
            } else if (isShortFunctionWord(a) || isTrailingParticle(stripClosing(next))) {
                p.join = Join::Bind;
            }
        }
    }
    // Merge pieces that cannot break apart.
    std::vector<Piece> merged;
    for (Piece& p : pieces) {
        if (!merged.empty() && merged.back().join == Join::None) {
            merged.back().append(p);
            merged.back().join = p.join;
        } else if (!merged.empty() && merged.back().join == Join::Fixed) {
            Piece& last = merged.back();
            last.ties.push_back(last.text.size());
            last.push(U' ', last.fonts.back(), m.space);
            last.append(p);
            last.join = p.join;
        } else {
            merged.push_back(std::move(p));
        }
    }
    return merged;
}

// Pieces wider than the line are cut: at no-break spaces if that is enough, else between
// characters.
std::vector<Piece> cutWide(std::vector<Piece> pieces, double maxWidth) {
    std::vector<Piece> out;
    for (Piece& p : pieces) {
        if (p.width() <= maxWidth + kEpsilon) {
            out.push_back(std::move(p));
            continue;
        }
        const Join last = p.join;
        size_t start = 0;
        const size_t end = p.text.size();
        while (start < end) {
            const double rest = p.prefix[end] - p.prefix[start];
            if (rest <= maxWidth + kEpsilon) {
                out.push_back(p.slice(start, end));
                break;
            }
            // The last no-break space that fits, but not one that would leave a lone character
            // ("₽") for the next line when another choice exists.
            size_t tie = 0, lone = 0;
            for (size_t t : p.ties) {
                if (t <= start || t + 1 >= end || p.prefix[t] - p.prefix[start] > maxWidth + kEpsilon) continue;
                (t + 2 == end ? lone : tie) = t;
            }
            if (tie == 0) tie = lone;
            if (tie > 0) {
                out.push_back(p.slice(start, tie));
                out.back().join = Join::Tie;
                start = tie + 1;
                continue;
            }
            size_t cut = start + 1;
            while (cut < end && p.prefix[cut + 1] - p.prefix[start] <= maxWidth + kEpsilon) ++cut;
            while (cut > start + 1 && cut < end && isCombiningMark(p.text[cut])) --cut;
            out.push_back(p.slice(start, cut));
            out.back().join = Join::Cut;
            start = cut;
        }
        out.back().join = last;
    }
    return out;
}

// A line ending in a short preposition or before a particle ("на", "же") costs about what a
// hyphenated line end does twice over: the rule gives way when keeping it would leave a
// line with holes or a run of hyphens.
constexpr double kBindPenalty = 10000;

double breakPenalty(Join j) {
    switch (j) {
        case Join::Hyphen: return 50;
        case Join::Soft: case Join::Zero: return 100;
        case Join::Auto: return 500;
        case Join::Slash: return 1000;
        case Join::Tie: return 5000;
        case Join::Cut: return 10000;
        case Join::Glue: return 1e12;
        case Join::Bind: return kBindPenalty;
        default: return 0;
    }
}

// Extra demerits for two hyphenated lines in a row, and for a hyphen that leaves the last
// line to the end of a word.
constexpr double kDoubleHyphen = 3000;
constexpr double kFinalHyphen = 2000;
// A third hyphenated line end in a row, and a justified line whose spaces would grow by more
// than kMaxStretch: taken only when no other break exists.
constexpr double kTripleHyphen = 1e7;
constexpr double kOverStretch = 1e7;
// A last line of fewer than kShortLastLine characters costs kShortLastDemerits (about what
// stretching the spaces of an earlier line to the limit costs, and more than a line ending in
// «не»: «0.» alone is the worse of the two), in lines at least kWideLine spaces wide: a narrow
// table cell keeps its short last lines rather than grow.
constexpr size_t kShortLastLine = 8;
constexpr double kRaggedStretch = 30;
constexpr double kShortLastDemerits = 20000;
constexpr double kWideLine = 60;

size_t charactersIn(const std::vector<Piece>& pieces, size_t from, size_t to) {
    size_t n = 0;
    for (size_t k = from; k < to; ++k) n += pieces[k].text.size() + (k > from ? 1 : 0);
    return n;
}

// Makes a line of a tightened paragraph fit: its spaces give up to m.shrink (a justified
// line's when it is drawn, the last line's here: it is not justified), its characters the
// rest as tracking, at most m.tighten each.
void tighten(Line& line, double maxWidth, const Measure& m) {
    size_t glyphs = 0;
    for (const Run& run : line.runs) glyphs += run.text.size();
    const double gaps = static_cast<double>(line.runs.size() - 1);
    double excess = line.width - maxWidth;
    if (excess <= kEpsilon) return;
    const double spaces = std::min(excess, m.shrink * m.space * gaps);
    if (line.last && gaps > 0) {
        line.space -= spaces / gaps;
        line.width -= spaces;
    }
    excess -= spaces;
    if (excess <= kEpsilon || glyphs == 0) return;
    // Rounded to a thousandth of a point, as the page writes it: the same line, the same bytes.
    line.tracking = -std::min(m.tighten, std::ceil(excess / static_cast<double>(glyphs) * 1000) / 1000);
    line.width = 0;
    for (Run& run : line.runs) {
        run.width += line.tracking * static_cast<double>(run.text.size());
        line.width += run.width;
    }
    line.width += line.space * gaps;
}

// Chooses line breaks for one paragraph (no forced breaks inside) minimising the total
// demerits of its lines, as TeX does: every line but the last is as evenly filled as the
// words allow, instead of a tight line followed by a loose one. The state of a break is its
// position and how many lines in a row before it ended with a hyphen. `tighten`: how much
// each character of a line but the last may give up, besides its spaces. Returns where
// the lines end.
// Long on purpose: the dynamic programme's three nested loops share the width, gaps and
// demerits of the candidate line.
std::vector<size_t> chooseBreaks(const std::vector<Piece>& pieces, double maxWidth, const Measure& m, bool balanced,
                                 double tighten) {
    const double space = m.space;
    const size_t n = pieces.size();
    constexpr double kInf = std::numeric_limits<double>::infinity();
    // State: how many lines in a row before the break end with a hyphen (0, 1 or 2).
    std::vector<std::array<double, 3>> best(n + 1, {kInf, kInf, kInf});
    std::vector<std::array<size_t, 3>> from(n + 1, {0, 0, 0});  // 3 * position + state
    best[0][0] = 0;
    for (size_t i = 0; i < n; ++i) {
        for (size_t h = 0; h < 3; ++h) {
            if (best[i][h] == kInf) continue;
            double width = 0;
            size_t gaps = 0;
            size_t glyphs = 0;
            for (size_t j = i + 1; j <= n; ++j) {
                const Piece& p = pieces[j - 1];
                if (j > i + 1) {
                    const Join before = pieces[j - 2].join;
                    if (stretches(before) || before == Join::Tie) width += space;
                    if (stretches(before)) ++gaps;
                }
                width += p.width();
                glyphs += p.text.size();
                const double shrinkable =
                    m.shrink * space * static_cast<double>(gaps) + tighten * static_cast<double>(glyphs);
                if (width - shrinkable > maxWidth + kEpsilon && j > i + 1) break;
                if (!breakable(p.join)) continue;
                const bool last = j == n;
                const double hyphen = showsHyphen(p.join) && !last ? m.advance(U'-', p.fonts.back()) : 0;
                const double natural = width + hyphen;
                // The last line is set at its natural width: it may not shrink, unless the
                // paragraph is tightened.
                const double give = balanced || (last && tighten == 0) ? 0 : shrinkable;
                if (natural - give > maxWidth + kEpsilon && j > i + 1) continue;
                const double slack = maxWidth - natural;
                double demerits = 0;
                if (balanced) {
                    // Lines of equal length: the squared shortfall of every line, the last included.
                    const double shortfall = std::max(slack, 0.0) / space;
                    demerits = 100 * shortfall * shortfall + breakPenalty(p.join);
                } else if (!last) {
                    // How far the spaces would have to stretch (or shrink) to fill the line
                    // (TeX's badness, not capped, so a very loose line always costs more than a
                    // loose one). Text that is not justified (m.shrink == 0) never stretches its
                    // spaces: what its short lines cost is the ragged edge, measured against a
                    // fixed kRaggedStretch spaces, as TeX's ragged right does.
                    const double stretch = m.shrink > 0 ? static_cast<double>(std::max<size_t>(gaps, 1)) * space
                                                        : kRaggedStretch * space;
                    const double ratio = slack >= 0 ? slack / stretch : -slack / std::max(shrinkable, kEpsilon);
                    const double badness = 100 * ratio * ratio * ratio;
                    demerits = (1 + badness) * (1 + badness) + breakPenalty(p.join);
                    // Justified text (it may shrink): gaps wider than the justification gives
                    // (kMaxStretch) only when nothing else fits, as TeX's tolerance.
                    if (m.shrink > 0 && slack > 0 && ratio > kMaxStretch) demerits += kOverStretch;
                }
                // A paragraph's last line of a few characters ("копеек", "0."), when the
                // lines are long enough to give it a word more.
                if (last && !balanced && i > 0 && maxWidth >= kWideLine * space &&
                    charactersIn(pieces, i, n) < kShortLastLine)
                    demerits += kShortLastDemerits;
                const bool hyphenEnd = !last && hyphenated(p.join);
                if (h && hyphenEnd) demerits += h == 1 ? kDoubleHyphen : kTripleHyphen;
                if (h && last && showsHyphen(pieces[i - 1].join)) demerits += kFinalHyphen;
                const size_t hj = hyphenEnd ? std::min<size_t>(h + 1, 2) : 0;
                if (best[i][h] + demerits < best[j][hj]) {
                    best[j][hj] = best[i][h] + demerits;
                    from[j][hj] = 3 * i + h;
                }
            }
        }
    }
    std::vector<size_t> ends;
    size_t state = 0;
    for (size_t h = 1; h < 3; ++h)
        if (best[n][h] < best[n][state]) state = h;
    for (size_t j = n; j > 0;) {
        ends.push_back(j);
        const size_t f = from[j][state];
        j = f / 3;
        state = f % 3;
    }
    std::reverse(ends.begin(), ends.end());
    return ends;
}

// Characters of the lines [from, to) of `pieces` that ends[] delimits: the last line's.
size_t lastLineCharacters(const std::vector<Piece>& pieces, const std::vector<size_t>& ends) {
    const size_t from = ends.size() > 1 ? ends[ends.size() - 2] : 0;
    return charactersIn(pieces, from, ends.back());
}

// Breaks one paragraph into `lines`: chooseBreaks, and where that leaves a justified
// paragraph's last line a lone short word in wide lines, again with the characters allowed
// to tighten (m.tighten), kept when that gives the last line its word back without adding a
// line; the tightened lines carry their tracking.
void breakSegment(const std::vector<Piece>& pieces, double maxWidth, const Measure& m, bool balanced,
                  std::vector<Line>& lines) {
    const double space = m.space;
    const size_t n = pieces.size();
    if (n == 0) {
        Line empty;
        empty.space = space;
        empty.last = true;
        lines.push_back(std::move(empty));
        return;
    }
    std::vector<size_t> ends = chooseBreaks(pieces, maxWidth, m, balanced, 0);
    bool tightened = false;
    if (!balanced && m.shrink > 0 && m.tighten > 0 && ends.size() > 1 && maxWidth >= kWideLine * space &&
        lastLineCharacters(pieces, ends) < kShortLastLine) {
        std::vector<size_t> tight = chooseBreaks(pieces, maxWidth, m, balanced, m.tighten);
        if (tight.size() <= ends.size() && lastLineCharacters(pieces, tight) >= kShortLastLine) {
            ends = std::move(tight);
            tightened = true;
        }
    }


    size_t i = 0;
    for (size_t j : ends) {
        Line line;
        line.space = space;
        line.last = j == n;
        Run run;
        for (size_t k = i; k < j; ++k) {
            const Piece& p = pieces[k];
            if (k > i) {
                const Join before = pieces[k - 1].join;
                if (stretches(before)) {
                    line.width += run.width + space;
                    line.runs.push_back(std::move(run));
                    run = Run{};
                } else if (before == Join::Tie) {
                    run.text.push_back(U' ');
                    run.fonts.push_back(pieces[k - 1].fonts.back());
                    run.width += space;
                }
            }
            run.text += p.text;
            run.fonts.insert(run.fonts.end(), p.fonts.begin(), p.fonts.end());
            run.width += p.width();
        }
        const Piece& end = pieces[j - 1];
        if (showsHyphen(end.join) && j < n) {
            run.text.push_back(U'-');
            run.fonts.push_back(end.fonts.back());
            run.width += m.advance(U'-', end.fonts.back());
        }
        line.width += run.width;
        line.runs.push_back(std::move(run));
        if (tightened) tighten(line, maxWidth, m);
        lines.push_back(std::move(line));
        i = j;
    }
}

// A text without spaces or line breaks that fits the line whole (a number, a date, an amount,
// a word: most table cells) is one line of one run whatever else it holds (hyphens, soft
// hyphens and hyphenation points only matter where a line breaks), so it skips the pieces
// and the search for breaks: the same line, made several times faster. Nullopt otherwise.
std::optional<Line> unbroken(std::u32string_view text, std::span<const FontId> fonts, double maxWidth,
                             const Measure& m) {
    Run run;
    for (size_t i = 0; i < text.size(); ++i) {
        const FontId font = fonts.empty() ? FontId{0} : fonts[i];
        switch (kindOf(text[i])) {
            case Kind::Glyph:
                run.text.push_back(text[i]);
                run.fonts.push_back(font);
                run.width += m.advance(text[i], font);
                break;
            case Kind::NoBreakSpace:  // drawn as a space, as wrap does
                run.text.push_back(U' ');
                run.fonts.push_back(font);
                run.width += m.space;
                break;
            case Kind::Space:
            case Kind::NewLine:
                return std::nullopt;
            case Kind::SoftHyphen:
            case Kind::ZeroWidthBreak:
            case Kind::Invisible:
                break;
        }
        if (run.width > maxWidth + kEpsilon) return std::nullopt;
    }
    if (run.text.empty()) return std::nullopt;  // nothing drawn: wrap's empty line
    Line line;
    line.space = m.space;
    line.width = run.width;
    line.last = true;
    line.runs.push_back(std::move(run));
    return line;
}

// KOI8-R codes of а..я (ё is written as е).
constexpr unsigned char kKoi8[32] = {0xC1, 0xC2, 0xD7, 0xC7, 0xC4, 0xC5, 0xD6, 0xDA, 0xC9, 0xCA, 0xCB,
                                     0xCC, 0xCD, 0xCE, 0xCF, 0xD0, 0xD2, 0xD3, 0xD4, 0xD5, 0xC6, 0xC8,
                                     0xC3, 0xDE, 0xDB, 0xDD, 0xDF, 0xD9, 0xD8, 0xDC, 0xC0, 0xD1};

}  // namespace

// ---------------------------------------------------------------------------------------
// Hyphenator

struct Hyphenator::Dict {
    HyphenDict* dict = nullptr;
    ~Dict() {
        if (dict) hnj_hyphen_free(dict);
    }
};

Hyphenator::Hyphenator(const std::filesystem::path& dictionary) : dict_(std::make_unique<Dict>()) {
    dict_->dict = hnj_hyphen_load(dictionary.c_str());
    if (!dict_->dict)
        throw Error(ErrorKind::Render, "PDF: cannot load the hyphenation dictionary " + dictionary.string());
}

Hyphenator::~Hyphenator() = default;

std::vector<size_t> Hyphenator::points(std::u32string_view word) const {
    std::vector<size_t> out;
    if (word.size() < 2 * kMinHyphenPart || word.size() > 60) return out;
    std::string koi;
    for (char32_t c : word) {
        const char32_t l = lower(c) == U'ё' ? U'е' : lower(c);
        if (l < U'а' || l > U'я') return out;
        koi.push_back(static_cast<char>(kKoi8[l - U'а']));
    }
    // Words repeat a lot in a document and across documents: remember the answers.
    thread_local std::unordered_map<std::string, std::vector<size_t>> cache;
    if (auto it = cache.find(koi); it != cache.end()) return it->second;
    std::vector<char> hyphens(koi.size() + 5, '0');
    char** rep = nullptr;
    int* pos = nullptr;
    int* cut = nullptr;
    if (hnj_hyphen_hyphenate3(dict_->dict, koi.data(), static_cast<int>(koi.size()),
                              hyphens.data(), nullptr, &rep, &pos, &cut, kMinHyphenPart, kMinHyphenPart, kMinHyphenPart,
                              kMinHyphenPart) == 0) {
        for (size_t k = 0; k + 1 < koi.size(); ++k)
            if ((hyphens[k] - '0') % 2 == 1 && k + 1 >= kMinHyphenPart && koi.size() - (k + 1) >= kMinHyphenPart)
                out.push_back(k + 1);
    }
    if (rep) {
        for (size_t k = 0; k < koi.size(); ++k) free(rep[k]);
        free(rep);
    }
    free(pos);
    free(cut);
    if (cache.size() > 20000) cache.clear();
    cache.emplace(std::move(koi), out);
    return out;
}

const Hyphenator* Hyphenator::russian() {
    static const std::unique_ptr<Hyphenator> instance = []() -> std::unique_ptr<Hyphenator> {
        const std::filesystem::path dic = "/usr/share/hyphen/hyph_ru_RU.dic";
        std::error_code ec;
        if (!std::filesystem::is_regular_file(dic, ec)) return nullptr;
        try {
            return std::make_unique<Hyphenator>(dic);
        } catch (const Error&) {
            return nullptr;
        }
    }();
    return instance.get();
}

// ---------------------------------------------------------------------------------------

bool needsGlyph(char32_t cp) { return kindOf(cp) == Kind::Glyph; }

std::vector<Line> wrap(std::u32string_view text, std::span<const FontId> fonts, double maxWidth,
                       const StyledAdvance& advance, const WrapOptions& options) {
    // Trailing line breaks and spaces make no lines.
    while (!text.empty()) {
        const Kind k = kindOf(text.back());
        if (k != Kind::NewLine && k != Kind::Space && k != Kind::Invisible) break;
        text.remove_suffix(1);
    }
    if (text.empty()) return {};
    if (!fonts.empty()) fonts = fonts.first(text.size());

    const Measure m{advance, advance(U' ', fonts.empty() ? FontId{0} : fonts.front()),
                    std::clamp(options.shrink, 0.0, 0.5), std::max(options.tighten, 0.0)};
    if (std::optional<Line> line = unbroken(text, fonts, maxWidth, m)) return {std::move(*line)};
    std::vector<Line> lines;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = start;
        while (end < text.size() && kindOf(text[end]) != Kind::NewLine) ++end;
        const std::u32string_view segment = text.substr(start, end - start);
        const std::span<const FontId> segmentFonts = fonts.empty() ? fonts : fonts.subspan(start, end - start);
        breakSegment(cutWide(tokenize(segment, segmentFonts, m, options.hyphenator), maxWidth), maxWidth, m,
                     options.balanced, lines);
        if (end >= text.size()) break;
        start = end + 1;
        if (text[end] == U'\r' && start < text.size() && text[start] == U'\n') ++start;  // CRLF
    }
    return lines;
}

std::vector<Line> wrap(std::u32string_view text, double maxWidth, const Advance& advance, bool balanced) {
    const StyledAdvance styled = [&advance](char32_t cp, FontId) { return advance(cp); };
    return wrap(text, {}, maxWidth, styled, WrapOptions{balanced, nullptr});
}

}  // namespace gp::pdf
