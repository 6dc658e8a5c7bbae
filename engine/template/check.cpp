#include "template/check.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace gp::tmpl {
namespace {

namespace fs = std::filesystem;

std::string withoutTrailingSemicolons(std::string sql) {
    for (;;) {
        size_t end = sql.find_last_not_of(" \t\r\n");
        if (end == std::string::npos) return "";
        sql.resize(end + 1);
        if (sql.back() != ';') return sql;
        sql.pop_back();
    }
}

// Whether the statement is a plain SELECT (after comments): only those are ever run as
// written when the wrapped form fails.
bool plainSelect(const std::string& sql) {
    size_t p = 0;
    for (;;) {
        while (p < sql.size() && std::isspace(static_cast<unsigned char>(sql[p]))) ++p;
        if (sql.compare(p, 2, "--") == 0) {
            p = sql.find('\n', p);
            if (p == std::string::npos) return false;
        } else if (sql.compare(p, 2, "/*") == 0) {
            p = sql.find("*/", p);
            if (p == std::string::npos) return false;
            p += 2;
        } else {
            break;
        }
    }
    std::string word;
    while (p < sql.size() && std::isalpha(static_cast<unsigned char>(sql[p])))
        word += static_cast<char>(std::tolower(static_cast<unsigned char>(sql[p++])));
    return word == "select";
}

}  // namespace

std::optional<std::vector<std::string>> DatabaseColumns::columns(const QueryDef& q, std::vector<Error>& problems) {
    const std::string sql = withoutTrailingSemicolons(q.sql);
    data::Params nulls;
    for (const auto& name : data::bindNames(sql).names) nulls[name] = Null{};
    const std::string what = "query '" + q.name + "'";
    try {
        session_.ensureReadOnly(sql, what);
    } catch (const Error& e) {
        problems.emplace_back(ErrorKind::Template, q.loc.file, q.loc.line, q.loc.column, e.message());
        return std::nullopt;
    }
    try {
        auto cursor = session_.open("SELECT * FROM (\n" + sql + "\n) AS q WHERE 1=0", nulls, what);
        return cursor->columns();
    } catch (const Error& wrapped) {
        if (plainSelect(sql)) {
            // Some databases refuse ORDER BY in a subquery: read the columns of the query as written.
            try {
                auto cursor = session_.open(sql, nulls, what);
                return cursor->columns();
            } catch (const Error& e) {
                problems.emplace_back(ErrorKind::Template, q.loc.file, q.loc.line, q.loc.column,
                                      "the database refuses " + e.message());
                return std::nullopt;
            }
        }
        problems.emplace_back(ErrorKind::Template, q.loc.file, q.loc.line, q.loc.column,
                              "the database refuses " + wrapped.message());
        return std::nullopt;
    }
}

std::vector<Error> checkTemplate(const fs::path& path, const CheckOptions& options) {
    std::vector<Error> problems;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        problems.emplace_back(ErrorKind::Template, path.string() + ": cannot read the template");
        return problems;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    fs::path folder = path.parent_path();
    if (folder.empty()) folder = ".";
    std::optional<DatabaseColumns> columns;
    if (options.session) columns.emplace(*options.session);
    auto t = compileTemplate(buf.str(), path.string(), folder, problems, columns ? &*columns : nullptr);
    if (t && t->fontFamily && !options.fontsDir.empty()) {
        std::error_code ec;
        const fs::path regular = options.fontsDir / (*t->fontFamily + "-Regular.ttf");
        if (!fs::is_regular_file(regular, ec))
            problems.emplace_back(ErrorKind::Template, t->fontLoc.file, t->fontLoc.line, t->fontLoc.column,
                                  "font=\"" + *t->fontFamily + "\": no " + regular.string());
    }
    std::stable_sort(problems.begin(), problems.end(), [](const Error& a, const Error& b) {
        return std::pair(a.line(), a.column()) < std::pair(b.line(), b.column());
    });
    return problems;
}

}  // namespace gp::tmpl
