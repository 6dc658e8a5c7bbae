// The PDF renderer in three passes:
//   prepare  - every block's text is checked against the fonts and broken into lines
//              (typeset, text_layout), tables get their column geometry, images are loaded;
//   layout   - the prepared items are placed page by page with look-ahead: headings stay
//              with what follows, paragraphs and fields keep two lines on either side of a
//              page break, table rows move or split, the header repeats, charts, images and
//              signatures stay whole; streamed tables are read row by row here, each row
//              laid out, drawn and forgotten;
//   finish   - headers and footers ("Страница X из Y") are stamped once the page count is
//              known, then the document is written from memory in one go.
#include "pdf/pdf_renderer.h"

#include <hpdf.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "core/error.h"
#include "core/reentrant_time.h"
#include "core/utf8.h"
#include "pdf/canvas.h"
#include "pdf/chart.h"
#include "pdf/fonts.h"
#include "pdf/hpdf_document.h"
#include "pdf/hpdf_internals.h"
#include "pdf/image.h"
#include "pdf/text_layout.h"
#include "pdf/typeset.h"

namespace gp::pdf {
namespace {

using model::Align;

constexpr double kPtPerMm = 72.0 / 25.4;
constexpr double kEps = 1e-6;

// Sizes (points) for body text 10.5 pt; scaled with Document::fontSize.
constexpr double kBaseSize = 10.5;
constexpr double kTitleSize = 16;
constexpr double kSubtitleSize = 12;
constexpr double kHeadingSizes[3] = {13, 11.5, 10.5};
constexpr double kTableSize = 9.5;
constexpr double kFooterSize = 8.5;  // not scaled, also for headers
constexpr double kSignatureNoteSize = 7;

// Vertical spacing (points, also scaled). Space before a block collapses with the space
// after the previous one (the larger wins) and is dropped at the top of a page.
constexpr double kTitleGap = 5;  // between title and subtitle
constexpr double kTitleAfter = 18;
constexpr double kHeadingBefore[3] = {16, 12, 10};
constexpr double kHeadingAfter[3] = {7, 5, 4};
constexpr double kParagraphAfter = 6;
constexpr double kListBefore = 6;
constexpr double kFieldGap = 4;
constexpr double kListAfter = 10;
constexpr double kTableBefore = 8;
constexpr double kCaptionGap = 4;
constexpr double kTableAfter = 12;
constexpr double kFigureBefore = 8;  // images and charts
constexpr double kFigureAfter = 10;
constexpr double kSignatureBefore = 24;
constexpr double kSignatureAfter = 12;

// Field lists: label column share of the usable width, and the gutter after it.
constexpr double kLabelShare = 0.35;
constexpr double kGutter = 10;

// Tables.
constexpr double kCellPad = 3;
constexpr double kBorderWidth = 0.5;
constexpr double kBorderGray = 0.25;
constexpr double kHeaderFill = 0.9;
constexpr double kGroupFill = 0.95;
constexpr double kMinColumn = 2 * kCellPad + 12;

// Colours (grey levels, 0 = black).
constexpr double kSubtitleGray = 0.25;
constexpr double kEmptyGray = 0.35;
constexpr double kFooterGray = 0.3;

HPDF_REAL r(double v) { return static_cast<HPDF_REAL>(v); }

// ---------------------------------------------------------------------------------------
// Laid-out blocks: text already broken into lines, tables with column geometry. Built for
// the whole document first, so pagination can look ahead (keep a heading with what follows).

struct TitleItem {
    TextBox title;
    TextBox subtitle;
};

struct HeadingItem {
    int level = 1;  // 1..3
    std::string bookmark;
    TextBox box;
    double before = 0;
    double after = 0;
};

struct ParagraphItem {
    TextBox box;
};

struct FieldItem {
    TextBox label;
    TextBox value;
    size_t lines() const { return std::max({label.count(), value.count(), size_t{1}}); }
};

struct FieldListItem {
    std::vector<FieldItem> fields;
    double lineHeight = 0;
};

enum class RowKind { Header, Body, Group, Subtotal, Totals, Empty };

struct RowItem {
    RowKind kind = RowKind::Body;
    // Cells left to right. A cell may span several columns: the totals label runs over the
    // empty cells after it, the group title and the empty-table text over all of them.
    std::vector<TextBox> cells;
    std::vector<size_t> first;   // first column of each cell
    std::vector<size_t> span;    // columns covered by each cell
    std::vector<Align> align;    // alignment of each cell
    std::vector<std::string> links;  // the address each cell opens; empty: none
    // Right-aligned one-line numbers: the width right of the decimal comma (or of where it
    // would be), -1 for other cells; and the room left on the right so that the commas of a
    // column line up (alignDecimals).
    std::vector<double> tails;
    std::vector<double> pads;
    size_t lines = 1;            // the tallest cell, at least 1
    double lineHeight = 0;
    double keepWithNext = 0;     // group titles: height of the row that must follow on the page
    std::shared_ptr<RowItem> continued;  // group titles: repeated as "… (продолжение)" after a page break
    double height() const { return static_cast<double>(lines) * lineHeight + 2 * kCellPad; }
};

struct TableItem {
    const model::Table* source = nullptr;
    std::string where;
    TextBox caption;
    std::vector<double> x;  // left edge of each column
    std::vector<double> w;  // width of each column
    std::vector<Align> align;
    double totalWidth = 0;
    RowItem header;
    std::vector<RowItem> rows;  // data rows (with group rows), then totals; or one Empty row
    // A streamed table: rows holds the first row only (for look-ahead); the rest comes from here.
    std::unique_ptr<model::RowCursor> cursor;
    size_t read = 0;  // rows read from the cursor so far
};

struct BreakItem {};

struct ImageItem {
    LoadedImage image;
    double width = 0;
    double height = 0;
    Align align = Align::Center;
};

struct ChartItem {
    const model::Chart* chart = nullptr;
    std::string where;
    double height = 0;
};

// One party of a signature block, typeset.
struct PartyItem {
    TextBox title;  // bold, above: "Грантополучатель"
    TextBox position;
    TextBox name;
    TextBox note;  // "(подпись)" under the line
    TextBox date;
    TextBox seal;  // "М.П."
    double lineHeight() const { return position.face ? position.lineHeight() : date.lineHeight(); }
    double titleHeight() const { return title.count() ? title.height() + lineHeight() * 0.25 : 0; }
};

struct SignatureItem {
    std::vector<PartyItem> parties;  // one: a row (position | line | name); more: columns
    double height() const {
        double h = 0;
        for (const PartyItem& p : parties) {
            const double lh = p.lineHeight();
            h = std::max(h, parties.size() == 1
                                ? p.titleHeight() + std::max({p.position.height(), p.name.height(), lh}) +
                                      p.note.height() + lh + p.date.height()
                                : p.titleHeight() + p.position.height() + lh + std::max(p.name.height(), lh) +
                                      p.note.height() + p.date.height() + (p.seal.count() ? lh * 0.5 + p.seal.height() : 0));
        }
        return h;
    }
};

using Item = std::variant<TitleItem, HeadingItem, ParagraphItem, FieldListItem, TableItem, BreakItem, ImageItem,
                          ChartItem, SignatureItem>;

struct Keep {
    size_t orphans = 2;      // fewest lines left at the bottom of a page
    size_t widows = 2;       // fewest lines carried to the top of the next page
    bool together = false;   // do not split unless the lines are taller than a page
    double withNext = 0;     // height that must fit below the lines on the same page
};

std::pair<double, double> pageSize(const model::PageSetup& page) {
    double w = 595.276, h = 841.89;  // A4
    switch (page.size) {
        case model::PageSetup::Size::A4: break;
        case model::PageSetup::Size::A3: w = 841.89; h = 1190.551; break;
        case model::PageSetup::Size::Letter: w = 612; h = 792; break;
    }
    if (page.landscape) std::swap(w, h);
    return {w, h};
}

std::string collapseSpaces(std::string_view text) {
    std::string out;
    bool space = false;
    for (char32_t cp : utf8::decode(text)) {
        if (cp == U'\u00AD' || cp == U'\u200B') continue;
        if (cp < 0x20 || cp == U' ' || cp == U'\u00A0' || cp == U'\u202F' || cp == U'\u2028' || cp == U'\u2029') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        utf8::append(out, cp);
    }
    return out;
}

std::string replaceAll(std::string text, std::string_view from, std::string_view to) {
    for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
        text.replace(pos, from.size(), to);
    return text;
}

std::string guillemets(std::string_view text) {
    std::string t = collapseSpaces(text);
    const std::u32string u = utf8::decode(t);
    if (u.size() > 40) t = utf8::encode(u.substr(0, 40)) + "…";
    return "«" + t + "»";
}

// ---------------------------------------------------------------------------------------

// What a layout came to: the page balancing (render()) compares two of them.
struct LayoutResult {
    std::size_t pages = 0;
    double lastFill = 0;    // the share of the last page's body its content takes (0..1)
    double beforeLastFill = 1;  // the same for the page before it
    double bodyHeight = 0;  // of a page, in points
    bool streamed = false;  // a streamed table was read: laying it out again would query again
};

// Page balancing (render()): a last page filled under kSparseLastPage is given about
// kLastPageShare, when the page before keeps at least kKeepBeforeLast of its body (a block
// that cannot be split, moving whole, may empty it more than that: then the scrap stays).
constexpr std::size_t kFieldTogether = 6;  // lines of a field kept on one page
constexpr double kSparseLastPage = 0.25;
constexpr double kLastPageShare = 0.35;
constexpr double kKeepBeforeLast = 0.7;

class Renderer {
public:
    Renderer(const model::Document& doc, const Options& options);
    // Page `index` (0-based) ends `raise` points above the bottom margin: what does not fit
    // moves on to the next page. Set before layoutPages().
    void shortenPage(std::size_t index, double raise) {
        shortPage_ = index;
        raise_ = raise;
    }
    LayoutResult layoutPages();
    void finish(const std::filesystem::path& path);

private:
    // Document setup and output.
    void setupDocument();
    void setupProtection();
    void save(const std::filesystem::path& path);

    // Preparation (measuring and line breaking).
    TextBox makeBox(const std::string& text, Style style, double size, double width, double gray,
                    const std::string& where, BoxOptions options = {}) {
        return type_.box(text, style, size, width, gray, where, options);
    }
    void prepare();
    TableItem prepareTable(const model::Table& table, const std::string& where);
    SignatureItem prepareSignature(const model::Signature& s, const std::string& where);
    ImageItem prepareImage(const model::Image& image, const std::string& where);
    std::vector<double> columnWidths(const std::vector<model::Column>& columns) const;
    void addCell(const TableItem& t, RowItem& row, size_t first, size_t span, const std::string& text, Style style,
                 Align align, double gray, const std::string& where, bool number = false);
    void finishRow(RowItem& row) const;
    RowItem makeRow(const TableItem& t, const std::vector<model::Cell>& cells, RowKind kind, const std::string& where);
    RowItem makeSpanRow(const TableItem& t, const std::string& text, RowKind kind, Style style, Align align,
                        double gray, const std::string& where);
    std::string columnWhere(const TableItem& t, size_t i) const;
    void keepRowsTogether(TableItem& t) const;
    double decimalTail(const TextBox& box);
    static void alignDecimals(TableItem& t);

    // Pagination.
    void layout();
    void ensurePage();
    void newPage();
    double remaining() const { return y_ - bottomY_; }
    double bodyHeight() const { return topY_ - bottomY_; }
    double gapBefore(double before) const { return hasContent_ ? std::max(pendingGap_, before) : 0; }
    template <class Draw>
    void flowLines(size_t n, double lineHeight, double before, const Keep& keep, Draw&& draw);
    // Reserves `height` (moving to a new page when it does not fit) and returns its top.
    double placeWhole(double height, double before);
    double beforeOf(size_t index) const;
    double leadOf(size_t index, int depth = 0) const;
    double titlePageDrop() const;
    double firstRowLead(const TableItem& table) const;

    void placeTitle(const TitleItem& item);
    void placeHeading(const HeadingItem& item, size_t index);
    void placeParagraph(const ParagraphItem& item);
    void placeFieldList(const FieldListItem& item);
    void placeTable(TableItem& item);
    void placeRow(const TableItem& table, const RowItem& row);
    void continueTable(const TableItem& table);
    void placeImage(const ImageItem& item);
    void placeChart(const ChartItem& item);
    void placeSignature(const SignatureItem& item);
    void placeParty(const PartyItem& party, double top);
    void placeParties(const SignatureItem& item, double top);
    void addBookmark(const HeadingItem& item, double top);
    void stampMargins();

    // Drawing.
    void drawLines(const TextBox& box, size_t from, size_t count, double x, double width, double top, Align align,
                   bool justify) {
        type_.draw(box, from, count, x, width, top, align, justify);
    }
    void drawRow(const TableItem& table, const RowItem& row, size_t from, size_t count, double top);

    const model::Document& doc_;
    HpdfDocument pdf_;
    FontSet fonts_;
    double pageWidth_, pageHeight_;
    double left_, topY_, bottomY_, width_;
    double baseBottom_ = 0;  // bottomY_ of a page that is not shortened
    std::size_t shortPage_ = SIZE_MAX;  // none
    double raise_ = 0;
    bool streamed_ = false;
    double lastEndedFill_ = 1;  // how full the page before the current one was left
    double scale_;
    Canvas canvas_;
    Typesetter type_;
    HPDF_Encoder encoder_ = nullptr;
    bool encrypted_ = false;
    model::Warnings* warnings_ = nullptr;  // where streamed rows' warnings go (may be null)

    std::vector<Item> items_;
    bool hasHeadings_ = false;

    // Flow state: the cursor y_ is the top of the free space on the current page.
    double y_ = 0;
    bool hasContent_ = false;
    double pendingGap_ = 0;
    // While the item before a signature is placed: the height the signature needs below it
    // on the same page (its gap and block); 0 otherwise.
    double withSignature_ = 0;
    bool freshTablePage_ = false;
    const RowItem* openGroup_ = nullptr;  // the group a table is in the middle of
    std::vector<std::pair<int, HPDF_Outline>> outlines_;  // open bookmark path: (level, outline)
};

Renderer::Renderer(const model::Document& doc, const Options& options)
    : doc_(doc),
      fonts_(pdf_, options.fontsDir, doc.fontFamily),
      pageWidth_(pageSize(doc.page).first),
      pageHeight_(pageSize(doc.page).second),
      left_(doc.page.left * kPtPerMm),
      topY_(pageHeight_ - doc.page.top * kPtPerMm),
      bottomY_(doc.page.bottom * kPtPerMm),
      width_(pageWidth_ - (doc.page.left + doc.page.right) * kPtPerMm),
      scale_(doc.fontSize / kBaseSize),
      canvas_(pdf_, pageWidth_, pageHeight_),
      type_(fonts_, canvas_, options.hyphenate ? Hyphenator::russian() : nullptr) {
    type_.reportTo(options.warnings);
    warnings_ = options.warnings;
    baseBottom_ = bottomY_;
    const auto& p = doc.page;
    for (double m : {p.top, p.right, p.bottom, p.left})
        if (!std::isfinite(m) || m < 0)
            throw Error(ErrorKind::Render, "PDF: page margins must be zero or more millimetres");
    if (width_ < 72 || topY_ - bottomY_ < 144)
        throw Error(ErrorKind::Render, "PDF: the page margins leave no room for text (" +
                                           std::to_string(static_cast<int>(width_ / kPtPerMm)) + " × " +
                                           std::to_string(static_cast<int>((topY_ - bottomY_) / kPtPerMm)) +
                                           " mm)");
    if (!std::isfinite(doc.fontSize) || doc.fontSize < 4 || doc.fontSize > 72)
        throw Error(ErrorKind::Render, "PDF: font size must be between 4 and 72 points");
}

LayoutResult Renderer::layoutPages() {
    setupDocument();
    prepare();
    layout();
    LayoutResult r;
    r.pages = canvas_.pageCount();
    r.bodyHeight = topY_ - baseBottom_;
    r.lastFill = r.bodyHeight > 0 ? (topY_ - y_) / r.bodyHeight : 1;
    r.streamed = streamed_;
    r.beforeLastFill = lastEndedFill_;
    return r;
}

void Renderer::finish(const std::filesystem::path& path) {
    canvas_.endBody();
    stampMargins();
    save(path);
}

// ---------------------------------------------------------------------------------------
// Setup and output

void Renderer::setupDocument() {
    HPDF_Doc pdf = pdf_.get();
    pdf_.check(HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL), "enable compression");
    pdf_.check(HPDF_UseUTFEncodings(pdf), "enable UTF-8");
    pdf_.check(HPDF_SetCurrentEncoder(pdf, "UTF-8"), "select the UTF-8 encoder");
    encoder_ = pdf_.checked(HPDF_GetEncoder(pdf, "UTF-8"), "get the UTF-8 encoder");

    const model::Metadata& meta = doc_.meta;
    const std::pair<HPDF_InfoType, const std::string*> info[] = {
        {HPDF_INFO_TITLE, &meta.title},       {HPDF_INFO_SUBJECT, &meta.subject},
        {HPDF_INFO_AUTHOR, &meta.author},     {HPDF_INFO_KEYWORDS, &meta.keywords},
        {HPDF_INFO_CREATOR, &meta.creator},
    };
    for (const auto& [type, value] : info) {
        const std::string text = collapseSpaces(*value);
        if (!text.empty()) pdf_.check(HPDF_SetInfoAttr(pdf, type, text.c_str()), "set the document information");
    }

    // The creation date comes from the data, never the clock, so the bytes are reproducible.
    const std::time_t created = static_cast<std::time_t>(meta.created);
    std::tm tm{};
    if (!gmtime_r(&created, &tm) || tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999)
        throw Error(ErrorKind::Render, "PDF: creation time " + std::to_string(meta.created) + " is out of range");
    HPDF_Date date{};
    date.year = tm.tm_year + 1900;
    date.month = tm.tm_mon + 1;
    date.day = tm.tm_mday;
    date.hour = tm.tm_hour;
    date.minutes = tm.tm_min;
    date.seconds = std::min(tm.tm_sec, 59);
    date.ind = 'Z';
    pdf_.check(HPDF_SetInfoDateAttr(pdf, HPDF_INFO_CREATION_DATE, date), "set the creation date");
    pdf_.check(HPDF_SetInfoDateAttr(pdf, HPDF_INFO_MOD_DATE, date), "set the modification date");
    setupProtection();
}

void Renderer::setupProtection() {
    const model::Protection& p = doc_.protection;
    if (p.ownerPassword.empty()) {
        if (!p.userPassword.empty())
            throw Error(ErrorKind::Render, "PDF: a user password needs an owner password too");
        return;
    }
    // The standard security handler (RC4, revision 3) takes passwords as PDFDocEncoding
    // bytes; readers disagree about anything but printable ASCII.
    for (const std::string* pw : {&p.ownerPassword, &p.userPassword})
        for (char c : *pw)
            if (c < 0x20 || c > 0x7E)
                throw Error(ErrorKind::Render,
                            "PDF: passwords may contain only printable ASCII characters (Latin letters, digits, signs)");
    if (p.ownerPassword.size() > 32 || p.userPassword.size() > 32)
        throw Error(ErrorKind::Render, "PDF: passwords may be at most 32 characters long");
    if (p.ownerPassword == p.userPassword)
        throw Error(ErrorKind::Render, "PDF: the owner and user passwords must differ");
    HPDF_Doc pdf = pdf_.get();
    pdf_.check(HPDF_SetPassword(pdf, p.ownerPassword.c_str(), p.userPassword.c_str()), "set the passwords");
    // Bits of the /P entry (PDF 32000-1, table 22): 512 lets screen readers extract text
    // whatever else is allowed, 2048 makes printing full quality.
    HPDF_UINT permission = HPDF_ENABLE_READ | 512;
    if (p.allowPrint) permission |= HPDF_ENABLE_PRINT | 2048;
    if (p.allowCopy) permission |= HPDF_ENABLE_COPY;
    if (p.allowEdit) permission |= HPDF_ENABLE_EDIT_ALL | HPDF_ENABLE_EDIT;
    pdf_.check(HPDF_SetPermission(pdf, permission), "set the permissions");
    pdf_.check(HPDF_SetEncryptionMode(pdf, HPDF_ENCRYPT_R3, 16), "set the encryption mode");
    encrypted_ = true;
}

void Renderer::save(const std::filesystem::path& path) {
    HPDF_Doc pdf = pdf_.get();
    if (hasHeadings_) pdf_.check(HPDF_SetPageMode(pdf, HPDF_PAGE_MODE_USE_OUTLINE), "show the bookmarks");
    // Written as libharu produces it, not assembled in memory first: for a long document the
    // whole file in memory (and a copy of it) was the largest allocation of all.
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (out) {
        // Encrypted: the file identifier (and the RC4 key) from what identifies this document
        // (metadata, creation time, page count; the passwords' hashes are in /O already), not
        // from the clock, so that the same document gives the same bytes.
        std::string idSeed;
        if (encrypted_)
            idSeed = "GrantPress\n" + doc_.meta.title + "\n" + doc_.meta.subject + "\n" + doc_.meta.author + "\n" +
                     doc_.meta.keywords + "\n" + std::to_string(doc_.meta.created) + "\n" +
                     std::to_string(canvas_.pageCount());
        hpdf::writeDocument(pdf_, out, encrypted_ ? &idSeed : nullptr);  // a failed write is reported below
    }
    if (out) out.close();
    if (!out) {
        throwOutputError("PDF: cannot write " + path.string(), errno);
    }
}

// ---------------------------------------------------------------------------------------
// Preparation

void Renderer::prepare() {
    const double s = scale_;
    size_t number = 0;
    for (const model::Block& block : doc_.blocks) {
        ++number;
        if (block.target == model::Target::XlsxOnly) continue;
        const std::string where = "block " + std::to_string(number);
        std::visit(
            [&](const auto& c) {
                using T = std::decay_t<decltype(c)>;
                if constexpr (std::is_same_v<T, model::Title>) {
                    TitleItem item;
                    item.title = makeBox(c.text, Style::Bold, kTitleSize * s, width_, 0, where + " (title)", {true, false});
                    item.subtitle = makeBox(c.subtitle, Style::Regular, kSubtitleSize * s, width_, kSubtitleGray,
                                            where + " (subtitle)", {true, false});
                    items_.emplace_back(std::move(item));
                } else if constexpr (std::is_same_v<T, model::Heading>) {
                    HeadingItem item;
                    item.level = std::clamp(c.level, 1, 3);
                    const size_t l = static_cast<size_t>(item.level - 1);
                    item.bookmark = collapseSpaces(c.text);
                    item.box = makeBox(c.text, Style::Bold, kHeadingSizes[l] * s, width_, 0,
                                       where + " (heading " + guillemets(c.text) + ")", {true, false});
                    item.before = kHeadingBefore[l] * s;
                    item.after = kHeadingAfter[l] * s;
                    if (item.box.count() == 0) return;
                    hasHeadings_ = true;
                    items_.emplace_back(std::move(item));
                } else if constexpr (std::is_same_v<T, model::Paragraph>) {
                    ParagraphItem item;
                    item.box = type_.box(c.runs, Style::Regular, doc_.fontSize, width_, 0, where + " (paragraph)",
                                         {false, true, true});
                    if (item.box.count() > 0) items_.emplace_back(std::move(item));
                } else if constexpr (std::is_same_v<T, model::FieldList>) {
                    FieldListItem item;
                    item.lineHeight = doc_.fontSize * kLeading;
                    const double labelWidth = width_ * kLabelShare;
                    const double valueWidth = width_ - labelWidth - kGutter;
                    for (const model::Field& f : c.fields) {
                        const std::string fw = where + " (field " + guillemets(f.label) + ")";
                        FieldItem field;
                        field.label = makeBox(f.label, Style::Bold, doc_.fontSize, labelWidth, 0, fw, {false, true});
                        field.value = makeBox(f.value.text, Style::Regular, doc_.fontSize, valueWidth, 0, fw, {false, true});
                        item.fields.push_back(std::move(field));
                    }
                    if (!item.fields.empty()) items_.emplace_back(std::move(item));
                } else if constexpr (std::is_same_v<T, model::Table>) {
                    if (c.columns.empty()) return;
                    items_.emplace_back(prepareTable(c, where + " (table" +
                                                            (c.caption.empty() ? "" : " " + guillemets(c.caption)) + ")"));
                } else if constexpr (std::is_same_v<T, model::PageBreak>) {
                    items_.emplace_back(BreakItem{});
                } else if constexpr (std::is_same_v<T, model::Image>) {
                    items_.emplace_back(prepareImage(c, where + " (image)"));
                } else if constexpr (std::is_same_v<T, model::Chart>) {
                    ChartItem item;
                    item.chart = &c;
                    item.where = where + " (chart" + (c.title.empty() ? "" : " " + guillemets(c.title)) + ")";
                    const double h = std::isfinite(c.heightMm) && c.heightMm > 0 ? c.heightMm * kPtPerMm : 70 * kPtPerMm;
                    item.height = std::clamp(h, 60.0, bodyHeight());
                    checkChart(c, item.where);
                    items_.emplace_back(std::move(item));
                } else if constexpr (std::is_same_v<T, model::Signature>) {
                    items_.emplace_back(prepareSignature(c, where + " (signature)"));
                } else {
                    static_assert(std::is_same_v<T, void>, "a block the PDF renderer does not handle");
                }
            },
            block.content);
    }
}

ImageItem Renderer::prepareImage(const model::Image& image, const std::string& where) {
    if (image.path.empty()) throw Error(ErrorKind::Render, "PDF: " + where + ": no image file given");
    ImageItem item;
    item.image = loadImage(pdf_, image.path);
    item.align = image.align;
    const double natural = item.image.width * 72.0 / 96.0;  // 96 pixels per inch
    double w = std::isfinite(image.widthMm) && image.widthMm > 0 ? image.widthMm * kPtPerMm : natural;
    w = std::min(w, width_);
    double h = w * item.image.height / item.image.width;
    if (h > bodyHeight()) {  // taller than a page: shrink to fit one
        w *= bodyHeight() / h;
        h = bodyHeight();
    }
    item.width = w;
    item.height = h;
    return item;
}

SignatureItem Renderer::prepareSignature(const model::Signature& sig, const std::string& where) {
    SignatureItem item;
    const double size = doc_.fontSize;
    const std::size_t n = sig.parties.size();
    // One party: position (42%), the line (from 45% to 70%) and the name (28%, right) on one
    // row. Several: a column each, a gutter apart; the line takes 45% of it, the name the rest.
    const double column = n <= 1 ? width_ : (width_ - kGutter * static_cast<double>(n - 1)) / static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i) {
        const model::Signatory& s = sig.parties[i];
        const std::string pw = n == 1 ? where : where + ", party " + std::to_string(i + 1);
        PartyItem p;
        const double text = n == 1 ? width_ * 0.42 : column;
        p.title = makeBox(s.title, Style::Bold, size, text, 0, pw + ", title");
        p.position = makeBox(s.position, Style::Regular, size, text, 0, pw + ", position");
        p.name = makeBox(s.name, Style::Regular, size, n == 1 ? width_ * 0.28 : column * 0.53, 0, pw + ", name",
                         {false, false});
        p.note = makeBox("(подпись)", Style::Regular, kSignatureNoteSize, n == 1 ? width_ * 0.25 : column * 0.45,
                         kSubtitleGray, pw);
        const std::string date = collapseSpaces(s.date).empty() ? "«___» ____________ 20___ г." : s.date;
        p.date = makeBox(date, Style::Regular, size, text, 0, pw + ", date");
        if (s.seal) p.seal = makeBox("М.П.", Style::Regular, size, text, 0, pw + ", seal");
        item.parties.push_back(std::move(p));
    }
    return item;
}

std::vector<double> Renderer::columnWidths(const std::vector<model::Column>& columns) const {
    const size_t n = columns.size();
    std::vector<double> w(n, 0);
    double fixed = 0, weights = 0;
    size_t shares = 0;
    for (size_t i = 0; i < n; ++i) {
        const model::Width& width = columns[i].width;
        const double amount = std::isfinite(width.amount) ? std::max(width.amount, 0.0) : 0;
        switch (width.kind) {
            case model::Width::Kind::Fixed: w[i] = amount * kPtPerMm; fixed += w[i]; break;
            case model::Width::Kind::Percent: w[i] = width_ * amount / 100; fixed += w[i]; break;
            case model::Width::Kind::Share: ++shares; weights += amount; break;
        }
    }
    // Fixed and percent columns give way when they leave share columns no room.
    const double shareRoom = static_cast<double>(shares) * kMinColumn;
    if (fixed > 0 && fixed + shareRoom > width_) {
        const double k = std::max(width_ - shareRoom, 0.0) / fixed;
        for (size_t i = 0; i < n; ++i)
            if (columns[i].width.kind != model::Width::Kind::Share) w[i] *= k;
        fixed *= k;
    }
    const double rest = std::max(width_ - fixed, 0.0);
    for (size_t i = 0; i < n; ++i) {
        if (columns[i].width.kind != model::Width::Kind::Share) continue;
        const double amount = std::max(columns[i].width.amount, 0.0);
        w[i] = weights > 0 ? rest * amount / weights : rest / static_cast<double>(shares);
    }
    // No column narrower than its padding and a character or two; then fit the page.
    double total = 0;
    for (double& x : w) total += (x = std::max(x, kMinColumn));
    if (total > width_ + kEps)
        for (double& x : w) x *= width_ / total;
    return w;
}

std::string Renderer::columnWhere(const TableItem& t, size_t i) const {
    return ", column " + guillemets(t.source->columns[i].title);
}

// Adds a cell covering columns [first, first + span).
void Renderer::addCell(const TableItem& t, RowItem& row, size_t first, size_t span, const std::string& text,
                       Style style, Align align, double gray, const std::string& where, bool number) {
    double width = -2 * kCellPad;
    for (size_t i = first; i < first + span; ++i) width += t.w[i];
    row.cells.push_back(makeBox(text, style, kTableSize * scale_, std::max(width, 1.0), gray, where,
                                {align == Align::Center, true}));
    row.first.push_back(first);
    row.span.push_back(span);
    row.align.push_back(align);
    row.links.emplace_back();
    row.tails.push_back(number && align == Align::Right && span == 1 ? decimalTail(row.cells.back()) : -1);
    row.pads.push_back(0);
}

// The width of a one-line number right of its decimal comma, the comma included ("91,4" ->
// ",4"; "106,7 %" -> ",7 %"), or right of its last digit when it has none ("2347" -> 0,
// "100 %" -> " %"); -1 when the box is not one line holding a digit ("—", wrapped text).
double Renderer::decimalTail(const TextBox& box) {
    if (box.count() != 1) return -1;
    const Line& line = box.lines[0];
    std::vector<double> widths;  // of each character of the line, spaces between runs included
    std::u32string text;
    for (std::size_t r = 0; r < line.runs.size(); ++r) {
        if (r > 0) {
            text += U' ';
            widths.push_back(line.space);
        }
        const Run& run = line.runs[r];
        for (std::size_t i = 0; i < run.text.size(); ++i) {
            text += run.text[i];
            widths.push_back(type_.fonts().face(run.fonts[i]).advance(run.text[i], box.size));
        }
    }
    auto digit = [&](std::size_t i) { return text[i] >= U'0' && text[i] <= U'9'; };
    std::size_t lastDigit = text.size();
    for (std::size_t i = text.size(); i-- > 0;)
        if (digit(i)) {
            lastDigit = i;
            break;
        }
    if (lastDigit == text.size()) return -1;
    std::size_t from = lastDigit + 1;  // no comma: the suffix after the digits
    for (std::size_t i = lastDigit; i > 0; --i)
        if (text[i] == U',' && digit(i - 1) && digit(i + 1)) {
            from = i;
            break;
        } else if (!digit(i)) {
            break;
        }
    double tail = 0;
    for (std::size_t i = from; i < widths.size(); ++i) tail += widths[i];
    return tail;
}

// Numbers of a column aligned on the decimal comma: each right-aligned one-line number (a cell
// the engine formatted as a number, not text such as "12 мес.") leaves room on its right for
// the widest tail of its column (rows, subtotals and totals together).
void Renderer::alignDecimals(TableItem& t) {
    std::vector<double> widest(t.w.size(), -1);
    for (const RowItem& row : t.rows)
        for (std::size_t c = 0; c < row.cells.size(); ++c)
            if (row.span[c] == 1) widest[row.first[c]] = std::max(widest[row.first[c]], row.tails[c]);
    for (RowItem& row : t.rows)
        for (std::size_t c = 0; c < row.cells.size(); ++c) {
            if (row.span[c] != 1 || row.tails[c] < 0) continue;
            // Never more room than the cell has beside its text: a cell does not spill left.
            const double room = t.w[row.first[c]] - 2 * kCellPad - row.cells[c].widest();
            row.pads[c] = std::clamp(widest[row.first[c]] - row.tails[c], 0.0, std::max(room, 0.0));
        }
}

void Renderer::finishRow(RowItem& row) const {
    row.lineHeight = kTableSize * scale_ * kLeading;
    row.lines = 1;
    for (const TextBox& b : row.cells) row.lines = std::max(row.lines, b.count());
}

RowItem Renderer::makeRow(const TableItem& t, const std::vector<model::Cell>& cells, RowKind kind,
                          const std::string& where) {
    const size_t n = t.w.size();
    if (cells.size() != n)
        throw Error(ErrorKind::Render, "PDF: " + where + " has " + std::to_string(cells.size()) +
                                           " cells, the table has " + std::to_string(n) + " columns");
    RowItem row;
    row.kind = kind;
    const bool sum = kind == RowKind::Totals || kind == RowKind::Subtotal;
    const Style style = sum ? Style::Bold : Style::Regular;
    size_t i = 0;
    if (sum && cells[0].format == model::Format::Text) {
        // The label ("Итого") runs over the empty cells after it, left-aligned.
        size_t span = 1;
        while (span < n && collapseSpaces(cells[span].text).empty()) ++span;
        addCell(t, row, 0, span, cells[0].text, style, Align::Left, 0, where + columnWhere(t, 0));
        i = span;
    }
    for (; i < n; ++i) {
        addCell(t, row, i, 1, cells[i].text, style, t.align[i], 0, where + columnWhere(t, i),
                model::isNumber(cells[i].format));
        row.links.back() = cells[i].link;
    }
    finishRow(row);
    return row;
}

RowItem Renderer::makeSpanRow(const TableItem& t, const std::string& text, RowKind kind, Style style, Align align,
                              double gray, const std::string& where) {
    RowItem row;
    row.kind = kind;
    addCell(t, row, 0, t.w.size(), text, style, align, gray, where);
    finishRow(row);
    return row;
}

TableItem Renderer::prepareTable(const model::Table& table, const std::string& where) {
    const size_t n = table.columns.size();
    TableItem t;
    t.source = &table;
    t.where = where;
    t.w = columnWidths(table.columns);
    double x = left_;
    for (size_t i = 0; i < n; ++i) {
        t.x.push_back(x);
        x += t.w[i];
        t.align.push_back(table.columns[i].align);
    }
    t.totalWidth = x - left_;
    t.caption = makeBox(table.caption, Style::Bold, doc_.fontSize, t.totalWidth, 0, where + ", caption");

    t.header.kind = RowKind::Header;
    for (size_t i = 0; i < n; ++i)
        addCell(t, t.header, i, 1, table.columns[i].title, Style::Bold, Align::Center, 0, where + columnWhere(t, i) + " title");
    finishRow(t.header);
    const double minimum = t.header.height() + 2 * kCellPad + 2 * t.header.lineHeight;
    if (minimum > bodyHeight())
        throw Error(ErrorKind::Render, "PDF: " + where + ": the column titles are too tall for the page");

    // No rows: the empty text (when there is one), then the totals (when there are any).
    auto addTotalsOrEmpty = [&](const std::vector<model::Cell>& totals, bool noRows) {
        if (noRows && !collapseSpaces(table.emptyText).empty())
            t.rows.push_back(makeSpanRow(t, table.emptyText, RowKind::Empty, Style::Italic, Align::Center, kEmptyGray,
                                         where + ", empty text"));
        if (!totals.empty()) t.rows.push_back(makeRow(t, totals, RowKind::Totals, where + ", totals row"));
    };

    if (table.stream) {
        // Read the first row now, for look-ahead (a heading stays with it); the rest while
        // laying out, one row at a time.
        t.cursor = table.stream->open();
        streamed_ = true;
        if (!t.cursor) throw Error(ErrorKind::Render, "PDF: " + where + ": the row source gave no cursor");
        std::vector<model::Cell> cells;
        if (t.cursor->next(cells)) {
            t.read = 1;
            t.rows.push_back(makeRow(t, cells, RowKind::Body, where + ", row 1"));
        } else {
            addTotalsOrEmpty(t.cursor->totals(), true);
            if (warnings_) warnings_->merge(t.cursor->warnings());
            t.cursor.reset();
        }
        return t;
    }

    // Groups: in row order, not overlapping, within the rows.
    size_t expect = 0;
    for (size_t g = 0; g < table.groups.size(); ++g) {
        const model::Group& group = table.groups[g];
        if (group.begin < expect || group.end <= group.begin || group.end > table.rows.size())
            throw Error(ErrorKind::Render, "PDF: " + where + ": group " + std::to_string(g + 1) + " " +
                                               guillemets(group.title) + " has rows " + std::to_string(group.begin + 1) +
                                               "–" + std::to_string(group.end) + ", out of order or out of range");
        expect = group.end;
    }
    size_t g = 0;
    for (size_t row = 0; row < table.rows.size(); ++row) {
        const model::Group* group = g < table.groups.size() ? &table.groups[g] : nullptr;
        if (group && row == group->begin) {
            const std::string gw = where + ", group " + guillemets(group->title);
            RowItem title = makeSpanRow(t, group->title, RowKind::Group, Style::Bold, Align::Left, 0, gw);
            title.continued = std::make_shared<RowItem>(
                makeSpanRow(t, group->title + " (продолжение)", RowKind::Group, Style::Bold, Align::Left, 0, gw));
            t.rows.push_back(std::move(title));
        }
        t.rows.push_back(makeRow(t, table.rows[row], RowKind::Body, where + ", row " + std::to_string(row + 1)));
        if (group && row + 1 == group->end) {
            if (!group->subtotals.empty())
                t.rows.push_back(makeRow(t, group->subtotals, RowKind::Subtotal,
                                         where + ", subtotals of group " + guillemets(group->title)));
            ++g;
        }
    }
    addTotalsOrEmpty(table.totals, table.rows.empty());
    alignDecimals(t);
    keepRowsTogether(t);
    return t;
}

// A group title stays with the row after it, and a subtotal or totals row with the row
// before it (never alone at the top of a page); chains are kept whole (a title, a group's only
// row and its subtotal) when they fit a page, else the next row's first two lines follow.
void Renderer::keepRowsTogether(TableItem& t) const {
    const auto glued = [&](size_t k) {
        const RowKind next = t.rows[k + 1].kind;
        return t.rows[k].kind == RowKind::Group || next == RowKind::Subtotal || next == RowKind::Totals;
    };
    for (size_t k = t.rows.size(); k-- > 1;) {
        if (!glued(k - 1)) continue;
        RowItem& row = t.rows[k - 1];
        const RowItem& next = t.rows[k];
        const double chain = next.height() + next.keepWithNext;
        const bool fits = chain <= bodyHeight() - t.header.height() - row.height() + kEps;
        row.keepWithNext = fits ? chain : 2 * next.lineHeight + 2 * kCellPad;
    }
}

// ---------------------------------------------------------------------------------------
// Pagination

void Renderer::ensurePage() {
    if (canvas_.pageCount() == 0) newPage();
}

void Renderer::newPage() {
    if (canvas_.pageCount() > 0) lastEndedFill_ = (topY_ - y_) / (topY_ - baseBottom_);
    canvas_.addPage();
    bottomY_ = baseBottom_ + (canvas_.pageCount() - 1 == shortPage_ ? raise_ : 0);
    y_ = topY_;
    hasContent_ = false;
    pendingGap_ = 0;
    freshTablePage_ = false;
}

// On a title page the blocks before the first page break (title, fields, paragraphs) stand
// a little above the middle of the page: a third of the free height above them, two thirds
// below. When they do not all fit, or hold something else, they start at the top.
double Renderer::titlePageDrop() const {
    if (!doc_.titlePage) return 0;
    double total = 0;
    for (const auto& item : items_) {
        if (std::holds_alternative<BreakItem>(item)) break;
        double height = -1;
        if (const auto* t = std::get_if<TitleItem>(&item))
            height = t->title.height() + (t->subtitle.count() ? kTitleGap * scale_ + t->subtitle.height() : 0) +
                     kTitleAfter * scale_;
        else if (const auto* p = std::get_if<ParagraphItem>(&item))
            height = p->box.height() + kParagraphAfter * scale_;
        else if (const auto* f = std::get_if<FieldListItem>(&item)) {
            height = kListBefore * scale_ + kListAfter * scale_;
            for (const FieldItem& field : f->fields)
                height += static_cast<double>(field.lines()) * f->lineHeight + kFieldGap * scale_;
        }
        if (height < 0) return 0;
        total += height;
    }
    return total < bodyHeight() ? (bodyHeight() - total) / 3 : 0;
}

void Renderer::layout() {
    ensurePage();
    y_ -= titlePageDrop();
    for (size_t i = 0; i < items_.size(); ++i) {
        // A signature is not left alone on a page: the end of what it signs goes with it.
        const bool signatureNext = i + 1 < items_.size() && std::holds_alternative<SignatureItem>(items_[i + 1]);
        withSignature_ = signatureNext ? beforeOf(i + 1) + leadOf(i + 1) : 0;
        std::visit(
            [&](auto& item) {
                using T = std::decay_t<decltype(item)>;
                if constexpr (std::is_same_v<T, TitleItem>) placeTitle(item);
                else if constexpr (std::is_same_v<T, HeadingItem>) placeHeading(item, i);
                else if constexpr (std::is_same_v<T, ParagraphItem>) placeParagraph(item);
                else if constexpr (std::is_same_v<T, FieldListItem>) placeFieldList(item);
                else if constexpr (std::is_same_v<T, TableItem>) placeTable(item);
                else if constexpr (std::is_same_v<T, ImageItem>) placeImage(item);
                else if constexpr (std::is_same_v<T, ChartItem>) placeChart(item);
                else if constexpr (std::is_same_v<T, SignatureItem>) placeSignature(item);
                else if constexpr (std::is_same_v<T, BreakItem>) {
                    if (canvas_.pageCount() > 0 && hasContent_) newPage();
                }
            },
            items_[i]);
    }
    ensurePage();  // an empty document still has a page
}

size_t linesIn(double height, double lineHeight) {
    if (height <= 0) return 0;
    return static_cast<size_t>(std::floor((height + kEps) / lineHeight));
}

// Places lines [0, n), each `lineHeight` tall, across pages; draw(from, count, top) draws
// a run of them with its first line's top at `top`.
template <class Draw>
void Renderer::flowLines(size_t n, double lineHeight, double before, const Keep& keep, Draw&& draw) {
    if (n == 0) return;
    ensurePage();
    size_t pos = 0;
    while (pos < n) {
        const size_t left = n - pos;
        const double gap = gapBefore(before);
        const double avail = remaining() - gap;
        const double all = static_cast<double>(left) * lineHeight;
        size_t k = left;
        if (all + keep.withNext > avail + kEps) {
            if (hasContent_ && keep.together && all + keep.withNext <= bodyHeight() + kEps) {
                newPage();
                continue;
            }
            k = std::min(left, linesIn(avail, lineHeight));
            // All lines fit but what must follow them does not: the last lines go with it.
            if (k == left && !keep.together) k = left > keep.widows ? left - keep.widows : 0;
            if (k < left) {
                if (left - k < keep.widows) k = left > keep.widows ? left - keep.widows : 0;
                if (k < keep.orphans) {
                    if (hasContent_) {
                        newPage();
                        continue;
                    }
                    k = std::clamp<size_t>(linesIn(avail, lineHeight), 1, left);  // a page too short for the rules
                }
            }
        }
        y_ -= gap;
        draw(pos, k, y_);
        y_ -= static_cast<double>(k) * lineHeight;
        hasContent_ = true;
        pos += k;
        if (pos < n) newPage();
    }
}

double Renderer::placeWhole(double height, double before) {
    ensurePage();
    double gap = gapBefore(before);
    if (hasContent_ && gap + height > remaining() + kEps) {
        newPage();
        gap = 0;
    }
    y_ -= gap;
    const double top = y_;
    y_ -= height;
    hasContent_ = true;
    return top;
}

double Renderer::beforeOf(size_t index) const {
    if (index >= items_.size()) return 0;
    return std::visit(
        [&](const auto& item) -> double {
            using T = std::decay_t<decltype(item)>;
            if constexpr (std::is_same_v<T, HeadingItem>) return item.before;
            else if constexpr (std::is_same_v<T, FieldListItem>) return kListBefore * scale_;
            else if constexpr (std::is_same_v<T, TableItem>) return kTableBefore * scale_;
            else if constexpr (std::is_same_v<T, ImageItem> || std::is_same_v<T, ChartItem>) return kFigureBefore * scale_;
            else if constexpr (std::is_same_v<T, SignatureItem>) return kSignatureBefore * scale_;
            else return 0.0;
        },
        items_[index]);
}

double Renderer::firstRowLead(const TableItem& t) const {
    if (t.rows.empty()) return 0;
    const RowItem& row = t.rows.front();
    // Rows that fit a page are never split, so all of it must follow the header.
    if (row.height() + row.keepWithNext <= bodyHeight() - t.header.height() + kEps) return row.height() + row.keepWithNext;
    return 2 * row.lineHeight + 2 * kCellPad;
}

// Height of what must stay on the page with the preceding heading: the start of item `index`.
double Renderer::leadOf(size_t index, int depth) const {
    if (index >= items_.size() || depth > 3) return 0;
    return std::visit(
        [&](const auto& item) -> double {
            using T = std::decay_t<decltype(item)>;
            if constexpr (std::is_same_v<T, TitleItem>) {
                return item.title.height();
            } else if constexpr (std::is_same_v<T, HeadingItem>) {
                return item.box.height() + std::max(item.after, beforeOf(index + 1)) + leadOf(index + 1, depth + 1);
            } else if constexpr (std::is_same_v<T, ParagraphItem>) {
                return static_cast<double>(std::min<size_t>(2, item.box.count())) * item.box.lineHeight();
            } else if constexpr (std::is_same_v<T, FieldListItem>) {
                // The first field whole when placeFieldList keeps it together, else its first two lines.
                const size_t lines = item.fields.front().lines();
                return static_cast<double>(lines <= kFieldTogether ? lines : 2) * item.lineHeight;
            } else if constexpr (std::is_same_v<T, TableItem>) {
                const double caption = item.caption.count() ? item.caption.height() + kCaptionGap : 0;
                return caption + item.header.height() + firstRowLead(item);
            } else if constexpr (std::is_same_v<T, ImageItem> || std::is_same_v<T, ChartItem>) {
                return item.height;
            } else if constexpr (std::is_same_v<T, SignatureItem>) {
                return item.height();
            } else {
                return 0.0;
            }
        },
        items_[index]);
}

void Renderer::placeTitle(const TitleItem& item) {
    const double gap = kTitleGap * scale_;
    Keep keep{1, 1, true, item.subtitle.count() ? gap + item.subtitle.height() : 0};
    flowLines(item.title.count(), item.title.lineHeight(), 0, keep, [&](size_t from, size_t count, double top) {
        drawLines(item.title, from, count, left_, width_, top, Align::Center, false);
    });
    if (item.title.count()) pendingGap_ = gap;
    flowLines(item.subtitle.count(), item.subtitle.lineHeight(), 0, Keep{1, 1, true, 0},
              [&](size_t from, size_t count, double top) {
                  drawLines(item.subtitle, from, count, left_, width_, top, Align::Center, false);
              });
    pendingGap_ = kTitleAfter * scale_;
}

void Renderer::placeHeading(const HeadingItem& item, size_t index) {
    const double own = item.box.height();
    const double next = std::max(item.after, beforeOf(index + 1)) + leadOf(index + 1);
    const double withNext = std::clamp(next, 0.0, std::max(bodyHeight() - own, 0.0));
    bool first = true;
    flowLines(item.box.count(), item.box.lineHeight(), item.before, Keep{1, 1, true, withNext},
              [&](size_t from, size_t count, double top) {
                  if (first) addBookmark(item, top);
                  first = false;
                  drawLines(item.box, from, count, left_, width_, top, Align::Left, false);
              });
    pendingGap_ = item.after;
}

void Renderer::addBookmark(const HeadingItem& item, double top) {
    HPDF_Doc pdf = pdf_.get();
    while (!outlines_.empty() && outlines_.back().first >= item.level) outlines_.pop_back();
    HPDF_Outline parent = outlines_.empty() ? nullptr : outlines_.back().second;
    HPDF_Outline outline =
        pdf_.checked(HPDF_CreateOutline(pdf, parent, item.bookmark.c_str(), encoder_), "create a bookmark");
    outlines_.emplace_back(item.level, outline);

    HPDF_Page page = canvas_.page();
    HPDF_Destination dst = pdf_.checked(HPDF_Page_CreateDestination(page), "create a bookmark destination");
    const double y = std::min(top + 4, pageHeight_);
    hpdf::setDestinationTop(pdf_, dst, page, r(y));  // [page /XYZ null top null]: keeps left and zoom
    pdf_.check(HPDF_Outline_SetDestination(outline, dst), "point a bookmark at its heading");
    pdf_.check(HPDF_Outline_SetOpened(outline, HPDF_TRUE), "open a bookmark");
}

void Renderer::placeParagraph(const ParagraphItem& item) {
    flowLines(item.box.count(), item.box.lineHeight(), 0, Keep{2, 2, false, withSignature_},
              [&](size_t from, size_t count, double top) {
                  drawLines(item.box, from, count, left_, width_, top, Align::Left, true);
              });
    pendingGap_ = kParagraphAfter * scale_;
}

void Renderer::placeFieldList(const FieldListItem& item) {
    const double labelWidth = width_ * kLabelShare;
    const double valueX = left_ + labelWidth + kGutter;
    const double valueWidth = width_ - labelWidth - kGutter;
    // The last two fields go with a signature that follows: what is signed is never all on
    // the page before the signature.
    const size_t n = item.fields.size();
    std::vector<double> follow(n, 0);  // height that must stay below field i on its page
    if (withSignature_ > 0)
        for (size_t i = n; i-- > 0 && i + 2 >= n;)
            follow[i] = i + 1 == n ? withSignature_ + kListAfter * scale_
                                   : kFieldGap * scale_ +
                                         static_cast<double>(item.fields[i + 1].lines()) * item.lineHeight + follow[i + 1];
    for (size_t i = 0; i < n; ++i) {
        const FieldItem& field = item.fields[i];
        const double before = i == 0 ? kListBefore * scale_ : kFieldGap * scale_;
        const double own = static_cast<double>(field.lines()) * item.lineHeight;
        const double withNext = std::min(follow[i], std::max(bodyHeight() - own, 0.0));
        // A field of a few lines (an organization's full name) is never split across pages:
        // its label would stand on one page and the end of its value on the next.
        const bool together = withNext > 0 || field.lines() <= kFieldTogether;
        const Keep keep{2, 2, together, withNext};
        flowLines(field.lines(), item.lineHeight, before, keep,
                  [&](size_t from, size_t count, double top) {
                      drawLines(field.label, from, count, left_, labelWidth, top, Align::Left, false);
                      drawLines(field.value, from, count, valueX, valueWidth, top, Align::Left, false);
                  });
        pendingGap_ = kFieldGap * scale_;
    }
    pendingGap_ = kListAfter * scale_;
}

void Renderer::placeTable(TableItem& t) {
    const double caption = t.caption.count() ? t.caption.height() + kCaptionGap : 0;
    const double lead = caption + t.header.height() + firstRowLead(t);
    ensurePage();
    double gap = gapBefore(kTableBefore * scale_);
    if (hasContent_ && gap + lead > remaining() + kEps) {
        newPage();
        gap = 0;
    }
    y_ -= gap;
    if (t.caption.count()) {
        drawLines(t.caption, 0, t.caption.count(), left_, t.totalWidth, y_, Align::Left, false);
        y_ -= caption;
    }
    drawRow(t, t.header, 0, t.header.lines, y_);
    y_ -= t.header.height();
    hasContent_ = true;
    freshTablePage_ = false;
    openGroup_ = nullptr;
    // The last row (and what is glued to it) goes with a signature that follows.
    if (withSignature_ > 0 && !t.cursor && !t.rows.empty()) {
        RowItem& last = t.rows.back();
        if (last.height() + withSignature_ <= bodyHeight() - t.header.height() + kEps) last.keepWithNext = withSignature_;
        keepRowsTogether(t);
    }
    for (const RowItem& row : t.rows) placeRow(t, row);
    if (t.cursor) {
        // A streamed table: each row is laid out, drawn and dropped; memory stays flat.
        std::vector<model::Cell> cells;
        while (t.cursor->next(cells)) {
            ++t.read;
            placeRow(t, makeRow(t, cells, RowKind::Body, t.where + ", row " + std::to_string(t.read)));
        }
        const std::vector<model::Cell> totals = t.cursor->totals();
        if (!totals.empty()) placeRow(t, makeRow(t, totals, RowKind::Totals, t.where + ", totals row"));
        if (warnings_) warnings_->merge(t.cursor->warnings());
        t.cursor.reset();
    }
    openGroup_ = nullptr;
    pendingGap_ = kTableAfter * scale_;
}

void Renderer::continueTable(const TableItem& t) {
    newPage();
    drawRow(t, t.header, 0, t.header.lines, y_);
    y_ -= t.header.height();
    hasContent_ = true;
    freshTablePage_ = true;
    if (openGroup_) {  // the group goes on: say so under the header
        drawRow(t, *openGroup_, 0, openGroup_->lines, y_);
        y_ -= openGroup_->height();
    }
}

void Renderer::placeRow(const TableItem& t, const RowItem& row) {
    if (row.kind == RowKind::Group) openGroup_ = nullptr;  // a new group starts: no "continued" for the old one
    const double lh = row.lineHeight;
    const double height = row.height();
    const double need = height + row.keepWithNext;
    const double room = bodyHeight() - t.header.height() - (openGroup_ ? openGroup_->height() : 0);
    if (need > remaining() + kEps && need <= room + kEps) continueTable(t);
    if (height <= remaining() + kEps) {
        drawRow(t, row, 0, row.lines, y_);
        y_ -= height;
        freshTablePage_ = false;
    } else {
        // Taller than a page: split by lines, at least two lines on either side of a break.
        size_t pos = 0;
        while (pos < row.lines) {
            const size_t left = row.lines - pos;
            const size_t fit = linesIn(remaining() - 2 * kCellPad, lh);
            size_t k = std::min(fit, left);
            if (k < left) {
                if (left - k < 2) k = left > 2 ? left - 2 : 0;
                if (k < 2) {
                    if (!freshTablePage_) {
                        continueTable(t);
                        continue;
                    }
                    k = std::clamp<size_t>(fit, 1, left);
                }
            }
            drawRow(t, row, pos, k, y_);
            y_ -= static_cast<double>(k) * lh + 2 * kCellPad;
            freshTablePage_ = false;
            pos += k;
            if (pos < row.lines) continueTable(t);
        }
    }
    if (row.kind == RowKind::Group) openGroup_ = row.continued.get();
    else if (row.kind == RowKind::Subtotal || row.kind == RowKind::Totals) openGroup_ = nullptr;
}

void Renderer::placeImage(const ImageItem& item) {
    const double top = placeWhole(item.height, kFigureBefore * scale_);
    double x = left_;
    if (item.align == Align::Center) x += (width_ - item.width) / 2;
    else if (item.align == Align::Right) x += width_ - item.width;
    canvas_.image(item.image.image, x, top - item.height, item.width, item.height);
    pendingGap_ = kFigureAfter * scale_;
}

void Renderer::placeChart(const ChartItem& item) {
    const double top = placeWhole(item.height, kFigureBefore * scale_);
    drawChart(type_, canvas_, *item.chart, left_, top, width_, item.height, scale_, item.where);
    pendingGap_ = kFigureAfter * scale_;
}

// Position on the left, a line to sign on, the name on the right, "(подпись)" under the
// line; the date below. All on one page.
void Renderer::placeSignature(const SignatureItem& item) {
    const double top = placeWhole(item.height(), kSignatureBefore * scale_);
    if (item.parties.size() == 1) placeParty(item.parties[0], top);
    else placeParties(item, top);
    pendingGap_ = kSignatureAfter * scale_;
}

// One party on a row: position | line to sign on | name, the date line below.
void Renderer::placeParty(const PartyItem& p, double top) {
    const double lh = p.lineHeight();
    drawLines(p.title, 0, p.title.count(), left_, width_ * 0.42, top, Align::Left, false);
    top -= p.titleHeight();
    const double rows = std::max({p.position.height(), p.name.height(), lh});
    // The last lines of position and name share a baseline with the signing line.
    const double lastTop = top - rows + lh;
    drawLines(p.position, 0, p.position.count(), left_, width_ * 0.42, lastTop + p.position.height() - lh, Align::Left,
              false);
    const double nameX = left_ + width_ * 0.72;
    drawLines(p.name, 0, p.name.count(), nameX, width_ * 0.28, lastTop + p.name.height() - lh, Align::Right, false);
    const double lineY = lastTop - (p.position.face ? Typesetter::baseline(p.position) : lh * 0.8) - 1.5;
    const double x1 = left_ + width_ * 0.45, x2 = left_ + width_ * 0.70;
    canvas_.strokeLines({{x1, lineY, x2, lineY}}, 0.6, 0.0);
    drawLines(p.note, 0, p.note.count(), x1, x2 - x1, lineY - 1, Align::Center, false);
    const double dateTop = top - rows - p.note.height() - lh;
    drawLines(p.date, 0, p.date.count(), left_, width_ * 0.42, dateTop, Align::Left, false);
    drawLines(p.seal, 0, p.seal.count(), x1, x2 - x1, dateTop, Align::Center, false);
}

// Two or three parties side by side, each a column: title, position, then the line to sign on
// with the name after it, "(подпись)" under the line, the date, «М.П.».
void Renderer::placeParties(const SignatureItem& item, double top) {
    const std::size_t n = item.parties.size();
    const double column = (width_ - kGutter * static_cast<double>(n - 1)) / static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i) {
        const PartyItem& p = item.parties[i];
        const double x = left_ + static_cast<double>(i) * (column + kGutter);
        const double lh = p.lineHeight();
        double y = top;
        drawLines(p.title, 0, p.title.count(), x, column, y, Align::Left, false);
        y -= p.titleHeight();
        drawLines(p.position, 0, p.position.count(), x, column, y, Align::Left, false);
        y -= p.position.height() + lh;  // a blank line above the signature
        const double rows = std::max(p.name.height(), lh);
        const double lastTop = y - rows + lh;
        const double lineY = lastTop - (p.name.face ? Typesetter::baseline(p.name) : lh * 0.8) - 1.5;
        const double lineEnd = x + column * 0.45;
        canvas_.strokeLines({{x, lineY, lineEnd, lineY}}, 0.6, 0.0);
        drawLines(p.name, 0, p.name.count(), lineEnd + column * 0.02, column * 0.53, lastTop + p.name.height() - lh,
                  Align::Left, false);
        drawLines(p.note, 0, p.note.count(), x, column * 0.45, lineY - 1, Align::Center, false);
        y -= rows + p.note.height();
        drawLines(p.date, 0, p.date.count(), x, column, y, Align::Left, false);
        y -= p.date.height() + lh * 0.5;
        drawLines(p.seal, 0, p.seal.count(), x, column, y, Align::Left, false);
    }
}

void Renderer::stampMargins() {
    const bool header = !collapseSpaces(doc_.header).empty();
    const bool footer = !collapseSpaces(doc_.footer).empty();
    if (!header && !footer) return;
    const std::string pages = std::to_string(canvas_.pageCount());
    for (size_t i = 0; i < canvas_.pageCount(); ++i) {
        if (doc_.titlePage && i == 0) continue;
        auto expand = [&](const std::string& pattern) {
            return replaceAll(replaceAll(pattern, "{pages}", pages), "{page}", std::to_string(i + 1));
        };
        canvas_.select(i);
        if (header) {
            const TextBox box = makeBox(expand(doc_.header), Style::Regular, kFooterSize, width_, kFooterGray, "header");
            // Centred in the top margin.
            const double top = std::min(pageHeight_ - (pageHeight_ - topY_) / 2 + box.height() / 2, pageHeight_ - 4);
            drawLines(box, 0, box.count(), left_, width_, top, Align::Center, false);
        }
        if (footer) {
            const TextBox box = makeBox(expand(doc_.footer), Style::Regular, kFooterSize, width_, kFooterGray, "footer");
            // Centred in the bottom margin.
            const double top = std::max(baseBottom_ / 2 + box.height() / 2, box.height());
            drawLines(box, 0, box.count(), left_, width_, top, Align::Center, false);
        }
        canvas_.flush();
    }
}

// ---------------------------------------------------------------------------------------
// Drawing

void Renderer::drawRow(const TableItem& t, const RowItem& row, size_t from, size_t count, double top) {
    const double height = static_cast<double>(count) * row.lineHeight + 2 * kCellPad;
    const double bottom = top - height;
    const double x0 = t.x.front();
    const double x1 = x0 + t.totalWidth;
    if (row.kind == RowKind::Header) canvas_.fillRect(x0, bottom, t.totalWidth, height, kHeaderFill);
    if (row.kind == RowKind::Group) canvas_.fillRect(x0, bottom, t.totalWidth, height, kGroupFill);

    std::vector<Canvas::Segment> borders{{x0, top, x1, top}, {x0, bottom, x1, bottom}};
    for (size_t c = 0; c < row.cells.size(); ++c) {
        const double x = t.x[row.first[c]];
        borders.push_back({x, top, x, bottom});
    }
    borders.push_back({x1, top, x1, bottom});
    canvas_.strokeLines(borders, kBorderWidth, kBorderGray);

    const bool whole = from == 0 && count == row.lines;
    for (size_t c = 0; c < row.cells.size(); ++c) {
        const TextBox& box = row.cells[c];
        const size_t last = row.first[c] + row.span[c] - 1;
        const double x = t.x[row.first[c]];
        const double w = t.x[last] + t.w[last] - x;
        double offset = 0;  // column titles are centred vertically
        if (row.kind == RowKind::Header && whole)
            offset = static_cast<double>(row.lines - box.count()) * row.lineHeight / 2;
        drawLines(box, from, count, x + kCellPad, w - 2 * kCellPad - row.pads[c], top - kCellPad - offset, row.align[c],
                  false);
        if (!row.links[c].empty()) canvas_.link(x, bottom, w, height, row.links[c]);
    }
}

}  // namespace

void render(const model::Document& doc, const std::filesystem::path& path, const Options& options) {
    useReentrantTime();  // libharu calls gmtime()
    // Each layout reports to its own list; the one written passes its warnings on.
    model::Warnings firstWarnings, secondWarnings;
    Options first = options, second = options;
    if (options.warnings) {
        first.warnings = &firstWarnings;
        second.warnings = &secondWarnings;
    }
    Renderer renderer(doc, first);
    const LayoutResult laid = renderer.layoutPages();
    // Page balancing: a last page its content fills less than a quarter of (a table's last
    // row and the signature under it) gets a fairer share: the page before it ends earlier, by
    // as much as takes the last page to about a third. Kept only when the document keeps its
    // page count, the last page holds more and the page before stays at least 70% full; never
    // for streamed tables (a second layout would read them again).
    if (!laid.streamed && laid.pages >= 2 && laid.lastFill < kSparseLastPage) {
        Renderer balanced(doc, second);
        balanced.shortenPage(laid.pages - 2, (kLastPageShare - laid.lastFill) * laid.bodyHeight);
        const LayoutResult again = balanced.layoutPages();
        if (again.pages == laid.pages && again.lastFill > laid.lastFill && again.beforeLastFill >= kKeepBeforeLast) {
            balanced.finish(path);
            if (options.warnings) options.warnings->merge(secondWarnings);
            return;
        }
    }
    renderer.finish(path);
    if (options.warnings) options.warnings->merge(firstWarnings);
}

}  // namespace gp::pdf
