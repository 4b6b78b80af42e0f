#pragma once
// Every MPI message of the simulation farm, in one place. The farm runs on its own duplicate of
// the caller's communicator, so these tags cannot collide with other messages of the run.
//
// One round, as seen by one worker w:
//   w → 0  ready    int64 {theta_dim, x_dim}: w's simulator is up; asks for its first chunks
//   0 → w  work     doubles {first index, count, θ (theta_dim×count, column-major)}
//   w → 0  result   doubles {first index, count, seconds, status + 8·attempts per column, x}
//                   (each result also asks for one more chunk: pull-based dispatch)
//   0 → w  stop     empty: the round is complete; w returns
// and when something fails:
//   w → 0  error    chars {error kind, message}: w's simulator threw; w waits for abort
//   0 → w  abort    chars {error kind, message}: the round failed; w discards its queue
//   w → 0  stopped  empty: w acknowledges abort and sends nothing more; w rethrows
namespace nsbi::farm {

enum class FarmTag : int {
  ready = 7001,
  work = 7002,
  result = 7003,
  error = 7004,
  stop = 7005,
  abort = 7006,
  stopped = 7007,
};

constexpr int tag_value(FarmTag t) { return static_cast<int>(t); }

}  // namespace nsbi::farm
