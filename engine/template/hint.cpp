#include "template/hint.h"

#include <algorithm>

#include "core/utf8.h"

namespace gp::tmpl {

std::size_t editDistance(const std::string& a, const std::string& b) {
    const std::u32string s = utf8::decode(utf8::lower(a));
    const std::u32string t = utf8::decode(utf8::lower(b));
    const size_t n = s.size(), m = t.size();
    std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
    for (size_t i = 0; i <= n; ++i) d[i][0] = i;
    for (size_t j = 0; j <= m; ++j) d[0][j] = j;
    for (size_t i = 1; i <= n; ++i)
        for (size_t j = 1; j <= m; ++j) {
            const size_t cost = s[i - 1] == t[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && s[i - 1] == t[j - 2] && s[i - 2] == t[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[n][m];
}

std::optional<std::string> closest(const std::string& name, const std::vector<std::string>& candidates) {
    const size_t len = utf8::length(name);
    if (len == 0 || len > 64) return std::nullopt;
    const size_t limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    std::optional<std::string> best;
    size_t bestDistance = limit + 1;
    for (const auto& c : candidates) {
        if (c == name || utf8::length(c) > 64) continue;
        const size_t d = editDistance(name, c);
        if (d < bestDistance) {
            bestDistance = d;
            best = c;
        }
    }
    return best;
}

}  // namespace gp::tmpl
