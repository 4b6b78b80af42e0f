#pragma once
// Agreement points (DESIGN.md §7: no rank left waiting). A rank-local step that can fail on some
// ranks only — a file readable on one node only, rank 0 alone creating the output directory or
// writing the bank — is run through agree(): each rank runs its step and catches what it throws,
// then every rank learns (one min-allreduce) the lowest failing rank, whose error is broadcast
// and rethrown on every rank with the same kind and message. So either every rank continues or
// every rank throws the same error, and the collectives after the step stay matched.
//
//   const auto prior = mpi::agree(comm, [&] { return make_prior(cfg); }, mpi::Failure::bad_input);
//   mpi::agree_on_root(comm, [&] { write_bank(dir, bank); });
//
// A worker's error reaches the others with "rank <r>: " put before its message. Errors that every
// rank throws alike need no agreement point.
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "nsbi/core/error.hpp"
#include "nsbi/mpi/communicator.hpp"

namespace nsbi::mpi {

/// What an nsbi error of the step means for the exit code (nsbi::exit_code).
enum class Failure {
  as_thrown,  // its kind decides
  bad_input,  // the step checks the user's input: marked bad input (exit code 2) whatever its kind
};

/// Collective over `comm`. `local` is this rank's error (null: none). Returns on every rank if no
/// rank has an error; otherwise every rank throws the error of the lowest failing rank.
void agree_on_error(const Communicator& comm, std::exception_ptr local);

/// Collective over `comm`: runs `step` on every rank, then agree_on_error. Returns what `step`
/// returned (by value).
template <typename F>
auto agree(const Communicator& comm, F&& step, Failure failure = Failure::as_thrown) {
  using R = std::decay_t<std::invoke_result_t<F&>>;
  std::exception_ptr error;
  const auto catch_error = [&] {
    try {
      throw;
    } catch (Error& e) {
      if (failure == Failure::bad_input) e.mark_input();
      error = std::current_exception();
    } catch (...) {
      error = std::current_exception();
    }
  };
  if constexpr (std::is_void_v<R>) {
    try {
      step();
    } catch (...) {
      catch_error();
    }
    agree_on_error(comm, error);
  } else {
    std::optional<R> result;
    try {
      result.emplace(step());
    } catch (...) {
      catch_error();
    }
    agree_on_error(comm, error);
    return std::move(*result);
  }
}

/// Collective over `comm`: runs `step` on rank 0 only, then agree_on_error.
template <typename F>
void agree_on_root(const Communicator& comm, F&& step, Failure failure = Failure::as_thrown) {
  agree(comm, [&] { if (comm.is_root()) step(); }, failure);
}

}  // namespace nsbi::mpi
