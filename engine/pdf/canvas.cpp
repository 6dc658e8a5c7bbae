#include "pdf/canvas.h"

#include "core/error.h"
#include "core/utf8.h"

namespace gp::pdf {
namespace {

HPDF_REAL r(double v) { return static_cast<HPDF_REAL>(v); }

}  // namespace

Canvas::Canvas(HpdfDocument& doc, double width, double height) : doc_(doc), width_(width), height_(height) {}

void Canvas::resetState() {
    // The state a fresh page (or one after GRestore) starts with in PDF.
    inText_ = false;
    font_ = nullptr;
    size_ = 0;
    fill_ = 0;
    stroke_ = 0;
    lineWidth_ = 1;
    capSet_ = false;
}

void Canvas::addPage() {
    endBody();
    HPDF_Page page = doc_.checked(HPDF_AddPage(doc_.get()), "add a page");
    doc_.check(HPDF_Page_SetWidth(page, r(width_)), "set the page width");
    doc_.check(HPDF_Page_SetHeight(page, r(height_)), "set the page height");
    pages_.push_back(page);
    current_ = pages_.size() - 1;
    resetState();
    doc_.check(HPDF_Page_GSave(page), "save the graphics state");
    bodyOpen_ = true;
}

void Canvas::endBody() {
    if (!bodyOpen_) return;
    endText();
    doc_.check(HPDF_Page_GRestore(page()), "restore the graphics state");
    bodyOpen_ = false;
    resetState();
}

void Canvas::select(size_t index) {
    endBody();
    endText();
    current_ = index;
    resetState();
}

void Canvas::flush() { endText(); }

void Canvas::beginText() {
    if (inText_) return;
    doc_.check(HPDF_Page_BeginText(page()), "begin a text object");
    inText_ = true;
}

void Canvas::endText() {
    if (!inText_) return;
    doc_.check(HPDF_Page_EndText(page()), "end a text object");
    inText_ = false;
}

void Canvas::setFill(double gray) {
    if (gray == fill_) return;
    doc_.check(HPDF_Page_SetGrayFill(page(), r(gray)), "set the fill colour");
    fill_ = gray;
}

void Canvas::text(const Face& face, double size, double x, double y, std::u32string_view text, double gray) {
    if (text.empty()) return;
    beginText();
    if (face.font() != font_ || size != size_) {
        doc_.check(HPDF_Page_SetFontAndSize(page(), face.font(), r(size)), "set the font");
        font_ = face.font();
        size_ = size;
    }
    setFill(gray);
    const std::string utf8 = utf8::encode(text);
    doc_.check(HPDF_Page_TextOut(page(), r(x), r(y), utf8.c_str()), "draw text");
}

void Canvas::fillRect(double x, double y, double w, double h, double gray) {
    endText();
    setFill(gray);
    doc_.check(HPDF_Page_Rectangle(page(), r(x), r(y), r(w), r(h)), "draw a rectangle");
    doc_.check(HPDF_Page_Fill(page()), "fill a rectangle");
}

void Canvas::strokeLines(const std::vector<Segment>& segments, double lineWidth, double gray) {
    if (segments.empty()) return;
    endText();
    if (lineWidth != lineWidth_) {
        doc_.check(HPDF_Page_SetLineWidth(page(), r(lineWidth)), "set the line width");
        lineWidth_ = lineWidth;
    }
    if (!capSet_) {  // square caps close the corners where borders meet
        doc_.check(HPDF_Page_SetLineCap(page(), HPDF_PROJECTING_SCUARE_END), "set the line cap");
        capSet_ = true;
    }
    if (gray != stroke_) {
        doc_.check(HPDF_Page_SetGrayStroke(page(), r(gray)), "set the stroke colour");
        stroke_ = gray;
    }
    for (const Segment& s : segments) {
        doc_.check(HPDF_Page_MoveTo(page(), r(s.x1), r(s.y1)), "draw a line");
        doc_.check(HPDF_Page_LineTo(page(), r(s.x2), r(s.y2)), "draw a line");
    }
    doc_.check(HPDF_Page_Stroke(page()), "stroke lines");
}

}  // namespace gp::pdf
