#include "pdf/canvas.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/utf8.h"
#include "pdf/hpdf_internals.h"

namespace gp::pdf {
namespace {

HPDF_REAL r(double v) { return static_cast<HPDF_REAL>(v); }

}  // namespace

Canvas::Canvas(HpdfDocument& doc, double width, double height) : doc_(doc), width_(width), height_(height) {}

Canvas::~Canvas() {
    // Every GSave of libharu pushes a state allocated for it, which only GRestore frees; the
    // page's HPDF_Page_OnFree frees the top one alone. A finished render has restored every
    // state; one that failed mid-body has not, and GRestore is no way out then (it refuses
    // inside a text object, and the document may hold an error). The canvas pushed them, so
    // it pops them, straight off the stack, down to the page's own first state.
    for (HPDF_Page page : pages_) hpdf::popGraphicsStates(page);
}

void Canvas::resetState() {
    // The state a fresh page (or one after GRestore) starts with in PDF.
    inText_ = false;
    font_ = nullptr;
    size_ = 0;
    tracking_ = 0;
    fill_ = Color{};
    stroke_ = Color{};
    lineWidth_ = 1;
    capSet_ = false;
    dashed_ = false;
}

void Canvas::addPage() {
    endBody();
    // libharu holds every page until the document is saved. In a long document the pages
    // well behind are done with (only stamps are added to them later), so their operators
    // are deflated now rather than kept raw to the end; short documents are untouched.
    if (pages_.size() >= kRawPages) doc_.check(hpdf::sealPage(pages_[pages_.size() - kRawPages]), "compress a page");
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
    // A page stamped on is finished: its content is compressed now (as libharu would at the
    // end, byte for byte) instead of being held raw to the end.
    if (stamping_) doc_.check(hpdf::sealPage(page()), "compress a page");
    stamping_ = true;
    current_ = index;
    resetState();
    doc_.check(hpdf::reopenPage(page()), "reopen a page");
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

void Canvas::setFill(Color c) {
    if (c == fill_) return;
    if (c.r == c.g && c.g == c.b) doc_.check(HPDF_Page_SetGrayFill(page(), r(c.r)), "set the fill colour");
    else doc_.check(HPDF_Page_SetRGBFill(page(), r(c.r), r(c.g), r(c.b)), "set the fill colour");
    fill_ = c;
}

void Canvas::setStroke(Color c, double lineWidth, bool dashed) {
    if (lineWidth != lineWidth_) {
        doc_.check(HPDF_Page_SetLineWidth(page(), r(lineWidth)), "set the line width");
        lineWidth_ = lineWidth;
    }
    if (c != stroke_) {
        if (c.r == c.g && c.g == c.b) doc_.check(HPDF_Page_SetGrayStroke(page(), r(c.r)), "set the stroke colour");
        else doc_.check(HPDF_Page_SetRGBStroke(page(), r(c.r), r(c.g), r(c.b)), "set the stroke colour");
        stroke_ = c;
    }
    if (dashed != dashed_) {
        static const HPDF_UINT16 pattern[] = {2, 2};
        doc_.check(HPDF_Page_SetDash(page(), dashed ? pattern : nullptr, dashed ? 2 : 0, 0), "set the dash pattern");
        dashed_ = dashed;
    }
}

void Canvas::setFont(const Face& face, double size) {
    if (face.font() != font_ || size != size_) {
        doc_.check(HPDF_Page_SetFontAndSize(page(), face.font(), r(size)), "set the font");
        font_ = face.font();
        size_ = size;
    }
}

void Canvas::text(const Face& face, double size, double x, double y, std::u32string_view text, double gray,
                  double tracking) {
    if (text.empty()) return;
    beginText();
    setFont(face, size);
    setFill(Color::gray(gray));
    if (tracking != tracking_) {
        doc_.check(HPDF_Page_SetCharSpace(page(), r(tracking)), "set the character spacing");
        tracking_ = tracking;
    }
    const std::string utf8 = utf8::encode(text);
    doc_.check(HPDF_Page_TextOut(page(), r(x), r(y), utf8.c_str()), "draw text");
}

void Canvas::rotatedText(const Face& face, double size, double x, double y, double degrees, std::u32string_view text,
                         double gray) {
    if (text.empty()) return;
    endText();  // a text object of its own: its matrix does not leak into later text
    beginText();
    setFont(face, size);
    setFill(Color::gray(gray));
    const double a = degrees * 3.14159265358979323846 / 180;
    const double c = std::round(std::cos(a) * 1e6) / 1e6, s = std::round(std::sin(a) * 1e6) / 1e6;
    // Character spacing is graphics state: a tightened line drawn before must not reach this text.
    if (tracking_ != 0) {
        doc_.check(HPDF_Page_SetCharSpace(page(), 0), "set the character spacing");
        tracking_ = 0;
    }
    doc_.check(HPDF_Page_SetTextMatrix(page(), r(c), r(s), r(-s), r(c), r(x), r(y)), "turn text");
    const std::string utf8 = utf8::encode(text);
    doc_.check(HPDF_Page_ShowText(page(), utf8.c_str()), "draw text");
    endText();
}

void Canvas::fillRect(double x, double y, double w, double h, Color color) {
    endText();
    setFill(color);
    doc_.check(HPDF_Page_Rectangle(page(), r(x), r(y), r(w), r(h)), "draw a rectangle");
    doc_.check(HPDF_Page_Fill(page()), "fill a rectangle");
}

void Canvas::fillPolygon(const std::vector<Point>& points, Color color) {
    if (points.size() < 3) return;
    endText();
    setFill(color);
    doc_.check(HPDF_Page_MoveTo(page(), r(points[0].x), r(points[0].y)), "draw a shape");
    for (size_t i = 1; i < points.size(); ++i)
        doc_.check(HPDF_Page_LineTo(page(), r(points[i].x), r(points[i].y)), "draw a shape");
    doc_.check(HPDF_Page_ClosePath(page()), "draw a shape");
    doc_.check(HPDF_Page_Fill(page()), "fill a shape");
}

void Canvas::fillSlice(double cx, double cy, double radius, double from, double to, Color color, Color edge) {
    endText();
    setFill(color);
    setStroke(edge, 0.75, false);
    doc_.check(HPDF_Page_MoveTo(page(), r(cx), r(cy)), "draw a slice");
    // libharu draws arcs clockwise from 12 o'clock; keep each piece under 90 degrees.
    const double ax = cx + radius * std::sin(from * 3.14159265358979323846 / 180);
    const double ay = cy + radius * std::cos(from * 3.14159265358979323846 / 180);
    doc_.check(HPDF_Page_LineTo(page(), r(ax), r(ay)), "draw a slice");
    for (double a = from; a < to - 1e-9;) {
        const double b = std::min(a + 90, to);
        doc_.check(HPDF_Page_Arc(page(), r(cx), r(cy), r(radius), r(a), r(b)), "draw a slice");
        a = b;
    }
    doc_.check(HPDF_Page_ClosePathFillStroke(page()), "fill a slice");
}

void Canvas::strokeLines(const std::vector<Segment>& segments, double lineWidth, Color color, bool dashed) {
    if (segments.empty()) return;
    endText();
    if (!capSet_) {  // square caps close the corners where borders meet
        doc_.check(HPDF_Page_SetLineCap(page(), HPDF_PROJECTING_SCUARE_END), "set the line cap");
        capSet_ = true;
    }
    setStroke(color, lineWidth, dashed);
    for (const Segment& s : segments) {
        doc_.check(HPDF_Page_MoveTo(page(), r(s.x1), r(s.y1)), "draw a line");
        doc_.check(HPDF_Page_LineTo(page(), r(s.x2), r(s.y2)), "draw a line");
    }
    doc_.check(HPDF_Page_Stroke(page()), "stroke lines");
}

void Canvas::strokePolyline(const std::vector<Point>& points, double lineWidth, Color color) {
    if (points.size() < 2) return;
    endText();
    setStroke(color, lineWidth, false);
    doc_.check(HPDF_Page_SetLineJoin(page(), HPDF_ROUND_JOIN), "set the line join");
    doc_.check(HPDF_Page_MoveTo(page(), r(points[0].x), r(points[0].y)), "draw a line");
    for (size_t i = 1; i < points.size(); ++i)
        doc_.check(HPDF_Page_LineTo(page(), r(points[i].x), r(points[i].y)), "draw a line");
    doc_.check(HPDF_Page_Stroke(page()), "stroke a line");
    doc_.check(HPDF_Page_SetLineJoin(page(), HPDF_MITER_JOIN), "set the line join");
}

void Canvas::image(HPDF_Image img, double x, double y, double w, double h) {
    endText();
    doc_.check(HPDF_Page_DrawImage(page(), img, r(x), r(y), r(w), r(h)), "draw an image");
}

void Canvas::link(double x, double y, double w, double h, const std::string& uri) {
    const HPDF_Rect rect{static_cast<HPDF_REAL>(r(x)), static_cast<HPDF_REAL>(r(y)), static_cast<HPDF_REAL>(r(x + w)),
                         static_cast<HPDF_REAL>(r(y + h))};
    HPDF_Annotation annotation = doc_.checked(HPDF_Page_CreateURILinkAnnot(page(), rect, uri.c_str()), "add a link");
    doc_.check(HPDF_LinkAnnot_SetBorderStyle(annotation, 0, 0, 0), "add a link");
}

}  // namespace gp::pdf
