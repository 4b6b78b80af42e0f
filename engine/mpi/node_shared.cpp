#include "nsbi/mpi/node_shared.hpp"

#include <cstdlib>
#include <exception>
#include <span>
#include <string>

#include "nsbi/core/error.hpp"

namespace nsbi::mpi {
namespace {

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw Error(std::string("MPI shared memory: ") + what + " failed (code " + std::to_string(rc) + ")");
}

int ranks_per_node_override() {
  const char* v = std::getenv("NSBI_RANKS_PER_NODE");
  if (!v || !*v) return 0;
  char* end = nullptr;
  const long k = std::strtol(v, &end, 10);
  if (*end != '\0' || k < 1)
    throw ConfigError(make_message("environment", "NSBI_RANKS_PER_NODE", "a positive integer", std::string("\"") + v + "\""));
  return static_cast<int>(k);
}

}  // namespace

NodeSharedFloats::NodeSharedFloats(const Communicator& comm, std::size_t count) {
  const int k = ranks_per_node_override();  // the same on every rank
  MPI_Comm node = MPI_COMM_NULL;
  check(MPI_Comm_split_type(comm.native(), MPI_COMM_TYPE_SHARED, comm.rank(), MPI_INFO_NULL, &node), "split by node");
  if (k > 0) {
    int r = 0;
    MPI_Comm_rank(node, &r);
    check(MPI_Comm_split(node, r / k, r, &node_), "split into NSBI_RANKS_PER_NODE groups");
    MPI_Comm_free(&node);
  } else {
    node_ = node;
  }
  int node_rank = 0;
  MPI_Comm_rank(node_, &node_rank);
  MPI_Comm_size(node_, &node_size_);
  leader_ = node_rank == 0;
  check(MPI_Comm_split(comm.native(), leader_ ? 0 : MPI_UNDEFINED, comm.rank(), &leaders_), "split the node leaders");
  int is_leader = leader_ ? 1 : 0;
  MPI_Allreduce(&is_leader, &nodes_, 1, MPI_INT, MPI_SUM, comm.native());

  size_ = count;
  const MPI_Aint bytes = leader_ ? static_cast<MPI_Aint>(count * sizeof(float)) : 0;
  MPI_Info info;
  MPI_Info_create(&info);
  MPI_Info_set(info, "alloc_shared_noncontig", "true");  // only the leader's segment has memory
  void* mine = nullptr;
  const int rc = MPI_Win_allocate_shared(bytes, sizeof(float), info, node_, &mine, &win_);
  MPI_Info_free(&info);
  check(rc, ("allocate a window of " + std::to_string(count * sizeof(float)) + " bytes per node").c_str());
  MPI_Aint size = 0;
  int disp = 0;
  void* base = nullptr;
  check(MPI_Win_shared_query(win_, 0, &size, &disp, &base), "query the leader's segment");
  base_ = static_cast<float*>(base);
  // One passive epoch for the window's life; MPI_Win_sync orders the loads and stores.
  check(MPI_Win_lock_all(MPI_MODE_NOCHECK, win_), "lock the window");
}

NodeSharedFloats::~NodeSharedFloats() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized || std::uncaught_exceptions() > 0) return;
  MPI_Win_unlock_all(win_);
  MPI_Win_free(&win_);
  if (leaders_ != MPI_COMM_NULL) MPI_Comm_free(&leaders_);
  MPI_Comm_free(&node_);
}

void NodeSharedFloats::synchronize() {
  MPI_Win_sync(win_);
  MPI_Barrier(node_);
  MPI_Win_sync(win_);
}

void NodeSharedFloats::publish_from_root(std::size_t first, std::size_t count) {
  if (first + count > size_)
    throw Error(make_message("node-shared window", "elements to publish", "within " + std::to_string(size_),
                             std::to_string(first) + "+" + std::to_string(count)));
  if (leader_ && nodes_ > 1) {
    MPI_Win_sync(win_);
    Communicator(leaders_).broadcast(std::span<float>(base_ + first, count), 0);  // world rank 0 is leader 0
  }
  synchronize();
}

}  // namespace nsbi::mpi
