#pragma once
/// \file
/// Domain names in wire form: an owned fixed-size `Name` (no heap, usable on the query path)
/// and a non-owning `NameView` over uncompressed wire bytes.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "dnswire/error.hpp"

namespace dnsfleet::dnswire {

inline constexpr std::size_t kMaxNameLength = 255;  ///< octets in wire form, root label included
inline constexpr std::size_t kMaxLabelLength = 63;
inline constexpr std::size_t kMaxLabels = 128;  ///< 127 one-octet labels plus the root

/// A view of an uncompressed, valid wire-format name. It does not own its bytes.
class NameView {
  public:
    /// The root name.
    constexpr NameView() noexcept = default;

    /// Views bytes already known to hold exactly one valid uncompressed name (for example
    /// bytes a `Name` validated, or a zone's own storage). Not for untrusted input.
    [[nodiscard]] static constexpr NameView fromTrusted(const std::uint8_t* data,
                                                        std::size_t size) noexcept {
        NameView view;
        view.data_ = data;
        view.size_ = static_cast<std::uint8_t>(size);
        return view;
    }

    [[nodiscard]] std::span<const std::uint8_t> wire() const noexcept { return {data_, size_}; }
    [[nodiscard]] const std::uint8_t* data() const noexcept { return data_; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool isRoot() const noexcept { return size_ <= 1; }

    /// Number of labels, the root not counted (`example.com.` has 2).
    [[nodiscard]] std::size_t labelCount() const noexcept;
    /// The first (leftmost) label's bytes, without its length octet.
    [[nodiscard]] std::span<const std::uint8_t> firstLabel() const noexcept;
    /// True when the first label is `*` (RFC 4592 §2.1.1).
    [[nodiscard]] bool isWildcard() const noexcept;
    /// The name without its first label; the root's parent is the root.
    [[nodiscard]] NameView parent() const noexcept;
    /// The name without its first `n` labels.
    [[nodiscard]] NameView stripLabels(std::size_t n) const noexcept;

    /// Presentation form with a trailing dot and RFC 1035 §5.1 escapes (`\.`, `\DDD`).
    [[nodiscard]] std::string toText() const;
    /// Appends the presentation form to `out`.
    void appendText(std::string& out) const;

  private:
    static constexpr std::uint8_t kRoot[1] = {0};
    const std::uint8_t* data_ = kRoot;
    std::uint8_t size_ = 1;
};

/// Case-insensitive equality (ASCII letters only, RFC 4343).
[[nodiscard]] bool equalNames(NameView a, NameView b) noexcept;
/// Canonical DNS name order of RFC 4034 §6.1: <0 when a sorts before b, 0 when equal, >0 after.
[[nodiscard]] int compareCanonical(NameView a, NameView b) noexcept;
/// True when `name` equals `ancestor` or lies below it.
[[nodiscard]] bool isSubdomain(NameView name, NameView ancestor) noexcept;
/// Number of trailing labels `a` and `b` share (the root not counted).
[[nodiscard]] std::size_t commonLabels(NameView a, NameView b) noexcept;
/// A case-insensitive hash of the name.
[[nodiscard]] std::uint64_t hashName(NameView name) noexcept;
/// Lower-cases ASCII letters of a wire name in place.
void lowercaseWire(std::span<std::uint8_t> wire) noexcept;

/// An owned domain name in uncompressed wire form, stored inline (no heap allocation).
class Name {
  public:
    /// The root name `.`.
    Name() noexcept { wire_[0] = 0; }
    explicit Name(NameView view) noexcept;

    /// Reads a possibly compressed name at `pos` of `packet` and moves `pos` past it.
    /// Pointers must point strictly backwards (which also rules out loops) and inside `packet`.
    /// \retval WireError::Truncated     the packet ends inside the name
    /// \retval WireError::BadPointer    a pointer loops, points forward or outside the packet
    /// \retval WireError::LabelTooLong  never produced: label length octets over 63 are
    ///                                  label types, see BadLabelType
    /// \retval WireError::BadLabelType  a reserved label type (0x40, 0x80)
    /// \retval WireError::NameTooLong   more than 255 octets after decompression
    [[nodiscard]] static WireResult<Name> fromWire(std::span<const std::uint8_t> packet,
                                                   std::size_t& pos) noexcept;
    /// Validates exactly one uncompressed name filling `wire`.
    [[nodiscard]] static WireResult<Name> fromUncompressed(
        std::span<const std::uint8_t> wire) noexcept;
    /// Parses presentation form. A name not ending in `.` is relative to `origin`; `@` alone is
    /// `origin` itself. Escapes `\X` and `\DDD` are decoded (RFC 1035 §5.1).
    [[nodiscard]] static WireResult<Name> fromText(std::string_view text,
                                                   NameView origin = NameView()) noexcept;

    [[nodiscard]] NameView view() const noexcept {
        return NameView::fromTrusted(wire_.data(), size_);
    }
    operator NameView() const noexcept { return view(); }  // NOLINT(google-explicit-constructor)

    [[nodiscard]] std::span<const std::uint8_t> wire() const noexcept {
        return {wire_.data(), size_};
    }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] std::size_t labelCount() const noexcept { return view().labelCount(); }
    [[nodiscard]] bool isRoot() const noexcept { return size_ == 1; }
    [[nodiscard]] std::string toText() const { return view().toText(); }

    /// Lower-cases the name in place (the form zones store and hash).
    void toLower() noexcept { lowercaseWire({wire_.data(), size_}); }
    /// This name with `suffix` appended in place of its root label.
    /// \retval WireError::NameTooLong  the result would exceed 255 octets
    [[nodiscard]] WireResult<Name> concat(NameView suffix) const noexcept;

    friend bool operator==(const Name& a, const Name& b) noexcept {
        return equalNames(a.view(), b.view());
    }

  private:
    std::array<std::uint8_t, kMaxNameLength> wire_{};
    std::uint8_t size_ = 1;
};

}  // namespace dnsfleet::dnswire
