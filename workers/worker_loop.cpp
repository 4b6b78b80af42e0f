#include "nsbi/farm/worker_loop.hpp"

#include <cstdint>
#include <exception>

#include "nsbi/core/error.hpp"
#include "nsbi/farm/chunk_messages.hpp"
#include "nsbi/core/error_transport.hpp"
#include "nsbi/farm/simulate_chunk.hpp"

namespace nsbi::farm {

void worker_loop(FarmChannel& channel, Simulator& sim, const FarmOptions& options) {
  constexpr int coordinator = 0;
  // Set once this rank's simulator has thrown: from then on the worker only waits for abort.
  std::exception_ptr failure;
  const auto report = [&](std::exception_ptr e) {
    failure = e;
    channel.send_text(coordinator, FarmTag::error, encode_exception(e));
  };

  try {
    const std::int64_t dims[2] = {sim.theta_dim(), sim.x_dim()};
    channel.send(coordinator, FarmTag::ready, std::span<const std::int64_t>(dims, 2));
  } catch (...) {
    report(std::current_exception());
  }

  for (;;) {
    const MPI_Status envelope = channel.wait(coordinator);
    switch (static_cast<FarmTag>(envelope.MPI_TAG)) {
      case FarmTag::work: {
        const std::vector<double> message = channel.receive<double>(envelope);
        // Chunks queued before an abort are received (so rank 0's sends complete) but skipped.
        if (failure || channel.pending(coordinator, FarmTag::abort)) break;
        try {
          const ChunkResult r = simulate_chunk(sim, unpack_work(message, sim.theta_dim()), options.seed,
                                               options.round, options.sim.max_retries);
          const std::vector<double> packed = pack_result(r);
          channel.send(coordinator, FarmTag::result, std::span<const double>(packed));
        } catch (...) {
          report(std::current_exception());
        }
        break;
      }
      case FarmTag::stop:
        channel.receive<char>(envelope);
        return;
      case FarmTag::abort: {
        const std::string error = channel.receive_text(envelope);
        channel.send(coordinator, FarmTag::stopped, std::span<const char>());
        if (failure) std::rethrow_exception(failure);
        rethrow_encoded(error);
      }
      default: {
        channel.receive<char>(envelope);
        if (!failure)
          report(std::make_exception_ptr(Error(make_message("simulation farm worker", "message tag",
                                                            "a farm tag", std::to_string(envelope.MPI_TAG)))));
      }
    }
  }
}

}  // namespace nsbi::farm
