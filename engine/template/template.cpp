#include "template/template.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "template/compiler.h"
#include "template/validate.h"
#include "template/xml.h"

// A template is compiled in two passes, each in its own file: compiler.cpp (XML -> Template,
// with column_formula.cpp for formula="true") and validate.cpp (references and query
// parameters, optionally against the database's columns). This file joins them.

namespace gp::tmpl {
namespace {

namespace fs = std::filesystem;

fs::path folderOf(const std::string& displayName, const fs::path& folder) {
    if (!folder.empty()) return folder;
    fs::path parent = fs::path(displayName).parent_path();
    return parent.empty() ? fs::path(".") : parent;
}

[[noreturn]] void throwFirst(std::vector<Error>& problems) {
    Error first = problems.front();
    if (problems.size() == 1) throw first;
    const std::string more = std::to_string(problems.size() - 1);
    const std::string message = first.message();
    throw Error(first.kind(), first.file(), first.line(), first.column(),
                message + " (and " + more + " more problem" + (more == "1" ? "" : "s") +
                    ": 'grantpress check' lists them all)");
}

}  // namespace

bool isSecretParam(const Template& t, const std::string& name) {
    return std::any_of(t.params.begin(), t.params.end(), [&](const ParamDef& p) { return p.secret && p.name == name; });
}

const QueryDef* Template::query(const std::string& wanted) const {
    for (const auto& q : queries)
        if (q.name == wanted) return &q;
    return nullptr;
}

const ParamDef* Template::param(const std::string& wanted) const {
    for (const auto& p : params)
        if (p.name == wanted) return &p;
    return nullptr;
}

std::optional<Template> compileTemplate(const std::string& xml, const std::string& displayName, const fs::path& folder,
                                        std::vector<Error>& problems, ColumnSource* columns) {
    std::unique_ptr<XmlNode> root;
    try {
        root = parseXmlString(xml, displayName);
    } catch (const Error& e) {
        problems.push_back(e);
        return std::nullopt;
    }
    const size_t before = problems.size();
    Template t = compileXml(*root, displayName, folderOf(displayName, folder), problems);
    t.name = fs::path(displayName).stem().string();
    validateTemplate(t, columns, problems);
    std::stable_sort(problems.begin() + static_cast<std::ptrdiff_t>(before), problems.end(),
                     [](const Error& a, const Error& b) {
                         return std::pair(a.line(), a.column()) < std::pair(b.line(), b.column());
                     });
    // The same message at the same place (a shared query checked twice) once.
    problems.erase(std::unique(problems.begin() + static_cast<std::ptrdiff_t>(before), problems.end(),
                               [](const Error& a, const Error& b) { return std::string(a.what()) == b.what(); }),
                   problems.end());
    return t;
}

Template parseTemplate(const std::string& xml, const std::string& displayName, const fs::path& folder) {
    std::vector<Error> problems;
    auto t = compileTemplate(xml, displayName, folder, problems);
    if (!problems.empty()) throwFirst(problems);
    return std::move(*t);
}

Template loadTemplate(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::Template, path.string() + ": cannot read the template");
    std::ostringstream buf;
    buf << in.rdbuf();
    fs::path folder = path.parent_path();
    if (folder.empty()) folder = ".";
    return parseTemplate(buf.str(), path.string(), folder);
}

std::vector<std::string> listTemplates(const fs::path& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.is_regular_file() && entry.path().extension() == ".xml") names.push_back(entry.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

fs::path findTemplate(const fs::path& dir, const std::string& name) {
    fs::path candidate = name;
    if (candidate.extension() == ".xml" || name.find('/') != std::string::npos) {
        if (fs::is_regular_file(candidate)) return candidate;
        throw Error(ErrorKind::Template, name + ": template file not found");
    }
    candidate = dir / (name + ".xml");
    if (fs::is_regular_file(candidate)) return candidate;
    std::string names;
    for (const auto& n : listTemplates(dir)) names += (names.empty() ? "" : ", ") + n;
    throw Error(ErrorKind::Template, "unknown template '" + name + "': no " + candidate.string() +
                                         (names.empty() ? " (the folder has no templates)" : " (available: " + names + ")"));
}

}  // namespace gp::tmpl
