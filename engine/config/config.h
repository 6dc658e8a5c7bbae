// reports.ini, read with Poco Util: where templates, fonts and output live, page defaults,
// the fixed creation date and the data sources. Paths are relative to the ini file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "data/source.h"
#include "model/document.h"

namespace gp::config {

struct Config {
    std::filesystem::path file;  // the reports.ini that was read
    std::filesystem::path templatesDir;
    std::filesystem::path fontsDir;
    std::filesystem::path outputDir;
    std::string locale = "ru_RU";
    std::string defaultSource;
    // Creation date written into every document (Unix seconds, UTC): from [engine] created,
    // overridden by the SOURCE_DATE_EPOCH environment variable.
    std::int64_t created = 0;
    model::PageSetup page;
    std::string fontFamily = "PTSerif";
    double fontSize = 10.5;
    std::map<std::string, data::SourceConfig> sources;

    // [batch.NAME] sections as written (engine/batch interprets them): name -> key -> value,
    // and the line of every key ("NAME.key") and header ("NAME") for messages.
    std::map<std::string, std::map<std::string, std::string>> batchValues;
    std::map<std::string, int> batchLines;

    // Reads and validates `file`. Throws gp::Error(Config) naming the file and line.
    static Config load(const std::filesystem::path& file);

    // The named source (or the default one when `name` is empty), with ${system.env.X}
    // references expanded; throws gp::Error(Config) when unknown or a variable is unset.
    data::SourceConfig source(const std::string& name = "") const;

private:
    std::map<std::string, std::string> rawSourceValues_;  // "sample.path" -> unexpanded value
};

}  // namespace gp::config
