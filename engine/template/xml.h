// A small element tree read with Poco's SAX parser, keeping the line and column of every
// element, attribute and piece of text so that template errors can point at them.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gp::tmpl {

// Text (character data or an attribute value, entities already decoded) that remembers where
// its parts start in the file. Lines and columns are 1-based; columns count characters.
struct SourceText {
    struct Anchor {
        std::size_t offset = 0;  // byte offset into `text`
        int line = 0;
        int column = 0;
    };
    std::string text;
    std::vector<Anchor> anchors;  // sorted by offset

    void append(std::string_view s, int line, int column);
    void append(const SourceText& other);
    // Line and column of the byte at `offset`: the last anchor at or before it, advanced by
    // the characters in between (a '\n' starts a new line).
    std::pair<int, int> position(std::size_t offset) const;
    bool blank() const;  // empty or only whitespace
};

struct XmlNode {
    struct Attribute {
        std::string name;
        SourceText value;
        int line = 0;  // of the attribute name
        int column = 0;
    };
    // One piece of mixed content, in document order: text, or a child element.
    struct Part {
        SourceText text;
        const XmlNode* child = nullptr;
    };

    std::string name;
    std::vector<Attribute> attributes;  // in document order
    std::vector<std::unique_ptr<XmlNode>> children;
    std::vector<Part> content;  // text and children interleaved as written
    std::string text;           // character data directly inside this element (children's excluded)
    int line = 0;
    int column = 0;

    const std::string* attribute(const std::string& key) const;
    const Attribute* findAttribute(const std::string& key) const;
    // All character data directly inside, with positions (children's excluded).
    SourceText directText() const;
};

// Deeper element nesting than this is refused (no template needs it; it keeps the engine's
// recursion bounded whatever the input).
inline constexpr int kMaxXmlDepth = 48;

// Parses `path`. Malformed XML throws gp::Error(Template) with file, line and column.
// A <!DOCTYPE> (and so any entity declaration) is refused.
std::unique_ptr<XmlNode> parseXmlFile(const std::string& path);
std::unique_ptr<XmlNode> parseXmlString(const std::string& xml, const std::string& displayName);

}  // namespace gp::tmpl
