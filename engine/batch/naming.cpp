#include "batch/naming.h"

#include <iterator>
#include <map>

#include "core/error.h"
#include "core/utf8.h"

namespace gp::batch {

std::string safeComponent(std::string_view text, std::size_t maxBytes) {
    std::string out;
    bool space = false;
    for (char32_t c : utf8::decode(text)) {
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == 0xFFFD) continue;
        if (c == U' ' || c == 0xA0 || c == U'\t') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        switch (c) {
            case U'/': case U'\\': case U':': case U'*': case U'?': case U'"': case U'<': case U'>': case U'|':
                out += '_';
                break;
            default: utf8::append(out, c);
        }
    }
    if (out.size() > maxBytes) {
        size_t cut = maxBytes;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
        out.resize(cut);
    }
    while (!out.empty() && (out.back() == '.' || out.back() == ' ')) out.pop_back();
    size_t lead = 0;
    while (lead < out.size() && (out[lead] == '.' || out[lead] == ' ')) ++lead;
    out.erase(0, lead);
    return out.empty() ? "_" : out;
}

std::filesystem::path safeRelative(const std::string& filled, const std::string& where) {
    std::filesystem::path p(filled);
    if (p.is_absolute() || filled.empty())
        throw Error(ErrorKind::Config, where + ": output path '" + filled + "' must be relative to the output folder");
    std::filesystem::path out;
    for (auto it = p.begin(); it != p.end(); ++it) {
        if (*it == ".." || *it == ".")
            throw Error(ErrorKind::Config, where + ": output path '" + filled + "' must not contain '.' or '..'");
        // Several placeholders in one folder or file name can add up past the file system's
        // 255 bytes: each component is cut (at a character boundary, the extension kept).
        const std::string part = it->string();
        if (part.size() <= kMaxComponentBytes) {
            out /= part;
        } else if (std::next(it) == p.end() && it->has_extension() && it->extension().string().size() < 16) {
            const std::string ext = it->extension().string();
            out /= safeComponent(it->stem().string(), kMaxComponentBytes - ext.size()) + ext;
        } else {
            out /= safeComponent(part, kMaxComponentBytes);
        }
    }
    return out;
}

void resolveCollisions(std::vector<std::filesystem::path>& paths) {
    std::map<std::string, int> seen;
    for (auto& p : paths) {
        int n = ++seen[p.string()];
        if (n == 1) continue;
        std::filesystem::path candidate;
        do {
            candidate = p.parent_path() / (p.stem().string() + "~" + std::to_string(n) + p.extension().string());
            ++n;
        } while (seen.count(candidate.string()));
        seen[candidate.string()] = 1;
        p = candidate;
    }
}

}  // namespace gp::batch
