// The size of a PNG or JPEG picture as libxlsxwriter will place it: pixels and resolution
// from the file's header (PNG IHDR and pHYs, JPEG SOFn and JFIF APP0), so the renderer can
// scale an image to a width in millimetres.
#pragma once

#include <filesystem>

namespace gp::xlsx::detail {

struct ImageInfo {
    int width = 0;  // pixels
    int height = 0;
    double xDpi = 96;  // 96 when the file does not say
    double yDpi = 96;

    // Size in pixels at 96 dpi, the unit libxlsxwriter positions objects in.
    double screenWidth() const { return width * 96.0 / xDpi; }
    double screenHeight() const { return height * 96.0 / yDpi; }
};

// Reads the header of `path`. Throws gp::Error(Render) naming the path when the file is
// missing or unreadable, or is not a PNG or JPEG picture with a size.
ImageInfo readImageInfo(const std::filesystem::path& path);

}  // namespace gp::xlsx::detail
