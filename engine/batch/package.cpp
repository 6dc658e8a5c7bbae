#include "batch/package.h"

#include <Poco/DateTime.h>
#include <Poco/Exception.h>
#include <Poco/Path.h>
#include <Poco/Timestamp.h>
#include <Poco/Zip/Compress.h>

#include <fstream>
#include <sstream>

#include "core/error.h"

namespace gp::batch {

std::string asciiMemberName(const std::string& name) {
    std::string out;
    for (unsigned char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                  c == '_';
        if (ok) out += static_cast<char>(c);
        else if (c < 0x80 || (c & 0xC0) == 0xC0) out += '_';  // one '_' per character, not per byte
    }
    return out.empty() ? "file" : out;
}

std::string asciiMemberPath(const std::string& path) {
    std::string out;
    std::size_t from = 0;
    while (true) {
        const std::size_t slash = path.find('/', from);
        std::string part = asciiMemberName(path.substr(from, slash == std::string::npos ? std::string::npos : slash - from));
        if (part == "." || part == "..") part = "_";
        out += part;
        if (slash == std::string::npos) return out;
        out += '/';
        from = slash + 1;
    }
}

void writePackage(const std::filesystem::path& path, const std::vector<PackageMember>& members,
                  const std::string& manifestJson, std::int64_t created) {
    // Zip stores local time with two-second resolution from 1980: clamp to that range.
    Poco::DateTime when(Poco::Timestamp::fromEpochTime(std::max<std::int64_t>(created, 315532800)));
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(ErrorKind::Output, "cannot write the package " + path.string());
    try {
        Poco::Zip::Compress zip(out, true);
        for (const auto& m : members) {
            std::ifstream in(m.source, std::ios::binary);
            if (!in) throw Error(ErrorKind::Output, "cannot read " + m.source.string() + " for the package");
            zip.addFile(in, when, Poco::Path(asciiMemberPath(m.name), Poco::Path::PATH_UNIX));
        }
        std::istringstream manifest(manifestJson);
        zip.addFile(manifest, when, Poco::Path("manifest.json", Poco::Path::PATH_UNIX));
        zip.close();
    } catch (const Poco::Exception& e) {
        throw Error(ErrorKind::Output, "cannot write the package " + path.string() + ": " + e.displayText());
    }
    out.close();
    if (!out) throw Error(ErrorKind::Output, "cannot write the package " + path.string());
}

}  // namespace gp::batch
