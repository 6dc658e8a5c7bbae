// The fuzz targets (see targets.h). Shared by the libFuzzer programs and the replay unit test.
#include "targets.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <variant>

#include "batch/batch.h"
#include "batch/cron.h"
#include "config/config.h"
#include "core/error.h"
#include "data/source.h"
#include "model/document.h"
#include "pdf/hpdf_document.h"
#include "pdf/image.h"
#include "pdf/pdf_renderer.h"
#include "pdf/text_layout.h"
#include "template/check.h"
#include "template/expr.h"
#include "template/fill.h"
#include "template/image.h"
#include "template/template.h"
#include "template/xml.h"
#include "xlsx/image_info.h"
#include "xlsx/xlsx_renderer.h"

#if defined(__SANITIZE_ADDRESS__)
#define GP_FUZZ_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GP_FUZZ_LSAN 1
#endif
#endif
#ifdef GP_FUZZ_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#ifndef GP_SOURCE_DIR
#error "GP_SOURCE_DIR must name the repository (fonts/, samples/, tests/data/)"
#endif

namespace gp::fuzz {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = GP_SOURCE_DIR;

std::string bytes(const std::uint8_t* data, std::size_t size) {
    return size ? std::string(reinterpret_cast<const char*>(data), size) : std::string();
}

std::string readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A folder of this process's own, removed at exit: temporary reports.ini, pictures, outputs
// and the sample database.
class WorkDir {
public:
    WorkDir() {
        path_ = fs::temp_directory_path() / ("gp-fuzz-" + std::to_string(::getpid()));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~WorkDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

const fs::path& workDir() {
    static WorkDir dir;
    return dir.path();
}

void writeFile(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) std::abort();  // the harness itself failed: not a finding about the engine
}

// ------------------------------------------------------------------ bounded SQLite work

// Every SQLite connection of the process gets a progress handler (sqlite3_auto_extension);
// while a render input runs, it interrupts the statement once the input has used more than
// kMaxSqliteSteps virtual machine steps (a fuzzed WITH RECURSIVE or a cross join of every
// table would otherwise run for minutes). Outside a fuzz target it does nothing, so other
// tests in the same unit-test binary are not affected. The engine reports the interruption
// as a data error.
constexpr long kSqliteStepsPerCall = 1000;
constexpr long kMaxSqliteSteps = 3'000'000;
std::atomic<bool> g_limitSqlite{false};
std::atomic<long> g_sqliteCalls{0};

int onProgress(void*) {
    if (!g_limitSqlite.load(std::memory_order_relaxed)) return 0;
    return ++g_sqliteCalls > kMaxSqliteSteps / kSqliteStepsPerCall ? 1 : 0;
}

int installProgress(sqlite3* db, const char**, const sqlite3_api_routines*) {
    sqlite3_progress_handler(db, static_cast<int>(kSqliteStepsPerCall), onProgress, nullptr);
    return SQLITE_OK;
}

class SqliteLimit {
public:
    SqliteLimit() {
        g_sqliteCalls = 0;
        g_limitSqlite = true;
    }
    ~SqliteLimit() { g_limitSqlite = false; }
    SqliteLimit(const SqliteLimit&) = delete;
    SqliteLimit& operator=(const SqliteLimit&) = delete;
};

// The sample schema and project 1645 (samples/schema.sql, samples/seed.sql), and a table of
// hostile values the dictionary names: NULLs, extremes, impossible dates, text where numbers
// belong, invalid UTF-8, control characters, emoji.
const data::SourceConfig& sampleDb() {
    static const data::SourceConfig source = [] {
        sqlite3_auto_extension(reinterpret_cast<void (*)()>(installProgress));
        const fs::path p = workDir() / "grants.db";
        fs::remove(p);
        Poco::Data::SQLite::Connector::registerConnector();
        {
            Poco::Data::Session s("SQLite", p.string());
            using Poco::Data::Keywords::now;
            s << readFile(kSource / "samples" / "schema.sql"), now;
            s << readFile(kSource / "samples" / "seed.sql"), now;
            s << R"(
CREATE TABLE hostile (id INTEGER PRIMARY KEY, i INTEGER, d NUMERIC(15,2), t TEXT, dt DATE, b BOOLEAN, r REAL, x);
INSERT INTO hostile VALUES
  (1, 0, 0.00, 'ёлка', '2022-01-01', 1, 0.5, NULL),
  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (3, 9223372036854775807, 99999999999999.99, 'много', '0000-00-00', 2, 1e308, 'abc'),
  (4, -9223372036854775808, -0.005, CAST(x'ff41c3' AS TEXT), '2022-00-10', 0, -1e-308, 12.5),
  (5, 2200, '12,50', 'a' || char(27) || 'b' || char(0) || 'c' || char(12), 2459581, 'yes', 'nan', x'00ff'),
  (6, 1, 1e20, '😀 مرحبا é', '-0044-03-15', -1, 3.0, '2022-02-30'),
  (7, 31, 'много', replace(hex(zeroblob(2000)), '0', 'Ш'), 'не дата', 1, 0.0, 7);
)",
                now;
        }
        data::SourceConfig src;
        src.name = "sample";
        src.kind = "sqlite";
        src.path = p.string();
        return src;
    }();
    return source;
}

// ------------------------------------------------------------------ render limits

constexpr std::size_t kMaxTemplateBytes = 64 * 1024;
constexpr std::size_t kMaxRows = 2000;  // table rows per document (streamed ones are cut here)
constexpr std::size_t kMaxBlocks = 2000;

// A streamed table's rows, at most kMaxRows of them (then no totals row).
class CappedSource : public model::RowSource {
public:
    explicit CappedSource(std::shared_ptr<const model::RowSource> inner) : inner_(std::move(inner)) {}
    std::unique_ptr<model::RowCursor> open() const override {
        return std::make_unique<Cursor>(inner_->open());
    }

private:
    class Cursor : public model::RowCursor {
    public:
        explicit Cursor(std::unique_ptr<model::RowCursor> inner) : inner_(std::move(inner)) {}
        bool next(std::vector<model::Cell>& row) override {
            if (count_ >= kMaxRows) {
                cut_ = true;
                return false;
            }
            if (!inner_->next(row)) return false;
            ++count_;
            return true;
        }
        std::vector<model::Cell> totals() const override { return cut_ ? std::vector<model::Cell>{} : inner_->totals(); }

    private:
        std::unique_ptr<model::RowCursor> inner_;
        std::size_t count_ = 0;
        bool cut_ = false;
    };
    std::shared_ptr<const model::RowSource> inner_;
};

// Whether the document is small enough to render quickly; streamed tables get capped.
bool boundDocument(model::Document& doc) {
    if (doc.blocks.size() > kMaxBlocks) return false;
    std::size_t rows = 0;
    for (auto& block : doc.blocks) {
        if (auto* table = std::get_if<model::Table>(&block.content)) {
            rows += table->rows.size();
            if (table->stream) table->stream = std::make_shared<CappedSource>(table->stream);
        }
    }
    return rows <= kMaxRows;
}

// The Russian hyphenation dictionary, loaded once a process by the first PDF render: loaded
// here first with LeakSanitizer looking away, because libhyphen's hnj_hyphen_load() loses a
// few bytes of its own (tests/sanitizers/lsan.supp). That suppression needs whole allocation
// stacks (fast_unwind_on_malloc=0), too slow for fuzzing; libFuzzer would report the loss
// against whichever input rendered the first PDF.
void loadHyphenation() {
    static const bool loaded = [] {
#ifdef GP_FUZZ_LSAN
        __lsan_disable();
#endif
        (void)pdf::Hyphenator::russian();
#ifdef GP_FUZZ_LSAN
        __lsan_enable();
#endif
        return true;
    }();
    (void)loaded;
}

// A value for every parameter without a default, of its declared type.
std::map<std::string, std::string> paramValues(const tmpl::Template& t) {
    std::map<std::string, std::string> given;
    for (const auto& p : t.params) {
        if (p.defaultValue) continue;
        switch (p.type) {
            case tmpl::ParamDef::Type::Integer: given[p.name] = "1645"; break;
            case tmpl::ParamDef::Type::Text: given[p.name] = "Ленинградская область"; break;
            case tmpl::ParamDef::Type::Date: given[p.name] = "2022-01-01"; break;
            case tmpl::ParamDef::Type::Decimal: given[p.name] = "2691000.50"; break;
            case tmpl::ParamDef::Type::Boolean: given[p.name] = "true"; break;
        }
    }
    return given;
}

// Pictures named by fuzzed templates are looked for here (logo.png).
fs::path templateFolder() { return kSource / "tests" / "data" / "templates" / "fill"; }

// ------------------------------------------------------------------ expressions

const std::map<std::string, Value>& row() {
    static const std::map<std::string, Value> r = {
        {"planned", Decimal::fromInt(2200)},
        {"achieved", std::int64_t{2347}},
        {"zero", std::int64_t{0}},
        {"negative", std::int64_t{-44}},
        {"big", std::int64_t{9223372036854775807}},
        {"small", std::int64_t{-9223372036854775807 - 1}},
        {"real", 1234.56},
        {"huge", 1e308},
        {"amount", Decimal::fromUnits(26910000000)},
        {"maxmoney", Decimal::fromUnits(9223372036854775807)},
        {"minmoney", Decimal::fromUnits(-9223372036854775807 - 1)},
        {"title", std::string("Клуб «Ромашка»")},
        {"number_text", std::string("12.50")},
        {"bad_utf8", std::string("\xff\x41\xc3")},
        {"control", std::string("a\x1b" "b\x0c" "c", 5)},
        {"start", Date{2022, 1, 1}},
        {"end", Date{2022, 12, 31}},
        {"zero_date", Date{0, 0, 0}},
        {"bc_date", Date{-44, 3, 15}},
        {"far_date", Date{9999, 12, 31}},
        {"yes", true},
        {"no", false},
        {"nothing", Null{}},
        {"project.title", std::string("Проект")},
        {"project.id", std::int64_t{1645}},
        {"param.r", std::string("Ленинградская область")},
    };
    return r;
}

std::optional<Value> resolve(const tmpl::Expr& e) {
    std::string key;
    for (const auto& part : e.ref) key += (key.empty() ? "" : ".") + part;
    auto it = row().find(key);
    if (it == row().end()) return std::nullopt;
    return it->second;
}

}  // namespace

// ------------------------------------------------------------------ the targets

int templateCompiler(const std::uint8_t* data, std::size_t size) {
    if (size > kMaxTemplateBytes) return 0;
    const std::string xml = bytes(data, size);
    std::vector<Error> problems;
    bool compiled = false;
    try {
        compiled = tmpl::compileTemplate(xml, "fuzz.xml", templateFolder(), problems).has_value();
    } catch (const Error&) {
        problems.emplace_back(ErrorKind::Template, "thrown");
    }
    bool parsed = false;
    try {
        tmpl::parseTemplate(xml, "fuzz.xml", templateFolder());
        parsed = true;
    } catch (const Error&) {
    }
    // The checker and the loader must agree on whether the template is valid.
    if (parsed != (compiled && problems.empty())) std::abort();
    return 0;
}

int expression(const std::uint8_t* data, std::size_t size) {
    if (size > 4096) return 0;
    const std::string text = bytes(data, size);
    try {
        const tmpl::TextExpr parsed = tmpl::parseText(text, {"fuzz.xml", 1, 1});
        try {
            (void)tmpl::evaluate(parsed, resolve);
        } catch (const Error&) {
        }
        (void)parsed.staticFormat();
        (void)parsed.staticDecimals();
        (void)parsed.references();
        for (const auto& [name, value] : row()) {
            try {
                (void)tmpl::formatLike(parsed, value);
            } catch (const Error&) {
            }
        }
    } catch (const Error&) {
    }
    try {
        tmpl::SourceText source;
        source.append(text, 1, 1);
        const tmpl::Expr e = tmpl::parseExpression(source, "fuzz.xml");
        try {
            const model::Cell cell = tmpl::evaluate(e, resolve);
            (void)tmpl::truthy(cell.value);
            (void)tmpl::display(cell.value);
        } catch (const Error&) {
        }
    } catch (const Error&) {
    }
    return 0;
}

int render(const std::uint8_t* data, std::size_t size) {
    if (size > kMaxTemplateBytes) return 0;
    const std::string xml = bytes(data, size);
    const data::SourceConfig& source = sampleDb();
    const fs::path& dir = workDir();
    loadHyphenation();
    SqliteLimit limit;
    try {
        auto session = std::make_shared<data::Session>(source);
        tmpl::DatabaseColumns columns(*session);
        std::vector<Error> problems;
        std::optional<tmpl::Template> t = tmpl::compileTemplate(xml, "fuzz.xml", templateFolder(), problems, &columns);
        if (!t || !problems.empty()) return 0;
        const data::Params params = tmpl::bindParams(*t, paramValues(*t));
        tmpl::FillOptions options;
        options.created = 1767225600;  // 2026-01-01
        model::Document doc = tmpl::fill(*t, session, params, options);
        if (!boundDocument(doc)) return 0;
        try {
            pdf::render(doc, dir / "out.pdf", pdf::Options{kSource / "fonts"});
        } catch (const Error&) {
        }
        xlsx::Options xo;
        xo.tmpdir = dir;
        xlsx::render(doc, dir / "out.xlsx", xo);
    } catch (const Error&) {
    }
    return 0;
}

int config(const std::uint8_t* data, std::size_t size) {
    if (size > 16384) return 0;
    const fs::path file = workDir() / "reports.ini";
    writeFile(file, bytes(data, size));
    try {
        const config::Config cfg = config::Config::load(file);
        for (const auto& [name, src] : cfg.sources) {
            try {
                (void)cfg.source(name);
            } catch (const Error&) {
            }
        }
        try {
            (void)cfg.source();
        } catch (const Error&) {
        }
        try {
            (void)cfg.smtpSettings();
        } catch (const Error&) {
        }
        for (const auto& spec : batch::batches(cfg)) (void)batch::findBatch(batch::batches(cfg), spec.name);
    } catch (const Error&) {
    }
    return 0;
}

int cron(const std::uint8_t* data, std::size_t size) {
    if (size > 1024) return 0;
    try {
        const batch::Cron c = batch::Cron::parse(bytes(data, size), "reports.ini:1");
        std::time_t t = 1767225600;  // 2026-01-01
        for (int i = 0; i < 3; ++i) {
            const std::time_t n = c.next(t);
            if (n <= t || !c.matches(n)) std::abort();  // next() must move forward to a match
            t = n;
        }
    } catch (const Error&) {
    }
    return 0;
}

int sqlNames(const std::uint8_t* data, std::size_t size) {
    if (size > 16384) return 0;
    const std::string sql = bytes(data, size);
    const data::BoundSql bound = data::bindNames(sql);
    // Every name is a parameter that became one '?': never more names than the SQL has
    // placeholders, and rewriting only ever shortens the text.
    std::size_t marks = 0;
    for (char ch : bound.sql) marks += ch == '?';
    if (bound.names.size() > marks || bound.sql.size() > sql.size()) std::abort();
    for (const auto& name : bound.names)
        if (name.empty()) std::abort();
    return 0;
}

int image(const std::uint8_t* data, std::size_t size) {
    if (size > 256 * 1024) return 0;
    const fs::path dir = workDir() / "images";
    static const bool made = fs::create_directories(dir) || true;
    (void)made;
    const fs::path file = dir / "picture";
    writeFile(file, bytes(data, size));
    try {
        (void)tmpl::findImage(dir, "picture", {"fuzz.xml", 1, 1});
    } catch (const Error&) {
    }
    try {
        pdf::HpdfDocument doc;
        (void)pdf::loadImage(doc, file);
    } catch (const Error&) {
    }
    try {
        (void)xlsx::detail::readImageInfo(file);
    } catch (const Error&) {
    }
    return 0;
}

const std::vector<Target>& targets() {
    static const std::vector<Target> all = {
        {"template", templateCompiler}, {"expr", expression}, {"render", render}, {"config", config},
        {"cron", cron},                 {"sqlnames", sqlNames}, {"image", image},
    };
    return all;
}

}  // namespace gp::fuzz
