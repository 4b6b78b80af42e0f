#pragma once
// A simulator that is itself an MPI program (issue 13): every simulation runs on a group of
// `ranks_per_simulation` ranks. The farm (run_simulations) splits the ranks into the coordinator
// and groups of k; it talks to each group's leader (group rank 0) as to any worker, and the
// leader's simulate() drives the other members, which serve it in follow() until the leader's
// release_followers(). With one process the coordinator is a group of one.
#include <mpi.h>

#include <string>

#include "nsbi/simulator/simulator.hpp"

namespace nsbi {

class GroupSimulator : public Simulator {
 public:
  /// Ranks that take part in each simulation (the configuration's ranks_per_simulation).
  virtual int ranks_per_simulation() const = 0;
  /// The group this rank simulates with (rank 0 of `group` leads); kept until the next call.
  virtual void join_group(MPI_Comm group) = 0;
  /// On a member other than the leader: takes part in every simulation the leader runs, until
  /// the leader releases the group; rethrows the leader's error when it gives one (every rank of
  /// a failed farm throws). Collective over the group.
  virtual void follow() = 0;
  /// On the leader: ends the members' follow(), with `encoded_error` (error_transport.hpp) when
  /// the farm failed, "" otherwise. Collective over the group: call it once, also when the farm
  /// ends with an error, or the members wait forever.
  virtual void release_followers(const std::string& encoded_error) = 0;

  GroupSimulator* as_group() override { return this; }
};

}  // namespace nsbi
