#include "pdf/text_layout.h"

#include <algorithm>
#include <limits>

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

bool isLetter(char32_t cp) {
    return (cp >= U'a' && cp <= U'z') || (cp >= U'A' && cp <= U'Z') || (cp >= 0x0400 && cp <= 0x04FF);
}

bool isCombiningMark(char32_t cp) {
    return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
           (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
           (cp >= 0xFE20 && cp <= 0xFE2F);
}

// A one-letter word ("в", "с", "и", "а") or "№" / "§" should not end a line.
bool bindsToNext(std::u32string_view word) {
    return word.size() == 1 && (isLetter(word[0]) || word[0] == U'№' || word[0] == U'§');
}

// A lone dash should not start a line.
bool bindsToPrevious(std::u32string_view word) {
    return word.size() == 1 && (word[0] == U'\u2014' || word[0] == U'\u2013');
}

// How a piece of text joins the next one.
enum class Join {
    End,     // last piece of the segment
    Space,   // a breakable, stretchable space
    Glue,    // a stretchable space that must not break ("в" + next word)
    Hyphen,  // break allowed after a visible hyphen or dash, no space
    Soft,    // break allowed; shows "-" only when broken
    Zero,    // break allowed (zero-width space), nothing shown
    Slash,   // break allowed after "/", nothing shown
    Tie,     // a no-break space, broken only when the group is wider than the line
    Cut,     // between characters of a word wider than the line
    None,    // no break, no space (merged away before line breaking)
};

// Glue breaks only when the alternative is a nearly empty line (see breakPenalty).
bool breakable(Join j) { return j != Join::None; }
bool stretches(Join j) { return j == Join::Space || j == Join::Glue; }

struct Piece {
    std::u32string text;
    std::vector<double> prefix{0.0};  // prefix[i]: width of text[0, i)
    std::vector<size_t> ties;         // positions of no-break spaces in text
    Join join = Join::End;

    double width() const { return prefix.back(); }
    void push(char32_t cp, double w) {
        text.push_back(cp);
        prefix.push_back(prefix.back() + w);
    }
    void append(const Piece& other) {
        const size_t base = text.size();
        const double offset = width();
        text += other.text;
        for (size_t i = 1; i < other.prefix.size(); ++i) prefix.push_back(offset + other.prefix[i]);
        for (size_t t : other.ties) ties.push_back(base + t);
    }
    Piece slice(size_t from, size_t to) const {
        Piece p;
        for (size_t i = from; i < to; ++i) p.push(text[i], prefix[i + 1] - prefix[i]);
        for (size_t t : ties)
            if (t >= from && t < to) p.ties.push_back(t - from);
        return p;
    }
};

// Smallest number of characters left on either side of a hyphenation point.
constexpr size_t kMinHyphenPart = 2;
constexpr double kEpsilon = 1e-6;

// Splits a text without line breaks into pieces and sets the joins between them.
std::vector<Piece> tokenize(std::u32string_view text, const Advance& advance, double space) {
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
    for (char32_t cp : text) {
        switch (kindOf(cp)) {
            case Kind::Glyph: {
                const bool wordEmpty = cur.text.empty() && pieces.size() == wordStart;
                cur.push(cp, advance(cp));
                if (isBreakingHyphen(cp) && !wordEmpty) endPiece(Join::Hyphen);
                else if (isBreakingSlash(cp) && !wordEmpty) endPiece(Join::Slash);
                break;
            }
            case Kind::NoBreakSpace:
                cur.ties.push_back(cur.text.size());
                cur.push(U' ', space);
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
        while (b > 0 && !stretches(pieces[b - 1].join)) --b;
        e = i;
        while (e + 1 < pieces.size() && !stretches(pieces[e].join) && pieces[e].join != Join::End) ++e;
    };
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
            // Russian rules: "в" goes with the next word, a lone dash stays with the previous one.
            size_t b, e;
            wordOf(i, b, e);
            const bool lastWhole = b == i;
            wordOf(i + 1, b, e);
            const bool nextWhole = e == i + 1;
            if ((lastWhole && bindsToNext(p.text)) || (nextWhole && bindsToPrevious(pieces[i + 1].text)))
                p.join = Join::Glue;
        }
    }
    // Merge pieces that cannot break apart.
    std::vector<Piece> merged;
    for (Piece& p : pieces) {
        if (!merged.empty() && merged.back().join == Join::None) {
            merged.back().append(p);
            merged.back().join = p.join;
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

double breakPenalty(Join j) {
    switch (j) {
        case Join::Hyphen: return 50;
        case Join::Soft: case Join::Zero: return 100;
        case Join::Slash: return 1000;
        case Join::Tie: return 5000;
        case Join::Cut: return 10000;
        case Join::Glue: return 1e12;
        default: return 0;
    }
}

// Chooses line breaks for one paragraph (no forced breaks inside) minimising the total
// demerits of its lines, as TeX does: every line but the last is as evenly filled as the
// words allow, instead of a tight line followed by a loose one.
void breakSegment(const std::vector<Piece>& pieces, double maxWidth, double space, double hyphen, bool balanced,
                  std::vector<Line>& lines) {
    const size_t m = pieces.size();
    if (m == 0) {
        Line empty;
        empty.space = space;
        empty.last = true;
        lines.push_back(std::move(empty));
        return;
    }
    constexpr double kInf = std::numeric_limits<double>::infinity();
    std::vector<double> best(m + 1, kInf);
    std::vector<size_t> from(m + 1, 0);
    best[0] = 0;
    for (size_t i = 0; i < m; ++i) {
        if (best[i] == kInf) continue;
        double width = 0;
        size_t gaps = 0;
        for (size_t j = i + 1; j <= m; ++j) {
            const Piece& p = pieces[j - 1];
            if (j > i + 1) {
                const Join before = pieces[j - 2].join;
                if (stretches(before) || before == Join::Tie) width += space;
                if (stretches(before)) ++gaps;
            }
            width += p.width();
            if (width > maxWidth + kEpsilon && j > i + 1) break;
            if (!breakable(p.join)) continue;
            const bool last = j == m;
            const double natural = width + (p.join == Join::Soft ? hyphen : 0);
            if (natural > maxWidth + kEpsilon && j > i + 1) continue;
            const double slack = std::max(maxWidth - natural, 0.0);
            double demerits = 0;
            if (balanced) {
                // Lines of equal length: the squared shortfall of every line, the last included.
                const double shortfall = slack / space;
                demerits = 100 * shortfall * shortfall + breakPenalty(p.join);
            } else if (!last) {
                // How far the spaces would have to stretch to fill the line (TeX's badness,
                // not capped, so a very loose line always costs more than a loose one).
                const double ratio = slack / (static_cast<double>(std::max<size_t>(gaps, 1)) * space);
                const double badness = 100 * ratio * ratio * ratio;
                demerits = (1 + badness) * (1 + badness) + breakPenalty(p.join);
            }
            if (best[i] + demerits < best[j]) {
                best[j] = best[i] + demerits;
                from[j] = i;
            }
        }
    }
    std::vector<size_t> ends;
    for (size_t j = m; j > 0; j = from[j]) ends.push_back(j);
    std::reverse(ends.begin(), ends.end());

    size_t i = 0;
    for (size_t j : ends) {
        Line line;
        line.space = space;
        line.last = j == m;
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
                    run.width += space;
                }
            }
            run.text += p.text;
            run.width += p.width();
        }
        if (pieces[j - 1].join == Join::Soft && j < m) {
            run.text.push_back(U'-');
            run.width += hyphen;
        }
        line.width += run.width;
        line.runs.push_back(std::move(run));
        lines.push_back(std::move(line));
        i = j;
    }
}

}  // namespace

bool needsGlyph(char32_t cp) { return kindOf(cp) == Kind::Glyph; }

std::vector<Line> wrap(std::u32string_view text, double maxWidth, const Advance& advance, bool balanced) {
    // Trailing line breaks and spaces make no lines.
    while (!text.empty()) {
        const Kind k = kindOf(text.back());
        if (k != Kind::NewLine && k != Kind::Space && k != Kind::Invisible) break;
        text.remove_suffix(1);
    }
    if (text.empty()) return {};

    const double space = advance(U' ');
    const double hyphen = advance(U'-');
    std::vector<Line> lines;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = start;
        while (end < text.size() && kindOf(text[end]) != Kind::NewLine) ++end;
        const std::u32string_view segment = text.substr(start, end - start);
        breakSegment(cutWide(tokenize(segment, advance, space), maxWidth), maxWidth, space, hyphen, balanced, lines);
        if (end >= text.size()) break;
        start = end + 1;
        if (text[end] == U'\r' && start < text.size() && text[start] == U'\n') ++start;  // CRLF
    }
    return lines;
}

}  // namespace gp::pdf
