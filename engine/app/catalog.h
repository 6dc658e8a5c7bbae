// The templates a configuration offers, as library calls: the list with each template's
// parameters (`grantpress templates`), and `check`, every problem of the named templates (all
// of them when none is named) with their columns checked against the data source when it can
// be opened. The CLI prints these; the server (next) will show them.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/error.h"

namespace gp::app {

// A template's <param>, as a form or an API client needs it.
struct ParamInfo {
    std::string name;
    std::string type;  // "integer", "text", "date", "decimal", "boolean"
    bool required = false;
    bool secret = false;                      // never shown back, never in a file name
    std::optional<std::string> defaultValue;  // as written in the template
    bool choices = false;                     // choices="query": paramChoices lists its values
};

struct TemplateInfo {
    std::string name;
    std::vector<std::string> params;  // parameter names, in declaration order
    std::vector<ParamInfo> details;   // the same parameters in full
    std::optional<Error> broken;      // the template does not compile: why
};

// Every template in the templates folder, by name.
std::vector<TemplateInfo> listTemplates(const config::Config& cfg);

struct TemplateCheck {
    std::string name;
    std::filesystem::path path;
    std::vector<Error> problems;  // in file order; empty: the template is fine
};

struct CheckReport {
    std::vector<TemplateCheck> templates;  // in the order asked (all: by name)
    std::vector<Error> unknown;            // names given that match no template
    // Set when the data source could not be opened: the templates were checked without their
    // columns, which the report must say.
    std::optional<Error> noDatabase;

    std::size_t problems() const;  // over every template, plus the unknown names
};

// `source`: a data source name; empty: the default one. Throws only for the configuration
// (an unknown source name is a noDatabase, reported like a source that cannot be opened).
CheckReport checkTemplates(const config::Config& cfg, const std::vector<std::string>& names, const std::string& source);

// One possible value of a parameter, for a picker: "1645" shown as "1645 — Клуб неравнодушных …".
struct ParamChoice {
    std::string value;  // as a user would type it (--param name=value)
    std::string label;  // the text shown; the value when the query has no label
};

inline constexpr std::size_t kMaxChoices = 5000;

// The choices of `param` of template `templateName` (a name in the templates folder, as
// render takes it): its choices query (<param choices="query">) run on `source` (empty: the
// default source), at most kMaxChoices rows, in the query's order. Values are the `value`
// column as text, as a user would type it (integers without ".0", dates YYYY-MM-DD); labels
// the `label` column as text, or the value when the query has none (or it is NULL or empty);
// rows whose value is NULL are left out. gp::Error(Usage) when the template has no such
// parameter or the parameter has no choices; Template and Data errors as a render gives them.
std::vector<ParamChoice> paramChoices(const config::Config& cfg, const std::string& templateName,
                                      const std::string& param, const std::string& source);

}  // namespace gp::app
