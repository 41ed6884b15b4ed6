// $INCLUDE: relative to the including file, confined to the include root (no `..`, no absolute
// path outside, no symlink out), bounded depth, no loops, errors named after the right file.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "zone/parser.hpp"

namespace dnsfleet::zone {
namespace {

namespace fs = std::filesystem;

class ParserInclude : public ::testing::Test {
  protected:
    void SetUp() override {
        base_ = fs::temp_directory_path() /
                ("zp-include-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(base_);
        root_ = base_ / "zones";
        fs::create_directories(root_ / "sub");
        fs::create_directories(base_ / "outside");
    }
    void TearDown() override { fs::remove_all(base_); }

    void write(const fs::path& path, const std::string& text) {
        std::ofstream(path, std::ios::binary) << text;
    }

    struct Outcome {
        std::vector<std::string> owners;
        std::vector<std::uint32_t> ttls;
        std::vector<std::string> errors;
    };

    Outcome load(const fs::path& file, ParseOptions options = {}) {
        options.origin = *dnswire::Name::fromText("example.com.");
        Outcome out;
        auto result = parseZoneFile(file, options, [&](const RecordView& r) {
            out.owners.push_back(r.owner.toText());
            out.ttls.push_back(r.ttl);
            return Result<void, std::string>();
        });
        if (!result) {
            for (const auto& e : result.error())
                out.errors.push_back(e.toString());
        }
        return out;
    }

    fs::path base_;
    fs::path root_;
};

TEST_F(ParserInclude, IncludesRelativeToTheIncludingFileWithOrigin) {
    write(root_ / "db.main",
          "$TTL 300\n"
          "a A 192.0.2.1\n"
          "$INCLUDE sub/db.hosts hosts.example.com.\n"
          "$INCLUDE \"sub/db.plain\"\n"
          "b A 192.0.2.2\n");
    write(root_ / "sub" / "db.hosts",
          "h1 A 192.0.2.10\n"
          "$ORIGIN other.example.com.\n"
          "$TTL 60\n"
          "h2 A 192.0.2.11\n"
          "$INCLUDE db.nested\n");  // relative to sub/, where this file is
    write(root_ / "sub" / "db.nested", "n A 192.0.2.12\n");
    write(root_ / "sub" / "db.plain", "p A 192.0.2.13\n");
    const auto out = load(root_ / "db.main");
    ASSERT_TRUE(out.errors.empty()) << out.errors[0];
    EXPECT_EQ(out.owners, (std::vector<std::string>{"a.example.com.", "h1.hosts.example.com.",
                                                    "h2.other.example.com.", "n.other.example.com.",
                                                    "p.example.com.", "b.example.com."}));
    // The included file starts with the includer's $TTL; its own $TTL stays inside it.
    EXPECT_EQ(out.ttls, (std::vector<std::uint32_t>{300, 300, 60, 60, 300, 300}));
}

TEST_F(ParserInclude, PreviousOwnerIsPerFileLikeKnot) {
    // knotd 3.2: an included file has no previous owner of its own, and after it the includer
    // goes on with its own previous owner.
    write(root_ / "db.main", "a A 192.0.2.1\n$INCLUDE db.inc sub.example.com.\n  TXT \"after\"\n");
    write(root_ / "db.inc", "x A 192.0.2.3\n");
    const auto out = load(root_ / "db.main");
    ASSERT_TRUE(out.errors.empty()) << out.errors[0];
    EXPECT_EQ(out.owners,
              (std::vector<std::string>{"a.example.com.", "x.sub.example.com.", "a.example.com."}));
    write(root_ / "db.inc", "  TXT \"no owner\"\n");
    const auto bad = load(root_ / "db.main");
    ASSERT_EQ(bad.errors.size(), 1U);
    EXPECT_EQ(bad.errors[0], fs::canonical(root_ / "db.inc").string() +
                                 ":1: no owner name: the first record starts with a blank");
}

TEST_F(ParserInclude, ErrorsNameTheIncludedFileAndItsLine) {
    write(root_ / "db.main", "a A 192.0.2.1\n$INCLUDE db.bad\nb AAA 1.2.3.4\n");
    write(root_ / "db.bad", "; bad host\n\nx AAA 192.0.2.1\n");
    const auto out = load(root_ / "db.main");
    ASSERT_EQ(out.errors.size(), 2U);
    const std::string included = fs::canonical(root_ / "db.bad").string();
    EXPECT_EQ(out.errors[0], included + ":3: unknown type 'AAA'");
    EXPECT_EQ(out.errors[1], (root_ / "db.main").string() + ":3: unknown type 'AAA'");
}

TEST_F(ParserInclude, DotDotOutsideTheRootIsRefused) {
    write(base_ / "outside" / "db.secret", "s A 192.0.2.66\n");
    write(root_ / "db.main", "a A 192.0.2.1\n$INCLUDE ../outside/db.secret\n");
    const auto out = load(root_ / "db.main");
    ASSERT_EQ(out.errors.size(), 1U);
    EXPECT_EQ(out.errors[0].rfind((root_ / "db.main").string() + ":2: $INCLUDE file", 0), 0U)
        << out.errors[0];
    EXPECT_NE(out.errors[0].find("is outside the include directory"), std::string::npos);
    EXPECT_EQ(out.owners, std::vector<std::string>{"a.example.com."});
}

TEST_F(ParserInclude, DotDotThatStaysInsideIsFine) {
    write(root_ / "db.main", "$INCLUDE sub/../db.inner\n");
    write(root_ / "db.inner", "i A 192.0.2.1\n");
    const auto out = load(root_ / "db.main");
    ASSERT_TRUE(out.errors.empty()) << out.errors[0];
    EXPECT_EQ(out.owners, std::vector<std::string>{"i.example.com."});
}

TEST_F(ParserInclude, AbsolutePathOutsideTheRootIsRefused) {
    write(base_ / "outside" / "db.secret", "s A 192.0.2.66\n");
    write(root_ / "db.main", "$INCLUDE " + (base_ / "outside" / "db.secret").string() + "\n");
    const auto out = load(root_ / "db.main");
    ASSERT_EQ(out.errors.size(), 1U);
    EXPECT_NE(out.errors[0].find("is outside the include directory"), std::string::npos)
        << out.errors[0];
    EXPECT_TRUE(out.owners.empty());
    // /etc/passwd is the classic.
    write(root_ / "db.main", "$INCLUDE /etc/passwd\n");
    EXPECT_NE(load(root_ / "db.main").errors.at(0).find("is outside the include directory"),
              std::string::npos);
}

TEST_F(ParserInclude, AbsolutePathInsideTheRootIsFine) {
    write(root_ / "sub" / "db.abs", "abs A 192.0.2.1\n");
    write(root_ / "db.main", "$INCLUDE " + (root_ / "sub" / "db.abs").string() + "\n");
    const auto out = load(root_ / "db.main");
    ASSERT_TRUE(out.errors.empty()) << out.errors[0];
    EXPECT_EQ(out.owners, std::vector<std::string>{"abs.example.com."});
}

TEST_F(ParserInclude, SymlinkLeavingTheRootIsRefused) {
    write(base_ / "outside" / "db.secret", "s A 192.0.2.66\n");
    fs::create_symlink(base_ / "outside" / "db.secret", root_ / "db.link");
    fs::create_directory_symlink(base_ / "outside", root_ / "dirlink");
    write(root_ / "db.main", "$INCLUDE db.link\n$INCLUDE dirlink/db.secret\n");
    const auto out = load(root_ / "db.main");
    ASSERT_EQ(out.errors.size(), 2U);
    for (const auto& e : out.errors)
        EXPECT_NE(e.find("is outside the include directory"), std::string::npos) << e;
    EXPECT_TRUE(out.owners.empty());
}

TEST_F(ParserInclude, ExplicitIncludeRootWidensOrNarrows) {
    write(base_ / "outside" / "db.shared", "shared A 192.0.2.7\n");
    write(root_ / "db.main", "$INCLUDE ../outside/db.shared\n");
    ParseOptions wide;
    wide.includeRoot = base_;
    EXPECT_TRUE(load(root_ / "db.main", wide).errors.empty());
    ParseOptions narrow;
    narrow.includeRoot = root_ / "sub";
    write(root_ / "db.local", "l A 192.0.2.8\n");
    write(root_ / "db.main", "$INCLUDE db.local\n");
    EXPECT_EQ(load(root_ / "db.main", narrow).errors.size(), 1U);
}

TEST_F(ParserInclude, MissingFileIsAClearError) {
    write(root_ / "db.main", "a A 192.0.2.1\n$INCLUDE db.missing\n");
    const auto out = load(root_ / "db.main");
    ASSERT_EQ(out.errors.size(), 1U);
    EXPECT_EQ(
        out.errors[0].rfind((root_ / "db.main").string() + ":2: cannot open $INCLUDE file '", 0),
        0U)
        << out.errors[0];
}

TEST_F(ParserInclude, DirectoryIsNotAZoneFile) {
    write(root_ / "db.main", "$INCLUDE sub\n");
    const auto out = load(root_ / "db.main");
    ASSERT_EQ(out.errors.size(), 1U);
    EXPECT_EQ(out.errors[0], (root_ / "db.main").string() + ":1: cannot read '" +
                                 fs::canonical(root_ / "sub").string() + "': not a regular file");
}

TEST_F(ParserInclude, FifoDoesNotHang) {
    ASSERT_EQ(::mkfifo((root_ / "db.fifo").c_str(), 0600), 0);
    write(root_ / "db.main", "$INCLUDE db.fifo\n");
    const auto out = load(root_ / "db.main");
    ASSERT_EQ(out.errors.size(), 1U);
    EXPECT_NE(out.errors[0].find("not a regular file"), std::string::npos) << out.errors[0];
}

TEST_F(ParserInclude, SymlinkedZoneFileIncludesFromWhereItAppears) {
    write(base_ / "outside" / "db.real", "$INCLUDE db.local\n");
    write(root_ / "db.local", "l A 192.0.2.8\n");
    fs::create_symlink(base_ / "outside" / "db.real", root_ / "db.main");
    const auto out = load(root_ / "db.main");
    ASSERT_TRUE(out.errors.empty()) << out.errors[0];
    EXPECT_EQ(out.owners, std::vector<std::string>{"l.example.com."});
}

TEST_F(ParserInclude, LoopsAreRefused) {
    write(root_ / "db.a", "a A 192.0.2.1\n$INCLUDE db.b\n");
    write(root_ / "db.b", "b A 192.0.2.2\n$INCLUDE db.a\n");
    const auto out = load(root_ / "db.a");
    ASSERT_EQ(out.errors.size(), 1U);
    EXPECT_NE(out.errors[0].find("$INCLUDE loop"), std::string::npos) << out.errors[0];
    EXPECT_EQ(out.owners, (std::vector<std::string>{"a.example.com.", "b.example.com."}));
    write(root_ / "db.self", "$INCLUDE db.self\n");
    EXPECT_EQ(load(root_ / "db.self").errors.size(), 1U);
}

TEST_F(ParserInclude, DepthIsBounded) {
    // A chain of distinct files deeper than the limit: no loop, still refused.
    for (int i = 0; i < 6; ++i)
        write(
            root_ / ("db." + std::to_string(i)),
            "h" + std::to_string(i) + " A 192.0.2.1\n$INCLUDE db." + std::to_string(i + 1) + "\n");
    write(root_ / "db.6", "last A 192.0.2.1\n");
    ParseOptions options;
    options.maxIncludeDepth = 3;
    const auto out = load(root_ / "db.0", options);
    ASSERT_EQ(out.errors.size(), 1U);
    EXPECT_NE(out.errors[0].find("nested too deeply"), std::string::npos) << out.errors[0];
    EXPECT_EQ(out.owners.size(), 4U);
    EXPECT_TRUE(load(root_ / "db.0").errors.empty());
}

TEST_F(ParserInclude, DisallowedWhenTheOptionSaysSo) {
    write(root_ / "db.inner", "i A 192.0.2.1\n");
    write(root_ / "db.main", "$INCLUDE db.inner\n");
    ParseOptions options;
    options.allowInclude = false;
    const auto out = load(root_ / "db.main", options);
    ASSERT_EQ(out.errors.size(), 1U);
    EXPECT_EQ(out.errors[0], (root_ / "db.main").string() + ":1: $INCLUDE is not allowed here");
}

TEST_F(ParserInclude, MissingZoneFile) {
    const auto out = load(root_ / "db.none");
    ASSERT_EQ(out.errors.size(), 1U);
    EXPECT_NE(out.errors[0].find("No such file"), std::string::npos) << out.errors[0];
}

}  // namespace
}  // namespace dnsfleet::zone
