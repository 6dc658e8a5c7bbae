#include "pdf/image.h"

#include <png.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "pdf/hpdf_internals.h"

namespace gp::pdf {
namespace {

// A picture the template names that cannot be drawn is the template's problem (exit 66), like
// one that is missing: the message names the file.
[[noreturn]] void fail(const std::filesystem::path& file, const std::string& why) {
    throw Error(ErrorKind::Template, "PDF: image " + file.string() + ": " + why);
}

std::string readFile(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) fail(file, "file not found");
    if (!std::filesystem::is_regular_file(file, ec)) fail(file, "not a regular file");
    std::ifstream in(file, std::ios::binary);
    if (!in) fail(file, std::string("cannot open: ") + std::strerror(errno));
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) fail(file, "cannot read");
    return bytes;
}

// Owns a png_image during decoding.
struct PngImage {
    png_image image{};
    PngImage() { image.version = PNG_IMAGE_VERSION; }
    ~PngImage() { png_image_free(&image); }
};

LoadedImage loadPng(HpdfDocument& doc, const std::filesystem::path& file, const std::string& bytes) {
    PngImage png;
    if (!png_image_begin_read_from_memory(&png.image, bytes.data(), bytes.size()))
        fail(file, std::string("not a readable PNG (") + png.image.message + ")");
    const bool color = (png.image.format & PNG_FORMAT_FLAG_COLOR) != 0;
    const bool alpha = (png.image.format & PNG_FORMAT_FLAG_ALPHA) != 0;
    // 8 bits per sample, sRGB, no palette, not interlaced: what libharu's raw loader takes.
    png.image.format = color ? (alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB) : (alpha ? PNG_FORMAT_GA : PNG_FORMAT_GRAY);
    const unsigned w = png.image.width, h = png.image.height;
    if (w == 0 || h == 0 || w > 20000 || h > 20000 || static_cast<unsigned long long>(w) * h > 50'000'000ULL)
        fail(file, "unsupported size " + std::to_string(w) + " × " + std::to_string(h) + " pixels");
    std::vector<png_byte> pixels(PNG_IMAGE_SIZE(png.image));
    if (!png_image_finish_read(&png.image, nullptr, pixels.data(), 0, nullptr))
        fail(file, std::string("damaged PNG (") + png.image.message + ")");

    const size_t channels = PNG_IMAGE_SAMPLE_CHANNELS(png.image.format);
    const size_t count = static_cast<size_t>(w) * h;
    std::vector<png_byte> samples, mask;
    const size_t colorChannels = alpha ? channels - 1 : channels;
    samples.reserve(count * colorChannels);
    bool opaque = true;
    if (alpha) {
        mask.reserve(count);
        for (size_t i = 0; i < count; ++i) {
            const png_byte* p = &pixels[i * channels];
            samples.insert(samples.end(), p, p + colorChannels);
            mask.push_back(p[colorChannels]);
            opaque = opaque && p[colorChannels] == 255;
        }
    } else {
        samples = std::move(pixels);
    }
    const std::string what = "embed the image " + file.string();
    LoadedImage out;
    out.width = w;
    out.height = h;
    out.image = doc.checked(HPDF_LoadRawImageFromMem(doc.get(), samples.data(), w, h,
                                                     color ? HPDF_CS_DEVICE_RGB : HPDF_CS_DEVICE_GRAY, 8),
                            what);
    if (alpha && !opaque) {
        HPDF_Image smask = doc.checked(HPDF_LoadRawImageFromMem(doc.get(), mask.data(), w, h, HPDF_CS_DEVICE_GRAY, 8), what);
        doc.check(HPDF_Image_AddSMask(out.image, smask), what);
        // Soft masks are PDF 1.4.
        hpdf::requirePdfVersion(doc.get(), HPDF_VER_14);
    }
    return out;
}

LoadedImage loadJpeg(HpdfDocument& doc, const std::filesystem::path& file, const std::string& bytes) {
    // Check the frame header ourselves: libharu reads it without bounds checks.
    size_t i = 2;
    unsigned components = 0, w = 0, h = 0;
    while (i + 4 <= bytes.size()) {
        if (static_cast<unsigned char>(bytes[i]) != 0xFF) fail(file, "damaged JPEG (bad marker)");
        const unsigned marker = static_cast<unsigned char>(bytes[i + 1]);
        if (marker == 0xFF) {
            ++i;
            continue;
        }
        const size_t length = (static_cast<unsigned char>(bytes[i + 2]) << 8) | static_cast<unsigned char>(bytes[i + 3]);
        if (length < 2 || i + 2 + length > bytes.size()) fail(file, "damaged JPEG (truncated)");
        if (marker == 0xC0 || marker == 0xC1 || marker == 0xC2) {
            if (length < 8) fail(file, "damaged JPEG (short frame header)");
            const auto b = [&](size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(bytes[i + k])); };
            h = (b(5) << 8) | b(6);
            w = (b(7) << 8) | b(8);
            components = b(9);
            break;
        }
        if ((marker >= 0xC3 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC))
            fail(file, "unsupported JPEG coding (lossless or arithmetic)");
        if (marker == 0xDA) break;
        i += 2 + length;
    }
    if (w == 0 || h == 0) fail(file, "damaged JPEG (no frame header)");
    if (components != 1 && components != 3)
        fail(file, "unsupported JPEG with " + std::to_string(components) + " colour components (CMYK?); save it as RGB");
    LoadedImage out;
    out.width = w;
    out.height = h;
    out.image = doc.checked(
        HPDF_LoadJpegImageFromMem(doc.get(), reinterpret_cast<const HPDF_BYTE*>(bytes.data()),
                                  static_cast<HPDF_UINT>(bytes.size())),
        "embed the image " + file.string());
    return out;
}

}  // namespace

LoadedImage loadImage(HpdfDocument& doc, const std::filesystem::path& file) {
    const std::string bytes = readFile(file);
    if (bytes.size() >= 8 && std::memcmp(bytes.data(), "\x89PNG\r\n\x1a\n", 8) == 0) return loadPng(doc, file, bytes);
    if (bytes.size() >= 4 && static_cast<unsigned char>(bytes[0]) == 0xFF && static_cast<unsigned char>(bytes[1]) == 0xD8)
        return loadJpeg(doc, file, bytes);
    fail(file, "not a PNG or JPEG file");
}

}  // namespace gp::pdf
