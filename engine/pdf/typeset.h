// Text for the PDF renderer: strings (or styled paragraph runs) become boxes of broken
// lines, every character assigned the face that draws it (the style's face or the
// fallback), and boxes are drawn left, centred, right or justified.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/document.h"
#include "pdf/canvas.h"
#include "pdf/fonts.h"
#include "pdf/text_layout.h"

namespace gp::pdf {

inline constexpr double kLeading = 1.25;  // line height / font size

struct TextBox {
    const Face* face = nullptr;  // the base style's face: ascent and descent place the lines
    double size = 0;
    double gray = 0;
    double leading = kLeading;
    std::vector<Line> lines;

    double lineHeight() const { return size * leading; }
    size_t count() const { return lines.size(); }
    double height() const { return static_cast<double>(lines.size()) * lineHeight(); }
    double widest() const;  // natural width of the longest line
};

struct BoxOptions {
    bool balanced = false;   // lines of similar length (centred text)
    bool hyphenate = false;  // Russian hyphenation where it makes better lines
    bool justify = false;    // will be justified: spaces may shrink a little
};

class Typesetter {
public:
    Typesetter(FontSet& fonts, Canvas& canvas, const Hyphenator* hyphenator)
        : fonts_(fonts), canvas_(canvas), hyphenator_(hyphenator) {}

    FontSet& fonts() { return fonts_; }
    // Where characters no face has are reported (each is drawn as U+FFFD from the fallback
    // face, or '?' without one); none: such a character is an error naming it.
    void reportTo(model::Warnings* warnings) { warnings_ = warnings; }

    // Throws gp::Error(Render) for invalid UTF-8 and for characters no face has, naming `where`.
    TextBox box(std::string_view text, Style style, double size, double width, double gray, const std::string& where,
                BoxOptions options = {});
    // A paragraph of runs, each bold and/or italic on top of `base`.
    TextBox box(const std::vector<model::Run>& runs, Style base, double size, double width, double gray,
                const std::string& where, BoxOptions options = {});

    // Lines [from, from + count) with the first line's top at `top`.
    void draw(const TextBox& box, size_t from, size_t count, double x, double width, double top, model::Align align,
              bool justify);
    // One line with its baseline starting at (x, y), turned `degrees` counter-clockwise.
    void drawLine(const TextBox& box, const Line& line, double x, double y, double degrees = 0);
    // Baseline of a box's first line below its top.
    static double baseline(const TextBox& box);

private:
    // The runs of one line from x, `gap` apart.
    void drawRuns(const TextBox& box, const Line& line, double x, double y, double gap);
    TextBox layout(std::u32string text, const std::vector<Style>& styles, Style base, double size, double width,
                   double gray, const std::string& where, BoxOptions options);

    FontSet& fonts_;
    Canvas& canvas_;
    const Hyphenator* hyphenator_;
    model::Warnings* warnings_ = nullptr;
};

Style combine(Style base, bool bold, bool italic);

}  // namespace gp::pdf
