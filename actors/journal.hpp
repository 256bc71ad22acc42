#pragma once

// The journal actor: the task journal (transport/task_journal.hpp) on a
// thread of its own, fed by the router, read by `status` and `tasks`, and
// the way another process's `cluster-router cancel ID` reaches this one.

#include "config/settings.hpp"
#include "messages/type_ids.hpp"

#include <caf/fwd.hpp>

namespace cluster {

/// Spawns the journal (detached: SQLite calls block) over `cfg.state_dir`,
/// kept to `cfg.journal_max_age` and `cfg.journal_max_tasks`. Every second it
/// forwards cancel requests other processes wrote for this process's tasks
/// to the router it was given with `atom::update`; every minute it marks
/// tasks of dead processes lost and trims. A journal it cannot open (no
/// state directory, a corrupt file) or keeps failing to write is logged
/// once, answers every query with the reason, drops writes, and is tried
/// again every minute.
journal_actor spawn_journal(caf::actor_system& sys, const settings& cfg);

} // namespace cluster
