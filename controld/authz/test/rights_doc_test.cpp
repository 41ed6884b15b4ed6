// docs/controld/rights.md and the code's matrix cannot drift: this parses the page's table and
// compares every cell.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "controld/authz/authz.hpp"

namespace dnsfleet::controld::authz {
namespace {

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return "";
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

// "| a | b |" → {"a", "b"}
std::vector<std::string> cells(const std::string& line) {
    std::vector<std::string> out;
    std::string current;
    for (std::size_t i = 1; i < line.size(); ++i) {
        if (line[i] == '|') {
            out.push_back(trim(current));
            current.clear();
        } else {
            current += line[i];
        }
    }
    return out;
}

struct DocTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
};

DocTable readMatrix() {
    const char* source = std::getenv("DNSFLEET_SOURCE_DIR");
    const std::string root = source != nullptr ? source : DNSFLEET_SOURCE_FALLBACK;
    std::ifstream in(root + "/docs/controld/rights.md");
    EXPECT_TRUE(in.good()) << "cannot read docs/controld/rights.md under " << root;
    DocTable table;
    std::string line;
    bool inTable = false;
    while (std::getline(in, line)) {
        if (!inTable) {
            if (line.rfind("| Permission |", 0) == 0) {
                table.header = cells(line);
                inTable = true;
                std::getline(in, line);  // the |---| separator
            }
            continue;
        }
        if (line.empty() || line[0] != '|') break;
        table.rows.push_back(cells(line));
    }
    return table;
}

bool tick(const std::string& cell, const std::string& where) {
    if (cell == "✓") return true;
    EXPECT_EQ(cell, "✗") << where << ": a cell is ✓ or ✗";
    return false;
}

TEST(RightsDoc, TableEqualsTheCodesMatrix) {
    const DocTable table = readMatrix();
    ASSERT_GE(table.header.size(), 9U);
    // Column order as the page promises it.
    for (std::size_t h = 0; h < kAllHolders.size(); ++h) {
        EXPECT_EQ(table.header[1 + h], holderName(kAllHolders[h]));
    }
    EXPECT_EQ(table.header[7], "read-scope token");
    EXPECT_EQ(table.header[8], "zone-limited token");

    ASSERT_EQ(table.rows.size(), kAllPermissions.size()) << "one row per permission";
    std::map<std::string, bool> seen;
    for (const auto& row : table.rows) {
        ASSERT_GE(row.size(), 9U);
        const auto permission = parsePermission(row[0]);
        ASSERT_TRUE(permission.has_value()) << "unknown permission in the doc: " << row[0];
        EXPECT_FALSE(seen[row[0]]) << "listed twice: " << row[0];
        seen[row[0]] = true;
        for (std::size_t h = 0; h < kAllHolders.size(); ++h) {
            const std::string where = row[0] + " / " + table.header[1 + h];
            EXPECT_EQ(tick(row[1 + h], where), matrixAllows(*permission, kAllHolders[h])) << where;
        }
        EXPECT_EQ(tick(row[7], row[0] + " / read"), isReadPermission(*permission)) << row[0];
        EXPECT_EQ(tick(row[8], row[0] + " / zone"), isZonePermission(*permission)) << row[0];
    }
}

}  // namespace
}  // namespace dnsfleet::controld::authz
