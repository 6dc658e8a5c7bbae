#include "pdf/deflate.h"

#include <zlib.h>

#include <mutex>
#include <new>
#include <string>
#include <unordered_map>

namespace gp::pdf {
namespace {

// The deflated form of `raw`, exactly as libharu's save makes it: deflateInit with
// Z_DEFAULT_COMPRESSION and default window, memory level and strategy (compress2 uses the
// same), one zlib stream. How the input is fed does not change zlib's output.
std::string compressed(const std::string& raw) {
    uLongf size = compressBound(static_cast<uLong>(raw.size()));
    std::string out(size, '\0');
    if (compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
                  static_cast<uLong>(raw.size()), Z_DEFAULT_COMPRESSION) != Z_OK)
        throw std::bad_alloc();  // compress2 fails only for lack of memory with these arguments
    out.resize(size);
    return out;
}

// Deflated font streams by their raw bytes, shared by all documents (and threads) of the
// process. A face gives the same ToUnicode CMap and CIDToGIDMap in every document, and the
// same embedded subset whenever the same characters are used, so after the first documents
// nearly every lookup hits. Bounded: emptied when it outgrows kBudget.
class FontStreamCache {
public:
    std::string get(const std::string& raw) {
        {
            std::lock_guard lock(mutex_);
            if (auto it = entries_.find(raw); it != entries_.end()) return it->second;
        }
        std::string packed = compressed(raw);
        std::lock_guard lock(mutex_);
        if (bytes_ + raw.size() + packed.size() > kBudget) {
            entries_.clear();
            bytes_ = 0;
        }
        bytes_ += raw.size() + packed.size();
        entries_.emplace(raw, packed);
        return packed;
    }

private:
    static constexpr size_t kBudget = 32u << 20;
    std::mutex mutex_;
    std::unordered_map<std::string, std::string> entries_;
    size_t bytes_ = 0;
};

FontStreamCache& fontStreamCache() {
    static FontStreamCache cache;
    return cache;
}

}  // namespace

std::string deflated(const std::string& raw) { return compressed(raw); }

std::string deflatedFontStream(const std::string& raw) { return fontStreamCache().get(raw); }

}  // namespace gp::pdf
