// A thin C++ layer over libxlsxwriter for the XLSX renderer: one owner of the
// lxw_workbook*, error-code checking that throws gp::Error, and a cache of cell formats.
#pragma once

#include <xlsxwriter.h>

#include <filesystem>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace gp::xlsx::detail {

// Throws gp::Error(Render) "<what>: <lxw_strerror(err)>" unless err is LXW_NO_ERROR.
void check(lxw_error err, const std::string& what);

// Owns one lxw_workbook*. close() writes the file (and throws when that fails); a workbook
// that was never closed is discarded by the destructor without writing anything, so a
// render that fails half-way leaves no half-built file behind. libxlsxwriter frees the
// workbook in both cases, exactly once.
//
// With `constantMemory` libxlsxwriter keeps one row per sheet in memory and writes it out
// as soon as a later row is touched; writing an earlier row then fails (the renderer writes
// strictly in order). The sheets are written through temporary files in `tmpdir` and zipped
// with ZIP64 extensions, needed once a sheet's XML passes 4 GiB.
class Workbook {
public:
    Workbook(const std::filesystem::path& path, const std::filesystem::path& tmpdir, bool constantMemory = false);
    ~Workbook();
    Workbook(Workbook&& other) noexcept;
    Workbook& operator=(Workbook&& other) noexcept;
    Workbook(const Workbook&) = delete;
    Workbook& operator=(const Workbook&) = delete;

    lxw_workbook* get() const { return wb_; }
    bool constantMemory() const { return constantMemory_; }
    // Adds a worksheet; `name` must already be valid (see gp::xlsx::sheetName).
    lxw_worksheet* addWorksheet(const std::string& name);
    // Writes the file and frees the workbook. Throws gp::Error (Output when the file cannot
    // be created, Render otherwise). The workbook is gone afterwards, even on failure.
    void close();

private:
    void discard() noexcept;

    lxw_workbook* wb_ = nullptr;
    std::string path_;
    bool constantMemory_ = false;
    // Kept on the heap so its address survives moves: libxlsxwriter may keep the pointer.
    std::unique_ptr<std::string> tmpdir_;
};

enum class HAlign { General, Left, Center, Right };

// Everything the renderer varies in a cell format. One lxw_format per distinct Style.
struct Style {
    bool bold = false;
    bool italic = false;
    double size = 0;  // points; 0 = the default 11
    bool border = false;        // thin border all round
    bool bottomBorder = false;  // thin border below only (a line to sign on)
    bool fill = false;          // light grey background (group header rows)
    std::uint32_t color = 0;    // font colour 0xRRGGBB; 0 = automatic (black)
    bool underline = false;     // single underline (links)
    bool wrap = false;
    bool top = false;  // vertical alignment: top (else bottom, Excel's default)
    bool vcenter = false;
    HAlign align = HAlign::General;
    std::string numFormat;  // empty = General
    auto operator<=>(const Style&) const = default;
};

class Formats {
public:
    explicit Formats(lxw_workbook* wb) : wb_(wb) {}
    lxw_format* get(const Style& style);

private:
    lxw_workbook* wb_;
    std::map<Style, lxw_format*> cache_;  // the formats are owned by the workbook
};

}  // namespace gp::xlsx::detail
