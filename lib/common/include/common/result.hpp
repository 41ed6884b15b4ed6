#pragma once
/// \file
/// Errors as values. `Result<T, E>` holds either a value or an error and must be looked at.
///
/// It is a small stand-in for `std::expected`: libstdc++ 12 only enables `<expected>` for
/// compilers that implement C++20 concepts fully, which clang 14 (our fuzzing compiler) does
/// not. The interface is the subset of `std::expected` we use, so a later switch is mechanical.

#include <new>
#include <type_traits>
#include <utility>

namespace dnsfleet {

/// Wraps an error so that it can be returned where a `Result` is expected.
template <class E>
struct Unexpected {
    E error;
};

/// Returns `error` as the failed outcome of a `Result`.
template <class E>
[[nodiscard]] constexpr Unexpected<std::decay_t<E>> fail(E&& error) {
    return Unexpected<std::decay_t<E>>{std::forward<E>(error)};
}

/// A value of type `T` or an error of type `E`.
template <class T, class E>
class [[nodiscard]] Result {
  public:
    using value_type = T;
    using error_type = E;

    // Implicit like std::expected, so `return value;` and `return fail(err);` both read
    // naturally. The constraint keeps the forwarding constructor away from copies of Result.
    template <class U = T, std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                                !std::is_same_v<std::remove_cvref_t<U>, Result>,
                                            int> = 0>
    constexpr Result(U&& value)  // NOLINT(google-explicit-constructor)
        : ok_(true) {
        ::new (static_cast<void*>(&value_)) T(std::forward<U>(value));
    }
    template <class G>
    constexpr Result(Unexpected<G> error)  // NOLINT(google-explicit-constructor)
        : ok_(false) {
        ::new (static_cast<void*>(&error_)) E(std::move(error.error));
    }

    constexpr Result(const Result& other) : ok_(other.ok_) {
        if (ok_) {
            ::new (static_cast<void*>(&value_)) T(other.value_);
        } else {
            ::new (static_cast<void*>(&error_)) E(other.error_);
        }
    }
    constexpr Result(Result&& other) noexcept(
        std::is_nothrow_move_constructible_v<T>&& std::is_nothrow_move_constructible_v<E>)
        : ok_(other.ok_) {
        if (ok_) {
            ::new (static_cast<void*>(&value_)) T(std::move(other.value_));
        } else {
            ::new (static_cast<void*>(&error_)) E(std::move(other.error_));
        }
    }
    constexpr Result& operator=(const Result& other) {
        if (this != &other) {
            destroy();
            ::new (static_cast<void*>(this)) Result(other);
        }
        return *this;
    }
    constexpr Result& operator=(Result&& other) noexcept(
        std::is_nothrow_move_constructible_v<T>&& std::is_nothrow_move_constructible_v<E>) {
        if (this != &other) {
            destroy();
            ::new (static_cast<void*>(this)) Result(std::move(other));
        }
        return *this;
    }
    constexpr ~Result() { destroy(); }

    [[nodiscard]] constexpr bool has_value() const noexcept { return ok_; }
    [[nodiscard]] constexpr explicit operator bool() const noexcept { return ok_; }

    /// The value; only valid when `has_value()`.
    [[nodiscard]] constexpr T& value() & noexcept { return value_; }
    [[nodiscard]] constexpr const T& value() const& noexcept { return value_; }
    [[nodiscard]] constexpr T&& value() && noexcept { return std::move(value_); }
    [[nodiscard]] constexpr T& operator*() & noexcept { return value_; }
    [[nodiscard]] constexpr const T& operator*() const& noexcept { return value_; }
    [[nodiscard]] constexpr T&& operator*() && noexcept { return std::move(value_); }
    [[nodiscard]] constexpr T* operator->() noexcept { return &value_; }
    [[nodiscard]] constexpr const T* operator->() const noexcept { return &value_; }

    /// The error; only valid when `!has_value()`.
    [[nodiscard]] constexpr E& error() & noexcept { return error_; }
    [[nodiscard]] constexpr const E& error() const& noexcept { return error_; }
    [[nodiscard]] constexpr E&& error() && noexcept { return std::move(error_); }

    /// The value, or `fallback` when this holds an error.
    template <class U>
    [[nodiscard]] constexpr T value_or(U&& fallback) const& {
        return ok_ ? value_ : static_cast<T>(std::forward<U>(fallback));
    }

  private:
    constexpr void destroy() noexcept {
        if (ok_) {
            value_.~T();
        } else {
            error_.~E();
        }
    }

    union {
        T value_;
        E error_;
    };
    bool ok_;
};

/// The outcome of an operation that produces no value: success, or an error of type `E`.
template <class E>
class [[nodiscard]] Result<void, E> {
  public:
    using value_type = void;
    using error_type = E;

    constexpr Result() noexcept = default;
    template <class G>
    constexpr Result(Unexpected<G> error)  // NOLINT(google-explicit-constructor)
        : error_(std::move(error.error)), ok_(false) {}

    [[nodiscard]] constexpr bool has_value() const noexcept { return ok_; }
    [[nodiscard]] constexpr explicit operator bool() const noexcept { return ok_; }
    [[nodiscard]] constexpr E& error() & noexcept { return error_; }
    [[nodiscard]] constexpr const E& error() const& noexcept { return error_; }
    [[nodiscard]] constexpr E&& error() && noexcept { return std::move(error_); }

  private:
    E error_{};
    bool ok_ = true;
};

}  // namespace dnsfleet

/// Propagates the error of an expression yielding a `Result`, like Rust's `?`.
/// The enclosing function must return a `Result` with a compatible error type.
#define DNSFLEET_TRY(expr)                                                    \
    do {                                                                      \
        auto dnsfleet_try_result_ = (expr);                                   \
        if (!dnsfleet_try_result_) {                                          \
            return ::dnsfleet::fail(std::move(dnsfleet_try_result_).error()); \
        }                                                                     \
    } while (false)
