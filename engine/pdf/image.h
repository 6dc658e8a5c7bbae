// Pictures for the PDF renderer. PNG files are decoded here with libpng (any bit depth,
// palette, interlacing; transparency becomes a soft mask) and handed to libharu as raw
// 8-bit samples, so libharu's own PNG reader, which crashes on interlaced RGBA files and
// garbles 16-bit ones, is never used. JPEG files are embedded as they are (DCTDecode).
#pragma once

#include <hpdf.h>

#include <filesystem>

#include "pdf/hpdf_document.h"

namespace gp::pdf {

struct LoadedImage {
    HPDF_Image image = nullptr;
    unsigned width = 0;   // pixels
    unsigned height = 0;  // pixels
};

// Throws gp::Error(Render) naming the file when it is missing, unreadable, not a PNG or
// JPEG, or damaged.
LoadedImage loadImage(HpdfDocument& doc, const std::filesystem::path& file);

}  // namespace gp::pdf
