#include "data/odbc.h"

#include <sql.h>
#include <sqlext.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <optional>

#include "core/error.h"
#include "core/utf8.h"

namespace gp::data::odbc {
namespace {

constexpr SQLLEN kLoginTimeoutSeconds = 30;
constexpr std::size_t kFetchRows = 1000;       // psqlODBC's rows per FETCH when we choose
constexpr std::size_t kPieceBytes = 64 * 1024;  // SQLGetData buffer for text and binary values
constexpr const char* kBooleanText = "a boolean (t or f, true or false, yes or no, on or off, 1 or 0)";

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string trim(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return std::string(s.substr(b, e - b));
}

bool isSecretKey(const std::string& key) {
    const std::string k = lower(key);
    for (const char* word : {"pwd", "pass", "secret", "token", "key", "credential"})
        if (k.find(word) != std::string::npos) return true;
    return false;
}

void replaceAll(std::string& text, const std::string& what, const std::string& with) {
    if (what.empty()) return;
    for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + with.size()))
        text.replace(p, what.size(), with);
}

// The diagnostic records of a handle as one line: "message (SQLSTATE xxxxx); ...".
// `states` receives the SQLSTATEs in order.
std::string diagnostics(SQLSMALLINT type, SQLHANDLE handle, std::vector<std::string>* states = nullptr) {
    std::string out;
    std::vector<SQLCHAR> msg(4096);
    for (SQLSMALLINT i = 1; i <= 20; ++i) {
        SQLCHAR state[6] = {};
        SQLINTEGER native = 0;
        SQLSMALLINT len = 0;
        SQLRETURN rc = SQLGetDiagRecA(type, handle, i, state, &native, msg.data(), static_cast<SQLSMALLINT>(msg.size()), &len);
        if (rc == SQL_NO_DATA || !SQL_SUCCEEDED(rc)) break;
        if (static_cast<size_t>(len) >= msg.size()) {
            msg.resize(static_cast<size_t>(len) + 1);
            rc = SQLGetDiagRecA(type, handle, i, state, &native, msg.data(), static_cast<SQLSMALLINT>(msg.size()), &len);
            if (!SQL_SUCCEEDED(rc)) break;
        }
        std::string text(reinterpret_cast<const char*>(msg.data()), std::min(static_cast<size_t>(len), msg.size() - 1));
        // Drivers put line breaks and tabs into messages (psqlODBC: "...;\nError while
        // executing the query"): one line reads better in a CLI error.
        std::string line;
        bool space = false, lineBreak = false;
        for (char c : text) {
            if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
                space = true;
                lineBreak = lineBreak || c == '\n';
                continue;
            }
            if (space && !line.empty()) {
                if (lineBreak && std::string_view(".;:!?").find(line.back()) == std::string_view::npos) line += ';';
                line += ' ';
            }
            space = lineBreak = false;
            line += c;
        }
        const std::string st(reinterpret_cast<const char*>(state));
        if (states) states->push_back(st);
        std::string entry = line + " (SQLSTATE " + st + ")";
        if (out.find(entry) != std::string::npos) continue;
        out += (out.empty() ? "" : "; ") + entry;
    }
    return out.empty() ? "the driver gave no diagnostic" : out;
}

}  // namespace

std::vector<Attribute> parseConnectionString(std::string_view text) {
    std::vector<Attribute> out;
    size_t i = 0;
    const size_t n = text.size();
    while (i < n) {
        size_t eq = text.find('=', i);
        size_t semi = text.find(';', i);
        if (eq == std::string_view::npos || (semi != std::string_view::npos && semi < eq)) {
            // A part without '=': skip it.
            if (semi == std::string_view::npos) break;
            i = semi + 1;
            continue;
        }
        Attribute a;
        a.key = trim(text.substr(i, eq - i));
        size_t j = eq + 1;
        while (j < n && text[j] == ' ') ++j;
        if (j < n && text[j] == '{') {
            ++j;
            while (j < n) {
                if (text[j] == '}') {
                    if (j + 1 < n && text[j + 1] == '}') {
                        a.value += '}';
                        j += 2;
                        continue;
                    }
                    ++j;
                    break;
                }
                a.value += text[j++];
            }
            size_t next = text.find(';', j);
            i = next == std::string_view::npos ? n : next + 1;
        } else {
            size_t next = text.find(';', j);
            a.value = trim(text.substr(j, (next == std::string_view::npos ? n : next) - j));
            i = next == std::string_view::npos ? n : next + 1;
        }
        if (!a.key.empty()) out.push_back(std::move(a));
    }
    return out;
}

bool hasKey(const std::string& connection, std::initializer_list<std::string_view> keys) {
    for (const auto& a : parseConnectionString(connection)) {
        const std::string k = lower(a.key);
        for (auto key : keys)
            if (k == lower(key)) return true;
    }
    return false;
}

std::string redact(std::string text, const std::string& connection) {
    replaceAll(text, connection, "***");
    for (const auto& a : parseConnectionString(connection)) {
        if (!isSecretKey(a.key)) continue;
        replaceAll(text, a.value, "***");
        // The braced spelling too, should a driver echo the attribute as written.
        std::string braced = a.value;
        replaceAll(braced, "}", "}}");
        replaceAll(text, braced, "***");
    }
    return text;
}

std::string psqlOptionsToAdd(const std::string& connection, std::size_t fetchRows) {
    std::string add;
    if (!hasKey(connection, {"UseDeclareFetch", "B6"})) {
        add += ";UseDeclareFetch=1";
        if (!hasKey(connection, {"Fetch", "A7"})) add += ";Fetch=" + std::to_string(fetchRows);
    }
    if (!hasKey(connection, {"BoolsAsChar", "B9"})) add += ";BoolsAsChar=0";
    return add;
}

// ---------------------------------------------------------------------------------------
// Connection

struct Connection::Handles {
    SQLHENV env = SQL_NULL_HENV;
    SQLHDBC dbc = SQL_NULL_HDBC;
    bool connected = false;

    ~Handles() {
        if (connected) SQLDisconnect(dbc);
        if (dbc != SQL_NULL_HDBC) SQLFreeHandle(SQL_HANDLE_DBC, dbc);
        if (env != SQL_NULL_HENV) SQLFreeHandle(SQL_HANDLE_ENV, env);
    }
};

namespace {

// An advice for the connect errors a user can fix, chosen by SQLSTATE and message.
std::string connectHint(const std::vector<std::string>& states, const std::string& message, const std::string& name) {
    auto has = [&](const char* s) { return std::find(states.begin(), states.end(), s) != states.end(); };
    if (has("IM002") || has("IM003") || message.find("Can't open lib") != std::string::npos ||
        message.find("file not found") != std::string::npos)
        return ". The ODBC driver or DSN is not installed: list drivers with 'odbcinst -q -d' and DSNs with "
               "'odbcinst -q -s' (scripts/setup.sh installs odbc-postgresql and libsqliteodbc), then fix Driver= or "
               "DSN= in 'connection' of [source." +
               name + "]";
    if (message.find("password") != std::string::npos || message.find("authentication") != std::string::npos ||
        has("28000") || has("28P01"))
        return ". Check the user and password of [source." + name +
               "] (give them as ${system.env.NAME} and export the variables)";
    if (message.find("could not connect") != std::string::npos || message.find("refused") != std::string::npos ||
        message.find("timeout expired") != std::string::npos || message.find("translate host name") != std::string::npos ||
        has("08001"))
        return ". Is the database server running and reachable at the host and port of [source." + name + "]?";
    return "";
}

}  // namespace

Connection::Connection(const SourceConfig& source) : source_(source), h_(std::make_unique<Handles>()) {
    const std::string where = "data source '" + source_.name + "'";
    if (SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &h_->env) != SQL_SUCCESS ||
        !SQL_SUCCEEDED(SQLSetEnvAttr(h_->env, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0)))
        throw Error(ErrorKind::Data, where + ": cannot start the ODBC driver manager (is unixODBC installed?)");
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, h_->env, &h_->dbc)))
        throw Error(ErrorKind::Data, where + ": cannot allocate an ODBC connection: " +
                                         redact(diagnostics(SQL_HANDLE_ENV, h_->env), source_.connection));
    connect(source_.connection);

    // psqlODBC needs a few options to stream and to give UTF-8 and real booleans; add those
    // the configuration leaves out (they can only be given when connecting).
    if (lower(driver_).rfind("psqlodbc", 0) == 0) {
        const std::string add = psqlOptionsToAdd(source_.connection, kFetchRows);
        if (!add.empty()) {
            std::string connection = source_.connection;
            while (!connection.empty() && (connection.back() == ';' || connection.back() == ' ')) connection.pop_back();
            SQLDisconnect(h_->dbc);
            h_->connected = false;
            connect(connection + add);
        }
    }
    auto run = [&](const std::string& sql, const std::string& what) {
        auto cursor = open(BoundSql{sql, {}}, {}, what);
        std::vector<Value> row;
        while (cursor->next(row)) {
        }
    };
    // Whatever the driver's settings, text must arrive as UTF-8. A statement, not
    // ConnSettings=SET client_encoding...: psqlODBC 13.02 loses the encoding name it copies
    // from ConnSettings (LeakSanitizer: 5 bytes per connection), a statement it handles cleanly.
    if (dbms_ == "PostgreSQL") run("SET client_encoding TO 'UTF8'", "setting the client encoding");
    // The engine only reads: every transaction of this session is read-only, so a write is
    // refused by the server (SQLSTATE 25006). A guard against mistakes, not a boundary: SQL can
    // switch it back (SET, set_config), so give the engine a role that may only SELECT.
    if (dbms_ == "PostgreSQL") run("SET default_transaction_read_only = on", "making the session read-only");
    // The SQLite ODBC driver has no read-only mode and ignores SQL_ATTR_ACCESS_MODE; query_only
    // makes SQLite refuse writes (SQLITE_READONLY), with the same caveat (PRAGMA switches it back).
    if (dbms_ == "SQLite") run("PRAGMA query_only = 1", "making the session read-only");
}

Connection::~Connection() = default;

void Connection::connect(const std::string& connection) {
    const std::string where = "data source '" + source_.name + "'";
    SQLSetConnectAttr(h_->dbc, SQL_ATTR_LOGIN_TIMEOUT, reinterpret_cast<SQLPOINTER>(kLoginTimeoutSeconds), 0);
    std::vector<SQLCHAR> in(connection.begin(), connection.end());
    in.push_back(0);
    SQLSMALLINT outLen = 0;  // the completed string is not asked for: it would hold the password
    SQLRETURN rc = SQLDriverConnectA(h_->dbc, nullptr, in.data(), SQL_NTS, nullptr, 0, &outLen, SQL_DRIVER_NOPROMPT);
    if (!SQL_SUCCEEDED(rc)) {
        std::vector<std::string> states;
        std::string diag = redact(diagnostics(SQL_HANDLE_DBC, h_->dbc, &states), connection);
        diag = redact(diag, source_.connection);
        throw Error(ErrorKind::Data, source_.configFile, source_.configLine,
                    where + ": cannot connect: " + diag + connectHint(states, diag, source_.name));
    }
    h_->connected = true;
    // Ask the driver for a read-only connection. Drivers are free to ignore it (psqlODBC and the
    // SQLite ODBC driver accept it without enforcing anything), so it is not checked.
    SQLSetConnectAttr(h_->dbc, SQL_ATTR_ACCESS_MODE, reinterpret_cast<SQLPOINTER>(SQL_MODE_READ_ONLY), 0);
    auto info = [&](SQLUSMALLINT what) {
        SQLCHAR buf[256] = {};
        SQLSMALLINT len = 0;
        if (!SQL_SUCCEEDED(SQLGetInfoA(h_->dbc, what, buf, sizeof buf, &len))) return std::string();
        return std::string(reinterpret_cast<const char*>(buf));
    };
    driver_ = info(SQL_DRIVER_NAME);
    dbms_ = info(SQL_DBMS_NAME);
}

// ---------------------------------------------------------------------------------------
// Cursor

namespace {

class OdbcCursor final : public Cursor {
public:
    OdbcCursor(SQLHDBC dbc, const BoundSql& bound, const Params& params, std::string context,
               const std::string& connection)
        : context_(std::move(context)), connection_(connection), buf_(kPieceBytes) {
        if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &handle_.stmt))) {
            handle_.stmt = SQL_NULL_HSTMT;
            throw Error(ErrorKind::Data, context_ + ": cannot allocate a statement: " +
                                             redact(diagnostics(SQL_HANDLE_DBC, dbc), connection_));
        }
        std::vector<SQLCHAR> sql(bound.sql.begin(), bound.sql.end());
        sql.push_back(0);
        check(SQLPrepareA(stmt_, sql.data(), SQL_NTS));
        params_.resize(bound.names.size());  // addresses stay put from here on
        for (size_t i = 0; i < bound.names.size(); ++i) bind(static_cast<SQLUSMALLINT>(i + 1), params_[i], params.at(bound.names[i]));
        SQLRETURN rc = SQLExecute(stmt_);
        if (rc != SQL_NO_DATA) check(rc);  // SQL_NO_DATA: a statement that changed no rows
        SQLSMALLINT count = 0;
        check(SQLNumResultCols(stmt_, &count));
        for (SQLUSMALLINT c = 1; c <= count; ++c) describe(c);
        done_ = count == 0;
    }

    const std::vector<std::string>& columns() const override { return names_; }

    bool next(std::vector<Value>& row) override {
        if (done_) return false;
        SQLRETURN rc = SQLFetch(stmt_);
        if (rc == SQL_NO_DATA) {
            done_ = true;
            SQLFreeStmt(stmt_, SQL_CLOSE);  // let the server drop the cursor now
            return false;
        }
        check(rc);
        row.clear();
        row.reserve(cols_.size());
        for (size_t c = 0; c < cols_.size(); ++c) row.push_back(read(static_cast<SQLUSMALLINT>(c + 1), cols_[c]));
        return true;
    }

private:
    enum class Kind { Integer, Bool, BoolText, Exact, Double, Date, Timestamp, Text, WideText, Binary };
    struct Column {
        Kind kind = Kind::Text;
        SQLSMALLINT scale = 0;
    };
    // Storage of one bound parameter; the driver reads it at SQLExecute.
    struct Param {
        std::string text;
        SQLLEN ind = 0;
        SQLBIGINT integer = 0;
        double real = 0;
        unsigned char bit = 0;
        SQL_DATE_STRUCT date{};
    };

    void check(SQLRETURN rc) {
        if (SQL_SUCCEEDED(rc)) return;
        std::vector<std::string> states;
        const std::string diag = redact(diagnostics(SQL_HANDLE_STMT, stmt_, &states), connection_);
        // The query tried to write, which is its fault: PostgreSQL's read_only_sql_transaction
        // (25006), SQLite's SQLITE_READONLY (the driver gives no SQLSTATE of its own for it).
        if (std::find(states.begin(), states.end(), "25006") != states.end() ||
            diag.find("attempt to write a readonly database") != std::string::npos)
            throw Error(ErrorKind::Template, context_ + ": writing is refused: GrantPress only reads the database, so a "
                                                        "query may only read (SELECT, WITH) (" + diag + ")");
        throw Error(ErrorKind::Data, context_ + ": " + diag);
    }

    void bind(SQLUSMALLINT n, Param& p, const Value& value) {
        struct Binder {
            OdbcCursor& self;
            SQLUSMALLINT n;
            Param& p;
            SQLRETURN put(SQLSMALLINT ctype, SQLSMALLINT sqltype, SQLULEN size, SQLSMALLINT digits, SQLPOINTER data,
                          SQLLEN length) {
                return SQLBindParameter(self.stmt_, n, SQL_PARAM_INPUT, ctype, sqltype, size, digits, data, length,
                                        &p.ind);
            }
            SQLRETURN operator()(Null) {
                p.ind = SQL_NULL_DATA;
                return put(SQL_C_CHAR, SQL_VARCHAR, 1, 0, p.text.data(), 0);
            }
            SQLRETURN operator()(bool b) {
                p.bit = b ? 1 : 0;
                return put(SQL_C_BIT, SQL_BIT, 1, 0, &p.bit, 0);
            }
            SQLRETURN operator()(std::int64_t i) {
                p.integer = i;
                return put(SQL_C_SBIGINT, SQL_BIGINT, 19, 0, &p.integer, 0);
            }
            SQLRETURN operator()(double d) {
                p.real = d;
                return put(SQL_C_DOUBLE, SQL_DOUBLE, 15, 0, &p.real, 0);
            }
            SQLRETURN operator()(Decimal d) {  // exact: as decimal text, never a double
                p.text = d.toString(Decimal::kScale);
                p.ind = static_cast<SQLLEN>(p.text.size());
                return put(SQL_C_CHAR, SQL_NUMERIC, 19, Decimal::kScale, p.text.data(), p.ind);
            }
            SQLRETURN operator()(const Date& d) {
                p.date.year = static_cast<SQLSMALLINT>(d.year);
                p.date.month = static_cast<SQLUSMALLINT>(d.month);
                p.date.day = static_cast<SQLUSMALLINT>(d.day);
                return put(SQL_C_TYPE_DATE, SQL_TYPE_DATE, 10, 0, &p.date, 0);
            }
            SQLRETURN operator()(const std::string& t) {
                p.text = t;
                p.ind = static_cast<SQLLEN>(p.text.size());
                return put(SQL_C_CHAR, SQL_VARCHAR, std::max<SQLULEN>(1, p.text.size()), 0, p.text.data(), p.ind);
            }
        };
        check(std::visit(Binder{*this, n, p}, value));
    }

    void describe(SQLUSMALLINT c) {
        SQLCHAR name[1024] = {};
        SQLSMALLINT nameLen = 0, type = 0, digits = 0, nullable = 0;
        SQLULEN size = 0;
        check(SQLDescribeColA(stmt_, c, name, sizeof name, &nameLen, &type, &size, &digits, &nullable));
        names_.emplace_back(reinterpret_cast<const char*>(name));
        Column col;
        col.scale = digits;
        switch (type) {
            case SQL_TINYINT:
            case SQL_SMALLINT:
            case SQL_INTEGER:
            case SQL_BIGINT: col.kind = Kind::Integer; break;
            case SQL_BIT: col.kind = Kind::Bool; break;
            case SQL_NUMERIC:
            case SQL_DECIMAL: col.kind = Kind::Exact; break;
            case SQL_REAL:
            case SQL_FLOAT:
            case SQL_DOUBLE: col.kind = Kind::Double; break;
            case SQL_TYPE_DATE:
            case SQL_DATE: col.kind = Kind::Date; break;
            case SQL_TYPE_TIMESTAMP:
            case SQL_TIMESTAMP: col.kind = Kind::Timestamp; break;
            case SQL_WCHAR:
            case SQL_WVARCHAR:
            case SQL_WLONGVARCHAR: col.kind = Kind::WideText; break;
            case SQL_BINARY:
            case SQL_VARBINARY:
            case SQL_LONGVARBINARY: col.kind = Kind::Binary; break;
            default: {
                // Character data; psqlODBC with BoolsAsChar=1 (its default) reports booleans
                // as VARCHAR, so the type name decides.
                SQLCHAR typeName[128] = {};
                SQLSMALLINT len = 0;
                if (SQL_SUCCEEDED(SQLColAttributeA(stmt_, c, SQL_DESC_TYPE_NAME, typeName, sizeof typeName, &len, nullptr))) {
                    const std::string t = lower(reinterpret_cast<const char*>(typeName));
                    if (t == "bool" || t == "boolean") col.kind = Kind::BoolText;
                }
                break;
            }
        }
        cols_.push_back(col);
    }

    // Reads a character or binary value in pieces of the buffer; false when NULL.
    bool readPieces(SQLUSMALLINT c, SQLSMALLINT ctype, std::size_t terminator, std::string& out) {
        out.clear();
        const std::size_t room = buf_.size() - terminator;
        for (;;) {
            SQLLEN ind = 0;
            SQLRETURN rc = SQLGetData(stmt_, c, ctype, buf_.data(), static_cast<SQLLEN>(buf_.size()), &ind);
            if (rc == SQL_NO_DATA) return true;  // the previous piece was the last
            check(rc);
            if (ind == SQL_NULL_DATA) return false;
            std::size_t got = room;
            if (ind != SQL_NO_TOTAL && ind >= 0 && static_cast<std::size_t>(ind) <= room) got = static_cast<std::size_t>(ind);
            if (out.empty() && ind != SQL_NO_TOTAL && ind > 0) out.reserve(static_cast<std::size_t>(ind));
            out.append(buf_.data(), got);
            if (rc == SQL_SUCCESS || got < room) return true;  // complete (a warning other than truncation)
        }
    }

    template <typename T>
    bool readFixed(SQLUSMALLINT c, SQLSMALLINT ctype, T& v) {
        SQLLEN ind = 0;
        check(SQLGetData(stmt_, c, ctype, &v, sizeof v, &ind));
        return ind != SQL_NULL_DATA;
    }

    [[noreturn]] void badValue(SQLUSMALLINT c, const std::string& text, const std::string& expected) {
        throw BadValueError(context_ + ": column '" + names_[c - 1] + "' holds '" + text.substr(0, 40) +
                                         "', which is not " + expected);
    }

    Value read(SQLUSMALLINT c, const Column& col) {
        switch (col.kind) {
            case Kind::Integer: {
                SQLBIGINT v = 0;
                if (!readFixed(c, SQL_C_SBIGINT, v)) return Null{};
                return static_cast<std::int64_t>(v);
            }
            case Kind::Bool: {
                unsigned char v = 0;
                if (!readFixed(c, SQL_C_BIT, v)) return Null{};
                return v != 0;
            }
            case Kind::Double: {
                double v = 0;
                if (!readFixed(c, SQL_C_DOUBLE, v)) return Null{};
                return v;
            }
            case Kind::Date: {
                SQL_DATE_STRUCT v{};
                if (!readFixed(c, SQL_C_TYPE_DATE, v)) return Null{};
                return Date{v.year, v.month, v.day};
            }
            case Kind::Timestamp: {
                SQL_TIMESTAMP_STRUCT v{};
                if (!readFixed(c, SQL_C_TYPE_TIMESTAMP, v)) return Null{};
                return Date{v.year, v.month, v.day};
            }
            case Kind::Exact: {
                // Money: the driver's decimal text, parsed exactly; never through a double.
                if (!readPieces(c, SQL_C_CHAR, 1, text_)) return Null{};
                const std::string t = trim(text_);
                if (col.scale == 0 && t.find('.') == std::string::npos) {
                    std::int64_t v = 0;
                    auto r = std::from_chars(t.data(), t.data() + t.size(), v);
                    if (r.ec == std::errc() && r.ptr == t.data() + t.size()) return v;
                }
                if (auto d = Decimal::parse(t)) return *d;
                badValue(c, t, "a decimal number within ±922 337 203 685 477 (four decimal places kept)");
            }
            case Kind::BoolText: {
                if (!readPieces(c, SQL_C_CHAR, 1, text_)) return Null{};
                if (auto b = parseBooleanText(text_)) return *b;
                badValue(c, text_, kBooleanText);
            }
            case Kind::Text: {
                if (!readPieces(c, SQL_C_CHAR, 1, text_)) return Null{};
                return text_;
            }
            case Kind::WideText: {
                if (!readPieces(c, SQL_C_WCHAR, sizeof(SQLWCHAR), text_)) return Null{};
                std::u16string units(text_.size() / sizeof(SQLWCHAR), u'\0');
                if (sizeof(SQLWCHAR) == sizeof(char16_t)) {
                    std::memcpy(units.data(), text_.data(), units.size() * sizeof(char16_t));
                    return utf8::fromUtf16(units);
                }
                badValue(c, "", "text in a wide character size this build supports");
            }
            case Kind::Binary: {
                if (!readPieces(c, SQL_C_BINARY, 0, text_)) return Null{};
                return text_;
            }
        }
        return Null{};
    }

    // Owns the statement handle, also when the constructor throws (freeing it closes the
    // cursor on the server).
    struct Statement {
        SQLHSTMT stmt = SQL_NULL_HSTMT;
        Statement() = default;
        Statement(const Statement&) = delete;
        Statement& operator=(const Statement&) = delete;
        ~Statement() {
            if (stmt != SQL_NULL_HSTMT) SQLFreeHandle(SQL_HANDLE_STMT, stmt);
        }
    };

    Statement handle_;
    SQLHSTMT& stmt_ = handle_.stmt;
    std::string context_;
    const std::string& connection_;
    std::vector<Param> params_;
    std::vector<std::string> names_;
    std::vector<Column> cols_;
    std::vector<char> buf_;
    std::string text_;
    bool done_ = false;
};

}  // namespace

std::unique_ptr<Cursor> Connection::open(const BoundSql& bound, const Params& params, const std::string& what) {
    return std::make_unique<OdbcCursor>(h_->dbc, bound, params, what + " on data source '" + source_.name + "'",
                                        source_.connection);
}

}  // namespace gp::data::odbc
