#include "workers/plugin/shared_library.hpp"

#include <dlfcn.h>

#include "nsbi/core/error.hpp"

namespace nsbi::detail {
namespace {
std::string dl_error() {
  const char* e = ::dlerror();
  return e != nullptr ? e : "no dlerror message";
}
}  // namespace

SharedLibrary::SharedLibrary(const std::string& who, const std::string& path, const std::string& symbol,
                             const std::string& signature) {
  if (path.empty())
    throw ConfigError(make_message(who, "simulator.library", "the path of a shared library", "an empty string"));
  ::dlerror();
  handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) throw SimulatorError(make_message(who, "library", "a loadable shared library", dl_error()));
  ::dlerror();
  function_ = ::dlsym(handle_, symbol.c_str());
  if (function_ == nullptr) {
    const std::string why = dl_error();
    ::dlclose(handle_);
    handle_ = nullptr;
    throw SimulatorError(make_message(who, "symbol " + symbol + " in " + path,
                                      "an exported function " + signature +
                                          " (extern \"C\", see nsbi/simulator_plugin.h)",
                                      why));
  }
}

SharedLibrary::~SharedLibrary() {
  if (handle_ != nullptr) ::dlclose(handle_);
}

}  // namespace nsbi::detail
