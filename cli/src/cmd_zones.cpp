// zones, records (the live RRsets), import and export.
#include <fstream>
#include <ostream>

#include "cli/exit_codes.hpp"
#include "commands.hpp"

namespace dnsfleet::cli {

namespace {

struct ZoneFlags {
    std::string zone;
    std::string page;
    std::string perPage;
    std::string name;
    std::string type;
    std::string ttl;
    std::string comment;
    std::string file;
};

/// One row per record: people read RRsets as zone-file lines.
void printRecords(Session& session, const nlohmann::json& rrsets) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& rrset : rrsets) {
        const nlohmann::json records = rrset.value("records", nlohmann::json::array());
        for (const auto& record : records) {
            rows.push_back(
                {{"name", rrset.value("name", nlohmann::json(nullptr))},
                 {"ttl", rrset.value("ttl", nlohmann::json(nullptr))},
                 {"type", rrset.value("type", nlohmann::json(nullptr))},
                 {"data", record.is_object() ? record.value("data", nlohmann::json("")) : record}});
        }
    }
    session.printTable(rows,
                       {{"NAME", "name"}, {"TTL", "ttl"}, {"TYPE", "type"}, {"DATA", "data"}});
}

int listRecords(Session& session, const ZoneFlags& flags) {
    const std::string path = zonePath(session, flags.zone);
    if (path.empty()) return kExitUsage;
    HttpResponse response;
    if (int rc = session.call(
            "GET", path + "/rrsets" + queryString({{"name", flags.name}, {"type", flags.type}}),
            response)) {
        return rc;
    }
    if (session.flags.json) return session.printObject(response);
    nlohmann::json body;
    if (!session.parse(response, body)) return kExitServer;
    printRecords(session, body.value("items", nlohmann::json::array()));
    session.out() << "(version " << cellText(body.value("version", nlohmann::json(nullptr)))
                  << ", serial " << cellText(body.value("serial", nlohmann::json(nullptr)))
                  << ")\n";
    return kExitOk;
}

int createZone(Session& session, const ZoneFlags& flags) {
    const std::string base = session.contractPath();
    if (base.empty()) return kExitUsage;
    nlohmann::json body = {{"name", flags.zone}};
    if (!flags.ttl.empty()) {
        if (flags.ttl.find_first_not_of("0123456789") != std::string::npos ||
            flags.ttl.size() > 10) {
            session.err() << "dnsfleet: --ttl must be a number of seconds\n";
            return kExitUsage;
        }
        body["default_ttl"] = std::stoll(flags.ttl);
    }
    if (!flags.comment.empty()) body["comment"] = flags.comment;
    HttpResponse response;
    if (int rc = session.callJson("POST", base + "/zones", body, response)) return rc;
    return session.printObject(response);
}

int importZone(Session& session, const ZoneFlags& flags) {
    const std::string path = zonePath(session, flags.zone);
    if (path.empty()) return kExitUsage;
    HttpRequest request;
    request.method = "POST";
    request.path = path + "/import";
    request.contentType = "text/dns";
    if (!readInput(session, flags.file, request.body)) return kExitUsage;
    HttpResponse response;
    if (int rc = session.call(request, response)) return rc;
    if (session.flags.json) return session.printObject(response);
    nlohmann::json body;
    if (!session.parse(response, body)) return kExitServer;
    session.out() << "staged into your draft of " << flags.zone << ": "
                  << cellText(body.value("staged", nlohmann::json(0))) << " RRsets changed, "
                  << cellText(body.value("deletions", nlohmann::json(0))) << " deleted, "
                  << cellText(body.value("unchanged", nlohmann::json(0))) << " unchanged, "
                  << cellText(body.value("ignored", nlohmann::json(0))) << " ignored\n";
    if (body.contains("note") && body["note"].is_string()) {
        session.out() << body["note"].get<std::string>() << "\n";
    }
    session.out() << "review with `dnsfleet draft diff " << flags.zone
                  << "`, then `dnsfleet draft apply`\n";
    return kExitOk;
}

int exportZone(Session& session, const ZoneFlags& flags) {
    const std::string path = zonePath(session, flags.zone);
    if (path.empty()) return kExitUsage;
    HttpResponse response;
    if (int rc = session.call("GET", path + "/export", response)) return rc;
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
    session.err() << "zone " << flags.zone << " written to " << flags.file << "\n";
    return kExitOk;
}

}  // namespace

void addZoneCommands(CLI::App& app, Session& session, Action& action) {
    auto flags = std::make_shared<ZoneFlags>();
    CLI::App* zones = app.add_subcommand("zones", "the contract's zones");
    zones->require_subcommand(1);
    CLI::App* list = zones->add_subcommand("list", "list zones");
    list->add_option("--page", flags->page, "page number (from 1)");
    list->add_option("--per-page", flags->perPage, "zones per page");
    list->add_option("--name", flags->name, "only zones whose name contains this");
    onRun(list, action, [&session, flags] {
        const std::string base = session.contractPath();
        if (base.empty()) return static_cast<int>(kExitUsage);
        HttpResponse response;
        const std::string query = queryString(
            {{"page", flags->page}, {"per_page", flags->perPage}, {"name", flags->name}});
        if (int rc = session.call("GET", base + "/zones" + query, response)) return rc;
        return session.printList(response, {{"NAME", "name"},
                                            {"VERSION", "version"},
                                            {"SERIAL", "serial"},
                                            {"TTL", "default_ttl"},
                                            {"UPDATED", "updated_at"},
                                            {"COMMENT", "comment"}});
    });
    CLI::App* show = zones->add_subcommand("show", "show a zone");
    show->add_option("zone", flags->zone, "zone name")->required();
    onRun(show, action, [&session, flags] {
        const std::string path = zonePath(session, flags->zone);
        if (path.empty()) return static_cast<int>(kExitUsage);
        HttpResponse response;
        if (int rc = session.call("GET", path, response)) return rc;
        return session.printObject(response);
    });
    CLI::App* create = zones->add_subcommand("create", "create a zone (SOA and NS generated)");
    create->add_option("zone", flags->zone, "zone name")->required();
    create->add_option("--ttl", flags->ttl, "default TTL in seconds");
    create->add_option("--comment", flags->comment, "free text");
    onRun(create, action, [&session, flags] { return createZone(session, *flags); });
    CLI::App* remove = zones->add_subcommand("delete", "delete a zone");
    remove->add_option("zone", flags->zone, "zone name")->required();
    onRun(remove, action, [&session, flags] {
        const std::string path = zonePath(session, flags->zone);
        if (path.empty()) return static_cast<int>(kExitUsage);
        HttpResponse response;
        if (int rc = session.call("DELETE", path, response)) return rc;
        if (session.flags.json && !response.body.empty()) return session.printObject(response);
        session.out() << "zone " << flags->zone << " deleted\n";
        return static_cast<int>(kExitOk);
    });

    CLI::App* records = app.add_subcommand("records", "list a zone's live records");
    records->add_option("zone", flags->zone, "zone name")->required();
    records->add_option("--name", flags->name, "only this owner name");
    records->add_option("--type", flags->type, "only this type");
    onRun(records, action, [&session, flags] { return listRecords(session, *flags); });

    CLI::App* import = app.add_subcommand("import", "stage a zone file into your draft");
    import->add_option("zone", flags->zone, "zone name")->required();
    import->add_option("file", flags->file, "RFC 1035 zone file, - for standard input")->required();
    onRun(import, action, [&session, flags] { return importZone(session, *flags); });

    CLI::App* exporter = app.add_subcommand("export", "print or save the live zone file");
    exporter->add_option("zone", flags->zone, "zone name")->required();
    exporter->add_option("file", flags->file, "write here instead of standard output");
    onRun(exporter, action, [&session, flags] { return exportZone(session, *flags); });
}

}  // namespace dnsfleet::cli
