#include "template/image.h"

#include <fstream>

#include "core/error.h"

namespace gp::tmpl {

namespace fs = std::filesystem;

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
    unsigned char head[8] = {};
    in.read(reinterpret_cast<char*>(head), sizeof head);
    const bool png = in.gcount() == 8 && head[0] == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G' &&
                     head[4] == 0x0D && head[5] == 0x0A && head[6] == 0x1A && head[7] == 0x0A;
    const bool jpeg = in.gcount() >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF;
    if (!png && !jpeg) return fail("image '" + src + "' is not a PNG or JPEG picture");
    return real;  // the renderers read the resolved file, not the link
}

}  // namespace gp::tmpl
