#include "template/xml.h"

#include <Poco/SAX/Attributes.h>
#include <Poco/SAX/ContentHandler.h>
#include <Poco/SAX/InputSource.h>
#include <Poco/SAX/Locator.h>
#include <Poco/SAX/SAXException.h>
#include <Poco/SAX/SAXParser.h>
#include <Poco/SAX/XMLReader.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace gp::tmpl {
namespace {

size_t utf8Length(unsigned char lead) {
    if (lead < 0x80) return 1;
    if ((lead & 0xE0) == 0xC0) return 2;
    if ((lead & 0xF0) == 0xE0) return 3;
    if ((lead & 0xF8) == 0xF0) return 4;
    return 1;
}

bool isXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The raw template text with its line starts, to find attributes (SAX gives no positions
// for them) from the position of their element.
class RawSource {
public:
    explicit RawSource(const std::string& xml) : xml_(xml) {
        lineStarts_.push_back(0);
        for (size_t i = 0; i < xml.size(); ++i)
            if (xml[i] == '\n') lineStarts_.push_back(i + 1);
    }

    // Byte offset of a 1-based line and column; npos when outside the text.
    size_t offset(int line, int column) const {
        if (line < 1 || static_cast<size_t>(line) > lineStarts_.size() || column < 1) return std::string::npos;
        size_t p = lineStarts_[static_cast<size_t>(line - 1)];
        for (int c = 1; c < column; ++c) {
            if (p >= xml_.size() || xml_[p] == '\n') return std::string::npos;
            p += utf8Length(static_cast<unsigned char>(xml_[p]));
        }
        return p;
    }

    struct RawAttribute {
        std::string name;
        int line = 0, column = 0;            // of the name
        int valueLine = 0, valueColumn = 0;  // of the value's first character
        size_t valueBegin = 0, valueEnd = 0;  // raw bytes of the value
    };

    // The attributes of the start tag at (line, column), as written.
    std::vector<RawAttribute> attributesAt(int line, int column) const {
        std::vector<RawAttribute> out;
        size_t p = offset(line, column);
        if (p == std::string::npos || p >= xml_.size() || xml_[p] != '<') return out;
        int l = line, c = column;
        auto advance = [&] {
            if (xml_[p] == '\n') {
                ++l;
                c = 1;
                ++p;
            } else {
                p += utf8Length(static_cast<unsigned char>(xml_[p]));
                ++c;
            }
        };
        advance();  // '<'
        while (p < xml_.size() && !isXmlSpace(xml_[p]) && xml_[p] != '>' && xml_[p] != '/') advance();
        for (;;) {
            while (p < xml_.size() && isXmlSpace(xml_[p])) advance();
            if (p >= xml_.size() || xml_[p] == '>' || xml_[p] == '/') return out;
            RawAttribute a;
            a.line = l;
            a.column = c;
            size_t nameBegin = p;
            while (p < xml_.size() && !isXmlSpace(xml_[p]) && xml_[p] != '=' && xml_[p] != '>') advance();
            a.name = xml_.substr(nameBegin, p - nameBegin);
            while (p < xml_.size() && isXmlSpace(xml_[p])) advance();
            if (p >= xml_.size() || xml_[p] != '=') return out;
            advance();
            while (p < xml_.size() && isXmlSpace(xml_[p])) advance();
            if (p >= xml_.size() || (xml_[p] != '"' && xml_[p] != '\'')) return out;
            const char quote = xml_[p];
            advance();
            a.valueLine = l;
            a.valueColumn = c;
            a.valueBegin = p;
            while (p < xml_.size() && xml_[p] != quote) advance();
            if (p >= xml_.size()) return out;
            a.valueEnd = p;
            advance();
            out.push_back(std::move(a));
        }
    }

    // The decoded value `value` with anchors that follow the raw text (entities and line
    // breaks shift columns).
    SourceText valueText(const RawAttribute& a, const std::string& value) const {
        SourceText out;
        out.text = value;
        int l = a.valueLine, c = a.valueColumn;
        out.anchors.push_back({0, l, c});
        size_t d = 0;
        for (size_t p = a.valueBegin; p < a.valueEnd && d < value.size();) {
            const char ch = xml_[p];
            if (ch == '&') {
                size_t semi = xml_.find(';', p);
                if (semi == std::string::npos || semi >= a.valueEnd) break;
                d += utf8Length(static_cast<unsigned char>(value[d]));
                c += static_cast<int>(semi + 1 - p);
                p = semi + 1;
                out.anchors.push_back({d, l, c});
            } else if (ch == '\r' || ch == '\n') {
                p += (ch == '\r' && p + 1 < a.valueEnd && xml_[p + 1] == '\n') ? 2 : 1;
                ++d;
                ++l;
                c = 1;
                out.anchors.push_back({d, l, c});
            } else {
                size_t n = utf8Length(static_cast<unsigned char>(ch));
                p += n;
                d += n;
                ++c;
            }
        }
        return out;
    }

private:
    const std::string& xml_;
    std::vector<size_t> lineStarts_;
};

class TreeBuilder : public Poco::XML::ContentHandler {
public:
    explicit TreeBuilder(const RawSource& raw) : raw_(raw) {}

    std::unique_ptr<XmlNode> root;
    int tooDeepLine = 0, tooDeepColumn = 0;

    void setDocumentLocator(const Poco::XML::Locator* loc) override { locator_ = loc; }
    void startDocument() override {}
    void endDocument() override {}
    void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& localName,
                      const Poco::XML::XMLString& qname, const Poco::XML::Attributes& attrs) override {
        const int line = locator_ ? locator_->getLineNumber() : 0;
        const int column = locator_ ? locator_->getColumnNumber() + 1 : 0;
        if (skipped_ > 0 || stack_.size() >= static_cast<size_t>(kMaxXmlDepth)) {
            // Never throw through the C parser: remember, skip, and report after parsing.
            if (skipped_++ == 0) tooDeepLine = line, tooDeepColumn = column;
            return;
        }
        auto node = std::make_unique<XmlNode>();
        node->name = qname.empty() ? localName : qname;
        node->line = line;
        node->column = column;
        const auto raw = raw_.attributesAt(line, column);
        for (int i = 0; i < attrs.getLength(); ++i) {
            XmlNode::Attribute a;
            const std::string& q = attrs.getQName(i);
            a.name = q.empty() ? attrs.getLocalName(i) : q;
            const std::string& value = attrs.getValue(i);
            auto it = std::find_if(raw.begin(), raw.end(), [&](const auto& r) { return r.name == a.name; });
            if (it != raw.end()) {
                a.line = it->line;
                a.column = it->column;
                a.value = raw_.valueText(*it, value);
            } else {
                a.line = line;
                a.column = column;
                a.value.append(value, line, column);
            }
            node->attributes.push_back(std::move(a));
        }
        XmlNode* ptr = node.get();
        if (stack_.empty()) {
            root = std::move(node);
        } else {
            XmlNode* parent = stack_.back();
            parent->children.push_back(std::move(node));
            parent->content.push_back({{}, ptr});
        }
        stack_.push_back(ptr);
    }
    void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&, const Poco::XML::XMLString&) override {
        if (skipped_ > 0) {
            --skipped_;
            return;
        }
        stack_.pop_back();
    }
    void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
        if (stack_.empty() || skipped_ > 0 || length <= 0) return;
        XmlNode* node = stack_.back();
        const std::string_view s(ch + start, static_cast<size_t>(length));
        node->text.append(s);
        if (node->content.empty() || node->content.back().child) node->content.push_back({});
        const int line = locator_ ? locator_->getLineNumber() : 0;
        const int column = locator_ ? locator_->getColumnNumber() + 1 : 0;
        node->content.back().text.append(s, line, column);
    }
    void ignorableWhitespace(const Poco::XML::XMLChar[], int, int) override {}
    void processingInstruction(const Poco::XML::XMLString&, const Poco::XML::XMLString&) override {}
    void startPrefixMapping(const Poco::XML::XMLString&, const Poco::XML::XMLString&) override {}
    void endPrefixMapping(const Poco::XML::XMLString&) override {}
    void skippedEntity(const Poco::XML::XMLString&) override {}

private:
    const RawSource& raw_;
    const Poco::XML::Locator* locator_ = nullptr;
    std::vector<XmlNode*> stack_;
    int skipped_ = 0;
};

// Templates need no document type; refusing it rules out entity expansion of any kind.
void refuseDoctype(const std::string& xml, const std::string& displayName) {
    size_t p = 0;
    if (xml.compare(0, 3, "\xEF\xBB\xBF") == 0) p = 3;
    for (;;) {
        while (p < xml.size() && isXmlSpace(xml[p])) ++p;
        if (xml.compare(p, 2, "<?") == 0) {
            p = xml.find("?>", p);
            if (p == std::string::npos) return;
            p += 2;
        } else if (xml.compare(p, 4, "<!--") == 0) {
            p = xml.find("-->", p);
            if (p == std::string::npos) return;
            p += 3;
        } else {
            break;
        }
    }
    if (xml.compare(p, 9, "<!DOCTYPE") != 0) return;
    int line = 1 + static_cast<int>(std::count(xml.begin(), xml.begin() + static_cast<std::ptrdiff_t>(p), '\n'));
    size_t lineStart = xml.rfind('\n', p == 0 ? 0 : p - 1);
    lineStart = (lineStart == std::string::npos || p == 0) ? 0 : lineStart + 1;
    int column = 1;
    for (size_t i = lineStart; i < p; i += utf8Length(static_cast<unsigned char>(xml[i]))) ++column;
    throw Error(ErrorKind::Template, displayName, line, column, "a template cannot have a <!DOCTYPE>; remove it");
}

std::unique_ptr<XmlNode> parse(const std::string& xml, const std::string& displayName) {
    refuseDoctype(xml, displayName);
    RawSource raw(xml);
    TreeBuilder builder(raw);
    Poco::XML::SAXParser parser;
    parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
    parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
    parser.setContentHandler(&builder);
    std::istringstream in(xml);
    Poco::XML::InputSource source(in);
    try {
        parser.parse(&source);
    } catch (const Poco::XML::SAXParseException& e) {
        // Poco adds " in line L column C" (a 0-based column): the position is given already.
        std::string message = e.message();
        if (auto at = message.rfind(" in line "); at != std::string::npos) message.resize(at);
        throw Error(ErrorKind::Template, displayName, e.getLineNumber(), e.getColumnNumber() + 1,
                    "malformed XML: " + message);
    } catch (const Poco::Exception& e) {
        throw Error(ErrorKind::Template, displayName, 0, "cannot parse: " + e.displayText());
    }
    if (builder.tooDeepLine > 0)
        throw Error(ErrorKind::Template, displayName, builder.tooDeepLine, builder.tooDeepColumn,
                    "elements nest more than " + std::to_string(kMaxXmlDepth) + " levels deep");
    if (!builder.root) throw Error(ErrorKind::Template, displayName, 0, "empty template");
    return std::move(builder.root);
}

}  // namespace

void SourceText::append(std::string_view s, int line, int column) {
    if (s.empty()) return;
    anchors.push_back({text.size(), line, column});
    text.append(s);
}

void SourceText::append(const SourceText& other) {
    const size_t base = text.size();
    text += other.text;
    for (const auto& a : other.anchors) anchors.push_back({base + a.offset, a.line, a.column});
}

std::pair<int, int> SourceText::position(std::size_t offset) const {
    if (anchors.empty()) return {0, 0};
    auto it = std::upper_bound(anchors.begin(), anchors.end(), offset,
                               [](std::size_t o, const Anchor& a) { return o < a.offset; });
    const Anchor& a = it == anchors.begin() ? anchors.front() : *std::prev(it);
    int line = a.line, column = a.column;
    for (size_t p = a.offset; p < offset && p < text.size();) {
        if (text[p] == '\n') {
            ++line;
            column = 1;
            ++p;
        } else {
            p += utf8Length(static_cast<unsigned char>(text[p]));
            ++column;
        }
    }
    return {line, column};
}

bool SourceText::blank() const { return text.find_first_not_of(" \t\r\n") == std::string::npos; }

const std::string* XmlNode::attribute(const std::string& key) const {
    const Attribute* a = findAttribute(key);
    return a ? &a->value.text : nullptr;
}

const XmlNode::Attribute* XmlNode::findAttribute(const std::string& key) const {
    for (const auto& a : attributes)
        if (a.name == key) return &a;
    return nullptr;
}

SourceText XmlNode::directText() const {
    SourceText out;
    for (const auto& part : content)
        if (!part.child) out.append(part.text);
    return out;
}

std::unique_ptr<XmlNode> parseXmlFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::Template, path + ": cannot read the template");
    std::ostringstream buf;
    buf << in.rdbuf();
    return parse(buf.str(), path);
}

std::unique_ptr<XmlNode> parseXmlString(const std::string& xml, const std::string& displayName) {
    return parse(xml, displayName);
}

}  // namespace gp::tmpl
