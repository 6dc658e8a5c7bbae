// libFuzzer entry point for the 'expr' target; its body is gp::fuzz::expression (fuzz/targets.cpp).
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { return gp::fuzz::expression(data, size); }
