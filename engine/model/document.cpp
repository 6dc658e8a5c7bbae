#include "model/document.h"

#include <algorithm>

namespace gp::model {

std::string plainText(const Paragraph& p) {
    std::string out;
    for (const auto& run : p.runs) out += run.text;
    return out;
}

Paragraph plainParagraph(std::string text) { return Paragraph{{Run{std::move(text)}}}; }

}  // namespace gp::model

namespace gp::model {

namespace {
constexpr std::size_t kMaxItems = 5;  // distinct characters or bytes listed per line

std::string grouped(std::size_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}
}  // namespace

void Warnings::add(const std::string& field, Kind kind, const std::string& item, std::size_t length) {
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&](const Entry& e) { return e.kind == kind && e.field == field; });
    if (it == entries_.end()) it = entries_.insert(entries_.end(), Entry{field, kind, {}, 0, 0});
    if (!item.empty() && std::find(it->items.begin(), it->items.end(), item) == it->items.end()) {
        if (it->items.size() < kMaxItems) it->items.push_back(item);
        else ++it->moreItems;  // an estimate past the first few: items beyond them are not kept
    }
    it->length = std::max(it->length, length);
}

void Warnings::merge(const Warnings& other) {
    for (const Entry& e : other.entries_) {
        auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const Entry& mine) { return mine.kind == e.kind && mine.field == e.field; });
        if (it == entries_.end()) {
            entries_.push_back(e);
            continue;
        }
        for (const auto& item : e.items) add(e.field, e.kind, item);
        it = std::find_if(entries_.begin(), entries_.end(),
                          [&](const Entry& mine) { return mine.kind == e.kind && mine.field == e.field; });
        it->length = std::max(it->length, e.length);
        it->moreItems = std::max(it->moreItems, e.moreItems);
    }
}

std::vector<std::string> Warnings::lines() const {
    std::vector<std::string> out;
    for (const Entry& e : entries_) {
        std::string items;
        for (const auto& item : e.items) items += (items.empty() ? "" : ", ") + item;
        if (e.moreItems) items += " and more";
        if (!items.empty()) items = " (" + items + ")";
        std::string what;
        switch (e.kind) {
            case Kind::InvalidUtf8: what = "bytes that are not UTF-8" + items + " were replaced by U+FFFD"; break;
            case Kind::Control: what = "control characters" + items + " were replaced by U+FFFD"; break;
            case Kind::NoGlyph: what = "characters no font has" + items + " were replaced by U+FFFD"; break;
            case Kind::NoGlyphAscii: what = "characters no font has" + items + " were replaced by '?'"; break;
            case Kind::CellCut:
                what = "a text of " + grouped(e.length) + " characters was cut to Excel's " + grouped(kMaxCellChars) +
                       " per cell, ending with '…'";
                break;
            case Kind::HeaderCut:
                what = "a text of " + grouped(e.length) + " characters was cut to fit Excel's 255 characters, ending with '…'";
                break;
            case Kind::PropertyCut:
                what = "a text of " + grouped(e.length) + " characters was cut to " + grouped(kMaxPropertyChars) +
                       " for the document properties, ending with '…'";
                break;
        }
        out.push_back(e.field + ": " + what);
    }
    return out;
}

}  // namespace gp::model
