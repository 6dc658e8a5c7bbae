// Pages and drawing primitives over libharu: opens and closes text objects as needed, sets
// font, colour and line width only when they change, and wraps each page's body in
// GSave/GRestore so nothing leaks into what is stamped later (the footer).
#pragma once

#include <hpdf.h>

#include <string_view>
#include <vector>

#include "pdf/fonts.h"
#include "pdf/hpdf_document.h"

namespace gp::pdf {

class Canvas {
public:
    Canvas(HpdfDocument& doc, double width, double height);

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

    // Draws `text` (UTF-8 is produced here) with its baseline starting at (x, y).
    void text(const Face& face, double size, double x, double y, std::u32string_view text, double gray = 0);
    void fillRect(double x, double y, double w, double h, double gray);
    struct Segment {
        double x1, y1, x2, y2;
    };
    void strokeLines(const std::vector<Segment>& segments, double lineWidth, double gray);

private:
    void beginText();
    void endText();
    void setFill(double gray);
    void resetState();

    HpdfDocument& doc_;
    double width_;
    double height_;
    std::vector<HPDF_Page> pages_;
    size_t current_ = 0;
    bool bodyOpen_ = false;
    bool inText_ = false;
    HPDF_Font font_ = nullptr;
    double size_ = 0;
    double fill_ = 0;
    double stroke_ = 0;
    double lineWidth_ = 1;
    bool capSet_ = false;
};

}  // namespace gp::pdf
