// app::renderDocument, the one entry point of a render: files committed together, memory
// buffers, the batch's selection of what to write, progress and cancellation.
#include <gtest/gtest.h>

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "app/render_document.h"
#include "config/config.h"
#include "core/error.h"
#include "template/template.h"

namespace fs = std::filesystem;
using namespace gp;

namespace {

struct World {
    // One folder per test: ctest runs the tests of this file at once, in separate processes.
    fs::path dir = fs::path(::testing::TempDir()) /
                   ("render-document-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    config::Config cfg;
    tmpl::Template tpl;
    std::shared_ptr<data::Session> session;

    World() {
        fs::remove_all(dir);
        fs::create_directories(dir / "templates");
        {
            Poco::Data::SQLite::Connector::registerConnector();
            Poco::Data::Session s("SQLite", (dir / "db.sqlite").string());
            using Poco::Data::Keywords::now;
            s << "CREATE TABLE p(id INTEGER, title TEXT)", now;
            s << "INSERT INTO p VALUES (1, 'Проект один'), (2, 'Проект два')", now;
        }
        std::ofstream(dir / "templates" / "one.xml") << R"(<?xml version="1.0" encoding="UTF-8"?>
<report title="Проект {param.id}">
  <param name="id" type="integer" required="true"/>
  <query name="p" one="true">SELECT title FROM p WHERE id = :id</query>
  <paragraph>{p.title}</paragraph>
</report>
)";
        std::ofstream(dir / "reports.ini") << "[engine]\ntemplates = templates\nfonts = " GP_SOURCE_DIR "/fonts\n"
                                              "output = out\ncreated = 2026-01-01\n[source.s]\nkind = sqlite\npath = db.sqlite\n";
        cfg = config::Config::load(dir / "reports.ini");
        tpl = tmpl::loadTemplate(dir / "templates" / "one.xml");
        session = std::make_shared<data::Session>(cfg.source(""));
    }

    std::string read(const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }
};

}  // namespace

TEST(RenderDocument, FilesAndBuffersHoldTheSameBytes) {
    World s;
    app::DocumentJob job;
    job.tpl = &s.tpl;
    job.params = {{"id", "1"}};
    job.files = {{"pdf", s.dir / "out" / "one.pdf"}, {"xlsx", s.dir / "out" / "one.xlsx"}};
    job.buffers = {"pdf", "xlsx"};
    std::vector<std::string> stages;
    job.progress = [&](std::string_view stage) { stages.emplace_back(stage); };
    const auto done = app::renderDocument(s.cfg, s.session, job);
    ASSERT_EQ(done.written.size(), 2u);
    EXPECT_EQ(done.buffers.at("pdf"), s.read(s.dir / "out" / "one.pdf"));
    EXPECT_EQ(done.buffers.at("xlsx"), s.read(s.dir / "out" / "one.xlsx"));
    EXPECT_EQ(done.buffers.at("pdf").rfind("%PDF-", 0), 0u);
    EXPECT_EQ(stages, (std::vector<std::string>{"fill", "render", "render", "done"}));
}

TEST(RenderDocument, SelectDecidesWhatIsWrittenOnceTheDocumentIsFilled) {
    World s;
    app::DocumentJob job;
    job.tpl = &s.tpl;
    job.params = {{"id", "2"}};
    job.files = {{"pdf", s.dir / "out" / "two.pdf"}, {"xlsx", s.dir / "out" / "two.xlsx"}};
    bool sawDocument = false;
    job.select = [&](const model::Document& doc) {
        sawDocument = !doc.blocks.empty();
        return std::vector<app::Output>{job.files[1]};
    };
    const auto done = app::renderDocument(s.cfg, s.session, job);
    EXPECT_TRUE(sawDocument);
    ASSERT_EQ(done.written.size(), 1u);
    EXPECT_FALSE(fs::exists(s.dir / "out" / "two.pdf"));
    EXPECT_TRUE(fs::exists(s.dir / "out" / "two.xlsx"));
}

TEST(RenderDocument, ACancelledJobWritesNothing) {
    World s;
    std::atomic<bool> cancel{false};
    app::DocumentJob job;
    job.tpl = &s.tpl;
    job.params = {{"id", "1"}};
    job.files = {{"pdf", s.dir / "out" / "c.pdf"}};
    job.cancel = &cancel;
    job.progress = [&](std::string_view stage) {
        if (stage == "fill") cancel = true;  // cancelled while the document is being filled
    };
    try {
        app::renderDocument(s.cfg, s.session, job);
        FAIL() << "no CancelledError";
    } catch (const app::CancelledError& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Busy);
    }
    EXPECT_FALSE(fs::exists(s.dir / "out" / "c.pdf"));
}

TEST(RenderDocument, ParametersAreTypedByTheTemplateAndBadOnesAreUsageErrors) {
    World s;
    app::DocumentJob job;
    job.tpl = &s.tpl;
    job.params = {{"id", "один"}};
    job.buffers = {"pdf"};
    try {
        app::renderDocument(s.cfg, s.session, job);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Usage) << e.what();
    }
    job.params = {{"id", "1"}};
    job.buffers = {"docx"};
    try {
        app::renderDocument(s.cfg, s.session, job);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Usage) << e.what();
    }
}
