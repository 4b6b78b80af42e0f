#include "nsbi/core/error_transport.hpp"

#include <algorithm>

#include "nsbi/core/error.hpp"

namespace nsbi {

namespace {

template <typename E>
[[noreturn]] void throw_marked(const std::string& what, bool input) {
  E e(what);
  if (input) e.mark_input();
  throw e;
}

}  // namespace

std::string encode_exception(std::exception_ptr e) {
  const auto encoded = [](char kind, const Error& x) {
    return std::string{kind, x.marked_input() ? '1' : '0'} + x.what();
  };
  // Most derived first: every nsbi error is also an Error and a std::exception.
  try {
    std::rethrow_exception(e);
  } catch (const ConfigError& x) {
    return encoded('c', x);
  } catch (const ShapeError& x) {
    return encoded('s', x);
  } catch (const NumericalError& x) {
    return encoded('n', x);
  } catch (const SimulatorError& x) {
    return encoded('m', x);
  } catch (const CheckpointError& x) {
    return encoded('k', x);
  } catch (const Interrupted& x) {
    return encoded('t', x);
  } catch (const IoError& x) {
    return encoded('i', x);
  } catch (const Error& x) {
    return encoded('e', x);
  } catch (const std::exception& x) {
    return std::string("x0") + x.what();
  } catch (...) {
    return "x0unknown exception (not derived from std::exception)";
  }
}

void rethrow_encoded(std::string_view encoded, const std::string& prefix) {
  const char kind = encoded.size() >= 2 ? encoded[0] : 'x';
  const bool input = encoded.size() >= 2 && encoded[1] == '1';
  const std::string what = prefix + std::string(encoded.substr(std::min<std::size_t>(2, encoded.size())));
  switch (kind) {
    case 'c': throw_marked<ConfigError>(what, input);
    case 's': throw_marked<ShapeError>(what, input);
    case 'n': throw_marked<NumericalError>(what, input);
    case 'm': throw_marked<SimulatorError>(what, input);
    case 'k': throw_marked<CheckpointError>(what, input);
    case 't': throw_marked<Interrupted>(what, input);
    case 'i': throw_marked<IoError>(what, input);
    case 'e': throw_marked<Error>(what, input);
    default: throw std::runtime_error(what);
  }
}

}  // namespace nsbi
