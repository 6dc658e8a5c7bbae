#include "cli/user_commands.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <istream>
#include <optional>
#include <ostream>

#include "core/error.h"
#include "core/time_stamp.h"
#include "server/accounts.h"

namespace gp::cli {
namespace {

namespace fs = std::filesystem;
using server::Accounts;
using server::Role;

const char* const kForms =
    "user add NAME --role ROLE, user passwd NAME, user role NAME ROLE, user remove NAME, user token NAME, "
    "user revoke TOKEN_ID or user list";

// ----- reading a new password -----------------------------------------------------------

// The terminal's settings while its echo is off, for the signal handler to put back: a shell
// left without echo after Ctrl-C at the password prompt would hide everything typed next.
termios gSavedTerminal;
volatile sig_atomic_t gEchoOff = 0;

extern "C" void restoreEchoThenDie(int sig) {
    if (gEchoOff) ::tcsetattr(STDIN_FILENO, TCSANOW, &gSavedTerminal);  // async-signal-safe
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

// Turns off the echo of the terminal on standard input while it lives, but for the newline
// that ends each line (ECHONL), so the next prompt starts on a line of its own.
class EchoOff {
public:
    EchoOff() {
        if (::tcgetattr(STDIN_FILENO, &gSavedTerminal) != 0) return;  // no terminal after all: nothing to hide
        struct sigaction sa {};
        sa.sa_handler = restoreEchoThenDie;
        sigemptyset(&sa.sa_mask);
        for (std::size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &sa, &previous_[i]);
        handlers_ = true;
        termios quiet = gSavedTerminal;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;
        gEchoOff = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
    ~EchoOff() {
        if (gEchoOff) ::tcsetattr(STDIN_FILENO, TCSANOW, &gSavedTerminal);
        gEchoOff = 0;
        if (handlers_)
            for (std::size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &previous_[i], nullptr);
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

private:
    static constexpr std::array<int, 4> kSignals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    std::array<struct sigaction, 4> previous_{};
    bool handlers_ = false;
};

std::string readLine(std::istream& in) {
    std::string line;
    if (!std::getline(in, line))
        throw Error(ErrorKind::Usage, "no password on standard input: type it, or give it as one line (… < FILE)");
    if (!line.empty() && line.back() == '\r') line.pop_back();  // a line ended the Windows way
    return line;
}

// One line of `in`; at a terminal, asked twice with the echo off.
std::string newPassword(const std::string& user, std::istream& in, std::ostream& err, bool interactive) {
    if (!interactive) return readLine(in);
    const EchoOff quiet;
    err << "New password for " << user << ": " << std::flush;
    const std::string password = readLine(in);
    err << "The same password again: " << std::flush;
    if (readLine(in) != password)
        throw Error(ErrorKind::Usage, "the two passwords differ: nothing was changed; run the command again");
    return password;
}

// ----- arguments ----------------------------------------------------------------------

Role roleArgument(const std::string& word) {
    if (const auto role = server::parseRole(word)) return *role;
    throw Error(ErrorKind::Usage, "unknown role '" + word + "': use viewer, operator or admin");
}

// `add NAME --role ROLE`, `add --role=ROLE NAME`...: the name and the role.
std::pair<std::string, Role> addArguments(const std::vector<std::string>& args) {
    std::optional<std::string> name, role;
    bool stray = false;  // a second name or role, another option
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& word = args[i];
        if (word == "--role" && i + 1 < args.size() && !role) role = args[++i];
        else if (word.rfind("--role=", 0) == 0 && !role) role = word.substr(7);
        else if (word.rfind('-', 0) != 0 && !name) name = word;
        else stray = true;
    }
    if (stray || !name || !role)
        throw Error(ErrorKind::Usage, "user add takes a user name and a role: user add NAME --role viewer|operator|admin");
    return {*name, roleArgument(*role)};
}

// ----- the subcommands ----------------------------------------------------------------

// Checked before a password is asked for, which could not be used otherwise.
void requireUnknown(const Accounts& accounts, const std::string& name, const fs::path& file) {
    if (accounts.find(name))
        throw Error(ErrorKind::Usage, "user '" + name + "' already exists in " + file.string() +
                                          ": change the password with 'grantpress user passwd " + name + "'");
}
void requireKnown(const Accounts& accounts, const std::string& name, const fs::path& file) {
    if (!accounts.find(name))
        throw Error(ErrorKind::Usage, "no user '" + name + "' in " + file.string() + ": 'grantpress user list' shows the users");
}

std::string padded(const std::string& s, std::size_t width) { return s + std::string(width - std::min(width, s.size()), ' '); }

void list(const Accounts& accounts, const fs::path& file, std::ostream& out) {
    if (accounts.empty()) {
        out << "no users in " << file.string() << ": add one with 'grantpress user add NAME --role ROLE'\n";
        return;
    }
    const auto users = accounts.users();
    std::size_t width = 0;
    for (const auto& u : users) width = std::max(width, u.name.size());
    out << "users:\n";
    for (const auto& u : users) out << "  " << padded(u.name, width) << "  " << server::roleName(u.role) << "\n";
    const auto tokens = accounts.tokens();
    out << (tokens.empty() ? "tokens: none\n" : "tokens:\n");
    for (const auto& t : tokens)
        out << "  " << t.id << "  " << padded(t.user, width) << "  created " << localStamp(static_cast<std::time_t>(t.created), false)
            << "\n";
}

// Held while the users file is read, changed and written: two `grantpress user` commands at
// once (two admins, a script) would otherwise both save, the later one undoing the other's
// change (a revoked token working again) while both said done. An advisory lock on
// "<users>.lock" beside it, released when the command ends.
class UsersLock {
public:
    explicit UsersLock(const fs::path& file) {
        const fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
        std::error_code ec;
        if (fs::create_directories(folder, ec); !ec) fs::permissions(folder, fs::perms::owner_all, ec);
        const std::string lock = file.string() + ".lock";
        fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd_ < 0) throwOutputError("cannot write the users file " + file.string() + " (its lock " + lock + ")", errno);
        while (::flock(fd_, LOCK_EX) != 0)
            if (errno != EINTR) {
                const int e = errno;
                ::close(fd_);
                throwOutputError("cannot lock the users file " + file.string(), e);
            }
    }
    ~UsersLock() { ::close(fd_); }
    UsersLock(const UsersLock&) = delete;
    UsersLock& operator=(const UsersLock&) = delete;

private:
    int fd_ = -1;
};

int run(const std::vector<std::string>& args, const fs::path& file, std::istream& in, std::ostream& out,
        std::ostream& err, bool interactive) {
    if (args.empty()) throw Error(ErrorKind::Usage, std::string("user takes a subcommand: ") + kForms);
    const std::string& command = args[0];
    const auto expect = [&](std::size_t words, const std::string& form) {
        if (args.size() != words) throw Error(ErrorKind::Usage, "user " + command + " takes " + form);
    };
    if (command == "add") {
        const auto [name, role] = addArguments(args);
        requireUnknown(Accounts::load(file), name, file);  // before asking for a password in vain
        const std::string password = newPassword(name, in, err, interactive);
        const UsersLock lock(file);  // the password is typed: the file is read again under the lock
        Accounts accounts = Accounts::load(file);
        requireUnknown(accounts, name, file);
        accounts.addUser(name, role, password);
        accounts.save(file);
        out << "added user " << name << " (" << server::roleName(role) << ")\n";
        return 0;
    }
    if (command == "passwd") {
        expect(2, "one user name: user passwd NAME");
        const std::string& name = args[1];
        requireKnown(Accounts::load(file), name, file);
        const std::string password = newPassword(name, in, err, interactive);
        const UsersLock lock(file);
        Accounts accounts = Accounts::load(file);
        requireKnown(accounts, name, file);
        accounts.setPassword(name, password);
        accounts.save(file);
        out << "changed the password of " << name << "\n";
        return 0;
    }
    if (command == "role") {
        expect(3, "a user name and a role: user role NAME viewer|operator|admin");
        const std::string& name = args[1];
        const Role role = roleArgument(args[2]);
        const UsersLock lock(file);
        Accounts accounts = Accounts::load(file);
        accounts.setRole(name, role);
        accounts.save(file);
        out << name << " is now " << server::roleName(role) << "\n";
        return 0;
    }
    if (command == "remove") {
        expect(2, "one user name: user remove NAME");
        const std::string& name = args[1];
        const UsersLock lock(file);
        Accounts accounts = Accounts::load(file);
        const auto tokens = accounts.tokens();
        const auto revoked = std::count_if(tokens.begin(), tokens.end(), [&](const auto& t) { return t.user == name; });
        accounts.removeUser(name);
        accounts.save(file);
        out << "removed user " << name;
        if (revoked) out << " and revoked " << revoked << (revoked == 1 ? " token" : " tokens");
        out << "\n";
        return 0;
    }
    if (command == "token") {
        expect(2, "one user name: user token NAME");
        const std::string& name = args[1];
        const UsersLock lock(file);
        Accounts accounts = Accounts::load(file);
        const std::string token = accounts.addToken(name, std::time(nullptr));
        accounts.save(file);  // before the token is shown: a token shown but not saved would not work
        const std::string id = token.substr(4, 12);  // "gpt_<id>_<secret>"
        out << token << "\n";
        err << "grantpress: token " << id << " for " << name
            << ": copy it now, it will not be shown again (revoke it with 'grantpress user revoke " << id << "')\n";
        return 0;
    }
    if (command == "revoke") {
        expect(2, "one token id: user revoke TOKEN_ID ('grantpress user list' shows them)");
        const std::string& id = args[1];
        const UsersLock lock(file);
        Accounts accounts = Accounts::load(file);
        const auto tokens = accounts.tokens();
        const auto it = std::find_if(tokens.begin(), tokens.end(), [&](const auto& t) { return t.id == id; });
        accounts.revokeToken(id);
        accounts.save(file);
        out << "revoked token " << id << " of " << it->user << "\n";  // revokeToken() found it
        return 0;
    }
    if (command == "list") {
        expect(1, "no arguments");
        list(Accounts::load(file), file, out);
        return 0;
    }
    throw Error(ErrorKind::Usage, "unknown user command '" + command + "': " + kForms);
}

}  // namespace

int userCommand(const std::vector<std::string>& args, const fs::path& usersFile, std::istream& in, std::ostream& out,
                std::ostream& err, bool interactive) {
    try {
        return run(args, usersFile, in, out, err, interactive);
    } catch (const Error& e) {
        err << "grantpress: error: " << e.what() << "\n";
        if (e.kind() == ErrorKind::Usage) err << "Run 'grantpress --help' for usage.\n";
        return exitCodeFor(e.kind());
    }
}

}  // namespace gp::cli
