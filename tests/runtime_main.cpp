// Test runner for the actor suites (real scheduler, real processes).
#define BOOST_TEST_MODULE cluster_exec_runtime
#include <boost/test/unit_test.hpp>
