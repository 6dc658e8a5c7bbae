// UTF-8 helpers: decoding to code points and back, Cyrillic-aware case mapping.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gp::utf8 {

// Decodes UTF-8; invalid bytes become U+FFFD.
std::u32string decode(std::string_view s);
std::string encode(std::u32string_view s);
void append(std::string& out, char32_t cp);
// UTF-16 (as ODBC's SQLWCHAR gives it) to UTF-8; an unpaired surrogate becomes U+FFFD.
std::string fromUtf16(std::u16string_view text);
bool valid(std::string_view s);

// Makes `s` text that XML 1.0 and both renderers can hold: each byte that is not part of a
// well-formed UTF-8 sequence (overlong forms and surrogates included) and each control
// character other than tab, line feed and carriage return (C0, DEL, C1, U+FFFE, U+FFFF)
// becomes U+FFFD. Returns whether anything changed; `bytes` ("0xFF") and `controls`
// ("U+001B"), when given, receive what was replaced.
bool sanitize(std::string& s, std::vector<std::string>* bytes = nullptr, std::vector<std::string>* controls = nullptr);
// "U+001B", "U+1F600".
std::string codePointName(char32_t cp);
// Number of code points.
size_t length(std::string_view s);

char32_t toUpper(char32_t c);  // ASCII, Cyrillic (incl. ё), Latin-1 letters
char32_t toLower(char32_t c);
std::string upper(std::string_view s);
std::string lower(std::string_view s);

}  // namespace gp::utf8
