// Test runner for the plain-logic and transport suites.
#define BOOST_TEST_MODULE cluster_exec_unit
#include <boost/test/unit_test.hpp>
