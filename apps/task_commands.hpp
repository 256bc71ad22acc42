#pragma once

// The subcommands that read the task journal: status, logs, cancel, tasks.
// None starts a runtime: they open the journal of the state directory and
// work in whatever process the task belongs to only through it.

#include "config/router_cli.hpp"
#include "config/settings.hpp"

namespace cluster {

/// `status ID [--follow] [--json]`: the task's record; with --follow, waits
/// until it is final and exits with the status `submit` would have.
int task_status(const settings& cfg, const router_invocation& inv);

/// `logs ID [--stderr] [--tail N] [--follow]`: the spooled output, exactly.
int task_logs(const settings& cfg, const router_invocation& inv);

/// `cancel ID [--wait S] [--json]`: asks the task's owner to cancel it and
/// waits for it to end.
int task_cancel(const settings& cfg, const router_invocation& inv);

/// `tasks [--limit N] [--state S] [--json]`: recent tasks, newest first.
int task_list(const settings& cfg, const router_invocation& inv);

} // namespace cluster
