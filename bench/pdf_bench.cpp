// PDF renderer benchmark (issue 4): prints figures, asserts nothing.
//   (a) 1,000 application-like documents (title, fields, three long paragraphs, a 12-row
//       calendar table, a 12-row budget table with totals; 3–4 pages) with 1 and 2 threads,
//       one libharu document per render: documents per second, CPU ms per document, average
//       file size, peak RSS;
//   (b) a registry of 10,000 rows × 12 columns on landscape A4 through Table::stream, as one
//       PDF (and 2,500 rows, to show how memory grows with pages): seconds, pages, peak RSS.
// With --db (a sample database, e.g. 10,000 projects from scripts/make-sample-db.sh), also:
//   (c) the shipped registry (templates/registry.xml) of every project in the database as one
//       landscape PDF: seconds, pages, peak RSS (rows streamed from the database);
//   (d) the shipped application template (templates/application.xml) filled from the
//       database for its first N projects and rendered: CPU ms per document for filling
//       (queries and placeholders, measured in this process) and for the PDF alone (1 and 2
//       threads, in children), pages, file size. The children's peak RSS includes the filled
//       documents they inherit from this process.
// Each measurement runs in a child process of its own, so peak RSS is its own.
// Usage: pdf_bench [--docs N] [--rows N] [--fonts DIR] [--out DIR] [--db FILE]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "app/write.h"
#include "config/config.h"
#include "data/source.h"
#include "model/document.h"
#include "pdf/pdf_renderer.h"
#include "template/fill.h"
#include "template/template.h"

namespace fs = std::filesystem;
namespace model = gp::model;

namespace {

model::Cell cell(std::string s, model::Format f = model::Format::Text) {
    model::Cell c;
    c.value = s;
    c.format = f;
    c.text = std::move(s);
    return c;
}

model::Block block(model::Content c) { return model::Block{std::move(c), model::Target::Both}; }

model::Column column(const char* title, model::Width::Kind kind, double amount, model::Align align = model::Align::Left,
                     model::Format format = model::Format::Text) {
    return {title, {kind, amount}, align, format, 2, model::Aggregate::None};
}

std::string money(long rubles) {
    std::string digits = std::to_string(rubles), out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += "\u00A0";
        out += digits[i];
    }
    return out + ",00\u00A0₽";
}

model::Document application(int n) {
    model::Document doc;
    doc.meta.title = "Заявка № 2022-1-" + std::to_string(1000 + n);
    doc.meta.author = "Фонд президентских грантов";
    doc.meta.created = 1641031200;
    doc.header = "Заявка № 2022-1-" + std::to_string(1000 + n);
    doc.blocks.push_back(block(model::Title{"Заявка на участие в конкурсе президентских грантов",
                                            "Проект «Открытая площадка для малых городов» № " + std::to_string(n)}));
    doc.blocks.push_back(block(model::Heading{1, "1. Сведения о заявителе", {}}));
    model::FieldList fields;
    fields.fields = {
        {"Организация", cell("Автономная некоммерческая организация «Центр развития местных сообществ»")},
        {"ИНН / КПП", cell("7801234567 / 780101001")},
        {"Адрес", cell("г. Санкт-Петербург, ул. Садовая, д. 12, офис 4")},
        {"Руководитель организации", cell("Воронцова Елена Сергеевна")},
        {"Руководитель проекта", cell("Иванова Мария Сергеевна")},
        {"Телефон", cell("+7 (812) 555-12-34")},
        {"Электронная почта", cell("info@centr-razvitiya.ru")},
        {"Запрашиваемая сумма", cell(money(2691000 + n), model::Format::Money)},
        {"Софинансирование", cell(money(450000), model::Format::Money)},
        {"Срок реализации", cell("01.03.2022 — 28.02.2023")},
    };
    doc.blocks.push_back(block(fields));
    doc.blocks.push_back(block(model::Heading{1, "2. Описание проекта", {}}));
    const char* paragraphs[] = {
        "Проект направлен на развитие социально-экономического потенциала малых городов Северо-Западного "
        "федерального округа через создание открытой образовательной площадки для молодых исследователей, "
        "предпринимателей и представителей некоммерческих организаций. В рамках проекта будет проведено "
        "двенадцать практических семинаров, подготовлено методическое пособие и организована итоговая "
        "конференция с участием экспертов. Результаты проекта будут опубликованы в открытом доступе и "
        "переданы органам местного самоуправления для использования при подготовке муниципальных программ.",
        "Целевая группа проекта — жители малых городов в возрасте от 18 до 35 лет, заинтересованные в "
        "реализации собственных инициатив. Участники получат знания о подготовке заявок, управлении проектами "
        "и привлечении ресурсов, а также смогут обсудить идеи с наставниками. Отбор участников проводится на "
        "конкурсной основе по заранее опубликованным критериям; информация о конкурсе распространяется через "
        "местные средства массовой информации, социальные сети и сайт организации.",
        "По итогам проекта не менее 240 человек пройдут обучение, будет подготовлено не менее 30 проектных "
        "заявок, из которых не менее 10 получат поддержку из различных источников. Методическое пособие будет "
        "издано тиражом 500 экземпляров и размещено на сайте организации. Общий объём запрашиваемых средств "
        "составляет 2 691 000 ₽, софинансирование — 450 000 ₽; средства будут израсходованы в соответствии с "
        "утверждённой сметой, отчёты опубликованы в открытом доступе.",
    };
    for (const char* p : paragraphs) {
        model::Paragraph para;
        para.runs = {{"Важно: ", true, false}, {p, false, false}};
        doc.blocks.push_back(block(para));
    }
    doc.blocks.push_back(block(model::Heading{1, "3. Календарный план", {}}));
    model::Table plan;
    plan.caption = "Таблица 1 — Календарный план";
    plan.columns = {column("№", model::Width::Kind::Fixed, 10, model::Align::Right),
                    column("Мероприятие", model::Width::Kind::Share, 3),
                    column("Срок", model::Width::Kind::Fixed, 28, model::Align::Center),
                    column("Результат", model::Width::Kind::Share, 2)};
    const char* months[] = {"март", "апрель", "май", "июнь", "июль", "август",
                            "сентябрь", "октябрь", "ноябрь", "декабрь", "январь", "февраль"};
    for (int i = 0; i < 12; ++i)
        plan.rows.push_back({cell(std::to_string(i + 1)),
                             cell("Практический семинар «Как подготовить заявку на грант» для жителей города № " +
                                  std::to_string(i + 1)),
                             cell(std::string(months[i]) + (i < 10 ? " 2022" : " 2023")),
                             cell("Проведён семинар, обучено не менее 20 человек")});
    doc.blocks.push_back(block(plan));
    doc.blocks.push_back(block(model::Heading{1, "4. Бюджет", {}}));
    model::Table budget;
    budget.caption = "Таблица 2 — Бюджет проекта";
    budget.columns = {column("№", model::Width::Kind::Fixed, 10, model::Align::Right),
                      column("Статья расходов", model::Width::Kind::Share, 3),
                      column("Кол-во", model::Width::Kind::Fixed, 18, model::Align::Right, model::Format::Integer),
                      column("Цена, ₽", model::Width::Kind::Fixed, 30, model::Align::Right, model::Format::Money),
                      column("Сумма, ₽", model::Width::Kind::Fixed, 32, model::Align::Right, model::Format::Money)};
    budget.columns[4].total = model::Aggregate::Sum;
    long total = 0;
    for (int i = 0; i < 12; ++i) {
        const long qty = 1 + i % 4, price = 15000 + 2500 * i;
        total += qty * price;
        budget.rows.push_back({cell(std::to_string(i + 1)), cell("Оплата услуг по договору на проведение семинара"),
                               cell(std::to_string(qty), model::Format::Integer), cell(money(price), model::Format::Money),
                               cell(money(qty * price), model::Format::Money)});
    }
    budget.totals = {cell("Итого"), cell(""), cell(""), cell(""), cell(money(total), model::Format::Money)};
    doc.blocks.push_back(block(budget));
    doc.blocks.push_back(block(model::Signature{{{"Руководитель организации", "Е. С. Воронцова", ""}}}));
    return doc;
}

class Registry : public model::RowSource {
public:
    explicit Registry(size_t n) : n_(n) {}
    std::unique_ptr<model::RowCursor> open() const override { return std::make_unique<Cursor>(n_); }

private:
    class Cursor : public model::RowCursor {
    public:
        explicit Cursor(size_t n) : n_(n) {}
        bool next(std::vector<model::Cell>& row) override {
            if (i_ >= n_) return false;
            ++i_;
            row.clear();
            row.push_back(cell(std::to_string(i_)));
            row.push_back(cell("2022-1-" + std::to_string(10000 + i_)));
            row.push_back(cell(i_ % 3 ? "АНО «Центр развития местных сообществ»"
                                      : "Фонд поддержки гражданских инициатив «Северный край»"));
            row.push_back(cell(i_ % 2 ? "Ленинградская область" : "Республика Карелия"));
            row.push_back(cell("Развитие институтов гражданского общества"));
            row.push_back(cell("01.03.2022"));
            row.push_back(cell("28.02.2023"));
            row.push_back(cell(money(static_cast<long>(500000 + (i_ * 7919) % 2500000)), model::Format::Money));
            row.push_back(cell(money(static_cast<long>(100000 + (i_ * 104729) % 400000)), model::Format::Money));
            row.push_back(cell(std::to_string(50 + i_ % 200), model::Format::Integer));
            row.push_back(cell(i_ % 5 ? "Поддержан" : "Отклонён"));
            row.push_back(cell(std::to_string(60 + i_ % 40), model::Format::Integer));
            return true;
        }
        std::vector<model::Cell> totals() const override {
            std::vector<model::Cell> t(12, cell(""));
            t[0] = cell("Итого");
            t[11] = cell(std::to_string(i_));
            return t;
        }

    private:
        size_t n_, i_ = 0;
    };
    size_t n_;
};

model::Document registry(size_t rows) {
    model::Document doc;
    doc.meta.title = "Реестр заявок";
    doc.meta.created = 1641031200;
    doc.page.landscape = true;
    doc.page.left = doc.page.right = 12;
    doc.page.top = doc.page.bottom = 15;
    doc.blocks.push_back(block(model::Heading{1, "Реестр заявок конкурса 2022 года", {}}));
    model::Table t;
    t.columns = {column("№", model::Width::Kind::Fixed, 12, model::Align::Right),
                 column("Номер", model::Width::Kind::Fixed, 24),
                 column("Организация", model::Width::Kind::Share, 3),
                 column("Регион", model::Width::Kind::Share, 2),
                 column("Направление", model::Width::Kind::Share, 2),
                 column("Начало", model::Width::Kind::Fixed, 20, model::Align::Center),
                 column("Окончание", model::Width::Kind::Fixed, 20, model::Align::Center),
                 column("Сумма, ₽", model::Width::Kind::Fixed, 28, model::Align::Right, model::Format::Money),
                 column("Софин., ₽", model::Width::Kind::Fixed, 26, model::Align::Right, model::Format::Money),
                 column("Участники", model::Width::Kind::Fixed, 18, model::Align::Right, model::Format::Integer),
                 column("Решение", model::Width::Kind::Fixed, 20),
                 column("Балл", model::Width::Kind::Fixed, 12, model::Align::Right, model::Format::Integer)};
    t.stream = std::make_shared<Registry>(rows);
    doc.blocks.push_back(block(t));
    return doc;
}

double cpuSeconds(const rusage& u) {
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Runs `work` in a child process; returns its wall seconds, CPU seconds and peak RSS (KiB).
struct Measured {
    double wall = 0, cpu = 0;
    long rssKb = 0;
    bool ok = false;
};

template <class Work>
Measured inChild(Work&& work) {
    Measured m;
    std::fflush(stdout);
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid == 0) {
        int rc = 0;
        try {
            work();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "error: %s\n", e.what());
            rc = 1;
        }
        std::fflush(stdout);
        _exit(rc);
    }
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    m.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    m.cpu = cpuSeconds(usage);
    m.rssKb = usage.ru_maxrss;
    m.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    return m;
}

int pagesOf(const fs::path& pdf) {
    std::ifstream in(pdf, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    int n = 0;
    for (size_t pos = bytes.find("/Type /Page"); pos != std::string::npos; pos = bytes.find("/Type /Page", pos + 1))
        if (bytes.compare(pos, 12, "/Type /Pages") != 0) ++n;
    return n;
}

double ownCpuSeconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return cpuSeconds(u);
}

// The repository's reports.ini with its sample source pointed at `db`.
gp::config::Config benchConfig(const fs::path& db) {
    gp::config::Config cfg = gp::config::Config::load(fs::path(GP_SOURCE_DIR) / "reports.ini");
    gp::data::SourceConfig source;
    source.name = "bench";
    source.kind = "sqlite";
    source.path = fs::absolute(db).string();
    cfg.sources = {{source.name, source}};
    cfg.defaultSource = source.name;
    return cfg;
}

// (c) and (d): the shipped templates over the database.
void fromDatabase(const fs::path& db, int docs, const fs::path& out, const gp::pdf::Options& options) {
    const gp::config::Config cfg = benchConfig(db);
    const gp::tmpl::FillOptions fillOptions = gp::app::fillOptions(cfg);
    auto session = std::make_shared<gp::data::Session>(cfg.source());

    // (c) before the documents of (d) are filled: a child forked later counts them as its own.
    const gp::tmpl::Template registry = gp::tmpl::loadTemplate(cfg.templatesDir / "registry.xml");
    const fs::path file = out / "db-registry.pdf";
    const Measured whole = inChild([&] {
        auto own = std::make_shared<gp::data::Session>(cfg.source());  // the child reads the rows while it writes
        gp::pdf::render(gp::tmpl::fill(registry, own, gp::tmpl::bindParams(registry, {}), fillOptions), file, options);
    });
    std::printf("\n(c) the shipped registry template, every project of %s, one PDF\n", db.c_str());
    std::printf("  %s%.2f s, %.2f s CPU, %d pages, %.1f MB file, peak RSS %.1f MB\n", whole.ok ? "" : "(FAILED) ", whole.wall,
                whole.cpu, pagesOf(file), static_cast<double>(fs::file_size(file)) / 1048576,
                static_cast<double>(whole.rssKb) / 1024);

    const gp::tmpl::Template application = gp::tmpl::loadTemplate(cfg.templatesDir / "application.xml");
    std::vector<std::int64_t> ids;
    for (const auto& row : session->query("SELECT id FROM projects ORDER BY id LIMIT :n", {{"n", std::int64_t{docs}}},
                                         "the projects to render")
                               .rows)
        ids.push_back(std::get<std::int64_t>(row.at(0)));
    if (ids.empty()) throw std::runtime_error(db.string() + " has no projects");
    std::vector<model::Document> filled;
    filled.reserve(ids.size());
    const double before = ownCpuSeconds();
    for (std::int64_t id : ids) filled.push_back(gp::tmpl::fill(application, session, {{"id", id}}, fillOptions));
    const double fillMs = 1000 * (ownCpuSeconds() - before) / static_cast<double>(ids.size());
    gp::pdf::render(filled.front(), out / "db-application-sample.pdf", options);
    std::printf("\n(d) the shipped application template, %zu projects of %s\n", ids.size(), db.c_str());
    std::printf("  filling (queries + placeholders): %.2f ms CPU/doc; the first document: %d pages\n", fillMs,
                pagesOf(out / "db-application-sample.pdf"));
    for (int threads : {1, 2}) {
        const Measured m = inChild([&] {
            std::vector<std::thread> pool;
            for (int t = 0; t < threads; ++t)
                pool.emplace_back([&, t] {
                    for (size_t i = static_cast<size_t>(t); i < filled.size(); i += static_cast<size_t>(threads))
                        gp::pdf::render(filled[i], out / ("db-app-" + std::to_string(i % 50) + "-" +
                                                          std::to_string(t) + ".pdf"),
                                        options);
                });
            for (auto& th : pool) th.join();
        });
        uintmax_t bytes = 0;
        int files = 0, pages = 0;
        for (const auto& e : fs::directory_iterator(out))
            if (e.path().filename().string().rfind("db-app-", 0) == 0) {
                bytes += e.file_size();
                pages += pagesOf(e.path());
                ++files;
            }
        const auto n = static_cast<double>(filled.size());
        std::printf("  PDF, %d thread%s: %s%.0f docs/s, %.2f ms CPU/doc, %.1f pages and %.1f KB/file, peak RSS %.1f MB\n",
                    threads, threads > 1 ? "s" : " ", m.ok ? "" : "(FAILED) ", n / m.wall, 1000 * m.cpu / n,
                    files ? static_cast<double>(pages) / files : 0.0,
                    files ? static_cast<double>(bytes) / files / 1024 : 0.0, static_cast<double>(m.rssKb) / 1024);
    }


}

}  // namespace

int main(int argc, char** argv) {
    int docs = 1000;
    size_t rows = 10000;
    fs::path fonts = fs::path(GP_SOURCE_DIR) / "fonts";
    fs::path out = fs::temp_directory_path() / "gp_pdf_bench";
    fs::path db;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--docs") docs = std::atoi(argv[i + 1]);
        else if (a == "--rows") rows = static_cast<size_t>(std::atol(argv[i + 1]));
        else if (a == "--fonts") fonts = argv[i + 1];
        else if (a == "--out") out = argv[i + 1];
        else if (a == "--db") db = argv[i + 1];
        else {
            std::fprintf(stderr, "usage: pdf_bench [--docs N] [--rows N] [--fonts DIR] [--out DIR] [--db FILE]\n");
            return 64;
        }
    }
    fs::create_directories(out);
    const gp::pdf::Options options{fonts};
    std::printf("PDF benchmark: fonts %s, output %s, %u hardware threads\n", fonts.c_str(), out.c_str(),
                std::thread::hardware_concurrency());

    // (a) application documents.
    const model::Document sample = application(0);
    gp::pdf::render(sample, out / "application-sample.pdf", options);
    std::printf("\n(a) %d application documents (%d pages each)\n", docs, pagesOf(out / "application-sample.pdf"));
    for (int threads : {1, 2}) {
        const Measured m = inChild([&] {
            std::vector<std::thread> pool;
            for (int t = 0; t < threads; ++t)
                pool.emplace_back([&, t] {
                    for (int i = t; i < docs; i += threads)
                        gp::pdf::render(application(i), out / ("app-" + std::to_string(i % 50) + "-" +
                                                               std::to_string(t) + ".pdf"),
                                        options);
                });
            for (auto& th : pool) th.join();
        });
        uintmax_t bytes = 0;
        int files = 0;
        for (const auto& e : fs::directory_iterator(out))
            if (e.path().filename().string().rfind("app-", 0) == 0) {
                bytes += e.file_size();
                ++files;
            }
        std::printf("  %d thread%s: %s %.0f docs/s, %.2f ms CPU/doc, %.1f KB/file, peak RSS %.1f MB\n", threads,
                    threads > 1 ? "s" : " ", m.ok ? "" : "(FAILED)", docs / m.wall, 1000 * m.cpu / docs,
                    files ? static_cast<double>(bytes) / files / 1024 : 0.0, static_cast<double>(m.rssKb) / 1024);
    }

    // (b) the registry, streamed, and a quarter of it for comparison.
    std::printf("\n(b) registry, 12 columns, landscape A4, Table::stream\n");
    for (size_t n : {rows / 4, rows}) {
        const fs::path file = out / ("registry-" + std::to_string(n) + ".pdf");
        const Measured m = inChild([&] { gp::pdf::render(registry(n), file, options); });
        std::printf("  %6zu rows: %s%.2f s, %.2f s CPU, %d pages, %.1f MB file, peak RSS %.1f MB\n", n,
                    m.ok ? "" : "(FAILED) ", m.wall, m.cpu, pagesOf(file),
                    static_cast<double>(fs::file_size(file)) / 1048576, static_cast<double>(m.rssKb) / 1024);
    }

    if (!db.empty()) {
        try {
            fromDatabase(db, docs, out, options);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "pdf_bench: %s\n", e.what());
            return 1;
        }
    }
    return 0;
}
