#pragma once
// The farm's point-to-point messages. A FarmChannel owns a duplicate of the caller's
// communicator for one round, so farm messages never mix with the caller's, and a round that
// ended early leaves nothing behind for the next one.
#include <mpi.h>

#include <functional>
#include <list>
#include <span>
#include <string>
#include <vector>

#include "nsbi/farm/farm_tags.hpp"
#include "nsbi/mpi/communicator.hpp"

namespace nsbi::farm {

class FarmChannel {
 public:
  /// Collective over `comm` (MPI_Comm_dup).
  explicit FarmChannel(const mpi::Communicator& comm);
  /// Completes the sends still posted, then frees the communicator (collective) — neither while
  /// an exception unwinds, which may happen on this rank only (see Communicator::free_duplicate).
  ~FarmChannel();
  FarmChannel(const FarmChannel&) = delete;
  FarmChannel& operator=(const FarmChannel&) = delete;

  int rank() const { return comm_.rank(); }
  int size() const { return comm_.size(); }

  /// Blocks until a message from `source` (MPI_ANY_SOURCE: any rank) can be received and returns
  /// its envelope. Polls with a sleep growing to 250 µs, so a waiting rank leaves the cores to
  /// the simulators (ranks are often oversubscribed); `idle` runs about every idle_seconds.
  MPI_Status wait(int source, const std::function<void()>& idle = {}, double idle_seconds = 1.0);
  /// True when a message with `tag` from `source` is waiting; it is not received.
  bool pending(int source, FarmTag tag) const;

  /// Receives the message announced by `envelope` (from wait).
  template <typename T>
  std::vector<T> receive(const MPI_Status& envelope) const {
    MPI_Status st = envelope;
    int count = 0;
    MPI_Get_count(&st, mpi::mpi_type<T>(), &count);
    std::vector<T> data(static_cast<std::size_t>(count));
    MPI_Recv(data.data(), count, mpi::mpi_type<T>(), envelope.MPI_SOURCE, envelope.MPI_TAG, comm_.native(),
             MPI_STATUS_IGNORE);
    return data;
  }
  std::string receive_text(const MPI_Status& envelope) const;

  /// Blocking send: returns once `data` may be reused.
  template <typename T>
  void send(int dest, FarmTag tag, std::span<const T> data) const {
    MPI_Send(data.data(), static_cast<int>(data.size()), mpi::mpi_type<T>(), dest, tag_value(tag), comm_.native());
  }
  void send_text(int dest, FarmTag tag, const std::string& text) const;
  /// Non-blocking sends; the channel keeps the data alive until the send completes.
  void post(int dest, FarmTag tag, std::vector<double> data);
  void post_text(int dest, FarmTag tag, std::string text);
  /// Waits until every posted send has completed.
  void complete_posted();

 private:
  struct Posted {
    MPI_Request request = MPI_REQUEST_NULL;
    std::vector<double> data;
    std::string text;
  };
  Posted& new_posted();
  mpi::Communicator comm_;  // the duplicate, owned
  std::list<Posted> posted_;  // a list: elements (and their buffers) never move
};

}  // namespace nsbi::farm
