#pragma once
// Carries an exception between ranks as text: one byte naming its kind, one byte for the
// bad-input mark (Error::marked_input), then its message. The receiver rethrows the same kind with
// the same message, so every rank fails with the error of the rank where it started.
#include <exception>
#include <string>
#include <string_view>

namespace nsbi {

/// Encodes the exception held by `e`: nsbi errors keep their kind; any other exception is an
/// internal error and comes back as a std::runtime_error with its message.
std::string encode_exception(std::exception_ptr e);
/// Throws the error encoded by encode_exception, with `prefix` put before its message.
[[noreturn]] void rethrow_encoded(std::string_view encoded, const std::string& prefix = "");

}  // namespace nsbi
