#include "model/document.h"

namespace gp::model {

std::string plainText(const Paragraph& p) {
    std::string out;
    for (const auto& run : p.runs) out += run.text;
    return out;
}

Paragraph plainParagraph(std::string text) { return Paragraph{{Run{std::move(text)}}}; }

}  // namespace gp::model
