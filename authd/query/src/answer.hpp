#pragma once
// Answers one question from one zone into a MessageBuilder (RFC 1034 §4.3.2 with the updates of
// RFC 2308, 4035, 4592, 5155, 6672, 8482), choosing sections the way Knot DNS 3.2 does.

#include <array>
#include <cstddef>
#include <cstdint>

#include "dnswire/message.hpp"
#include "zone/zone.hpp"

namespace dnsfleet::authd::detail {

/// What the answer engine needs to know about the question.
struct Question {
    dnswire::NameView qname;  ///< as the client wrote it (case echoed)
    std::uint16_t qtype = 0;
    bool dnssec = false;  ///< the DO bit
};

/// Fills answer, authority and additional sections for one zone. All state lives inline: no
/// allocation. One instance per query.
class Answerer {
  public:
    Answerer(const zone::Zone& zone, dnswire::MessageBuilder& builder,
             const Question& question) noexcept
        : zone_(zone), builder_(builder), question_(question) {}

    /// Writes the answer; sets AA, RCODE and TC on the builder.
    void run() noexcept;

  private:
    enum class Outcome : std::uint8_t { Done, Follow };
    struct Item {
        const zone::Node* node = nullptr;
        std::uint16_t type = 0;
        dnswire::NameView owner;  ///< owner to write (for wildcard expansion), default node name
    };

    Outcome step(dnswire::NameView sname) noexcept;
    Outcome answerNode(dnswire::NameView sname, const zone::Node& node, bool wildcard,
                       const zone::Lookup& lookup) noexcept;
    void referral(const zone::Node& cut) noexcept;
    Outcome dname(dnswire::NameView sname, const zone::Node& node) noexcept;
    void noData(dnswire::NameView sname, const zone::Node* node, bool wildcard,
                const zone::Lookup& lookup) noexcept;
    void nxDomain(dnswire::NameView sname, const zone::Lookup& lookup) noexcept;

    // DNSSEC denial (proofs.cpp).
    void proveNoName(dnswire::NameView sname, const zone::Lookup& lookup) noexcept;
    void proveNoData(dnswire::NameView sname, const zone::Node* node, const zone::Lookup& lookup,
                     bool wildcard) noexcept;
    void proveWildcardAnswer(dnswire::NameView sname, const zone::Lookup& lookup) noexcept;
    void proveNoDs(const zone::Node& cut) noexcept;
    void nsecCovering(dnswire::NameView name) noexcept;
    void nsec3ClosestEncloser(dnswire::NameView sname, const zone::Node& encloser,
                              bool wildcardToo) noexcept;
    bool nsec3Matching(dnswire::NameView name) noexcept;
    void nsec3Covering(dnswire::NameView name) noexcept;

    // Output.
    bool put(dnswire::Section section, dnswire::NameView owner, const zone::RRset& rrset,
             std::uint32_t ttlOverride = 0, bool required = false) noexcept;
    void queueAuthority(const zone::Node* node, std::uint16_t type) noexcept;
    void queueAdditional(const zone::RRset& rrset, const zone::Node* cut = nullptr) noexcept;
    void flushAuthority() noexcept;
    void flushAdditional() noexcept;
    enum class Glue : std::uint8_t { All, InDomain, Others };
    bool addTargets(const zone::RRset& rrset, const zone::Node* cut, Glue pass) noexcept;
    bool addTargetDenial(const zone::Node& target) noexcept;
    void truncate() noexcept;

    const zone::Zone& zone_;
    dnswire::MessageBuilder& builder_;
    Question question_;
    bool truncated_ = false;
    bool negativeSoa_ = false;

    /// CNAME/DNAME links followed at most, as Knot 3.2 (CNAME_CHAIN_MAX): a longer chain ends
    /// with NOERROR after the last link, and the resolver continues from its target.
    static constexpr std::size_t kMaxChain = 5;
    std::array<const zone::Node*, kMaxChain> visited_{};
    std::size_t visitedCount_ = 0;
    std::array<dnswire::Name, 2> synth_{};  ///< DNAME-synthesized names, used alternately
    std::size_t synthNext_ = 0;
    dnswire::NameView next_;  ///< the name a CNAME/DNAME leads to

    static constexpr std::size_t kMaxAuthority = 12;
    std::array<Item, kMaxAuthority> authority_{};
    std::size_t authorityCount_ = 0;
    struct Pending {
        const zone::RRset* rrset = nullptr;
        const zone::Node* cut = nullptr;  ///< the delegation, when the RRset is a referral's NS
    };
    static constexpr std::size_t kMaxAdditional = 16;
    std::array<Pending, kMaxAdditional> additional_{};
    std::size_t additionalCount_ = 0;
};

}  // namespace dnsfleet::authd::detail
