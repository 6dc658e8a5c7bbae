// RAII owner of a libharu document plus the error discipline the renderer relies on:
// libharu's error callback only records the error (nothing is thrown through C code), and
// every call is checked after it returns; a failed check throws gp::Error(Render).
#pragma once

#include <hpdf.h>

#include <memory>
#include <string>
#include <type_traits>

namespace gp::pdf {

class HpdfDocument {
public:
    HpdfDocument();  // HPDF_New; throws when libharu cannot start
    HpdfDocument(HpdfDocument&&) noexcept = default;
    HpdfDocument& operator=(HpdfDocument&& other) noexcept {  // the old document dies with `other`
        doc_.swap(other.doc_);
        record_.swap(other.record_);
        return *this;
    }
    HpdfDocument(const HpdfDocument&) = delete;
    HpdfDocument& operator=(const HpdfDocument&) = delete;
    ~HpdfDocument() = default;

    HPDF_Doc get() const { return doc_.get(); }

    // Throws when `status` is not HPDF_OK or libharu recorded an error during `what`.
    void check(HPDF_STATUS status, const std::string& what);
    // For calls that return a handle: null (or a recorded error) throws.
    template <class Handle>
    Handle checked(Handle handle, const std::string& what) {
        check(handle ? HPDF_OK : HPDF_INVALID_OBJECT, what);
        return handle;
    }
    // For calls that return neither a status nor a handle.
    void checkRecorded(const std::string& what) { check(HPDF_OK, what); }

    struct ErrorRecord {
        HPDF_STATUS error = HPDF_OK;
        HPDF_STATUS detail = 0;
    };

private:
    struct Free {
        void operator()(HPDF_Doc doc) const noexcept { HPDF_Free(doc); }
    };
    // Declared before doc_ so it outlives the document that points at it.
    std::unique_ptr<ErrorRecord> record_;
    std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, Free> doc_;
};

// "HPDF_FILE_OPEN_ERROR (0x1017)" for the codes the renderer can meet, else just the number.
std::string hpdfErrorName(HPDF_STATUS code);

}  // namespace gp::pdf
