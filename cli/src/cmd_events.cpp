// events (the contract's audit log) and changes (fleet propagation of an applied version).
#include <chrono>
#include <fstream>
#include <ostream>
#include <thread>

#include "cli/exit_codes.hpp"
#include "commands.hpp"

namespace dnsfleet::cli {

namespace {

struct EventFlags {
    std::string from;
    std::string to;
    std::string action;
    std::string result;
    std::string page;
    std::string perPage;
    std::string file;
    std::string change;
    bool wait = false;
    double timeout = 300;
    double interval = 2;
};

std::string eventQuery(const EventFlags& flags, bool paged) {
    std::vector<std::pair<std::string, std::string>> pairs = {
        {"from", flags.from}, {"to", flags.to}, {"action", flags.action}};
    if (paged) {
        pairs.emplace_back("result", flags.result);
        pairs.emplace_back("page", flags.page);
        pairs.emplace_back("per_page", flags.perPage);
    }
    return queryString(pairs);
}

int exportEvents(Session& session, const EventFlags& flags) {
    const std::string base = session.contractPath();
    if (base.empty()) return kExitUsage;
    HttpResponse response;
    if (int rc =
            session.call("GET", base + "/events/export" + eventQuery(flags, false), response)) {
        return rc;
    }
    if (flags.file.empty() || flags.file == "-") {
        session.out() << response.body;
        return kExitOk;
    }
    std::ofstream stream(flags.file, std::ios::binary | std::ios::trunc);
    stream << response.body;
    stream.close();
    if (!stream) {
        session.err() << "dnsfleet: cannot write " << flags.file << "\n";
        return kExitUsage;
    }
    return kExitOk;
}

void printChange(Session& session, const nlohmann::json& change) {
    session.out() << "change " << cellText(change.value("id", nlohmann::json(nullptr))) << ": "
                  << cellText(change.value("zone", nlohmann::json(nullptr))) << " serial "
                  << cellText(change.value("serial", nlohmann::json(nullptr))) << " "
                  << cellText(change.value("status", nlohmann::json(nullptr))) << "\n";
    session.printTable(
        change.value("edges", nlohmann::json::array()),
        {{"EDGE", "name"}, {"REGION", "region"}, {"STATUS", "status"}, {"SERIAL", "serial"}});
}

int showChange(Session& session, const EventFlags& flags) {
    const std::string base = session.contractPath();
    if (base.empty()) return kExitUsage;
    const std::string path = base + "/changes/" + encodeComponent(flags.change);
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(flags.timeout));
    const auto pause = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(std::max(0.01, flags.interval)));
    // Bounded: the loop ends at the deadline even if the fleet never catches up.
    for (;;) {
        HttpResponse response;
        if (int rc = session.call("GET", path, response)) return rc;
        nlohmann::json body;
        if (!session.parse(response, body)) return kExitServer;
        const bool insync = body.value("status", std::string()) == "INSYNC";
        if (!flags.wait || insync || std::chrono::steady_clock::now() + pause > deadline) {
            if (session.flags.json) {
                (void)session.printObject(response);
            } else {
                printChange(session, body);
            }
            if (flags.wait && !insync) {
                session.err() << "dnsfleet: change " << flags.change << " not in sync after "
                              << flags.timeout << " s\n";
                return kExitServer;
            }
            return kExitOk;
        }
        std::this_thread::sleep_for(pause);
    }
}

}  // namespace

void addEventCommands(CLI::App& app, Session& session, Action& action) {
    auto flags = std::make_shared<EventFlags>();
    CLI::App* events = app.add_subcommand("events", "the contract's audit log");
    events->require_subcommand(1);
    CLI::App* list = events->add_subcommand("list", "list events");
    CLI::App* exporter = events->add_subcommand("export", "all matching events as NDJSON");
    for (CLI::App* sub : {list, exporter}) {
        sub->add_option("--from", flags->from, "from this time (RFC 3339 UTC)");
        sub->add_option("--to", flags->to, "up to this time (RFC 3339 UTC)");
        sub->add_option("--action", flags->action, "only this action, e.g. zone.create");
    }
    list->add_option("--result", flags->result, "ok, denied or failed");
    list->add_option("--page", flags->page, "page number (from 1)");
    list->add_option("--per-page", flags->perPage, "events per page");
    onRun(list, action, [&session, flags] {
        const std::string base = session.contractPath();
        if (base.empty()) return static_cast<int>(kExitUsage);
        HttpResponse response;
        if (int rc = session.call("GET", base + "/events" + eventQuery(*flags, true), response)) {
            return rc;
        }
        return session.printList(response, {{"ID", "id"},
                                            {"TIME", "time"},
                                            {"ACTOR", "actor"},
                                            {"ACTION", "action"},
                                            {"TARGET", "target"},
                                            {"RESULT", "result"}});
    });
    exporter->add_option("file", flags->file, "write here instead of standard output");
    onRun(exporter, action, [&session, flags] { return exportEvents(session, *flags); });

    CLI::App* changes = app.add_subcommand("changes", "propagation of applied versions");
    changes->require_subcommand(1);
    CLI::App* show = changes->add_subcommand("show", "where a change has arrived");
    show->add_option("id", flags->change, "the change id (from draft apply)")->required();
    show->add_flag("--wait", flags->wait, "poll until the whole fleet is in sync");
    show->add_option("--timeout", flags->timeout, "give up waiting after this many seconds")
        ->check(CLI::Range(0.0, 86400.0));
    show->add_option("--interval", flags->interval, "seconds between polls")
        ->check(CLI::Range(0.01, 3600.0));
    onRun(show, action, [&session, flags] { return showChange(session, *flags); });
}

}  // namespace dnsfleet::cli
