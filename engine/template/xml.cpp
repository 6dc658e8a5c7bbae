#include "template/xml.h"

#include <Poco/SAX/Attributes.h>
#include <Poco/SAX/ContentHandler.h>
#include <Poco/SAX/InputSource.h>
#include <Poco/SAX/Locator.h>
#include <Poco/SAX/SAXException.h>
#include <Poco/SAX/SAXParser.h>

#include <fstream>
#include <sstream>

#include "core/error.h"

namespace gp::tmpl {
namespace {

class TreeBuilder : public Poco::XML::ContentHandler {
public:
    std::unique_ptr<XmlNode> root;

    void setDocumentLocator(const Poco::XML::Locator* loc) override { locator_ = loc; }
    void startDocument() override {}
    void endDocument() override {}
    void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& localName,
                      const Poco::XML::XMLString& qname, const Poco::XML::Attributes& attrs) override {
        auto node = std::make_unique<XmlNode>();
        node->name = qname.empty() ? localName : qname;
        node->line = locator_ ? locator_->getLineNumber() : 0;
        node->column = locator_ ? locator_->getColumnNumber() : 0;
        for (int i = 0; i < attrs.getLength(); ++i) {
            const std::string& q = attrs.getQName(i);
            node->attributes.emplace_back(q.empty() ? attrs.getLocalName(i) : q, attrs.getValue(i));
        }
        XmlNode* raw = node.get();
        if (stack_.empty()) root = std::move(node);
        else stack_.back()->children.push_back(std::move(node));
        stack_.push_back(raw);
    }
    void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&, const Poco::XML::XMLString&) override {
        stack_.pop_back();
    }
    void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
        if (!stack_.empty()) stack_.back()->text.append(ch + start, static_cast<size_t>(length));
    }
    void ignorableWhitespace(const Poco::XML::XMLChar[], int, int) override {}
    void processingInstruction(const Poco::XML::XMLString&, const Poco::XML::XMLString&) override {}
    void startPrefixMapping(const Poco::XML::XMLString&, const Poco::XML::XMLString&) override {}
    void endPrefixMapping(const Poco::XML::XMLString&) override {}
    void skippedEntity(const Poco::XML::XMLString&) override {}

private:
    const Poco::XML::Locator* locator_ = nullptr;
    std::vector<XmlNode*> stack_;
};

std::unique_ptr<XmlNode> parse(std::istream& in, const std::string& displayName) {
    TreeBuilder builder;
    Poco::XML::SAXParser parser;
    parser.setContentHandler(&builder);
    Poco::XML::InputSource source(in);
    try {
        parser.parse(&source);
    } catch (const Poco::XML::SAXParseException& e) {
        throw Error(ErrorKind::Template, displayName, e.getLineNumber(), e.getColumnNumber(),
                    "malformed XML: " + e.message());
    } catch (const Poco::Exception& e) {
        throw Error(ErrorKind::Template, displayName, 0, "cannot parse: " + e.displayText());
    }
    if (!builder.root) throw Error(ErrorKind::Template, displayName, 0, "empty template");
    return std::move(builder.root);
}

}  // namespace

const std::string* XmlNode::attribute(const std::string& key) const {
    for (const auto& [k, v] : attributes)
        if (k == key) return &v;
    return nullptr;
}

std::unique_ptr<XmlNode> parseXmlFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::Template, path + ": cannot read the template");
    return parse(in, path);
}

std::unique_ptr<XmlNode> parseXmlString(const std::string& xml, const std::string& displayName) {
    std::istringstream in(xml);
    return parse(in, displayName);
}

}  // namespace gp::tmpl
