#pragma once
// Carries an exception between ranks as text: one byte naming its type in the nsbi::Error
// hierarchy, then its message. The receiver rethrows the same type with the same message, so
// every rank of an aborted round fails with the error of the rank where it started.
#include <exception>
#include <string>
#include <string_view>

namespace nsbi::farm {

/// Encodes the exception held by `e` (nsbi errors keep their type; anything else becomes Error).
std::string encode_exception(std::exception_ptr e);
/// Throws the error encoded by encode_exception, with `prefix` put before its message.
[[noreturn]] void rethrow_encoded(std::string_view encoded, const std::string& prefix = "");

}  // namespace nsbi::farm
