#include "xlsx/image_info.h"

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "core/error.h"

namespace gp::xlsx::detail {
namespace {

std::uint32_t be16(std::string_view d, std::size_t at) {
    return (static_cast<std::uint32_t>(static_cast<unsigned char>(d[at])) << 8) |
           static_cast<unsigned char>(d[at + 1]);
}

std::uint32_t be32(std::string_view d, std::size_t at) { return (be16(d, at) << 16) | be16(d, at + 2); }

bool png(std::string_view d, ImageInfo& info) {
    static constexpr std::string_view kSignature("\x89PNG\r\n\x1a\n", 8);
    if (!d.starts_with(kSignature)) return false;
    std::size_t at = 8;
    while (at + 8 <= d.size()) {
        const std::uint32_t length = be32(d, at);
        const std::string_view type = d.substr(at + 4, 4);
        const std::size_t data = at + 8;
        if (length > d.size() - data) break;
        if (type == "IHDR" && length >= 8) {
            info.width = static_cast<int>(be32(d, data));
            info.height = static_cast<int>(be32(d, data + 4));
        } else if (type == "pHYs" && length >= 9) {
            const std::uint32_t x = be32(d, data), y = be32(d, data + 4);
            if (d[data + 8] == 1 && x > 0 && y > 0) {  // pixels per metre
                info.xDpi = x * 0.0254;
                info.yDpi = y * 0.0254;
            }
        } else if (type == "IEND") {
            break;
        }
        at = data + length + 4;  // data and CRC
    }
    return true;
}

bool jpeg(std::string_view d, ImageInfo& info) {
    if (d.size() < 4 || static_cast<unsigned char>(d[0]) != 0xFF || static_cast<unsigned char>(d[1]) != 0xD8)
        return false;
    std::size_t at = 2;
    while (at + 4 <= d.size()) {
        if (static_cast<unsigned char>(d[at]) != 0xFF) break;
        const auto marker = static_cast<unsigned char>(d[at + 1]);
        if (marker == 0xFF) {  // fill byte
            ++at;
            continue;
        }
        if (marker == 0xD9 || marker == 0xDA) break;  // end of image, start of scan
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
            at += 2;
            continue;
        }
        const std::uint32_t length = be16(d, at + 2);
        if (length < 2 || at + 2 + length > d.size()) break;
        const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (sof && length >= 7) {
            info.height = static_cast<int>(be16(d, at + 5));
            info.width = static_cast<int>(be16(d, at + 7));
        } else if (marker == 0xE0 && length >= 14) {  // JFIF: units, then densities
            const auto units = static_cast<unsigned char>(d[at + 11]);
            const std::uint32_t x = be16(d, at + 12), y = be16(d, at + 14);
            if (units == 1 && x > 0 && y > 0) {
                info.xDpi = x;
                info.yDpi = y;
            } else if (units == 2 && x > 0 && y > 0) {  // per centimetre
                info.xDpi = x * 2.54;
                info.yDpi = y * 2.54;
            }
        }
        at += 2 + length;
    }
    return true;
}

}  // namespace

ImageInfo readImageInfo(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error(ErrorKind::Render, "image '" + path.string() + "' not found");
    std::ifstream in(path, std::ios::binary);
    std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (!in.good() && !in.eof()) throw Error(ErrorKind::Render, "cannot read image '" + path.string() + "'");
    ImageInfo info;
    if (!png(data, info) && !jpeg(data, info))
        throw Error(ErrorKind::Render, "image '" + path.string() + "' is not a PNG or JPEG file");
    if (info.width <= 0 || info.height <= 0)
        throw Error(ErrorKind::Render, "image '" + path.string() + "' has no size in its header (damaged file?)");
    return info;
}

}  // namespace gp::xlsx::detail
