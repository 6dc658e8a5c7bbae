#include "xlsx/workbook.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/error.h"
#include "core/reentrant_time.h"

namespace gp::xlsx::detail {

void check(lxw_error err, const std::string& what) {
    if (err != LXW_NO_ERROR) throw Error(ErrorKind::Render, what + ": " + lxw_strerror(err));
}

Workbook::Workbook(const std::filesystem::path& path, const std::filesystem::path& tmpdir, bool constantMemory)
    : path_(path.string()), constantMemory_(constantMemory) {
    useReentrantTime();  // libxlsxwriter writes the workbook's dates with gmtime()
    lxw_workbook_options options{};
    options.constant_memory = constantMemory ? LXW_TRUE : LXW_FALSE;
    options.use_zip64 = constantMemory ? LXW_TRUE : LXW_FALSE;
    if (!tmpdir.empty()) {
        tmpdir_ = std::make_unique<std::string>(tmpdir.string());
        options.tmpdir = tmpdir_->data();
    }
    wb_ = workbook_new_opt(path_.c_str(), &options);
    if (wb_ == nullptr)
        throw Error(ErrorKind::Render, "cannot create XLSX workbook for '" + path_ + "': out of memory");
}

Workbook::~Workbook() { discard(); }

Workbook::Workbook(Workbook&& other) noexcept
    : wb_(std::exchange(other.wb_, nullptr)),
      path_(std::move(other.path_)),
      constantMemory_(other.constantMemory_),
      tmpdir_(std::move(other.tmpdir_)) {}

Workbook& Workbook::operator=(Workbook&& other) noexcept {
    if (this != &other) {
        discard();
        wb_ = std::exchange(other.wb_, nullptr);
        path_ = std::move(other.path_);
        constantMemory_ = other.constantMemory_;
        tmpdir_ = std::move(other.tmpdir_);
    }
    return *this;
}

void Workbook::discard() noexcept {
    // Frees without packaging: nothing is written at path_ (workbook_close would write the
    // half-built workbook). libxlsxwriter exports this; workbook_close ends with it too.
    if (wb_ != nullptr) lxw_workbook_free(std::exchange(wb_, nullptr));
}

lxw_worksheet* Workbook::addWorksheet(const std::string& name) {
    lxw_error err = workbook_validate_sheet_name(wb_, name.c_str());
    check(err, "invalid sheet name '" + name + "'");
    lxw_worksheet* ws = workbook_add_worksheet(wb_, name.c_str());
    if (ws == nullptr) throw Error(ErrorKind::Render, "cannot add worksheet '" + name + "'");
    return ws;
}

void Workbook::close() {
    if (wb_ == nullptr) throw Error(ErrorKind::Render, "XLSX workbook '" + path_ + "' is already closed");
    errno = 0;
    lxw_error err = workbook_close(std::exchange(wb_, nullptr));  // frees it, success or not
    const int systemError = errno;
    if (err == LXW_ERROR_CREATING_XLSX_FILE) {
        // libxlsxwriter's own text guesses "Usually a permissions error"; the system knows.
        if (systemError != 0) throwOutputError("cannot create XLSX file '" + path_ + "'", systemError);
        throw Error(ErrorKind::Output, "cannot create XLSX file '" + path_ + "': " + lxw_strerror(err));
    }
    // A zip write that failed on a full disk: libxlsxwriter says only that the zip failed.
    if (err != LXW_NO_ERROR && (systemError == ENOSPC || systemError == EDQUOT))
        throwOutputError("cannot write XLSX file '" + path_ + "'", systemError);
    if (err == LXW_ERROR_CREATING_TMPFILE) {
        std::string where = tmpdir_ ? "'" + *tmpdir_ + "'" : "the system temporary folder";
        throw Error(ErrorKind::Render, "cannot write XLSX file '" + path_ + "': cannot create a temporary file in " +
                                           where + ": " + lxw_strerror(err));
    }
    check(err, "cannot write XLSX file '" + path_ + "'");
}

lxw_format* Formats::get(const Style& style) {
    auto found = cache_.find(style);
    if (found != cache_.end()) return found->second;
    lxw_format* f = workbook_add_format(wb_);
    if (f == nullptr) throw Error(ErrorKind::Render, "cannot create an XLSX cell format: out of memory");
    if (style.bold) format_set_bold(f);
    if (style.italic) format_set_italic(f);
    if (style.size > 0) format_set_font_size(f, style.size);
    if (style.border) format_set_border(f, LXW_BORDER_THIN);
    if (style.bottomBorder) format_set_bottom(f, LXW_BORDER_THIN);
    if (style.fill) {
        format_set_pattern(f, LXW_PATTERN_SOLID);
        format_set_bg_color(f, 0xF2F2F2);
    }
    if (style.color != 0) format_set_font_color(f, style.color);
    if (style.underline) format_set_underline(f, LXW_UNDERLINE_SINGLE);
    if (style.wrap) format_set_text_wrap(f);
    if (style.top) format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    if (style.vcenter) format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
    switch (style.align) {
        case HAlign::General: break;
        case HAlign::Left: format_set_align(f, LXW_ALIGN_LEFT); break;
        case HAlign::Center: format_set_align(f, LXW_ALIGN_CENTER); break;
        case HAlign::Right: format_set_align(f, LXW_ALIGN_RIGHT); break;
    }
    if (!style.numFormat.empty()) format_set_num_format(f, style.numFormat.c_str());
    cache_.emplace(style, f);
    return f;
}

}  // namespace gp::xlsx::detail
