#include "pdf/hpdf_document.h"

#include <cstdio>

#include "core/error.h"

namespace gp::pdf {

extern "C" {
// libharu calls this on every error. It must not throw (C frames are on the stack), so it
// only remembers the first error; HpdfDocument::check reports it after the call returns.
static void HPDF_STDCALL gpHpdfRecordError(HPDF_STATUS error, HPDF_STATUS detail, void* user) {
    auto* record = static_cast<HpdfDocument::ErrorRecord*>(user);
    if (record && record->error == HPDF_OK) {
        record->error = error;
        record->detail = detail;
    }
}
}

HpdfDocument::HpdfDocument()
    : record_(std::make_unique<ErrorRecord>()), doc_(HPDF_New(gpHpdfRecordError, record_.get())) {
    if (!doc_) throw Error(ErrorKind::Render, "PDF: libharu could not create a document (out of memory?)");
}

void HpdfDocument::check(HPDF_STATUS status, const std::string& what) {
    const HPDF_STATUS recorded = record_->error;
    if (status == HPDF_OK && recorded == HPDF_OK) return;
    const HPDF_STATUS code = recorded != HPDF_OK ? recorded : status;
    std::string message = "PDF: libharu failed to " + what + ": " + hpdfErrorName(code);
    if (recorded != HPDF_OK && record_->detail != 0) message += ", detail " + std::to_string(record_->detail);
    HPDF_ResetError(doc_.get());
    *record_ = ErrorRecord{};
    throw Error(ErrorKind::Render, message);
}

std::string hpdfErrorName(HPDF_STATUS code) {
    const char* name = nullptr;
    switch (code) {
        case HPDF_FAILD_TO_ALLOC_MEM: name = "out of memory"; break;
        case HPDF_FILE_IO_ERROR: name = "file I/O error"; break;
        case HPDF_FILE_OPEN_ERROR: name = "cannot open file"; break;
        case HPDF_FONT_EXISTS: name = "font already loaded"; break;
        case HPDF_INVALID_DATE_TIME: name = "invalid date"; break;
        case HPDF_INVALID_DOCUMENT: name = "invalid document"; break;
        case HPDF_INVALID_ENCODER: name = "invalid encoder"; break;
        case HPDF_INVALID_FONTDEF_DATA: name = "invalid font data"; break;
        case HPDF_INVALID_OBJECT: name = "no object returned"; break;
        case HPDF_INVALID_PARAMETER: name = "invalid parameter"; break;
        case HPDF_INVALID_TTC_FILE: name = "invalid TrueType collection"; break;
        case HPDF_PAGE_INVALID_GMODE: name = "operation not allowed in the current graphics mode"; break;
        case HPDF_PAGE_INVALID_SIZE: name = "invalid page size"; break;
        case HPDF_PAGE_INVALID_FONT_SIZE: name = "invalid font size"; break;
        case HPDF_REAL_OUT_OF_RANGE: name = "number out of range"; break;
        case HPDF_STRING_OUT_OF_RANGE: name = "string too long"; break;
        case HPDF_TTF_CANNOT_EMBEDDING_FONT: name = "the font's licence forbids embedding"; break;
        case HPDF_TTF_INVALID_CMAP: name = "the font has no usable Unicode cmap"; break;
        case HPDF_TTF_INVALID_FOMAT: name = "not a TrueType font"; break;
        case HPDF_TTF_MISSING_TABLE: name = "the font lacks a required table"; break;
        case HPDF_ZLIB_ERROR: name = "zlib error"; break;
        default: break;
    }
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%04X", static_cast<unsigned>(code));
    return name ? std::string(name) + " (libharu error " + hex + ")" : std::string("libharu error ") + hex;
}

}  // namespace gp::pdf
