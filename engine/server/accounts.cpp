#include "server/accounts.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <tuple>

#include "core/error.h"
#include "core/utf8.h"
#include "output/atomic_file.h"

namespace gp::server {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;  // SHA-256's size: more PBKDF2 output would only cost more rounds
constexpr std::size_t kMinPasswordChars = 10;
constexpr std::size_t kMaxPasswordBytes = 1024;
constexpr std::size_t kMaxNameBytes = 64;
constexpr std::size_t kTokenIdBytes = 6;       // 12 hex digits: names a token in `user list` and `user revoke`
constexpr std::size_t kTokenSecretBytes = 32;  // 43 base64url characters
constexpr std::size_t kTokenIdChars = 2 * kTokenIdBytes;
constexpr std::size_t kTokenSecretChars = (kTokenSecretBytes * 4 + 2) / 3;
constexpr std::string_view kTokenPrefix = "gpt_";
constexpr std::string_view kHashScheme = "pbkdf2-sha256";
constexpr std::string_view kDigestScheme = "sha256$";

constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kBase64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const char* const kHeader =
    "# grantpress accounts — managed with `grantpress user`; keep this file private (chmod 600)\n";
const char* const kNameRule =
    "a user name is 1 to 64 letters (A-Z, a-z), digits, '.', '_' or '-', not starting with '.' or '-'";

// ----- encodings ------------------------------------------------------------------------

// `bytes` in base64 with `alphabet`, padded with '=' to a multiple of 4 when `pad`.
std::string base64(std::string_view bytes, std::string_view alphabet, bool pad) {
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
        std::uint32_t group = 0;
        for (std::size_t k = 0; k < 3; ++k)
            group = group << 8 | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
        for (std::size_t k = 0; k <= 3; ++k) {
            if (k <= n) out += alphabet[group >> (18 - 6 * k) & 63];
            else if (pad) out += '=';
        }
    }
    return out;
}

// The bytes of padded standard base64; nullopt unless `text` is exactly what base64() writes
// for them (so a line of the file has one spelling: no stray padding, no spare bits set).
std::optional<std::string> fromBase64(std::string_view text) {
    std::string out;
    std::uint32_t group = 0;
    int bits = 0;
    for (const char c : text.substr(0, text.find_last_not_of('=') + 1)) {
        const std::size_t value = kBase64.find(c);
        if (value == std::string_view::npos) return std::nullopt;
        group = group << 6 | static_cast<std::uint32_t>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>(group >> bits & 0xFF);
        }
    }
    if (base64(out, kBase64, true) != text) return std::nullopt;
    return out;
}

std::string hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (const unsigned char b : bytes) {
        out += kDigits[b >> 4];
        out += kDigits[b & 15];
    }
    return out;
}

bool isLowerHex(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The bytes of lower-case hex (as hex() writes it); nullopt otherwise.
std::optional<std::string> fromHex(std::string_view text) {
    if (text.size() % 2 != 0 || !isLowerHex(text)) return std::nullopt;
    const auto digit = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    std::string out;
    for (std::size_t i = 0; i < text.size(); i += 2) out += static_cast<char>(digit(text[i]) << 4 | digit(text[i + 1]));
    return out;
}

// ----- OpenSSL --------------------------------------------------------------------------

const unsigned char* bytesOf(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// OpenSSL failing here means a broken installation, not anything a user did: an internal error.
std::string randomBytes(std::size_t count) {
    std::string out(count, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1)
        throw std::runtime_error("OpenSSL could not produce random bytes (RAND_bytes)");
    return out;
}

// `password` must be at most kMaxPasswordBytes (OpenSSL takes its length as an int).
std::string pbkdf2(const std::string& password, const std::string& salt, int iterations) {
    std::string out(kHashBytes, '\0');
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), bytesOf(salt),
                          static_cast<int>(salt.size()), iterations, EVP_sha256(), static_cast<int>(kHashBytes),
                          reinterpret_cast<unsigned char*>(out.data())) != 1)
        throw std::runtime_error("OpenSSL could not compute PBKDF2-HMAC-SHA256 (PKCS5_PBKDF2_HMAC)");
    return out;
}

std::string sha256(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("OpenSSL could not compute SHA-256 (EVP_Digest)");
    return std::string(reinterpret_cast<const char*>(digest), size);
}

// Compares secrets in a time that depends only on their length, which is not secret.
bool sameSecret(const std::string& a, const std::string& b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// ----- password hashes: "pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>" --------------

struct PasswordHash {
    int iterations = 0;
    std::string salt;
    std::string hash;
};

std::optional<PasswordHash> parseHash(std::string_view text) {
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const std::size_t end = text.find('$', start);
        parts.push_back(text.substr(start, end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    if (parts.size() != 4 || parts[0] != kHashScheme) return std::nullopt;
    PasswordHash h;
    const std::string_view rounds = parts[1];
    const auto [end, ec] = std::from_chars(rounds.data(), rounds.data() + rounds.size(), h.iterations);
    if (ec != std::errc() || end != rounds.data() + rounds.size() || h.iterations < 1) return std::nullopt;
    auto salt = fromBase64(parts[2]);
    auto hash = fromBase64(parts[3]);
    if (!salt || salt->size() != kSaltBytes || !hash || hash->size() != kHashBytes) return std::nullopt;
    h.salt = std::move(*salt);
    h.hash = std::move(*hash);
    return h;
}

std::string hashPassword(const std::string& password, int iterations) {
    const std::string salt = randomBytes(kSaltBytes);
    return std::string(kHashScheme) + "$" + std::to_string(iterations) + "$" + base64(salt, kBase64, true) + "$" +
           base64(pbkdf2(password, salt, iterations), kBase64, true);
}

// ----- names and passwords ------------------------------------------------------------

bool validName(std::string_view name) {
    if (name.empty() || name.size() > kMaxNameBytes || name[0] == '-' || name[0] == '.') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-';
    });
}

void requireValidName(const std::string& name) {
    if (!validName(name)) throw Error(ErrorKind::Usage, "user name '" + name + "' is not allowed: " + kNameRule);
}

// Throws a Usage error saying what is wrong with a new password, never the password itself.
void requireStrongPassword(const std::string& password) {
    if (password.size() > kMaxPasswordBytes)
        throw Error(ErrorKind::Usage, "the password is longer than 1024 bytes: choose a shorter one");
    if (!utf8::valid(password))
        throw Error(ErrorKind::Usage, "the password is not valid UTF-8: type it in a UTF-8 terminal or file");
    for (const char32_t c : utf8::decode(password))
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
            throw Error(ErrorKind::Usage,
                        "the password contains a control character (such as a tab or an escape): choose one without");
    if (utf8::length(password) < kMinPasswordChars)
        throw Error(ErrorKind::Usage,
                    "the password is too short: use at least 10 characters (a few words are easy to remember)");
}

// `field` of a line of the users file, quoted for a message when it is a plain word: a line in
// disorder may hold a password hash where a name or a role belongs, and no message shows a hash.
std::string shown(std::string_view field) {
    return validName(field) ? " '" + std::string(field) + "'" : "";
}

// ----- writing the file -----------------------------------------------------------------

// Creates `folder` (mode 0700: it holds secrets) with any missing folder above it, and checks
// that it can be written (so a refusal names the users file, not a temporary file in it).
void prepareFolder(const fs::path& folder, const fs::path& file) {
    std::error_code ec;
    if (!fs::exists(folder, ec)) {
        if (folder.has_parent_path()) fs::create_directories(folder.parent_path(), ec);
        if (!ec && ::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST) ec.assign(errno, std::generic_category());
        if (ec)
            throw Error(ErrorKind::Output, "cannot create the folder " + folder.string() + " of the users file " +
                                               file.string() + ": " + ec.message());
    }
    if (::access(folder.c_str(), W_OK) != 0) {
        const int err = errno;
        throwOutputError("cannot write the users file " + file.string() + " in " + folder.string(), err);
    }
}

// Writes `text` into the temporary file `temp` of an AtomicFile created with mode 0600.
void writePrivate(const fs::path& temp, const std::string& text) {
    const std::string what = "cannot write the users file's temporary copy " + temp.string();
    const int fd = ::open(temp.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) throwOutputError(what, errno);
    bool ok = ::fchmod(fd, 0600) == 0;  // exactly 0600, whatever the umask took away
    for (std::size_t done = 0; ok && done < text.size();) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<std::size_t>(n);
    }
    const int err = errno;
    ::close(fd);
    if (!ok) throwOutputError(what, err);
}

}  // namespace

std::string_view roleName(Role role) {
    switch (role) {
        case Role::Viewer: return "viewer";
        case Role::Operator: return "operator";
        case Role::Admin: return "admin";
    }
    return "viewer";  // not reached: the switch names every role
}

std::optional<Role> parseRole(std::string_view name) {
    for (const Role role : {Role::Viewer, Role::Operator, Role::Admin})
        if (roleName(role) == name) return role;
    return std::nullopt;
}

// ----- the file -------------------------------------------------------------------------

Accounts Accounts::load(const fs::path& file) {
    Accounts accounts;
    const std::string path = file.string();
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
        const int err = errno;
        if (err == ENOENT) return accounts;
        throw Error(ErrorKind::Config, path, 0, std::string("cannot read the users file: ") + std::strerror(err));
    }
    if (!S_ISREG(st.st_mode))
        throw Error(ErrorKind::Config, path, 0,
                    "the users file is not a regular file: set [server] users in reports.ini to a file's path");
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        throw Error(ErrorKind::Config, path, 0,
                    std::string("the users file holds password hashes, yet other users may read or change it (mode ") +
                        mode + "): run 'chmod 600 " + path + "'");
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(ErrorKind::Config, path, 0, "cannot read the users file: check its owner and permissions");

    std::map<std::string, int> userLines;
    std::map<std::string, int> tokenLines;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        const auto fail = [&](const std::string& message) { return Error(ErrorKind::Config, path, number, message); };
        const std::size_t first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#') continue;
        std::vector<std::string> fields;
        for (std::size_t start = 0;;) {
            const std::size_t end = line.find(' ', start);
            fields.push_back(line.substr(start, end - start));
            if (end == std::string::npos) break;
            start = end + 1;
        }
        if (std::find(fields.begin(), fields.end(), "") != fields.end())
            throw fail("the fields of a line are separated by single spaces (none at the start or the end)");
        const std::string& kind = fields[0];
        if (kind == "user") {
            if (fields.size() != 4)
                throw fail("a user line is 'user NAME ROLE HASH'; this one has " + std::to_string(fields.size()) +
                           " fields");
            const std::string& name = fields[1];
            if (!validName(name)) throw fail(std::string("the user name is not allowed: ") + kNameRule);
            if (const auto it = userLines.find(name); it != userLines.end())
                throw fail("user '" + name + "' is already defined on line " + std::to_string(it->second) +
                           ": remove one of the two lines");
            const std::optional<Role> role = parseRole(fields[2]);
            if (!role) throw fail("user '" + name + "' has an unknown role" + shown(fields[2]) + ": use viewer, operator or admin");
            if (!parseHash(fields[3]))
                throw fail("the password hash of user '" + name +
                           "' is malformed (pbkdf2-sha256$ITERATIONS$SALT$HASH, a 16-byte salt and a 32-byte hash in "
                           "base64): remove the line, then add the user again with 'grantpress user add " + name +
                           " --role " + std::string(roleName(*role)) + "'");
            userLines[name] = number;
            accounts.users_[name] = User{*role, fields[3]};
        } else if (kind == "token") {
            if (fields.size() != 5)
                throw fail("a token line is 'token ID USER CREATED DIGEST'; this one has " +
                           std::to_string(fields.size()) + " fields");
            const std::string& id = fields[1];
            const std::string remedy = ": remove the line (the token stops working) and make a new one with 'grantpress user token USER'";
            if (id.size() != kTokenIdChars || !isLowerHex(id))
                throw fail("the token id" + shown(id) + " is not 12 hexadecimal digits (0-9, a-f)" + remedy);
            if (const auto it = tokenLines.find(id); it != tokenLines.end())
                throw fail("token " + id + " is already defined on line " + std::to_string(it->second) + remedy);
            if (!validName(fields[2])) throw fail("token " + id + ": the user name is not allowed: " + kNameRule);
            const std::string& created = fields[3];
            std::int64_t seconds = 0;
            const auto [end, ec] = std::from_chars(created.data(), created.data() + created.size(), seconds);
            if (ec != std::errc() || end != created.data() + created.size() || seconds < 0)
                throw fail("token " + id + ": the creation time is not a number of seconds since 1970" + remedy);
            const std::string& digest = fields[4];
            const auto raw = digest.rfind(kDigestScheme, 0) == 0 ? fromHex(digest.substr(kDigestScheme.size()))
                                                                  : std::nullopt;
            if (!raw || raw->size() != 32)
                throw fail("token " + id + ": the digest is malformed (sha256$ and 64 hexadecimal digits)" + remedy);
            tokenLines[id] = number;
            accounts.tokens_[id] = Token{fields[2], seconds, *raw};
        } else {
            throw fail("unknown record" + shown(kind) +
                       ": a line is 'user NAME ROLE HASH', 'token ID USER CREATED DIGEST', blank or a # comment");
        }
    }
    if (in.bad()) throw Error(ErrorKind::Config, path, 0, "cannot read the users file to its end");
    // Users may come after their tokens: checked once every line is read.
    for (const auto& [id, token] : accounts.tokens_)
        if (!accounts.users_.count(token.user))
            throw Error(ErrorKind::Config, path, tokenLines[id],
                        "token " + id + " belongs to user '" + token.user +
                            "', who is not in the file: remove the line (the token stops working)");
    return accounts;
}

void Accounts::save(const fs::path& file) const {
    std::string text = kHeader;
    for (const auto& [name, user] : users_)
        text += "user " + name + " " + std::string(roleName(user.role)) + " " + user.hash + "\n";
    for (const auto& [id, token] : tokens_)
        text += "token " + id + " " + token.user + " " + std::to_string(token.created) + " " +
                std::string(kDigestScheme) + hex(token.digest) + "\n";
    prepareFolder(file.parent_path().empty() ? fs::path(".") : file.parent_path(), file);
    output::AtomicFile out(file, 0600);  // created private: never readable by others, not even empty
    writePrivate(out.tempPath(), text);
    out.commit();
}

// ----- changes --------------------------------------------------------------------------

Accounts::User& Accounts::existing(const std::string& name) {
    const auto it = users_.find(name);
    if (it == users_.end())
        throw Error(ErrorKind::Usage, "no user '" + name + "': 'grantpress user list' shows the users");
    return it->second;
}

void Accounts::addUser(const std::string& name, Role role, const std::string& password) {
    requireValidName(name);
    if (users_.count(name))
        throw Error(ErrorKind::Usage, "user '" + name + "' already exists: change the password with 'grantpress user passwd " +
                                          name + "', the role with 'grantpress user role " + name + " ROLE'");
    requireStrongPassword(password);
    users_[name] = User{role, hashPassword(password, iterations_)};
}

void Accounts::setPassword(const std::string& name, const std::string& password) {
    User& user = existing(name);
    requireStrongPassword(password);
    user.hash = hashPassword(password, iterations_);
}

void Accounts::setRole(const std::string& name, Role role) { existing(name).role = role; }

void Accounts::removeUser(const std::string& name) {
    existing(name);
    std::erase_if(tokens_, [&](const auto& entry) { return entry.second.user == name; });
    users_.erase(name);
}

std::string Accounts::addToken(const std::string& name, std::int64_t now) {
    existing(name);
    std::string id;
    do id = hex(randomBytes(kTokenIdBytes));
    while (tokens_.count(id));
    const std::string secret = base64(randomBytes(kTokenSecretBytes), kBase64Url, false);
    tokens_[id] = Token{name, now, sha256(secret)};
    return std::string(kTokenPrefix) + id + "_" + secret;
}

void Accounts::revokeToken(const std::string& id) {
    if (!tokens_.erase(id))
        throw Error(ErrorKind::Usage, "no token '" + id + "': 'grantpress user list' shows the tokens' ids");
}

void Accounts::useIterationsForTests(int iterations) { iterations_ = std::max(1, iterations); }

// ----- checks ---------------------------------------------------------------------------

std::optional<Identity> Accounts::checkPassword(const std::string& name, const std::string& password) const {
    // No stored password is this long (addUser refuses it); its length is no secret.
    if (password.size() > kMaxPasswordBytes) return std::nullopt;
    const auto it = users_.find(name);
    if (it == users_.end()) {
        pbkdf2(password, std::string(kSaltBytes, '\0'), iterations_);  // as long as a known name takes
        return std::nullopt;
    }
    const std::optional<PasswordHash> stored = parseHash(it->second.hash);  // load() and addUser() made it well-formed
    if (!stored || !sameSecret(pbkdf2(password, stored->salt, stored->iterations), stored->hash)) return std::nullopt;
    return Identity{name, it->second.role};
}

std::optional<Identity> Accounts::checkToken(const std::string& token) const {
    // "gpt_" + id + "_" + secret: fixed lengths, since the base64url secret may itself hold '_'.
    const std::size_t idAt = kTokenPrefix.size();
    const std::size_t secretAt = idAt + kTokenIdChars + 1;
    if (token.size() != secretAt + kTokenSecretChars || token.compare(0, idAt, kTokenPrefix) != 0 ||
        token[secretAt - 1] != '_')
        return std::nullopt;
    const std::string id = token.substr(idAt, kTokenIdChars);
    const std::string secret = token.substr(secretAt);
    const auto found = tokens_.find(id);
    if (found == tokens_.end() || !sameSecret(sha256(secret), found->second.digest)) return std::nullopt;
    const auto user = users_.find(found->second.user);  // removeUser() takes the user's tokens too
    if (user == users_.end()) return std::nullopt;
    return Identity{user->first, user->second.role};
}

std::optional<Identity> Accounts::find(const std::string& name) const {
    const auto it = users_.find(name);
    if (it == users_.end()) return std::nullopt;
    return Identity{name, it->second.role};
}

std::vector<UserInfo> Accounts::users() const {
    std::vector<UserInfo> out;
    for (const auto& [name, user] : users_) out.push_back({name, user.role});
    return out;
}

std::vector<TokenInfo> Accounts::tokens() const {
    std::vector<TokenInfo> out;
    for (const auto& [id, token] : tokens_) out.push_back({id, token.user, token.created});
    std::sort(out.begin(), out.end(),
              [](const TokenInfo& a, const TokenInfo& b) { return std::tie(a.user, a.id) < std::tie(b.user, b.id); });
    return out;
}

// ----- throttle -------------------------------------------------------------------------

namespace {
std::string cut(const std::string& key) { return key.substr(0, Throttle::kMaxKeyBytes); }
}  // namespace

int Throttle::wait(const std::string& key, std::int64_t now) const {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto it = entries_.find(cut(key));
    if (it == entries_.end() || it->second.lockedUntil <= now) return 0;
    return static_cast<int>(it->second.lockedUntil - now);
}

void Throttle::failed(const std::string& key, std::int64_t now) {
    const std::lock_guard<std::mutex> lock(mutex_);
    const std::string k = cut(key);
    auto it = entries_.find(k);
    if (it == entries_.end()) {
        if (entries_.size() >= kMaxKeys) {
            entries_.erase(byAge_.front());
            byAge_.pop_front();
        }
        it = entries_.emplace(k, Entry{}).first;
        it->second.age = byAge_.insert(byAge_.end(), k);
    } else {
        byAge_.splice(byAge_.end(), byAge_, it->second.age);
    }
    Entry& e = it->second;
    if (now >= std::max(e.lastFailure, e.lockedUntil) + kQuiet) e.failures = 0;  // quiet long enough: forgiven
    ++e.failures;
    e.lastFailure = now;
    if (e.failures >= kMaxFailures) {
        const int doublings = std::min(e.failures - kMaxFailures, 6);  // 60 s × 2^6 already exceeds kMaxLock
        e.lockedUntil = now + std::min(kFirstLock << doublings, kMaxLock);
    }
}

void Throttle::succeeded(const std::string& key) {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto it = entries_.find(cut(key));
    if (it == entries_.end()) return;
    byAge_.erase(it->second.age);
    entries_.erase(it);
}

}  // namespace gp::server
