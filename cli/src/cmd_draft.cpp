// draft (staged changes), history (versions) and restore.
#include <ostream>

#include "cli/exit_codes.hpp"
#include "commands.hpp"

namespace dnsfleet::cli {

namespace {

struct DraftFlags {
    std::string zone;
    std::string name;
    std::string type;
    std::string ttl;
    std::string comment;
    std::vector<std::string> data;
    std::string description;
    std::string version;
};

std::string rrsetPath(const std::string& zone, const DraftFlags& flags) {
    return zone + "/draft/rrsets/" + encodeComponent(flags.name) + "/" +
           encodeComponent(flags.type);
}

int showDraft(Session& session, const DraftFlags& flags) {
    const std::string path = zonePath(session, flags.zone);
    if (path.empty()) return kExitUsage;
    HttpResponse response;
    if (int rc = session.call("GET", path + "/draft", response)) return rc;
    if (session.flags.json) return session.printObject(response);
    nlohmann::json body;
    if (!session.parse(response, body)) return kExitServer;
    if (!body.value("exists", false)) {
        session.out() << "no draft for " << flags.zone << " (live version "
                      << cellText(body.value("live_version", nlohmann::json(nullptr))) << ")\n";
        return kExitOk;
    }
    session.out() << "draft of " << flags.zone << " on version "
                  << cellText(body.value("base_version", nlohmann::json(nullptr))) << " (live "
                  << cellText(body.value("live_version", nlohmann::json(nullptr))) << ")\n";
    session.printTable(body.value("changes", nlohmann::json::array()), {{"ACTION", "action"},
                                                                        {"NAME", "name"},
                                                                        {"TYPE", "type"},
                                                                        {"TTL", "ttl"},
                                                                        {"RECORDS", "records"},
                                                                        {"COMMENT", "comment"}});
    return kExitOk;
}

int setRrset(Session& session, const DraftFlags& flags) {
    const std::string path = zonePath(session, flags.zone);
    if (path.empty()) return kExitUsage;
    nlohmann::json records = nlohmann::json::array();
    for (const std::string& data : flags.data)
        records.push_back({{"data", data}});
    nlohmann::json body = {{"records", records}};
    if (!flags.ttl.empty()) {
        if (flags.ttl.find_first_not_of("0123456789") != std::string::npos ||
            flags.ttl.size() > 10) {
            session.err() << "dnsfleet: --ttl must be a number of seconds\n";
            return kExitUsage;
        }
        body["ttl"] = std::stoll(flags.ttl);
    }
    if (!flags.comment.empty()) body["comment"] = flags.comment;
    HttpResponse response;
    if (int rc = session.callJson("PUT", rrsetPath(path, flags), body, response)) return rc;
    if (session.flags.json) return session.printObject(response);
    session.out() << "staged " << flags.name << " " << flags.type << " (" << flags.data.size()
                  << " records) in your draft of " << flags.zone << "\n";
    return kExitOk;
}

int apply(Session& session, const DraftFlags& flags) {
    const std::string path = zonePath(session, flags.zone);
    if (path.empty()) return kExitUsage;
    // Always conditional: a draft made on an older version must never silently overwrite
    // what someone else applied meanwhile (the server answers 412 then).
    std::string etag;
    if (int rc = zoneEtag(session, flags.zone, etag)) return rc;
    HttpRequest request{"POST",
                        path + "/draft/apply",
                        {{"If-Match", etag}},
                        nlohmann::json{{"description", flags.description}}.dump(),
                        "application/json"};
    HttpResponse response;
    if (int rc = session.call(request, response)) return rc;
    if (session.flags.json) return session.printObject(response);
    nlohmann::json body;
    if (!session.parse(response, body)) return kExitServer;
    const nlohmann::json change = body.value("change", nlohmann::json::object());
    session.out() << "applied: " << flags.zone << " version "
                  << cellText(body.value("version", nlohmann::json(nullptr))) << ", serial "
                  << cellText(body.value("serial", nlohmann::json(nullptr))) << ", change "
                  << cellText(change.value("id", nlohmann::json(nullptr))) << " ("
                  << cellText(change.value("status", nlohmann::json(nullptr))) << ")\n";
    if (body.contains("diff")) session.printDiff(body["diff"]);
    return kExitOk;
}

int showVersion(Session& session, const DraftFlags& flags) {
    const std::string path = zonePath(session, flags.zone);
    if (path.empty()) return kExitUsage;
    HttpResponse response;
    if (int rc =
            session.call("GET", path + "/versions/" + encodeComponent(flags.version), response)) {
        return rc;
    }
    if (session.flags.json) return session.printObject(response);
    nlohmann::json body;
    if (!session.parse(response, body)) return kExitServer;
    for (const char* key : {"version", "serial", "time", "author", "description"}) {
        if (body.contains(key)) session.out() << key << ": " << cellText(body[key]) << "\n";
    }
    if (body.contains("diff")) {
        session.out() << "\n";
        session.printDiff(body["diff"]);
    }
    if (body.contains("text") && body["text"].is_string()) {
        session.out() << "\n" << body["text"].get<std::string>();
    }
    return kExitOk;
}

int restore(Session& session, const DraftFlags& flags) {
    const std::string path = zonePath(session, flags.zone);
    if (path.empty()) return kExitUsage;
    std::string etag;
    if (int rc = zoneEtag(session, flags.zone, etag)) return rc;
    nlohmann::json body = nlohmann::json::object();
    if (!flags.description.empty()) body["description"] = flags.description;
    HttpRequest request{"POST",
                        path + "/versions/" + encodeComponent(flags.version) + "/restore",
                        {{"If-Match", etag}},
                        body.dump(),
                        "application/json"};
    HttpResponse response;
    if (int rc = session.call(request, response)) return rc;
    if (session.flags.json) return session.printObject(response);
    nlohmann::json answer;
    if (!session.parse(response, answer)) return kExitServer;
    session.out() << "restored " << flags.zone << " to version " << flags.version
                  << ": new version " << cellText(answer.value("version", nlohmann::json(nullptr)))
                  << ", serial " << cellText(answer.value("serial", nlohmann::json(nullptr)))
                  << "\n";
    return kExitOk;
}

}  // namespace

void addDraftCommands(CLI::App& app, Session& session, Action& action) {
    auto flags = std::make_shared<DraftFlags>();
    CLI::App* draft = app.add_subcommand("draft", "your staged changes to a zone");
    draft->require_subcommand(1);
    CLI::App* show = draft->add_subcommand("show", "show the draft");
    show->add_option("zone", flags->zone, "zone name")->required();
    onRun(show, action, [&session, flags] { return showDraft(session, *flags); });

    CLI::App* set = draft->add_subcommand("set", "stage an RRset (replaces its records)");
    set->add_option("zone", flags->zone, "zone name")->required();
    set->add_option("name", flags->name, "owner name (relative, absolute or @)")->required();
    set->add_option("type", flags->type, "RR type")->required();
    set->add_option("data", flags->data, "record data in zone-file syntax, one per argument")
        ->required();
    set->add_option("--ttl", flags->ttl, "TTL in seconds (default: the zone's)");
    set->add_option("--comment", flags->comment, "comment on the RRset");
    onRun(set, action, [&session, flags] { return setRrset(session, *flags); });

    CLI::App* remove = draft->add_subcommand("delete", "stage the deletion of an RRset");
    remove->add_option("zone", flags->zone, "zone name")->required();
    remove->add_option("name", flags->name, "owner name")->required();
    remove->add_option("type", flags->type, "RR type")->required();
    onRun(remove, action, [&session, flags] {
        const std::string path = zonePath(session, flags->zone);
        if (path.empty()) return static_cast<int>(kExitUsage);
        HttpResponse response;
        if (int rc = session.call("DELETE", rrsetPath(path, *flags), response)) return rc;
        session.out() << "staged the deletion of " << flags->name << " " << flags->type << "\n";
        return static_cast<int>(kExitOk);
    });

    CLI::App* diff = draft->add_subcommand("diff", "the draft against the live zone");
    diff->add_option("zone", flags->zone, "zone name")->required();
    onRun(diff, action, [&session, flags] {
        const std::string path = zonePath(session, flags->zone);
        if (path.empty()) return static_cast<int>(kExitUsage);
        HttpResponse response;
        if (int rc = session.call("GET", path + "/draft/diff", response)) return rc;
        if (session.flags.json) return session.printObject(response);
        nlohmann::json body;
        if (!session.parse(response, body)) return static_cast<int>(kExitServer);
        session.printDiff(body.value("changes", nlohmann::json::array()));
        return static_cast<int>(kExitOk);
    });

    CLI::App* applyCommand = draft->add_subcommand("apply", "publish the draft as a new version");
    applyCommand->add_option("zone", flags->zone, "zone name")->required();
    applyCommand->add_option("--description", flags->description, "what and why")->required();
    onRun(applyCommand, action, [&session, flags] { return apply(session, *flags); });

    CLI::App* discard = draft->add_subcommand("discard", "throw the draft away");
    discard->add_option("zone", flags->zone, "zone name")->required();
    onRun(discard, action, [&session, flags] {
        const std::string path = zonePath(session, flags->zone);
        if (path.empty()) return static_cast<int>(kExitUsage);
        HttpResponse response;
        if (int rc = session.call("DELETE", path + "/draft", response)) return rc;
        session.out() << "draft of " << flags->zone << " discarded\n";
        return static_cast<int>(kExitOk);
    });

    CLI::App* history = app.add_subcommand("history", "a zone's versions");
    history->require_subcommand(1);
    CLI::App* list = history->add_subcommand("list", "list the versions");
    list->add_option("zone", flags->zone, "zone name")->required();
    onRun(list, action, [&session, flags] {
        const std::string path = zonePath(session, flags->zone);
        if (path.empty()) return static_cast<int>(kExitUsage);
        HttpResponse response;
        if (int rc = session.call("GET", path + "/versions", response)) return rc;
        return session.printList(response, {{"VERSION", "version"},
                                            {"SERIAL", "serial"},
                                            {"TIME", "time"},
                                            {"AUTHOR", "author"},
                                            {"CHANGES", "changes"},
                                            {"DESCRIPTION", "description"}});
    });
    CLI::App* showVersionCommand = history->add_subcommand("show", "show one version");
    showVersionCommand->add_option("zone", flags->zone, "zone name")->required();
    showVersionCommand->add_option("version", flags->version, "version number")->required();
    onRun(showVersionCommand, action, [&session, flags] { return showVersion(session, *flags); });

    CLI::App* restoreCommand =
        app.add_subcommand("restore", "make an old version's content the new live version");
    restoreCommand->add_option("zone", flags->zone, "zone name")->required();
    restoreCommand->add_option("version", flags->version, "version number")->required();
    restoreCommand->add_option("--description", flags->description, "what and why");
    onRun(restoreCommand, action, [&session, flags] { return restore(session, *flags); });
}

}  // namespace dnsfleet::cli
