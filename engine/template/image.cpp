#include "template/image.h"

#include <fstream>
#include <iterator>

#include "core/error.h"

namespace gp::tmpl {

namespace fs = std::filesystem;

namespace {

// Pictures larger than this are refused before anything decodes them (a PNG of 60000 × 60000
// declared in its header would take gigabytes): the PDF renderer's limits.
constexpr unsigned long kMaxSide = 20000;
constexpr unsigned long long kMaxPixels = 50'000'000ULL;

unsigned long be32(const std::string& b, std::size_t i) {
    const auto u = [&](std::size_t k) { return static_cast<unsigned long>(static_cast<unsigned char>(b[i + k])); };
    return (u(0) << 24) | (u(1) << 16) | (u(2) << 8) | u(3);
}

std::string sizeProblem(unsigned long w, unsigned long h) {
    if (w == 0 || h == 0) return "damaged (a size of " + std::to_string(w) + " × " + std::to_string(h) + " pixels)";
    if (w > kMaxSide || h > kMaxSide || static_cast<unsigned long long>(w) * h > kMaxPixels)
        return "too large: " + std::to_string(w) + " × " + std::to_string(h) + " pixels (at most " +
               std::to_string(kMaxSide) + " on a side and " + std::to_string(kMaxPixels / 1'000'000) +
               " megapixels): scale it down";
    return "";
}

// Why a PNG cannot be drawn whole ("" when its chunks are complete: IHDR first, IEND last).
std::string pngProblem(const std::string& b) {
    std::size_t i = 8;
    bool header = false;
    while (i + 8 <= b.size()) {
        const unsigned long length = be32(b, i);
        const std::string type = b.substr(i + 4, 4);
        if (length > 0x7FFFFFFFUL || i + 12 + length > b.size()) return "damaged PNG (truncated)";
        if (!header) {
            if (type != "IHDR" || length < 13) return "damaged PNG (no header)";
            if (auto p = sizeProblem(be32(b, i + 8), be32(b, i + 12)); !p.empty()) return p;
            header = true;
        }
        if (type == "IEND") return "";
        i += 12 + length;
    }
    return "damaged PNG (truncated: no end)";
}

// Why a JPEG cannot be drawn whole ("" when its frame header is sane and the image data ends
// with an end-of-image marker).
std::string jpegProblem(const std::string& b) {
    std::size_t i = 2;
    bool frame = false;
    while (i + 4 <= b.size()) {
        if (static_cast<unsigned char>(b[i]) != 0xFF) return "damaged JPEG (bad marker)";
        const unsigned marker = static_cast<unsigned char>(b[i + 1]);
        if (marker == 0xFF) {
            ++i;
            continue;
        }
        const std::size_t length = (static_cast<std::size_t>(static_cast<unsigned char>(b[i + 2])) << 8) |
                                   static_cast<unsigned char>(b[i + 3]);
        if (length < 2 || i + 2 + length > b.size()) return "damaged JPEG (truncated)";
        if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
            if (length < 8) return "damaged JPEG (short frame header)";
            const auto u = [&](std::size_t k) { return static_cast<unsigned long>(static_cast<unsigned char>(b[i + k])); };
            if (auto p = sizeProblem((u(7) << 8) | u(8), (u(5) << 8) | u(6)); !p.empty()) return p;
            frame = true;
        }
        if (marker == 0xDA) {
            if (!frame) return "damaged JPEG (no frame header)";
            // In the entropy-coded data a 0xFF byte is always followed by 0x00 or a restart
            // marker: an end-of-image marker after it means the data is whole.
            if (b.find("\xFF\xD9", i + 2 + length) == std::string::npos) return "damaged JPEG (truncated: no end)";
            return "";
        }
        i += 2 + length;
    }
    return "damaged JPEG (truncated: no image data)";
}

}  // namespace

fs::path findImage(const fs::path& folder, const std::string& src, const Location& loc) {
    auto fail = [&](const std::string& why) -> fs::path {
        throw Error(ErrorKind::Template, loc.file, loc.line, loc.column, why);
    };
    if (src.empty()) return fail("<image> needs a file name in src=\"…\"");
    const fs::path rel(src);
    if (rel.is_absolute()) return fail("image '" + src + "': give a path relative to the templates folder");
    const fs::path base = fs::absolute(folder).lexically_normal();
    const fs::path full = (base / rel).lexically_normal();
    const fs::path inside = full.lexically_relative(base);
    if (inside.empty() || *inside.begin() == "..")
        return fail("image '" + src + "' is outside the templates folder");
    std::error_code ec;
    if (!fs::is_regular_file(full, ec)) return fail("image '" + src + "' not found (looked for " + full.string() + ")");
    // Symbolic links are followed: what is read must be inside the folder too, wherever a
    // link (the file or a folder on its way) points.
    const fs::path realBase = fs::canonical(base, ec);
    if (ec) return fail("image '" + src + "': the templates folder " + base.string() + " cannot be resolved: " + ec.message());
    const fs::path real = fs::canonical(full, ec);
    if (ec) return fail("image '" + src + "' not found (looked for " + full.string() + ": " + ec.message() + ")");
    const fs::path realInside = real.lexically_relative(realBase);
    if (realInside.empty() || *realInside.begin() == "..")
        return fail("image '" + src + "' resolves outside the templates folder (" + full.string() + " leads to " +
                    real.string() + "): a template reads only files inside its folder");
    std::ifstream in(real, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto* head = reinterpret_cast<const unsigned char*>(bytes.data());
    const bool png = bytes.size() >= 8 && head[0] == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G' &&
                     head[4] == 0x0D && head[5] == 0x0A && head[6] == 0x1A && head[7] == 0x0A;
    const bool jpeg = bytes.size() >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF;
    if (!png && !jpeg) return fail("image '" + src + "' is not a PNG or JPEG picture");
    const std::string problem = png ? pngProblem(bytes) : jpegProblem(bytes);
    if (!problem.empty()) return fail("image '" + src + "' (" + real.string() + "): " + problem);
    return real;  // the renderers read the resolved file, not the link
}

}  // namespace gp::tmpl
