#pragma once
// One copy per node instead of one per rank (MPI-3 shared memory, issue 13): the ranks of a
// communicator are grouped by the node they run on (MPI_Comm_split_type with
// MPI_COMM_TYPE_SHARED); each node's lowest rank, its leader, allocates the node's window and
// writes it, the other ranks of the node read it in place. World rank 0 leads its node, so the
// coordinator of the simulation farm writes its node's copy directly; publish_from_root() copies
// what it wrote to the other nodes' leaders (a broadcast among leaders, chunked for 64-bit
// counts).
//
// The environment variable NSBI_RANKS_PER_NODE=k cuts each node further into groups of k
// consecutive ranks, so that tests on one machine exercise several "nodes".
#include <mpi.h>

#include <cstddef>

#include "nsbi/mpi/communicator.hpp"

namespace nsbi::mpi {

class NodeSharedFloats {
 public:
  /// Collective over `comm`: `count` floats per node (uninitialised).
  NodeSharedFloats(const Communicator& comm, std::size_t count);
  /// Frees the window (collective) unless MPI has ended or an exception is unwinding: a failing
  /// rank may be the only one here (DESIGN.md §7); a failing process may leak it.
  ~NodeSharedFloats();
  NodeSharedFloats(const NodeSharedFloats&) = delete;
  NodeSharedFloats& operator=(const NodeSharedFloats&) = delete;

  float* data() const { return base_; }
  std::size_t size() const { return size_; }
  /// This rank writes its node's copy (the node's lowest rank).
  bool leader() const { return leader_; }
  /// Ranks sharing this rank's node (after NSBI_RANKS_PER_NODE), and nodes in all.
  int node_size() const { return node_size_; }
  int nodes() const { return nodes_; }

  /// Collective: once rank 0 has written elements [first, first + count) of its node's copy,
  /// every node's copy holds them and every rank may read them.
  void publish_from_root(std::size_t first, std::size_t count);
  /// Collective: what each leader wrote into its own node's copy becomes visible to its node.
  void synchronize();

 private:
  MPI_Comm node_ = MPI_COMM_NULL, leaders_ = MPI_COMM_NULL;
  MPI_Win win_ = MPI_WIN_NULL;
  float* base_ = nullptr;
  std::size_t size_ = 0;
  bool leader_ = false;
  int node_size_ = 1, nodes_ = 1;
};

}  // namespace nsbi::mpi
