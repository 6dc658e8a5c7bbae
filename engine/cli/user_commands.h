// The `grantpress user` commands: the accounts of `grantpress serve` in the [server] users file.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace gp::cli {

// `args`: the words after "user" — add NAME --role ROLE (also --role=ROLE, anywhere after add) |
// passwd NAME | role NAME ROLE | remove NAME | token NAME | revoke TOKEN_ID | list. `usersFile`:
// [server] users of the configuration. Passwords are read from `in`, one line; `interactive`
// says that `in` is a terminal on standard input: its echo is then turned off and the password
// asked twice. Results go to `out`; prompts, notes and errors to `err`. Returns the exit code:
// 0 done, 64 usage (unknown subcommand, missing argument, bad role, weak password, unknown
// user…), 78 configuration (a malformed or unprotected users file), 73 when the file cannot be
// written. Never shows a password or a hash: `token` shows the new token once, `list` the users
// with their roles and the tokens' ids, users and creation dates. Exceptions other than gp::Error
// (OpenSSL failing to give random bytes) reach the caller: an internal error.
int userCommand(const std::vector<std::string>& args, const std::filesystem::path& usersFile, std::istream& in,
                std::ostream& out, std::ostream& err, bool interactive);

}  // namespace gp::cli
