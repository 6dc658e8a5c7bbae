// The web page: server-rendered HTML in Russian with a little plain JavaScript (no build step,
// nothing from another site), usable by keyboard, every field labelled.
#include <ctime>
#include <fstream>
#include <sstream>

#include "app/catalog.h"
#include "batch/batch.h"
#include "batch/history.h"
#include "batch/manifest.h"
#include "core/time_stamp.h"
#include "server/impl.h"

namespace gp::server {
namespace fs = std::filesystem;

namespace {

constexpr const char* kCss = R"(
:root { color-scheme: light; }
body { font: 16px/1.5 "PT Sans", "Segoe UI", Arial, sans-serif; margin: 0; color: #1a1a1a; background: #fafafa; }
header { background: #17324d; color: #fff; padding: .5rem 1.5rem; display: flex; gap: 1.5rem; align-items: center; flex-wrap: wrap; }
header a { color: #fff; }
header .who { margin-left: auto; }
header .who button { margin: 0 0 0 .75rem; }
header .who form { display: inline; }
main { max-width: 60rem; margin: 1.5rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 1.5rem 0 .5rem; }
a { color: #0b4f8a; }
:focus-visible { outline: 3px solid #e0a100; outline-offset: 2px; }
.card { background: #fff; border: 1px solid #c9d1d9; border-radius: 6px; padding: 1rem 1.25rem; margin: 0 0 1rem; }
label { display: block; font-weight: 600; margin: .5rem 0 .2rem; }
input, select { font: inherit; padding: .35rem .5rem; border: 1px solid #6b7785; border-radius: 4px; min-width: 16rem; }
button { font: inherit; padding: .4rem 1rem; border-radius: 4px; border: 1px solid #17324d; background: #17324d; color: #fff; cursor: pointer; margin: .75rem .5rem 0 0; }
button.secondary { background: #fff; color: #17324d; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { border: 1px solid #c9d1d9; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
.error { background: #fdecea; border: 1px solid #b3261e; color: #5f1411; padding: .75rem 1rem; border-radius: 4px; }
.ok { color: #1e6b2f; }
.bad { color: #b3261e; }
pre.progress { background: #0f1720; color: #e6edf3; padding: .75rem; border-radius: 4px; max-height: 20rem; overflow: auto; white-space: pre-wrap; }
.hint { color: #4a5561; font-size: .9rem; }
)";

constexpr const char* kScript = R"(
// A parameter with choices: its list is fetched the first time the field gets the focus.
document.querySelectorAll('input[data-choices]').forEach(function (input) {
  var loaded = false;
  input.addEventListener('focus', function () {
    if (loaded) return;
    loaded = true;
    fetch(input.getAttribute('data-choices'), { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (choices) {
        var list = document.getElementById(input.getAttribute('list'));
        choices.forEach(function (c) {
          var option = document.createElement('option');
          option.value = c.value;
          option.label = c.label;
          option.textContent = c.label;
          list.appendChild(option);
        });
        list.setAttribute('data-loaded', String(choices.length));
      })
      .catch(function () { loaded = false; });
  });
});

// Follows a batch run: the log lines and the state, once a second while it runs; when it
// ends, the page is loaded again (its button, the history) and links to the run's results.
var WORDS = { complete: 'выполнен', failed: 'с ошибками', stopped: 'остановлен', error: 'не запустился' };
document.querySelectorAll('[data-progress]').forEach(function (box) {
  var name = box.getAttribute('data-progress');
  var state = document.getElementById('state-' + name);
  var wasRunning = false;
  function poll() {
    fetch('/api/batches/' + encodeURIComponent(name) + '/progress', { credentials: 'same-origin' })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        box.textContent = (p.lines || []).join('\n');
        box.scrollTop = box.scrollHeight;
        if (state) state.textContent = p.running ? 'выполняется' : (p.status ? 'завершён: ' + (WORDS[p.status] || p.status) : 'не запускался');
        if (p.running) { wasRunning = true; setTimeout(poll, 1000); }
        else if (wasRunning) location.reload();
        else if (p.run && !document.getElementById('run-link-' + name)) {
          var a = document.createElement('a');
          a.id = 'run-link-' + name;
          a.href = '/runs/' + p.run;
          a.textContent = 'Результаты запуска № ' + p.run;
          box.parentNode.insertBefore(a, box.nextSibling);
        }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
});
)";

std::string page(const Request& req, const std::string& title, const std::string& body) {
    std::ostringstream out;
    out << "<!DOCTYPE html>\n<html lang=\"ru\"><head><meta charset=\"utf-8\">"
        << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        << "<title>" << escape(title) << " — GrantPress</title>"
        << "<link rel=\"stylesheet\" href=\"/static/app.css\"></head><body>";
    out << "<header><strong>GrantPress</strong>";
    if (req.who) {
        out << "<nav aria-label=\"Разделы\"><a href=\"/\">Шаблоны</a> · <a href=\"/batches\">Пакеты и запуски</a>";
        if (allows(req.who->role, Role::Admin)) out << " · <a href=\"/checks\">Проверка шаблонов</a>";
        out << "</nav><span class=\"who\">" << escape(req.who->user) << " (" << roleName(req.who->role) << ")"
            << " <form method=\"post\" action=\"/logout\">"
            << "<input type=\"hidden\" name=\"csrf\" value=\"" << escape(req.csrf) << "\">"
            << "<button class=\"secondary\" type=\"submit\">Выйти</button></form></span>";
    }
    out << "</header><main id=\"main\"><h1>" << escape(title) << "</h1>" << body << "</main>"
        << "<script src=\"/static/app.js\"></script></body></html>\n";
    return out.str();
}

std::string inputType(const std::string& type) {
    if (type == "integer" || type == "decimal") return "text\" inputmode=\"decimal";
    if (type == "date") return "date";
    return "text";
}

std::string statusWord(const std::string& status) {
    if (status == "complete") return "<span class=\"ok\">выполнен</span>";
    if (status == "failed") return "<span class=\"bad\">с ошибками</span>";
    if (status == "stopped") return "<span class=\"bad\">остановлен</span>";
    if (status == "error") return "<span class=\"bad\">не запустился</span>";
    return escape(status);
}

}  // namespace

Response Server::Impl::loginPage(const std::string& message, int status, const std::string& user) {
    Request anonymous;
    std::ostringstream body;
    if (!message.empty()) body << "<p class=\"error\" role=\"alert\">" << escape(message) << "</p>";
    body << "<form class=\"card\" method=\"post\" action=\"/login\">"
         << "<label for=\"user\">Пользователь</label><input id=\"user\" name=\"user\" autocomplete=\"username\" required value=\""
         << escape(user) << "\" autofocus>"
         << "<label for=\"password\">Пароль</label><input id=\"password\" name=\"password\" type=\"password\" "
            "autocomplete=\"current-password\" required>"
         << "<div><button type=\"submit\">Войти</button></div></form>";
    return Response::html(status, page(anonymous, "Вход", body.str()));
}

Response Server::Impl::web(Request& req) {
    const auto& s = req.segments;
    const std::string& m = req.method;
    const bool read = m == "GET" || m == "HEAD";
    if (s.size() == 2 && s[0] == "static" && read) {
        if (s[1] == "app.css") return Response{200, "text/css; charset=utf-8", kCss, {}};
        if (s[1] == "app.js") return Response{200, "text/javascript; charset=utf-8", kScript, {}};
    }
    if (s.size() == 1 && s[0] == "login") {
        if (read) return req.who ? Response::redirect("/") : loginPage("", 200, "");
        if (m == "POST") return webLogin(req);
    }
    if (!req.who) return Response::redirect("/login");
    if (!read) {
        // Every form carries the session's CSRF token.
        const auto form = req.form();
        auto token = form.find("csrf");
        if (!csrfOk(req, token == form.end() ? std::string() : token->second))
            return Response::html(403, page(req, "Запрос отклонён",
                                            "<p class=\"error\" role=\"alert\">Форма устарела или пришла не с этой страницы. "
                                            "Обновите страницу и повторите.</p>"));
    }
    if (s.empty()) return read ? templatesPage(req) : problem(405, "usage", "GET only");
    if (s.size() == 1 && s[0] == "logout" && m == "POST") {
        if (auto c = req.cookies.find("gp_session"); c != req.cookies.end()) sessions.remove(c->second);
        Response r = Response::redirect("/login");
        r.headers.emplace_back("Set-Cookie", "gp_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        return r;
    }
    if (s.size() == 2 && s[0] == "render" && m == "POST") return webRender(req, s[1]);
    if (s.size() == 1 && s[0] == "batches" && read) return batchesPage(req);
    if (s.size() == 3 && s[0] == "batches" && m == "POST") {
        if (!allows(req.who->role, Role::Operator))
            return Response::html(403, page(req, "Нет прав", "<p class=\"error\" role=\"alert\">Запускать и останавливать пакеты "
                                                             "может оператор или администратор.</p>"));
        try {
            if (s[2] == "run") runs.start(s[1], {}, req.who->user);
            else if (s[2] == "stop") {
                batch::findBatch(batch::batches(cfg), s[1]);  // an unknown name is refused, never echoed into Location
                if (!runs.stop(s[1])) return Response::redirect("/batches#batch-" + s[1]);  // it had ended: nothing to log
            }
            else return problem(404, "usage", "no such address: " + req.path);
        } catch (const Error& e) {
            return Response::html(statusFor(e), page(req, "Пакет не запущен",
                                                     "<p class=\"error\" role=\"alert\">" + escape(e.message()) +
                                                         "</p><p><a href=\"/batches\">К пакетам</a></p>"));
        }
        line("batch " + s[1] + ": " + s[2] + " by " + req.who->user);
        return Response::redirect("/batches#batch-" + s[1]);
    }
    if (s.size() == 2 && s[0] == "runs" && read) return runPage(req, s[1]);
    if (s.size() == 1 && s[0] == "checks" && read) return checksPage(req);
    return Response::html(404, page(req, "Страница не найдена", "<p>Такой страницы нет. <a href=\"/\">К шаблонам</a></p>"));
}

Response Server::Impl::webLogin(Request& req) {
    const auto form = req.form();
    const std::string user = form.count("user") ? form.at("user") : "";
    const std::string password = form.count("password") ? form.at("password") : "";
    const std::string key = user + "|" + req.address;
    if (const int wait = throttle.wait(key, nowSeconds()); wait > 0)
        return loginPage("Слишком много неудачных попыток. Повторите через " + std::to_string(wait) + " с.", 429, user);
    const auto who = user.empty() || password.empty() ? std::nullopt : currentAccounts()->checkPassword(user, password);
    if (!who) {
        throttle.failed(key, nowSeconds());
        line("sign-in failed for '" + user + "' from " + req.address);
        return loginPage("Неверное имя пользователя или пароль.", 401, user);
    }
    throttle.succeeded(key);
    req.who = who;
    Response r = Response::redirect("/");
    r.headers.emplace_back("Set-Cookie", sessionCookie(req, sessions.create(*who, nowSeconds())));
    return r;
}

Response Server::Impl::templatesPage(const Request& req) {
    std::ostringstream body;
    body << "<p class=\"hint\">Заполните параметры и сформируйте документ. «Просмотр» открывает PDF в новой вкладке.</p>";
    for (const auto& t : app::listTemplates(cfg)) {
        const std::string id = "t-" + t.name;
        body << "<section class=\"card\" aria-labelledby=\"" << escape(id) << "\"><h2 id=\"" << escape(id) << "\">"
             << escape(t.name) << "</h2>";
        if (t.broken) {
            body << "<p class=\"error\">Шаблон с ошибкой: " << escape(t.broken->what()) << "</p></section>";
            continue;
        }
        body << "<form method=\"post\" action=\"/render/" << escape(t.name) << "\">"
             << "<input type=\"hidden\" name=\"csrf\" value=\"" << escape(req.csrf) << "\">";
        for (const auto& p : t.details) {
            const std::string field = id + "-" + p.name;
            body << "<label for=\"" << escape(field) << "\">" << escape(p.name) << (p.required ? " *" : "") << " <span class=\"hint\">("
                 << escape(p.type) << ")</span></label>";
            if (p.type == "boolean") {
                body << "<select id=\"" << escape(field) << "\" name=\"p." << escape(p.name) << "\"><option value=\"\">—</option>"
                     << "<option value=\"true\">да</option><option value=\"false\">нет</option></select>";
            } else {
                body << "<input id=\"" << escape(field) << "\" name=\"p." << escape(p.name) << "\" type=\""
                     << (p.secret ? "password" : p.choices ? "text" : inputType(p.type)) << "\"" << (p.required ? " required" : "");
                if (p.defaultValue && !p.secret) body << " placeholder=\"" << escape(*p.defaultValue) << "\"";
                // A picker: the browser offers the choices as one types (a number or words of the label).
                if (p.choices)
                    body << " list=\"" << escape(field) << "-list\" autocomplete=\"off\" data-choices=\"/api/templates/"
                         << escape(t.name) << "/params/" << escape(p.name) << "/choices\"";
                body << ">";
                if (p.choices) body << "<datalist id=\"" << escape(field) << "-list\"></datalist>";
            }
        }
        body << "<label for=\"" << escape(id) << "-format\">Формат</label><select id=\"" << escape(id)
             << "-format\" name=\"format\"><option value=\"pdf\">PDF</option><option value=\"xlsx\">XLSX</option>"
             << "<option value=\"zip\">PDF и XLSX (zip)</option></select>"
             << "<div><button type=\"submit\">Сформировать</button>"
             << "<button class=\"secondary\" type=\"submit\" name=\"preview\" value=\"1\" formtarget=\"_blank\">Просмотр PDF</button>"
             << "</div></form></section>";
    }
    return Response::html(200, page(req, "Шаблоны", body.str()));
}

Response Server::Impl::webRender(Request& req, const std::string& name) {
    const auto form = req.form();
    std::map<std::string, std::string> params;
    for (const auto& [key, value] : form)
        if (key.rfind("p.", 0) == 0 && !value.empty()) params[key.substr(2)] = value;
    const bool preview = form.count("preview") != 0;
    const std::string format = preview ? "pdf" : (form.count("format") ? form.at("format") : "pdf");
    try {
        return renderFile(name, params, format, preview);
    } catch (const Error& e) {
        return Response::html(statusFor(e), page(req, "Документ не сформирован",
                                                 "<p class=\"error\" role=\"alert\">" + escape(e.what()) +
                                                     "</p><p><a href=\"/\">Вернуться к шаблонам</a></p>"));
    }
}

Response Server::Impl::batchesPage(const Request& req) {
    std::ostringstream body;
    const bool operatorRole = allows(req.who->role, Role::Operator);
    for (const auto& spec : batch::batches(cfg)) {
        const auto progress = runs.progress(spec.name);
        const bool running = progress && progress->running;
        body << "<section class=\"card\" id=\"batch-" << escape(spec.name) << "\" aria-labelledby=\"b-" << escape(spec.name)
             << "\"><h2 id=\"b-" << escape(spec.name) << "\">" << escape(spec.name) << "</h2><p>Шаблоны: ";
        for (std::size_t i = 0; i < spec.templates.size(); ++i) body << (i ? ", " : "") << escape(spec.templates[i]);
        if (!spec.schedule.empty()) body << ". Расписание: <code>" << escape(spec.schedule) << "</code>";
        body << ". Состояние: <span id=\"state-" << escape(spec.name) << "\" aria-live=\"polite\">"
             << (running ? std::string("выполняется") : progress ? "завершён: " + statusWord(progress->status) : "не запускался")
             << "</span></p>";
        if (operatorRole) {
            body << "<form method=\"post\" action=\"/batches/" << escape(spec.name) << "/" << (running ? "stop" : "run")
                 << "\"><input type=\"hidden\" name=\"csrf\" value=\"" << escape(req.csrf) << "\"><button type=\"submit\">"
                 << (running ? "Остановить" : "Запустить") << "</button></form>";
        }
        if (progress)
            body << "<pre class=\"progress\" data-progress=\"" << escape(spec.name) << "\" aria-label=\"Ход запуска "
                 << escape(spec.name) << "\"></pre>";
        body << "</section>";
    }
    body << "<h2>Последние запуски</h2><table><thead><tr><th scope=\"col\">№</th><th scope=\"col\">Пакет</th>"
         << "<th scope=\"col\">Начат</th><th scope=\"col\">Итог</th><th scope=\"col\">Записи</th><th scope=\"col\">Причина</th>"
         << "</tr></thead><tbody>";
    batch::History history(batch::History::defaultPath(cfg));
    for (const auto& r : history.recent(50)) {
        body << "<tr><td><a href=\"/runs/" << r.id << "\">" << r.id << "</a></td><td>" << escape(r.batch) << "</td><td>"
             << escape(localStamp(r.started, false)) << "</td><td>" << statusWord(r.status) << "</td><td>" << r.done
             << " готово, " << r.skipped << " без изменений, " << r.failed << " с ошибкой</td><td>" << escape(r.reason)
             << "</td></tr>";
    }
    body << "</tbody></table>";
    return Response::html(200, page(req, "Пакеты и запуски", body.str()));
}

Response Server::Impl::runPage(const Request& req, const std::string& id) {
    const auto r = findRun(cfg, id);
    if (!r) return Response::html(404, page(req, "Запуск не найден", "<p>Такого запуска нет. <a href=\"/batches\">К запускам</a></p>"));
    std::ostringstream body;
    body << "<div class=\"card\"><p>Пакет <strong>" << escape(r->batch) << "</strong>, начат " << escape(localStamp(r->started))
         << (r->finished ? ", закончен " + escape(localStamp(r->finished)) : std::string()) << ". Итог: " << statusWord(r->status)
         << ".</p><p>Записей: " << r->total << "; готово " << r->done << ", без изменений " << r->skipped << ", с ошибкой "
         << r->failed << ", не выполнено " << r->notRun << ".</p>";
    if (!r->reason.empty()) body << "<p>Причина: " << escape(r->reason) << "</p>";
    body << "</div>";
    if (!r->failures.empty()) {
        body << "<h2>Ошибки</h2><table><thead><tr><th scope=\"col\">Запись</th><th scope=\"col\">Ошибка</th></tr></thead><tbody>";
        for (const auto& [record, error] : r->failures)
            body << "<tr><td>" << escape(record) << "</td><td>" << escape(error) << "</td></tr>";
        body << "</tbody></table>";
    }
    if (!r->manifest.empty() && fs::exists(r->manifest)) {
        body << "<h2>Файлы</h2><ul>";
        const std::string manifest = fs::path(r->manifest).filename().string();
        body << "<li><a href=\"/api/runs/" << r->id << "/files/" << escape(manifest) << "\">" << escape(manifest) << "</a></li>";
        try {
            const batch::Manifest m = batch::readManifest(r->manifest);
            for (const auto& p : m.packages)
                if (!p.file.sha256.empty())
                    body << "<li><a href=\"/api/runs/" << r->id << "/files/" << escape(p.path) << "\">" << escape(p.path) << "</a></li>";
            for (const auto& record : m.records)
                for (const auto& f : record.files)
                    body << "<li><a href=\"/api/runs/" << r->id << "/files/" << escape(f.path) << "\">" << escape(f.path) << "</a></li>";
        } catch (const Error& e) {
            body << "<li class=\"bad\">" << escape(e.message()) << "</li>";
        }
        body << "</ul>";
    }
    return Response::html(200, page(req, "Запуск № " + id, body.str()));
}

Response Server::Impl::checksPage(const Request& req) {
    if (!allows(req.who->role, Role::Admin))
        return Response::html(403, page(req, "Нет прав", "<p class=\"error\" role=\"alert\">Проверку шаблонов видит администратор.</p>"));
    const app::CheckReport report = app::checkTemplates(cfg, {}, "");
    std::ostringstream body;
    if (report.noDatabase)
        body << "<p class=\"error\" role=\"alert\">База данных недоступна, столбцы не проверены: " << escape(report.noDatabase->message())
             << "</p>";
    body << "<table><thead><tr><th scope=\"col\">Шаблон</th><th scope=\"col\">Результат</th></tr></thead><tbody>";
    for (const auto& t : report.templates) {
        body << "<tr><td>" << escape(t.name) << "</td><td>";
        if (t.problems.empty()) body << "<span class=\"ok\">без ошибок</span>";
        for (const auto& e : t.problems) {
            std::string where = fs::path(e.file()).filename().string();
            if (e.line() > 0) where += ":" + std::to_string(e.line());
            if (e.column() > 0) where += ":" + std::to_string(e.column());
            body << "<div class=\"bad\"><code>" << escape(where) << "</code> " << escape(e.message()) << "</div>";
        }
        body << "</td></tr>";
    }
    body << "</tbody></table>";
    return Response::html(200, page(req, "Проверка шаблонов", body.str()));
}

}  // namespace gp::server
