// Checks that need the whole zone (CNAME beside other data, DNAME children) and the diff of
// two versions. Both work on canonical RRsets, so names compare as strings.

#include <algorithm>
#include <numeric>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "controld/zones/records.hpp"
#include "dnswire/name.hpp"
#include "dnswire/rrtype.hpp"
#include "records_internal.hpp"

namespace dnsfleet::controld::zones {

namespace detail {

std::vector<std::size_t> canonicalOrder(const std::vector<Rrset>& rrsets, bool soaFirst) {
    struct Key {
        std::size_t offset = 0;  // of the owner's wire form in `names`
        std::size_t size = 0;    // 0: the name did not parse
        std::uint16_t type = 0;
        std::size_t index = 0;
    };
    std::vector<std::uint8_t> names;
    std::vector<Key> keys;
    keys.reserve(rrsets.size());
    for (std::size_t i = 0; i < rrsets.size(); ++i) {
        Key key;
        key.index = i;
        auto name = dnswire::Name::fromText(rrsets[i].name);
        auto type = dnswire::typeFromText(rrsets[i].type);
        if (name && type) {
            key.offset = names.size();
            key.size = name->size();
            key.type = *type;
            names.insert(names.end(), name->wire().begin(), name->wire().end());
        }
        keys.push_back(key);
    }
    auto view = [&names](const Key& k) {
        return dnswire::NameView::fromTrusted(names.data() + k.offset, k.size);
    };
    std::stable_sort(keys.begin(), keys.end(), [&](const Key& a, const Key& b) {
        if ((a.size == 0) != (b.size == 0)) return b.size == 0;
        if (a.size == 0) return false;
        if (soaFirst) {
            const bool aSoa = a.type == dnswire::rrtype::SOA;
            const bool bSoa = b.type == dnswire::rrtype::SOA;
            if (aSoa != bSoa) return aSoa;
        }
        const int c = dnswire::compareCanonical(view(a), view(b));
        if (c != 0) return c < 0;
        return a.type < b.type;
    });
    std::vector<std::size_t> order;
    order.reserve(keys.size());
    for (const auto& k : keys) {
        order.push_back(k.index);
    }
    return order;
}

}  // namespace detail

namespace {

// Beside a CNAME only the DNSSEC records that prove or sign it may exist (RFC 2181 §10.1,
// RFC 4035 §2.5).
bool allowedBesideCname(std::string_view type) noexcept {
    return type == "CNAME" || type == "RRSIG" || type == "NSEC";
}

class Problems {
  public:
    void add(std::string problem, const std::vector<const Rrset*>& involved) {
        if (count_ == 0) first_ = std::move(problem);
        ++count_;
        for (const Rrset* rrset : involved) {
            std::string key = rrset->key();
            if (seen_.insert(key).second) conflicts_.push_back(std::move(key));
        }
    }
    [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
    [[nodiscard]] ServiceError take() {
        std::string detail = std::move(first_);
        if (count_ > 1) detail += " (and " + std::to_string(count_ - 1) + " more problems)";
        ServiceError error;
        error.code = ErrorCode::Invalid;
        error.detail = std::move(detail);
        error.conflicts = std::move(conflicts_);
        return error;
    }

  private:
    std::string first_;
    std::size_t count_ = 0;
    std::vector<std::string> conflicts_;
    std::unordered_set<std::string> seen_;
};

}  // namespace

Outcome<void> checkZone(std::string_view apex, const std::vector<Rrset>& rrsets) {
    auto apexName = dnswire::Name::fromText(apex);
    if (!apexName) return fail(invalid("invalid zone name", {{"/zone", "not a domain name"}}));
    apexName->toLower();
    const std::string apexText = apexName->toText();

    Problems problems;
    std::unordered_map<std::string_view, std::vector<const Rrset*>> byName;
    byName.reserve(rrsets.size());
    std::unordered_map<std::string, const Rrset*> byKey;
    byKey.reserve(rrsets.size());
    std::vector<const Rrset*> dnames;
    for (const auto& rrset : rrsets) {
        if (!byKey.emplace(rrset.key(), &rrset).second) {
            problems.add("the RRset " + rrset.key() + " appears twice", {&rrset});
            continue;
        }
        byName[rrset.name].push_back(&rrset);
        if (rrset.type == "DNAME") dnames.push_back(&rrset);
        if ((rrset.type == "CNAME" || rrset.type == "DNAME") && rrset.records.size() > 1) {
            problems.add("more than one " + rrset.type + " record at " + rrset.name, {&rrset});
        }
        auto owner = dnswire::Name::fromText(rrset.name);
        if (!owner || !dnswire::isSubdomain(*owner, *apexName)) {
            problems.add(rrset.name + " is outside the zone " + apexText, {&rrset});
        }
    }

    // In canonical order, so that the first problem reported is the same on every run.
    std::vector<std::string_view> names;
    names.reserve(byName.size());
    for (const auto& [name, list] : byName) {
        names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    for (const auto name : names) {
        const auto& list = byName[name];
        const auto cname = std::find_if(list.begin(), list.end(),
                                        [](const Rrset* r) { return r->type == "CNAME"; });
        if (cname == list.end()) continue;
        if (name == apexText) {
            problems.add("a CNAME cannot be at the zone apex " + apexText, {*cname});
        }
        std::vector<const Rrset*> others;
        for (const Rrset* r : list) {
            if (!allowedBesideCname(r->type)) others.push_back(r);
        }
        if (!others.empty()) {
            others.insert(others.begin(), *cname);
            problems.add("CNAME beside other data at " + std::string(name) + " (RFC 2181 §10.1)",
                         others);
        }
    }

    // RFC 6672 §2.4: names below a DNAME are never reached; Knot refuses such zones.
    if (!dnames.empty()) {
        std::unordered_map<std::string_view, const Rrset*> dnameOwners;
        for (const Rrset* d : dnames) {
            dnameOwners.emplace(d->name, d);
        }
        std::string ancestor;
        for (const auto& rrset : rrsets) {
            auto owner = dnswire::Name::fromText(rrset.name);
            if (!owner || !dnswire::isSubdomain(*owner, *apexName)) continue;
            dnswire::NameView view = owner->view();
            while (view.labelCount() > apexName->labelCount()) {
                view = view.parent();
                ancestor.clear();
                view.appendText(ancestor);
                if (auto it = dnameOwners.find(ancestor); it != dnameOwners.end()) {
                    problems.add(rrset.name + " lies below the DNAME at " + it->second->name +
                                     " (RFC 6672 §2.4)",
                                 {it->second, &rrset});
                    break;
                }
            }
        }
    }

    if (!problems.empty()) return fail(problems.take());
    return {};
}

std::vector<RrsetChange> diffRrsets(const std::vector<Rrset>& before,
                                    const std::vector<Rrset>& after) {
    std::unordered_map<std::string, const Rrset*> old;
    old.reserve(before.size());
    for (const auto& r : before) {
        old.emplace(r.key(), &r);
    }
    std::unordered_set<std::string> kept;
    kept.reserve(after.size());
    std::vector<Rrset> changed;  // one entry per change, to order them canonically
    std::vector<RrsetChange> changes;
    for (const auto& r : after) {
        std::string key = r.key();
        const auto it = old.find(key);
        kept.insert(std::move(key));
        if (it == old.end()) {
            changes.push_back({std::nullopt, r});
        } else if (!(*it->second == r)) {
            changes.push_back({*it->second, r});
        }
    }
    for (const auto& r : before) {
        if (!kept.contains(r.key())) changes.push_back({r, std::nullopt});
    }

    changed.reserve(changes.size());
    for (const auto& c : changes) {
        const Rrset& r = c.after ? *c.after : *c.before;
        changed.push_back(Rrset{r.name, r.type, 0, {}, {}});
    }
    const auto order = detail::canonicalOrder(changed, false);
    std::vector<RrsetChange> sorted;
    sorted.reserve(changes.size());
    for (const std::size_t i : order) {
        sorted.push_back(std::move(changes[i]));
    }
    return sorted;
}

}  // namespace dnsfleet::controld::zones
