// A small element tree read with Poco's SAX parser, keeping the line and column of every
// element so that template errors can point at them.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace gp::tmpl {

struct XmlNode {
    std::string name;
    std::vector<std::pair<std::string, std::string>> attributes;  // in document order
    std::vector<std::unique_ptr<XmlNode>> children;
    std::string text;  // character data directly inside this element (children's excluded)
    int line = 0;
    int column = 0;

    const std::string* attribute(const std::string& key) const;
};

// Parses `path`. Malformed XML throws gp::Error(Template) with file, line and column.
std::unique_ptr<XmlNode> parseXmlFile(const std::string& path);
std::unique_ptr<XmlNode> parseXmlString(const std::string& xml, const std::string& displayName);

}  // namespace gp::tmpl
