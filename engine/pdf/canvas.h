// Pages and drawing primitives over libharu: opens and closes text objects as needed, sets
// font, colour and line width only when they change, and wraps each page's body in
// GSave/GRestore so nothing leaks into what is stamped later (the footer).
#pragma once

#include <hpdf.h>

#include <string>
#include <string_view>
#include <vector>

#include "pdf/fonts.h"
#include "pdf/hpdf_document.h"

namespace gp::pdf {

// An RGB colour, components 0..1.
struct Color {
    double r = 0, g = 0, b = 0;
    static constexpr Color gray(double v) { return {v, v, v}; }
    bool operator==(const Color&) const = default;
};

class Canvas {
public:
    Canvas(HpdfDocument& doc, double width, double height);
    // Releases the graphics states its pages still hold: a render that fails between addPage
    // and endBody leaves a body open (its GSave not restored), and libharu frees only a page's
    // current state, not the ones saved under it.
    ~Canvas();
    Canvas(const Canvas&) = delete;
    Canvas& operator=(const Canvas&) = delete;

    double width() const { return width_; }
    double height() const { return height_; }
    size_t pageCount() const { return pages_.size(); }
    HPDF_Page page() const { return pages_.at(current_); }

    // Closes the current page's body and starts a new page (its body opened with GSave).
    void addPage();
    // Closes the body of the last page; after this, select() a page to stamp on it.
    void endBody();
    void select(size_t index);
    // Ends any open text object of the current page (before leaving it for good).
    void flush();

    // Draws `text` (UTF-8 is produced here) with its baseline starting at (x, y), each
    // character's advance changed by `tracking` (PDF's character spacing).
    void text(const Face& face, double size, double x, double y, std::u32string_view text, double gray = 0,
              double tracking = 0);
    // The same, turned `degrees` counter-clockwise about (x, y).
    void rotatedText(const Face& face, double size, double x, double y, double degrees, std::u32string_view text,
                     double gray = 0);
    void fillRect(double x, double y, double w, double h, double gray) { fillRect(x, y, w, h, Color::gray(gray)); }
    void fillRect(double x, double y, double w, double h, Color color);
    struct Point {
        double x, y;
    };
    void fillPolygon(const std::vector<Point>& points, Color color);
    // A pie slice from `from` to `to` degrees (clockwise from 12 o'clock), outlined in `edge`.
    void fillSlice(double cx, double cy, double radius, double from, double to, Color color, Color edge);
    struct Segment {
        double x1, y1, x2, y2;
    };
    void strokeLines(const std::vector<Segment>& segments, double lineWidth, double gray) {
        strokeLines(segments, lineWidth, Color::gray(gray));
    }
    void strokeLines(const std::vector<Segment>& segments, double lineWidth, Color color, bool dashed = false);
    // An open polyline with round joins.
    void strokePolyline(const std::vector<Point>& points, double lineWidth, Color color);
    void image(HPDF_Image image, double x, double y, double w, double h);
    // Makes the rectangle (x, y its lower left corner) open `uri` when clicked; no border drawn.
    void link(double x, double y, double w, double h, const std::string& uri);

private:
    void beginText();
    void endText();
    void setFill(Color color);
    void setStroke(Color color, double lineWidth, bool dashed);
    void setFont(const Face& face, double size);
    void resetState();

    // Pages whose content libharu keeps raw until saving; older ones are sealed (hpdf::sealPage).
    static constexpr size_t kRawPages = 8;

    HpdfDocument& doc_;
    double width_;
    double height_;
    std::vector<HPDF_Page> pages_;
    size_t current_ = 0;
    bool bodyOpen_ = false;
    bool stamping_ = false;  // select() was called: the current page is being stamped on
    bool inText_ = false;
    HPDF_Font font_ = nullptr;
    double size_ = 0;
    double tracking_ = 0;
    Color fill_;
    Color stroke_;
    double lineWidth_ = 1;
    bool capSet_ = false;
    bool dashed_ = false;
};

}  // namespace gp::pdf
