#include "nsbi/farm/error_transport.hpp"

#include "nsbi/core/error.hpp"

namespace nsbi::farm {

std::string encode_exception(std::exception_ptr e) {
  // Most derived first: every nsbi error is also an Error and a std::exception.
  try {
    std::rethrow_exception(e);
  } catch (const ConfigError& x) {
    return std::string("c") + x.what();
  } catch (const ShapeError& x) {
    return std::string("s") + x.what();
  } catch (const NumericalError& x) {
    return std::string("n") + x.what();
  } catch (const SimulatorError& x) {
    return std::string("m") + x.what();
  } catch (const CheckpointError& x) {
    return std::string("k") + x.what();
  } catch (const IoError& x) {
    return std::string("i") + x.what();
  } catch (const std::exception& x) {
    return std::string("e") + x.what();
  } catch (...) {
    return "eunknown exception (not derived from std::exception)";
  }
}

void rethrow_encoded(std::string_view encoded, const std::string& prefix) {
  const char kind = encoded.empty() ? 'e' : encoded.front();
  const std::string what = prefix + std::string(encoded.empty() ? encoded : encoded.substr(1));
  switch (kind) {
    case 'c': throw ConfigError(what);
    case 's': throw ShapeError(what);
    case 'n': throw NumericalError(what);
    case 'm': throw SimulatorError(what);
    case 'k': throw CheckpointError(what);
    case 'i': throw IoError(what);
    default: throw Error(what);
  }
}

}  // namespace nsbi::farm
