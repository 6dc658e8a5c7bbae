#include "app/catalog.h"

#include <memory>

#include "data/source.h"
#include "template/check.h"
#include "template/fill.h"
#include "template/template.h"

namespace gp::app {
namespace {

std::string typeName(tmpl::ParamDef::Type type) {
    switch (type) {
        case tmpl::ParamDef::Type::Integer: return "integer";
        case tmpl::ParamDef::Type::Text: return "text";
        case tmpl::ParamDef::Type::Date: return "date";
        case tmpl::ParamDef::Type::Decimal: return "decimal";
        case tmpl::ParamDef::Type::Boolean: return "boolean";
    }
    return "text";
}

}  // namespace

std::vector<TemplateInfo> listTemplates(const config::Config& cfg) {
    std::vector<TemplateInfo> out;
    for (const auto& name : tmpl::listTemplates(cfg.templatesDir)) {
        TemplateInfo info{name, {}, {}, std::nullopt};
        try {
            for (const auto& p : tmpl::loadTemplate(cfg.templatesDir / (name + ".xml")).params) {
                info.params.push_back(p.name);
                info.details.push_back({p.name, typeName(p.type), p.required, p.secret, p.defaultValue, !p.choices.empty()});
            }
        } catch (const Error& e) {
            info.broken = e;
        }
        out.push_back(std::move(info));
    }
    return out;
}

std::size_t CheckReport::problems() const {
    std::size_t n = unknown.size();
    for (const auto& t : templates) n += t.problems.size();
    return n;
}

CheckReport checkTemplates(const config::Config& cfg, const std::vector<std::string>& names, const std::string& source) {
    CheckReport report;
    if (names.empty())
        for (const auto& name : tmpl::listTemplates(cfg.templatesDir))
            report.templates.push_back({name, cfg.templatesDir / (name + ".xml"), {}});
    for (const auto& name : names) try {
            const auto path = tmpl::findTemplate(cfg.templatesDir, name);
            report.templates.push_back({path.stem().string(), path, {}});
        } catch (const Error& e) {
            report.unknown.push_back(e);
        }

    std::unique_ptr<data::Session> session;
    try {
        session = std::make_unique<data::Session>(cfg.source(source));
    } catch (const Error& e) {
        report.noDatabase = e;
    }
    tmpl::CheckOptions options;
    options.session = session.get();
    options.fontsDir = cfg.fontsDir;
    for (auto& t : report.templates) t.problems = tmpl::checkTemplate(t.path, options);
    return report;
}

std::vector<ParamChoice> paramChoices(const config::Config& cfg, const std::string& templateName,
                                      const std::string& param, const std::string& source) {
    const tmpl::Template t = tmpl::loadTemplate(tmpl::findTemplate(cfg.templatesDir, templateName));
    const tmpl::ParamDef* p = t.param(param);
    if (!p) {
        std::string names;
        for (const auto& declared : t.params) names += (names.empty() ? "" : ", ") + declared.name;
        throw Error(ErrorKind::Usage, "template '" + t.name + "' has no parameter '" + param + "'" +
                                          (names.empty() ? " (it takes none)" : " (parameters: " + names + ")"));
    }
    if (p->choices.empty())
        throw Error(ErrorKind::Usage, "parameter '" + param + "' of template '" + t.name +
                                          "' has no choices (<param choices=\"query\"> names the query that lists them)");
    data::Session session(cfg.source(source));
    std::vector<ParamChoice> out;
    for (auto& c : tmpl::listChoices(t, *p, session, kMaxChoices)) {
        ParamChoice choice{toPlainString(c.value), toPlainString(c.label)};
        if (choice.label.empty()) choice.label = choice.value;
        out.push_back(std::move(choice));
    }
    return out;
}

}  // namespace gp::app
