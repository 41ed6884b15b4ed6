#include "xfr/record_list.hpp"

#include <algorithm>

#include "dnswire/name.hpp"
#include "dnswire/wire.hpp"

namespace dnsfleet::xfr {

namespace {
constexpr std::size_t kFixedFields = 2 + 2 + 4 + 2;  // type, class, TTL, rdlength
}

zone::RecordView RecordList::Iterator::operator*() const noexcept {
    zone::RecordView record;
    const std::size_t ownerLength = p_[0];
    record.owner = dnswire::NameView::fromTrusted(p_ + 1, ownerLength);
    const std::uint8_t* fixed = p_ + 1 + ownerLength;
    record.type = dnswire::loadU16(fixed);
    record.rclass = dnswire::loadU16(fixed + 2);
    record.ttl = dnswire::loadU32(fixed + 4);
    const std::size_t rdlength = dnswire::loadU16(fixed + 8);
    record.rdata = {fixed + kFixedFields, rdlength};
    return record;
}

RecordList::Iterator& RecordList::Iterator::operator++() noexcept {
    const std::size_t ownerLength = p_[0];
    const std::uint8_t* fixed = p_ + 1 + ownerLength;
    p_ = fixed + kFixedFields + dnswire::loadU16(fixed + 8);
    --left_;
    return *this;
}

void RecordList::add(const zone::RecordView& record) {
    const std::size_t at = data_.size();
    const std::size_t ownerLength = record.owner.size();
    data_.resize(at + 1 + ownerLength + kFixedFields + record.rdata.size());
    std::uint8_t* p = data_.data() + at;
    p[0] = static_cast<std::uint8_t>(ownerLength);
    std::copy(record.owner.data(), record.owner.data() + ownerLength, p + 1);
    std::uint8_t* fixed = p + 1 + ownerLength;
    dnswire::storeU16(fixed, record.type);
    dnswire::storeU16(fixed + 2, record.rclass);
    dnswire::storeU32(fixed + 4, record.ttl);
    dnswire::storeU16(fixed + 8, static_cast<std::uint16_t>(record.rdata.size()));
    std::copy(record.rdata.begin(), record.rdata.end(), fixed + kFixedFields);
    ++count_;
}

void RecordList::append(const RecordList& other) {
    data_.insert(data_.end(), other.data_.begin(), other.data_.end());
    count_ += other.count_;
}

void RecordList::clear() noexcept {
    data_.clear();
    count_ = 0;
}

bool RecordList::assignRaw(std::span<const std::uint8_t> raw) {
    std::size_t pos = 0;
    std::size_t count = 0;
    while (pos < raw.size()) {
        const std::size_t ownerLength = raw[pos];
        if (ownerLength == 0 || pos + 1 + ownerLength + kFixedFields > raw.size()) {
            clear();
            return false;
        }
        if (!dnswire::Name::fromUncompressed(raw.subspan(pos + 1, ownerLength))) {
            clear();
            return false;
        }
        const std::size_t rdlength = dnswire::loadU16(raw.data() + pos + 1 + ownerLength + 8);
        pos += 1 + ownerLength + kFixedFields + rdlength;
        if (pos > raw.size()) {
            clear();
            return false;
        }
        ++count;
    }
    data_.assign(raw.begin(), raw.end());
    count_ = count;
    return true;
}

}  // namespace dnsfleet::xfr
