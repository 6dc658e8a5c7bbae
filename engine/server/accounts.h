// The accounts of `grantpress serve`: users with a role and a password hash, and API tokens, kept
// in one private text file ([server] users in reports.ini) that `grantpress user` edits; and the
// throttle that slows down password guessing at the login.
//
// Passwords are stored as PBKDF2-HMAC-SHA256 hashes with a random salt, and tokens as the
// SHA-256 of their secret part, so a copy of the file gives neither away. The file:
//
//   # grantpress accounts — managed with `grantpress user`; keep this file private (chmod 600)
//   user <name> <role> pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>
//   token <id> <user> <created, Unix seconds> sha256$<hex of SHA-256 of the secret's 43 characters>
#pragma once

#include <cstdint>
#include <filesystem>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gp::server {

enum class Role { Viewer, Operator, Admin };  // each includes the rights of those before it

std::string_view roleName(Role role);             // "viewer", "operator", "admin"
std::optional<Role> parseRole(std::string_view);  // exact lower-case names only
inline bool allows(Role has, Role needs) { return static_cast<int>(has) >= static_cast<int>(needs); }

struct Identity {
    std::string user;
    Role role;
};
struct UserInfo {
    std::string name;
    Role role;
};
struct TokenInfo {
    std::string id;
    std::string user;
    std::int64_t created;  // Unix seconds
};

// Its const members may be called from many threads at once (they change nothing); a change
// must not run alongside any other call.
class Accounts {
public:
    static constexpr int kDefaultIterations = 600'000;  // PBKDF2 rounds of new hashes (OWASP, 2023)

    // A missing file: no accounts. A malformed line: gp::Error(Config) naming the file and line.
    // A file that group or others may read or write (mode & 077) is refused with a Config error
    // that says to run `chmod 600 FILE`: it holds the password hashes.
    static Accounts load(const std::filesystem::path& file);
    // Replaces `file` atomically by a file of mode 0600, creating its folder (mode 0700) when
    // missing. Throws gp::Error(Output) when it cannot be written.
    void save(const std::filesystem::path& file) const;

    // Names: 1 to 64 of [A-Za-z0-9._-], not starting with '-' or '.'. Passwords: at least 10
    // characters (code points of UTF-8), at most 1024 bytes, no control characters. Each throws
    // gp::Error(Usage) saying what to do (the user exists or is unknown, a bad name, a weak
    // password); no message contains the password.
    void addUser(const std::string& name, Role role, const std::string& password);
    void setPassword(const std::string& name, const std::string& password);
    void setRole(const std::string& name, Role role);
    void removeUser(const std::string& name);  // and the user's tokens
    // A new API token for the user, created at `now` (Unix seconds): returns the whole token,
    // "gpt_<id>_<secret>" (id: 12 hex digits; secret: 43 base64url characters from 32 random
    // bytes), to be shown once; only the SHA-256 of the secret is kept.
    std::string addToken(const std::string& name, std::int64_t now);
    void revokeToken(const std::string& id);  // Usage error when there is no such token

    // The user's identity when the password is right. An unknown name costs one hash all the
    // same, so the time taken does not tell which names exist.
    std::optional<Identity> checkPassword(const std::string& name, const std::string& password) const;
    // The identity a token "gpt_<id>_<secret>" stands for; nullopt when malformed or unknown.
    std::optional<Identity> checkToken(const std::string& token) const;
    std::optional<Identity> find(const std::string& name) const;

    std::vector<UserInfo> users() const;    // by name
    std::vector<TokenInfo> tokens() const;  // by user, then id
    bool empty() const { return users_.empty(); }

    // Tests only: hashes this object makes from now on (and the one spent on an unknown name)
    // take `iterations` rounds instead of kDefaultIterations, which costs about 0.3 s each. Fewer
    // rounds make a stolen hash cheaper to crack: nothing but a test may call it.
    void useIterationsForTests(int iterations);

private:
    struct User {
        Role role;
        std::string hash;  // "pbkdf2-sha256$…", as in the file (checked by load())
    };
    struct Token {
        std::string user;
        std::int64_t created;
        std::string digest;  // raw SHA-256 of the secret part
    };

    User& existing(const std::string& name);  // or a Usage error

    std::map<std::string, User> users_;
    std::map<std::string, Token> tokens_;  // by id
    int iterations_ = kDefaultIterations;
};

// Login throttling. After kMaxFailures failed attempts for one key (the server uses
// "user|address"), the key is refused for kFirstLock seconds, doubled by each further failure up
// to kMaxLock. A key's failures are forgotten after kQuiet seconds without one (counted from the
// end of its lock, if any), or on a success. Thread-safe. At most kMaxKeys keys of at most
// kMaxKeyBytes bytes are kept (longer keys are cut): when full, the key whose last failure is
// oldest is dropped, so memory stays bounded whatever a client sends.
class Throttle {
public:
    static constexpr int kMaxFailures = 5;
    static constexpr std::int64_t kQuiet = 15 * 60;
    static constexpr std::int64_t kFirstLock = 60;
    static constexpr std::int64_t kMaxLock = 60 * 60;
    static constexpr std::size_t kMaxKeys = 10'000;
    static constexpr std::size_t kMaxKeyBytes = 256;

    // Seconds the key must still wait (0: it may try now).
    int wait(const std::string& key, std::int64_t now) const;
    void failed(const std::string& key, std::int64_t now);
    void succeeded(const std::string& key);

private:
    struct Entry {
        int failures = 0;
        std::int64_t lastFailure = 0;
        std::int64_t lockedUntil = 0;
        std::list<std::string>::iterator age;  // its place in byAge_
    };

    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
    std::list<std::string> byAge_;  // the keys, the least recent failure first
};

}  // namespace gp::server
