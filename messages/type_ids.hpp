#pragma once

// Type IDs of every message element (checked with CAF_ENABLE_TYPE_ID_CHECKS).

#include "messages/interfaces.hpp"

#include <caf/type_id.hpp>

CAF_BEGIN_TYPE_ID_BLOCK(cluster, caf::first_custom_type_id)

  CAF_ADD_TYPE_ID(cluster, (cluster::requirements))
  CAF_ADD_TYPE_ID(cluster, (cluster::run_request))
  CAF_ADD_TYPE_ID(cluster, (cluster::captured_output))
  CAF_ADD_TYPE_ID(cluster, (cluster::run_result))
  CAF_ADD_TYPE_ID(cluster, (cluster::batch_options))
  CAF_ADD_TYPE_ID(cluster, (cluster::batch_request))
  CAF_ADD_TYPE_ID(cluster, (cluster::batch_result))
  CAF_ADD_TYPE_ID(cluster, (cluster::batch_progress))
  CAF_ADD_TYPE_ID(cluster, (cluster::node_sample))
  CAF_ADD_TYPE_ID(cluster, (cluster::cluster_snapshot))
  CAF_ADD_TYPE_ID(cluster, (cluster::slot_usage))
  CAF_ADD_TYPE_ID(cluster, (cluster::slot_ledger))
  CAF_ADD_TYPE_ID(cluster, (cluster::node_info))
  CAF_ADD_TYPE_ID(cluster, (cluster::resolved_address))
  CAF_ADD_TYPE_ID(cluster, (cluster::progress_listener_actor))
  CAF_ADD_TYPE_ID(cluster, (cluster::node_verdict))
  CAF_ADD_TYPE_ID(cluster, (cluster::placement_explanation))
  CAF_ADD_TYPE_ID(cluster, (cluster::task_record))
  CAF_ADD_TYPE_ID(cluster, (cluster::task_start))
  CAF_ADD_TYPE_ID(cluster, (cluster::task_query))
  CAF_ADD_TYPE_ID(cluster, (cluster::task_listing))
  CAF_ADD_TYPE_ID(cluster, (cluster::router_actor))

CAF_END_TYPE_ID_BLOCK(cluster)
