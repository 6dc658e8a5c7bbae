// The accounts of `grantpress serve` (engine/server/accounts.h): the users file, password hashes,
// API tokens, the login throttle; and the `grantpress user` commands over them
// (engine/cli/user_commands.h). Hashes take the low-iteration test hook but in the tests named
// ...DefaultIterations... and those of the commands, which hash as `grantpress user` does.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <regex>
#include <sstream>
#include <thread>
#include <tuple>

#include "cli/user_commands.h"
#include "core/error.h"
#include "server/accounts.h"
#include "support.h"

namespace fs = std::filesystem;
using gp::ErrorKind;
using gp::server::Accounts;
using gp::server::Role;
using gp::server::Throttle;
using gp::test::readFile;
using gp::test::TempDir;

namespace {

const std::string kPassword = "correct horse battery";
const std::string kOther = "staple-and-tumbler";

// An independent known answer (Python: hashlib.pbkdf2_hmac("sha256", "пароль-на-русском",
// bytes(range(16)), 1000)), so the file format is standard PBKDF2 in standard base64.
const std::string kKnownPassword = "пароль-на-русском";
const std::string kKnownHash = "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw==$OhXsxQVbFBEVwNqQJBp+Pwg7d0a9K2/+tLau/r2Lm28=";
// A token whose secret is base64url(bytes(range(32))), and the hex of SHA-256 of that secret.
const std::string kKnownToken = "gpt_0123456789ab_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
const std::string kKnownDigest = "sha256$ea866a757e4c38babfa8127cbe9a409d3e1f93a00ff1488ff735fcf917afffd0";

Accounts quick() {
    Accounts a;
    a.useIterationsForTests(1000);
    return a;
}

unsigned modeOf(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
}

fs::path writeUsers(const TempDir& dir, const std::string& text, unsigned mode = 0600) {
    const fs::path file = dir.path() / "users";
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
    ::chmod(file.c_str(), mode);
    return file;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The gp::Error that `f` throws; a failure when it throws none.
template <class F>
gp::Error errorOf(F f) {
    try {
        f();
    } catch (const gp::Error& e) {
        return e;
    }
    ADD_FAILURE() << "no error thrown";
    return gp::Error(ErrorKind::Render, "none");
}

void expectUsage(const std::function<void()>& f, const std::string& needle, const std::string& secret = "") {
    const gp::Error e = errorOf(f);
    EXPECT_EQ(e.kind(), ErrorKind::Usage) << e.what();
    EXPECT_TRUE(contains(e.what(), needle)) << e.what();
    if (!secret.empty()) {
        EXPECT_FALSE(contains(e.what(), secret)) << e.what();
    }
}

// load() of `text` throws a Config error at `line` of the file whose message has `needle`.
void expectBadFile(const std::string& text, int line, const std::string& needle) {
    TempDir dir("gp-accounts");
    const fs::path file = writeUsers(dir, text);
    const gp::Error e = errorOf([&] { Accounts::load(file); });
    EXPECT_EQ(e.kind(), ErrorKind::Config) << e.what();
    EXPECT_EQ(e.file(), file.string()) << e.what();
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_TRUE(contains(e.message(), needle)) << "wanted '" << needle << "' in: " << e.what();
    EXPECT_FALSE(contains(e.what(), "AAECAwQFBgcICQoLDA0ODw")) << "a hash shown: " << e.what();
}

}  // namespace

// ----- roles ----------------------------------------------------------------------------

TEST(AccountsRoles, NamesParseExactlyAndRanksInclude) {
    for (const Role r : {Role::Viewer, Role::Operator, Role::Admin}) EXPECT_EQ(gp::server::parseRole(gp::server::roleName(r)), r);
    EXPECT_EQ(gp::server::roleName(Role::Operator), "operator");
    EXPECT_FALSE(gp::server::parseRole("Admin"));
    EXPECT_FALSE(gp::server::parseRole(" admin"));
    EXPECT_FALSE(gp::server::parseRole(""));
    EXPECT_TRUE(gp::server::allows(Role::Admin, Role::Operator));
    EXPECT_TRUE(gp::server::allows(Role::Operator, Role::Operator));
    EXPECT_FALSE(gp::server::allows(Role::Viewer, Role::Operator));
}

// ----- passwords ------------------------------------------------------------------------

TEST(AccountsPasswords, DefaultIterationsHashVerifiesAndIsStoredWithItsCount) {
    TempDir dir("gp-accounts");
    Accounts a;
    a.addUser("alice", Role::Operator, kPassword);
    a.save(dir.path() / "users");
    const std::string text = readFile(dir.path() / "users");
    EXPECT_TRUE(contains(text, "user alice operator pbkdf2-sha256$600000$")) << text;
    EXPECT_FALSE(contains(text, kPassword));
    const Accounts loaded = Accounts::load(dir.path() / "users");
    const auto who = loaded.checkPassword("alice", kPassword);
    ASSERT_TRUE(who);
    EXPECT_EQ(who->user, "alice");
    EXPECT_EQ(who->role, Role::Operator);
}

TEST(AccountsPasswords, WrongPasswordsAndUnknownNamesFail) {
    Accounts a = quick();
    a.addUser("alice", Role::Viewer, kPassword);
    EXPECT_TRUE(a.checkPassword("alice", kPassword));
    EXPECT_FALSE(a.checkPassword("alice", kOther));
    EXPECT_FALSE(a.checkPassword("alice", kPassword + " "));
    EXPECT_FALSE(a.checkPassword("alice", ""));
    EXPECT_FALSE(a.checkPassword("Alice", kPassword));
    EXPECT_FALSE(a.checkPassword("bob", kPassword));
    EXPECT_FALSE(a.checkPassword("alice", std::string(100000, 'x')));  // longer than any stored one
}

TEST(AccountsPasswords, EqualPasswordsGetDifferentSalts) {
    TempDir dir("gp-accounts");
    Accounts a = quick();
    a.addUser("alice", Role::Viewer, kPassword);
    a.addUser("bob", Role::Viewer, kPassword);
    a.save(dir.path() / "users");
    std::istringstream lines(readFile(dir.path() / "users"));
    std::vector<std::string> hashes;
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("user ", 0) == 0) hashes.push_back(line.substr(line.rfind(' ') + 1));
    ASSERT_EQ(hashes.size(), 2u);
    const auto salt = [](const std::string& h) { return h.substr(0, h.rfind('$')); };
    EXPECT_NE(salt(hashes[0]), salt(hashes[1]));
    EXPECT_NE(hashes[0], hashes[1]);
}

TEST(AccountsPasswords, VerificationTakesTheStoredIterationCount) {
    TempDir dir("gp-accounts");
    // A hash made elsewhere with 1000 rounds verifies in an object that would make 600,000.
    const fs::path file = writeUsers(dir, "user alice operator " + kKnownHash + "\n");
    const Accounts known = Accounts::load(file);
    EXPECT_TRUE(known.checkPassword("alice", kKnownPassword));
    EXPECT_FALSE(known.checkPassword("alice", kPassword));
    // The same salt and hash read as 1001 rounds no longer match.
    std::string other = kKnownHash;
    other.replace(other.find("$1000$"), 6, "$1001$");
    writeUsers(dir, "user alice operator " + other + "\n");
    EXPECT_FALSE(Accounts::load(file).checkPassword("alice", kKnownPassword));
}

TEST(AccountsPasswords, SetPasswordReplacesTheOldOne) {
    Accounts a = quick();
    a.addUser("alice", Role::Viewer, kPassword);
    a.setPassword("alice", kOther);
    EXPECT_FALSE(a.checkPassword("alice", kPassword));
    EXPECT_TRUE(a.checkPassword("alice", kOther));
}

TEST(AccountsPasswords, WeakPasswordsAreUsageErrorsThatDoNotShowThem) {
    Accounts a = quick();
    const std::vector<std::pair<std::string, std::string>> weak = {
        {"", "too short"},
        {"nine-char", "too short"},
        {"девять-ъъ", "too short"},  // 9 characters in 17 bytes: characters count, not bytes
        {std::string(1025, 'x'), "longer than 1024 bytes"},
        {"password\twith tab", "control character"},
        {"password\x1b[31m-red", "control character"},
        {"password\xc2\x85-nel", "control character"},  // U+0085, a C1 control
        {"password-\xff\xfe-bad", "not valid UTF-8"},
    };
    for (const auto& [password, why] : weak) {
        expectUsage([&] { a.addUser("alice", Role::Viewer, password); }, why, password);
        EXPECT_FALSE(a.find("alice"));
    }
    a.addUser("alice", Role::Viewer, "десять-ъъъ");  // 10 characters
    a.addUser("bob", Role::Viewer, std::string(1024, 'x'));
    expectUsage([&] { a.setPassword("alice", "short-one"); }, "too short", "short-one");
    EXPECT_TRUE(a.checkPassword("alice", "десять-ъъъ"));
}

TEST(AccountsPasswords, BadNamesAreUsageErrors) {
    Accounts a = quick();
    for (const std::string& name : std::vector<std::string>{"", "-alice", ".alice", "al ice", "al/ice", "alice$", "алиса",
                                                           "a\nb", std::string(65, 'a')}) {
        expectUsage([&] { a.addUser(name, Role::Viewer, kPassword); }, "a user name is 1 to 64", kPassword);
        EXPECT_TRUE(a.empty());
    }
    for (const std::string& name : std::vector<std::string>{"a", "Alice.Smith_2-x", "0", std::string(64, 'z')})
        a.addUser(name, Role::Viewer, kPassword);
    EXPECT_EQ(a.users().size(), 4u);
}

TEST(AccountsPasswords, ExistingAndUnknownUsersAreUsageErrors) {
    Accounts a = quick();
    a.addUser("alice", Role::Viewer, kPassword);
    expectUsage([&] { a.addUser("alice", Role::Admin, kOther); }, "user 'alice' already exists", kOther);
    EXPECT_EQ(a.find("alice")->role, Role::Viewer);
    expectUsage([&] { a.setPassword("bob", kOther); }, "no user 'bob'", kOther);
    expectUsage([&] { a.setRole("bob", Role::Admin); }, "no user 'bob'");
    expectUsage([&] { a.removeUser("bob"); }, "no user 'bob'");
    expectUsage([&] { a.addToken("bob", 0); }, "no user 'bob'");
    EXPECT_TRUE(a.tokens().empty());
}

TEST(AccountsPasswords, RolesChangeAndUsersListByName) {
    Accounts a = quick();
    a.addUser("carol", Role::Viewer, kPassword);
    a.addUser("alice", Role::Admin, kPassword);
    a.setRole("carol", Role::Operator);
    EXPECT_EQ(a.find("carol")->role, Role::Operator);
    EXPECT_EQ(a.checkPassword("carol", kPassword)->role, Role::Operator);
    EXPECT_FALSE(a.find("bob"));
    const auto users = a.users();
    ASSERT_EQ(users.size(), 2u);
    EXPECT_EQ(users[0].name, "alice");
    EXPECT_EQ(users[1].name, "carol");
    EXPECT_FALSE(a.empty());
}

// ----- tokens ---------------------------------------------------------------------------

TEST(AccountsTokens, ATokenStandsForItsUserAndOnlyItsDigestIsStored) {
    TempDir dir("gp-accounts");
    Accounts a = quick();
    a.addUser("alice", Role::Operator, kPassword);
    const std::string token = a.addToken("alice", 1767225600);
    ASSERT_TRUE(std::regex_match(token, std::regex("gpt_[0-9a-f]{12}_[A-Za-z0-9_-]{43}"))) << token;
    const std::string id = token.substr(4, 12);
    const std::string secret = token.substr(17);
    const auto who = a.checkToken(token);
    ASSERT_TRUE(who);
    EXPECT_EQ(who->user, "alice");
    EXPECT_EQ(who->role, Role::Operator);

    a.save(dir.path() / "users");
    const std::string text = readFile(dir.path() / "users");
    EXPECT_FALSE(contains(text, secret)) << text;
    EXPECT_TRUE(contains(text, "token " + id + " alice 1767225600 sha256$")) << text;
    const Accounts loaded = Accounts::load(dir.path() / "users");
    EXPECT_EQ(loaded.checkToken(token)->user, "alice");
    ASSERT_EQ(loaded.tokens().size(), 1u);
    EXPECT_EQ(loaded.tokens()[0].id, id);
    EXPECT_EQ(loaded.tokens()[0].created, 1767225600);
}

TEST(AccountsTokens, ATokenWrittenElsewhereVerifies) {
    TempDir dir("gp-accounts");
    const fs::path file = writeUsers(dir, "token 0123456789ab bob 5 " + kKnownDigest + "\nuser bob viewer " + kKnownHash + "\n");
    const Accounts accounts = Accounts::load(file);
    EXPECT_EQ(accounts.checkToken(kKnownToken)->user, "bob");
    std::string upper = kKnownToken;
    upper.replace(4, 12, "0123456789AB");
    EXPECT_FALSE(accounts.checkToken(upper));
}

TEST(AccountsTokens, RevokedAndMalformedTokensFail) {
    Accounts a = quick();
    a.addUser("alice", Role::Viewer, kPassword);
    const std::string token = a.addToken("alice", 0);
    const std::string other = a.addToken("alice", 0);
    std::string changed = token;
    changed.back() = changed.back() == 'A' ? 'B' : 'A';
    std::string joined = token;
    joined[16] = '-';
    for (const std::string& bad : {std::string(), std::string("gpt_"), token.substr(0, 59), token + "A",
                                   "gpx" + token.substr(3), changed, joined, token.substr(4), " " + token,
                                   token.substr(0, 17) + other.substr(17)})
        EXPECT_FALSE(a.checkToken(bad)) << bad;
    a.revokeToken(token.substr(4, 12));
    EXPECT_FALSE(a.checkToken(token));
    EXPECT_TRUE(a.checkToken(other));
    expectUsage([&] { a.revokeToken(token.substr(4, 12)); }, "no token '" + token.substr(4, 12) + "'");
    expectUsage([&] { a.revokeToken(""); }, "no token ''");
}

TEST(AccountsTokens, RemovingAUserRemovesItsTokens) {
    TempDir dir("gp-accounts");
    Accounts a = quick();
    a.addUser("alice", Role::Admin, kPassword);
    a.addUser("bob", Role::Viewer, kPassword);
    const std::string aliceToken = a.addToken("alice", 10);
    const std::string bobToken = a.addToken("bob", 20);
    a.removeUser("alice");
    EXPECT_FALSE(a.find("alice"));
    EXPECT_FALSE(a.checkToken(aliceToken));
    EXPECT_FALSE(a.checkPassword("alice", kPassword));
    EXPECT_TRUE(a.checkToken(bobToken));
    a.save(dir.path() / "users");
    EXPECT_FALSE(contains(readFile(dir.path() / "users"), aliceToken.substr(4, 12)));
    ASSERT_EQ(Accounts::load(dir.path() / "users").tokens().size(), 1u);
}

TEST(AccountsTokens, TokensListByUserThenId) {
    Accounts a = quick();
    a.addUser("zed", Role::Viewer, kPassword);
    a.addUser("amy", Role::Viewer, kPassword);
    for (int i = 0; i < 3; ++i) a.addToken("zed", i);
    for (int i = 0; i < 3; ++i) a.addToken("amy", i);
    const auto tokens = a.tokens();
    ASSERT_EQ(tokens.size(), 6u);
    for (std::size_t i = 1; i < tokens.size(); ++i)
        EXPECT_LT(std::tie(tokens[i - 1].user, tokens[i - 1].id), std::tie(tokens[i].user, tokens[i].id));
    EXPECT_EQ(tokens[0].user, "amy");
}

// ----- the file -------------------------------------------------------------------------

TEST(AccountsFile, AMissingFileHoldsNoAccounts) {
    TempDir dir("gp-accounts");
    const Accounts a = Accounts::load(dir.path() / "no-such-file");
    EXPECT_TRUE(a.empty());
    EXPECT_TRUE(a.tokens().empty());
}

TEST(AccountsFile, SaveAndLoadRoundTripInAPrivateFileAndFolder) {
    TempDir dir("gp-accounts");
    const fs::path file = dir.path() / "state" / "server" / "users";
    Accounts a = quick();
    a.addUser("alice", Role::Admin, kPassword);
    a.addUser("bob", Role::Viewer, kOther);
    const std::string token = a.addToken("bob", 42);
    a.save(file);
    EXPECT_EQ(modeOf(file), 0600u);
    EXPECT_EQ(modeOf(file.parent_path()), 0700u);
    EXPECT_EQ(std::distance(fs::directory_iterator(file.parent_path()), {}), 1);  // no temporary file left
    const std::string text = readFile(file);
    EXPECT_EQ(text.rfind("# grantpress accounts — managed with `grantpress user`; keep this file private (chmod 600)\n", 0), 0u)
        << text;

    const Accounts loaded = Accounts::load(file);
    ASSERT_EQ(loaded.users().size(), 2u);
    EXPECT_EQ(loaded.find("alice")->role, Role::Admin);
    EXPECT_EQ(loaded.checkPassword("bob", kOther)->role, Role::Viewer);
    EXPECT_EQ(loaded.checkToken(token)->user, "bob");
    loaded.save(file);
    EXPECT_EQ(readFile(file), text);  // saving again changes nothing
}

TEST(AccountsFile, SavedFilesAreExactly0600WhateverTheUmaskAndTheOldMode) {
    TempDir dir("gp-accounts");
    const fs::path file = writeUsers(dir, "", 0644);
    Accounts a = quick();
    a.addUser("alice", Role::Admin, kPassword);
    a.save(file);  // replaces a file others could read
    EXPECT_EQ(modeOf(file), 0600u);
    const mode_t old = ::umask(0277);
    a.save(file);
    ::umask(old);
    EXPECT_EQ(modeOf(file), 0600u);
}

TEST(AccountsFile, AFileOthersMayReadOrWriteIsRefused) {
    for (const unsigned mode : {0640u, 0604u, 0620u, 0602u, 0660u}) {
        TempDir dir("gp-accounts");
        const fs::path file = writeUsers(dir, "user alice operator " + kKnownHash + "\n", mode);
        const gp::Error e = errorOf([&] { Accounts::load(file); });
        EXPECT_EQ(e.kind(), ErrorKind::Config);
        EXPECT_EQ(e.file(), file.string());
        EXPECT_TRUE(contains(e.message(), "chmod 600 " + file.string())) << e.what();
    }
}

TEST(AccountsFile, AFolderInPlaceOfTheFileIsRefused) {
    TempDir dir("gp-accounts");
    fs::create_directory(dir.path() / "users");
    const gp::Error e = errorOf([&] { Accounts::load(dir.path() / "users"); });
    EXPECT_EQ(e.kind(), ErrorKind::Config);
    EXPECT_TRUE(contains(e.message(), "not a regular file")) << e.what();
}

TEST(AccountsFile, AnUnreadablePathIsAConfigError) {
    TempDir dir("gp-accounts");
    writeUsers(dir, "");
    // A path through a regular file: stat fails with ENOTDIR, whoever runs the test.
    const gp::Error e = errorOf([&] { Accounts::load(dir.path() / "users" / "users"); });
    EXPECT_EQ(e.kind(), ErrorKind::Config);
    EXPECT_TRUE(contains(e.message(), "cannot read the users file")) << e.what();
}

TEST(AccountsFile, AFileItsReaderMayNotOpenIsAConfigError) {
    if (::geteuid() == 0) GTEST_SKIP() << "root opens any file";
    TempDir dir("gp-accounts");
    const fs::path file = writeUsers(dir, "", 0200);
    const gp::Error e = errorOf([&] { Accounts::load(file); });
    EXPECT_EQ(e.kind(), ErrorKind::Config);
    EXPECT_TRUE(contains(e.message(), "cannot read the users file: check its owner and permissions")) << e.what();
}

TEST(AccountsFile, AFolderThatCannotBeMadeIsAnOutputErrorNamingTheFile) {
    TempDir dir("gp-accounts");
    writeUsers(dir, "");
    const fs::path file = dir.path() / "users" / "state" / "users";  // below a regular file
    Accounts a = quick();
    a.addUser("alice", Role::Admin, kPassword);
    const gp::Error e = errorOf([&] { a.save(file); });
    EXPECT_EQ(e.kind(), ErrorKind::Output);
    EXPECT_TRUE(contains(e.message(), "of the users file " + file.string())) << e.what();
}

TEST(AccountsFile, CommentsAndBlankLinesAreSkipped) {
    TempDir dir("gp-accounts");
    const fs::path file =
        writeUsers(dir, "# accounts\n\n   \n  # indented comment\nuser alice operator " + kKnownHash + "\n# end");
    EXPECT_EQ(Accounts::load(file).users().size(), 1u);
}

TEST(AccountsFile, EveryMalformedLineIsAConfigErrorAtItsLine) {
    const std::string ok = "user alice operator " + kKnownHash + "\n";
    const std::string token = "token 0123456789ab alice 5 " + kKnownDigest;
    const std::string h = "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw==$";
    const std::string hash32 = "OhXsxQVbFBEVwNqQJBp+Pwg7d0a9K2/+tLau/r2Lm28=";
    expectBadFile("# c\nusr bob admin x\n", 2, "unknown record 'usr'");
    expectBadFile("pbkdf2-sha256$1$AAECAwQFBgcICQoLDA0ODw==$x\n", 1, "unknown record:");
    expectBadFile("user bob admin\n", 1, "'user NAME ROLE HASH'; this one has 3 fields");
    expectBadFile("user bob admin " + kKnownHash + " extra\n", 1, "this one has 5 fields");
    expectBadFile("user  bob admin " + kKnownHash + "\n", 1, "single spaces");
    expectBadFile(ok + "user bob admin " + kKnownHash + " \n", 2, "single spaces");
    expectBadFile(" user bob admin " + kKnownHash + "\n", 1, "single spaces");
    expectBadFile("user -bob admin " + kKnownHash + "\n", 1, "the user name is not allowed");
    expectBadFile("user " + kKnownHash + " admin " + kKnownHash + "\n", 1, "the user name is not allowed");
    expectBadFile(ok + "\nuser alice viewer " + kKnownHash + "\n", 3, "user 'alice' is already defined on line 1");
    expectBadFile("user bob boss " + kKnownHash + "\n", 1, "unknown role 'boss': use viewer, operator or admin");
    expectBadFile("user bob " + kKnownHash + " admin\n", 1, "unknown role:");  // the hash is not echoed
    for (const std::string& bad : std::vector<std::string>{
             "pbkdf2-sha1$1000$AAECAwQFBgcICQoLDA0ODw==$" + hash32, "pbkdf2-sha256$0$AAECAwQFBgcICQoLDA0ODw==$" + hash32,
          "pbkdf2-sha256$-5$AAECAwQFBgcICQoLDA0ODw==$" + hash32, "pbkdf2-sha256$1e3$AAECAwQFBgcICQoLDA0ODw==$" + hash32,
          "pbkdf2-sha256$$AAECAwQFBgcICQoLDA0ODw==$" + hash32, "pbkdf2-sha256$99999999999$AAECAwQFBgcICQoLDA0ODw==$" + hash32,
          "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0O$" + hash32,    // a 15-byte salt
          "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw$" + hash32,  // padding missing
          "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODx==$" + hash32,  // spare bits set
          h + hash32.substr(0, 40) + "AA==",                      // a 31-byte hash
          h + "OhXsxQVbFBEVwNqQJBp-Pwg7d0a9K2_+tLau/r2Lm28=",      // base64url characters
          h + hash32 + "$", h, "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw=="})
        expectBadFile("user bob admin " + bad + "\n", 1,
                      "the password hash of user 'bob' is malformed (pbkdf2-sha256$ITERATIONS$SALT$HASH, a 16-byte "
                      "salt and a 32-byte hash in base64): remove the line, then add the user again with 'grantpress "
                      "user add bob --role admin'");
    expectBadFile(ok + "token 0123456789ab alice 5\n", 2, "'token ID USER CREATED DIGEST'; this one has 4 fields");
    expectBadFile(ok + "token 0123456789 alice 5 " + kKnownDigest + "\n", 2, "the token id '0123456789' is not 12 hexadecimal digits");
    expectBadFile(ok + "token 0123456789AB alice 5 " + kKnownDigest + "\n", 2, "is not 12 hexadecimal digits");
    expectBadFile(ok + token + "\n" + token + "\n", 3, "token 0123456789ab is already defined on line 2");
    expectBadFile(ok + "token 0123456789ab al/ice 5 " + kKnownDigest + "\n", 2, "the user name is not allowed");
    for (const std::string created : {"-5", "12x", "", "x", "99999999999999999999"})
        expectBadFile(ok + "token 0123456789ab alice " + created + " " + kKnownDigest + "\n", 2,
                      created.empty() ? "single spaces" : "the creation time is not a number of seconds since 1970");
    for (const std::string& digest : std::vector<std::string>{kKnownDigest.substr(7), kKnownDigest.substr(0, 70), "sha1$" + kKnownDigest.substr(7),
                                      "sha256$EA866A757E4C38BABFA8127CBE9A409D3E1F93A00FF1488FF735FCF917AFFFD0",
                                      kKnownDigest + "00"})
        expectBadFile(ok + "token 0123456789ab alice 5 " + digest + "\n", 2,
                      "the digest is malformed (sha256$ and 64 hexadecimal digits): remove the line");
    expectBadFile(ok + token + "\ntoken 0123456789ac bob 5 " + kKnownDigest + "\n", 3,
                  "token 0123456789ac belongs to user 'bob', who is not in the file");
}

// ----- the throttle ---------------------------------------------------------------------

TEST(AccountsThrottle, FiveFailuresLockForAMinute) {
    Throttle t;
    for (int i = 0; i < 4; ++i) t.failed("alice|10.0.0.1", 1000 + i);
    EXPECT_EQ(t.wait("alice|10.0.0.1", 1004), 0);
    t.failed("alice|10.0.0.1", 1004);
    EXPECT_EQ(t.wait("alice|10.0.0.1", 1004), 60);
    EXPECT_EQ(t.wait("alice|10.0.0.1", 1034), 30);
    EXPECT_EQ(t.wait("alice|10.0.0.1", 1064), 0);  // expired
    EXPECT_EQ(t.wait("alice|10.0.0.2", 1004), 0);  // another key
    EXPECT_EQ(t.wait("bob|10.0.0.1", 1004), 0);
}

TEST(AccountsThrottle, EachFurtherFailureDoublesTheLockUpToAnHour) {
    Throttle t;
    std::int64_t now = 0;
    for (int i = 0; i < 5; ++i) t.failed("k", now);
    for (const int expected : {120, 240, 480, 960, 1920, 3600, 3600, 3600}) {
        now += t.wait("k", now);  // waits out the lock, then fails again
        t.failed("k", now);
        EXPECT_EQ(t.wait("k", now), expected);
    }
}

TEST(AccountsThrottle, FailuresAreForgottenAfterFifteenQuietMinutes) {
    Throttle t;
    for (int i = 0; i < 4; ++i) t.failed("k", 0);
    t.failed("k", 899);  // within 15 minutes of the last one
    EXPECT_EQ(t.wait("k", 899), 60);

    Throttle u;
    for (int i = 0; i < 4; ++i) u.failed("k", 0);
    u.failed("k", 900);  // 15 minutes later: counted afresh
    EXPECT_EQ(u.wait("k", 900), 0);
    for (int i = 0; i < 3; ++i) u.failed("k", 900);
    EXPECT_EQ(u.wait("k", 900), 0);
    u.failed("k", 900);
    EXPECT_EQ(u.wait("k", 900), 60);
    // The quiet time runs from the end of the lock: 15 minutes after it, a failure starts over.
    u.failed("k", 960);  // 6th: locked 120 s, until 1080
    u.failed("k", 1080 + 899);
    EXPECT_EQ(u.wait("k", 1080 + 899), 240);
    u.failed("k", 1979 + 240 + 900);
    EXPECT_EQ(u.wait("k", 1979 + 240 + 900), 0);
}

TEST(AccountsThrottle, ASuccessResetsTheKey) {
    Throttle t;
    for (int i = 0; i < 5; ++i) t.failed("k", 0);
    t.succeeded("k");
    EXPECT_EQ(t.wait("k", 0), 0);
    for (int i = 0; i < 4; ++i) t.failed("k", 0);
    EXPECT_EQ(t.wait("k", 0), 0);
    t.succeeded("never-failed");
}

TEST(AccountsThrottle, KeepsAtMostTenThousandKeysDroppingTheOldest) {
    Throttle t;
    for (int i = 0; i < 5; ++i) t.failed("old", 0);
    for (std::size_t i = 0; i + 1 < Throttle::kMaxKeys; ++i) t.failed("key" + std::to_string(i), 1);
    EXPECT_EQ(t.wait("old", 1), 59);  // the 10,000th key: still kept
    t.failed("one-more", 2);
    EXPECT_EQ(t.wait("old", 2), 0);  // dropped, the oldest
    EXPECT_EQ(t.wait("one-more", 2), 0);
    // A failure makes a key the newest: "key0" is now dropped before "key1".
    for (int i = 0; i < 4; ++i) t.failed("key0", 3);  // its 2nd to 5th
    t.failed("another", 3);
    EXPECT_EQ(t.wait("key0", 3), 60);
}

TEST(AccountsThrottle, LongKeysAreCutSoTheyCannotFillMemory) {
    Throttle t;
    const std::string prefix(Throttle::kMaxKeyBytes, 'x');
    for (int i = 0; i < 5; ++i) t.failed(prefix + std::to_string(i), 0);  // one key, cut
    EXPECT_EQ(t.wait(prefix + "anything", 0), 60);
    EXPECT_EQ(t.wait(prefix.substr(1), 0), 0);
}

TEST(AccountsThrottle, ThreadsShareItSafely) {
    Throttle t;
    std::vector<std::thread> threads;
    for (int n = 0; n < 4; ++n)
        threads.emplace_back([&t, n] {
            for (int i = 0; i < 2000; ++i) {
                t.failed("shared", 0);
                t.failed("own" + std::to_string(n) + "-" + std::to_string(i), 0);
                t.wait("shared", 0);
                if (i % 100 == 0) t.succeeded("own" + std::to_string(n) + "-0");
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(t.wait("shared", 0), 3600);
}

// ----- `grantpress user` ----------------------------------------------------------------

namespace {

struct Result {
    int code = -1;
    std::string out, err;
};

Result user(const fs::path& file, std::vector<std::string> args, const std::string& input = "") {
    std::istringstream in(input);
    std::ostringstream out, err;
    Result r;
    r.code = gp::cli::userCommand(args, file, in, out, err, false);
    r.out = out.str();
    r.err = err.str();
    return r;
}

void expectUsageRun(const Result& r, const std::string& needle) {
    EXPECT_EQ(r.code, 64) << r.err;
    EXPECT_TRUE(contains(r.err, "grantpress: error: " + needle)) << r.err;
    EXPECT_TRUE(contains(r.err, "Run 'grantpress --help' for usage.")) << r.err;
    EXPECT_EQ(r.out, "");
}

}  // namespace

TEST(AccountsUserCommand, ManagesUsersAndTokensWithoutShowingSecrets) {
    TempDir dir("gp-accounts");
    const fs::path file = dir.path() / "state" / "users";
    Result r = user(file, {"add", "alice", "--role", "operator"}, kPassword + "\n");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "added user alice (operator)\n");
    EXPECT_EQ(modeOf(file), 0600u);
    EXPECT_EQ(user(file, {"add", "--role=viewer", "bob"}, kOther + "\r\n").code, 0);  // a Windows line end
    EXPECT_TRUE(Accounts::load(file).checkPassword("bob", kOther));

    EXPECT_EQ(user(file, {"passwd", "alice"}, kOther).out, "changed the password of alice\n");
    EXPECT_TRUE(Accounts::load(file).checkPassword("alice", kOther));
    EXPECT_EQ(user(file, {"role", "alice", "admin"}).out, "alice is now admin\n");

    const Result token = user(file, {"token", "alice"});
    EXPECT_EQ(token.code, 0) << token.err;
    ASSERT_TRUE(std::regex_match(token.out, std::regex("gpt_[0-9a-f]{12}_[A-Za-z0-9_-]{43}\n"))) << token.out;
    const std::string secret = token.out.substr(0, token.out.size() - 1);
    const std::string id = secret.substr(4, 12);
    EXPECT_TRUE(contains(token.err, "token " + id + " for alice: copy it now, it will not be shown again")) << token.err;
    EXPECT_FALSE(contains(token.err, secret.substr(17)));
    EXPECT_FALSE(contains(readFile(file), secret.substr(17)));
    EXPECT_EQ(Accounts::load(file).checkToken(secret)->role, Role::Admin);

    const Result list = user(file, {"list"});
    EXPECT_EQ(list.code, 0);
    EXPECT_TRUE(std::regex_search(list.out, std::regex("users:\n  alice  admin\n  bob    viewer\ntokens:\n  " + id +
                                                       "  alice  created \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\n")))
        << list.out;
    for (const Result& each : {r, token, list}) {
        EXPECT_FALSE(contains(each.out + each.err, kPassword));
        EXPECT_FALSE(contains(each.out + each.err, "pbkdf2"));
    }
    EXPECT_FALSE(contains(list.out, secret.substr(17)));

    user(file, {"token", "bob"});
    EXPECT_EQ(user(file, {"revoke", id}).out, "revoked token " + id + " of alice\n");
    EXPECT_FALSE(Accounts::load(file).checkToken(secret));
    EXPECT_EQ(user(file, {"remove", "bob"}).out, "removed user bob and revoked 1 token\n");
    EXPECT_EQ(user(file, {"remove", "alice"}).out, "removed user alice\n");
    EXPECT_EQ(user(file, {"list"}).out,
              "no users in " + file.string() + ": add one with 'grantpress user add NAME --role ROLE'\n");
    EXPECT_EQ(modeOf(file), 0600u);
}

TEST(AccountsUserCommand, MistakesAreUsageErrors) {
    TempDir dir("gp-accounts");
    const fs::path file = dir.path() / "users";
    ASSERT_EQ(user(file, {"add", "alice", "--role", "viewer"}, kPassword).code, 0);
    const std::string forms = "user add NAME --role ROLE, user passwd NAME, user role NAME ROLE, user remove NAME, "
                              "user token NAME, user revoke TOKEN_ID or user list";
    expectUsageRun(user(file, {}), "user takes a subcommand: " + forms);
    expectUsageRun(user(file, {"delete", "alice"}), "unknown user command 'delete': " + forms);
    const std::string addForm = "user add takes a user name and a role: user add NAME --role viewer|operator|admin";
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{"add", "bob"}, {"add", "--role", "viewer"}, {"add", "bob", "--role"},
                                               {"add", "bob", "carol", "--role", "viewer"},
                                               {"add", "bob", "--role", "viewer", "--role", "admin"},
                                               {"add", "bob", "--rol", "viewer"}})
        expectUsageRun(user(file, args, kPassword), addForm);
    expectUsageRun(user(file, {"add", "bob", "--role", "boss"}, kPassword), "unknown role 'boss': use viewer, operator or admin");
    expectUsageRun(user(file, {"role", "alice", "Admin"}), "unknown role 'Admin'");
    expectUsageRun(user(file, {"add", "bob", "--role", "viewer"}, "tooshort\n"), "the password is too short");
    expectUsageRun(user(file, {"add", "bob", "--role", "viewer"}), "no password on standard input");
    expectUsageRun(user(file, {"add", "-bob", "--role", "viewer"}, kPassword), addForm);
    expectUsageRun(user(file, {"add", "b/ob", "--role", "viewer"}, kPassword), "user name 'b/ob' is not allowed");
    expectUsageRun(user(file, {"add", "alice", "--role", "viewer"}, kPassword),
                   "user 'alice' already exists in " + file.string());
    expectUsageRun(user(file, {"passwd", "bob"}, kPassword), "no user 'bob' in " + file.string());
    expectUsageRun(user(file, {"passwd", "alice"}, "short\n"), "the password is too short");
    expectUsageRun(user(file, {"passwd"}), "user passwd takes one user name: user passwd NAME");
    expectUsageRun(user(file, {"role", "alice"}), "user role takes a user name and a role");
    expectUsageRun(user(file, {"role", "bob", "admin"}), "no user 'bob'");
    expectUsageRun(user(file, {"remove", "bob"}), "no user 'bob'");
    expectUsageRun(user(file, {"remove"}), "user remove takes one user name");
    expectUsageRun(user(file, {"token", "bob"}), "no user 'bob'");
    expectUsageRun(user(file, {"token", "alice", "bob"}), "user token takes one user name");
    expectUsageRun(user(file, {"revoke", "0123456789ab"}), "no token '0123456789ab'");
    expectUsageRun(user(file, {"revoke"}), "user revoke takes one token id");
    expectUsageRun(user(file, {"list", "all"}), "user list takes no arguments");
    // Nothing changed: alice alone, with her first password and role.
    const Accounts a = Accounts::load(file);
    EXPECT_EQ(a.users().size(), 1u);
    EXPECT_EQ(a.find("alice")->role, Role::Viewer);
    EXPECT_TRUE(a.checkPassword("alice", kPassword));
}

TEST(AccountsUserCommand, ABrokenFileIsAConfigErrorAndAnUnwritableOneAnOutputError) {
    TempDir dir("gp-accounts");
    const fs::path file = writeUsers(dir, "user alice operator " + kKnownHash + "\nuser bob\n");
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{"list"}, {"add", "carol", "--role", "viewer"}, {"remove", "alice"}}) {
        const Result r = user(file, args, kPassword);
        EXPECT_EQ(r.code, 78);
        EXPECT_TRUE(contains(r.err, "grantpress: error: " + file.string() + ":2: a user line is")) << r.err;
        EXPECT_FALSE(contains(r.err, "--help"));
    }
    ::chmod(file.c_str(), 0644);
    EXPECT_TRUE(contains(user(file, {"list"}).err, "run 'chmod 600 " + file.string() + "'"));

    // A folder that is a dangling symbolic link: no file to read, and none can be written in it
    // (whoever runs the test: root ignores permission bits).
    fs::create_directory_symlink(dir.path() / "nowhere", dir.path() / "link");
    const fs::path unwritable = dir.path() / "link" / "users";
    const Result r = user(unwritable, {"add", "carol", "--role", "viewer"}, kPassword);
    EXPECT_EQ(r.code, 73) << r.err;
    EXPECT_TRUE(contains(r.err, "grantpress: error: cannot write the users file " + unwritable.string())) << r.err;
}
