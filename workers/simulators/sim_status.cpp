#include "nsbi/simulator/simulator.hpp"

namespace nsbi {

const char* to_string(SimStatus s) {
  switch (s) {
    case SimStatus::ok: return "ok";
    case SimStatus::non_finite: return "non_finite";
    case SimStatus::error: return "error";
    case SimStatus::crashed: return "crashed";
    case SimStatus::timeout: return "timeout";
  }
  return "unknown";
}

}  // namespace nsbi
