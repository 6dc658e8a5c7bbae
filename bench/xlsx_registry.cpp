// XLSX benchmark (issue 5): the registry of a million projects through gp::xlsx::render,
// against a bare libxlsxwriter loop writing the same cells from the same cursor.
//
//   xlsx_registry DB [ROWS] [--out DIR] [--keep]
//
// DB: a sample database (scripts/make-sample-db.sh --projects 10000 --out /tmp/bench.db).
// ROWS (default 1,000,000): the projects joined with organizations, contests and grantors,
// repeated (ids offset) until there are that many rows; 12 columns with the two long texts
// (goals, description) at their generated length of 600 to 1,250 characters.
// Each of the two writers runs in a child process of its own, so each peak RSS is its own.
// Prints seconds (wall and CPU), peak RSS, file size, and the ratio of the two times.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/format.h"
#include "core/value.h"
#include "data/source.h"
#include "model/document.h"
#include "xlsx/xlsx_renderer.h"

namespace fs = std::filesystem;
using namespace gp;

namespace {

const char* kColumns[] = {"№",      "Проект",    "НКО",        "Регион",    "Грантодатель", "Начало",
                          "Окончание", "Сумма, руб.", "Участники", "Подтверждено", "Цели",        "Описание"};
const model::Format kFormats[] = {model::Format::Integer, model::Format::Text, model::Format::Text,
                                  model::Format::Text,    model::Format::Text, model::Format::Date,
                                  model::Format::Date,    model::Format::Money, model::Format::Integer,
                                  model::Format::Boolean, model::Format::Text, model::Format::Text};
constexpr std::size_t kNcols = 12;

// The query: the projects repeated `reps` times, ids offset by a million per repetition.
std::string registrySql() {
    return "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :reps) "
           "SELECT n.i * 1000000 + p.id, p.title, o.name, o.region, g.name, p.start_date, p.end_date, "
           "p.amount, p.participants, p.confirmed_by_region, p.goals, p.description "
           "FROM n CROSS JOIN projects p "
           "JOIN organizations o ON o.id = p.organization_id "
           "JOIN contests c ON c.id = p.contest_id "
           "JOIN grantors g ON g.id = c.grantor_id "
           "LIMIT :rows";
}

struct Source {
    data::Session* session;
    data::Params params;
    std::unique_ptr<data::Cursor> open() const { return session->open(registrySql(), params, "registry"); }
};

// A data::Cursor seen as the model's row cursor: typed cells with the engine's Russian texts
// (as template/fill makes them), and the totals once the rows are out.
class RegistryCursor : public model::RowCursor {
public:
    explicit RegistryCursor(std::unique_ptr<data::Cursor> cursor) : cursor_(std::move(cursor)) {}

    bool next(std::vector<model::Cell>& row) override {
        if (!cursor_->next(values_)) return false;
        row.resize(kNcols);
        for (std::size_t c = 0; c < kNcols; ++c) {
            model::Cell& cell = row[c];
            cell.format = kFormats[c];
            cell.decimals = 2;
            Value& v = values_[c];
            switch (kFormats[c]) {
                case model::Format::Money: {
                    const Decimal d = toDecimal(v).value_or(Decimal{});
                    sum_ += d;
                    cell.text = format::money(d);
                    cell.value = d;
                    break;
                }
                case model::Format::Integer: {
                    auto d = toDecimal(v);
                    const std::int64_t n = d ? d->units() / Decimal::kOne : 0;
                    if (c == 8) participants_ += n;
                    cell.text = format::integer(n);
                    cell.value = n;
                    break;
                }
                case model::Format::Date:
                    cell.text.clear();  // the XLSX cell is a real date; PDF would print dd.mm.yyyy
                    cell.value = std::move(v);
                    break;
                case model::Format::Boolean: {
                    auto d = toDecimal(v);
                    const bool* b = std::get_if<bool>(&v);
                    cell.text = isNull(v) ? "" : format::yesNo(b ? *b : (d && d->units() != 0));
                    cell.value = std::move(v);
                    break;
                }
                default:
                    if (auto* s = std::get_if<std::string>(&v)) {
                        cell.text = std::move(*s);
                        cell.value = Null{};  // the text is the value; no second copy
                    } else {
                        cell.text = toPlainString(v);
                        cell.value = Null{};
                    }
            }
        }
        ++rows_;
        return true;
    }

    std::vector<model::Cell> totals() const override {
        std::vector<model::Cell> t(kNcols);
        t[0].text = "Итого";
        t[7] = model::Cell{sum_, model::Format::Money, 2, format::money(sum_)};
        t[8] = model::Cell{participants_, model::Format::Integer, 0, format::integer(participants_)};
        return t;
    }

private:
    std::unique_ptr<data::Cursor> cursor_;
    std::vector<Value> values_;
    Decimal sum_;
    std::int64_t participants_ = 0;
    std::size_t rows_ = 0;
};

class RegistryRows : public model::RowSource {
public:
    explicit RegistryRows(Source source) : source_(std::move(source)) {}
    std::unique_ptr<model::RowCursor> open() const override {
        return std::make_unique<RegistryCursor>(source_.open());
    }

private:
    Source source_;
};

// ----- the two writers -------------------------------------------------------------------

void renderEngine(const Source& source, const fs::path& out) {
    model::Document doc;
    doc.meta.title = "Реестр проектов";
    doc.meta.created = 1640995200;
    doc.blocks.push_back({model::Title{"Реестр проектов", "Все проекты выборки"}});
    model::Table table;
    table.sheet = "Реестр";
    for (std::size_t c = 0; c < kNcols; ++c) {
        model::Column col;
        col.title = kColumns[c];
        col.format = kFormats[c];
        if (c == 7 || c == 8) col.total = model::Aggregate::Sum;
        if (c == 0 || c == 7 || c == 8) col.align = model::Align::Right;
        table.columns.push_back(col);
    }
    table.stream = std::make_shared<RegistryRows>(source);
    doc.blocks.push_back({table});
    xlsx::Options options;
    options.tmpdir = out.parent_path();
    xlsx::render(doc, out, options);
}

void check(lxw_error err, const char* what) {
    if (err != LXW_NO_ERROR) throw Error(ErrorKind::Render, std::string(what) + ": " + lxw_strerror(err));
}

// The same cells with nothing but libxlsxwriter: typed values, money and date formats, a
// header row and a SUM totals row; no widths, heights, borders or wrapping.
void renderBare(const Source& source, const fs::path& out) {
    lxw_workbook_options options{};
    options.constant_memory = LXW_TRUE;
    options.use_zip64 = LXW_TRUE;
    std::string tmpdir = out.parent_path().string();
    options.tmpdir = tmpdir.data();
    lxw_workbook* wb = workbook_new_opt(out.c_str(), &options);
    if (wb == nullptr) throw Error(ErrorKind::Render, "workbook_new_opt failed");
    lxw_worksheet* ws = workbook_add_worksheet(wb, "Реестр");
    lxw_format* money = workbook_add_format(wb);
    format_set_num_format(money, "#,##0.00\\ \"₽\"");
    lxw_format* date = workbook_add_format(wb);
    format_set_num_format(date, "dd.mm.yyyy");
    for (std::size_t c = 0; c < kNcols; ++c)
        check(worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), kColumns[c], nullptr), "header");

    auto cursor = source.open();
    std::vector<Value> row;
    lxw_row_t r = 1;
    Decimal sum;
    while (cursor->next(row)) {
        for (std::size_t c = 0; c < kNcols; ++c) {
            const auto col = static_cast<lxw_col_t>(c);
            const Value& v = row[c];
            lxw_error err = LXW_NO_ERROR;
            if (const auto* s = std::get_if<std::string>(&v)) {
                if (kFormats[c] == model::Format::Date) {
                    if (auto d = Date::parse(*s)) {
                        lxw_datetime dt{d->year, d->month, d->day, 0, 0, 0};
                        err = worksheet_write_datetime(ws, r, col, &dt, date);
                    }
                } else if (kFormats[c] == model::Format::Money) {
                    auto d = Decimal::parse(*s).value_or(Decimal{});
                    sum += d;
                    err = worksheet_write_number(ws, r, col, d.toDouble(), money);
                } else {
                    err = worksheet_write_string(ws, r, col, s->c_str(), nullptr);
                }
            } else if (const auto* d = std::get_if<Date>(&v)) {
                lxw_datetime dt{d->year, d->month, d->day, 0, 0, 0};
                err = worksheet_write_datetime(ws, r, col, &dt, date);
            } else if (const auto* b = std::get_if<bool>(&v)) {
                err = worksheet_write_string(ws, r, col, *b ? "Да" : "Нет", nullptr);
            } else if (auto n = toDecimal(v)) {
                if (kFormats[c] == model::Format::Money) sum += *n;
                if (kFormats[c] == model::Format::Boolean)
                    err = worksheet_write_string(ws, r, col, n->units() != 0 ? "Да" : "Нет", nullptr);
                else
                    err = worksheet_write_number(ws, r, col, n->toDouble(), kFormats[c] == model::Format::Money ? money : nullptr);
            }
            check(err, "cell");
        }
        ++r;
    }
    const std::string formula = "=SUM(H2:H" + std::to_string(r) + ")";
    check(worksheet_write_formula_num(ws, r, 7, formula.c_str(), money, sum.toDouble()), "totals");
    check(workbook_close(wb), "close");
}

// ----- measuring -------------------------------------------------------------------------

struct Figures {
    double wall = 0;
    double cpu = 0;
    long peakKb = 0;
    long long bytes = 0;
    char error[512] = {};
};

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

// Runs `job` in a child process; its figures come back through a pipe.
template <typename Job>
Figures measure(Job job, const fs::path& out) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        Figures f;
        auto start = std::chrono::steady_clock::now();
        try {
            job(out);
        } catch (const std::exception& e) {
            std::snprintf(f.error, sizeof f.error, "%s", e.what());
        }
        f.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        f.cpu = seconds(usage.ru_utime) + seconds(usage.ru_stime);
        f.peakKb = usage.ru_maxrss;
        std::error_code ec;
        f.bytes = static_cast<long long>(fs::file_size(out, ec));
        ssize_t written = write(fds[1], &f, sizeof f);
        _exit(written == static_cast<ssize_t>(sizeof f) ? 0 : 1);
    }
    close(fds[1]);
    Figures f;
    ssize_t got = read(fds[0], &f, sizeof f);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (got != static_cast<ssize_t>(sizeof f)) std::snprintf(f.error, sizeof f.error, "child failed (status %d)", status);
    return f;
}

void print(const char* name, const Figures& f) {
    if (f.error[0] != '\0') {
        std::printf("%-26s FAILED: %s\n", name, f.error);
        return;
    }
    std::printf("%-26s %8.1f s wall %8.1f s CPU   peak RSS %6.1f MB   file %8.1f MB\n", name, f.wall, f.cpu,
                static_cast<double>(f.peakKb) / 1024.0, static_cast<double>(f.bytes) / 1048576.0);
}

}  // namespace

int main(int argc, char** argv) {
    std::string db;
    long long rows = 1000000;
    fs::path out = fs::temp_directory_path() / "gp-xlsx-bench";
    bool keep = false;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--out" && i + 1 < argc) out = argv[++i];
        else if (a == "--keep") keep = true;
        else positional.push_back(a);
    }
    if (positional.empty() || positional.size() > 2) {
        std::fprintf(stderr, "usage: xlsx_registry DB [ROWS] [--out DIR] [--keep]\n");
        return 64;
    }
    db = positional[0];
    if (positional.size() == 2) rows = std::atoll(positional[1].c_str());
    if (rows <= 0) {
        std::fprintf(stderr, "xlsx_registry: ROWS must be positive\n");
        return 64;
    }
    fs::create_directories(out);

    try {
        data::SourceConfig config;
        config.name = "bench";
        config.kind = "sqlite";
        config.path = fs::absolute(db).string();
        long long projects = 0;
        {
            data::Session session(config);
            auto r = session.query("SELECT COUNT(*) FROM projects", {}, "count");
            projects = static_cast<long long>(toDecimal(r.rows.at(0).at(0)).value_or(Decimal{}).units() / Decimal::kOne);
        }
        if (projects == 0) throw Error(ErrorKind::Data, "no projects in " + db);
        const long long reps = (rows + projects - 1) / projects;
        std::printf("registry: %lld rows x %zu columns (%lld projects x %lld), %s\n", rows, kNcols, projects, reps,
                    db.c_str());

        auto job = [&](auto writer) {
            return [&, writer](const fs::path& file) {
                data::Session session(config);  // in the child: nothing shared with the parent
                Source source{&session, {{"reps", Value{static_cast<std::int64_t>(reps)}},
                                         {"rows", Value{static_cast<std::int64_t>(rows)}}}};
                writer(source, file);
            };
        };
        const fs::path engineFile = out / "registry-engine.xlsx";
        const fs::path bareFile = out / "registry-bare.xlsx";
        Figures bare = measure(job(renderBare), bareFile);
        print("bare libxlsxwriter loop", bare);
        Figures engine = measure(job(renderEngine), engineFile);
        print("gp::xlsx::render", engine);
        if (engine.error[0] == '\0' && bare.error[0] == '\0')
            std::printf("ratio engine / bare: %.2f wall, %.2f CPU   (targets: <= 1.3; peak RSS < 64 MB)\n",
                        engine.wall / bare.wall, engine.cpu / bare.cpu);
        if (!keep) {
            fs::remove(bareFile);
        }
        std::printf("engine workbook: %s%s\n", engineFile.c_str(), keep ? "" : " (bare one removed; --keep keeps it)");
        return engine.error[0] == '\0' && bare.error[0] == '\0' ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "xlsx_registry: %s\n", e.what());
        return 1;
    }
}
