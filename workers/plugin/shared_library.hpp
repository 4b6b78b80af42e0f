#pragma once
// Internal to workers/plugin: a shared library opened with dlopen (RTLD_NOW | RTLD_LOCAL) and one
// function looked up in it, closed with the object. Errors name the simulator, the library, the
// symbol and dlerror().
#include <string>

namespace nsbi::detail {

class SharedLibrary {
 public:
  /// `who` names the simulator in messages; `signature` is the C declaration the symbol must have.
  /// ConfigError for an empty path; SimulatorError when the library or the symbol is missing.
  SharedLibrary(const std::string& who, const std::string& path, const std::string& symbol,
                const std::string& signature);
  ~SharedLibrary();
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;
  void* function() const { return function_; }

 private:
  void* handle_ = nullptr;
  void* function_ = nullptr;
};

}  // namespace nsbi::detail
