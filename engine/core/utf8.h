// UTF-8 helpers: decoding to code points and back, Cyrillic-aware case mapping.
#pragma once

#include <string>
#include <string_view>

namespace gp::utf8 {

// Decodes UTF-8; invalid bytes become U+FFFD.
std::u32string decode(std::string_view s);
std::string encode(std::u32string_view s);
void append(std::string& out, char32_t cp);
bool valid(std::string_view s);
// Number of code points.
size_t length(std::string_view s);

char32_t toUpper(char32_t c);  // ASCII, Cyrillic (incl. ё), Latin-1 letters
char32_t toLower(char32_t c);
std::string upper(std::string_view s);
std::string lower(std::string_view s);

}  // namespace gp::utf8
